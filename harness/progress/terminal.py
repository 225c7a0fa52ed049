"""Progress on a terminal, drawn with rich: log lines scroll above a live panel that lists the run's stages (the
last few done, the running ones, those known to be waiting) and, under each running stage, a bar for its task with
items done, items per second and time left. The panel is redrawn a few times a second from the Board and removed
at the end, leaving the log lines."""

from __future__ import annotations

import time
from collections.abc import Sequence
from types import TracebackType
from typing import IO

from rich.console import Console, Group, RenderableType
from rich.live import Live
from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text

from harness.progress.board import BoardProgress, Clock, TaskState, duration

DONE_SHOWN = 4  # the last stages done stay in the panel; older ones are counted (their log lines are above)
WAITING_SHOWN = 5


class TerminalDisplay(BoardProgress):
    def __init__(self, stream: IO[str], clock: Clock = time.monotonic, verbose: bool = False):
        super().__init__(clock, verbose)
        self.console = Console(file=stream, highlight=False)
        self.live = Live(
            get_renderable=self.render,
            console=self.console,
            refresh_per_second=4,
            transient=True,
            redirect_stdout=True,
            redirect_stderr=True,
        )

    def log(self, line: str) -> None:
        from harness.secrets import scrub

        self.console.print(Text(scrub(line)))

    def begin(self, title: str, planned: Sequence[str] = ()) -> None:
        super().begin(title, planned)
        self.log(title)

    def render(self) -> RenderableType:
        with self.board.lock:  # the run's threads change the board while this thread draws it
            return self._render(self.clock())

    def _render(self, now: float) -> RenderableType:
        board = self.board
        rows = Table.grid(padding=(0, 1))
        rows.add_column(width=8)
        rows.add_column()
        rows.add_column()
        finished = [s for s in board.stages.values() if s.status in ("done", "failed")]
        if len(finished) > DONE_SHOWN:
            rows.add_row(Text("done", style="green"), Text(f"{len(finished) - DONE_SHOWN} earlier stages", "dim"), "")
        for stage in finished[-DONE_SHOWN:]:
            style = "red" if stage.status == "failed" else "green"
            rows.add_row(Text(stage.status, style=style), stage.label, Text(stage.outcome, style="dim"))
        tasks = board.open_tasks()
        for stage in board.running():
            rows.add_row(Text("running", style="bold yellow"), Text(stage.label, style="bold"),
                         duration(now - (stage.started or now)))  # fmt: skip
            for task in [t for t in tasks if t.stage == stage.label]:
                rows.add_row("", *self.bar(task, now))
        for task in [t for t in tasks if t.stage is None]:
            rows.add_row("", *self.bar(task, now))
        waiting = board.with_status("waiting")
        for stage in waiting[:WAITING_SHOWN]:
            rows.add_row(Text("waiting", style="dim"), Text(stage.label, style="dim"), "")
        if len(waiting) > WAITING_SHOWN:
            rows.add_row(Text("waiting", style="dim"), Text(f"{len(waiting) - WAITING_SHOWN} more", "dim"), "")
        elapsed = duration(now - board.started)
        header = Text(f"{board.title or 'harness'} — {board.summary()} — {elapsed}", style="bold")
        return Group(header, rows)

    @staticmethod
    def bar(task: TaskState, now: float) -> tuple[RenderableType, RenderableType]:
        bar = Table.grid(padding=(0, 1))
        bar.add_row(
            ProgressBar(total=task.total, completed=task.done, width=30),
            Text(f"{task.label} {task.counts()}"),
            Text(task.speed(now), style="cyan"),
            Text(task.remaining(now), style="magenta"),
        )
        return bar, ""

    def __enter__(self) -> TerminalDisplay:
        super().__enter__()
        self.live.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.live.stop()

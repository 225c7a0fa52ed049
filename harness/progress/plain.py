"""Progress as plain lines, for output that is not a terminal (CI logs, a pipe, a file): log lines as they come,
and, after `interval` seconds with no line, one status line naming the running stage and its task's count, rate
and time left. So a log gets at most one periodic line per interval, however many batches or steps pass, and never
stays silent longer than an interval while work runs. A background thread calls `tick()`; tests call it directly
with a fake clock."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from types import TracebackType

from harness.progress.board import BoardProgress, Clock, duration

DEFAULT_INTERVAL = 9.0  # seconds of silence before a status line: under 10 s even with the ticker's own delay
TICK = 0.5


class PlainDisplay(BoardProgress):
    def __init__(
        self,
        write: Callable[[str], None],
        clock: Clock = time.monotonic,
        interval: float = DEFAULT_INTERVAL,
        verbose: bool = False,
        quiet: bool = False,
        idle_lines: bool = True,
    ):
        super().__init__(clock, verbose)
        self.write = write
        self.interval = interval
        self.quiet = quiet
        self.idle_lines = idle_lines  # False: status lines only while a task is open (a launched training rank)
        self.last_line = clock()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def emit(self, line: str) -> None:
        if self.quiet:
            return
        from harness.secrets import scrub

        with self._lock:
            self.write(scrub(line))
            self.last_line = self.clock()

    def log(self, line: str) -> None:
        self.emit(line)

    def begin(self, title: str, planned: Sequence[str] = ()) -> None:
        super().begin(title, planned)
        self.emit(f"{title}" + (f" ({len(planned)} stages)" if planned else ""))

    def status(self) -> str:
        """The innermost running stage with its elapsed time and open tasks, or the run's own elapsed time."""
        now = self.clock()
        running = self.board.running()
        tasks = self.board.open_tasks()
        if running:
            stage = running[-1]
            head = f"[{stage.label}] running {duration(now - (stage.started or now))}"
            mine = [t for t in tasks if t.stage == stage.label] or tasks
        else:
            head = f"[{self.board.title or 'harness'}] working, {duration(now - self.board.started)}"
            mine = tasks
        return head + "".join(f": {t.line(now)}" for t in mine[-1:]) + f" ({self.board.summary()})"

    def tick(self) -> None:
        """Writes a status line if the last line is `interval` seconds old and a run is going on."""
        if not self.board.active or self.clock() - self.last_line < self.interval:
            return
        if self.idle_lines or self.board.open_tasks():
            self.emit(self.status())

    def _run_ticker(self) -> None:
        while not self._stop.wait(TICK):
            self.tick()

    def __enter__(self) -> PlainDisplay:
        super().__enter__()
        if not self.quiet:
            self._ticker = threading.Thread(target=self._run_ticker, name="progress-ticker", daemon=True)
            self._ticker.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()

"""What a display shows, kept apart from how it is drawn: the stages of the current run (done, running, waiting)
and the counted tasks open inside them, with items done, items per second and time left. Both displays
(harness.progress.plain, harness.progress.terminal) draw from a `Board`; every read and change holds its lock,
since tasks advance from worker threads (remote calls) while a display thread draws."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import Self

from harness.progress.core import Progress, Task

Clock = Callable[[], float]
AT_ONCE = 0.5  # seconds: items a task counts this soon after opening were found, not computed


def duration(seconds: float) -> str:
    """12s, 3m05s, 1h02m."""
    whole = max(0, round(seconds))
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m{whole % 60:02d}s"
    return f"{whole // 3600}h{whole % 3600 // 60:02d}m"


@dataclass
class TaskState:
    label: str
    unit: str
    total: int | None
    started: float
    stage: str | None  # the innermost stage running when it opened
    done: int = 0
    first: tuple[float, int] | None = None  # when the first items were counted, and how many

    def rate(self, now: float) -> float | None:
        """Items per second since the task opened; items counted at once on opening (answered by a cache) are
        not work done, so they and the moment they took are left out."""
        work, since = self.done, self.started
        if self.first is not None and self.first[0] - self.started < AT_ONCE:
            work, since = self.done - self.first[1], self.first[0]
        return work / (now - since) if work > 0 and now > since else None

    def eta(self, now: float) -> float | None:
        rate = self.rate(now)
        return None if rate is None or self.total is None else max(0, self.total - self.done) / rate

    def counts(self) -> str:
        return f"{self.done}/{self.total} {self.unit}" if self.total is not None else f"{self.done} {self.unit}"

    def speed(self, now: float) -> str:
        rate = self.rate(now)
        if rate is None:
            return ""
        return f"{rate:.3g} {self.unit}/s" if rate < 1000 else f"{rate:.0f} {self.unit}/s"  # no 1.2e+03

    def remaining(self, now: float) -> str:
        eta = self.eta(now)
        return "" if eta is None else f"ETA {duration(eta)}"

    def line(self, now: float) -> str:
        """`generate 32/64 prompt, 3.1 prompt/s, ETA 10s`."""
        return ", ".join(
            part for part in (f"{self.label} {self.counts()}", self.speed(now), self.remaining(now)) if part
        )


@dataclass
class StageState:
    label: str
    status: str = "waiting"  # waiting, running, done, failed
    started: float | None = None
    outcome: str = ""


@dataclass
class Board:
    clock: Clock
    title: str = ""
    started: float = 0.0
    active: bool = True  # False between a run's end and the next begin: nothing to report
    stages: dict[str, StageState] = field(default_factory=dict)
    tasks: list[TaskState] = field(default_factory=list)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def begin(self, title: str, planned: Sequence[str]) -> None:
        with self.lock:
            self.title, self.started, self.active = title, self.clock(), True
            self.stages = {label: StageState(label) for label in planned}
            self.tasks = []

    def finish(self) -> None:
        with self.lock:
            self.active = False
            self.tasks = []

    def start(self, label: str) -> None:
        with self.lock:
            stage = self.stages.pop(label, None) or StageState(label)
            stage.status, stage.started, stage.outcome = "running", self.clock(), ""
            self.stages[label] = stage  # moved to the end: the list reads in the order stages ran

    def end(self, label: str, outcome: str) -> None:
        with self.lock:
            stage = self.stages.setdefault(label, StageState(label))
            stage.status, stage.outcome = ("failed" if outcome == "failed" else "done"), outcome
            self.tasks = [t for t in self.tasks if t.stage != label]

    def running(self) -> list[StageState]:
        with self.lock:
            return [s for s in self.stages.values() if s.status == "running"]

    def with_status(self, status: str) -> list[StageState]:
        with self.lock:
            return [s for s in self.stages.values() if s.status == status]

    def open(self, total: int | None, unit: str, label: str) -> TaskState:
        with self.lock:
            running = [s.label for s in self.stages.values() if s.status == "running"]
            task = TaskState(label, unit, total, self.clock(), running[-1] if running else None)
            self.tasks.append(task)
            return task

    def advance(self, task: TaskState, n: int) -> None:
        with self.lock:
            task.done += n
            task.first = task.first or (self.clock(), n)

    def close(self, task: TaskState) -> None:
        with self.lock:
            if task in self.tasks:
                self.tasks.remove(task)

    def open_tasks(self) -> list[TaskState]:
        with self.lock:
            return list(self.tasks)

    def summary(self) -> str:
        """`3 done, 1 running, 2 waiting` (or `so far` when nothing was planned)."""
        with self.lock:
            counts = {k: sum(s.status == k for s in self.stages.values()) for k in ("done", "running", "waiting")}
            failed = sum(s.status == "failed" for s in self.stages.values())
        parts = [f"{counts['done']} done", f"{counts['running']} running"]
        parts += [f"{failed} failed"] if failed else []
        parts += [f"{counts['waiting']} waiting"] if counts["waiting"] else ["more may follow"]
        return "stages: " + ", ".join(parts)


class BoardTask(Task):
    def __init__(self, board: Board, state: TaskState):
        self.board, self.state = board, state

    def advance(self, n: int = 1) -> None:
        self.board.advance(self.state, n)

    def close(self) -> None:
        self.board.close(self.state)


class BoardProgress(Progress):
    """A display over a Board: subclasses draw it and write log lines."""

    def __init__(self, clock: Clock, verbose: bool = False):
        self.board = Board(clock, started=clock())
        self.clock = clock
        self.verbose = verbose

    def begin(self, title: str, planned: Sequence[str] = ()) -> None:
        self.board.begin(title, planned)

    def finish(self) -> None:
        self.board.finish()

    def stage_start(self, label: str) -> None:
        self.board.start(label)

    def stage_end(self, label: str, outcome: str) -> None:
        self.board.end(label, outcome)

    def task(self, total: int | None, unit: str, label: str) -> Task:
        return BoardTask(self.board, self.board.open(total, unit, label))

    def __enter__(self) -> Self:
        """Starts drawing (subclasses start their redraw or ticker thread here)."""
        self.board.started = self.clock()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        """Stops drawing."""

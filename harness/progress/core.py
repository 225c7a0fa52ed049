"""The one interface library code reports progress through: stages starting and ending, counted tasks inside them
(generation batches, judged items, training steps), and log lines. Displays implement it (harness.progress.plain,
harness.progress.terminal); `NULL_PROGRESS` reports nothing, for library use and tests. A run receives its
`Progress` as a parameter and hands it down; nothing reads it from a global."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from types import TracebackType


class Task(ABC):
    """A counted piece of work: `advance(n)` as items finish, `close()` (or leave the `with` block) when done."""

    @abstractmethod
    def advance(self, n: int = 1) -> None: ...

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self) -> Task:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()


class Progress(ABC):
    """What a run tells its display. `verbose` says whether the libraries' own output (transformers' bars, the
    trainer's log lines) is shown rather than muted."""

    verbose: bool = False

    @abstractmethod
    def begin(self, title: str, planned: Sequence[str] = ()) -> None:
        """A new run or sweep variant named `title`; `planned`: stage labels known to come, shown as waiting."""

    @abstractmethod
    def finish(self) -> None:
        """The run (or variant) begun last is over: nothing runs until the next `begin`."""

    @abstractmethod
    def stage_start(self, label: str) -> None: ...

    @abstractmethod
    def stage_end(self, label: str, outcome: str) -> None:
        """`outcome`: "reused", "done in 1.2s", "failed"."""

    @abstractmethod
    def task(self, total: int | None, unit: str, label: str) -> Task:
        """A counted task inside the running stage: `total` items of `unit` (None: not known)."""

    @abstractmethod
    def log(self, line: str) -> None:
        """A line for the reader (a stage's outcome, where the run record went)."""


class NullTask(Task):
    def advance(self, n: int = 1) -> None:
        pass

    def close(self) -> None:
        pass


class NullProgress(Progress):
    """Reports nothing: the default wherever no display was handed in."""

    def __repr__(self) -> str:
        return "NULL_PROGRESS"  # how `harness generators show` prints the default

    def begin(self, title: str, planned: Sequence[str] = ()) -> None:
        pass

    def finish(self) -> None:
        pass

    def stage_start(self, label: str) -> None:
        pass

    def stage_end(self, label: str, outcome: str) -> None:
        pass

    def task(self, total: int | None, unit: str, label: str) -> Task:
        return NullTask()

    def log(self, line: str) -> None:
        pass


NULL_PROGRESS: Progress = NullProgress()  # stateless, so one shared instance is safe

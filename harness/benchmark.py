"""What a benchmark offers the pipeline, declared by the benchmark rather than probed by its callers.

Every registered benchmark gives prompts by split. Whether it can grade an answer against ground truth is
its `grader()`: a gold grader (the sandbox's oracle) or None (public prompt sets, judged by a model instead).
The pipeline, judge quality, the oracle judge and `harness validate` all ask `grader()`, never `hasattr`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

from harness.types import Prompt

Grader = Callable[[Prompt, str], float]  # (prompt, answer) -> gold score, higher is better


@runtime_checkable
class Benchmark(Protocol):
    """A prompt source with splits; `grader()` is None unless the benchmark knows the truth."""

    def prompts(self, split: str, n: int) -> Sequence[Prompt]: ...

    def grader(self) -> Grader | None: ...


def gold_grader(benchmark: Benchmark) -> Grader:
    """The benchmark's grader, for code that only runs with one (an error naming the fix otherwise)."""
    grader = benchmark.grader()
    if grader is None:
        raise ValueError(
            f"{type(benchmark).__name__} has no gold grader; use a benchmark with one "
            "(benchmark: sandbox) or evaluate with a judge (evaluation.judge)"
        )
    return grader

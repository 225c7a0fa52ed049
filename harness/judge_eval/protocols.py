"""What a judge can do, as protocols: score one reply, compare two, or compare two in the order shown.

A judge_eval run and the `judged` feedback source pick how to use a judge from these; a plug-in judge needs only
the methods of the kind it is (a pointwise judge: `name` and `score`, as harness.feedback.Judge).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

from harness.types import Completion, Judgment, Prompt

Item = tuple[Prompt, Completion]
PairItem = tuple[Prompt, Completion, Completion]


@runtime_checkable
class PointwiseJudge(Protocol):
    """One Judgment per (prompt, reply): a Score (higher is better) or a Failure."""

    name: str

    def score(self, items: Sequence[Item]) -> list[Judgment]: ...


@runtime_checkable
class PairJudge(Protocol):
    """One Judgment per (prompt, a, b): a Preference for "a", "b" or "tie", or a Failure."""

    name: str

    def compare(self, items: Sequence[PairItem]) -> list[Judgment]: ...


@runtime_checkable
class OrderedPairJudge(PairJudge, Protocol):
    """A pair judge that can be asked in one given order, so its position bias can be measured."""

    def judge_in_order(self, items: Sequence[PairItem]) -> list[Judgment]: ...

"""The judge contract: what a judge can do (protocols) and what its factory declares (`JudgeTraits`).

A judge scores one reply (`PointwiseJudge`), compares two (`PairJudge`), or compares two in the order shown
(`OrderedPairJudge`, so its position bias can be measured). The registry checks a built judge against these and
names a missing member. What the harness hands a judge's factory is declared with `@judge(...)`, never guessed
from the factory's parameter names: whether it runs on a model (`on_model`: the factory takes `generator`),
whether it takes the run's seed (`seeded`), the model of its own parameters, a `check` hook validation calls, and
`reads`: what it reads of its model's generator beyond samples with given parameters (an expected read-out: next-token
probabilities), so validation can hold the model's backend to it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel

from harness.types import Completion, Judgment, Prompt

Item = tuple[Prompt, Completion]
PairItem = tuple[Prompt, Completion, Completion]


@runtime_checkable
class PointwiseJudge(Protocol):
    """One Judgment per (prompt, reply): a Score (higher is better) or a typed Failure."""

    @property
    def name(self) -> str: ...  # what its Judgments name as their judge

    def score(self, items: Sequence[Item]) -> list[Judgment]: ...


@runtime_checkable
class PairJudge(Protocol):
    """One Judgment per (prompt, a, b): a Preference for "a", "b" or "tie", or a Failure."""

    @property
    def name(self) -> str: ...

    def compare(self, items: Sequence[PairItem]) -> list[Judgment]: ...


@runtime_checkable
class OrderedPairJudge(PairJudge, Protocol):
    """A pair judge that can be asked in one given order, so its position bias can be measured."""

    def judge_in_order(self, items: Sequence[PairItem]) -> list[Judgment]: ...


@runtime_checkable
class RewardScorer(PointwiseJudge, Protocol):
    """A pointwise judge that also scores whole conversations (a reward model): one float per conversation."""

    def rewards(self, conversations: Sequence[list[dict[str, str]]]) -> list[float]: ...


AnyJudge = PointwiseJudge | PairJudge
JUDGE_CONTRACTS: tuple[type, ...] = (PointwiseJudge, PairJudge)


@dataclass(frozen=True)
class JudgeSite:
    """Where a recipe uses a judge, as its `check` hook sees it: the recipe field that named it and the judge's own
    parameters."""

    field: str
    params: Mapping[str, Any]


JudgeCheck = Callable[[JudgeSite], None]  # raises ValueError("<param>: <problem>; <fix>")


@dataclass(frozen=True)
class GeneratorRead:
    """A generator capability (a protocol such as `NextTokenScorer`) a judge reads because of its parameter `param`,
    and the fix that avoids it."""

    param: str
    need: type
    fix: str


JudgeReads = Callable[[Mapping[str, Any]], tuple[GeneratorRead, ...]]  # the judge's parameters -> what it reads


@dataclass(frozen=True)
class JudgeTraits:
    """What `@judge(...)` declares about a factory. `params` validates the parameters a recipe gives (derived from
    the factory's signature unless declared)."""

    on_model: bool = False
    seeded: bool = False
    params: type[BaseModel] | None = None
    check: JudgeCheck | None = None
    reads: JudgeReads | None = None


def protocol_members(protocol: type, methods_only: bool = False) -> list[str]:
    """The public members a protocol declares (its methods alone with `methods_only`: what a class must define,
    as attributes such as `name` may be set per instance)."""
    names = {
        n
        for klass in protocol.__mro__
        if klass is not object and klass.__name__ not in ("Protocol", "Generic")
        for n in (
            *(k for k, v in vars(klass).items() if callable(v) or not methods_only),
            *(() if methods_only else vars(klass).get("__annotations__", {})),
        )
    }
    return sorted(n for n in names if not n.startswith("_"))


def missing_members(obj: object, protocol: type, methods_only: bool = False) -> list[str]:
    """Members of `protocol` that `obj` (an instance, or with `methods_only` a class) lacks."""
    return [n for n in protocol_members(protocol, methods_only) if n not in dir(obj)]

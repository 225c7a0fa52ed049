"""How far can a pairwise judge be trusted: agreement with human labels and three bias probes.

Verdicts are the labels of `harness.types.Preference.winner`: "a" (the candidate shown first), "b" (shown
second) or "tie"; None marks a judge failure and is excluded (never counted as a tie).

- agreement (MT-bench, Zheng et al. 2023): the fraction of (item, human vote) pairs where the judge's verdict
  equals the human's. With ties, "tie" is a third class (chance ≈ 1/3). Without ties, any pair where the
  judge or the human said "tie" is dropped (chance = 1/2). An item with several human votes is passed once
  per vote.
- position consistency: each item judged twice, candidates swapped. Consistent when both verdicts name the
  same candidate (or both say tie); `first_bias` / `second_bias` are the fractions of items where the judge
  picked whatever was shown first / second both times.
- longer preference: of the decisive verdicts between candidates of different length, the fraction that
  picks the longer one (0.5 = no length bias).
- self-preference: how often the judge picks its own output (a tie counts half), and, given reference labels,
  the excess over how often the reference picks it, as a paired bootstrap difference.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Literal

import numpy as np
from pydantic import Field

from harness.evaluate.estimates import Estimate, check_same_length, mean_se
from harness.evaluate.paired import PairedDiff, paired_bootstrap
from harness.registry import metric

Verdict = Literal["a", "b", "tie"]
VERDICTS = ("a", "b", "tie")
_SWAP = {"a": "b", "b": "a", "tie": "tie"}


def _check_verdicts(field: str, verdicts: Sequence[str | None], allow_failures: bool) -> None:
    for i, v in enumerate(verdicts):
        if v is None and allow_failures:
            continue
        if v not in VERDICTS:
            allowed = "'a', 'b', 'tie'" + (" or None (failure)" if allow_failures else "")
            raise ValueError(f"{field}[{i}] = {v!r}; use {allowed}")


def judge_agreement(judge: Sequence[Verdict | None], human: Sequence[Verdict], include_ties: bool = True) -> Estimate:
    """MT-bench agreement between judge and human verdicts, with or without ties (see module docstring)."""
    check_same_length("judge", judge, "human", human)
    _check_verdicts("judge", judge, allow_failures=True)
    _check_verdicts("human", human, allow_failures=False)
    matches = [
        float(j == h) for j, h in zip(judge, human) if j is not None and (include_ties or (j != "tie" and h != "tie"))
    ]
    return mean_se(matches)


@dataclass(frozen=True)
class PositionConsistency:
    consistency: Estimate
    first_bias: float
    second_bias: float
    n: int


def position_consistency(
    original_order: Sequence[Verdict | None], swapped_order: Sequence[Verdict | None]
) -> PositionConsistency:
    """Consistency of verdicts under swapping; each sequence labels by position shown ("a" = shown first)."""
    check_same_length("original_order", original_order, "swapped_order", swapped_order)
    _check_verdicts("original_order", original_order, allow_failures=True)
    _check_verdicts("swapped_order", swapped_order, allow_failures=True)
    pairs = [(o, s) for o, s in zip(original_order, swapped_order) if o is not None and s is not None]
    n = len(pairs)
    consistent = [float(o == _SWAP[s]) for o, s in pairs]
    first = sum(o == s == "a" for o, s in pairs)
    second = sum(o == s == "b" for o, s in pairs)
    return PositionConsistency(
        consistency=mean_se(consistent),
        first_bias=first / n if n else float("nan"),
        second_bias=second / n if n else float("nan"),
        n=n,
    )


def longer_preference(verdicts: Sequence[Verdict | None], length_a: Sequence[int], length_b: Sequence[int]) -> Estimate:
    """Fraction of decisive verdicts (no tie, no failure, lengths differ) that pick the longer candidate."""
    check_same_length("verdicts", verdicts, "length_a", length_a)
    check_same_length("verdicts", verdicts, "length_b", length_b)
    _check_verdicts("verdicts", verdicts, allow_failures=True)
    picks_longer = [
        float((v == "a") == (la > lb))
        for v, la, lb in zip(verdicts, length_a, length_b)
        if v in ("a", "b") and la != lb
    ]
    return mean_se(picks_longer)


@dataclass(frozen=True)
class SelfPreference:
    rate: Estimate  # how often the judge picks its own output
    excess: PairedDiff | None  # judge rate − reference rate on the same items, when reference labels are given


def _own_pick(verdict: Verdict | None, own: str) -> float | None:
    if verdict is None:
        return None
    return 0.5 if verdict == "tie" else float(verdict == own)


def self_preference(
    verdicts: Sequence[Verdict | None],
    own: Sequence[Literal["a", "b"]],
    reference: Sequence[Verdict] | None = None,
    n_boot: int = 2000,
    seed: int = 0,
) -> SelfPreference:
    """How much the judge favours its own outputs; `own[i]` says which candidate of item i the judge wrote."""
    check_same_length("verdicts", verdicts, "own", own)
    _check_verdicts("verdicts", verdicts, allow_failures=True)
    for i, side in enumerate(own):
        if side not in ("a", "b"):
            raise ValueError(f"own[{i}] = {side!r}; say which candidate the judge wrote: 'a' or 'b'")
    judge_picks = [_own_pick(v, side) for v, side in zip(verdicts, own)]
    rate = mean_se([p for p in judge_picks if p is not None])
    if reference is None:
        return SelfPreference(rate, None)
    check_same_length("verdicts", verdicts, "reference", reference)
    _check_verdicts("reference", reference, allow_failures=False)
    reference_picks = [_own_pick(v, side) for v, side in zip(reference, own)]
    excess = paired_bootstrap(judge_picks, reference_picks, n_boot=n_boot, seed=seed)
    return SelfPreference(rate, excess)


def verdict_from_preference(preference: float | None) -> Verdict | None:
    """alpaca_eval preference in [1, 2] (output_1 shown first; 0 is its legacy draw) to a verdict label."""
    if preference is None or np.isnan(preference):
        return None
    if preference in (0.0, 1.5):
        return "tie"
    return "b" if preference > 1.5 else "a"


@metric("judge_agreement")
def judge_agreement_metric(
    include_ties: Annotated[
        bool, Field(description="true: a tie is a third class; false: items where judge or human says tie are dropped")
    ] = True,
) -> Callable[[Sequence[Verdict | None], Sequence[Verdict]], Estimate]:
    """MT-bench agreement of judge verdicts with human votes, with ties as a class or with tie votes dropped."""
    return partial(judge_agreement, include_ties=include_ties)


@metric("position_consistency")
def position_consistency_metric() -> Callable[[Sequence[Verdict | None], Sequence[Verdict | None]], Estimate]:
    """Fraction of items whose verdict names the same candidate when the two candidates are swapped."""
    return partial(_consistency_estimate)


def _consistency_estimate(
    original_order: Sequence[Verdict | None], swapped_order: Sequence[Verdict | None]
) -> Estimate:
    return position_consistency(original_order, swapped_order).consistency

"""Reward-model accuracy on held-out preference pairs, with reward-bench's semantics.

A pair is right only when the chosen response scores strictly higher than the rejected one: a tie is wrong
(a reward model that cannot separate the two has not preferred the chosen one), and so is a missing score
(None/NaN, e.g. a generative judge whose output did not parse); those are counted in `n_ties` / `n_failures`.

Accuracy is reported overall and per subset, and split by which reply is longer (`accuracy_by_length`): on the
pairs whose longer reply is the rejected one, a reward model that learnt only "longer is better" scores 0, so
accuracy there (length-controlled accuracy) shows what it learnt beyond length.

A section score (reward-bench's Chat, Chat Hard, Safety, Reasoning) is the average of its subsets' accuracies
weighted by their number of pairs, unless explicit weights are given (reward-bench reweights some sections, e.g.
Reasoning).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np

from harness.evaluate.estimates import Estimate, check_same_length, mean_se, optional_floats
from harness.registry import metric


@dataclass(frozen=True)
class RMAccuracy:
    overall: Estimate
    per_subset: dict[str, Estimate]
    n_ties: int
    n_failures: int


def rm_accuracy(
    chosen_scores: Sequence[float | None],
    rejected_scores: Sequence[float | None],
    subsets: Sequence[str] | None = None,
) -> RMAccuracy:
    """Fraction of pairs with score(chosen) > score(rejected), overall and per subset (in first-seen order)."""
    check_same_length("chosen_scores", chosen_scores, "rejected_scores", rejected_scores)
    if subsets is not None:
        check_same_length("chosen_scores", chosen_scores, "subsets", subsets)
    chosen, rejected = optional_floats(chosen_scores), optional_floats(rejected_scores)
    failed = np.isnan(chosen) | np.isnan(rejected)
    correct = np.where(failed, 0.0, (chosen > rejected) * 1.0)
    per_subset: dict[str, Estimate] = {}
    if subsets is not None:
        labels = np.asarray(subsets, dtype=object)
        for name in dict.fromkeys(subsets):
            per_subset[name] = mean_se(correct[labels == name])
    return RMAccuracy(
        overall=mean_se(correct),
        per_subset=per_subset,
        n_ties=int(((chosen == rejected) & ~failed).sum()),
        n_failures=int(failed.sum()),
    )


@dataclass(frozen=True)
class LengthSplitAccuracy:
    longer_rejected: Estimate  # length-controlled accuracy: "the longer reply wins" scores 0 on these pairs
    longer_chosen: Estimate  # ... and 1 on these
    same_length: int  # pairs in neither split


def accuracy_by_length(
    chosen_scores: Sequence[float | None],
    rejected_scores: Sequence[float | None],
    chosen_lengths: Sequence[int],
    rejected_lengths: Sequence[int],
) -> LengthSplitAccuracy:
    """`rm_accuracy` on the pairs whose longer reply is the rejected one, and on those whose longer one is chosen.

    Lengths in any unit (the reward-model run uses characters, as its longer-reply baseline does); a split with no
    pair is an Estimate with n=0 and a NaN value.
    """
    check_same_length("chosen_scores", chosen_scores, "chosen_lengths", chosen_lengths)
    check_same_length("chosen_lengths", chosen_lengths, "rejected_lengths", rejected_lengths)
    splits = ["longer_chosen" if c > r else "longer_rejected" if c < r else "same_length"
              for c, r in zip(chosen_lengths, rejected_lengths)]  # fmt: skip
    per_split = rm_accuracy(chosen_scores, rejected_scores, splits).per_subset
    empty = Estimate(float("nan"), None, 0)
    return LengthSplitAccuracy(
        longer_rejected=per_split.get("longer_rejected", empty),
        longer_chosen=per_split.get("longer_chosen", empty),
        same_length=splits.count("same_length"),
    )


def section_scores(
    per_subset: Mapping[str, Estimate],
    sections: Mapping[str, Sequence[str]],
    weights: Mapping[str, float] | None = None,
) -> dict[str, Estimate]:
    """Weighted mean of subset accuracies per section; weights default to each subset's number of pairs.

    The stderr combines the subsets' stderrs as independent: sqrt(Σ w² se²) / Σ w.
    """
    scores: dict[str, Estimate] = {}
    for section, names in sections.items():
        missing = [name for name in names if name not in per_subset]
        if missing:
            raise ValueError(
                f"section {section!r} names subset {missing[0]!r}, which has no accuracy; "
                f"evaluate it or remove it from sections[{section!r}]"
            )
        unweighted = [name for name in names if weights is not None and name not in weights]
        if unweighted:
            raise ValueError(
                f"weights has no entry for subset {unweighted[0]!r} of section {section!r}; "
                "give every subset of the section a weight, or pass weights=None to weight by size"
            )
        w = np.asarray([per_subset[n].n if weights is None else weights[n] for n in names], dtype=float)
        values = np.asarray([per_subset[n].value for n in names], dtype=float)
        total = w.sum()
        if total <= 0:
            raise ValueError(f"section {section!r} has zero total weight; give its subsets positive weights")
        errors = [e for n in names if (e := per_subset[n].stderr) is not None]
        stderr = None if len(errors) < len(names) else float(np.sqrt((w**2 * np.square(errors)).sum()) / total)
        scores[section] = Estimate(float((w * values).sum() / total), stderr, sum(per_subset[n].n for n in names))
    return scores


def _overall_accuracy(chosen_scores: Sequence[float | None], rejected_scores: Sequence[float | None]) -> Estimate:
    return rm_accuracy(chosen_scores, rejected_scores).overall


@metric("rm_accuracy")
def rm_accuracy_metric() -> Callable[[Sequence[float | None], Sequence[float | None]], Estimate]:
    """Reward-model accuracy on preference pairs: chosen must score strictly higher; ties and failures are wrong."""
    return partial(_overall_accuracy)

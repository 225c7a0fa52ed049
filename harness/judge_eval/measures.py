"""From one judge's outcomes on one set to the numbers of the judge leaderboard, per subset and over all.

Pairwise sets: agreement with the human label without ties (chance 1/2) and with ties as a third class (chance
1/3 for a judge guessing uniformly among a, b, tie), position consistency (ordered pair judges; a pointwise judge
scores each reply alone, so it is order-free by construction), the share of decisive verdicts that pick the
longer reply (the human labels' own share beside it), and self-preference where the judge names the model it is
and the set names who wrote each reply. Ranked sets: per-prompt ranking metrics against the human ranks.
Every estimate carries a 95% interval (Wilson's for proportions, value ± 1.96 SE otherwise) and its count.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from harness.evaluate import (
    Estimate,
    judge_agreement,
    longer_preference,
    position_consistency,
    ranking_metrics,
    self_preference,
)
from harness.judge_eval.judging import GroupOutcome, PairOutcome

Z95 = 1.959964
CHANCE = {
    "agreement": 0.5,
    "agreement_ties": 1 / 3,
    "position_consistency": None,
    "longer": 0.5,
    "pairwise_accuracy": 0.5,
    "spearman": 0.0,
    "kendall": 0.0,
    "top1_accuracy": None,
}
RANKING = ("pairwise_accuracy", "spearman", "kendall", "top1_accuracy")
# Where each ranking metric lives: value ± 1.96 SE is clipped to it (with few prompts near a bound it spills over).
RANGE = {"pairwise_accuracy": (0.0, 1.0), "top1_accuracy": (0.0, 1.0), "spearman": (-1.0, 1.0), "kendall": (-1.0, 1.0)}


def wilson(share: float, n: int) -> list[float]:
    """Wilson's 95% interval for a proportion: inside [0, 1] and not empty at 0 or 1, unlike value ± 1.96 SE."""
    centre = (share + Z95**2 / (2 * n)) / (1 + Z95**2 / n)
    half = Z95 / (1 + Z95**2 / n) * math.sqrt(share * (1 - share) / n + Z95**2 / (4 * n * n))
    return [max(0.0, centre - half), min(1.0, centre + half)]


def cell(estimate: Estimate, proportion: bool = False, bounds: tuple[float, float] | None = None) -> dict[str, Any]:
    """An estimate as the run record stores it: value, SE, 95% interval, n (None where undefined). A proportion
    (a mean of 0/1 outcomes) gets Wilson's interval; anything else value ± 1.96 SE, clipped to `bounds`."""
    value = None if estimate.value != estimate.value else estimate.value  # NaN: nothing to average
    se = estimate.stderr
    if value is not None and proportion and estimate.n:
        ci: list[float] | None = wilson(value, estimate.n)
    else:
        ci = None if value is None or se is None else [value - Z95 * se, value + Z95 * se]
        if ci is not None and bounds is not None:
            ci = [max(bounds[0], ci[0]), min(bounds[1], ci[1])]
    return {"value": value, "se": se, "ci95": ci, "n": estimate.n}


def by_subset(outcomes: Sequence[Any]) -> dict[str, list[Any]]:
    groups: dict[str, list[Any]] = defaultdict(list)
    for o in outcomes:
        groups[o.subset].append(o)
    subsets = dict(groups)
    return {**subsets, "all": list(outcomes)} if len(subsets) > 1 else subsets


def pair_measures(outcomes: Sequence[PairOutcome], self_model: str | None = None) -> dict[str, Any]:
    final = [o.final for o in outcomes]
    labels = [o.label for o in outcomes]
    out: dict[str, Any] = {
        "n": len(outcomes),
        "failures": sum(v is None for v in final),
        "human_ties": sum(label == "tie" for label in labels),
        "agreement": cell(judge_agreement(final, labels, include_ties=False), True),
        "agreement_ties": cell(judge_agreement(final, labels, include_ties=True), True),
        "longer": cell(longer_preference(final, [o.len_a for o in outcomes], [o.len_b for o in outcomes]), True),
        "human_longer": cell(longer_preference(labels, [o.len_a for o in outcomes], [o.len_b for o in outcomes]), True),
    }
    if any(o.first is not None or o.swapped is not None for o in outcomes):
        pc = position_consistency([o.first for o in outcomes], [o.swapped for o in outcomes])
        out["position_consistency"] = cell(pc.consistency, True)
        out["first_bias"], out["second_bias"] = pc.first_bias, pc.second_bias
    if self_model:
        own = [(o, "a" if o.model_a == self_model else "b") for o in outcomes if self_model in (o.model_a, o.model_b)]
        if own:
            sp = self_preference([o.final for o, _ in own], [side for _, side in own], [o.label for o, _ in own])
            out["self_preference"] = cell(sp.rate)
            if sp.excess is not None:
                out["self_preference_excess"] = {
                    "value": sp.excess.mean_diff,
                    "ci95": [sp.excess.ci_low, sp.excess.ci_high],
                }
    return out


def group_measures(outcomes: Sequence[GroupOutcome]) -> dict[str, Any]:
    metrics = ranking_metrics(
        [list(o.scores) for o in outcomes], [list(o.reference) for o in outcomes], variant="per_prompt"
    )
    return {
        "n": len(outcomes),
        "failures": sum(o.failures for o in outcomes),
        **{name: cell(metrics[name], bounds=RANGE[name]) for name in RANKING if name in metrics},
    }


def measure(outcomes: Sequence[PairOutcome | GroupOutcome], self_model: str | None = None) -> dict[str, dict[str, Any]]:
    """Subset -> measures (plus "all" where the set has several subsets)."""
    if outcomes and isinstance(outcomes[0], GroupOutcome):
        return {subset: group_measures(rows) for subset, rows in by_subset(outcomes).items()}
    return {subset: pair_measures(rows, self_model) for subset, rows in by_subset(outcomes).items()}

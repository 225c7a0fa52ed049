"""How well does a judge rank candidates, measured against a reference ranking (human, teacher or oracle)?

Inputs are per-prompt score lists: `judge_scores[i][c]` and `reference_scores[i][c]` score candidate c of
prompt i (higher is better); None marks a failure (an unparseable judge output, a missing reference).
Every metric has a named definition: pick a variant by name.

Standard variants ("per_prompt", "pooled"). Candidates with a failure on either side are dropped first.
Tie policy: a pair the reference ties carries no order and is excluded; a pair the judge ties earns half
credit, the expected credit of breaking the tie at random (so a constant judge scores 0.5).

- pairwise_accuracy: over the candidate pairs of a prompt the reference does not tie, credit 1 where the
  judge orders them the same way, 0.5 where the judge ties them, 0 where it reverses them. Equals
  (1 + Somers' D(judge | reference)) / 2.
- top1_accuracy: the chance that the judge's best candidate (a tie at the top broken at random) is one of the
  reference's best: |judge-best ∩ reference-best| / |judge-best|.
- exact_match: the judge's weak order of the candidates equals the reference's (ties included).
- spearman: Spearman's ρ with average ranks for ties (scipy.stats.spearmanr).
- kendall: Kendall's τ-b (scipy.stats.kendalltau), which corrects for ties on both sides.

A prompt counts toward a metric only where the metric is informative: pairwise and top-1 accuracy need a
reference that is not all tied; ρ and τ need both sides non-constant (otherwise undefined); exact match needs
two candidates. `n` says how many prompts each metric rests on.

"per_prompt": each metric is computed per prompt and averaged, stderr over prompts.
"pooled": pairwise accuracy = all credited pairs / all untied reference pairs, top-1 = all judge-best hits /
all judge-best candidates (cluster-robust stderr by prompt); ρ and τ on every candidate's scores concatenated
across prompts (this mixes across-prompt comparisons and has no stderr); exact match as per prompt.

"self_reward_rlhf_report": the definitions behind the Self-Reward-RLHF seed report's "Reward Modeling Ability"
table (Phi-2 judges scored on a 0–5 additive scale against GPT scores, four candidates per prompt),
reconstructed so that the report's numbers come out exactly. Failures are kept as the score −1, as the
report's files encode them (so a judge failure "agrees" with a reference failure on the same candidate).

- pairwise_accuracy: despite the name, the fraction of candidates whose judge score EQUALS the reference
  score, pooled over all candidates (no pairs are formed).
- five_best: among the candidates the judge scores 5 (the top of the scale), the fraction the reference also
  scores 5, pooled over prompts (a precision at the top score; prompts without a judge 5 contribute nothing).
- exact_match: the fraction of prompts where every candidate's judge score equals its reference score.
- spearman / kendall: scipy's ρ and τ-b on all candidates' scores pooled across prompts.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Annotated

import numpy as np
from pydantic import Field

from harness.evaluate.estimates import Estimate, mean_se, optional_floats, ratio_se
from harness.registry import metric

ScoreLists = Sequence[Sequence[float | None]]
PromptScores = list[tuple[np.ndarray, np.ndarray]]  # (judge, reference) per prompt

CORRELATIONS = ("spearman", "kendall")
REPORT_FAILURE_SCORE = -1.0
REPORT_TOP_SCORE = 5.0


@dataclass(frozen=True)
class AlignedScores:
    """Judge and reference score lists matched by prompt id, in the reference's order."""

    prompt_ids: list[str]
    judge: list[list[float | None]]
    reference: list[list[float | None]]
    missing_in_judge: list[str]
    missing_in_reference: list[str]


def pair_by_prompt_id(
    judge: Mapping[str, Sequence[float | None]], reference: Mapping[str, Sequence[float | None]]
) -> AlignedScores:
    """Match rows by prompt id (never by file position, which silently misaligns files with a skipped row)."""
    shared = [pid for pid in reference if pid in judge]
    return AlignedScores(
        prompt_ids=shared,
        judge=[list(judge[pid]) for pid in shared],
        reference=[list(reference[pid]) for pid in shared],
        missing_in_judge=[pid for pid in reference if pid not in judge],
        missing_in_reference=[pid for pid in judge if pid not in reference],
    )


def _to_arrays(judge_scores: ScoreLists, reference_scores: ScoreLists, failure: float) -> PromptScores:
    if len(judge_scores) != len(reference_scores):
        raise ValueError(
            f"judge_scores has {len(judge_scores)} prompts but reference_scores has {len(reference_scores)}; "
            "match rows by prompt id first (pair_by_prompt_id)"
        )
    prompts: PromptScores = []
    for i, (judge, reference) in enumerate(zip(judge_scores, reference_scores)):
        if len(judge) != len(reference):
            raise ValueError(
                f"judge_scores[{i}] has {len(judge)} candidates but reference_scores[{i}] has {len(reference)}; "
                "score the same candidates in the same order"
            )
        judge_array, reference_array = optional_floats(judge), optional_floats(reference)
        prompts.append(
            (
                np.where(np.isnan(judge_array), failure, judge_array),
                np.where(np.isnan(reference_array), failure, reference_array),
            )
        )
    return prompts


def _complete_candidates(prompts: PromptScores) -> PromptScores:
    """Each prompt's candidates that both sides scored."""
    kept = []
    for judge, reference in prompts:
        both = ~(np.isnan(judge) | np.isnan(reference))
        kept.append((judge[both], reference[both]))
    return kept


def _order_signs(scores: np.ndarray) -> np.ndarray:
    """sign(s_i − s_k) for every candidate pair i < k."""
    upper = np.triu_indices(scores.size, k=1)
    return np.sign(scores[:, None] - scores[None, :])[upper]


def _pair_credit(judge: np.ndarray, reference: np.ndarray) -> tuple[float, int]:
    """(credit summed over the pairs the reference orders, number of such pairs)."""
    judge_signs, reference_signs = _order_signs(judge), _order_signs(reference)
    ordered = reference_signs != 0
    credit = np.where(judge_signs[ordered] == 0, 0.5, (judge_signs[ordered] == reference_signs[ordered]) * 1.0)
    return float(credit.sum()), int(ordered.sum())


def _top_hits(judge: np.ndarray, reference: np.ndarray) -> tuple[int, int]:
    """(judge-best candidates that are also reference-best, judge-best candidates)."""
    judge_best = judge == judge.max()
    return int((judge_best & (reference == reference.max())).sum()), int(judge_best.sum())


def _correlation(kind: str, judge: np.ndarray, reference: np.ndarray) -> float:
    from scipy.stats import kendalltau, spearmanr

    if judge.size < 2 or np.ptp(judge) == 0 or np.ptp(reference) == 0:
        return math.nan
    if kind == "spearman":
        return float(spearmanr(judge, reference).statistic)
    return float(kendalltau(judge, reference).statistic)


def _mean_of_defined(values: list[float]) -> Estimate:
    return mean_se([v for v in values if not math.isnan(v)])


def _pooled_correlations(prompts: PromptScores) -> dict[str, Estimate]:
    """ρ and τ-b over every candidate of every prompt; candidates are not independent, so no stderr."""
    judge = np.concatenate([j for j, _ in prompts]) if prompts else np.empty(0)
    reference = np.concatenate([r for _, r in prompts]) if prompts else np.empty(0)
    return {kind: Estimate(_correlation(kind, judge, reference), None, int(judge.size)) for kind in CORRELATIONS}


def _standard(prompts: PromptScores, pooled: bool) -> dict[str, Estimate]:
    prompts = [(j, r) for j, r in _complete_candidates(prompts) if j.size >= 2]
    ranked = [(j, r) for j, r in prompts if np.ptp(r) > 0]  # the reference orders at least one pair
    credits = [_pair_credit(j, r) for j, r in ranked]
    hits = [_top_hits(j, r) for j, r in ranked]
    exact = [float(np.array_equal(_order_signs(j), _order_signs(r))) for j, r in prompts]
    if pooled:
        return {
            "pairwise_accuracy": ratio_se([c for c, _ in credits], [n for _, n in credits]),
            "top1_accuracy": ratio_se([h for h, _ in hits], [n for _, n in hits]),
            "exact_match": mean_se(exact),
            **_pooled_correlations(prompts),
        }
    return {
        "pairwise_accuracy": mean_se([c / n for c, n in credits]),
        "top1_accuracy": mean_se([h / n for h, n in hits]),
        "exact_match": mean_se(exact),
        **{kind: _mean_of_defined([_correlation(kind, j, r) for j, r in prompts]) for kind in CORRELATIONS},
    }


def _self_reward_rlhf_report(prompts: PromptScores) -> dict[str, Estimate]:
    judge_top = [j == REPORT_TOP_SCORE for j, _ in prompts]
    return {
        "pairwise_accuracy": ratio_se([float((j == r).sum()) for j, r in prompts], [j.size for j, _ in prompts]),
        "five_best": ratio_se(
            [float((top & (r == REPORT_TOP_SCORE)).sum()) for top, (_, r) in zip(judge_top, prompts)],
            [float(top.sum()) for top in judge_top],
        ),
        "exact_match": mean_se([float(np.array_equal(j, r)) for j, r in prompts]),
        **_pooled_correlations(prompts),
    }


@dataclass(frozen=True)
class RankingVariant:
    name: str
    metrics: tuple[str, ...]
    failure_score: float  # what a None becomes before computing: NaN = dropped
    compute: Callable[[PromptScores], dict[str, Estimate]]


_STANDARD_METRICS = ("pairwise_accuracy", "top1_accuracy", "exact_match", "spearman", "kendall")
VARIANTS: dict[str, RankingVariant] = {
    v.name: v
    for v in (
        RankingVariant("per_prompt", _STANDARD_METRICS, math.nan, partial(_standard, pooled=False)),
        RankingVariant("pooled", _STANDARD_METRICS, math.nan, partial(_standard, pooled=True)),
        RankingVariant(
            "self_reward_rlhf_report",
            ("pairwise_accuracy", "five_best", "exact_match", "spearman", "kendall"),
            REPORT_FAILURE_SCORE,
            _self_reward_rlhf_report,
        ),
    )
}
DEFAULT_VARIANT = "per_prompt"
VariantName = Annotated[
    str,
    Field(
        description="per_prompt: computed per prompt, then averaged; pooled: over all prompts at once; "
        "self_reward_rlhf_report: the Self-Reward-RLHF report's conventions"
    ),
]


def ranking_variant(name: str) -> RankingVariant:
    if name in VARIANTS:
        return VARIANTS[name]
    close = difflib.get_close_matches(name, VARIANTS, n=1)
    hint = f"did you mean {close[0]!r}?" if close else f"use one of {', '.join(VARIANTS)}"
    raise ValueError(f"variant {name!r} is not a ranking-metric variant; {hint}")


def ranking_metrics(
    judge_scores: ScoreLists, reference_scores: ScoreLists, variant: str = DEFAULT_VARIANT
) -> dict[str, Estimate]:
    """All ranking metrics of one named variant (see the module docstring for each definition)."""
    chosen = ranking_variant(variant)
    return chosen.compute(_to_arrays(judge_scores, reference_scores, chosen.failure_score))


def _one_ranking_metric(judge_scores: ScoreLists, reference_scores: ScoreLists, *, name: str, variant: str) -> Estimate:
    return ranking_metrics(judge_scores, reference_scores, variant)[name]


def _ranking_metric_factory(name: str, variant: str) -> Callable[[ScoreLists, ScoreLists], Estimate]:
    chosen = ranking_variant(variant)
    if name not in chosen.metrics:
        owners = [v.name for v in VARIANTS.values() if name in v.metrics]
        raise ValueError(f"{name} is not defined in variant {variant!r}; use variant {' or '.join(map(repr, owners))}")
    return partial(_one_ranking_metric, name=name, variant=variant)


@metric("ranking")
def ranking_metric(variant: VariantName = DEFAULT_VARIANT) -> Callable[[ScoreLists, ScoreLists], dict[str, Estimate]]:
    """All ranking metrics of a named variant, judge scores vs reference scores per prompt."""
    ranking_variant(variant)
    return partial(ranking_metrics, variant=variant)


@metric("pairwise_accuracy")
def pairwise_accuracy_metric(variant: VariantName = DEFAULT_VARIANT) -> Callable[[ScoreLists, ScoreLists], Estimate]:
    """Order agreement with the reference on the pairs it does not tie (judge ties: half credit)."""
    return _ranking_metric_factory("pairwise_accuracy", variant)


@metric("top1_accuracy")
def top1_accuracy_metric(variant: VariantName = DEFAULT_VARIANT) -> Callable[[ScoreLists, ScoreLists], Estimate]:
    """Chance the judge's best candidate (ties broken at random) is among the reference's best."""
    return _ranking_metric_factory("top1_accuracy", variant)


@metric("five_best")
def five_best_metric(variant: VariantName = "self_reward_rlhf_report") -> Callable[[ScoreLists, ScoreLists], Estimate]:
    """Self-Reward-RLHF report: of the candidates the judge scores 5, the fraction the reference scores 5."""
    return _ranking_metric_factory("five_best", variant)


@metric("exact_match")
def exact_match_metric(variant: VariantName = DEFAULT_VARIANT) -> Callable[[ScoreLists, ScoreLists], Estimate]:
    """Fraction of prompts whose judge ranking equals the reference ranking (report variant: equal scores)."""
    return _ranking_metric_factory("exact_match", variant)


@metric("spearman")
def spearman_metric(variant: VariantName = DEFAULT_VARIANT) -> Callable[[ScoreLists, ScoreLists], Estimate]:
    """Spearman's rho (average ranks for ties), per prompt and averaged, or pooled."""
    return _ranking_metric_factory("spearman", variant)


@metric("kendall")
def kendall_metric(variant: VariantName = DEFAULT_VARIANT) -> Callable[[ScoreLists, ScoreLists], Estimate]:
    """Kendall's tau-b, per prompt and averaged, or pooled."""
    return _ranking_metric_factory("kendall", variant)

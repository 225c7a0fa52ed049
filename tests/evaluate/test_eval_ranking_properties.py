"""Ranking metrics agree with scipy's definitions on random inputs with ties, and with hand-worked examples."""

from __future__ import annotations

import math
from itertools import chain

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import kendalltau, somersd, spearmanr

from harness.evaluate import ranking_metrics

# small integer scores make ties on both sides common
candidates = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), min_size=2, max_size=7)
prompts = st.lists(candidates, min_size=1, max_size=6)
FAST = settings(max_examples=60, deadline=None)


def split(prompt: list[tuple[int, int]]) -> tuple[list[float], list[float]]:
    return [float(j) for j, _ in prompt], [float(r) for _, r in prompt]


def constant(xs: list[float]) -> bool:
    return max(xs) == min(xs)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # scipy's somersd p-value divides by zero on tiny tables
@FAST
@given(candidates)
def test_single_prompt_matches_scipy(prompt):
    judge, reference = split(prompt)
    result = ranking_metrics([judge], [reference], "per_prompt")
    if constant(judge) or constant(reference):
        assert result["spearman"].n == 0 and result["kendall"].n == 0
    else:
        assert result["spearman"].value == pytest.approx(spearmanr(judge, reference).statistic)
        assert result["kendall"].value == pytest.approx(kendalltau(judge, reference).statistic)
    if constant(reference):
        assert result["pairwise_accuracy"].n == 0
    elif constant(judge):  # ties everything: chance level (scipy's Somers' D is undefined here)
        assert result["pairwise_accuracy"].value == 0.5
    else:
        # judge ties earn half credit, so accuracy = (1 + Somers' D(judge | reference)) / 2
        somers = somersd(reference, judge).statistic
        assert result["pairwise_accuracy"].value == pytest.approx((1 + somers) / 2)
    same_order = (constant(judge) and constant(reference)) or (
        not constant(judge) and not constant(reference) and math.isclose(kendalltau(judge, reference).statistic, 1)
    )
    assert result["exact_match"].value == float(same_order)


@FAST
@given(prompts)
def test_per_prompt_averages_and_pooled_concatenates(many):
    judges, references = zip(*(split(p) for p in many))
    per_prompt = ranking_metrics(judges, references, "per_prompt")
    singles = [ranking_metrics([j], [r], "per_prompt") for j, r in zip(judges, references)]
    for name in ("pairwise_accuracy", "top1_accuracy", "exact_match", "spearman", "kendall"):
        defined = [s[name].value for s in singles if s[name].n]
        assert per_prompt[name].n == len(defined)
        if defined:
            assert per_prompt[name].value == pytest.approx(np.mean(defined))
    pooled = ranking_metrics(judges, references, "pooled")
    all_judge, all_reference = list(chain.from_iterable(judges)), list(chain.from_iterable(references))
    if not (constant(all_judge) or constant(all_reference)):
        assert pooled["spearman"].value == pytest.approx(spearmanr(all_judge, all_reference).statistic)
        assert pooled["kendall"].value == pytest.approx(kendalltau(all_judge, all_reference).statistic)
        assert pooled["spearman"].stderr is None


@FAST
@given(candidates, st.data())
def test_a_failure_drops_only_its_candidate(prompt, data):
    judge, reference = split(prompt)
    failed = data.draw(st.integers(0, len(judge) - 1))
    with_failure = [*judge[:failed], None, *judge[failed + 1 :]]
    kept = [i for i in range(len(judge)) if i != failed]
    for variant in ("per_prompt", "pooled"):
        a = ranking_metrics([with_failure], [reference], variant)
        b = ranking_metrics([[judge[i] for i in kept]], [[reference[i] for i in kept]], variant)
        for name in a:
            assert (a[name].n, a[name].value) == pytest.approx((b[name].n, b[name].value), nan_ok=True)


def test_hand_worked_prompt():
    # reference orders c0 > c1 > c2 = c3; judge ties c0 and c1 at the top and reverses c1, c2
    judge, reference = [5.0, 5.0, 1.0, 2.0], [4.0, 3.0, 2.0, 2.0]
    result = ranking_metrics([judge], [reference], "per_prompt")
    # untied reference pairs: (0,1) judge tie ½, (0,2) ✓, (0,3) ✓, (1,2) ✓, (1,3) ✓ -> 4.5 / 5
    assert result["pairwise_accuracy"].value == pytest.approx(0.9)
    # judge's best {c0, c1}, reference's best {c0}: a random pick among the judge's best is right half the time
    assert result["top1_accuracy"].value == pytest.approx(0.5)
    assert result["exact_match"].value == 0.0


def test_report_variant_hand_worked():
    judge = [[5.0, 5.0, None, 3.0], [5.0, 4.0, 4.0, 1.0]]
    reference = [[5.0, 4.0, None, 3.0], [4.0, 4.0, 4.0, 1.0]]
    result = ranking_metrics(judge, reference, "self_reward_rlhf_report")
    # equal scores: prompt 1 has 3 of 4 (the two failures count as equal −1s), prompt 2 has 3 of 4
    assert result["pairwise_accuracy"].value == pytest.approx(6 / 8)
    # judge 5s: (p1 c0 ✓, p1 c1 ✗, p2 c0 ✗) -> 1 / 3
    assert result["five_best"].value == pytest.approx(1 / 3)
    assert result["exact_match"].value == 0.0
    flat_judge = [5, 5, -1, 3, 5, 4, 4, 1]
    flat_reference = [5, 4, -1, 3, 4, 4, 4, 1]
    assert result["spearman"].value == pytest.approx(spearmanr(flat_judge, flat_reference).statistic)


def test_bad_shapes_and_variants_say_what_to_do():
    with pytest.raises(ValueError, match=r"judge_scores\[0\] has 2 candidates but reference_scores\[0\] has 3"):
        ranking_metrics([[1, 2]], [[1, 2, 3]])
    with pytest.raises(ValueError, match="judge_scores has 1 prompts but reference_scores has 2"):
        ranking_metrics([[1, 2]], [[1, 2], [3, 4]])
    with pytest.raises(ValueError, match="did you mean 'pooled'"):
        ranking_metrics([[1, 2]], [[1, 2]], variant="poolled")

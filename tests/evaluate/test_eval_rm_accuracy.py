"""Reward-model accuracy with reward-bench semantics: strict wins only, per subset, weighted sections."""

from __future__ import annotations

import gzip
import json

import pytest

from harness.evaluate import Estimate, rm_accuracy, section_scores
from harness.evaluate.rm_accuracy import accuracy_by_length
from harness.registry import metrics
from tests.shared_data import DERIVED

HH_SUBSETS = ("harmless-base", "helpful-base", "helpful-online", "helpful-rejection-sampled")


def test_ties_and_failures_count_as_wrong():
    chosen = [2.0, 1.0, 3.0, None, 0.5, 4.0]
    rejected = [1.0, 1.0, 5.0, 0.0, float("nan"), 3.0]
    subsets = ["chat", "chat", "chat", "safety", "safety", "safety"]
    result = rm_accuracy(chosen, rejected, subsets)
    assert result.overall.value == pytest.approx(2 / 6)  # only pairs 0 and 5 are strict wins
    assert (result.n_ties, result.n_failures) == (1, 2)
    assert result.per_subset["chat"].value == pytest.approx(1 / 3)
    assert result.per_subset["safety"].value == pytest.approx(1 / 3)
    assert metrics.build("rm_accuracy")(chosen, rejected).value == pytest.approx(2 / 6)


def test_length_controlled_accuracy_is_measured_on_the_pairs_whose_longer_reply_was_rejected():
    chosen_lengths = [10, 20, 5, 7, 30, 9, 9]
    rejected_lengths = [20, 10, 8, 3, 12, 40, 9]  # longer rejected: pairs 0, 2, 5; longer chosen: 1, 3, 4; pair 6 equal
    chosen = [1.0, 2.0, 0.0, 1.0, 1.0, 3.0, 5.0]
    rejected = [0.0, 1.0, 1.0, 1.0, 2.0, None, 0.0]
    split = accuracy_by_length(chosen, rejected, chosen_lengths, rejected_lengths)
    assert split.longer_rejected.value == pytest.approx(1 / 3) and split.longer_rejected.n == 3  # pair 5 failed
    assert split.longer_rejected.stderr == pytest.approx((1 / 3) ** 0.5 / 3**0.5)  # sd (ddof 1) of [1, 0, 0] / √3
    assert split.longer_chosen.value == pytest.approx(1 / 3) and split.longer_chosen.n == 3  # pair 3 tied
    assert split.same_length == 1
    # a reward model that learnt nothing but length: right on every longer-chosen pair, wrong on every other
    by_length = accuracy_by_length(chosen_lengths, rejected_lengths, chosen_lengths, rejected_lengths)
    assert (by_length.longer_rejected.value, by_length.longer_chosen.value) == (0.0, 1.0)
    empty = accuracy_by_length([2.0], [1.0], [5], [3]).longer_rejected
    assert empty.n == 0 and empty.stderr is None
    with pytest.raises(ValueError, match="chosen_scores has 7 items but chosen_lengths has 6"):
        accuracy_by_length(chosen, rejected, chosen_lengths[:6], rejected_lengths[:6])


def test_sections_weight_subsets_by_size_unless_told_otherwise():
    per_subset = {
        "math": Estimate(0.9, 0.01, 100),
        "code-python": Estimate(0.5, 0.05, 10),
        "code-go": Estimate(0.7, 0.05, 30),
    }
    by_size = section_scores(per_subset, {"reasoning": ["math", "code-python", "code-go"]})["reasoning"]
    assert by_size.value == pytest.approx((90 + 5 + 21) / 140) and by_size.n == 140
    # reward-bench style: math counts as much as all code subsets together
    equal = section_scores(
        per_subset,
        {"reasoning": ["math", "code-python", "code-go"]},
        weights={"math": 40, "code-python": 10, "code-go": 30},
    )["reasoning"]
    assert equal.value == pytest.approx((0.9 * 40 + 5 + 21) / 80)
    with pytest.raises(ValueError, match="section 'chat' names subset 'alpacaeval-easy', which has no accuracy"):
        section_scores(per_subset, {"chat": ["alpacaeval-easy"]})


def test_length_reward_on_hh_rlhf():
    """A 'longer is better' reward model on the HH-RLHF test splits, a real baseline a trained RM must beat
    (every pair's chosen and rejected length, derived from the full files: tests/data/README.md)."""
    chosen, rejected, subsets = [], [], []
    with gzip.open(DERIVED / "hh_rlhf_lengths.json.gz", "rt", encoding="utf-8") as handle:
        lengths = json.load(handle)
    for subset in HH_SUBSETS:
        for chosen_chars, rejected_chars in lengths[subset]:
            chosen.append(chosen_chars)
            rejected.append(rejected_chars)
            subsets.append(subset)
    result = rm_accuracy(chosen, rejected, subsets)
    reversed_result = rm_accuracy(rejected, chosen, subsets)
    print(
        "\nlength reward on HH-RLHF test: "
        + ", ".join(f"{name} {est.value:.3f} (n={est.n})" for name, est in result.per_subset.items())
        + f"; overall {result.overall.value:.3f}, ties {result.n_ties}"
    )
    assert result.overall.n == 8552 and [result.per_subset[s].n for s in HH_SUBSETS] == [2312, 2354, 1137, 2749]
    # ties are wrong in both directions, so the two orders' accuracies sum to 1 − tie rate
    assert result.overall.value + reversed_result.overall.value == pytest.approx(1 - result.n_ties / 8552)
    sections = section_scores(result.per_subset, {"helpful": list(HH_SUBSETS[1:]), "harmless": [HH_SUBSETS[0]]})
    helpful = result.per_subset
    expected_helpful = sum(helpful[s].value * helpful[s].n for s in HH_SUBSETS[1:]) / (2354 + 1137 + 2749)
    assert sections["helpful"].value == pytest.approx(expected_helpful)
    assert sections["harmless"].value == pytest.approx(helpful["harmless-base"].value)

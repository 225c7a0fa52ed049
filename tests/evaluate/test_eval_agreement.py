"""Judge agreement with human labels (MT-bench style) and the bias probes."""

from __future__ import annotations

import json

import pytest

from harness.evaluate import (
    judge_agreement,
    longer_preference,
    position_consistency,
    self_preference,
    verdict_from_preference,
)
from harness.registry import metrics

GPT4_REVIEW = "fastchat_vicuna80_eval/table/review/vicuna-13b_20230322-clean-lang/review_gpt35_vicuna-13b.jsonl"
HUMAN_LABELS = "faireval/review/review_gpt35_vicuna-13b_human.txt"
HUMAN_VERDICT = {"CHATGPT": "a", "VICUNA13B": "b", "TIE": "tie"}  # gpt-3.5 is assistant 1 in the review file


def test_gpt4_reviews_against_faireval_human_labels(shared_data):
    reviews = [json.loads(line) for line in (shared_data / GPT4_REVIEW).read_text().splitlines()]
    assert [r["question_id"] for r in reviews] == list(range(1, 81))  # the human file is in question order
    judge = ["a" if s1 > s2 else "b" if s2 > s1 else "tie" for s1, s2 in (r["score"] for r in reviews)]
    human = [HUMAN_VERDICT[label] for label in (shared_data / HUMAN_LABELS).read_text().split()]
    with_ties, without_ties = judge_agreement(judge, human), judge_agreement(judge, human, include_ties=False)
    print(
        f"\nGPT-4 (FastChat review) vs FairEval humans: {with_ties.value:.3f} with ties (n={with_ties.n}), "
        f"{without_ties.value:.3f} without (n={without_ties.n})"
    )
    # 42 of 80 verdicts match; 48 items have a decisive verdict from both, 38 of them match
    assert (with_ties.value, with_ties.n) == (pytest.approx(42 / 80), 80)
    assert (without_ties.value, without_ties.n) == (pytest.approx(38 / 48), 48)


def test_agreement_drops_failures_and_tie_votes_as_mt_bench():
    judge = ["a", "b", "tie", None, "a"]
    human = ["a", "a", "tie", "b", "tie"]
    assert judge_agreement(judge, human).value == pytest.approx(2 / 4)  # failure excluded; tie == tie agrees
    assert judge_agreement(judge, human, include_ties=False).value == pytest.approx(1 / 2)  # only items 0 and 1
    assert metrics.build("judge_agreement", include_ties=False)(judge, human).n == 2
    with pytest.raises(ValueError, match=r"human\[1\] = 'A'; use 'a', 'b', 'tie'"):
        judge_agreement(["a", "a"], ["a", "A"])


def test_position_consistency_counts_each_bias():
    # shown (x, y) then (y, x); labels are positions, so a consistent judge flips its label
    original = ["a", "a", "b", "tie", "a", None]
    swapped = ["b", "a", "b", "tie", "tie", "a"]
    result = position_consistency(original, swapped)
    assert result.n == 5
    assert result.consistency.value == pytest.approx(2 / 5)  # items 0 and 3
    assert result.first_bias == pytest.approx(1 / 5) and result.second_bias == pytest.approx(1 / 5)
    assert metrics.build("position_consistency")(original, swapped).value == pytest.approx(2 / 5)


def test_longer_preference_ignores_ties_and_equal_lengths():
    verdicts = ["a", "b", "b", "tie", "a", None]
    length_a = [100, 100, 300, 10, 50, 1]
    length_b = [50, 200, 100, 90, 50, 2]
    # decisive with different lengths: items 0 (a longer, picks a), 1 (b longer, picks b), 2 (a longer, picks b)
    assert longer_preference(verdicts, length_a, length_b).value == pytest.approx(2 / 3)


def test_self_preference_against_reference_labels():
    verdicts = ["a", "b", "a", "tie", "a", "b"]
    own = ["a", "b", "b", "a", "a", "a"]
    reference = ["b", "b", "a", "b", "a", "b"]
    result = self_preference(verdicts, own, reference, n_boot=500)
    # judge picks its own: 1, 1, 0, ½, 1, 0 -> 3.5 / 6; reference picks it: 0, 1, 0, 0, 1, 0 -> 2 / 6
    assert result.rate.value == pytest.approx(3.5 / 6)
    assert result.excess is not None and result.excess.mean_diff == pytest.approx(1.5 / 6)
    assert self_preference(verdicts, own).excess is None


def test_verdict_from_alpaca_eval_preference():
    assert [verdict_from_preference(p) for p in (1.0, 1.2, 1.5, 0.0, 1.9, None)] == ["a", "a", "tie", "tie", "b", None]

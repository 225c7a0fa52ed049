"""Leaderboard rows from per-sample gold scores: win rates by sample index, failures never scores."""

from types import SimpleNamespace

import pytest

from harness.report.scoring import build_metrics, per_prompt, preferences, premise

RECIPE = SimpleNamespace(
    name="t", seed=0, models={}, sources=(), evaluation=SimpleNamespace(baseline="M1", bootstrap=500)
)


def test_preferences_compare_sample_k_with_sample_k():
    model = {"p": [5.0, 0.0]}
    base = {"p": [0.0, 5.0]}
    # sample 0: model wins, sample 1: baseline wins -> 1.5, not a sorted or pooled comparison
    assert preferences(model, base, ["p"]) == [1.5]


def test_a_failed_sample_is_left_out_not_scored():
    model = {"p": [None, 3.0], "q": [None, None]}
    base = {"p": [5.0, 1.0], "q": [2.0, 2.0]}
    assert per_prompt(model, ["p", "q"]) == [3.0, None]
    assert preferences(model, base, ["p", "q"]) == [2.0, None]  # only sample 1 of p is a complete pair
    assert premise(model, base, ["p", "q"])["n"] == 1


def test_rows_carry_failures_and_exclude_them_from_scores():
    scores = {
        "M1": {"p": [1.0, 1.0], "q": [2.0, 2.0], "r": [0.0, 4.0]},
        "M2-x": {"p": [3.0, None], "q": [None, None], "r": [4.0, 4.0]},
    }
    metrics = build_metrics(RECIPE, scores, {"x": {"pairs": 3, "dropped": {}, "judge_failure_rate": 0.0}}, None)
    m2 = metrics.row("M2-x")
    assert m2 is not None and m2.failed_samples == 3 and m2.n_prompts == 2
    assert m2.score == pytest.approx((3.0 + 4.0) / 2)
    # p: 3>1 -> 2.0; q: no pair -> excluded; r: 4>0 win, 4=4 draw -> 1.75; soft win rate = 100*mean(pref-1)
    assert m2.win_rate == pytest.approx(100 * ((2.0 - 1) + (1.75 - 1)) / 2)

"""Win rates reproduce AlpacaEval 2.0's published leaderboard and alpaca_eval's own get_winrate."""

from __future__ import annotations

import math

import pytest

from harness.evaluate import win_rate
from harness.registry import metrics

EXPECTED_AE2_MODELS = {
    "NullModel",
    "alpaca-7b",
    "claude-2.1",
    "falcon-7b-instruct",
    "gemma-2b-it",
    "gemma-7b-it",
    "gpt-3.5-turbo-1106",
    "gpt4_1106_preview",
    "phi-2",
    "phi-2-sft",
    "vicuna-7b-v1.5",
}


def test_win_rate_matches_published_leaderboard_and_alpaca_eval(ae2_annotations, ae2_leaderboard):
    ae_winrate = pytest.importorskip("alpaca_eval.metrics.winrate")  # cross-check only; our code never imports it
    assert set(ae2_annotations) == EXPECTED_AE2_MODELS
    for model, rows in sorted(ae2_annotations.items()):
        ours = win_rate([a["preference"] for a in rows])
        published = ae2_leaderboard[model]
        theirs = ae_winrate.get_winrate(rows)
        print(
            f"{model:20s} win_rate {ours.win_rate:8.4f} ± {ours.standard_error:.4f}  "
            f"discrete {ours.discrete_win_rate:8.4f}  n={ours.n_total}"
        )
        assert ours.win_rate == pytest.approx(float(published["win_rate"]), abs=1e-6)
        assert ours.standard_error == pytest.approx(float(published["standard_error"]), abs=1e-6)
        assert ours.discrete_win_rate == pytest.approx(float(published["discrete_win_rate"]), abs=1e-6)
        for count in ("n_wins", "n_wins_base", "n_draws", "n_total"):
            assert getattr(ours, count) == int(published[count]), (model, count)
        assert ours.win_rate == pytest.approx(theirs["win_rate"], abs=1e-9)
        assert ours.standard_error == pytest.approx(theirs["standard_error"], abs=1e-9)
        assert ours.discrete_win_rate == pytest.approx(theirs["discrete_win_rate"], abs=1e-9)
        for count in ("n_wins", "n_wins_base", "n_draws", "n_total"):
            assert getattr(ours, count) == theirs[count], (model, count)


def test_failures_are_excluded_and_legacy_zero_is_a_draw():
    result = win_rate([2.0, 1.0, 1.5, 0.0, None, float("nan"), 1.75])
    # kept: 2, 1, 1.5, 1.5 (legacy 0), 1.75 -> soft mean of (1, 0, .5, .5, .75) = 0.55
    assert result.win_rate == pytest.approx(55.0)
    assert result.discrete_win_rate == pytest.approx(60.0)  # 1 + 0 + .5 + .5 + 1 over 5
    assert (result.n_wins, result.n_wins_base, result.n_draws, result.n_total, result.n_failures) == (2, 1, 2, 5, 2)
    expected_se = 100 * math.sqrt(sum((x - 0.55) ** 2 for x in (1, 0, 0.5, 0.5, 0.75)) / 4 / 5)
    assert result.standard_error == pytest.approx(expected_se)


def test_out_of_range_preference_names_the_item():
    with pytest.raises(ValueError, match=r"preferences\[1\] = 2\.5 is outside \[1, 2\]"):
        win_rate([1.0, 2.5])


def test_registered_metrics_return_estimates():
    soft = metrics.build("win_rate")([2.0, 1.0, 1.6])
    discrete = metrics.build("discrete_win_rate")([2.0, 1.0, 1.6])
    assert soft.value == pytest.approx(100 * (1 + 0 + 0.6) / 3) and soft.n == 3
    assert discrete.value == pytest.approx(100 * 2 / 3)

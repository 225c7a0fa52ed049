"""Paired comparison: bootstrap CI of the mean difference and a sign test, on real and constructed scores."""

from __future__ import annotations

import math

import numpy as np
import pytest

from harness.evaluate import paired_bootstrap, paired_differences
from harness.registry import metrics


def soft_wins(annotations: list[dict]) -> dict[str, float]:
    return {a["instruction"]: a["preference"] - 1.0 for a in annotations}


def test_claude_beats_gpt35_on_the_same_prompts(ae2_annotations):
    claude, gpt35 = soft_wins(ae2_annotations["claude-2.1"]), soft_wins(ae2_annotations["gpt-3.5-turbo-1106"])
    prompts = list(claude)
    diff = paired_bootstrap([claude[p] for p in prompts], [gpt35[p] for p in prompts], n_boot=2000, seed=0)
    d = np.array([claude[p] - gpt35[p] for p in prompts])
    print(
        f"\nclaude-2.1 − gpt-3.5-turbo-1106: {100 * diff.mean_diff:+.2f} points "
        f"[{100 * diff.ci_low:+.2f}, {100 * diff.ci_high:+.2f}], sign test p = {diff.p_sign:.2e}"
    )
    assert diff.n == 805
    assert diff.mean_diff == pytest.approx(d.mean())  # = 15.73 − 9.18 win-rate points
    assert 100 * diff.mean_diff == pytest.approx(15.7335067 - 9.1779646, abs=1e-5)
    # the bootstrap SE of a mean agrees with the analytic paired SE at n = 805
    assert diff.stderr == pytest.approx(d.std(ddof=1) / math.sqrt(d.size), rel=0.1)
    assert diff.significant and diff.ci_low > 0
    assert diff.p_sign < 1e-6


def test_identical_scores_are_not_significant():
    scores = [0.1, 0.5, 0.9, 0.3]
    diff = paired_bootstrap(scores, scores)
    assert (diff.mean_diff, diff.ci_low, diff.ci_high, diff.p_sign, diff.significant) == (0.0, 0.0, 0.0, 1.0, False)


def test_sign_test_matches_binomial_by_hand():
    # 9 prompts where a wins, 1 where b wins, 2 ties: two-sided p = 2 · P(X ≥ 9 | n=10, ½) = 22/1024
    a = [1.0] * 9 + [0.0] + [0.5, 0.5]
    b = [0.0] * 9 + [1.0] + [0.5, 0.5]
    assert paired_bootstrap(a, b).p_sign == pytest.approx(22 / 1024)


def test_missing_scores_drop_the_prompt_from_both_sides():
    diff = paired_bootstrap([1.0, None, 3.0, float("nan")], [0.0, 5.0, 1.0, 2.0])
    assert diff.n == 2 and diff.mean_diff == pytest.approx(1.5)


def test_same_seed_same_interval_and_level_widens_it():
    rng = np.random.default_rng(3)
    a, b = rng.normal(0.1, 1, 300), rng.normal(0, 1, 300)
    first, again = paired_bootstrap(a, b, seed=11), paired_bootstrap(a, b, seed=11)
    assert (first.ci_low, first.ci_high) == (again.ci_low, again.ci_high)
    wide = paired_bootstrap(a, b, seed=11, level=0.99)
    assert wide.ci_low < first.ci_low and wide.ci_high > first.ci_high


def test_bootstrap_covers_a_known_mean_difference():
    """Coverage of the 90 % interval over 200 simulated studies with a true difference of 0.2."""
    rng = np.random.default_rng(5)
    covered = 0
    for study in range(200):
        a = rng.normal(0.2, 1.0, 120) + rng.normal(0, 1, 120)  # shared prompt effect cancels in the difference
        b = a - rng.normal(0.2, 1.0, 120)
        diff = paired_bootstrap(a, b, n_boot=400, seed=study, level=0.9)
        covered += diff.ci_low <= 0.2 <= diff.ci_high
    assert 0.84 <= covered / 200 <= 0.96


def test_all_pairs_and_registered_metric():
    scores = {"m1": [1.0, 2.0, 3.0], "m2": [0.0, 1.0, 2.0], "m3": [1.0, 2.0, 3.0]}
    table = paired_differences(scores, n_boot=200)
    assert list(table) == [("m1", "m2"), ("m1", "m3"), ("m2", "m3")]
    assert table[("m1", "m2")].mean_diff == pytest.approx(1.0) and table[("m1", "m2")].significant
    assert not table[("m1", "m3")].significant
    assert metrics.build("paired_difference", n_boot=200)([1.0, 2.0], [0.0, 1.0]).mean_diff == pytest.approx(1.0)


def test_bad_lengths_and_levels_are_named():
    with pytest.raises(ValueError, match="a has 2 items but b has 1"):
        paired_bootstrap([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="level = 95"):
        paired_bootstrap([1.0], [0.0], level=95)

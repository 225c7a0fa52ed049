"""Across-seed aggregation on hand-made scores: mean, SD, the pooled paired CI; and the break-even crossing."""

from __future__ import annotations

import math

import numpy as np
import pytest

from harness.sweep.breakeven import break_even, crossing
from harness.sweep.pooled import mean_sd, pooled_paired_diff


def test_mean_and_sd_over_seeds():
    mean, sd, n = mean_sd([2.0, 3.0, 4.0, None])
    assert (mean, sd, n) == (3.0, 1.0, 3)
    assert mean_sd([1.5]) == (1.5, None, 1)
    assert mean_sd([None]) == (None, None, 0)


def test_constant_gains_per_seed_give_their_mean_an_sd_and_a_point_ci():
    # seed k: every prompt gains exactly k + 1 over the baseline -> no prompt-level noise at all
    baseline = [2.0] * 50
    per_seed = [([2.0 + k + 1] * 50, baseline) for k in range(3)]
    pooled = pooled_paired_diff(per_seed, n_boot=500)
    assert pooled.per_seed == (1.0, 2.0, 3.0)
    assert pooled.mean == 2.0 and pooled.sd == 1.0 and pooled.n_seeds == 3
    assert (pooled.ci_low, pooled.ci_high) == pytest.approx((2.0, 2.0))  # seeds are given; spread is in sd


def test_pooled_ci_width_is_the_stratified_standard_error():
    # Differences of -1/+1 (sd 1) in seed 0 and -3/+3 (sd 3) in seed 1, 400 prompts each, mean 0.5 and 1.5.
    n = 400
    a0 = [0.5 + (1.0 if i % 2 else -1.0) for i in range(n)]
    a1 = [1.5 + (3.0 if i % 2 else -3.0) for i in range(n)]
    pooled = pooled_paired_diff([(a0, [0.0] * n), (a1, [0.0] * n)], n_boot=8000, seed=3)
    assert pooled.mean == pytest.approx(1.0) and pooled.sd == pytest.approx(math.sqrt(0.5))
    se = math.sqrt(1.0 / n + 9.0 / n) / 2  # var of the mean of two independent stratum means
    assert (pooled.ci_high - pooled.ci_low) / 2 == pytest.approx(1.96 * se, rel=0.06)
    assert pooled.ci_low < 1.0 < pooled.ci_high and pooled.significant


def test_missing_prompts_are_dropped_pairwise_and_counted():
    pooled = pooled_paired_diff([([3.0, None, 4.0], [2.0, 1.0, None]), ([1.0, 1.0, 1.0], [0.0, 0.0, 0.0])], n_boot=200)
    assert pooled.n_prompts == (1, 3) and pooled.per_seed == (1.0, 1.0)


def test_the_same_prompts_are_resampled_for_every_row():
    rng = np.random.default_rng(0)
    base = list(rng.normal(2, 1, 100))
    a = [b + 0.3 + e for b, e in zip(base, rng.normal(0, 1, 100))]
    shifted = [v + 0.5 for v in a]
    pa, pb = (pooled_paired_diff([(x, base)], n_boot=300) for x in (a, shifted))
    assert np.allclose(pb.replicates - pa.replicates, 0.5)  # paired across rows, replicate by replicate


def test_crossing_interpolates_the_last_rise_above_zero():
    assert crossing([0.5, 0.6, 0.7, 0.8], [-0.4, -0.1, 0.1, 0.3]) == pytest.approx(0.65)
    assert crossing([0.8, 0.5, 0.7], [0.3, -0.4, -0.2]) == pytest.approx(0.7 + 0.1 * 0.2 / 0.5)  # any order
    assert crossing([0.5, 0.9], [0.1, 0.2]) == -math.inf  # helps everywhere measured
    assert crossing([0.5, 0.9], [-0.1, 0.0]) == math.inf  # never helps


def test_break_even_interval_comes_from_the_pooled_replicates():
    n = 300
    rng = np.random.default_rng(1)
    noise = list(rng.normal(0, 1, n))
    levels = []
    for acc, gain in ((0.5, -0.3), (0.7, -0.1), (0.9, 0.3), (1.0, 0.5)):
        levels.append((acc, pooled_paired_diff([([gain + e for e in noise], [0.0] * n)], n_boot=2000)))
    be = break_even(levels)
    mean_gains = [d.mean for _, d in levels]
    assert be.x == pytest.approx(crossing([x for x, _ in levels], mean_gains))
    assert be.ci_low < be.x < be.ci_high and be.ci_low >= 0.7 and be.ci_high <= 0.9
    assert be.significant_from >= be.x and be.levels == 4

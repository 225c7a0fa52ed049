"""The power planner checked by simulation: a design it sizes detects a planted effect about 80 % of the time,
analysed the way the harness analyses (the paired bootstrap of a run, the pooled CI of a sweep, a t-test over
seeds), and a null effect about 5 % of the time."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import ttest_1samp

from harness.evaluate.paired import paired_bootstrap
from harness.evaluate.power import (
    paired_mde,
    paired_power,
    prompts_for,
    prompts_for_seeds,
    seed_mean_variance,
    seeded_mde,
    seeded_power,
    seeds_for,
    t_noncentrality,
    z_sum,
)
from harness.sweep.pooled import pooled_paired_diff

REPS = 1000
# With 1000 replicates the detection rate's SE is 0.013 at 80 % and 0.007 at 5 %: these bands are ~4.5 SE wide.
POWER_BAND = (0.74, 0.86)
NULL_BAND = (0.02, 0.085)


def graded_scores(rng: np.random.Generator, n: int, shift: float, samples: int = 2) -> tuple[np.ndarray, np.ndarray]:
    """Per-prompt scores like the sandbox's: integer 0–5 oracle grades, the mean of `samples` answers, prompts of
    different difficulty; the model answers right with a probability `shift` higher than the baseline."""
    q = rng.uniform(0.2, 0.7, size=n)
    base = rng.binomial(5, q[:, None], size=(n, samples)).mean(axis=1)
    model = rng.binomial(5, np.clip(q + shift, 0, 1)[:, None], size=(n, samples)).mean(axis=1)
    return model, base


def detection_rate(rng: np.random.Generator, n: int, shift: float) -> float:
    hits = 0
    for rep in range(REPS):
        model, base = graded_scores(rng, n, shift)
        hits += paired_bootstrap(list(model), list(base), n_boot=400, seed=rep).significant
    return hits / REPS


@pytest.fixture(scope="module")
def pilot() -> tuple[float, float]:
    """A large pilot of the graded world with a planted shift of 0.04 (a true Δ of 5 × 0.04 = 0.2 points):
    the per-prompt SD of the differences, as a run's `power` record gives it, and the true Δ."""
    model, base = graded_scores(np.random.default_rng(7), 20_000, 0.04)
    return paired_power(model - base).sd_diff, 0.2


def test_the_z_formula_matches_its_textbook_values():
    assert z_sum() == pytest.approx(1.95996 + 0.84162, abs=1e-4)
    assert paired_mde(1.0, 100) == pytest.approx(0.28016, abs=1e-4)
    assert prompts_for(1.0, 0.28016) in (100, 101)
    assert prompts_for(1.0, 0.0) is None
    # The t-test's noncentrality falls to the z value as the degrees of freedom grow, never below it
    lams = [t_noncentrality(df) for df in (1, 2, 4, 30, 300)]
    assert lams == sorted(lams, reverse=True) and lams[-1] > z_sum() and lams[-1] == pytest.approx(z_sum(), rel=0.01)


def test_a_design_the_planner_sizes_detects_the_planted_effect_80_percent_of_the_time(pilot):
    sd, delta = pilot
    n = prompts_for(sd, delta)
    assert 100 < n < 400  # the planted world asks for a realistic evaluation set
    rate = detection_rate(np.random.default_rng(11), n, 0.04)
    assert POWER_BAND[0] <= rate <= POWER_BAND[1]


def test_the_mde_of_a_smaller_design_is_the_effect_it_detects_80_percent_of_the_time(pilot):
    sd, _ = pilot
    n = 60
    planted = paired_mde(sd, n)  # about 0.36 points: plant it as a shift in the right-answer probability
    rate = detection_rate(np.random.default_rng(12), n, planted / 5)
    assert POWER_BAND[0] <= rate <= POWER_BAND[1]
    # Half the prompts: the same effect is detected far less often
    assert detection_rate(np.random.default_rng(13), n // 2, planted / 5) < POWER_BAND[0] - 0.1


def test_no_effect_is_declared_about_5_percent_of_the_time(pilot):
    sd, delta = pilot
    rate = detection_rate(np.random.default_rng(14), prompts_for(sd, delta), 0.0)
    assert NULL_BAND[0] <= rate <= NULL_BAND[1]


# --- over seeds -------------------------------------------------------------------------------------------------

VAR_WITHIN, VAR_SEED = 0.64, 0.01  # per-prompt variance of Δ; seed-to-seed variance of the true Δ


def seed_experiment(rng: np.random.Generator, n: int, k: int, delta: float) -> list[np.ndarray]:
    """k seeds, each moving the true Δ by a seed effect, n prompts each: the per-prompt differences per seed."""
    effects = delta + rng.normal(0.0, math.sqrt(VAR_SEED), size=k)
    return [rng.normal(e, math.sqrt(VAR_WITHIN), size=n) for e in effects]


def test_the_seed_mean_variance_combines_prompt_and_seed_spread_as_stated():
    rng = np.random.default_rng(21)
    means = [np.mean([d.mean() for d in seed_experiment(rng, 50, 4, 0.0)]) for _ in range(4000)]
    assert np.var(means) == pytest.approx(seed_mean_variance(VAR_WITHIN, VAR_SEED, 50, 4), rel=0.08)
    # seeded_power reads both components back from a large pilot sweep
    pilot = seeded_power(seed_experiment(rng, 400, 300, 0.1))
    assert pilot.var_within == pytest.approx(VAR_WITHIN, rel=0.03)
    assert pilot.var_seed == pytest.approx(VAR_SEED, abs=0.004)


def test_a_seed_design_the_planner_sizes_detects_the_effect_80_percent_of_the_time_by_a_t_test_over_seeds():
    k, delta = 4, 0.3
    n = prompts_for_seeds(VAR_WITHIN, VAR_SEED, k, delta)
    assert n is not None and n > 20
    assert seeded_mde(VAR_WITHIN, VAR_SEED, n, k) <= delta
    rng = np.random.default_rng(22)

    def rate(effect: float) -> float:
        # 2000 experiments at once: per-seed means are the seed's true Δ plus the mean of n prompt differences
        true = effect + rng.normal(0.0, math.sqrt(VAR_SEED), size=(2000, k))
        per_seed = true + rng.normal(0.0, math.sqrt(VAR_WITHIN), size=(2000, k, n)).mean(axis=2)
        return float((ttest_1samp(per_seed, 0.0, axis=1).pvalue < 0.05).mean())

    assert POWER_BAND[0] <= rate(delta) <= POWER_BAND[1]
    assert NULL_BAND[0] <= rate(0.0) <= NULL_BAND[1]
    # A seed spread larger than the target allows cannot be bought back with prompts at k seeds, only with seeds
    assert prompts_for_seeds(VAR_WITHIN, 0.1, k, delta) is None
    assert seeds_for(VAR_WITHIN, 0.1, n, delta) > k


def test_the_pooled_ci_of_a_sweep_detects_its_own_mde_80_percent_of_the_time_without_seed_spread():
    """The sweep table's pooled CI takes the seeds as given: with no seed-to-seed spread, its MDE (mde_prompts)
    is the effect it detects 80 % of the time."""
    rng = np.random.default_rng(23)
    k, n = 3, 40
    planted = seeded_power([rng.normal(0.0, math.sqrt(VAR_WITHIN), size=20_000) for _ in range(k)]).mde_prompts
    planted *= math.sqrt(20_000 / n)  # the same design at n prompts per seed
    hits = 0
    for rep in range(REPS):
        per_seed = [(list(rng.normal(planted, math.sqrt(VAR_WITHIN), size=n)), [0.0] * n) for _ in range(k)]
        hits += pooled_paired_diff(per_seed, n_boot=300, seed=rep).significant
    assert POWER_BAND[0] <= hits / REPS <= POWER_BAND[1]


def test_a_single_seed_has_no_seed_variance_and_falls_back_to_prompts():
    power = seeded_power([np.random.default_rng(3).normal(0.1, 0.8, size=50)])
    assert power.var_seed is None and power.mde is None and power.seeds_needed is None
    assert power.mde_prompts == pytest.approx(paired_power(np.random.default_rng(3).normal(0.1, 0.8, size=50)).mde)
    with pytest.raises(ValueError, match="at least 2 prompts"):
        seeded_power([np.array([0.1])])

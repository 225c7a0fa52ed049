"""How large a difference a comparison could detect, and how many prompts or seeds a target effect needs.

Over prompts (one run): d_i is a prompt's score under the model minus the baseline's (each the mean over the
prompt's samples), n prompts, s their SD. The leaderboard's test is the paired bootstrap percentile CI, which for a
mean is the normal-approximation (z) test, so the minimum detectable effect (MDE) at power 1 − β and two-sided α is

    MDE = (z_{1−α/2} + z_{1−β}) · s / √n        (2.80 · s / √n at α = 0.05 and 80 % power)

and an effect Δ needs n = ((z_{1−α/2} + z_{1−β}) · s / Δ)² prompts, rounded up.

Over seeds (a sweep: k seeds, n prompts each): seed j's mean difference is the true Δ plus a seed effect (variance
σ²_seed) plus prompt noise (variance σ²_w / n), so the mean over seeds has variance

    V = σ²_w / (n·k) + σ²_seed / k.

The claim that holds for new seeds is a one-sample t-test on the k per-seed differences (k − 1 degrees of freedom);
its MDE is λ · √V, λ the noncentrality at which the noncentral t reaches the power (exact, since z + z is optimistic
with few seeds). σ²_w is the mean of the seeds' per-prompt variances of d; σ²_seed is var(per-seed means) − σ²_w / n,
clipped at 0. The sweep table's pooled CI resamples prompts within the seeds run, so its own MDE (`mde_prompts`)
is the z formula with variance Σ_j s_j²/n_j / k².
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from functools import lru_cache
from statistics import fmean, variance
from typing import Any

import numpy as np

ALPHA = 0.05
POWER = 0.8
# Past this many seeds a design is reported as out of reach rather than searched further.
MAX_COUNT = 10**7
LARGE_DF = 5000  # degrees of freedom past which the t-test is planned as the z-test


def _check(alpha: float, power: float) -> None:
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha = {alpha}; use a two-sided significance level strictly between 0 and 1, e.g. 0.05")
    if not 0.0 < power < 1.0:
        raise ValueError(f"power = {power}; use a power strictly between 0 and 1, e.g. 0.8")


def z_sum(alpha: float = ALPHA, power: float = POWER) -> float:
    """z_{1−α/2} + z_{power}: the MDE in standard errors of a two-sided z-test."""
    from scipy.stats import norm

    _check(alpha, power)
    return float(norm.ppf(1.0 - alpha / 2.0) + norm.ppf(power))


@lru_cache(maxsize=4096)
def t_noncentrality(df: int, alpha: float = ALPHA, power: float = POWER) -> float:
    """The noncentrality λ at which a two-sided one-sample t-test with `df` degrees of freedom has `power`."""
    from scipy.optimize import brentq
    from scipy.stats import nct, t

    _check(alpha, power)
    if df < 1:
        raise ValueError(f"df = {df}; a t-test over seeds needs at least 2 seeds (1 degree of freedom)")
    if df > LARGE_DF:  # the t is the normal here to well under 0.1 %, and nct is slow and loose this far out
        return z_sum(alpha, power)
    crit = float(t.ppf(1.0 - alpha / 2.0, df))

    def shortfall(lam: float) -> float:
        wrong_side = float(nct.cdf(-crit, df, lam))  # NaN in scipy's far tail, where it is below 1e-15
        return float(nct.sf(crit, df, lam)) + (0.0 if math.isnan(wrong_side) else wrong_side) - power

    high = crit + 1.0
    while shortfall(high) < 0:
        high *= 1.5
    return float(brentq(shortfall, 0.0, high, xtol=1e-10))


def paired_mde(sd: float, n: int, alpha: float = ALPHA, power: float = POWER) -> float:
    """Smallest true mean difference the paired z-test over `n` prompts detects with `power`."""
    return z_sum(alpha, power) * sd / math.sqrt(n) if n > 0 else math.nan


def prompts_for(sd: float, effect: float, alpha: float = ALPHA, power: float = POWER) -> int | None:
    """Prompts a paired z-test needs to detect `effect` with `power`; None when the effect is 0 (no count does)."""
    if effect == 0 or not math.isfinite(effect) or not math.isfinite(sd):
        return None
    return max(2, math.ceil((z_sum(alpha, power) * sd / abs(effect)) ** 2))


def seed_mean_variance(var_within: float, var_seed: float, n: float, k: int) -> float:
    """Variance of the mean over k seeds of per-seed paired differences over n prompts each."""
    return var_within / (n * k) + var_seed / k


def seeded_mde(
    var_within: float, var_seed: float, n: float, k: int, alpha: float = ALPHA, power: float = POWER
) -> float:
    """Smallest true mean difference a t-test over k seeds (n prompts each) detects with `power`."""
    return t_noncentrality(k - 1, alpha, power) * math.sqrt(seed_mean_variance(var_within, var_seed, n, k))


def seeds_for(
    var_within: float, var_seed: float, n: float, effect: float, alpha: float = ALPHA, power: float = POWER
) -> int | None:
    """Fewest seeds (n prompts each) at which the t-test over seeds detects `effect`; None when out of reach."""
    if effect == 0 or not math.isfinite(effect):
        return None

    def enough(k: int) -> bool:
        return seeded_mde(var_within, var_seed, n, k, alpha, power) <= abs(effect)

    if not enough(MAX_COUNT):
        return None
    low, high = 2, 2
    while not enough(high):  # the MDE falls monotonically with k: bracket, then bisect
        low, high = high, min(2 * high, MAX_COUNT)
    while low < high:
        mid = (low + high) // 2
        low, high = (mid + 1, high) if not enough(mid) else (low, mid)
    return high


def prompts_for_seeds(
    var_within: float, var_seed: float, k: int, effect: float, alpha: float = ALPHA, power: float = POWER
) -> int | None:
    """Prompts per seed at which the t-test over k seeds detects `effect`; None when no prompt count does
    (the seed-to-seed spread alone is too large for k seeds) or the effect is 0."""
    if effect == 0 or not math.isfinite(effect):
        return None
    room = k * (abs(effect) / t_noncentrality(k - 1, alpha, power)) ** 2 - var_seed
    if room <= 0:
        return None
    return max(2, math.ceil(var_within / room))


@dataclass(frozen=True)
class PairedPower:
    """One run's comparison: its MDE over prompts and the prompts its observed Δ would need."""

    observed: float
    sd_diff: float
    n_prompts: int
    mde: float
    prompts_needed: int | None  # to detect the observed Δ; None when it is 0
    alpha: float = ALPHA
    power: float = POWER
    test: str = "paired z-test over prompts"  # or the win rate's z-test against 50 (judged rows, in points)

    def record(self) -> dict[str, Any]:
        """The fields metrics.json stores under a row's `power` key."""
        return asdict(self)


PAIRED_TEST = "paired z-test over prompts"
WIN_RATE_TEST = "z-test of the win rate against 50 over prompts"


def paired_power(
    diffs: Sequence[float] | np.ndarray, alpha: float = ALPHA, power: float = POWER, test: str = PAIRED_TEST
) -> PairedPower:
    """Power of the comparison whose per-prompt differences (from the baseline, or from 50 for a win rate) are
    `diffs`, none missing."""
    d = np.asarray(diffs, dtype=float)
    n = int(d.size)
    sd = float(d.std(ddof=1)) if n > 1 else math.nan
    observed = float(d.mean()) if n else math.nan
    return PairedPower(
        observed=observed,
        sd_diff=sd,
        n_prompts=n,
        mde=paired_mde(sd, n, alpha, power),
        prompts_needed=prompts_for(sd, observed, alpha, power),
        alpha=alpha,
        power=power,
        test=test,
    )


@dataclass(frozen=True)
class SeededPower:
    """A sweep row's comparison over k seeds: the pooled CI's MDE, the t-test over seeds' MDE, and the prompts
    (at k seeds) or seeds (at the prompts run) its observed Δ would need."""

    observed: float
    n_seeds: int
    n_prompts: float  # mean prompts per seed
    var_within: float  # σ²_w: per-prompt variance of the differences, mean over seeds
    var_seed: float | None  # σ²_seed: seed-to-seed variance of the true difference; None with one seed
    mde_prompts: float  # the pooled CI's (prompts resampled within the seeds run)
    mde: float | None  # the t-test over seeds'; None with one seed
    prompts_needed: int | None  # per seed at k seeds (one seed: the z-test's); None: out of reach or Δ = 0
    seeds_needed: int | None  # at the prompts run; None: out of reach, Δ = 0, or one seed (no seed variance)
    alpha: float = ALPHA
    power: float = POWER

    def record(self) -> dict[str, Any]:
        return asdict(self)


def seeded_power(
    per_seed_diffs: Sequence[Sequence[float] | np.ndarray], alpha: float = ALPHA, power: float = POWER
) -> SeededPower:
    """Power of a comparison repeated over seeds; `per_seed_diffs[j]` are seed j's per-prompt differences."""
    diffs = [np.asarray(d, dtype=float) for d in per_seed_diffs]
    if not diffs or any(d.size < 2 for d in diffs):
        raise ValueError("seeded_power: every seed needs at least 2 prompts scored for both model and baseline")
    k = len(diffs)
    means = [float(d.mean()) for d in diffs]
    observed = fmean(means)
    var_within = fmean([float(d.var(ddof=1)) for d in diffs])
    n = fmean([d.size for d in diffs])
    pooled_se = math.sqrt(sum(float(d.var(ddof=1)) / d.size for d in diffs)) / k
    if k == 1:
        return SeededPower(
            observed, 1, n, var_within, None, z_sum(alpha, power) * pooled_se, None,
            prompts_for(math.sqrt(var_within), observed, alpha, power), None, alpha, power,
        )  # fmt: skip
    var_seed = max(0.0, variance(means) - var_within / n)
    return SeededPower(
        observed=observed,
        n_seeds=k,
        n_prompts=n,
        var_within=var_within,
        var_seed=var_seed,
        mde_prompts=z_sum(alpha, power) * pooled_se,
        mde=seeded_mde(var_within, var_seed, n, k, alpha, power),
        prompts_needed=prompts_for_seeds(var_within, var_seed, k, observed, alpha, power),
        seeds_needed=seeds_for(var_within, var_seed, n, observed, alpha, power),
        alpha=alpha,
        power=power,
    )


__all__ = [
    "ALPHA",
    "PAIRED_TEST",
    "POWER",
    "WIN_RATE_TEST",
    "PairedPower",
    "SeededPower",
    "paired_mde",
    "paired_power",
    "prompts_for",
    "prompts_for_seeds",
    "seed_mean_variance",
    "seeded_mde",
    "seeded_power",
    "seeds_for",
    "t_noncentrality",
    "z_sum",
]

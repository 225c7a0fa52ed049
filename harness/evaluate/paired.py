"""Is model (or feedback source) A really better than B on the same prompts?

Both are scored on the same prompts, so the prompt-to-prompt spread cancels in the per-prompt difference
d_i = a_i − b_i. Two tests on those differences:

- paired bootstrap: resample prompts with replacement `n_boot` times; the CI is the percentile interval of the
  resampled mean differences, `stderr` their standard deviation. A difference is `significant` when the CI
  excludes 0 (the leaderboard marks those).
- sign test: two-sided binomial test of #(d > 0) against #(d < 0), zero differences dropped; robust to a few
  huge differences that can dominate a mean.

Prompts where either score is missing (None/NaN, e.g. a judge failure) are dropped from both sides; `n` counts
the prompts used.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import combinations
from typing import Annotated

import numpy as np
from pydantic import Field

from harness.evaluate.estimates import check_same_length, optional_floats
from harness.registry import metric

# Resampled index blocks are capped at this many cells so memory stays flat for large prompt sets.
_BOOTSTRAP_BLOCK_CELLS = 4_000_000


@dataclass(frozen=True)
class PairedDiff:
    mean_diff: float
    stderr: float
    ci_low: float
    ci_high: float
    p_sign: float
    n: int
    significant: bool
    level: float = 0.95


def paired_scores(a: Sequence[float | None], b: Sequence[float | None]) -> tuple[np.ndarray, np.ndarray]:
    """The two score arrays restricted to prompts where both are present."""
    check_same_length("a", a, "b", b)
    a_arr, b_arr = optional_floats(a), optional_floats(b)
    both = ~(np.isnan(a_arr) | np.isnan(b_arr))
    return a_arr[both], b_arr[both]


def bootstrap_means(values: np.ndarray, n_boot: int, seed: int) -> np.ndarray:
    """Means of `n_boot` resamples (with replacement) of `values`."""
    rng = np.random.default_rng(seed)
    n = values.size
    block = max(1, _BOOTSTRAP_BLOCK_CELLS // max(n, 1))
    means = np.empty(n_boot)
    for start in range(0, n_boot, block):
        stop = min(n_boot, start + block)
        idx = rng.integers(0, n, size=(stop - start, n))
        means[start:stop] = values[idx].mean(axis=1)
    return means


def sign_test(differences: np.ndarray) -> float:
    """Two-sided sign-test p-value; 1.0 when every difference is zero."""
    from scipy.stats import binomtest

    positive, negative = int((differences > 0).sum()), int((differences < 0).sum())
    if positive + negative == 0:
        return 1.0
    return float(binomtest(positive, positive + negative, 0.5).pvalue)


def paired_bootstrap(
    a: Sequence[float | None],
    b: Sequence[float | None],
    n_boot: int = 2000,
    seed: int = 0,
    level: float = 0.95,
) -> PairedDiff:
    """Mean of a − b over shared prompts with a paired-bootstrap CI and a sign test (see module docstring)."""
    if n_boot < 1:
        raise ValueError(f"n_boot = {n_boot}; use a positive number of resamples (2000 is usual)")
    if not 0.0 < level < 1.0:
        raise ValueError(f"level = {level}; use a confidence level strictly between 0 and 1, e.g. 0.95")
    a_arr, b_arr = paired_scores(a, b)
    diffs = a_arr - b_arr
    n = int(diffs.size)
    if n == 0:
        return PairedDiff(math.nan, math.nan, math.nan, math.nan, 1.0, 0, False, level)
    means = bootstrap_means(diffs, n_boot, seed)
    tail = (1.0 - level) / 2.0
    ci_low, ci_high = (float(q) for q in np.quantile(means, [tail, 1.0 - tail]))
    return PairedDiff(
        mean_diff=float(diffs.mean()),
        stderr=float(means.std(ddof=1)) if n_boot > 1 else math.nan,
        ci_low=ci_low,
        ci_high=ci_high,
        p_sign=sign_test(diffs),
        n=n,
        significant=bool(ci_low > 0.0 or ci_high < 0.0),
        level=level,
    )


def paired_differences(
    scores: Mapping[str, Sequence[float | None]], n_boot: int = 2000, seed: int = 0, level: float = 0.95
) -> dict[tuple[str, str], PairedDiff]:
    """`paired_bootstrap` for every pair of entries (in the mapping's order): {(a, b): diff of a − b}.

    No multiple-comparison correction is applied; with many entries read `significant` with that in mind.
    """
    return {
        (name_a, name_b): paired_bootstrap(scores[name_a], scores[name_b], n_boot, seed, level)
        for name_a, name_b in combinations(scores, 2)
    }


@metric("paired_difference")
def paired_difference_metric(
    n_boot: Annotated[int, Field(description="bootstrap resamples of the prompts")] = 2000,
    seed: Annotated[int, Field(description="seeds the resampling")] = 0,
    level: Annotated[float, Field(description="confidence level of the interval")] = 0.95,
) -> Callable[[Sequence[float | None], Sequence[float | None]], PairedDiff]:
    """Paired bootstrap CI and sign test of mean(a − b) over the same prompts; marks significant differences."""
    return partial(paired_bootstrap, n_boot=n_boot, seed=seed, level=level)

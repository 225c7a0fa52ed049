"""The result type every metric returns, and the two estimators the others build on.

An `Estimate` is a number with its uncertainty and the count it rests on, so a leaderboard never shows a
bare mean. `stderr` is None where no standard error is defined (fewer than two units, or an estimator whose
sampling units are not independent, such as a correlation pooled across prompts).
"""

from __future__ import annotations

import math
from collections.abc import Sequence, Sized
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Estimate:
    value: float
    stderr: float | None
    n: int
    ci_low: float | None = None
    ci_high: float | None = None

    def scaled(self, factor: float) -> Estimate:
        """The same estimate in other units (e.g. ×100 for percent)."""
        scale = lambda x: None if x is None else x * factor  # noqa: E731
        return Estimate(self.value * factor, scale(self.stderr), self.n, scale(self.ci_low), scale(self.ci_high))


def optional_floats(values: Sequence[float | None] | np.ndarray) -> np.ndarray:
    """Float array with NaN wherever a value is missing (None or NaN)."""
    return np.asarray([math.nan if v is None else float(v) for v in values], dtype=float)


def as_finite_array(values: Sequence[float] | np.ndarray, field: str) -> np.ndarray:
    """Float array of `values`; a None or NaN is refused because silently dropping it would bias the mean."""
    array = optional_floats(values)
    bad = np.flatnonzero(~np.isfinite(array))
    if bad.size:
        raise ValueError(f"{field}[{bad[0]}] is {values[bad[0]]!r}; drop missing items before estimating")
    return array


def check_same_length(field_a: str, a: Sized, field_b: str, b: Sized) -> None:
    if len(a) != len(b):
        raise ValueError(f"{field_a} has {len(a)} items but {field_b} has {len(b)}; pass one entry per item to both")


def mean_se(values: Sequence[float] | np.ndarray) -> Estimate:
    """Sample mean with its standard error (ddof=1, as pandas' `sem`)."""
    array = as_finite_array(values, "values")
    n = array.size
    if n == 0:
        return Estimate(math.nan, None, 0)
    stderr = float(array.std(ddof=1) / math.sqrt(n)) if n > 1 else None
    return Estimate(float(array.mean()), stderr, n)


def ratio_se(numerators: Sequence[float], denominators: Sequence[float]) -> Estimate:
    """Pooled ratio Σnum / Σden over clusters, with a cluster-robust (linearised) standard error.

    Used for metrics pooled over the pairs or candidates of many prompts: the prompt is the independent unit,
    not the pair, so the error comes from the spread of each prompt's residual num_i − R·den_i.
    `n` is the number of clusters with a non-zero denominator.
    """
    num = as_finite_array(numerators, "numerators")
    den = as_finite_array(denominators, "denominators")
    check_same_length("numerators", num, "denominators", den)
    used = den > 0
    n = int(used.sum())
    total = float(den.sum())
    if total <= 0:
        return Estimate(math.nan, None, 0)
    ratio = float(num.sum()) / total
    if n < 2:
        return Estimate(ratio, None, n)
    residuals = num[used] - ratio * den[used]
    stderr = math.sqrt(float((residuals**2).sum()) * n / (n - 1)) / total
    return Estimate(ratio, stderr, n)

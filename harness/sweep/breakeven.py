"""Break-even of a gain curve: the x (e.g. the feedback's measured pair accuracy) above which the gain over the
baseline stays positive, with its uncertainty.

The curve is the levels' pooled gains joined by straight lines in order of x. Its break-even is where the last
segment ending above 0 starts from at or below 0, interpolated linearly; −inf when every level gains (the curve
helps over the whole range measured), +inf when the highest level does not. The interval is the percentile
interval of the same crossing computed on each pooled bootstrap replicate (the levels' replicates resample the same
prompts, harness/sweep/pooled.py), so it reflects evaluation noise, not seed-to-seed spread or the noise of x
itself. `significant_from` is where the curve of the CI's lower bounds crosses 0: the lowest x from which the gain
is significantly positive.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from harness.sweep.pooled import PooledDiff


@dataclass(frozen=True)
class BreakEven:
    x: float
    ci_low: float
    ci_high: float
    significant_from: float
    levels: int
    n_boot: int


def crossing(xs: Sequence[float], ys: Sequence[float] | np.ndarray) -> float:
    """Where a curve through (xs, ys), sorted by x, last rises from ≤ 0 to > 0 (see the module docstring)."""
    order = sorted(range(len(xs)), key=lambda i: xs[i])
    x = [float(xs[i]) for i in order]
    y = [float(ys[i]) for i in order]
    if y[-1] <= 0:
        return math.inf
    below = [i for i, v in enumerate(y) if v <= 0]
    if not below:
        return -math.inf
    i = below[-1]
    return x[i] + (x[i + 1] - x[i]) * (-y[i]) / (y[i + 1] - y[i])


def break_even(points: Sequence[tuple[float, PooledDiff]], level: float = 0.95) -> BreakEven:
    """`points` = (x, pooled gain) per level of the dial."""
    if len(points) < 2:
        raise ValueError("break_even: needs at least two levels with an x and a gain")
    xs = [x for x, _ in points]
    reps = np.vstack([d.replicates for _, d in points])
    per_replicate = np.array([crossing(xs, reps[:, b]) for b in range(reps.shape[1])])
    tail = (1.0 - level) / 2.0
    # inverted_cdf picks observed values, so a share of replicates without a crossing (±inf) stays ±inf
    low, high = (float(q) for q in np.quantile(per_replicate, [tail, 1.0 - tail], method="inverted_cdf"))
    return BreakEven(
        x=crossing(xs, [d.mean for _, d in points]),
        ci_low=low,
        ci_high=high,
        significant_from=crossing(xs, [d.ci_low for _, d in points]),
        levels=len(points),
        n_boot=reps.shape[1],
    )


def describe(be: BreakEven, percent: bool = True) -> str:
    def fmt(v: float) -> str:
        if v == -math.inf:
            return "below the lowest level"
        if v == math.inf:
            return "above the highest level"
        return f"{100 * v:.0f}%" if percent else f"{v:.3g}"

    return (
        f"break-even {fmt(be.x)} [95% CI {fmt(be.ci_low)}, {fmt(be.ci_high)}]; gain significantly > 0 from "
        f"{fmt(be.significant_from)} ({be.levels} levels, {be.n_boot} pooled bootstrap replicates)"
    )


__all__ = ["BreakEven", "break_even", "crossing", "describe"]

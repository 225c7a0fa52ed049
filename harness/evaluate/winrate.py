"""Win rate of a model against a baseline, with alpaca_eval's semantics.

A preference is alpaca_eval's number in [1, 2]: 1 = baseline better, 2 = model better, 1.5 = draw, anything
between = 1 + P(model better) (a soft judge). 0 is alpaca_eval's legacy code for a draw and is read as 1.5.
None or NaN marks a judge failure: excluded from every count, reported as `n_failures`.

- soft win rate = 100 · mean(preference − 1); standard error = 100 · sem (ddof 1), as alpaca_eval.
- discrete win rate = 100 · mean of 1 (model better, preference > 1.5), 0 (< 1.5), 0.5 (exactly 1.5).
- n_wins / n_wins_base count preferences above / below 1.5; n_draws counts exact draws.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np

from harness.evaluate.estimates import Estimate, mean_se, optional_floats
from harness.registry import metric

DRAW = 1.5
LEGACY_DRAW = 0.0


@dataclass(frozen=True)
class WinRateResult:
    win_rate: float
    standard_error: float | None
    discrete_win_rate: float
    n_wins: int
    n_wins_base: int
    n_draws: int
    n_total: int
    n_failures: int

    @property
    def estimate(self) -> Estimate:
        return Estimate(self.win_rate, self.standard_error, self.n_total)


def checked_preferences(preferences: Sequence[float | None]) -> np.ndarray:
    """Preferences as floats in [1, 2] (legacy draws as 1.5), NaN where the judge failed."""
    prefs = optional_floats(preferences)
    prefs[prefs == LEGACY_DRAW] = DRAW
    bad = np.flatnonzero((prefs < 1.0) | (prefs > 2.0))
    if bad.size:
        raise ValueError(
            f"preferences[{bad[0]}] = {preferences[bad[0]]!r} is outside [1, 2]; use 1 = baseline better, "
            "2 = model better, 1.5 = draw, None = judge failure"
        )
    return prefs


def valid_preferences(preferences: Sequence[float | None]) -> tuple[np.ndarray, int]:
    """(the checked preferences with failures removed, number of failures)."""
    prefs = checked_preferences(preferences)
    failed = np.isnan(prefs)
    return prefs[~failed], int(failed.sum())


def win_rate(preferences: Sequence[float | None]) -> WinRateResult:
    """Soft and discrete win rate (percent) of the model over the baseline; see the module docstring."""
    prefs, failures = valid_preferences(preferences)
    if prefs.size == 0:
        return WinRateResult(math.nan, None, math.nan, 0, 0, 0, 0, failures)
    soft = mean_se(prefs - 1.0).scaled(100.0)
    discrete = np.where(prefs > DRAW, 1.0, np.where(prefs < DRAW, 0.0, 0.5))
    return WinRateResult(
        win_rate=soft.value,
        standard_error=soft.stderr,
        discrete_win_rate=float(discrete.mean() * 100.0),
        n_wins=int((prefs > DRAW).sum()),
        n_wins_base=int((prefs < DRAW).sum()),
        n_draws=int((prefs == DRAW).sum()),
        n_total=int(prefs.size),
        n_failures=failures,
    )


def _soft_win_rate(preferences: Sequence[float | None]) -> Estimate:
    return win_rate(preferences).estimate


def _discrete_win_rate(preferences: Sequence[float | None]) -> Estimate:
    prefs, _ = valid_preferences(preferences)
    outcomes = np.where(prefs > DRAW, 1.0, np.where(prefs < DRAW, 0.0, 0.5))
    return mean_se(outcomes).scaled(100.0)


@metric("win_rate")
def win_rate_metric() -> Callable[[Sequence[float | None]], Estimate]:
    """Soft win rate (%) vs the baseline from alpaca_eval-style preferences in [1, 2]; None = failure, excluded."""
    return partial(_soft_win_rate)


@metric("discrete_win_rate")
def discrete_win_rate_metric() -> Callable[[Sequence[float | None]], Estimate]:
    """Discrete win rate (%): preference > 1.5 wins, < 1.5 loses, exactly 1.5 counts half; failures excluded."""
    return partial(_discrete_win_rate)

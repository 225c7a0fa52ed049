"""The two base estimators: mean with its standard error, and a pooled ratio with a cluster-robust error."""

from __future__ import annotations

import math

import numpy as np
import pytest

from harness.evaluate import mean_se, ratio_se


def test_mean_se_uses_ddof_one():
    values = [0.0, 1.0, 1.0, 2.0]
    estimate = mean_se(values)
    assert estimate.value == 1.0 and estimate.n == 4
    assert estimate.stderr == pytest.approx(np.std(values, ddof=1) / 2)
    assert mean_se([3.0]).stderr is None
    assert math.isnan(mean_se([]).value) and mean_se([]).n == 0


def test_mean_se_refuses_missing_values_by_index():
    with pytest.raises(ValueError, match=r"values\[1\] is None; drop missing items"):
        mean_se([1.0, None])


def test_ratio_se_by_hand():
    # R = 6 / 8; residuals num − R·den = −0.5, 0.5, 0 -> SE = sqrt(0.5 · 3/2) / 8
    estimate = ratio_se([1.0, 2.0, 3.0], [2.0, 2.0, 4.0])
    assert estimate.value == pytest.approx(0.75)
    assert estimate.stderr == pytest.approx(math.sqrt(0.75) / 8)
    # clusters with nothing to count (den = 0) do not count toward n
    assert ratio_se([1.0, 0.0], [2.0, 0.0]).n == 1


def test_scaled_keeps_missing_fields_missing():
    estimate = mean_se([0.25, 0.75]).scaled(100)
    assert estimate.value == pytest.approx(50.0) and estimate.ci_low is None

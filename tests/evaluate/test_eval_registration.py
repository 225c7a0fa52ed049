"""Every evaluation metric can be looked up by name, lazily, and rebuilt from its recorded spec."""

from __future__ import annotations

import pytest

from harness.registry import RegistryError, metrics

NAMES = {
    "win_rate",
    "discrete_win_rate",
    "lc_win_rate",
    "paired_difference",
    "ranking",
    "pairwise_accuracy",
    "top1_accuracy",
    "five_best",
    "exact_match",
    "spearman",
    "kendall",
    "judge_agreement",
    "position_consistency",
    "rm_accuracy",
}


def test_all_metrics_registered():
    assert set(metrics.names()) >= NAMES


def test_built_metric_records_its_spec_and_computes():
    spearman = metrics.build("spearman", variant="pooled")
    assert spearman.plugin_spec == {"kind": "metric", "name": "spearman", "params": {"variant": "pooled"}}
    assert spearman([[1, 2, 3]], [[1, 3, 2]]).value == pytest.approx(0.5)


def test_typo_gets_a_suggestion():
    with pytest.raises(RegistryError, match="did you mean 'kendall'"):
        metrics.get("kendal")

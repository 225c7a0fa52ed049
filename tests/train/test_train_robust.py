"""Robust DPO objectives: TRL's `robust` loss with its assumed noise rate reaches DPOConfig and trains; a rate the
loss cannot use is refused at validation, naming the field."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from harness.train import TrainSpec, dpo
from tests.train.test_train_dpo import mean_margin


def test_robust_loss_reaches_dpo_config_with_its_noise_rate(tmp_path):
    spec = TrainSpec(loss_type=["robust", "sft"], trl={"label_smoothing": 0.3})
    config = spec.to_trl_config("dpo", tmp_path)
    assert config.loss_type == ["robust", "sft"] and config.label_smoothing == 0.3
    assert TrainSpec(loss_type=["ipo", "sft"]).to_trl_config("dpo", tmp_path).loss_type == ["ipo", "sft"]


@pytest.mark.parametrize("rate", [0.5, -0.1, "high"])
def test_a_noise_rate_the_robust_loss_cannot_use_is_refused(rate):
    with pytest.raises(ValidationError, match=r"trl\.label_smoothing"):
        TrainSpec(loss_type=["robust"], trl={"label_smoothing": rate})
    TrainSpec(loss_type=["sigmoid"], trl={"label_smoothing": 0.5})  # cDPO's smoothing is not bounded by this check


def test_robust_dpo_learns_clean_pairs_with_a_noise_prior(base_model_dir, addition_pairs, tmp_path):
    pairs = addition_pairs(24, seed=0)
    spec = TrainSpec(
        learning_rate=2e-2,
        num_train_epochs=4,
        per_device_train_batch_size=8,
        max_length=64,
        loss_type=["robust"],
        trl={"label_smoothing": 0.2},
    )
    before = mean_margin(base_model_dir, pairs)
    result = dpo(base_model_dir, pairs, spec, tmp_path / "dpo")
    assert mean_margin(result.path, pairs) > before + 1.0

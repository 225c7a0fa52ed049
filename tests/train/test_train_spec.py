import pytest
from pydantic import ValidationError

from harness.train import LoraSpec, TrainSpec
from harness.train.runtime import cuda_available


def test_unknown_key_is_rejected_by_name():
    with pytest.raises(ValidationError, match="lerning_rate"):
        TrainSpec.model_validate({"lerning_rate": 1e-3})


def test_unknown_trl_field_is_named_with_a_suggestion():
    with pytest.raises(ValidationError, match=r"trl\.packing_stratgy .*did you mean 'packing_strategy'"):
        TrainSpec(trl={"packing_stratgy": "bfd"})


def test_trl_field_of_another_trainer_is_rejected_for_this_stage(tmp_path):
    spec = TrainSpec(trl={"precompute_ref_log_probs": True})  # a DPOConfig field
    assert spec.to_trl_config("dpo", tmp_path).precompute_ref_log_probs is True
    with pytest.raises(ValueError, match=r"trl\.precompute_ref_log_probs is not a SFTConfig field"):
        spec.to_trl_config("sft", tmp_path)


def test_trl_cannot_shadow_a_train_spec_field():
    with pytest.raises(ValidationError, match=r"trl\.learning_rate is set by TrainSpec itself"):
        TrainSpec(trl={"learning_rate": 1.0})


def test_loss_weights_need_one_weight_per_loss():
    with pytest.raises(ValidationError, match="loss_weights has 1 entries but loss_type has 2"):
        TrainSpec(loss_type=["sigmoid", "sft"], loss_weights=[1.0])


def test_spec_maps_onto_each_trl_config_with_cpu_safe_runtime(tmp_path):
    spec = TrainSpec(
        learning_rate=3e-4, max_steps=7, per_device_train_batch_size=4, max_length=96, warmup_ratio=0.1,
        beta=0.2, loss_type=["sigmoid", "sft"], loss_weights=[1.0, 0.5], trl={"disable_tqdm": False},
    )  # fmt: skip
    for stage in ("sft", "dpo", "reward"):
        config = spec.to_trl_config(stage, tmp_path)
        assert (config.learning_rate, config.max_steps, config.per_device_train_batch_size) == (3e-4, 7, 4)
        assert config.max_length == 96 and config.warmup_steps == 0.1
        assert config.report_to == [] or config.report_to == "none"
        assert config.save_strategy == "no" and config.dataloader_num_workers == 0
        assert config.disable_tqdm is False  # a `trl` extra overrides the runtime default
        if not cuda_available():
            assert config.bf16 is False and config.fp16 is False
            assert config.gradient_checkpointing is False and config.use_cpu is True
    dpo = spec.to_trl_config("dpo", tmp_path)
    assert (dpo.beta, dpo.loss_type, dpo.loss_weights) == (0.2, ["sigmoid", "sft"], [1.0, 0.5])


def test_unset_learning_rate_keeps_each_trainer_default(tmp_path):
    rates = {stage: TrainSpec().to_trl_config(stage, tmp_path).learning_rate for stage in ("sft", "dpo", "reward")}
    assert rates == {"sft": 2e-5, "dpo": 1e-6, "reward": 1e-4}


def test_lora_spec_becomes_a_peft_config():
    config = TrainSpec(lora=LoraSpec(r=4, alpha=8, target_modules=["q_proj", "v_proj"])).peft_config("CAUSAL_LM")
    assert (config.r, config.lora_alpha, sorted(config.target_modules)) == (4, 8, ["q_proj", "v_proj"])
    assert TrainSpec().peft_config("CAUSAL_LM") is None


def test_constant_schedule_would_drop_the_warmup_so_the_spec_refuses_it():
    import torch
    from transformers import get_scheduler

    # what transformers does: "constant" ignores num_warmup_steps, "constant_with_warmup" starts from 0
    def first_lr(name: str) -> float:
        optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)
        return get_scheduler(name, optimizer, num_warmup_steps=4, num_training_steps=10).get_last_lr()[0]

    assert (first_lr("constant"), first_lr("constant_with_warmup")) == (1.0, 0.0)
    with pytest.raises(ValidationError, match=r"warmup_ratio=0.1 has no effect with lr_scheduler_type='constant'"):
        TrainSpec(warmup_ratio=0.1, lr_scheduler_type="constant")
    assert TrainSpec(warmup_ratio=0.1, lr_scheduler_type="constant_with_warmup").warmup_ratio == 0.1


def test_a_trl_gradient_checkpointing_extra_survives_the_cpu_runtime(tmp_path):
    config = TrainSpec(trl={"gradient_checkpointing": True}).to_trl_config("sft", tmp_path)
    assert config.gradient_checkpointing is True and config.activation_checkpointing is True
    if not cuda_available():  # the runtime default still holds when the recipe says nothing
        assert TrainSpec().to_trl_config("sft", tmp_path).gradient_checkpointing is False

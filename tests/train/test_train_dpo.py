import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from harness.train import LoraSpec, TrainSpec, dpo, sequence_logprobs


@pytest.fixture(scope="module")
def pairs(addition_pairs):
    return addition_pairs(24, seed=0)


def mean_margin(model_dir, pairs) -> float:
    """Mean over `pairs` of log p(chosen) - log p(rejected) under the model saved in `model_dir`."""
    model = AutoModelForCausalLM.from_pretrained(model_dir)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    margins = [
        sequence_logprobs(model, tokenizer, pair["prompt"], pair["chosen"][0]["content"])
        - sequence_logprobs(model, tokenizer, pair["prompt"], pair["rejected"][0]["content"])
        for pair in pairs
    ]
    return sum(margins) / len(margins)


def test_dpo_raises_the_chosen_minus_rejected_margin(base_model_dir, pairs, tmp_path):
    spec = TrainSpec(learning_rate=2e-2, num_train_epochs=4, per_device_train_batch_size=8, max_length=64, beta=0.1)
    before = mean_margin(base_model_dir, pairs)
    result = dpo(base_model_dir, pairs, spec, tmp_path / "dpo")
    after = mean_margin(result.path, pairs)
    assert after > before + 1.5, (before, after)
    assert result.adapter_path is None
    assert result.metrics["train_loss"] > 0 and any("rewards/margins" in entry for entry in result.log_history)


def test_lora_dpo_saves_a_merged_model_and_the_adapter(base_model_dir, pairs, tmp_path):
    spec = TrainSpec(
        learning_rate=5e-2, num_train_epochs=3, per_device_train_batch_size=8, max_length=64,
        lora=LoraSpec(r=4, alpha=8, target_modules=["q_proj", "v_proj", "up_proj", "down_proj"]),
    )  # fmt: skip
    before = mean_margin(base_model_dir, pairs)
    result = dpo(base_model_dir, pairs, spec, tmp_path / "lora")

    assert (result.adapter_path / "adapter_config.json").is_file()
    merged = AutoModelForCausalLM.from_pretrained(result.path)  # a plain model: no peft needed to load it
    base = AutoModelForCausalLM.from_pretrained(base_model_dir)
    assert not any("lora" in name for name, _ in merged.named_parameters())
    assert not torch.equal(merged.model.layers[0].self_attn.q_proj.weight, base.model.layers[0].self_attn.q_proj.weight)
    assert torch.equal(merged.model.layers[0].self_attn.k_proj.weight, base.model.layers[0].self_attn.k_proj.weight)
    assert mean_margin(result.path, pairs) > before + 0.3

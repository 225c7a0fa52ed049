"""LoRA and QLoRA from the recipe: the bitsandbytes mapping, where it refuses to run, and DPO's reference model."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch
from transformers import AutoModelForCausalLM

from harness.recipes.loader import RecipeError, load_recipe
from harness.train import LoraSpec, TrainSpec
from harness.train.dpo import dpo_trainer
from harness.train.result import train_and_save
from harness.train.runtime import training_output

QLORA = LoraSpec(r=4, alpha=8, quantization="4bit")
SANDBOX = Path(__file__).resolve().parents[2] / "recipes" / "sandbox.yaml"


def test_4bit_maps_to_the_qlora_bitsandbytes_config():
    spec = TrainSpec(lora=QLORA, trl={"model_init_kwargs": {"attn_implementation": "eager"}})
    kwargs = spec.model_init_kwargs()
    quantization = kwargs["quantization_config"]
    assert quantization.load_in_4bit and not quantization.load_in_8bit
    assert quantization.bnb_4bit_quant_type == "nf4" and quantization.bnb_4bit_use_double_quant
    assert quantization.bnb_4bit_compute_dtype == torch.bfloat16
    assert kwargs["dtype"] == "bfloat16" and kwargs["attn_implementation"] == "eager"  # the recipe's own kwargs stay
    fp16 = TrainSpec(lora=LoraSpec(quantization="4bit", compute_dtype="float16")).model_init_kwargs()
    assert fp16["quantization_config"].bnb_4bit_compute_dtype == torch.float16 and fp16["dtype"] == "float16"
    assert TrainSpec(lora=LoraSpec(quantization="8bit")).model_init_kwargs()["quantization_config"].load_in_8bit
    assert TrainSpec(lora=LoraSpec()).model_init_kwargs() is None  # plain LoRA loads the model as before


@pytest.mark.skipif(torch.cuda.is_available(), reason="checks the refusal on a machine without CUDA")
def test_qlora_validates_on_a_cpu_machine_but_refuses_to_run_there(tmp_path):
    recipe = load_recipe(SANDBOX, ["dpo.lora.quantization=4bit"])  # validating needs no GPU
    assert recipe.dpo.lora.quantization == "4bit"
    with pytest.raises(ValueError, match=r"^lora\.quantization: 4bit needs a CUDA GPU") as refused:
        recipe.dpo.to_trl_config("dpo", tmp_path)
    assert "\n" not in str(refused.value)


def test_a_quantisation_is_set_in_one_place_only():
    with pytest.raises(RecipeError, match="both quantise the model"):
        load_recipe(
            SANDBOX,
            ["dpo.lora.quantization=4bit", "dpo.trl.model_init_kwargs={quantization_config: {load_in_4bit: true}}"],
        )


def test_lora_dpo_uses_the_adapter_off_model_as_reference(base_model_dir, addition_pairs, tmp_path):
    pairs = addition_pairs(16, seed=1)
    common = {"learning_rate": 5e-2, "num_train_epochs": 1, "per_device_train_batch_size": 8, "max_length": 64}
    full = dpo_trainer(base_model_dir, pairs, TrainSpec(**common), tmp_path / "full")
    assert full.ref_model is not None  # full-weight DPO: a second, frozen copy of the start model
    assert full.ref_model.model.embed_tokens.weight.data_ptr() != full.model.model.embed_tokens.weight.data_ptr()

    lora = dpo_trainer(base_model_dir, pairs, TrainSpec(lora=LoraSpec(r=4, alpha=8), **common), tmp_path / "lora")
    assert lora.ref_model is None  # the policy with its adapter disabled is the reference: no second copy
    with training_output(False):  # as dpo() runs it: TRL's deprecated is_gradient_checkpointing reads muted
        result = train_and_save(lora, tmp_path / "lora")
    start = AutoModelForCausalLM.from_pretrained(base_model_dir).state_dict()
    merged = AutoModelForCausalLM.from_pretrained(result.path).state_dict()
    moved = max((merged[k] - start[k]).abs().max().item() for k in start)
    assert moved > 1e-3, moved  # the merged model is not the start model
    assert result.adapter_path is not None and (result.adapter_path / "adapter_config.json").is_file()

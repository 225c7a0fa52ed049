import pytest

from benchmarks.sandbox.models import SIZES, build_model
from benchmarks.sandbox.tokenizer import build_tokenizer
from benchmarks.sandbox.world import SandboxWorld, SandboxWorldSpec

# Parameter counts the calibration note measured for these shapes (its vocabulary had 61 symbols, ours 103).
CALIBRATION_PARAMS = {"XS": 0.058e6, "S": 0.228e6, "M": 1.06e6, "L": 4.21e6}


@pytest.fixture(scope="module")
def tokenizer():
    return build_tokenizer(SandboxWorld(SandboxWorldSpec(corpus_size=1000)).tokenizer_texts())


@pytest.mark.parametrize("size", SIZES)
def test_sizes_match_the_calibration(size, tokenizer):
    model = build_model(size, tokenizer, seed=0)
    params = sum(p.numel() for p in model.parameters())
    assert params == pytest.approx(CALIBRATION_PARAMS[size], rel=0.05)
    assert model.lm_head.weight is model.model.embed_tokens.weight
    assert model.config.max_position_embeddings == 256


def test_special_token_ids_follow_the_tokenizer(tokenizer):
    model = build_model("XS", tokenizer, seed=0)
    for config in (model.config, model.generation_config):
        assert (config.bos_token_id, config.eos_token_id, config.pad_token_id) == (
            tokenizer.bos_token_id,
            tokenizer.eos_token_id,
            tokenizer.pad_token_id,
        )


def test_seed_decides_the_weights_and_leaves_the_global_rng_alone(tokenizer):
    import torch

    torch.manual_seed(123)
    expected_next = torch.rand(1)
    torch.manual_seed(123)
    a = build_model("XS", tokenizer, seed=0)
    assert torch.equal(torch.rand(1), expected_next)
    assert torch.equal(a.model.embed_tokens.weight, build_model("XS", tokenizer, seed=0).model.embed_tokens.weight)
    assert not torch.equal(a.model.embed_tokens.weight, build_model("XS", tokenizer, seed=1).model.embed_tokens.weight)


def test_unknown_size(tokenizer):
    with pytest.raises(ValueError, match="unknown sandbox model size 'XL'"):
        build_model("XL", tokenizer, seed=0)


def test_save_and_reload_give_identical_logits_and_generations(tokenizer, tmp_path):
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    model = build_model("XS", tokenizer, seed=0).eval()
    model.save_pretrained(tmp_path)
    tokenizer.save_pretrained(tmp_path)
    reloaded = AutoModelForCausalLM.from_pretrained(tmp_path).eval()
    reloaded_tokenizer = AutoTokenizer.from_pretrained(tmp_path)

    chat = [{"role": "user", "content": "add 23 48"}]
    inputs = reloaded_tokenizer.apply_chat_template(
        chat, add_generation_prompt=True, tokenize=True, return_dict=True, return_tensors="pt"
    )
    with torch.no_grad():
        assert torch.equal(model(**inputs).logits, reloaded(**inputs).logits)
        generated = [m.generate(**inputs, max_new_tokens=8, do_sample=False) for m in (model, reloaded)]
    assert torch.equal(*generated)
    assert generated[0].shape[1] > inputs["input_ids"].shape[1]

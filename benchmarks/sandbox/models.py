"""Randomly initialised Llama models for the sandbox, in the sizes the calibration note measured."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from transformers import LlamaForCausalLM, PreTrainedTokenizerBase


@dataclass(frozen=True)
class ModelSize:
    hidden: int
    layers: int
    heads: int
    intermediate: int  # MLP width


# Shapes from notes/sandbox-calibration.md; with the 46-token sandbox vocabulary: 58k, 226k, 1.06M, 4.21M params.
SIZES = {
    "XS": ModelSize(hidden=48, layers=2, heads=3, intermediate=128),
    "S": ModelSize(hidden=96, layers=2, heads=6, intermediate=256),
    "M": ModelSize(hidden=128, layers=4, heads=4, intermediate=512),
    "L": ModelSize(hidden=256, layers=4, heads=8, intermediate=1024),
}


def build_model(size: str, tokenizer: PreTrainedTokenizerBase, seed: int) -> LlamaForCausalLM:
    """A freshly initialised Llama of `size` (a key of SIZES) over `tokenizer`'s vocabulary, tied embeddings."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    if size not in SIZES:
        raise ValueError(f"unknown sandbox model size {size!r}: use one of {', '.join(SIZES)}")
    shape = SIZES[size]
    config = LlamaConfig(
        vocab_size=len(tokenizer),
        hidden_size=shape.hidden,
        num_hidden_layers=shape.layers,
        num_attention_heads=shape.heads,
        num_key_value_heads=shape.heads,
        intermediate_size=shape.intermediate,
        max_position_embeddings=tokenizer.model_max_length,
        tie_word_embeddings=True,
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
        pad_token_id=tokenizer.pad_token_id,
    )
    # A private RNG stream: building a model must not shift the caller's global torch seed.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = LlamaForCausalLM(config)
    model.generation_config.bos_token_id = tokenizer.bos_token_id
    model.generation_config.eos_token_id = tokenizer.eos_token_id
    model.generation_config.pad_token_id = tokenizer.pad_token_id
    return model

"""The FLOP count behind benchmarks/perf/generation_peak.py's fraction of peak, checked by hand on a tiny Llama."""

from __future__ import annotations

from transformers import LlamaConfig, LlamaForCausalLM

from benchmarks.perf.smollm2 import ModelFlops, chat_prompts


def tiny(tied: bool) -> LlamaForCausalLM:
    return LlamaForCausalLM(
        LlamaConfig(
            vocab_size=100,
            hidden_size=16,
            intermediate_size=32,
            num_hidden_layers=2,
            num_attention_heads=4,
            num_key_value_heads=2,
            tie_word_embeddings=tied,
        )
    )


def test_model_flops_count_the_body_once_and_the_head_per_sampled_token():
    flops = ModelFlops.of(tiny(tied=True))
    # body per layer: q 16x16 + k,v 16x8 each + o 16x16 + mlp 3 x 16x32 + two norms of 16; plus the final norm
    layer = 256 + 2 * 128 + 256 + 3 * 512 + 2 * 16
    assert flops == ModelFlops(body_params=2 * layer + 16, head_params=1600, layers=2, attention_width=16)
    assert ModelFlops.of(tiny(tied=False)) == flops  # an untied head is the head, not the body
    n, h = flops.body_params, flops.head_params
    # a 3-token prompt: 3 tokens through the body, 6 causal (query, key) pairs, one head product
    assert flops.prefill(3) == 2 * n * 3 + 4 * 2 * 16 * 6 + 2 * h
    # 3 new tokens after it: tokens 1 and 2 are fed back, attending to 4 and 5 positions
    assert flops.decode(3, 3) == 2 * (2 * n + 2 * h) + 4 * 2 * 16 * (4 + 5)
    assert flops.decode(3, 1) == 0  # the first new token comes from the prefill's head


def test_chat_prompts_are_distinct_past_the_topic_grid():
    prompts = chat_prompts(200)
    assert len({p.text for p in prompts}) == 200 and prompts[:96] == chat_prompts(96)

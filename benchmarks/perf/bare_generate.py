"""The loop a careful user writes around `model.generate`, shared by the generation perf scripts as their baseline.

Chunks of `batch_size` prompts in the given order, each rendered with the chat template, left-padded and generated
in one call with the same sampling settings as the harness; it decodes the answers (a user needs the text) and
counts prompt and new tokens, so a script can turn the run into model FLOPs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from harness.generation import GenerationParams
from harness.generation.hf import render_prompt
from harness.types import Prompt


@dataclass(frozen=True)
class BareRun:
    answers: int
    prompt_tokens: list[int]  # per prompt, without padding
    new_tokens: list[list[int]]  # per prompt, per sample: tokens up to and including EOS


def generate_kwargs(params: GenerationParams, tokenizer: Any) -> dict[str, Any]:
    return {
        "do_sample": True,
        "temperature": params.temperature,
        "top_p": params.top_p,
        "top_k": 0,
        "max_new_tokens": params.max_new_tokens,
        "num_return_sequences": params.n,
        "pad_token_id": tokenizer.pad_token_id,
        "eos_token_id": tokenizer.eos_token_id,
    }


def bare_generate(
    model: Any, tokenizer: Any, prompts: list[Prompt], params: GenerationParams, batch_size: int
) -> BareRun:
    import torch

    texts = [render_prompt(tokenizer, p) for p in prompts]
    answers = 0
    prompt_tokens: list[int] = []
    new_tokens: list[list[int]] = []
    for first in range(0, len(texts), batch_size):
        batch = tokenizer(
            texts[first : first + batch_size], add_special_tokens=False, padding=True, return_tensors="pt"
        )
        torch.manual_seed(first)
        with torch.inference_mode():
            out = model.generate(**batch, **generate_kwargs(params, tokenizer))
        new = out[:, batch["input_ids"].shape[1] :].tolist()
        answers += len(tokenizer.batch_decode(new, skip_special_tokens=True))
        prompt_tokens += batch["attention_mask"].sum(dim=1).tolist()
        for row in range(0, len(new), params.n):
            new_tokens.append(
                [
                    ids.index(tokenizer.eos_token_id) + 1 if tokenizer.eos_token_id in ids else len(ids)
                    for ids in new[row : row + params.n]
                ]
            )
    return BareRun(answers, prompt_tokens, new_tokens)

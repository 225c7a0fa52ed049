"""Score-token probabilities: how likely a model is to continue an answer prefix ("Score: ") with each option.

A judge read this way gives an expected score (sum of p(k) * k over the options) instead of one sampled digit:
a graded verdict even where the model's sampled scores would all tie, and no unparseable output. Only the last
position's logits are computed (`logits_to_keep=1`): over a 49k vocabulary, full logits for every position of a
judge prompt cost a multiple of what the verdict needs (benchmarks.perf.judge_readout measures both).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

from harness.generation.batch_plan import length_batches
from harness.types import Prompt


@runtime_checkable
class NextTokenScorer(Protocol):
    """A generator that can read the probability of each option as the next token of an answer prefix."""

    def next_token_probs(self, prompts: Sequence[Prompt], prefix: str, options: Sequence[str]) -> list[list[float]]: ...


GENERATOR_CAPABILITIES: dict[type, str] = {NextTokenScorer: "next-token probabilities"}  # as validation names them


def option_token_ids(tokenizer: Any, prefix: str, options: Sequence[str]) -> tuple[list[int], list[int]]:
    """(prefix ids, one token id per option), such that prefix ids + option id is how the tokenizer writes
    prefix + option. A BPE tokenizer may merge the prefix's trailing space into the option (" 3"), so the
    prefix ids are the tokens all `prefix + option` encodings share, and each option must add exactly one."""
    encoded = [tokenizer(prefix + o, add_special_tokens=False)["input_ids"] for o in options]
    common = 0
    while all(len(ids) > common for ids in encoded) and len({ids[common] for ids in encoded}) == 1:
        common += 1
    extra = [ids[common:] for ids in encoded]
    if any(len(e) != 1 for e in extra):
        bad = [o for o, e in zip(options, extra) if len(e) != 1]
        raise ValueError(
            f"options {bad} after prefix {prefix!r} are not single tokens for this tokenizer; "
            "use a sampled judge read-out instead"
        )
    return encoded[0][:common], [e[0] for e in extra]


def next_token_probs(
    model: Any,
    tokenizer: Any,
    contexts: Sequence[list[int]],
    option_ids: Sequence[int],
    batch_size: int = 16,
    max_tokens: int | None = None,
    on_batch: Callable[[int], None] | None = None,
) -> list[list[float]]:
    """Probability of each option id as the token after each context (ids), in batches of similar length (at most
    `batch_size` contexts and, when given, `max_tokens` positions: harness.generation.batch_plan); `on_batch` is told
    each batch's size as it finishes."""
    import torch

    out: list[list[float]] = [[] for _ in contexts]
    wanted = torch.tensor(list(option_ids))
    for idx in length_batches([len(c) for c in contexts], batch_size, max_tokens):
        batch = tokenizer.pad({"input_ids": [contexts[i] for i in idx]}, return_tensors="pt", padding_side="left")
        mask = batch["attention_mask"].to(model.device)
        # Left padding shifts positions; the model must see each row's tokens at positions 0..n-1, as unpadded.
        positions = (mask.cumsum(-1) - 1).clamp(min=0)
        with torch.inference_mode():
            logits = model(
                input_ids=batch["input_ids"].to(model.device),
                attention_mask=mask,
                position_ids=positions,
                logits_to_keep=1,
            ).logits[:, -1, :]
        probs = torch.softmax(logits.float(), dim=-1)[:, wanted.to(logits.device)]
        for row, i in enumerate(idx):
            out[i] = probs[row].tolist()
        if on_batch is not None:
            on_batch(len(idx))
    return out


__all__ = ["NextTokenScorer", "next_token_probs", "option_token_ids"]

"""How a local model's prompts are grouped into batches: sorted by length so each batch pads little, at most
`max_rows` prompts a batch and, with a token budget, at most `max_tokens` positions in one batch's prompt pass
(rows x its longest prompt).

The budget exists because a batch that is right for short prompts is wrong for long ones on a CPU: a prompt pass
over many long judge prompts at once no longer keeps its activations in cache, and the same prompts read in smaller
batches finish sooner (`python -m benchmarks.perf.judge_readout` measures it; the numbers are on the docs site's
results/performance page).
"""

from __future__ import annotations

from collections.abc import Sequence


def length_batches(
    lengths: Sequence[int], max_rows: int, max_tokens: int | None = None, rows_per_prompt: int = 1
) -> list[list[int]]:
    """Indices into `lengths`, shortest first, cut into batches of at most `max_rows` prompts whose rows (each
    prompt read `rows_per_prompt` times) x longest length stay within `max_tokens`; a prompt longer than the budget
    gets a batch of its own. Without a budget: consecutive chunks of `max_rows`, as a plain batched loop cuts them."""
    if max_rows < 1 or (max_tokens is not None and max_tokens < 1):
        raise ValueError(f"batches need max_rows >= 1 and max_tokens >= 1 (got {max_rows}, {max_tokens})")
    batches: list[list[int]] = []
    current: list[int] = []
    for i in sorted(range(len(lengths)), key=lambda i: lengths[i]):  # stable: equal lengths keep their order
        over_budget = max_tokens is not None and (len(current) + 1) * rows_per_prompt * lengths[i] > max_tokens
        if current and (len(current) == max_rows or over_budget):
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches


__all__ = ["length_batches"]

"""Prompts must fit the model: a prompt longer than the context minus the tokens to generate is an error.

Silently truncating would judge or train on a different question than the dataset asked (the end of a chat
prompt is where the instruction usually is), and letting it through fails deep inside the model with an index
error, or on some models generates garbage past the position table. So it stops before any generation, naming
the prompt and what to change.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from harness.types import Prompt

# Tokenizers that know no limit report a huge sentinel (int(1e30)) as model_max_length.
_NO_LIMIT = 10**9


def context_length(model: Any, tokenizer: Any) -> int | None:
    """Positions the model can attend to, from its config (or its tokenizer); None when neither says."""
    config = getattr(model, "config", None)
    for name in ("max_position_embeddings", "n_positions", "max_sequence_length", "seq_length"):
        value = getattr(config, name, None)
        if isinstance(value, int) and value > 0:
            return value
    limit = getattr(tokenizer, "model_max_length", None)
    return limit if isinstance(limit, int) and 0 < limit < _NO_LIMIT else None


def check_prompts_fit(
    prompts: Sequence[Prompt], prompt_tokens: Sequence[int], max_new_tokens: int, limit: int | None, model_name: str
) -> None:
    """Raises ValueError naming the first prompt (and how many more) that cannot be answered in `limit` positions.

    `prompt_tokens` are the prompts' lengths as the generator encoded them (chat template included), so the check
    costs no second rendering; `limit` is `context_length(...)`, None when the model states none.
    """
    if limit is None:
        return
    room = limit - max_new_tokens
    if room < 1:
        raise ValueError(
            f"max_new_tokens={max_new_tokens} leaves no room for a prompt in the context of {limit} "
            f"tokens of {model_name}; lower max_new_tokens below {limit}"
        )
    too_long = [(p.id, n) for p, n in zip(prompts, prompt_tokens, strict=True) if n > room]
    if too_long:
        pid, n = too_long[0]
        more = f" (and {len(too_long) - 1} more prompts)" if len(too_long) > 1 else ""
        raise ValueError(
            f"prompt {pid!r} is {n} tokens{more}: with max_new_tokens={max_new_tokens} it does not fit "
            f"the context of {limit} tokens of {model_name}; shorten or drop it in the dataset, "
            f"lower max_new_tokens, or use a model with a longer context"
        )

"""Log-probability of a completion under a causal LM, tokenised exactly as the trainers do."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch
    from transformers import PreTrainedModel, PreTrainedTokenizerBase


def completion_token_ids(
    tokenizer: PreTrainedTokenizerBase, prompt_messages: Sequence[dict[str, str]], completion_text: str
) -> tuple[list[int], int]:
    """(ids of prompt + completion under the chat template, index where the completion starts).

    Like TRL, the completion starts where the prompt rendered with the generation prompt stops being a prefix of
    the whole conversation, so it includes the template's end-of-turn tokens.
    """
    from trl.data_utils import common_prefix_length

    if not prompt_messages:
        raise ValueError("prompt_messages: got none; pass at least one message before the completion")
    prompt = [dict(m) for m in prompt_messages]
    prompt_ids = tokenizer.apply_chat_template(prompt, add_generation_prompt=True, tokenize=True, return_dict=True)
    full_ids = tokenizer.apply_chat_template(
        [*prompt, {"role": "assistant", "content": completion_text}], tokenize=True, return_dict=True
    )
    full = list(full_ids["input_ids"])
    return full, common_prefix_length(list(prompt_ids["input_ids"]), full)


def sequence_logprobs(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    prompt_messages: Sequence[dict[str, str]],
    completion_text: str,
) -> float:
    """Sum of the completion tokens' log-probabilities given the prompt (the quantity DPO's margin is built from)."""
    import torch

    ids, start = completion_token_ids(tokenizer, prompt_messages, completion_text)
    if start == 0:
        raise ValueError("prompt_messages: render to no tokens; pass at least one message")
    if start >= len(ids):
        raise ValueError("completion_text: renders to no tokens after the prompt; pass a non-empty completion")
    input_ids = torch.tensor([ids], device=model.device)
    was_training = model.training
    model.eval()  # dropout would make the number random
    with torch.no_grad():
        logits = model(input_ids=input_ids).logits[0, :-1].float()
    model.train(was_training)
    token_logprobs = torch.log_softmax(logits, dim=-1).gather(-1, input_ids[0, 1:, None]).squeeze(-1)
    return float(token_logprobs[start - 1 :].sum())


def token_logprobs(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    prompt_messages: Sequence[dict[str, str]],
    completion_text: str,
) -> torch.Tensor:
    """Each completion token's log-probability given the prompt, with gradients (the online updates' input)."""
    import torch

    ids, start = completion_token_ids(tokenizer, prompt_messages, completion_text)
    input_ids = torch.tensor([ids], device=model.device)
    logits = model(input_ids=input_ids).logits[0, :-1].float()
    return torch.log_softmax(logits, dim=-1).gather(-1, input_ids[0, 1:, None]).squeeze(-1)[start - 1 :]

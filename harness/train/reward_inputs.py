"""What an encoder reward model reads: `[CLS] end of the dialogue [SEP] reply [SEP]`, cut to fit.

Training (`harness.train.reward`) and scoring (`judges/reward_model.py`) both call `encoder_reward_ids`, so a
reward model is scored on exactly the inputs it was trained on. Encoders have no EOS token and no chat
template, so TRL's own tokenisation (append EOS, apply the chat template, drop over-long rows) does not fit
them; they get pre-tokenised `chosen_ids` / `rejected_ids` instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datasets import Dataset
    from transformers import PreTrainedTokenizerBase

SPEAKERS = {"user": "Human", "assistant": "Assistant", "system": "System"}


def is_encoder_tokenizer(tokenizer: PreTrainedTokenizerBase) -> bool:
    """A sentence-pair tokenizer ([CLS]/[SEP] or <s>/</s>) without a chat template: a BERT-style encoder's.

    Decoder tokenizers either have a chat template or lack a separator token, and keep TRL's own tokenisation.
    """
    return tokenizer.chat_template is None and tokenizer.cls_token is not None and tokenizer.sep_token is not None


def render_dialogue(messages: Sequence[Mapping[str, str]]) -> str:
    """The prompt turns as text, speakers named the way HH-RLHF writes them."""
    return "\n\n".join(f"{SPEAKERS.get(m['role'], m['role'].title())}: {m['content']}" for m in messages)


def encoder_reward_ids(
    tokenizer: PreTrainedTokenizerBase, prompt: Sequence[Mapping[str, str]] | str, reply: str, max_length: int
) -> list[int]:
    """Token ids of (prompt, reply) as a sentence pair, at most `max_length` long with the special tokens.

    When both do not fit, the prompt keeps its END (the last turns say what the reply answers) and the reply its
    beginning; each gets at least half of the room when it needs it, and whatever the other leaves unused.
    """
    room = max_length - tokenizer.num_special_tokens_to_add(pair=True)
    if room < 2:
        raise ValueError(f"max_length={max_length} leaves no room for a prompt and a reply; use at least 16")
    text = prompt if isinstance(prompt, str) else render_dialogue(prompt)
    head = tokenizer(text, add_special_tokens=False, verbose=False).encodings[0]  # cut below, so no length warning
    answer = tokenizer(reply, add_special_tokens=False, verbose=False).encodings[0]
    keep_prompt = min(len(head.ids), max(room - len(answer.ids), room // 2))
    keep_reply = min(len(answer.ids), room - keep_prompt)
    if len(head.ids) > keep_prompt:
        head.truncate(keep_prompt, direction="left")
    if len(answer.ids) > keep_reply:
        answer.truncate(keep_reply, direction="right")
    # The fast backend adds the special tokens exactly as `tokenizer(a, b)` would ([CLS] a [SEP] b [SEP] for BERT, the
    # model's own template otherwise); transformers 5 tokenizers no longer expose build_inputs_with_special_tokens.
    # The two calls above left the backend without padding or truncation, so post_process adds nothing else.
    return tokenizer.backend_tokenizer.post_process(head, answer, add_special_tokens=True).ids


def _reply_text(reply: Any) -> str:
    """A TRL completion: a string, or assistant messages (conversational pairs)."""
    return reply if isinstance(reply, str) else "\n\n".join(m["content"] for m in reply)


def encoder_preference_dataset(tokenizer: PreTrainedTokenizerBase, rows: Dataset, max_length: int) -> Dataset:
    """TRL prompt/chosen/rejected rows as the pre-tokenised `chosen_ids` / `rejected_ids` RewardTrainer accepts."""

    def tokenize(row: dict[str, Any]) -> dict[str, list[int]]:
        return {
            f"{side}_ids": encoder_reward_ids(tokenizer, row["prompt"], _reply_text(row[side]), max_length)
            for side in ("chosen", "rejected")
        }

    return rows.map(tokenize, remove_columns=rows.column_names)

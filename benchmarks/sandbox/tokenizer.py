"""A character-level tokenizer for sandbox models, built locally (no pretrained vocabulary can be downloaded).

One token per character seen in the training texts, plus special tokens for sequence bounds, padding,
unknown characters and the chat roles. It is a `PreTrainedTokenizerFast`, so TRL trainers and
`AutoTokenizer.from_pretrained` handle it like any hub tokenizer; `ChatEncoder` is a faster path to the
same ids for bulk pretraining data.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from transformers import PreTrainedTokenizerFast

PAD, BOS, EOS, UNK = "<pad>", "<bos>", "<eos>", "<unk>"
ROLE_MARKERS = {"system": "<sys>", "user": "<user>", "assistant": "<bot>"}
SPECIAL_TOKENS = (PAD, BOS, EOS, UNK, *ROLE_MARKERS.values())
MODEL_MAX_LENGTH = 256  # tokens; sandbox chats stay under 128, and models take their context length from here

# The assistant turn, its end-of-sequence token included, sits inside {% generation %} so TRL's
# assistant_only_loss trains the model to stop. The prompt rendered with add_generation_prompt is a prefix
# of the rendering with the answer, as TRL's DPO tokenisation requires.
CHAT_TEMPLATE = (
    "{%- set marker = " + json.dumps(ROLE_MARKERS) + " -%}"
    """
{{- bos_token -}}
{%- for message in messages -%}
    {%- if message['role'] not in marker -%}
        {{- raise_exception('sandbox chat role must be system, user or assistant, not ' + message['role']) -}}
    {%- endif -%}
    {{- marker[message['role']] -}}
    {%- if message['role'] == 'assistant' -%}
        {%- generation -%}{{- message['content'] + eos_token -}}{%- endgeneration -%}
    {%- else -%}
        {{- message['content'] -}}
    {%- endif -%}
{%- endfor -%}
{%- if add_generation_prompt -%}{{- marker['assistant'] -}}{%- endif -%}
"""
)


def build_tokenizer(texts: Iterable[str]) -> PreTrainedTokenizerFast:
    """A char-level tokenizer over every character in `texts` (pass `SandboxWorld.tokenizer_texts()`)."""
    from tokenizers import Tokenizer, decoders, models
    from transformers import PreTrainedTokenizerFast

    characters = sorted(set("".join(texts)))
    vocab = {token: i for i, token in enumerate((*SPECIAL_TOKENS, *characters))}
    # BPE without merges and without a pre-tokenizer splits text into single characters; Fuse joins them
    # back on decode, so no spaces are inserted between tokens.
    core = Tokenizer(models.BPE(vocab=vocab, merges=[], unk_token=UNK))
    core.decoder = decoders.Fuse()
    core.add_special_tokens(list(SPECIAL_TOKENS))
    return PreTrainedTokenizerFast(
        tokenizer_object=core,
        bos_token=BOS,
        eos_token=EOS,
        pad_token=PAD,
        unk_token=UNK,
        additional_special_tokens=list(ROLE_MARKERS.values()),
        chat_template=CHAT_TEMPLATE,
        model_max_length=MODEL_MAX_LENGTH,
        padding_side="left",  # generation pads on the left; TRL's collators pad by themselves
    )


class ChatEncoder:
    """Encodes chats to the same ids as `tokenizer.apply_chat_template`, without Jinja or the Rust round trip."""

    def __init__(self, tokenizer: PreTrainedTokenizerFast) -> None:
        vocab: Mapping[str, int] = tokenizer.get_vocab()
        self._ids = {token: i for token, i in vocab.items() if len(token) == 1}
        self._unk = vocab[UNK]
        self._bos, self._eos = vocab[BOS], vocab[EOS]
        self._markers = {role: vocab[marker] for role, marker in ROLE_MARKERS.items()}

    def encode(self, messages: Sequence[Mapping[str, str]], add_generation_prompt: bool = False) -> list[int]:
        ids, unk = [self._bos], self._unk
        for message in messages:
            role = message["role"]
            if role not in self._markers:
                raise ValueError(f"sandbox chat role must be system, user or assistant, not {role!r}")
            ids.append(self._markers[role])
            ids.extend(self._ids.get(c, unk) for c in message["content"])
            if role == "assistant":
                ids.append(self._eos)
        if add_generation_prompt:
            ids.append(self._markers["assistant"])
        return ids

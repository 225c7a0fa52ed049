"""Causal-LM pretraining from scratch (the sandbox zoo): loss on every token of every document.

Documents are tokenised here in batched calls and row-packed (harness.train.packing), so every step trains on full
rows of real tokens. The trainer is transformers' own `Trainer` with the model's plain next-token loss, not TRL's
SFTTrainer: SFTTrainer's loss runs TRL's chunked log-prob kernel and computes entropy and token accuracy on every step,
which a from-scratch pretraining does not need and which made the stage slower (benchmarks/perf/pretrain_speed.py,
sandbox S, 40 steps, one thread: harness / bare-loop CPU-time ratio 0.82 with SFTTrainer, 0.85 with Trainer).
Everything else (arguments from TrainSpec, checkpoints, resume, saving) is the training core's, through
`train_and_save`.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.progress import NULL_PROGRESS, Progress
from harness.train.result import TrainResult, train_and_save
from harness.train.runtime import configure_torch_threads, training_output
from harness.train.sft import Conversation
from harness.train.spec import TrainSpec

if TYPE_CHECKING:
    from transformers import PreTrainedModel, PreTrainedTokenizerBase, Trainer
    from trl import SFTConfig

Documents = Sequence[str] | Sequence[Conversation] | Sequence[Sequence[int]]


def pretrain(
    model: PreTrainedModel,
    tokenizer: PreTrainedTokenizerBase,
    texts_or_conversations: Documents,
    spec: TrainSpec,
    out_dir: str | Path,
    progress: Progress = NULL_PROGRESS,
) -> TrainResult:
    """Train `model` in place on plain texts, chat conversations (rendered with the tokenizer's chat template) or
    documents already tokenised (lists of ids: the fast path for a big corpus, e.g. the sandbox's ChatEncoder).

    Every document ends with the tokenizer's EOS so the model learns to stop. `spec.max_length` is the packed row
    length and `per_device_train_batch_size` counts rows; a document longer than a row continues in another row.
    With `max_steps` set, only as many documents as those steps can consume are tokenised and packed, drawn in a
    random order seeded by `spec.seed`. metrics add `train_tokens` (real tokens fed to the model, padding excluded)
    and `train_tokens_per_second`.
    """
    if spec.lora is not None:
        raise ValueError("lora: pretraining trains every weight from scratch; set lora to null for pretrain")
    if tokenizer.eos_token_id is None or tokenizer.pad_token_id is None:
        raise ValueError("tokenizer: pretraining needs eos_token and pad_token set on the tokenizer")
    configure_torch_threads()
    config = pretraining_config(spec, out_dir)
    rows_needed = spec.max_steps * config.per_device_train_batch_size * config.gradient_accumulation_steps
    token_budget = rows_needed * config.world_size * spec.max_length if spec.max_steps > 0 else None
    with training_output(progress.verbose or not config.disable_tqdm):
        documents = training_documents(tokenizer, texts_or_conversations, token_budget, spec.seed)
        return train_and_save(pretraining_trainer(model, tokenizer, documents, config), out_dir, progress=progress)


def pretraining_config(spec: TrainSpec, out_dir: str | Path) -> SFTConfig:
    return spec.to_trl_config(
        "sft",
        out_dir,
        include_num_input_tokens_seen="non_padding",
        remove_unused_columns=False,  # the collator needs each row's `length`, which the model does not take
    )


def pretraining_trainer(
    model: PreTrainedModel, tokenizer: PreTrainedTokenizerBase, documents: list[list[int]], config: SFTConfig
) -> Trainer:
    """A Trainer over `documents` (token ids, EOS included) row-packed to `config.max_length`."""
    from transformers import Trainer

    from harness.train.packing import PackedRowCollator, packed_rows

    return Trainer(
        model=model,
        args=config,
        train_dataset=packed_rows(documents, config.max_length, tokenizer.pad_token_id),
        processing_class=tokenizer,
        data_collator=PackedRowCollator(),
    )


def training_documents(
    tokenizer: PreTrainedTokenizerBase, items: Documents, token_budget: int | None, seed: int, chunk_size: int = 8192
) -> list[list[int]]:
    """All documents tokenised, or, given a token budget, documents in a seeded random order until it is covered.

    A budget of rows x row length is always enough: packed rows hold at most that many tokens.
    """
    if token_budget is None:
        return tokenize_documents(tokenizer, items)
    order = random.Random(seed).sample(range(len(items)), len(items))
    documents: list[list[int]] = []
    tokens = 0
    for start in range(0, len(order), chunk_size):  # batched tokenizer calls, stopping once the budget is met
        chunk = tokenize_documents(tokenizer, [items[i] for i in order[start : start + chunk_size]])
        documents += chunk
        tokens += sum(map(len, chunk))
        if tokens >= token_budget:
            break
    return documents


def tokenize_documents(tokenizer: PreTrainedTokenizerBase, items: Documents) -> list[list[int]]:
    """Token ids per document, each ending with EOS, from texts, conversations or token ids (one kind, not mixed)."""
    if not items:
        raise ValueError("texts_or_conversations: got no documents; pass at least one text or conversation")
    kinds = {_kind(item) for item in items}
    if len(kinds) != 1 or None in kinds:
        raise ValueError(
            "texts_or_conversations: items must all be str, all lists of {role, content} messages, "
            "or all lists of token ids"
        )
    kind = kinds.pop()
    if kind == "ids":
        ids = [list(item) for item in items]
    elif kind == "text":
        ids = tokenizer(list(items))["input_ids"]
    else:
        rendered = tokenizer.apply_chat_template([list(c) for c in items], tokenize=False)
        ids = tokenizer(rendered, add_special_tokens=False)["input_ids"]  # the template placed them already
    eos = tokenizer.eos_token_id
    return [doc if doc and doc[-1] == eos else [*doc, eos] for doc in ids]


def _kind(item: Any) -> str | None:
    """What a document is, judged by its first element (checking every token of a big corpus takes seconds)."""
    if isinstance(item, str):
        return "text"
    if isinstance(item, (list, tuple)) and item:
        if isinstance(item[0], int):
            return "ids"
        if isinstance(item[0], dict) and "role" in item[0]:
            return "chat"
    return None

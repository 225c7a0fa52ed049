"""Row packing for pretraining on many short documents, correct without flash-attention.

TRL's own packing ("bfd") switches to padding-free batches: the whole batch becomes one row, which is only cheap
with flash-attention's varlen kernels. With SDPA on CPU the model then builds a (batch x length)^2 block mask and
attends over all of it. "wrapped" packing keeps rows but lets documents attend across their boundaries.

Here documents are bin-packed into rows of `max_length` with TRL's `pack_dataset` (best fit, overflow split into
other rows), and each row carries position ids that restart at every document and no attention mask.
transformers then derives a block-diagonal causal mask per row from the position ids (masking_utils
`find_packed_sequence_indices`), so no token sees another document and attention costs rows x length^2.

Rows become tensors once, when packed: a step's batch is then a slice and a stack, not a conversion of Python lists
(benchmarks/perf/pretrain_speed.py). Imports TRL and torch at module level: import this module inside the function
that trains.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import torch
from datasets import Dataset
from trl import pack_dataset


class PackedRows(torch.utils.data.Dataset):
    """Documents bin-packed into rows: row i is `{"input_ids", "position_ids"}`, `max_length` wide, right-padded with
    `pad_token_id` (position 0 on every pad, so each pad is a document of its own); `seq_lengths[i]` lists the lengths
    of the documents (or document pieces) in row i and `lengths[i]` their sum."""

    def __init__(self, token_ids: list[list[int]], max_length: int, pad_token_id: int) -> None:
        packed = pack_dataset(Dataset.from_dict({"input_ids": token_ids}), max_length, strategy="bfd_split")
        rows, self.seq_lengths = packed["input_ids"], packed["seq_lengths"]
        self.lengths = torch.tensor([len(row) for row in rows], dtype=torch.int32)
        documents = np.fromiter(itertools.chain.from_iterable(self.seq_lengths), dtype=np.int64)
        starts = np.repeat(np.cumsum(documents) - documents, documents)  # each token's document start
        filled = np.arange(max_length)[None, :] < self.lengths.numpy()[:, None]  # row-major, as the rows are chained
        input_ids = np.full((len(rows), max_length), pad_token_id, dtype=np.int32)
        input_ids[filled] = np.fromiter(itertools.chain.from_iterable(rows), dtype=np.int32)
        position_ids = np.zeros_like(input_ids)
        position_ids[filled] = np.arange(documents.sum()) - starts
        self.input_ids, self.position_ids = torch.from_numpy(input_ids), torch.from_numpy(position_ids)

    def __len__(self) -> int:
        return len(self.lengths)

    def __getitem__(self, i: int) -> dict[str, torch.Tensor]:
        return {"input_ids": self.input_ids[i], "position_ids": self.position_ids[i], "length": self.lengths[i]}


def packed_rows(token_ids: list[list[int]], max_length: int, pad_token_id: int) -> PackedRows:
    """Tokenised documents (EOS included) → rows of at most `max_length` tokens, as tensors."""
    return PackedRows(token_ids, max_length, pad_token_id)


@dataclass(frozen=True)
class PackedRowCollator:
    """Batches `PackedRows` rows, cut to the longest row in the batch: input ids, position ids that restart per
    document, labels, no attention mask and `use_cache=False`. transformers reads document boundaries from the
    position ids only when it has neither a mask nor a KV cache, and a forward makes a cache whenever `use_cache` is
    on; Trainer turns it off in the model's config, a bare loop would not, so the batch turns it off itself."""

    def __call__(self, rows: list[dict[str, torch.Tensor]]) -> dict[str, torch.Tensor | bool]:
        width = int(max(row["length"] for row in rows))
        input_ids = torch.stack([row["input_ids"][:width] for row in rows]).long()
        position_ids = torch.stack([row["position_ids"][:width] for row in rows]).long()
        # A document's first token must not be predicted from the previous document's last one; pads are never
        # predicted either (position 0 too).
        labels = input_ids.masked_fill(position_ids == 0, -100)
        return {"input_ids": input_ids, "position_ids": position_ids, "labels": labels, "use_cache": False}

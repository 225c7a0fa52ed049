"""Row packing for pretraining on many short documents, correct without flash-attention.

TRL's own packing ("bfd") switches to padding-free batches: the whole batch becomes one row, which is only cheap
with flash-attention's varlen kernels. With SDPA on CPU the model then builds a (batch x length)^2 block mask and
attends over all of it. "wrapped" packing keeps rows but lets documents attend across their boundaries.

Here documents are bin-packed into rows of `max_length` with TRL's `pack_dataset` (best fit, overflow split into
other rows), and each row carries position ids that restart at every document and no attention mask.
transformers then derives a block-diagonal causal mask per row from the position ids (masking_utils
`find_packed_sequence_indices`), so no token sees another document and attention costs rows x length^2.

Imports TRL at module level: import this module inside the function that trains.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from datasets import Dataset
from trl import pack_dataset
from trl.trainer.sft_trainer import DataCollatorForLanguageModeling


def packed_rows(token_ids: list[list[int]], max_length: int) -> Dataset:
    """Tokenised documents (EOS included) → rows of at most `max_length` tokens, with their `seq_lengths`."""
    return pack_dataset(Dataset.from_dict({"input_ids": token_ids}), max_length, strategy="bfd_split")


@dataclass
class PackedRowCollator(DataCollatorForLanguageModeling):
    """Batches `packed_rows` output: position ids restart per document, no attention mask, no cross-document labels."""

    return_position_ids: bool = True

    def torch_call(self, examples: list[dict[str, Any]]) -> dict[str, Any]:
        batch = super().torch_call(examples)
        # Without an attention mask transformers reads document boundaries from the restarting position ids;
        # right padding gets position 0 throughout, so each pad token is a document of its own.
        del batch["attention_mask"]
        # A document's first token must not be predicted from the previous document's last one.
        batch["labels"][batch["position_ids"] == 0] = -100
        return batch

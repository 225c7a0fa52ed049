"""The reference model's log-probabilities for DPO, computed once per answer and shared by every stage that needs it.

DPO compares the policy's log-probability of each chosen and rejected answer with the frozen reference model's.
The reference's value depends only on its weights and the tokens of (prompt, answer), so pair sets built from the
same candidates share them: the judge-accuracy dial flips labels of one pair set, and judges of one candidate pool
pick overlapping pairs. TRL computes them in every training step (a third of a LoRA step's compute), or, with
`precompute_ref_log_probs`, once per dataset: its cache is keyed by the dataset's fingerprint, so a relabelled
pair set computes everything again.

`CachedReferenceTrainer` keeps TRL's precompute pass but looks each (prompt, answer) up in a SQLite file of the
results folder first and runs TRL's own `compute_ref_log_probs` only on pairs with an answer missing, so
tokenisation, truncation and the summed log-probability are TRL's. The first value stored is the one every later
stage reads (never overwritten), so a rerun after a crash reads what the first attempt used; it may differ from a
value computed inside a training step in the last float bits (another batch's padding).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from harness.run.cache import CallCache

if TYPE_CHECKING:
    from datasets import Dataset
    from trl import DPOConfig, DPOTrainer

NAMESPACE = "dpo-reference-logps"
TOKEN_COLUMNS = ["prompt_ids", "chosen_ids", "rejected_ids"]


class ReferenceCache(BaseModel):
    """Where reference log-probabilities are kept, and whose they are."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: Path = Field(description="SQLite file, shared by concurrent runs of one results folder")
    model_id: str = Field(description="content id of the reference (start) model: the stage key of its folder")


@dataclass
class ReferenceCounts:
    """Pairs whose reference log-probabilities the precompute pass computed, and pairs it found cached."""

    computed: int = 0
    reused: int = 0


def stage_reference(results: Path, kind: str, start_key: str) -> ReferenceCache | None:
    """The results folder's cache for a DPO stage from the model with content id `start_key`; None otherwise."""
    if kind != "dpo" or not start_key:
        return None
    return ReferenceCache(path=results / "cache" / "reference.sqlite", model_id=start_key)


def usable(config: DPOConfig) -> str | None:
    """Why the cache cannot serve this configuration, or None when it can."""
    if config.ld_alpha is not None:
        return "ld_alpha weights an answer's tokens by its partner's length"
    if config.sync_ref_model:
        return "sync_ref_model moves the reference during training"
    return None


def answer_key(reference: ReferenceCache, config: DPOConfig, dtype: str, prompt: list[int], answer: list[int]) -> str:
    """The value's identity: the reference model, how sequences are cut, the weights' dtype and the tokens."""
    ident = [reference.model_id, config.max_length, config.truncation_mode, dtype, prompt, answer]
    return hashlib.sha256(json.dumps(ident, separators=(",", ":")).encode()).hexdigest()


def cached_reference_trainer(reference: ReferenceCache, counts: ReferenceCounts, **kwargs: Any) -> DPOTrainer:
    """A DPOTrainer whose reference log-probabilities come from `reference`'s cache (TRL's precompute pass, cached
    per answer); `counts` says how many pairs were computed and reused. Call only when `usable(config)` is None;
    sets `precompute_ref_log_probs` on the config."""
    from torch.utils.data import DataLoader
    from trl import DPOTrainer

    config: DPOConfig = kwargs["args"]
    config.precompute_ref_log_probs = True

    class CachedReferenceTrainer(DPOTrainer):
        def _precompute_ref_logps(self, dataset: Dataset, name: str, batch_size: int) -> Dataset:
            cache = CallCache(reference.path, NAMESPACE)
            assert self.model is not None  # TRL has loaded the policy before its precompute pass
            dtype = str(next(self.model.parameters()).dtype)
            rows = dataset.select_columns(TOKEN_COLUMNS).to_list()
            keys = [
                (
                    answer_key(reference, config, dtype, r["prompt_ids"], r["chosen_ids"]),
                    answer_key(reference, config, dtype, r["prompt_ids"], r["rejected_ids"]),
                )
                for r in rows
            ]
            found = cache.get_many(sorted({k for pair in keys for k in pair}))
            todo = [i for i, (c, r) in enumerate(keys) if c not in found or r not in found]
            if todo:
                loader = self.accelerator.prepare(
                    DataLoader(
                        dataset.select(todo), batch_size=batch_size, collate_fn=self.data_collator, shuffle=False
                    )
                )
                values: list[float] = []
                for batch in loader:
                    chosen, rejected = self.compute_ref_log_probs(self.model, batch)
                    values.extend(v for pair in zip(chosen.tolist(), rejected.tolist(), strict=True) for v in pair)
                fresh = dict(zip((k for i in todo for k in keys[i]), values, strict=True))
                cache.put_many([(k, v, True) for k, v in fresh.items() if k not in found])
                found = {**fresh, **found}  # a value already stored wins, as it does for every later reader
            counts.computed, counts.reused = len(todo), len(rows) - len(todo)
            cache.close()
            return dataset.add_column("ref_chosen_logps", [found[c] for c, _ in keys]).add_column(
                "ref_rejected_logps", [found[r] for _, r in keys]
            )

    return CachedReferenceTrainer(**kwargs)


__all__ = [
    "NAMESPACE",
    "ReferenceCache",
    "ReferenceCounts",
    "answer_key",
    "cached_reference_trainer",
    "stage_reference",
    "usable",
]

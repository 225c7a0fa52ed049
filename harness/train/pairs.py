"""Preference pairs as the dataset TRL's DPO and reward trainers read."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from harness.types import PreferencePair

if TYPE_CHECKING:
    from datasets import Dataset

PAIR_COLUMNS = ("prompt", "chosen", "rejected")


def preference_dataset(pairs: Sequence[Mapping[str, Any] | PreferencePair]) -> Dataset:
    """TRL conversational prompt/chosen/rejected rows from dicts or PreferencePairs (other keys are dropped)."""
    from datasets import Dataset

    if not pairs:
        raise ValueError("pairs: got none; pass at least one {prompt, chosen, rejected} pair")
    rows = []
    for index, pair in enumerate(pairs):
        row = pair.to_trl() if isinstance(pair, PreferencePair) else pair
        missing = [column for column in PAIR_COLUMNS if column not in row]
        if missing:
            raise ValueError(f"pairs[{index}] lacks {', '.join(missing)}: every pair needs {', '.join(PAIR_COLUMNS)}")
        rows.append({column: row[column] for column in PAIR_COLUMNS})
    return Dataset.from_list(rows)

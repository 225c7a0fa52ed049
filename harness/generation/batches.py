"""Finished generation batches, kept in SQLite so a killed stage redoes at most the batch in flight.

A local generator samples each batch with a seed derived from the batch's prompts, so a batch's output depends only
on the model, the sampling parameters and the batch's exact inputs in order. That triple is the key here: a rerun
that forms the same batches (same prompts, same sort, same batch size) reads them back instead of recomputing,
and its outputs are bit-identical to an uninterrupted run. Each batch is one WAL transaction (harness.run.cache), so a
kill mid-write leaves the batch absent, never half there.

Model identity: a local directory is fingerprinted by its files' names, sizes and modification times (a stage's
model folder is content-addressed and never rewritten; a user's folder that is retrained gets new mtimes); a hub
id is identified by the commit it resolved to, so a moved `main` never serves stale batches.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness.generation import GenerationParams
from harness.hashing import stable_hash
from harness.run.cache import CallCache

NAMESPACE = "generation-batches"
PROBS_NAMESPACE = "next-token-probs"


def model_identity(path: str, revision: str | None, model: Any) -> str:
    """What decides a model's outputs: its files (local directory) or its resolved hub commit."""
    local = Path(path)
    if local.is_dir():
        files = sorted(
            (str(f.relative_to(local)), f.stat().st_size, f.stat().st_mtime_ns) for f in local.rglob("*") if f.is_file()
        )
        return stable_hash("dir", os.path.realpath(local), files)
    commit = getattr(getattr(model, "config", None), "_commit_hash", None)
    return stable_hash("hub", path, commit or revision)


class BatchCache:
    """Batches of (text, new token count) rows, keyed by model identity, runtime, params and the batch's inputs."""

    def __init__(self, path: str | Path):
        self._cache = CallCache(path, NAMESPACE)
        self._probs = CallCache(path, PROBS_NAMESPACE)

    @staticmethod
    def key(
        model: str,
        runtime: str,
        params: GenerationParams,
        prompt_ids: Sequence[str],
        input_ids: Sequence[Sequence[int]],
    ) -> str:
        return stable_hash(model, runtime, params.model_dump(), list(prompt_ids), [list(i) for i in input_ids])

    def get(self, key: str) -> list[tuple[str, int]] | None:
        rows = self._cache.get(key)
        return None if rows is None else [(text, int(n)) for text, n in rows]

    def put(self, key: str, rows: Sequence[tuple[str, int]]) -> None:
        self._cache.put(key, [[text, n] for text, n in rows])

    def probs_key(self, model: str, runtime: str, option_ids: Sequence[int], context: Sequence[int]) -> str:
        """Score-token probabilities are kept per context, not per batch: a judge read twice over the same
        candidates (a feedback source, then the judge-quality table) forms other batches but asks the same
        contexts. Padding moves the values by ~1e-4, so a reused value may differ from a recomputed one by that."""
        return stable_hash("probs", model, runtime, list(option_ids), list(context))

    def get_probs(self, keys: Sequence[str]) -> dict[str, list[float]]:
        return self._probs.get_many(list(keys))

    def put_probs(self, found: dict[str, list[float]]) -> None:
        self._probs.put_many([(key, probs, True) for key, probs in found.items()])

    def close(self) -> None:
        self._cache.close()
        self._probs.close()

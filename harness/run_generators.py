"""Build a recipe model's generator the way every run does: remote calls cached beside the run's results,
local generation keeping finished batches, provenance naming the model by its key. Feedback runs
(harness/pipeline.py) and judge-evaluation runs (harness/judge_eval/run.py) share it, so a judge's calls go
through the same cache, executor and budget as feedback."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from harness.generation import Generator
from harness.progress import NULL_PROGRESS, Progress
from harness.registry import generators


def build_generator(
    backend: str, path: str, key: str, params: dict[str, Any], results: Path, progress: Progress = NULL_PROGRESS
) -> Generator:
    accepts = generators.get(backend).parameters
    params = dict(params)
    # Local backends take a `path`, API backends a `model` name; both come from ModelSpec.path.
    params["path" if "path" in accepts else "model"] = path
    if "progress" in accepts:  # a backend that counts its batches reports them to the run's display
        params.setdefault("progress", progress)
    if "identity" in accepts:  # provenance names the model by its stage key, not where it lies
        params.setdefault("identity", key)
    if "remote" in accepts or "cache_path" in accepts:  # remote calls are cached beside the run's results
        params.setdefault("cache_path", str(results / "cache" / "remote.sqlite"))
    if "batch_cache" in accepts:  # local generation keeps finished batches: a crash loses only the one in flight
        params.setdefault("batch_cache", str(results / "cache" / "generation.sqlite"))
    return generators.build(backend, **params)


class LazyGenerators(dict):
    """A run's generators by model name, built on first use: a source that never asks for a model never loads it."""

    def __init__(self, build: Callable[[str], Generator], names: Mapping[str, object]):
        super().__init__()
        self._build = build
        self._names = names

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def __getitem__(self, name: str) -> Generator:
        return self._build(name)

    def __iter__(self):
        return iter(self._names)

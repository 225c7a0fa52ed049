"""Before a run starts: can every Hugging Face hub model and dataset the recipe names be had?

An id is fine when it is in the local cache; otherwise the hub is asked about it once, with a short timeout (never
when HF_HUB_OFFLINE / HF_DATASETS_OFFLINE is set). One that cannot be had (offline, gated, misspelt) is a one-line
RecipeError naming the recipe field, the id and the fix, raised before any stage runs, rather than a `datasets` or
`transformers` traceback hours into a run. `harness validate` stays network-free; `harness run` calls this.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from harness.recipes.loader import Recipe, RecipeError, looks_local

HUB_TIMEOUT_S = 10.0
TRUTHY = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class HubReference:
    field: str  # where the recipe names it, e.g. models.qwen2_7b.path
    repo_id: str
    kind: Literal["model", "dataset"]


def hub_references(recipe: Recipe) -> list[HubReference]:
    """Every hub model (an `hf` generator's path that is not a directory) and `hf:` dataset the recipe names."""
    refs = [
        HubReference(f"models.{name}.path", spec.path, "model")
        for name, spec in recipe.models.items()
        if spec.generator == "hf"
        and spec.path is not None
        and not looks_local(spec.path)
        and not Path(spec.path).exists()
    ]
    refs += [
        HubReference(f"benchmark.params.{field}", value[3:].split(":")[0], "dataset")
        for field, value in _strings(recipe.benchmark.params)
        if value.startswith("hf:")
    ]
    return refs


def _strings(params: Any, prefix: str = "") -> list[tuple[str, str]]:
    if isinstance(params, dict):
        return [item for key, value in params.items() for item in _strings(value, f"{prefix}{key}.")]
    if isinstance(params, (list, tuple)):
        return [item for i, value in enumerate(params) for item in _strings(value, f"{prefix}{i}.")]
    return [(prefix.rstrip("."), params)] if isinstance(params, str) else []


def offline() -> bool:
    # Read from the environment each time: huggingface_hub fixes its own constant when it is first imported.
    return any(os.environ.get(name, "").lower() in TRUTHY for name in ("HF_HUB_OFFLINE", "HF_DATASETS_OFFLINE"))


def cached(ref: HubReference) -> bool:
    """In the hub cache (models, datasets' files) or in datasets' own cache of prepared datasets."""
    from huggingface_hub import constants

    hub_cache = Path(os.environ.get("HF_HUB_CACHE") or constants.HF_HUB_CACHE)
    if (hub_cache / f"{ref.kind}s--{ref.repo_id.replace('/', '--')}" / "snapshots").is_dir():
        return True
    if ref.kind == "dataset":
        from datasets import config

        return (
            Path(os.environ.get("HF_DATASETS_CACHE") or config.HF_DATASETS_CACHE) / ref.repo_id.replace("/", "___")
        ).is_dir()
    return False


def unreachable_reason(ref: HubReference) -> str | None:
    """None when the hub serves the id to us; otherwise why not, in a few words."""
    if offline():
        return "the hub is off (HF_HUB_OFFLINE or HF_DATASETS_OFFLINE is set) and it is not in the local cache"
    from huggingface_hub import HfApi
    from huggingface_hub.errors import GatedRepoError, RepositoryNotFoundError

    api = HfApi()
    info = api.model_info if ref.kind == "model" else api.dataset_info
    try:
        info(ref.repo_id, timeout=HUB_TIMEOUT_S)
    except GatedRepoError:
        return "it is gated: accept its terms on the hub and log in (HF_TOKEN)"
    except RepositoryNotFoundError:
        return "the hub has no such repository (misspelt, private or deleted)"
    except Exception as exc:  # connection refused, DNS, proxy, timeout: any way of not getting an answer
        return f"the hub cannot be reached ({type(exc).__name__}) and it is not in the local cache"
    return None


FIXES = {
    "model": "give a local model directory, download it first (`huggingface-cli download {id}`), or try the "
    "recipe on CPU with --smoke",
    "dataset": "give a local .jsonl/.json/.parquet file (or data:<path>), a registered benchmark, download it "
    "first, or try the recipe with --smoke",
}


def check_hub_access(recipe: Recipe, where: str) -> None:
    for ref in hub_references(recipe):
        if cached(ref):
            continue
        reason = unreachable_reason(ref)
        if reason is not None:
            raise RecipeError(
                f"{where}: {ref.field}: hub {ref.kind} {ref.repo_id!r} cannot be had: {reason}; "
                + FIXES[ref.kind].format(id=ref.repo_id)
            )

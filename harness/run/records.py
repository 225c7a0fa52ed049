"""Run records: what a run did, with what, on what, so it can be rerun and trusted.

`results/runs/<recipe>/<run-id>/run.json` holds the resolved recipe, package versions, git revision,
seeds, hardware and per-stage timings; `metrics.json` beside it holds the numbers leaderboards read.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import time
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel

from harness.hashing import stable_hash
from harness.run.record_schema import FinishedRun, Metrics, read_run, to_json
from harness.run.store import write_json_atomic, write_text_atomic

PACKAGES = ("feedback-harness", "torch", "transformers", "trl", "peft", "accelerate", "datasets", "pydantic")
R = TypeVar("R", bound=BaseModel)


class RunnableRecipe(Protocol):
    """What a run record reads from a recipe of any kind (feedback, reward_model, judge_eval)."""

    @property
    def seed(self) -> int: ...

    def model_dump(self, *, mode: str = ...) -> dict[str, Any]: ...


def package_versions() -> dict[str, str]:
    found = {}
    for name in PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "absent"
    return found


def git_revision(cwd: Path | None = None) -> str:
    try:
        rev = subprocess.run(["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True, timeout=5)
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=cwd, capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    if rev.returncode != 0:
        return "unknown"
    return rev.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


def hardware() -> dict[str, Any]:
    info: dict[str, Any] = {
        "platform": platform.platform(),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
    }
    try:
        import torch

        info["torch_threads"] = torch.get_num_threads()
        info["cuda"] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    except ImportError:
        pass
    return info


def new_run_id(recipe_hash: str) -> str:
    return time.strftime("%Y%m%d-%H%M%S") + f"-{recipe_hash[:8]}"


def run_record(recipe: RunnableRecipe, seconds: float, stages: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """What `run.json` holds for any recipe kind: everything needed to rerun it (resolved recipe, seed, versions,
    git revision, hardware) and what each stage did; `extra` adds a kind's own fields (e.g. model paths)."""
    recipe_hash = stable_hash(recipe)
    return {
        "run_id": new_run_id(recipe_hash),
        "recipe": recipe.model_dump(mode="json"),
        "recipe_hash": recipe_hash,
        "seed": recipe.seed,
        "versions": package_versions(),
        "git_revision": git_revision(Path(__file__).parent),
        "hardware": hardware(),
        "seconds": round(seconds, 2),
        "stages": {label: s.record() for label, s in stages.items()},
        **extra,
    }


def claim_run_dir(runs: Path, record: dict[str, Any]) -> Path:
    """Creates the run's folder, never one another run holds: two runs of one recipe finishing in the same
    second (concurrent runs sharing a results folder) get `<id>`, `<id>-2`, ...; record["run_id"] follows."""
    runs.mkdir(parents=True, exist_ok=True)
    base, n = record["run_id"], 1
    while True:
        run_id = base if n == 1 else f"{base}-{n}"
        try:
            (runs / run_id).mkdir()
        except FileExistsError:
            n += 1
            continue
        record["run_id"] = run_id
        return runs / run_id


def write_jsonl(path: Path, records: Iterable[BaseModel]) -> int:
    lines = [r.model_dump_json() for r in records]
    write_text_atomic(path, "\n".join(lines) + ("\n" if lines else ""))
    return len(lines)


def read_jsonl(path: Path, model: type[R]) -> list[R]:
    with open(path, encoding="utf-8") as fh:
        return [model.model_validate_json(line) for line in fh if line.strip()]


def write_run_files(run_dir: Path, record: dict[str, Any], metrics: Metrics) -> dict[str, Any]:
    """Writes metrics.json and run.json; returns the metrics as written (the record's JSON form)."""
    written = to_json(metrics)
    write_json_atomic(run_dir / "metrics.json", written)
    # Written last: a run.json means the run finished. Unsorted, because order is meaning in a recipe (the order of
    # `models` is the order of the leaderboard's rows) and `harness rerun` rebuilds the recipe from this file.
    write_json_atomic(run_dir / "run.json", record, sort_keys=False)
    return written


# What legitimately differs between two runs of one recipe: wall-clock times and remote latencies; and what is no
# metric at all: the stage labels a row names (metrics.json written before rows recorded them has none) and the
# record's schema version (a record from before versions were written has none).
TIMING_KEYS = ("seconds", "feedback_seconds", "dpo_seconds", "latency_p50_s", "latency_p95_s")
PROVENANCE_KEYS = ("stages", "schema_version")


def metric_differences(recorded: Any, rerun: Any, where: str = "", added: list[str] | None = None) -> list[str]:
    """Paths (with both values) where two metrics trees differ, timings aside; NaN equals NaN. With `added`, the
    paths of fields only the rerun has (ones a newer harness writes, not a changed result) go there instead."""
    if isinstance(recorded, dict) and isinstance(rerun, dict):
        found = []
        for key in sorted(set(recorded) | set(rerun), key=str):
            if key in TIMING_KEYS or key in PROVENANCE_KEYS:
                continue
            path = f"{where}.{key}" if where else str(key)
            if key not in recorded and added is not None:
                added.append(path)
            elif key not in recorded or key not in rerun:
                found.append(f"{path} ({'only in the rerun' if key in rerun else 'missing in the rerun'})")
            else:
                found += metric_differences(recorded[key], rerun[key], path, added)
        return found
    if isinstance(recorded, list) and isinstance(rerun, list) and len(recorded) == len(rerun):
        return [
            d for i, (a, b) in enumerate(zip(recorded, rerun)) for d in metric_differences(a, b, f"{where}[{i}]", added)
        ]
    both_nan = isinstance(recorded, float) and isinstance(rerun, float) and recorded != recorded and rerun != rerun
    return [] if recorded == rerun or both_nan else [f"{where} (was {recorded!r}, now {rerun!r})"]


def load_run_record(run_dir: Path) -> dict[str, Any]:
    """run.json of a finished run; the error says what to pass instead."""
    path = Path(run_dir) / "run.json"
    if not path.exists():
        raise FileNotFoundError(
            f"{path}: not found; pass a finished run's folder, "
            f"e.g. results/runs/sandbox/<run-id> (a run.json means it finished)"
        )
    return json.loads(path.read_text(encoding="utf-8"))


def load_runs(results: Path, recipe: str | None = None) -> list[FinishedRun]:
    """Finished runs (those with run.json), oldest first, read as typed records (RecordError if unreadable)."""
    root = results / "runs"
    pattern = f"{recipe}/*/run.json" if recipe else "*/*/run.json"
    return [read_run(path.parent) for path in sorted(root.glob(pattern))]

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
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, Iterable, TypeVar

from pydantic import BaseModel

from harness.store import write_json_atomic, write_text_atomic

PACKAGES = ("feedback-harness", "torch", "transformers", "trl", "peft", "accelerate", "datasets", "pydantic")
R = TypeVar("R", bound=BaseModel)


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
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=cwd,
                               capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    if rev.returncode != 0:
        return "unknown"
    return rev.stdout.strip() + ("-dirty" if dirty.stdout.strip() else "")


def hardware() -> dict[str, Any]:
    info: dict[str, Any] = {"platform": platform.platform(), "python": platform.python_version(),
                            "cpus": os.cpu_count()}
    try:
        import torch

        info["torch_threads"] = torch.get_num_threads()
        info["cuda"] = torch.cuda.get_device_name(0) if torch.cuda.is_available() else None
    except ImportError:
        pass
    return info


def new_run_id(recipe_hash: str) -> str:
    return time.strftime("%Y%m%d-%H%M%S") + f"-{recipe_hash[:8]}"


def write_jsonl(path: Path, records: Iterable[BaseModel]) -> int:
    lines = [r.model_dump_json() for r in records]
    write_text_atomic(path, "\n".join(lines) + ("\n" if lines else ""))
    return len(lines)


def read_jsonl(path: Path, model: type[R]) -> list[R]:
    with open(path, encoding="utf-8") as fh:
        return [model.model_validate_json(line) for line in fh if line.strip()]


def write_run_files(run_dir: Path, record: dict[str, Any], metrics: dict[str, Any]) -> None:
    write_json_atomic(run_dir / "metrics.json", metrics)
    write_json_atomic(run_dir / "run.json", record)  # written last: a run.json means the run finished


def load_runs(results: Path, recipe: str | None = None) -> list[dict[str, Any]]:
    """Finished runs (those with run.json), oldest first; each dict has 'run' and 'metrics'."""
    root = results / "runs"
    pattern = f"{recipe}/*/run.json" if recipe else "*/*/run.json"
    runs = []
    for path in sorted(root.glob(pattern)):
        runs.append({"run": json.loads(path.read_text()), "metrics": json.loads((path.parent / "metrics.json").read_text()),
                     "dir": str(path.parent)})
    return runs

"""A finished sandbox run as a results folder.

data/run.json and data/metrics.json are the run record of the brief's small dev run (`harness run
recipes/sandbox.yaml` with corpus_size=3000, 10-20 steps per model, 12 feedback and 10 eval prompts).
Its stages are relocated into tmp, and each evaluate stage gets a completions file, one of them hostile.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"
HOSTILE = '<script>alert("pwned")</script><img src=x onerror=alert(1)>'


def completion(model: str) -> dict:
    text = HOSTILE if model == "M2-parameter_contrast" else f"{model} says 1 < 2 & 3 > 2"
    return {"prompt_id": "sandbox-eval-0001", "text": text, "producer": f"{model}:0", "sample": 0}


def write_results(root: Path, run: dict, metrics: dict) -> Path:
    for label, stage in run["stages"].items():
        stage["path"] = str(root / "store" / stage["key"])
        if label.startswith("evaluate "):
            Path(stage["path"]).mkdir(parents=True, exist_ok=True)
            row = completion(label.removeprefix("evaluate "))
            (Path(stage["path"]) / "completions.jsonl").write_text(json.dumps(row) + "\n")
    run_dir = root / "runs" / metrics["recipe"] / run["run_id"]
    run_dir.mkdir(parents=True)
    (run_dir / "metrics.json").write_text(json.dumps(metrics))
    (run_dir / "run.json").write_text(json.dumps(run))
    return root


@pytest.fixture
def hostile() -> str:
    """The answer text the evaluate stage of M2-parameter_contrast holds."""
    return HOSTILE


@pytest.fixture
def make_results(tmp_path):
    """Write an edited (run, metrics) record as a results folder under tmp."""
    return lambda run, metrics: write_results(tmp_path / "edited", run, metrics)


@pytest.fixture
def record() -> tuple[dict, dict]:
    return json.loads((DATA / "run.json").read_text()), json.loads((DATA / "metrics.json").read_text())


@pytest.fixture
def results(tmp_path, record) -> Path:
    return write_results(tmp_path / "results", *record)

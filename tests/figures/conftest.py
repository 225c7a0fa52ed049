"""Every figure the harness draws, from small fixture data and from the committed example tables.

The run record is the leaderboard tests' dev run (tests/leaderboard/data); the judge_eval record is written here;
the sweep table is read back from results/examples/sandbox_judge_curve.csv.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from harness.figures import examples
from harness.judge_eval import board
from harness.report import plots
from harness.run.record_schema import FinishedRun, JudgeEvalMetrics, RunInfo, parse_metrics
from harness.sweep.aggregate import SweepTable
from harness.sweep.plot import sweep_figure
from harness.sweep.record import SweepRecord
from harness.sweep.view import curves

LEADERBOARD = Path(__file__).parents[1] / "leaderboard" / "data"


def dev_run() -> FinishedRun:
    metrics = json.loads((LEADERBOARD / "metrics.json").read_text())
    metrics["judge_quality"] = {
        "self (M1)": {"pairwise_accuracy": 0.61, "spearman": 0.35, "n_prompts": 12, "failure_rate": 0.0},
        "RM (oracle)": {"pairwise_accuracy": 0.8, "spearman": None, "n_prompts": 12, "failure_rate": 0.25},
    }
    run = RunInfo.model_validate_json((LEADERBOARD / "run.json").read_text())
    return FinishedRun(run, parse_metrics(metrics), LEADERBOARD)


def cell(value: float | None, n: int, low: float | None = None, high: float | None = None) -> dict[str, Any]:
    return {"value": value, "se": 0.05, "ci95": None if low is None else [low, high], "n": n}


def judge_eval_run() -> FinishedRun:
    """Two judges on a pair set (one without a decisive verdict) and a ranked set."""
    pairs = {
        "longer": {"all": {"agreement": cell(0.62, 80, 0.51, 0.72)}},
        "pairwise_judge": {"all": {"agreement": cell(None, 0)}},
    }
    ranked = {
        "longer": {"en": {"pairwise_accuracy": cell(0.67, 12, 0.43, 0.91)}},
        "pairwise_judge": {"en": {"pairwise_accuracy": cell(0.5, 10, 0.5, 0.5)}},
    }
    run = {
        "run_id": "20260101-000000-test",
        "recipe": {
            "name": "tiny_judges",
            "judges": {"longer": {}, "pairwise_judge": {}},
            "sets": {"hh": {}, "oasst": {}},
        },
    }
    metrics = {
        "sets": {"hh": {"ranked": False}, "oasst": {"ranked": True}},
        "results": {j: {"hh": pairs[j], "oasst": ranked[j]} for j in pairs},
        "chance": {"agreement": 0.5, "pairwise_accuracy": 0.5},
    }
    return FinishedRun(RunInfo.model_validate(run), JudgeEvalMetrics.model_validate(metrics), Path("."))


def sweep_table() -> tuple[SweepTable, str]:
    name = "sandbox_judge_curve"
    rows = examples.read_csv(examples.EXAMPLES / f"{name}.csv")
    dimension = "noisy_oracle.flip_rate"
    table = SweepTable(
        SweepRecord(sweep=name, sweep_id="test"),
        "M1",
        [examples.sweep_row(r, dimension) for r in rows],
        [],
        [dimension],
    )
    return table, dimension


def fixture_figures() -> dict[str, tuple[Any, Any]]:
    run = dev_run()
    drawn = {
        f"metric {by} {metric}": plots.metric_figure(run, by, metric)
        for by in ("source", "model")
        for metric in ("win_rate", "score", "diff")
    }
    drawn["judge heatmap"] = plots.heatmap_figure(run)
    drawn["judge board"] = board.figure(judge_eval_run())
    table, dimension = sweep_table()
    for x, metric in (("gold_pair_accuracy", "diff"), ("gold_pair_accuracy", "score"), (dimension, "win_rate")):
        lines, singles = curves(table, x, metric)
        drawn[f"sweep {x} {metric}"] = sweep_figure(table, lines, singles, x, metric)
    return drawn


def all_figures() -> dict[str, tuple[Any, Any]]:
    found = fixture_figures()
    found.update({f"example {stem}": (fig, caption) for stem, fig, caption in examples.figures()})
    return found


@pytest.fixture(scope="module")
def figures() -> dict[str, tuple[Any, Any]]:
    return all_figures()


@pytest.fixture
def example_copy(tmp_path: Path) -> Path:
    """The committed example tables (not the figures) in a scratch folder."""
    for path in examples.EXAMPLES.iterdir():
        if path.suffix in (".csv", ".md") and not path.name.endswith(".caption.md") and path.name != "README.md":
            shutil.copy(path, tmp_path / path.name)
    return tmp_path

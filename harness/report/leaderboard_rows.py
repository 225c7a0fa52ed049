"""Leaderboard rows from a run record: which rows a view shows in which order, and the cells every format shares.

Leaderboards are derived from run records only (results/runs/*/*/metrics.json), never edited by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from harness.run import names
from harness.run.record_schema import FeedbackMetrics, FinishedRun, MetricsRow, SourceStats
from harness.run.records import load_runs

COLUMNS = [
    "model",
    "stage",
    "source",
    "score",
    "score_se",
    "win_rate",
    "win_rate_se",
    "discrete_win_rate",
    "lc_win_rate",
    "lc_win_rate_se",
    "diff",
    "diff_ci_low",
    "diff_ci_high",
    "significant",
    "mde",
    "prompts_needed",
    "pairs",
    "judge_failure_rate",
    "gold_pair_accuracy",
    "judge_calls",
    "judged_tokens",
    "gain_per_1k_judge_calls",
    "n_prompts",
    "samples",
    "run_id",
]
VIEWS = ("model", "source")
SORT_METRICS = ("score", "win_rate", "diff")
DEFAULT_SOURCE_METRIC = "win_rate"


def latest_run(results: Path, recipe: str) -> FinishedRun:
    runs = load_runs(results, recipe)
    if not runs:
        raise FileNotFoundError(
            f"no finished run of recipe {recipe!r} under {results / 'runs'}; "
            f"run `harness run recipes/{recipe}.yaml` first"
        )
    return runs[-1]


def select_rows(run: FinishedRun, by: str = "model", metric: str | None = None) -> list[MetricsRow]:
    if by not in VIEWS:
        raise ValueError(f"--by {by!r}: choose from {', '.join(VIEWS)}")
    if metric is not None and metric not in SORT_METRICS:
        raise ValueError(f"--metric {metric!r}: choose from {', '.join(SORT_METRICS)}")
    rows = run.feedback.rows
    if by == "source":
        rows, metric = [r for r in rows if r.stage == "M2"], metric or DEFAULT_SOURCE_METRIC
    if metric is None:
        return list(rows)
    # Stable sort: rows with equal values keep the pipeline's order.
    return sorted(rows, key=lambda r: (r.value(metric) is None, -(r.value(metric) or 0.0)))


def fmt(value: Any, spec: str = ".2f") -> str:
    return "—" if value is None else format(value, spec)


def premise_line(metrics: FeedbackMetrics) -> str | None:
    p = metrics.premise
    if p is None:
        return None
    return (
        f"Parameter-contrast premise: {p.strong} beats {p.weak} on {100 * p.strong_wins:.0f}% "
        f"of answer pairs, loses {100 * p.weak_wins:.0f}%, ties {100 * p.ties:.0f}% (n={p.n})."
    )


def samples_text(n: Any) -> str:
    return "1 sample" if n == 1 else f"{n} samples"


def failure_cell(row: MetricsRow) -> str:
    return "—" if row.judge_failure_rate is None else f"{100 * row.judge_failure_rate:.1f}%"


def time_cell(row: MetricsRow) -> str:
    """Seconds spent on a source's feedback and its DPO stage (an online row: its one online stage; an iterative
    row: its rounds' stages)."""
    if row.online_seconds is not None:
        rounds = names.iterative_rounds(row.source)
        return f"{row.online_seconds:.0f}s " + (f"in {rounds} rounds" if rounds else "online")
    if row.feedback_seconds is None:
        return "—"
    return f"{row.feedback_seconds:.0f}s + {row.dpo_seconds or 0:.0f}s"


def dropped_text(row: MetricsRow | SourceStats) -> str:
    return ", ".join(f"{k}: {v}" for k, v in sorted((row.dropped or {}).items())) or "—"


def is_judged(metrics: FeedbackMetrics) -> bool:
    """Rows judged pairwise against the baseline (no gold grader): win rates, no scores."""
    return metrics.judged


def not_trained(row: MetricsRow, base: str) -> bool:
    # A row with a win rate written (even null) was evaluated; an untrained source's row has none at all.
    return row.score is None and not row.has("win_rate") and row.model != base


def row_stages(row: MetricsRow, baseline: str | None = None, judged: bool = False) -> dict[str, str]:
    """The labels of the stages behind a row, as metrics.json recorded them (runs older than that record: the
    labels harness.run.names gives the row)."""
    return row.stages or names.row_stages(row.model, baseline, judged)


def pct(value: float | None) -> float | None:
    return None if value is None else 100 * value


def judge_quality_columns(quality: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The metric columns of `judge_quality`: its `<metric>_se` companions and prompt counts are not metrics."""
    found = {m for scores in quality.values() for m in scores if not m.endswith("_se") and m != "n_prompts"}
    return sorted(found)


def power_columns(row: MetricsRow) -> dict[str, Any]:
    """The CSV's power columns from a row's `power` record (harness/evaluate/power.py); empty where it has none."""
    power = row.power
    return {"mde": power.mde if power else None, "prompts_needed": power.prompts_needed if power else None}

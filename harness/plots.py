"""PNG plots from run records: one metric per leaderboard row with its uncertainty, and judge quality.

matplotlib is imported inside the functions (the `plots` extra) and used through `Figure` objects with the
Agg canvas, so no pyplot global state or display backend is involved.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness.leaderboard_rows import DEFAULT_SOURCE_METRIC, judge_quality_columns, select_rows
from harness.run_metrics import FinishedRun, MetricsRow

# metric -> (axis label template, reference line, how to read the error bar from a row)
ERRORS: dict[str, tuple[str, float, Callable[[MetricsRow], tuple[float | None, float | None]]]] = {
    "win_rate": ("win rate vs {base} (%), ± SE", 50.0, lambda r: (r.win_rate_se, r.win_rate_se)),
    "score": ("oracle score 0–5, ± SE", math.nan, lambda r: (r.score_se, r.score_se)),
    "diff": ("Δ score vs {base}, paired bootstrap 95% CI", 0.0, lambda r: _diff_error(r)),
}


def _diff_error(r: MetricsRow) -> tuple[float | None, float | None]:
    if r.diff is None or r.diff_ci_low is None or r.diff_ci_high is None:
        return None, None
    return r.diff - r.diff_ci_low, r.diff_ci_high - r.diff


def _save(fig: Any, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    fig.savefig(tmp, format="png", dpi=110, bbox_inches="tight")
    tmp.replace(path)
    return path


def metric_plot(run: FinishedRun, path: Path, by: str = "source", metric: str | None = None) -> Path:
    """Horizontal bars with error bars, best on top; a row without the metric (baseline, untrained) is labelled."""
    from matplotlib.figure import Figure

    metric = metric or DEFAULT_SOURCE_METRIC
    base = run.feedback.baseline
    rows = select_rows(run, by, metric)[::-1]  # barh draws bottom-up
    label, reference, error = ERRORS[metric]
    fig = Figure(figsize=(7, 1.2 + 0.45 * max(len(rows), 1)))
    ax = fig.subplots()
    values = [r.value(metric) or 0.0 for r in rows]
    bars = [error(r) if r.value(metric) is not None else (math.nan, math.nan) for r in rows]
    ax.barh(
        [r.model for r in rows],
        values,
        xerr=[[b[0] for b in bars], [b[1] for b in bars]],
        color="#4c72b0",
        ecolor="#222",
        capsize=4,
    )
    for y, r in enumerate(rows):
        if r.value(metric) is None:
            why = "baseline" if r.model == base else "not trained: no pairs" if r.score is None else "—"
            ax.text(0, y, f" {why}", va="center", fontsize=8, color="#555")
    if metric == "win_rate":
        ax.set_xlim(0, 100)
    if not math.isnan(reference):
        ax.axvline(reference, color="#c44e52", linestyle="--", linewidth=1)
    ax.set_xlabel(label.format(base=base))
    ax.set_title(f"{run.feedback.recipe} — run {run.run.run_id}", fontsize=10)
    return _save(fig, path)


def judge_heatmap(run: FinishedRun, path: Path) -> Path | None:
    """Rows = judges, columns = metrics, from metrics.json `judge_quality` ({judge: {metric: value}})."""
    quality = run.feedback.judge_quality or {}
    if not quality:
        return None
    from matplotlib.figure import Figure

    judges = list(quality)
    names = judge_quality_columns(quality)
    grid = [[math.nan if (v := quality[j].get(m)) is None else float(v) for m in names] for j in judges]
    fig = Figure(figsize=(1.6 + 1.3 * len(names), 1.2 + 0.5 * len(judges)))
    ax = fig.subplots()
    image = ax.imshow(grid, cmap="viridis", aspect="auto")
    ax.set_xticks(range(len(names)), labels=names, rotation=30, ha="right")
    ax.set_yticks(range(len(judges)), labels=judges)
    for i, row in enumerate(grid):
        for j, value in enumerate(row):
            dark = not math.isnan(value) and image.norm(value) < 0.6  # viridis is dark at the low end; NaN is blank
            ax.text(
                j, i, "—" if math.isnan(value) else f"{value:.2f}", ha="center", va="center", color="w" if dark else "k"
            )
    fig.colorbar(image, ax=ax)
    ax.set_title("judge quality vs the reference ranking", fontsize=10)
    return _save(fig, path)


def write_plots(
    run: FinishedRun,
    out_dir: Path,
    stem: str,
    by: str = "model",
    metric: str | None = None,
    log: Callable[[str], None] = print,
) -> list[Path]:
    written = [metric_plot(run, out_dir / f"{stem}.png", by, metric)]
    heatmap = judge_heatmap(run, out_dir / f"{stem}-judges.png")
    if heatmap is None:
        log(f"judge-quality heatmap skipped: metrics.json of run {run.run.run_id} has no 'judge_quality'")
    else:
        written.append(heatmap)
    return written

"""Leaderboard figures from run records: one metric per row with its 95% CI, and judge quality as a heatmap.

Each figure is written as PNG, SVG and PDF with a caption (harness/figures/save.py); the drawing lives in
harness/figures/, this module reads the run record into the figures' data.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness.figures import bars, heatmap
from harness.figures.save import Caption, save
from harness.report.leaderboard_rows import DEFAULT_SOURCE_METRIC, judge_quality_columns, select_rows
from harness.run.record_schema import FinishedRun, MetricsRow

Z95 = 1.959963984540054


def around(value: float | None, se: float | None) -> tuple[float, float] | None:
    return None if value is None or se is None else (value - Z95 * se, value + Z95 * se)


def _diff_ci(r: MetricsRow) -> tuple[float, float] | None:
    return None if r.diff_ci_low is None or r.diff_ci_high is None else (r.diff_ci_low, r.diff_ci_high)


# metric -> (x label, reference line, its legend entry, how the 95% CI is made, the row's CI ends)
ERRORS: dict[str, tuple[str, float, str, str, Callable[[MetricsRow], tuple[float, float] | None]]] = {
    "win_rate": (
        "win rate vs {base} (%)",
        50.0,
        "as good as {base} (50%)",
        "mean ± 1.96 SE over prompts",
        lambda r: around(r.win_rate, r.win_rate_se),
    ),
    "score": (
        "oracle score (points, 0–5)",
        math.nan,
        "",
        "mean ± 1.96 SE over prompts",
        lambda r: around(r.score, r.score_se),
    ),
    "diff": (
        "Δ oracle score vs {base} (points, 0–5 scale)",
        0.0,
        "no difference from {base}",
        "paired bootstrap over prompts",
        _diff_ci,
    ),
}
VALUE_NAMES = {"win_rate": "win rate vs {base}", "score": "oracle score", "diff": "Δ oracle score vs {base}"}


def nan_if_none(value: float | None) -> float:
    return math.nan if value is None else float(value)


def row_bar(row: MetricsRow, metric: str, base: str) -> bars.Bar:
    n = f" (n={row.n_prompts})" if row.n_prompts else ""
    value = row.value(metric)
    if value is None:
        why = "baseline" if row.model == base else "not trained: no pairs" if row.score is None else "—"
        return bars.Bar(row.model + n, None, note=why)
    return bars.Bar(row.model + n, value, ERRORS[metric][4](row))


def metric_chart(
    rows: list[MetricsRow], metric: str, base: str, by: str, recipe: str, run_id: str
) -> tuple[bars.BarChart, Caption]:
    """The bar chart of leaderboard rows (best first) and its caption."""
    xlabel, reference, ref_label, how, _ = ERRORS[metric]
    value = VALUE_NAMES[metric].format(base=base)
    chart = bars.BarChart(
        title=f"{recipe}: {value} of {'each feedback source' if by == 'source' else 'each model'}",
        xlabel=xlabel.format(base=base),
        ylabel="M2 model (feedback source)" if by == "source" else "model",
        value_label=f"{value}, mean over n prompts",
        bars=[row_bar(r, metric, base) for r in rows],
        reference=reference,
        reference_label=ref_label.format(base=base),
        xlim=(0.0, 100.0) if metric == "win_rate" else None,
    )
    samples = {r.samples for r in rows if r.samples}
    per_prompt = f", each prompt scored on {samples.pop()} sampled answers" if len(samples) == 1 else ""
    notes = sorted({b.note for b in chart.bars if b.note})
    each = "the M2 model trained on each feedback source" if by == "source" else "each model"
    text = (
        f"{value[0].upper()}{value[1:]} of {each} in run {run_id} (recipe {recipe}). Bars: the mean over the n "
        f"held-out prompts in each label{per_prompt}. Error bars: 95% confidence intervals ({how})."
        + (f" Dashed line: {chart.reference_label}." if chart.reference_label else "")
        + (f" Rows without a bar: {', '.join(notes)}." if notes else "")
    )
    return chart, Caption(chart.title, text)


def metric_figure(run: FinishedRun, by: str = "source", metric: str | None = None) -> tuple[Any, Caption]:
    """Horizontal bars with 95% CIs, best on top; a row without the metric (baseline, untrained) is labelled."""
    metric = metric or DEFAULT_SOURCE_METRIC
    base = run.feedback.baseline
    rows = select_rows(run, by, metric)
    chart, caption = metric_chart(rows, metric, base, by, run.feedback.recipe, run.run.run_id)
    return bars.draw(chart), caption


def metric_plot(run: FinishedRun, path: Path, by: str = "source", metric: str | None = None) -> list[Path]:
    return _save_pair(metric_figure(run, by, metric), path)


def heatmap_figure(run: FinishedRun) -> tuple[Any, Caption] | None:
    """Rows = judges, columns = metrics, from metrics.json `judge_quality` ({judge: {metric: value}})."""
    quality = run.feedback.judge_quality or {}
    if not quality:
        return None
    judges = list(quality)
    names = judge_quality_columns(quality)
    grid = [[nan_if_none(quality[j].get(m)) for m in names] for j in judges]
    labels = [f"{j} (n={quality[j]['n_prompts']})" if quality[j].get("n_prompts") else j for j in judges]
    title = f"{run.feedback.recipe}: judge quality vs the reference ranking"
    caption = Caption(
        title,
        f"Each judge of run {run.run.run_id} ranks the same M1 candidates; each cell is a measure of that "
        "ranking against the reference (the gold grader), a per-prompt mean over the n prompts in the row label. "
        "No error bars: the standard errors are in the leaderboard's judge-quality table. '—': no value.",
    )
    return heatmap.draw(title, labels, names, grid, "value of the measure"), caption


def judge_heatmap(run: FinishedRun, path: Path) -> list[Path] | None:
    drawn = heatmap_figure(run)
    return None if drawn is None else _save_pair(drawn, path)


def _save_pair(drawn: tuple[Any, Caption], path: Path) -> list[Path]:
    fig, caption = drawn
    return save(fig, path, caption)


def write_plots(
    run: FinishedRun,
    out_dir: Path,
    stem: str,
    by: str = "model",
    metric: str | None = None,
    log: Callable[[str], None] = print,
) -> list[Path]:
    written = metric_plot(run, out_dir / f"{stem}.png", by, metric)
    drawn = judge_heatmap(run, out_dir / f"{stem}-judges.png")
    if drawn is None:
        log(f"judge-quality heatmap skipped: metrics.json of run {run.run.run_id} has no 'judge_quality'")
    else:
        written += drawn
    return written

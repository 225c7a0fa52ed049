"""The sweep figure: a metric against a swept value or a measured accuracy (harness/sweep/view.py), written as PNG,
SVG and PDF with a caption. Every error bar is a 95% CI: the pooled bootstrap CI for `diff`, a t-interval over
seeds for seed means (score, win rate, the measured x), mean ± 1.96 SE over prompts for a one-seed score.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from scipy import stats

from harness.figures import curve as figure
from harness.figures.save import Caption, save
from harness.sweep.aggregate import SweepTable
from harness.sweep.breakeven import describe
from harness.sweep.view import Curve, Point, curves

Z95 = 1.959963984540054
# metric -> (y label, reference line, its legend entry, what the value is)
Y_LABELS = {
    "diff": ("Δ oracle score vs {base} (points, 0–5 scale)", 0.0, "no gain over {base} (Δ = 0)", "gain over {base}"),
    "score": ("oracle score (points, 0–5)", math.nan, "", "oracle score"),
    "win_rate": ("win rate vs {base} (%)", 50.0, "as good as {base} (50%)", "win rate vs {base}"),
}
PERCENT_X = {"gold_pair_accuracy": "pair accuracy of the feedback vs the oracle (%)"}


def seed_half_width(spread: float, seeds: int) -> float:
    """Half width of the 95% t-interval of a mean over `seeds` values whose SD is `spread`."""
    return float(stats.t.ppf(0.975, seeds - 1)) * spread / math.sqrt(seeds) if seeds >= 2 else 0.0


def curve_point(p: Point, metric: str, scale: float) -> figure.CurvePoint:
    seeds = len(p.row.seeds)
    x_half = scale * seed_half_width(p.x_err, seeds)
    if metric == "diff":
        y_low, y_high = p.y_low, p.y_high
    else:  # view.y_of gives ± the SD over seeds, or ± the run's SE over prompts for a one-seed score
        spread = p.y - p.y_low
        half = seed_half_width(spread, seeds) if seeds >= 2 else Z95 * spread
        y_low, y_high = p.y - half, p.y + half
    x = scale * p.x
    return figure.CurvePoint(x, p.y, x - x_half, x + x_half, y_low, y_high)


def seeds_text(points: list[Point]) -> str:
    counts = sorted({len(p.row.seeds) for p in points})
    if len(counts) == 1:
        return f"{counts[0]} seed{'s' if counts[0] > 1 else ''}"
    return f"{counts[0]}–{counts[-1]} seeds"


def pct(v: float, percent: bool) -> str:
    if math.isinf(v):
        return "below the range" if v < 0 else "above the range"
    return f"{100 * v:.0f}%" if percent else f"{v:.3g}"


def sweep_figure(
    table: SweepTable, lines: list[Curve], singles: list[Point], x: str, metric: str
) -> tuple[Any, Caption]:
    """The figure of curves already computed (their break-evens included) and its caption."""
    percent = x in PERCENT_X
    scale = 100.0 if percent else 1.0
    ylabel, reference, ref_label, value = Y_LABELS[metric]
    ylabel, ref_label, value = (s.format(base=table.baseline) for s in (ylabel, ref_label, value))
    xlabel = PERCENT_X.get(x, x)
    chart_lines, notes = [], []
    for curve in lines:
        line = figure.Line(
            f"{curve.label}, mean of {seeds_text(curve.points)} per point",
            [curve_point(p, metric, scale) for p in curve.points],
        )
        be = curve.break_even
        if be is not None:
            notes.append(f"{curve.label}: {describe(be, percent)}")
            if figure.finite(be.x):
                line.break_even = figure.BreakEvenMark(
                    scale * be.x,
                    scale * be.ci_low,
                    scale * be.ci_high,
                    f"{curve.label} break-even ({pct(be.x, percent)})",
                )
        chart_lines.append(line)
    chart = figure.CurveChart(
        title=f"{table.record.sweep}: {value} against {xlabel.split(' (')[0]}",
        xlabel=xlabel,
        ylabel=ylabel,
        lines=chart_lines,
        singles=[figure.Single(single_label(p, lines), curve_point(p, metric, scale)) for p in singles],
        singles_label=f"other variants, one run each ({seeds_text(singles)})" if singles else "",
        reference=None if math.isnan(reference) else reference,
        reference_label=ref_label,
    )
    how = (
        "the stratified paired bootstrap over prompts, pooled across seeds"
        if metric == "diff"
        else "a t-interval over seeds (one seed: mean ± 1.96 SE over prompts for a score, none for a win rate)"
    )
    xhow = "horizontal: a t-interval of the mean over seeds (none for one seed)" if percent else ""
    text = (
        f"{value[0].upper()}{value[1:]} against {xlabel} in sweep {table.record.sweep_id}. Circles joined by lines: the means over "
        "seeds of one curve's levels (n seeds in the legend)"
        + (
            "; squares: the sweep's other variants, labelled by feedback source (and variant where a curve has it)"
            if singles
            else ""
        )
        + f". Error bars: 95% confidence intervals; vertical: {how}"
        + (f"; {xhow}" if xhow else "")
        + "."
        + (
            " Dotted line: the x at which the gain curve crosses 0; shaded band: its 95% CI (percentile interval "
            "of the crossing over pooled bootstrap replicates)."
            if any(line.break_even for line in chart_lines)
            else ""
        )
        + (f" Dashed line: {ref_label}." if ref_label and chart.reference is not None else "")
        + (" Break-even: " + "; ".join(notes) + "." if notes else "")
    )
    return figure.draw(chart), Caption(chart.title, text)


def single_label(point: Point, lines: list[Curve]) -> str:
    """An extra variant's label: its feedback source, and its variant where a curve trains the same model (robust
    DPO at a level of the dial is `noisy_oracle (robust_0.3)`, not a second `noisy_oracle`)."""
    name = point.row.model.removeprefix("M2-")
    on_curve = any(p.row.model == point.row.model for line in lines for p in line.points)
    return f"{name} ({point.row.group})" if on_curve else name


def sweep_plot(table: SweepTable, path: Path, x: str, metric: str = "diff") -> list[Path]:
    lines, singles = curves(table, x, metric)
    fig, caption = sweep_figure(table, lines, singles, x, metric)
    return save(fig, path, caption)


__all__ = ["sweep_figure", "sweep_plot"]

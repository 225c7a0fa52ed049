"""The sweep plot: a metric against a swept value or a measured accuracy, with error bars (harness/sweep/view.py).

matplotlib is used through a `Figure` with the Agg canvas (no pyplot state), as in harness/plots.py.
"""

from __future__ import annotations

import math
from pathlib import Path

from harness.plots import _save
from harness.sweep.aggregate import SweepTable
from harness.sweep.breakeven import describe
from harness.sweep.view import curves, finite

Y_LABELS = {
    "diff": ("Δ oracle score vs {base} (pooled 95% CI)", 0.0),
    "score": ("oracle score 0–5 (± SD over seeds)", math.nan),
    "win_rate": ("win rate vs {base} (%) (± SD over seeds)", 50.0),
}
PERCENT_X = {"gold_pair_accuracy": "pair accuracy of the feedback vs the oracle (%), mean ± SD over seeds"}


def sweep_plot(table: SweepTable, path: Path, x: str, metric: str = "diff") -> Path:
    from matplotlib.figure import Figure

    lines, singles = curves(table, x, metric)
    scale = 100.0 if x in PERCENT_X else 1.0
    fig = Figure(figsize=(8, 5.5))
    ax = fig.subplots()
    notes = []
    for i, curve in enumerate(lines):
        color = f"C{i % 10}"
        pts = curve.points
        ax.errorbar(
            [scale * p.x for p in pts],
            [p.y for p in pts],
            yerr=[[p.y - p.y_low for p in pts], [p.y_high - p.y for p in pts]],
            xerr=[scale * p.x_err for p in pts] if any(p.x_err for p in pts) else None,
            fmt="-o",
            color=color,
            capsize=3,
            markersize=5,
            label=curve.label,
        )
        if curve.break_even is not None:
            notes.append(f"{curve.label}: {describe(curve.break_even, x in PERCENT_X)}")
    for p in singles:
        ax.errorbar(
            [scale * p.x],
            [p.y],
            yerr=[[p.y - p.y_low], [p.y_high - p.y]],
            xerr=[scale * p.x_err] if p.x_err else None,
            fmt="s",
            color="#333",
            markersize=6,
            capsize=3,
        )
        ax.annotate(
            p.row.model.removeprefix("M2-"),
            (scale * p.x, p.y),
            textcoords="offset points",
            xytext=(6, 5),
            fontsize=8,
            color="#333",
        )
    lo_x, hi_x = ax.get_xlim()  # the data's range: a break-even band without a finite end runs to its edge
    for i, curve in enumerate(lines):
        be = curve.break_even
        if be is None or not finite(be.x):
            continue
        ax.axvline(scale * be.x, color=f"C{i % 10}", linestyle=":", linewidth=1)
        low, high = (scale * v for v in (be.ci_low, be.ci_high))
        ax.axvspan(
            max(low, lo_x) if finite(low) else lo_x,
            min(high, hi_x) if finite(high) else hi_x,
            color=f"C{i % 10}",
            alpha=0.12,
            linewidth=0,
        )
    ax.set_xlim(lo_x, hi_x)
    label, reference = Y_LABELS[metric]
    if not math.isnan(reference):
        ax.axhline(reference, color="#c44e52", linestyle="--", linewidth=1)
    ax.set_ylabel(label.format(base=table.baseline))
    ax.set_xlabel(PERCENT_X.get(x, x))
    ax.set_title(f"{table.record.sweep} — sweep {table.record.sweep_id}", fontsize=10)
    if lines:
        ax.legend(fontsize=8, loc="best")
    if notes:
        fig.text(0.01, -0.02, "\n".join(notes), fontsize=8, va="top", wrap=True)
    return _save(fig, path)


__all__ = ["sweep_plot"]

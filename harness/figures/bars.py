"""A leaderboard as horizontal bars: one bar per row with its 95% CI, a reference line, a note where a row has
no value (the baseline, a model never trained), and the legend below the axes."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from harness.figures import legend

BAR_COLOR = "#4c72b0"
REFERENCE_COLOR = "#c44e52"


@dataclass(frozen=True)
class Bar:
    label: str  # the row's tick label, its n included
    value: float | None
    ci: tuple[float, float] | None = None  # the 95% CI's ends
    note: str = ""  # printed in place of a bar that has no value


@dataclass
class BarChart:
    title: str
    xlabel: str
    ylabel: str
    value_label: str  # the bars' legend entry
    bars: list[Bar]  # top to bottom
    reference: float | None = None
    reference_label: str = ""
    xlim: tuple[float, float] | None = None
    interval_label: str = "95% CI"
    extra: list[str] = field(default_factory=list)


def draw_bars(
    ax: Any,
    ys: list[int],
    cells: list[tuple[float | None, tuple[float, float] | None]],
    value_label: str,
    interval_label: str,
    capsize: float,
) -> None:
    """Horizontal bars at `ys` (none where the value is None) and their 95% CIs as one labelled error-bar group."""
    ax.barh(ys, [v if v is not None else 0.0 for v, _ in cells], color=BAR_COLOR, height=0.7, label=value_label)
    shown = [(y, v, ci) for y, (v, ci) in zip(ys, cells, strict=True) if v is not None and ci is not None]
    if not shown:
        return
    ax.errorbar(
        [v for _, v, _ in shown],
        [y for y, _, _ in shown],
        xerr=[[v - ci[0] for _, v, ci in shown], [ci[1] - v for _, v, ci in shown]],
        fmt="none",
        ecolor="#222",
        capsize=capsize,
        label=interval_label,
    )


def draw(chart: BarChart) -> Any:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.5, 1.9 + 0.42 * max(len(chart.bars), 1)), layout="constrained")
    ax = fig.subplots()
    ys = list(range(len(chart.bars)))[::-1]  # first bar on top
    draw_bars(ax, ys, [(b.value, b.ci) for b in chart.bars], chart.value_label, chart.interval_label, capsize=4)
    for y, b in zip(ys, chart.bars, strict=True):
        if b.value is None and b.note:
            ax.text(0.01, y, b.note, va="center", fontsize=8, color="#555", transform=ax.get_yaxis_transform())
    if chart.xlim:
        ax.set_xlim(*chart.xlim)
    if chart.reference is not None and not math.isnan(chart.reference):
        ax.axvline(chart.reference, color=REFERENCE_COLOR, linestyle="--", linewidth=1, label=chart.reference_label)
    ax.set_yticks(ys, [b.label for b in chart.bars])
    ax.set_xlabel(chart.xlabel)
    ax.set_ylabel(chart.ylabel)
    fig.suptitle(chart.title, fontsize=10)  # over the whole figure: long tick labels leave the axes narrow
    legend.below(fig, ax)
    return fig


__all__ = ["Bar", "BarChart", "draw"]

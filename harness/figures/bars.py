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
    low: float | None = None  # 95% CI ends
    high: float | None = None
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


def draw(chart: BarChart) -> Any:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(7.5, 1.9 + 0.42 * max(len(chart.bars), 1)), layout="constrained")
    ax = fig.subplots()
    ys = list(range(len(chart.bars)))[::-1]  # first bar on top
    values = [b.value if b.value is not None else 0.0 for b in chart.bars]
    ax.barh(ys, values, color=BAR_COLOR, height=0.7, label=chart.value_label)
    with_ci = [(y, b) for y, b in zip(ys, chart.bars, strict=True) if b.value is not None and b.low is not None]
    if with_ci:
        ax.errorbar(
            [b.value for _, b in with_ci],
            [y for y, _ in with_ci],
            xerr=[[b.value - b.low for _, b in with_ci], [b.high - b.value for _, b in with_ci]],
            fmt="none",
            ecolor="#222",
            capsize=4,
            label=chart.interval_label,
        )
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

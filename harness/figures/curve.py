"""The sweep figure: a metric against a swept or measured x, one curve per model with 95% CIs on both axes, other
variants as labelled squares, each curve's break-even as a dotted line in a band (its 95% CI), and the legend below
the axes."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from harness.figures import legend
from harness.figures.bars import REFERENCE_COLOR
from harness.figures.place import Label, place


@dataclass(frozen=True)
class CurvePoint:
    x: float
    y: float
    x_low: float  # 95% CI ends; equal to x where there is no interval
    x_high: float
    y_low: float
    y_high: float


@dataclass(frozen=True)
class BreakEvenMark:
    x: float  # ±inf where the curve does not cross inside the range measured
    low: float
    high: float
    label: str  # legend text of the dotted line; the band's is "its 95% CI"


@dataclass
class Line:
    label: str  # legend text, the n behind each point included
    points: list[CurvePoint]
    break_even: BreakEvenMark | None = None


@dataclass(frozen=True)
class Single:
    name: str  # printed beside the square
    point: CurvePoint


@dataclass
class CurveChart:
    title: str
    xlabel: str
    ylabel: str
    lines: list[Line]
    singles: list[Single] = field(default_factory=list)
    singles_label: str = ""
    reference: float | None = None
    reference_label: str = ""


def finite(value: float) -> bool:
    return not (math.isnan(value) or math.isinf(value))


def errors(points: list[CurvePoint], axis: str) -> list[list[float]] | None:
    low = [p.x - p.x_low if axis == "x" else p.y - p.y_low for p in points]
    high = [p.x_high - p.x if axis == "x" else p.y_high - p.y for p in points]
    return [low, high] if any(low) or any(high) else None


def draw(chart: CurveChart) -> Any:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 6), layout="constrained")
    ax = fig.subplots()
    for i, line in enumerate(chart.lines):
        pts = line.points
        ax.errorbar(
            [p.x for p in pts],
            [p.y for p in pts],
            yerr=errors(pts, "y"),
            xerr=errors(pts, "x"),
            fmt="-o",
            color=f"C{i % 10}",
            capsize=3,
            markersize=5,
            label=line.label,
        )
    if chart.singles:
        pts = [s.point for s in chart.singles]
        ax.errorbar(
            [p.x for p in pts],
            [p.y for p in pts],
            yerr=errors(pts, "y"),
            xerr=errors(pts, "x"),
            fmt="s",
            color="#333",
            markersize=6,
            capsize=3,
            label=chart.singles_label,
        )
    lo_x, hi_x = ax.get_xlim()  # the data's range: a break-even band without a finite end runs to its edge
    for i, line in enumerate(chart.lines):
        be = line.break_even
        if be is None or not finite(be.x):
            continue
        ax.axvline(be.x, color=f"C{i % 10}", linestyle=":", linewidth=1.2, label=be.label)
        ax.axvspan(
            max(be.low, lo_x) if finite(be.low) else lo_x,
            min(be.high, hi_x) if finite(be.high) else hi_x,
            color=f"C{i % 10}",
            alpha=0.12,
            linewidth=0,
            label="its 95% CI",
        )
    ax.set_xlim(lo_x, hi_x)
    if chart.reference is not None:
        ax.axhline(chart.reference, color=REFERENCE_COLOR, linestyle="--", linewidth=1, label=chart.reference_label)
    ax.set_ylabel(chart.ylabel)
    ax.set_xlabel(chart.xlabel)
    ax.set_title(chart.title, fontsize=10)
    legend.below(fig, ax, ncol=2)
    place(ax, [Label(s.name, s.point.x, s.point.y) for s in chart.singles])
    return fig


__all__ = ["BreakEvenMark", "CurveChart", "CurvePoint", "Line", "Single", "draw"]

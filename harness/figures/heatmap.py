"""Judge quality as a heatmap: rows are judges (their n in the tick label), columns are measures, each cell printed;
a blank cell ("—") is a measure the judge has no value for."""

from __future__ import annotations

import math
from typing import Any


def draw(title: str, judges: list[str], measures: list[str], grid: list[list[float]], colorbar_label: str) -> Any:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(2.8 + 1.3 * len(measures), 2.4 + 0.5 * len(judges)), layout="constrained")
    ax = fig.subplots()
    image = ax.imshow(grid, cmap="viridis", aspect="auto")
    known = [v for row in grid for v in row if not math.isnan(v)]
    low, high = (min(known), max(known)) if known else (0.0, 1.0)
    ax.set_xticks(range(len(measures)), labels=measures, rotation=30, ha="right")
    ax.set_yticks(range(len(judges)), labels=judges)
    for i, row in enumerate(grid):
        for j, value in enumerate(row):
            # viridis is dark at the low end of the colour scale (imshow spans the grid's range); NaN is blank
            dark = not math.isnan(value) and (value - low) < 0.6 * (high - low)
            text = "—" if math.isnan(value) else f"{value:.2f}"
            ax.text(j, i, text, ha="center", va="center", fontsize=8, color="w" if dark else "k")
    fig.colorbar(image, ax=ax, label=colorbar_label)
    ax.set_xlabel("measure (vs the reference ranking)")
    ax.set_ylabel("judge (n prompts)")
    ax.set_title(title, fontsize=10)
    return fig


__all__ = ["draw"]

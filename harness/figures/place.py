"""Direct labels beside data points, placed where they cover no other label, marker or error bar.

Each label tries offsets around its point, nearest first, and keeps the first whose box is inside the axes and
clear of everything drawn so far; failing that, the one with the least overlap. Placement runs after the layout
engine, and labels stay inside the axes, so a later layout pass does not move them relative to their points.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

from harness.figures.check import TOLERANCE_PX, Box, marker_boxes, renderer, text_boxes, text_extent

# (dx, dy) in points and the alignment that keeps the text on that side of its point
OFFSETS = [
    (6, 4, "left", "bottom"),
    (6, -4, "left", "top"),
    (-6, 4, "right", "bottom"),
    (-6, -4, "right", "top"),
    (0, 9, "center", "bottom"),
    (0, -9, "center", "top"),
    (9, 0, "left", "center"),
    (-9, 0, "right", "center"),
]
RINGS = (1.0, 2.0, 3.5)
LEADER = {"arrowstyle": "-", "color": "#999", "linewidth": 0.6, "shrinkA": 1, "shrinkB": 4}


@dataclass(frozen=True)
class Label:
    text: str
    x: float
    y: float
    color: str = "#333"


def segment_boxes(ax: Any) -> list[Box]:
    """Error bars and other line collections as thin boxes (each segment's extent, one pixel at least)."""
    from matplotlib.collections import LineCollection

    boxes = []
    for coll in ax.collections:
        if not isinstance(coll, LineCollection):  # bands are meant to sit under labels
            continue
        for seg in coll.get_segments():
            pts = coll.get_transform().transform(seg)
            x0, y0 = pts.min(axis=0)
            x1, y1 = pts.max(axis=0)
            boxes.append(Box("segment", x0 - 1, y0 - 1, x1 + 1, y1 + 1, -1))
    for line in ax.lines:
        if line.get_linestyle() in ("None", "", " ") or len(line.get_xydata()) < 2:
            continue
        pts = line.get_transform().transform(line.get_xydata())
        for a, b in itertools.pairwise(pts):
            # a sloped line's bounding box is mostly empty: sample it as small boxes every few pixels
            steps = max(1, int(((b - a) ** 2).sum() ** 0.5 / 4))
            for k in range(steps + 1):
                x, y = a + (k / steps) * (b - a)
                boxes.append(Box("line", x - 1.5, y - 1.5, x + 1.5, y + 1.5, -1))
    return boxes


def place(ax: Any, labels: list[Label], fontsize: float = 8) -> list[Any]:
    """Annotates `ax` with `labels`; returns the annotations."""
    fig = ax.figure
    r = renderer(fig)
    frame = ax.get_window_extent(r)
    taken = [*text_boxes(fig), *marker_boxes(fig), *segment_boxes(ax)]
    placed = []
    for label in labels:
        best, best_cost = None, float("inf")
        for ring in RINGS:
            for dx, dy, ha, va in OFFSETS:
                note = ax.annotate(
                    label.text,
                    (label.x, label.y),
                    textcoords="offset points",
                    xytext=(dx * ring, dy * ring),
                    ha=ha,
                    va=va,
                    fontsize=fontsize,
                    color=label.color,
                    # a label pushed away from its point keeps a thin leader back to it
                    arrowprops=LEADER if ring > 1 else None,
                )
                e = text_extent(note, r)  # the text alone: its leader may cross things
                box = Box(label.text, e.x0, e.y0, e.x1, e.y1, 0)
                outside = (
                    max(0.0, frame.x0 - e.x0 + TOLERANCE_PX)
                    + max(0.0, e.x1 - frame.x1 + TOLERANCE_PX)
                    + max(0.0, frame.y0 - e.y0 + TOLERANCE_PX)
                    + max(0.0, e.y1 - frame.y1 + TOLERANCE_PX)
                )
                cost = 1e4 * outside + sum(box.overlap(t) for t in taken)
                if cost < best_cost:
                    if best is not None:
                        best.remove()
                    best, best_cost, best_box = note, cost, box
                else:
                    note.remove()
                if best_cost == 0:
                    break
            if best_cost == 0:
                break
        taken.append(best_box)
        placed.append(best)
    return placed


__all__ = ["Label", "place"]

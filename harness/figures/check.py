"""Checks a paper figure must pass: no two labels overlap, no label leaves the figure or sits on a data marker,
every mark drawn has a legend entry, and every panel says what it shows.

Boxes are measured with the Agg renderer after layout, in display pixels, as the saved PNG shows them; an
annotation's box is its text's, without the leader line that joins it to its point. Tick labels
count only where their tick is inside the axis' view limits (the others are never drawn).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

TOLERANCE_PX = 1.0  # boxes touching within a pixel do not overlap on the page


@dataclass(frozen=True)
class Box:
    name: str
    x0: float
    y0: float
    x1: float
    y1: float
    group: int  # boxes of the same group (one legend's entries) may nest

    def overlap(self, other: Box) -> float:
        w = min(self.x1, other.x1) - max(self.x0, other.x0) - TOLERANCE_PX
        h = min(self.y1, other.y1) - max(self.y0, other.y0) - TOLERANCE_PX
        return w * h if w > 0 and h > 0 else 0.0


def renderer(fig: Any) -> Any:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    fig.draw_without_rendering()  # runs the layout engine, so boxes are where the saved file has them
    return fig.canvas.get_renderer()


def text_extent(t: Any, r: Any) -> Any:
    """The box of a text's glyphs; an annotation's own extent would include its leader line."""
    from matplotlib.text import Annotation, Text

    if isinstance(t, Annotation):
        t.update_positions(r)
    return Text.get_window_extent(t, r)


def is_colorbar(ax: Any) -> bool:
    return str(ax.get_label()) == "<colorbar>"


def drawn_tick_labels(ax: Any) -> tuple[set[int], set[int]]:
    """(ids of tick labels drawn, ids of every tick label) of an axes' x and y axes."""
    drawn: set[int] = set()
    every: set[int] = set()
    for axis in (ax.xaxis, ax.yaxis):
        locs = list(axis.get_majorticklocs())
        lo, hi = sorted(axis.get_view_interval())
        span = (hi - lo) * 1e-9
        for tick in axis.get_major_ticks(len(locs)) + axis.get_minor_ticks():
            every |= {id(tick.label1), id(tick.label2)}
        for loc, tick in zip(locs, axis.get_major_ticks(len(locs)), strict=True):
            if lo - span <= loc <= hi + span:
                drawn |= {id(t) for t in (tick.label1, tick.label2) if t.get_visible()}
    return drawn, every


def text_boxes(fig: Any) -> list[Box]:
    """Every visible, non-empty text drawn in the figure, and each legend's frame, as boxes."""
    from matplotlib.legend import Legend
    from matplotlib.text import Text

    r = renderer(fig)
    drawn: set[int] = set()
    ticks: set[int] = set()
    for ax in fig.axes:
        d, every = drawn_tick_labels(ax)
        drawn, ticks = drawn | d, ticks | every
    legends = [a for a in fig.findobj(Legend) if a.get_visible()]
    in_legend = {id(t): k + 1 for k, leg in enumerate(legends) for t in leg.get_texts()}
    boxes = []
    for t in fig.findobj(Text):
        if not t.get_visible() or not t.get_text().strip() or (id(t) in ticks and id(t) not in drawn):
            continue
        if t.axes is not None and not t.axes.get_visible():
            continue
        e = text_extent(t, r)
        if e.width > 0 and e.height > 0:
            boxes.append(Box(repr(t.get_text()), e.x0, e.y0, e.x1, e.y1, in_legend.get(id(t), 0)))
    for k, leg in enumerate(legends):
        e = leg.get_frame().get_window_extent(r) if leg.get_frame_on() else leg.get_window_extent(r)
        boxes.append(Box(f"legend {k + 1}", e.x0, e.y0, e.x1, e.y1, k + 1))
    return boxes


def marker_boxes(fig: Any) -> list[Box]:
    """A box around every data marker (points, error-bar caps) on a non-colorbar axes."""
    r = renderer(fig)
    boxes = []
    for ax in fig.axes:
        if is_colorbar(ax):
            continue
        for line in ax.lines:
            marker = line.get_marker()
            if not line.get_visible() or marker in (None, "", "None", " "):
                continue
            half = line.get_markersize() * r.points_to_pixels(1.0) / 2
            for x, y in line.get_transform().transform(line.get_xydata()):
                boxes.append(Box(f"marker of {line.get_label()}", x - half, y - half, x + half, y + half, -1))
    return boxes


def box_of(name: str, extent: Any, group: int = 0) -> Box:
    return Box(name, extent.x0, extent.y0, extent.x1, extent.y1, group)


def overlaps(fig: Any) -> list[str]:
    """Pairs of texts (titles, axis and tick labels, annotations, legends) that overlap, texts outside the figure,
    and annotations sitting on a data marker; empty when the figure is clean."""
    boxes = text_boxes(fig)
    found = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if a.group and a.group == b.group:
                continue
            if a.overlap(b) > 0:
                found.append(f"{a.name} overlaps {b.name}")
    width, height = fig.bbox.width, fig.bbox.height
    for a in boxes:
        if a.x0 < -TOLERANCE_PX or a.y0 < -TOLERANCE_PX or a.x1 > width + TOLERANCE_PX or a.y1 > height + TOLERANCE_PX:
            found.append(f"{a.name} leaves the figure")
    r = renderer(fig)
    labels = [
        box_of(repr(t.get_text()), text_extent(t, r))
        for ax in fig.axes
        if not is_colorbar(ax)
        for t in ax.texts
        if t.get_visible() and t.get_text().strip()
    ]
    for label in labels:
        for m in marker_boxes(fig):
            if label.overlap(m) > 0:
                found.append(f"{label.name} sits on a {m.name}")
                break
    return found


def legend_labels(fig: Any) -> set[str]:
    from matplotlib.legend import Legend

    return {t.get_text() for leg in fig.findobj(Legend) for t in leg.get_texts()}


def unlabelled_marks(fig: Any) -> list[str]:
    """Marks drawn without a legend entry: bar and error-bar groups, lines, collections and patches (spans, bands)
    outside such a group, and images without a labelled colour bar."""
    labels = legend_labels(fig)
    colorbar_labelled = any(is_colorbar(ax) and (ax.get_ylabel() or ax.get_xlabel()) for ax in fig.axes)
    missing = []
    for ax in fig.axes:
        if is_colorbar(ax):
            continue
        grouped: set[int] = set()
        for container in ax.containers:
            grouped |= {id(a) for a in container.get_children()}
            if container.get_label() not in labels:
                missing.append(f"{type(container).__name__} {container.get_label()!r}")
        for artist in [*ax.lines, *ax.collections, *ax.patches]:
            if id(artist) not in grouped and artist.get_visible() and artist.get_label() not in labels:
                missing.append(f"{type(artist).__name__} {artist.get_label()!r}")
        if ax.images and not colorbar_labelled:
            missing.append("image without a labelled colour bar")
    return missing


def unnamed_parts(fig: Any) -> list[str]:
    """Axes without a title (none of the figure's either), an x label, or a y label (none of the figure's)."""
    missing = []
    for k, ax in enumerate(a for a in fig.axes if not is_colorbar(a)):
        if not (ax.get_title() or fig.get_suptitle()):
            missing.append(f"axes {k}: no title")
        if not (ax.get_xlabel() or fig.get_supxlabel()):
            missing.append(f"axes {k}: no x label")
        if not (ax.get_ylabel() or fig.get_supylabel()):
            missing.append(f"axes {k}: no y label")
    return missing


def png_dpi(path: Path) -> float:
    """The resolution a PNG declares (its pHYs chunk), in dots per inch, to 0.1 (the chunk stores whole pixels per
    metre, so 200 dpi reads back as 199.9996)."""
    from PIL import Image

    with Image.open(path) as image:
        return round(float(image.info["dpi"][0]), 1)


__all__ = ["Box", "overlaps", "png_dpi", "text_boxes", "unlabelled_marks", "unnamed_parts"]

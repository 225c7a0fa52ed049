"""What a sweep plot shows: a metric of each trained row against x, one curve per model (and per value of any other
swept path), extra variants as labelled points, and each curve's break-even when x is a measured accuracy.

x is a swept path (`dpo.beta`: the variant's value) or a row field measured by the runs (`gold_pair_accuracy`:
the feedback's pair accuracy, mean over seeds); against a measured x a curve follows the first swept path.
Error bars: the pooled 95% CI for `diff`; ± the across-seed SD for `score` and `win_rate` (± the run's SE for a
one-seed row).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from harness.sweep.aggregate import SweepRow, SweepTable
from harness.sweep.breakeven import BreakEven, break_even

METRICS = ("diff", "score", "win_rate")
MEASURED_X = ("gold_pair_accuracy", "score", "win_rate", "pairs")


@dataclass(frozen=True)
class Point:
    x: float
    x_err: float
    y: float
    y_low: float  # error bar ends
    y_high: float
    row: SweepRow


@dataclass
class Curve:
    label: str
    points: list[Point] = field(default_factory=list)
    break_even: BreakEven | None = None


def x_of(row: SweepRow, x: str) -> tuple[float, float] | None:
    """(x, its ± error) of a row, None where it has none."""
    if x in row.values:
        value = row.values[x]
        return (float(value), 0.0) if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if x in MEASURED_X:
        value, sd = getattr(row, x), getattr(row, f"{x}_sd", None)
        return None if value is None else (float(value), float(sd or 0.0))
    return None


def y_of(row: SweepRow, metric: str) -> tuple[float, float, float] | None:
    if metric == "diff":
        d = row.diff
        return None if d is None else (d.mean, d.ci_low, d.ci_high)
    value = getattr(row, metric)
    if value is None:
        return None
    spread = getattr(row, f"{metric}_sd")
    if spread is None:
        spread = row.score_se if metric == "score" else None
    spread = spread or 0.0
    return value, value - spread, value + spread


def check_axes(table: SweepTable, x: str, metric: str) -> None:
    if metric not in METRICS:
        raise ValueError(f"--metric {metric!r}: choose from {', '.join(METRICS)}")
    if x not in table.dimensions and x not in MEASURED_X:
        raise ValueError(
            f"--x {x!r}: give a swept path ({', '.join(table.dimensions) or 'none swept'}) or a "
            f"measured row field ({', '.join(MEASURED_X)})"
        )


def default_x(table: SweepTable) -> str:
    x = table.record.spec.get("plot", {}).get("x")
    if x:
        return x
    numeric = [
        p for p in table.dimensions if all(isinstance(r.values.get(p), (int, float)) for r in table.rows if not r.extra)
    ]
    if not numeric:
        raise ValueError("--x: no numeric swept path to plot against; give --x gold_pair_accuracy or a swept path")
    return numeric[0]


def curves(table: SweepTable, x: str, metric: str) -> tuple[list[Curve], list[Point]]:
    """Curves of the grid's trained rows, and the extra variants' trained rows as single points."""
    check_axes(table, x, metric)
    lines: dict[str, Curve] = {}
    singles: list[Point] = []
    for row in table.rows:
        if not row.source:  # only models trained from feedback vary along a sweep
            continue
        at, value = x_of(row, x), y_of(row, metric)
        if at is None or value is None:
            continue
        point = Point(at[0], at[1], *value, row=row)
        if row.extra:
            singles.append(point)
            continue
        # Against a measured x, the curve runs along the dial: the zip block where there is one (its paths move
        # in lock-step, e.g. a flip rate and the loss's assumed noise rate), else the first swept path; other
        # paths split curves.
        zipped = list(table.record.spec.get("zip", {}))
        swept_x = x in row.values
        along = (zipped if x in zipped else [x]) if swept_x else (zipped or list(table.dimensions)[:1])
        others = [f"{p.rsplit('.', 1)[-1]}={v}" for p, v in row.values.items() if p not in along]
        label = row.model + (f" ({', '.join(others)})" if others else "")
        lines.setdefault(label, Curve(label)).points.append(point)
    for curve in lines.values():
        curve.points.sort(key=lambda p: p.x)
        # break-even accuracy; a table read back from CSV has no bootstrap replicates to give it an interval
        diffs = [p.row.diff for p in curve.points]
        resampled = all(d is not None and d.replicates.size for d in diffs)
        if metric == "diff" and x == "gold_pair_accuracy" and len(curve.points) >= 2 and resampled:
            curve.break_even = break_even([(p.x, d) for p, d in zip(curve.points, diffs) if d is not None])
    return list(lines.values()), singles


def finite(value: float) -> bool:
    return not (math.isnan(value) or math.isinf(value))


__all__ = ["MEASURED_X", "METRICS", "Curve", "Point", "check_axes", "curves", "default_x"]

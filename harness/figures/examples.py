"""Redraws the example figures of results/examples/ from the committed tables (no run records needed).

    python -m harness.figures.examples [--dir results/examples]

`sandbox.{csv,md}` gives the source leaderboard, `judges_cpu.{csv,md}` the judge leaderboard, and each
judge-accuracy curve of `CURVES` (`<stem>.{csv,md}`) its curve. The CSVs keep no bootstrap replicates, so a curve's break-even
interval is read from the Markdown table's break-even line; the break-even itself is recomputed from the means.
Each figure is written as PNG, SVG, PDF and a caption beside its tables.
"""

from __future__ import annotations

import argparse
import csv
import math
import re
from pathlib import Path
from typing import Any

import numpy as np

from harness.figures import bars, judges
from harness.figures.save import Caption, save
from harness.report import plots
from harness.run.record_schema import MetricsRow
from harness.sweep.aggregate import SweepRow, SweepTable
from harness.sweep.breakeven import BreakEven, crossing
from harness.sweep.plot import sweep_figure
from harness.sweep.pooled import PooledDiff
from harness.sweep.record import SweepRecord
from harness.sweep.view import curves

EXAMPLES = Path(__file__).resolve().parents[2] / "results" / "examples"
CURVES = ("sandbox_judge_curve", "smollm2_judge_curve", "smollm2_study")  # one swept dimension: the flip rate
FROM_TABLES = "Redrawn from the committed table by `python -m harness.figures.examples`."
BREAK_EVEN = re.compile(
    r"Δ against gold_pair_accuracy, (?P<model>\S+): break-even (?P<x>[^\[]+) \[95% CI (?P<low>[^,]+), "
    r"(?P<high>[^\]]+)\]; gain significantly > 0 from (?P<sig>.+?) \((?P<levels>\d+) levels, (?P<boot>\d+) pooled"
)


def read_csv(path: Path) -> list[dict[str, Any]]:
    def cell(value: str) -> Any:
        if value == "":
            return None
        try:
            number = float(value)
        except ValueError:
            return value
        return int(number) if number.is_integer() and "." not in value else number

    with path.open() as fh:
        return [{k: cell(v) for k, v in row.items()} for row in csv.DictReader(fh)]


def header(md: Path) -> tuple[str, str]:
    """(name, run or sweep id) from a table's first line, `## name — run ID` or `## name — sweep ID`."""
    first = md.read_text().splitlines()[0]
    match = re.match(r"## (\S+) — (?:run|sweep) (\S+)", first)
    if match is None:
        raise ValueError(f"{md}: the first line {first!r} does not read '## NAME — run|sweep ID'")
    return match.group(1), match.group(2)


Drawn = tuple[str, Any, Caption]  # (file stem, figure, caption)


def source_leaderboard(folder: Path, name: str = "sandbox") -> Drawn:
    recipe, run_id = header(folder / f"{name}.md")
    rows = [MetricsRow.model_validate(r) for r in read_csv(folder / f"{name}.csv") if r["stage"] == "M2"]
    rows.sort(key=lambda r: (r.win_rate is None, -(r.win_rate or 0.0)))
    chart, caption = plots.metric_chart(rows, "win_rate", "M1", "source", recipe, run_id)
    return name, bars.draw(chart), caption


def judge_leaderboard(folder: Path, name: str = "judges_cpu") -> Drawn:
    rows = read_csv(folder / f"{name}.csv")
    run_id = re.search(r"Run (\S+?),", (folder / f"{name}.md").read_text())
    sets = list(dict.fromkeys(r["set"] for r in rows))
    names = list(dict.fromkeys(r["judge"] for r in rows))
    panels = []
    for s in sets:
        in_set = [r for r in rows if r["set"] == s]
        key = "pairwise_accuracy" if any(r["metric"] == "pairwise_accuracy" for r in in_set) else "agreement"
        subset = "all" if any(r["subset"] == "all" for r in in_set) else in_set[0]["subset"]
        cells = {r["judge"]: r for r in in_set if r["metric"] == key and r["subset"] == subset}
        bars_ = []
        for j in names:
            c = cells.get(j) or {}
            value = c.get("value")
            ci = None if c.get("ci_low") is None else (c["ci_low"], c["ci_high"])
            bars_.append(judges.JudgeBar(j, value, ci, c.get("n")))
        chance = next(float(r["chance"]) for r in cells.values())
        panels.append(judges.Panel(s, judges_measure(key), chance, bars_))
    fig, caption = judges.figure(name, panels, f"run {run_id.group(1) if run_id else '?'}")
    return name, fig, caption


def judges_measure(key: str) -> str:
    from harness.judge_eval.board import MEASURES

    return MEASURES[key]


def sweep_row(r: dict[str, Any], dimension: str) -> SweepRow:
    seeds = [None if s == "-" else int(s) for s in str(r["seeds"]).split()]
    per_seed = tuple(float(v) for v in str(r["diff_per_seed"] or "").split())
    diff = None
    if r["diff"] is not None:
        diff = PooledDiff(
            r["diff"], r["diff_sd"], r["diff_ci_low"], r["diff_ci_high"], len(seeds), per_seed, (), np.empty(0)
        )
    return SweepRow(
        group=r["variant"],
        values={} if r[f"value:{dimension}"] is None else {dimension: r[f"value:{dimension}"]},
        # An extra variant sets no swept value, or sets other paths beside it (robust DPO at a level of the dial)
        extra=r[f"value:{dimension}"] is None
        or any(v is not None for k, v in r.items() if k.startswith("value:") and k != f"value:{dimension}"),
        model=r["model"],
        stage=r["stage"],
        source=r["source"] or "",
        seeds=seeds,
        run_ids=str(r["run_ids"]).split(),
        score=r["score"],
        score_sd=r["score_sd"],
        win_rate=r["win_rate"],
        win_rate_sd=r["win_rate_sd"],
        gold_pair_accuracy=r["gold_pair_accuracy"],
        gold_pair_accuracy_sd=r["gold_pair_accuracy_sd"],
        pairs=r["pairs"],
        diff=diff,
    )


def level(text: str) -> float:
    text = text.strip()
    if text == "below the lowest level":
        return -math.inf
    if text == "above the highest level":
        return math.inf
    return float(text.rstrip("%")) / 100


def judge_curve(folder: Path, name: str) -> Drawn:
    md = folder / f"{name}.md"
    sweep, sweep_id = header(md)
    rows = read_csv(folder / f"{name}.csv")
    dimension = next(k.removeprefix("value:") for k in rows[0] if k.startswith("value:"))
    table = SweepTable(
        SweepRecord(sweep=sweep, sweep_id=sweep_id),
        "M1",
        [sweep_row(r, dimension) for r in rows],
        [],
        [dimension],
    )
    lines, singles = curves(table, "gold_pair_accuracy", "diff")
    for found in BREAK_EVEN.finditer(md.read_text()):
        curve = next(c for c in lines if c.label == found["model"])
        xs, means = [p.x for p in curve.points], [p.y for p in curve.points]
        curve.break_even = BreakEven(
            crossing(xs, means),
            level(found["low"]),
            level(found["high"]),
            level(found["sig"]),
            int(found["levels"]),
            int(found["boot"]),
        )
    fig, caption = sweep_figure(table, lines, singles, "gold_pair_accuracy", "diff")
    return name, fig, caption


def figures(folder: Path = EXAMPLES) -> list[Drawn]:
    """Every example figure drawn from the tables in `folder`, not yet saved."""
    curves_ = [judge_curve(folder, stem) for stem in CURVES if (folder / f"{stem}.md").is_file()]
    return [source_leaderboard(folder), judge_leaderboard(folder), *curves_]


def regenerate(folder: Path = EXAMPLES) -> list[Path]:
    written = []
    for stem, fig, caption in figures(folder):
        written += save(fig, folder / f"{stem}.png", Caption(caption.title, f"{caption.text} {FROM_TABLES}"))
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m harness.figures.examples", description=__doc__.split("\n")[0])
    parser.add_argument("--dir", type=Path, default=EXAMPLES, help="the folder of the example tables")
    args = parser.parse_args(argv)
    for path in regenerate(args.dir):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

"""The judge leaderboard of a judge_eval run: md, csv, html and png (with svg, pdf and a caption) under
results/leaderboards/.

The overview has one row per judge and one column per set (agreement with humans without ties, or for a ranked
set the per-prompt pairwise accuracy against the human ranks), each with its 95% interval, and a chance row.
Detail tables give every subset: agreement with and without ties, position consistency, the share of decisive
verdicts picking the longer reply (beside the humans' own share), self-preference and failures. A cell on a
subset the judge was trained on is marked "(train)".
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness.run.record_schema import FinishedRun, JudgeEvalMetrics
from harness.run.store import write_text_atomic

FORMATS = ("md", "csv", "html", "png")
PAIR_COLUMNS = [
    ("agreement", "agreement (no ties)"),
    ("agreement_ties", "agreement (ties)"),
    ("position_consistency", "position consistency"),
    ("longer", "picks longer"),
    ("self_preference", "self-preference"),
]
RANK_COLUMNS = [
    ("pairwise_accuracy", "pairwise accuracy"),
    ("spearman", "Spearman ρ"),
    ("kendall", "Kendall τ"),
    ("top1_accuracy", "top-1 accuracy"),
]


def headline(metrics: JudgeEvalMetrics, set_name: str) -> str:
    return "pairwise_accuracy" if metrics.sets[set_name]["ranked"] else "agreement"


def fmt(cell: dict[str, Any] | None) -> str:
    if not cell or cell.get("value") is None:
        return "—"
    ci = cell.get("ci95")
    return f"{cell['value']:.3f}" + (f" [{ci[0]:.3f}, {ci[1]:.3f}]" if ci else "") + f" (n={cell['n']})"


def overall(by_subset: dict[str, Any]) -> dict[str, Any]:
    return by_subset.get("all") or next(iter(by_subset.values()))


def trained(metrics: JudgeEvalMetrics, judge: str, subset: str) -> str:
    return " (train)" if subset in metrics.judges[judge]["trained_on"] else ""


def order(run: FinishedRun) -> tuple[list[str], list[str]]:
    """Judges and sets in recipe order (metrics.json is written with sorted keys; run.json keeps the recipe's)."""
    recipe = run.run.recipe
    return list(recipe["judges"]), list(recipe["sets"])


def subsets(by_subset: dict[str, Any]) -> list[tuple[str, Any]]:
    """Subsets as the set lists them, the overall row last."""
    return [(k, v) for k, v in by_subset.items() if k != "all"] + (
        [("all", by_subset["all"])] if "all" in by_subset else []
    )


def tables(run: FinishedRun) -> list[tuple[str, list[str], list[list[str]]]]:
    """(title, header, rows) for the overview and each set's detail table."""
    metrics = run.judge_eval
    (judges, sets), results, chance = order(run), metrics.results, metrics.chance
    overview = [[judge, *(fmt(overall(results[judge][s]).get(headline(metrics, s))) for s in sets)] for judge in judges]
    overview.append(["chance", *(f"{chance[headline(metrics, s)]:.3f}" for s in sets)])
    out = [
        (
            "Judges vs human labels (agreement without ties; ranked sets: pairwise accuracy vs human ranks), 95% CI",
            ["judge", *sets],
            overview,
        )
    ]
    for s in sets:
        columns = RANK_COLUMNS if metrics.sets[s]["ranked"] else PAIR_COLUMNS
        rows = []
        for judge in judges:
            for subset, m in subsets(results[judge][s]):
                extra = (
                    [f"{m['human_longer']['value']:.3f}"]
                    if "human_longer" in m and m["human_longer"]["value"] is not None
                    else ([] if metrics.sets[s]["ranked"] else ["—"])
                )
                rows.append(
                    [
                        judge,
                        subset + trained(metrics, judge, subset),
                        str(m["n"]),
                        *(fmt(m.get(key)) for key, _ in columns),
                        *extra,
                        str(m["failures"]),
                    ]
                )
        header = [
            "judge",
            "subset",
            "n",
            *(label for _, label in columns),
            *([] if metrics.sets[s]["ranked"] else ["humans pick longer"]),
            "failures",
        ]
        out.append((f"{s} ({metrics.sets[s]['type']}, {metrics.sets[s]['items']} items)", header, rows))
    return out


def markdown(run: FinishedRun) -> str:
    metrics = run.judge_eval
    lines = [f"# {run.run.recipe['name']}: judges held to human labels", ""]
    for title, header, rows in tables(run):
        lines += [f"## {title}", "", "| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(r) + " |" for r in rows] + [""]
    chance = metrics.chance
    lines.append(
        f"Chance: agreement {chance['agreement']:.2f} without ties, {chance['agreement_ties']:.2f} with ties "
        "(a judge guessing a, b or tie uniformly); picks longer 0.50 = no length bias. Position consistency "
        "applies to pairwise judges; pointwise judges score each reply alone. Run "
        f"{run.run.run_id}, {run.run.seconds:.0f}s."
    )
    return "\n".join(lines) + "\n"


def csv_text(run: FinishedRun) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(
        ["judge", "set", "subset", "metric", "value", "se", "ci_low", "ci_high", "n", "chance", "trained_on"]
    )
    metrics = run.judge_eval
    judges, sets = order(run)
    for judge in judges:
        for s in sets:
            for subset, m in subsets(metrics.results[judge][s]):
                for key, cell in m.items():
                    if isinstance(cell, dict) and "value" in cell and "n" in cell:
                        ci = cell.get("ci95") or [None, None]
                        writer.writerow(
                            [
                                judge,
                                s,
                                subset,
                                key,
                                cell["value"],
                                cell["se"],
                                ci[0],
                                ci[1],
                                cell["n"],
                                metrics.chance.get(key),
                                bool(trained(metrics, judge, subset)),
                            ]
                        )
    return buf.getvalue()


def html_page(run: FinishedRun) -> str:
    parts = [
        f"<!doctype html><meta charset='utf-8'><title>{html.escape(run.run.recipe['name'])}</title>",
        "<style>body{font:14px sans-serif}table{border-collapse:collapse;margin-bottom:1.5em}"
        "td,th{border:1px solid #ccc;padding:3px 6px;text-align:left}</style>",
    ]
    for title, header, rows in tables(run):
        parts.append(
            f"<h2>{html.escape(title)}</h2><table><tr>"
            + "".join(f"<th>{html.escape(h)}</th>" for h in header)
            + "</tr>"
            + "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in rows)
            + "</table>"
        )
    return "\n".join(parts) + "\n"


MEASURES = {
    "agreement": "agreement with humans, no ties",
    "pairwise_accuracy": "pairwise accuracy vs human ranks",
}


def figure(run: FinishedRun) -> tuple[Any, Any]:
    """One panel per set: each judge's headline measure with its 95% interval, the chance level as a line; the
    figure and its caption."""
    from harness.figures import judges as judge_figure

    metrics = run.judge_eval
    judges, sets = order(run)
    panels = []
    for s in sets:
        key = headline(metrics, s)
        cells = [overall(metrics.results[j][s]).get(key) or {} for j in judges]
        bars = [
            judge_figure.JudgeBar(j, c.get("value"), tuple(c["ci95"]) if c.get("ci95") else None, c.get("n"))
            for j, c in zip(judges, cells, strict=True)
        ]
        panels.append(judge_figure.Panel(s, MEASURES[key], metrics.chance[key], bars))
    return judge_figure.figure(run.run.recipe["name"], panels, f"run {run.run.run_id}")


def png(run: FinishedRun, path: Path) -> list[Path]:
    """The figure as PNG, SVG and PDF with its caption (harness/figures/save.py)."""
    from harness.figures.save import save

    fig, caption = figure(run)
    return save(fig, path, caption)


TEXT: dict[str, Callable[[FinishedRun], str]] = {"md": markdown, "csv": csv_text, "html": html_page}


def write(run: FinishedRun, out_dir: Path, formats: list[str]) -> list[Path]:
    for fmt_name in formats:
        if fmt_name not in FORMATS:
            raise ValueError(f"--format {fmt_name!r}: choose from {', '.join(FORMATS)}")
    name, written = run.run.recipe["name"], []
    for fmt_name in formats:
        path = out_dir / f"{name}.{fmt_name}"
        if fmt_name == "png":
            written += png(run, path)
        else:
            write_text_atomic(path, TEXT[fmt_name](run))
            written.append(path)
    return written

"""Sweep leaderboards: one row per (variant, model) aggregated over seeds, as Markdown, CSV, HTML and PNG.

`harness leaderboard --sweep NAME` reads the newest sweep record of NAME (results/runs/NAME/<id>/sweep.json) and
the run records it points at, and writes results/leaderboards/NAME.{md,csv,html,png}.
"""

from __future__ import annotations

import csv
import html
import io
from collections.abc import Callable
from pathlib import Path

from harness.report.leaderboard_html import CSS, SORT_JS
from harness.report.power_cells import SWEEP_HEADER, SWEEP_LEGEND, sweep_cell
from harness.run.store import write_text_atomic
from harness.sweep.aggregate import SweepRow, SweepTable, load_table
from harness.sweep.breakeven import describe
from harness.sweep.view import curves, default_x

_e = html.escape
VIEWS = ("source", "model")
FORMATS = ("md", "csv", "html", "png")
POOLED_NOTE = (
    "Seeds: each row is the mean over its seeds; SD is the across-seed standard deviation. Δ: mean of the "
    "per-seed paired differences (per-prompt score minus the baseline's, same prompts); its 95% CI is a "
    "stratified paired bootstrap (prompts resampled within each seed's run, seeds averaged), so it "
    "measures evaluation precision of the seed mean, and the seed spread is the SD beside it."
)


def select(table: SweepTable, by: str) -> list[SweepRow]:
    if by not in VIEWS:
        raise ValueError(f"--by {by!r}: choose from {', '.join(VIEWS)}")
    return [r for r in table.rows if r.source] if by == "source" else list(table.rows)


def _f(value: float | None, spec: str = ".2f") -> str:
    return "—" if value is None else format(value, spec)


def _pm(value: float | None, sd: float | None, spec: str = ".2f", scale: float = 1.0) -> str:
    if value is None:
        return "—"
    return format(scale * value, spec) + ("" if sd is None else f" ± {format(scale * sd, spec)}")


def cells(row: SweepRow, baseline: str) -> list[str]:
    d = row.diff
    diff = (
        "baseline"
        if row.model == baseline
        else "—"
        if d is None
        else (f"{d.mean:+.2f} [{d.ci_low:+.2f}, {d.ci_high:+.2f}]{' *' if d.significant else ''}")
    )
    return [
        row.group,
        row.model,
        " ".join("-" if s is None else str(s) for s in row.seeds),
        _pm(row.score, row.score_sd),
        diff,
        _f(d.sd if d else None),
        "—" if row.model == baseline else sweep_cell(row.power, d is not None and d.significant),
        _pm(row.win_rate, row.win_rate_sd, ".1f"),
        _pm(row.gold_pair_accuracy, row.gold_pair_accuracy_sd, ".0f", 100.0),
        _f(row.pairs, ".0f"),
    ]


def headers(baseline: str) -> list[str]:
    return [
        "variant",
        "model",
        "seeds",
        "oracle score, mean ± SD",
        f"Δ vs {baseline}, mean [pooled 95% CI]",
        "Δ SD over seeds",
        SWEEP_HEADER,
        f"win rate vs {baseline}, mean ± SD",
        "pair acc. vs oracle (%), mean ± SD",
        "pairs",
    ]


def summary_lines(table: SweepTable) -> list[str]:
    rec = table.record
    lines = [POOLED_NOTE, SWEEP_LEGEND]
    try:
        x = default_x(table)
        found, _ = curves(table, x, "diff")
    except ValueError:
        found = []
    for curve in found:
        if curve.break_even is not None:
            lines.append(f"Δ against {x}, {curve.label}: {describe(curve.break_even, x == 'gold_pair_accuracy')}.")
    lines += [f"Variant {f} did not finish." for f in table.failed]
    took = f"{rec.seconds:.0f}s" if rec.seconds is not None else "not finished"
    lines.append(
        f"Sweep {rec.sweep_id}: {len(rec.variants)} variants, {rec.jobs} job(s) × "
        f"{rec.threads_per_job} torch thread(s), wall time {took}; git {rec.git_revision[:12]}."
    )
    return lines


def markdown(table: SweepTable, by: str = "source") -> str:
    head = headers(table.baseline)
    lines = [
        f"## {table.record.sweep} — sweep {table.record.sweep_id}",
        "",
        "| " + " | ".join(head) + " |",
        "|" + "---|" * len(head),
    ]
    lines += ["| " + " | ".join(cells(r, table.baseline)) + " |" for r in select(table, by)]
    return "\n".join([*lines, "", *summary_lines(table)]) + "\n"


def csv_text(table: SweepTable, by: str = "source") -> str:
    rows = [r.flat() for r in select(table, by)]
    fields = list(dict.fromkeys(k for r in rows for k in r))
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def html_page(table: SweepTable, by: str = "source") -> str:
    """Every string from run data (labels, model names, errors) is escaped: a page never runs it as markup."""
    title = f"{table.record.sweep} — sweep {table.record.sweep_id}"
    head = "".join(f"<th>{_e(h)}</th>" for h in headers(table.baseline))
    body = "".join(
        "<tr>" + "".join(f"<td>{_e(c)}</td>" for c in cells(r, table.baseline)) + "</tr>" for r in select(table, by)
    )
    notes = "".join(f'<p class="note">{_e(n)}</p>' for n in summary_lines(table))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title><style>{CSS}</style></head>
<body><h1>{_e(title)}</h1>
<table id="sweep" class="sortable"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>
{notes}<script>{SORT_JS}</script></body></html>
"""


TEXT: dict[str, Callable[[SweepTable, str], str]] = {"md": markdown, "csv": csv_text, "html": html_page}


def write(
    results: Path,
    name: str,
    formats: list[str],
    by: str = "source",
    x: str | None = None,
    metric: str | None = None,
    out_dir: Path | None = None,
) -> tuple[list[Path], SweepTable]:
    """x and metric default to the sweep's `plot:` block (metric: diff)."""
    for fmt in formats:
        if fmt not in FORMATS:
            raise ValueError(f"--format {fmt!r}: choose from {', '.join(FORMATS)}")
    table = load_table(results, name)
    select(table, by)  # a bad --by fails before any file is written
    out_dir = out_dir or results / "leaderboards"
    written = []
    for fmt in formats:
        if fmt == "png":
            from harness.sweep.plot import sweep_plot

            metric = metric or table.record.spec.get("plot", {}).get("metric") or "diff"
            written += sweep_plot(table, out_dir / f"{name}.png", x or default_x(table), metric)
            continue
        path = out_dir / f"{name}.{fmt}"
        write_text_atomic(path, TEXT[fmt](table, by))
        written.append(path)
    return written, table


__all__ = ["csv_text", "html_page", "markdown", "select", "write"]

"""Leaderboards are derived from run records only (results/runs/*/*/metrics.json), never edited by hand.

Views: `by="model"` lists every evaluated model (M0s, M1, one M2 per source); `by="source"` keeps the M2
rows, one per feedback source. `metric` (score, win_rate, diff) sorts rows best first; rows without it last.
Formats: Markdown, CSV, a self-contained HTML page (sortable, provenance on every number), PNG plots.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from harness.report.leaderboard_html import example_pairs, html_page
from harness.report.leaderboard_rows import (
    COLUMNS,
    DEFAULT_SOURCE_METRIC,
    SORT_METRICS,
    VIEWS,
    dropped_text,
    failure_cell,
    fmt,
    is_judged,
    latest_run,
    not_trained,
    pct,
    power_columns,
    premise_line,
    samples_text,
    select_rows,
    time_cell,
)  # fmt: skip
from harness.report.power_cells import RUN_HEADER, RUN_LEGEND, run_cell
from harness.report.rubric_notes import configuration_lines
from harness.run.record_schema import EvaluationJudge, FinishedRun, SourceStats
from harness.run.store import write_text_atomic


def markdown(run: FinishedRun, by: str = "model", metric: str | None = None) -> str:
    if is_judged(run.feedback):
        return judged_markdown(run, by, metric)
    metrics, record = run.feedback, run.run
    base = metrics.baseline
    lines = [
        f"## {metrics.recipe} — run {record.run_id}",
        "",
        f"| model | oracle score ± SE | win rate vs {base} ± SE | Δ score vs {base} [95% CI] | {RUN_HEADER} | pairs | "
        "dropped (reason: n) | judge failures | pair acc. vs oracle | feedback + DPO time |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in select_rows(run, by, metric):
        if r.score is None:
            lines.append(
                f"| {r.model} | not trained: no pairs | — | — | — | 0 | {dropped_text(r)} | {failure_cell(r)} | — | — |"
            )
            continue
        win = "baseline" if r.model == base else f"{r.win_rate:.1f} ± {r.win_rate_se:.1f}"
        diff = (
            "—"
            if r.model == base
            else (f"{r.diff:+.2f} [{r.diff_ci_low:+.2f}, {r.diff_ci_high:+.2f}]{' *' if r.significant else ''}")
        )
        fail = failure_cell(r)
        acc = "—" if r.gold_pair_accuracy is None else f"{100 * r.gold_pair_accuracy:.0f}%"
        secs = time_cell(r)
        lines.append(
            f"| {r.model} | {r.score:.2f} ± {r.score_se:.2f} | {win} | {diff} | {run_cell(r, base)} | "
            f"{'—' if r.pairs is None else r.pairs} | {dropped_text(r)} | {fail} | {acc} | {secs} |"
        )
    lines += judge_quality_markdown(metrics.judge_quality or {})
    lines += ledger_lines(metrics.sources)
    first = metrics.rows[0]
    lines += [
        "",
        f"Scores: gold oracle 0–5, mean of {first.samples} sampled answers per prompt over "
        f"{first.n_prompts} held-out prompts. `*`: paired bootstrap 95% CI excludes 0.",
        RUN_LEGEND,
    ]
    if premise := premise_line(metrics):
        lines.append(premise)
    lines += configuration_lines(metrics)
    lines.append(wall_time_line(run))
    return "\n".join(lines) + "\n"


def wall_time_line(run: FinishedRun) -> str:
    stages = run.run.stages
    reused = sum(1 for st in stages.values() if st.reused)
    return (
        f"Wall time {run.run.seconds:.0f}s ({reused} of {len(stages)} stages reused from earlier runs); "
        f"git {run.run.git_revision[:12]}."
    )


def judged_markdown(run: FinishedRun, by: str = "model", metric: str | None = None) -> str:
    metrics, record = run.feedback, run.run
    base, judge = metrics.baseline, metrics.judge or EvaluationJudge(model="?")
    lines = [
        f"## {metrics.recipe} — run {record.run_id}",
        "",
        f"| model | score | win rate vs {base} ± SE | {RUN_HEADER} | LC win rate ± SE | position consistency | "
        "pairs | dropped (reason: n) | judge failures | feedback + DPO time |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in select_rows(run, by, metric):
        if not_trained(r, base):
            lines.append(
                f"| {r.model} | — | not trained: no pairs | — | — | — | 0 | {dropped_text(r)} | {failure_cell(r)} | — |"
            )
            continue
        if r.model == base:
            win = lc = consistency = "baseline"
        else:
            win = f"{fmt(r.win_rate, '.1f')} ± {fmt(r.win_rate_se, '.1f')}"
            lc = f"{fmt(r.lc_win_rate, '.1f')} ± {fmt(r.lc_win_rate_se, '.1f')}"
            consistency = fmt(pct(r.position_consistency), ".0f") + "%"
        fail = failure_cell(r)
        secs = time_cell(r)
        lines.append(
            f"| {r.model} | — | {win} | {run_cell(r, base)} | {lc} | {consistency} | "
            f"{'—' if r.pairs is None else r.pairs} | {dropped_text(r)} | {fail} | {secs} |"
        )
    lines += ledger_lines(metrics.sources)
    first = metrics.rows[0]
    lines += [
        "",
        f"No gold grader: `{judge.model}` (prompt `{judge.prompt}`) judged sample k of each model "
        f"against sample k of {base}, in both orders (a verdict that flips with the order is a tie); "
        f"{samples_text(first.samples)} per prompt over {first.n_prompts} held-out prompts, SE over prompts. "
        "LC: offline length-controlled win rate (harness/evaluate/lc.py). Score: — (no grader).",
        RUN_LEGEND,
    ]
    if metrics.lc_error:
        lines.append(f"LC fit failed: {metrics.lc_error}")
    lines.append(wall_time_line(run))
    return "\n".join(lines) + "\n"


def judge_quality_markdown(quality: Mapping[str, Mapping[str, Any]]) -> list[str]:
    """The second table: each judge's ranking of the same candidates against the oracle's."""
    if not quality:
        return []
    cols = ["pairwise_accuracy", "top1_accuracy", "exact_match", "spearman", "kendall", "failure_rate"]
    lines = [
        "",
        "**Judge quality against the oracle** (same M1 candidates; per-prompt means, ties in the "
        "reference excluded, judge ties half credit)",
        "",
        "| judge | pairwise acc. | top-1 | exact match | Spearman ρ | Kendall τ | failures | prompts |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for judge, q in quality.items():
        cells = [fmt(q.get(c), ".3f") for c in cols]
        lines.append(f"| {judge} | {' | '.join(cells)} | {q.get('n_prompts', '—')} |")
    return lines


def ledger_lines(sources: Mapping[str, SourceStats]) -> list[str]:
    """What remote teachers cost each source: calls, retries, failures, tokens, dollars."""
    lines = []
    for source, stats in sources.items():
        # A ledger is the remote executor's own counters (harness/generation/remote_executor.py), kept as written.
        for model, led in (stats.ledger or {}).items():
            failed = sum((led.get("failures") or {}).values())
            lines.append(
                f"- `{source}` via `{model}`: {led.get('items', 0)} items, {led.get('calls', 0)} calls, "
                f"{led.get('retries', 0)} retries, {failed} failed, {led.get('cached_hits', 0)} cached, "
                f"{led.get('prompt_tokens', 0) + led.get('completion_tokens', 0)} tokens, "
                f"${led.get('cost_usd', 0.0):.4f}"
            )
    return ["", "**Remote calls**", "", *lines] if lines else []


def csv_text(run: FinishedRun, by: str = "model", metric: str | None = None) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in select_rows(run, by, metric):
        writer.writerow({**row.to_json(), **power_columns(row), "run_id": run.run.run_id})
    return buf.getvalue()


# --- writing --------------------------------------------------------------------------------------------

TEXT_FORMATS: dict[str, Callable[..., str]] = {"md": markdown, "csv": csv_text, "html": html_page}
FORMATS = (*TEXT_FORMATS, "png")


def write(
    results: Path,
    recipe: str,
    formats: list[str],
    out_dir: Path | None = None,
    by: str = "model",
    metric: str | None = None,
    log: Callable[[str], None] = print,
) -> list[Path]:
    for form in formats:
        if form not in FORMATS:
            raise ValueError(f"--format {form!r}: choose from {', '.join(FORMATS)}")
    run = latest_run(results, recipe)
    select_rows(run, by, metric)  # a bad --by/--metric fails before any file is written
    out_dir = out_dir or results / "leaderboards"
    written = []
    for form in formats:
        if form == "png":
            from harness.report import plots

            written += plots.write_plots(run, out_dir, recipe, by=by, metric=metric, log=log)
            continue
        path = out_dir / f"{recipe}.{form}"
        write_text_atomic(path, TEXT_FORMATS[form](run, by, metric))
        written.append(path)
    return written


__all__ = [
    "COLUMNS",
    "DEFAULT_SOURCE_METRIC",
    "FORMATS",
    "SORT_METRICS",
    "VIEWS",
    "csv_text",
    "example_pairs",
    "html_page",
    "latest_run",
    "markdown",
    "write",
]

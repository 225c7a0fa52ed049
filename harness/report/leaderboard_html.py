"""The leaderboard as a self-contained HTML page: sortable tables, and the provenance of every number on hover."""

from __future__ import annotations

import html
import json
from pathlib import Path
from typing import Any

from harness.report.leaderboard_rows import (
    DEFAULT_SOURCE_METRIC,
    SORT_METRICS,
    dropped_text,
    fmt,
    is_judged,
    judge_quality_columns,
    not_trained,
    pct,
    premise_line,
    row_stages,
    samples_text,
    select_rows,
)  # fmt: skip
from harness.report.power_cells import RUN_HEADER, RUN_LEGEND, run_cell
from harness.report.rubric_notes import configuration_lines
from harness.run import names
from harness.run.record_schema import FinishedRun, MetricsRow

# Every string taken from run data goes through `_e` (html.escape, quotes included): model names, sources,
# reasons and answers come from configs and models, and a leaderboard page must never run them as markup.

_e = html.escape

CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem;color:#1d1d1f;background:#fff}
table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #ccd;padding:.3rem .6rem;text-align:left}
th{background:#e8ecf6;cursor:pointer;user-select:none}th[aria-sort=ascending]::after{content:" ▲"}
th[aria-sort=descending]::after{content:" ▼"}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr:nth-child(even) td{background:#f7f8fc}td.answer{font-family:monospace;max-width:28rem;white-space:pre-wrap}
.sig{color:#0a6b2d;font-weight:600}.muted{color:#777}caption{text-align:left;font-weight:600}
"""

SORT_JS = """
document.querySelectorAll("table.sortable").forEach(function (table) {
  var heads = table.tHead.rows[0].cells;
  function key(row, col) { var v = row.cells[col].getAttribute("data-sort"); return v === null ? "" : v; }
  function sortBy(col, dir) {
    var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = key(a, col), y = key(b, col);
      if (x === "" || y === "") { return (x === "") - (y === ""); }
      var nx = Number(x), ny = Number(y);
      return dir * (isNaN(nx) || isNaN(ny) ? x.localeCompare(y) : nx - ny);
    });
    rows.forEach(function (row) { body.appendChild(row); });
    for (var i = 0; i < heads.length; i++) { heads[i].removeAttribute("aria-sort"); }
    heads[col].setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
  }
  Array.prototype.forEach.call(heads, function (th, col) {
    th.addEventListener("click", function () {
      sortBy(col, th.getAttribute("aria-sort") === "descending" ? 1 : -1);
    });
  });
  var initial = table.getAttribute("data-sort-column");
  if (initial !== null) { sortBy(Number(initial), -1); }
  table.setAttribute("data-ready", "1");
});
"""


class _Provenance:
    """Where a number came from: the run, its place in metrics.json, and the stages that produced it."""

    def __init__(self, run: FinishedRun):
        self.run_id = run.run.run_id
        self.stages = run.run.stages

    def stage(self, label: str) -> str:
        s = self.stages.get(label)
        return f"stage '{label}' key {s.key} ({s.path})" if s else f"stage '{label}' (not in run.json)"

    def __call__(self, where: str | None, *labels: str) -> str:
        parts = [f"run {self.run_id}", *([f"metrics.json {where}"] if where else []), *map(self.stage, labels)]
        return "; ".join(parts)


def _cell(text: str, sort: Any = None, title: str | None = None, cls: str = "num") -> str:
    attrs = f' class="{cls}"' if cls else ""
    attrs += f' data-sort="{_e(str(sort))}"' if sort is not None else ' data-sort=""'
    attrs += f' title="{_e(title)}"' if title else ""
    return f"<td{attrs}>{text}</td>"


def _example_answer(run: FinishedRun, row: MetricsRow) -> tuple[str, str] | None:
    """Sample 0 of the first evaluation prompt, read from the evaluate stage the run record points at."""
    label = row_stages(row).get("evaluate")  # a source that gave no pairs trained no model: nothing was evaluated
    stage = run.run.stages.get(label) if label else None
    path = Path(stage.path) / "completions.jsonl" if stage and stage.path else None
    if path is None or not path.exists():
        return None
    with open(path, encoding="utf-8") as fh:
        first = json.loads(fh.readline())
    return first["prompt_id"], first["text"]


SIGNIFICANT = ' <span class="sig" title="paired bootstrap 95% CI excludes 0">*</span>'


def _model_row(run: FinishedRun, index: int, r: MetricsRow, prov: _Provenance) -> str:
    metrics = run.feedback
    base, model, source = metrics.baseline, r.model, r.source or ""
    where = f"rows[{index}]"
    judged = is_judged(metrics)
    stages = row_stages(r, base, judged)
    base_row = metrics.row(base) or MetricsRow(model=base, stage="")
    ev, ev_base = stages.get("evaluate", ""), row_stages(base_row, base, judged)["evaluate"]
    fb = stages.get("feedback", "") if source else ""
    trained = (ev, stages["dpo"]) if source and "dpo" in stages else (ev,)
    cells = [
        _cell(_e(model), model, prov(f"{where}.model"), ""),
        _cell(_e(r.stage), r.stage, None, ""),
        _cell(_e(source) or "—", source, None, ""),
    ]
    if not_trained(r, base):
        cells.append(_cell('<span class="muted">not trained: no pairs</span>', None, prov(f"{where}.score", fb)))
        cells += [_cell("—"), _cell("—")]
    elif r.score is None:  # judged rows: win rate and LC win rate, no score
        cells.append(_cell("—"))
        if model == base:
            cells += [_cell("baseline", None, None, "muted"), _cell("—")]
        else:
            judging = (stages["judge"],) if "judge" in stages else ()
            cells.append(
                _cell(
                    f"{fmt(r.win_rate, '.1f')} ± {fmt(r.win_rate_se, '.1f')}",
                    r.win_rate,
                    prov(f"{where}.win_rate", *judging),
                )
            )
            cells.append(
                _cell(
                    f"LC {fmt(r.lc_win_rate, '.1f')} ± {fmt(r.lc_win_rate_se, '.1f')}",
                    r.lc_win_rate,
                    prov(f"{where}.lc_win_rate", *judging),
                )
            )
    else:
        cells.append(_cell(f"{r.score:.2f} ± {r.score_se:.2f}", r.score, prov(f"{where}.score", *trained)))
        if model == base:
            cells += [_cell("baseline", None, None, "muted"), _cell("—")]
        else:
            cells.append(
                _cell(
                    f"{r.win_rate:.1f} ± {r.win_rate_se:.1f}",
                    r.win_rate,
                    prov(f"{where}.win_rate", ev, ev_base),
                )
            )
            sig = SIGNIFICANT if r.significant else ""
            cells.append(
                _cell(
                    f"{r.diff:+.2f} [{r.diff_ci_low:+.2f}, {r.diff_ci_high:+.2f}]{sig}",
                    r.diff,
                    prov(f"{where}.diff", ev, ev_base),
                )
            )
    power = r.power if r.model != base else None
    cells.append(
        _cell(
            _e(run_cell(r, base)),
            power.mde if power else None,
            prov(f"{where}.power", ev, ev_base) if power else None,
        )
    )
    for field, value, text in (
        ("pairs", r.pairs, fmt(r.pairs, "d")),
        ("judge_failure_rate", r.judge_failure_rate, fmt(pct(r.judge_failure_rate), ".1f") + "%"),
        ("gold_pair_accuracy", r.gold_pair_accuracy, fmt(pct(r.gold_pair_accuracy), ".0f") + "%"),
    ):
        cells.append(_cell("—" if value is None else text, value, prov(f"{where}.{field}", fb) if source else None))
    cells.append(_cell(_e(dropped_text(r)), dropped_text(r), prov(f"{where}.dropped", fb) if source else None, ""))
    example = _example_answer(run, r)
    cells.append(
        _cell("—", None, None, "answer")
        if example is None
        else _cell(
            _e(example[1][:200]), example[1][:200], prov(None, ev) + f"; prompt {example[0]}, sample 0", "answer"
        )
    )
    return "<tr>" + "".join(cells) + "</tr>"


SOURCE_FIELDS = (
    "prompts",
    "candidates",
    "pairs",
    "judge_calls",
    "judged_tokens",
    "judge_failures",
    "judge_failure_rate",
    "gold_pair_accuracy",
    "feedback_seconds",
    "dpo_seconds",
)


def _source_table(run: FinishedRun, prov: _Provenance) -> str:
    sources = run.feedback.sources
    head = "".join(f"<th>{f.replace('_', ' ')}</th>" for f in ("source", *SOURCE_FIELDS, "dropped"))
    body = []
    for name, stats in sources.items():
        cells = [_cell(_e(name), name, None, "")]
        for field in SOURCE_FIELDS:
            value = stats.value(field)
            text = "—" if value is None else f"{value:.3g}" if isinstance(value, float) else _e(str(value))
            labels = stats.stages or names.source_stages(name)
            stage = labels.get("dpo", "") if field == "dpo_seconds" else labels["feedback"]
            cells.append(_cell(text, value, prov(f"sources[{name!r}].{field}", stage)))
        cells.append(_cell(_e(dropped_text(stats)), dropped_text(stats), None, ""))
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<table id="sources" class="sortable"><caption>Feedback sources</caption><thead><tr>{head}</tr>'
        f"</thead><tbody>{''.join(body)}</tbody></table>"
    )


def _judge_table(run: FinishedRun, prov: _Provenance) -> str:
    quality = run.feedback.judge_quality or {}
    if not quality:
        return ""
    columns = judge_quality_columns(quality)
    head = "".join(f"<th>{_e(c)}</th>" for c in ("judge", *columns, "prompts"))
    body = []
    for judge, scores in quality.items():
        cells = [_cell(_e(judge), judge, None, "")]
        for c in (*columns, "n_prompts"):
            value, se = scores.get(c), scores.get(f"{c}_se")
            text = "—" if value is None else f"{value:.3g}" + (f" ± {se:.2g}" if se is not None else "")
            cells.append(
                _cell(_e(text), value, prov(f"judge_quality[{judge!r}].{c}", names.judge_quality_label(judge)))
            )
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<table id="judges" class="sortable"><caption>Judge quality vs the gold oracle (per-prompt ranking '
        f"metrics)</caption><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


EXAMPLES_PER_SOURCE = 2
EXAMPLE_CHARS = 240


def _clip(text: str) -> str:
    return text if len(text) <= EXAMPLE_CHARS else text[: EXAMPLE_CHARS - 1] + "…"


def example_pairs(run: FinishedRun, per_source: int = EXAMPLES_PER_SOURCE) -> list[tuple[str, dict[str, Any]]]:
    """The first pairs of each source's preference file (the feedback stage the run record points at)."""
    found = []
    for source, stats in run.feedback.sources.items():
        label = (stats.stages or names.source_stages(source))["feedback"]
        stage = run.run.stages.get(label)
        path = Path(stage.path) / "preferences.jsonl" if stage and stage.path else None
        if path is None or not path.exists():
            continue
        with open(path, encoding="utf-8") as fh:
            lines = [line for _, line in zip(range(per_source), fh)]
        found += [(source, json.loads(line)) for line in lines if line.strip()]
    return found


def _examples_table(run: FinishedRun, prov: _Provenance) -> str:
    """What each source's pairs look like. Prompts and answers are model output: data, escaped, never markup."""
    pairs = example_pairs(run)
    if not pairs:
        return ""
    body = []
    for source, pair in pairs:
        label = (run.feedback.sources[source].stages or names.source_stages(source))["feedback"]
        where = prov(None, label) + f"; prompt {pair['prompt_id']}"
        texts = [_clip(pair[k][-1]["content"]) if pair.get(k) else "" for k in ("prompt", "chosen", "rejected")]
        cells = [_cell(_e(source), source, None, "")] + [_cell(_e(t), None, where, "answer") for t in texts]
        body.append("<tr>" + "".join(cells) + "</tr>")
    head = "".join(f"<th>{h}</th>" for h in ("source", "prompt", "chosen", "rejected"))
    return (
        f'<table id="examples"><caption>Example preference pairs (the first {EXAMPLES_PER_SOURCE} of each source, '
        f"cut at {EXAMPLE_CHARS} characters)</caption><thead><tr>{head}</tr></thead>"
        f"<tbody>{''.join(body)}</tbody></table>"
    )


def html_page(run: FinishedRun, by: str = "model", metric: str | None = None) -> str:
    metrics, record = run.feedback, run.run
    prov, base = _Provenance(run), metrics.baseline
    rows = select_rows(run, by, metric)
    index = {id(r): i for i, r in enumerate(metrics.rows)}
    headers = [
        "model",
        "stage",
        "source",
        "oracle score ± SE",
        f"win rate vs {base} ± SE",
        f"Δ score vs {base} [95% CI]",
        RUN_HEADER,
        "pairs",
        "judge failures",
        "pair acc. vs oracle",
        "dropped",
        "example answer",
    ]
    sort_metric = metric or (DEFAULT_SOURCE_METRIC if by == "source" else None)
    sort_col = f' data-sort-column="{3 + SORT_METRICS.index(sort_metric)}"' if sort_metric else ""
    body = "".join(_model_row(run, index[id(r)], r, prov) for r in rows)
    first = metrics.rows[0]
    notes = [
        f"Scores: gold oracle 0–5, mean of {first.samples} sampled answers per prompt over "
        f"{first.n_prompts} held-out prompts. * : paired bootstrap 95% CI excludes 0. "
        "Hover a number for its provenance."
    ]
    if is_judged(metrics):
        headers[3], headers[5] = "score (no gold grader)", "LC win rate ± SE"
        notes[0] = (
            f"No gold grader: {metrics.judge.model if metrics.judge else '?'} judged sample k of each model "
            f"against sample k of {base} in both orders (disagreement = tie), {samples_text(first.samples)} per "
            f"prompt over {first.n_prompts} prompts. LC: offline length-controlled win rate. "
            "Hover a number for its provenance."
        )
    notes.append(RUN_LEGEND)
    if premise := premise_line(metrics):
        notes.append(premise)
    notes += configuration_lines(metrics)
    notes.append(
        f"Wall time {record.seconds:.0f}s; git {record.git_revision[:12]}; recipe hash {record.recipe_hash or '?'}."
    )
    title = f"{metrics.recipe} — run {record.run_id}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title><style>{CSS}</style></head>
<body>
<h1>{_e(title)}</h1>
<table id="leaderboard" class="sortable" data-by="{_e(by)}"{sort_col}>
<caption>One row per {"feedback source (M2 models)" if by == "source" else "model"}; click a header to sort</caption>
<thead><tr>{"".join(f"<th>{_e(h)}</th>" for h in headers)}</tr></thead>
<tbody>{body}</tbody></table>
{"".join(f'<p class="note">{_e(n)}</p>' for n in notes)}
{_source_table(run, prov)}
{_judge_table(run, prov)}
{_examples_table(run, prov)}
<script>{SORT_JS}</script>
</body></html>
"""

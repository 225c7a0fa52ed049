"""Leaderboards are derived from run records only (results/runs/*/*/metrics.json), never edited by hand.

Views: `by="model"` lists every evaluated model (M0s, M1, one M2 per source); `by="source"` keeps the M2
rows, one per feedback source. `metric` (score, win_rate, diff) sorts rows best first; rows without it last.
Formats: Markdown, CSV, a self-contained HTML page (sortable, provenance on every number), PNG plots.
"""

from __future__ import annotations

import csv
import html
import io
import json
from pathlib import Path
from typing import Any, Callable

from harness.records import load_runs
from harness.rubric_notes import configuration_lines
from harness.store import write_text_atomic

COLUMNS = ["model", "stage", "source", "score", "score_se", "win_rate", "win_rate_se", "discrete_win_rate",
           "lc_win_rate", "lc_win_rate_se",
           "diff", "diff_ci_low", "diff_ci_high", "significant", "pairs", "judge_failure_rate",
           "gold_pair_accuracy", "n_prompts", "samples", "run_id"]
VIEWS = ("model", "source")
SORT_METRICS = ("score", "win_rate", "diff")
DEFAULT_SOURCE_METRIC = "win_rate"


def latest_run(results: Path, recipe: str) -> dict[str, Any]:
    runs = load_runs(results, recipe)
    if not runs:
        raise FileNotFoundError(f"no finished run of recipe {recipe!r} under {results / 'runs'}; "
                                f"run `harness run recipes/{recipe}.yaml` first")
    return runs[-1]


def select_rows(run: dict[str, Any], by: str = "model", metric: str | None = None) -> list[dict[str, Any]]:
    if by not in VIEWS:
        raise ValueError(f"--by {by!r}: choose from {', '.join(VIEWS)}")
    if metric is not None and metric not in SORT_METRICS:
        raise ValueError(f"--metric {metric!r}: choose from {', '.join(SORT_METRICS)}")
    rows = run["metrics"]["rows"]
    if by == "source":
        rows, metric = [r for r in rows if r["stage"] == "M2"], metric or DEFAULT_SOURCE_METRIC
    if metric is None:
        return list(rows)
    # Stable sort: rows with equal values keep the pipeline's order.
    return sorted(rows, key=lambda r: (r.get(metric) is None, -(r.get(metric) or 0.0)))


def _fmt(value: Any, spec: str = ".2f") -> str:
    return "—" if value is None else format(value, spec)


def premise_line(metrics: dict[str, Any]) -> str | None:
    if "premise" not in metrics:
        return None
    p = metrics["premise"]
    return (f"Parameter-contrast premise: {p['strong']} beats {p['weak']} on {100 * p['strong_wins']:.0f}% "
            f"of answer pairs, loses {100 * p['weak_wins']:.0f}%, ties {100 * p['ties']:.0f}% (n={p['n']}).")


def _samples(n: Any) -> str:
    return "1 sample" if n == 1 else f"{n} samples"


def _failure_cell(row: dict[str, Any]) -> str:
    return "—" if row.get("judge_failure_rate") is None else f"{100 * row['judge_failure_rate']:.1f}%"


def _time_cell(row: dict[str, Any]) -> str:
    """Seconds spent on a source's feedback and its DPO stage."""
    if row.get("feedback_seconds") is None:
        return "—"
    return f"{row['feedback_seconds']:.0f}s + {row.get('dpo_seconds') or 0:.0f}s"


def _dropped(row: dict[str, Any]) -> str:
    return ", ".join(f"{k}: {v}" for k, v in sorted((row.get("dropped") or {}).items())) or "—"


def is_judged(metrics: dict[str, Any]) -> bool:
    """Rows judged pairwise against the baseline (no gold grader): win rates, no scores."""
    return metrics.get("evaluation") == "judge"


def _not_trained(row: dict[str, Any], base: str) -> bool:
    return row.get("score") is None and "win_rate" not in row and row["model"] != base


def markdown(run: dict[str, Any], by: str = "model", metric: str | None = None) -> str:
    if is_judged(run["metrics"]):
        return judged_markdown(run, by, metric)
    metrics, record = run["metrics"], run["run"]
    base = metrics["baseline"]
    lines = [
        f"## {metrics['recipe']} — run {record['run_id']}",
        "",
        f"| model | oracle score ± SE | win rate vs {base} ± SE | Δ score vs {base} [95% CI] | pairs | "
        "dropped (reason: n) | judge failures | pair acc. vs oracle | feedback + DPO time |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in select_rows(run, by, metric):
        if r["score"] is None:
            lines.append(f"| {r['model']} | not trained: no pairs | — | — | 0 | {_dropped(r)} | "
                         f"{100 * r['judge_failure_rate']:.1f}% | — | — |")
            continue
        win = "baseline" if r["model"] == base else f"{r['win_rate']:.1f} ± {r['win_rate_se']:.1f}"
        diff = "—" if r["model"] == base else (
            f"{r['diff']:+.2f} [{r['diff_ci_low']:+.2f}, {r['diff_ci_high']:+.2f}]{' *' if r['significant'] else ''}")
        fail = _failure_cell(r)
        acc = "—" if r.get("gold_pair_accuracy") is None else f"{100 * r['gold_pair_accuracy']:.0f}%"
        secs = _time_cell(r)
        lines.append(f"| {r['model']} | {r['score']:.2f} ± {r['score_se']:.2f} | {win} | {diff} | "
                     f"{r.get('pairs', '—')} | {_dropped(r)} | {fail} | {acc} | {secs} |")
    lines += judge_quality_markdown(metrics.get("judge_quality") or {})
    lines += ledger_lines(metrics.get("sources") or {})
    first = metrics["rows"][0]
    lines += ["", f"Scores: gold oracle 0–5, mean of {first['samples']} sampled answers per prompt over "
              f"{first['n_prompts']} held-out prompts. `*`: paired bootstrap 95% CI excludes 0."]
    if premise_line(metrics):
        lines.append(premise_line(metrics))
    lines += configuration_lines(metrics)
    stages = record.get("stages", {})
    reused = sum(1 for st in stages.values() if st.get("reused"))
    lines.append(f"Wall time {record['seconds']:.0f}s ({reused} of {len(stages)} stages reused from earlier runs); "
                 f"git {record['git_revision'][:12]}.")
    return "\n".join(lines) + "\n"


def judged_markdown(run: dict[str, Any], by: str = "model", metric: str | None = None) -> str:
    metrics, record = run["metrics"], run["run"]
    base, judge = metrics["baseline"], metrics["judge"]
    lines = [
        f"## {metrics['recipe']} — run {record['run_id']}",
        "",
        f"| model | score | win rate vs {base} ± SE | LC win rate ± SE | position consistency | pairs | "
        "dropped (reason: n) | judge failures | feedback + DPO time |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in select_rows(run, by, metric):
        if _not_trained(r, base):
            lines.append(f"| {r['model']} | — | not trained: no pairs | — | — | 0 | {_dropped(r)} | "
                         f"{100 * r['judge_failure_rate']:.1f}% | — |")
            continue
        if r["model"] == base:
            win = lc = consistency = "baseline"
        else:
            win = f"{_fmt(r.get('win_rate'), '.1f')} ± {_fmt(r.get('win_rate_se'), '.1f')}"
            lc = f"{_fmt(r.get('lc_win_rate'), '.1f')} ± {_fmt(r.get('lc_win_rate_se'), '.1f')}"
            consistency = _fmt(_pct(r.get("position_consistency")), ".0f") + "%"
        fail = _failure_cell(r)
        secs = _time_cell(r)
        lines.append(f"| {r['model']} | — | {win} | {lc} | {consistency} | {r.get('pairs', '—')} | {_dropped(r)} | "
                     f"{fail} | {secs} |")
    lines += ledger_lines(metrics.get("sources") or {})
    first = metrics["rows"][0]
    lines += ["", f"No gold grader: `{judge['model']}` (prompt `{judge['prompt']}`) judged sample k of each model "
              f"against sample k of {base}, in both orders (a verdict that flips with the order is a tie); "
              f"{_samples(first['samples'])} per prompt over {first['n_prompts']} held-out prompts, SE over prompts. "
              "LC: offline length-controlled win rate (harness/evaluate/lc.py). Score: — (no grader)."]
    if metrics.get("lc_error"):
        lines.append(f"LC fit failed: {metrics['lc_error']}")
    stages = record.get("stages", {})
    reused = sum(1 for st in stages.values() if st.get("reused"))
    lines.append(f"Wall time {record['seconds']:.0f}s ({reused} of {len(stages)} stages reused from earlier runs); "
                 f"git {record['git_revision'][:12]}.")
    return "\n".join(lines) + "\n"


def judge_quality_markdown(quality: dict[str, dict[str, Any]]) -> list[str]:
    """The second table: each judge's ranking of the same candidates against the oracle's."""
    if not quality:
        return []
    cols = ["pairwise_accuracy", "top1_accuracy", "exact_match", "spearman", "kendall", "failure_rate"]
    lines = ["", "**Judge quality against the oracle** (same M1 candidates; per-prompt means, ties in the "
             "reference excluded, judge ties half credit)", "",
             "| judge | pairwise acc. | top-1 | exact match | Spearman ρ | Kendall τ | failures | prompts |",
             "|---|---|---|---|---|---|---|---|"]
    for judge, q in quality.items():
        cells = [_fmt(q.get(c), ".3f") for c in cols]
        lines.append(f"| {judge} | {' | '.join(cells)} | {q.get('n_prompts', '—')} |")
    return lines


def ledger_lines(sources: dict[str, dict[str, Any]]) -> list[str]:
    """What remote teachers cost each source: calls, retries, failures, tokens, dollars."""
    lines = []
    for source, stats in sources.items():
        for model, led in (stats.get("ledger") or {}).items():
            failed = sum((led.get("failures") or {}).values())
            lines.append(f"- `{source}` via `{model}`: {led.get('items', 0)} items, {led.get('calls', 0)} calls, "
                         f"{led.get('retries', 0)} retries, {failed} failed, {led.get('cached_hits', 0)} cached, "
                         f"{led.get('prompt_tokens', 0) + led.get('completion_tokens', 0)} tokens, "
                         f"${led.get('cost_usd', 0.0):.4f}")
    return ["", "**Remote calls**", "", *lines] if lines else []


def csv_text(run: dict[str, Any], by: str = "model", metric: str | None = None) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=COLUMNS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in select_rows(run, by, metric):
        writer.writerow({**row, "run_id": run["run"]["run_id"]})
    return buf.getvalue()


# --- HTML ---------------------------------------------------------------------------------------------
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

    def __init__(self, run: dict[str, Any]):
        self.run_id = run["run"]["run_id"]
        self.stages = run["run"].get("stages", {})

    def stage(self, label: str) -> str:
        s = self.stages.get(label)
        return f"stage '{label}' key {s['key']} ({s['path']})" if s else f"stage '{label}' (not in run.json)"

    def __call__(self, where: str | None, *labels: str) -> str:
        parts = [f"run {self.run_id}", *([f"metrics.json {where}"] if where else []), *map(self.stage, labels)]
        return "; ".join(parts)


def _cell(text: str, sort: Any = None, title: str | None = None, cls: str = "num") -> str:
    attrs = f' class="{cls}"' if cls else ""
    attrs += f' data-sort="{_e(str(sort))}"' if sort is not None else ' data-sort=""'
    attrs += f' title="{_e(title)}"' if title else ""
    return f"<td{attrs}>{text}</td>"


def _example_answer(run: dict[str, Any], model: str) -> tuple[str, str] | None:
    """Sample 0 of the first evaluation prompt, read from the evaluate stage the run record points at."""
    stage = run["run"].get("stages", {}).get(f"evaluate {model}")
    path = Path(stage["path"]) / "completions.jsonl" if stage else None
    if path is None or not path.exists():
        return None
    with open(path, encoding="utf-8") as fh:
        first = json.loads(fh.readline())
    return first["prompt_id"], first["text"]


SIGNIFICANT = ' <span class="sig" title="paired bootstrap 95% CI excludes 0">*</span>'


def _feedback_label(row: dict[str, Any]) -> str:
    # Round 1 of a source is stage "feedback <source>"; later self-reward rounds are "feedback M3-<source>", ...
    return f"feedback {row['source']}" if row["stage"] == "M2" else f"feedback {row['model']}"


def _model_row(run: dict[str, Any], index: int, r: dict[str, Any], prov: _Provenance) -> str:
    base, model, source = run["metrics"]["baseline"], r["model"], r.get("source") or ""
    where = f"rows[{index}]"
    ev, ev_base = f"evaluate {model}", f"evaluate {base}"
    fb = _feedback_label(r) if source else ""
    trained = (ev, f"dpo {model}") if source else (ev,)
    cells = [_cell(_e(model), model, prov(f"{where}.model"), ""), _cell(_e(r["stage"]), r["stage"], None, ""),
             _cell(_e(source) or "—", source, None, "")]
    if _not_trained(r, base):
        cells.append(_cell('<span class="muted">not trained: no pairs</span>', None, prov(f"{where}.score", fb)))
        cells += [_cell("—"), _cell("—")]
    elif r.get("score") is None:  # judged rows: win rate and LC win rate, no score
        cells.append(_cell("—"))
        if model == base:
            cells += [_cell("baseline", None, None, "muted"), _cell("—")]
        else:
            judged = (f"judge {model} vs {base}",)
            cells.append(_cell(f"{_fmt(r.get('win_rate'), '.1f')} ± {_fmt(r.get('win_rate_se'), '.1f')}",
                               r.get("win_rate"), prov(f"{where}.win_rate", *judged)))
            cells.append(_cell(f"LC {_fmt(r.get('lc_win_rate'), '.1f')} ± {_fmt(r.get('lc_win_rate_se'), '.1f')}",
                               r.get("lc_win_rate"), prov(f"{where}.lc_win_rate", *judged)))
    else:
        cells.append(_cell(f"{r['score']:.2f} ± {r['score_se']:.2f}", r["score"], prov(f"{where}.score", *trained)))
        if model == base:
            cells += [_cell("baseline", None, None, "muted"), _cell("—")]
        else:
            cells.append(_cell(f"{r['win_rate']:.1f} ± {r['win_rate_se']:.1f}", r["win_rate"],
                               prov(f"{where}.win_rate", ev, ev_base)))
            sig = SIGNIFICANT if r.get("significant") else ""
            cells.append(_cell(f"{r['diff']:+.2f} [{r['diff_ci_low']:+.2f}, {r['diff_ci_high']:+.2f}]{sig}",
                               r["diff"], prov(f"{where}.diff", ev, ev_base)))
    for field, text in (("pairs", _fmt(r.get("pairs"), "d")),
                        ("judge_failure_rate", _fmt(_pct(r.get("judge_failure_rate")), ".1f") + "%"),
                        ("gold_pair_accuracy", _fmt(_pct(r.get("gold_pair_accuracy")), ".0f") + "%")):
        value = r.get(field)
        cells.append(_cell("—" if value is None else text, value, prov(f"{where}.{field}", fb) if source else None))
    cells.append(_cell(_e(_dropped(r)), _dropped(r), prov(f"{where}.dropped", fb) if source else None, ""))
    example = _example_answer(run, model)
    cells.append(_cell("—", None, None, "answer") if example is None else
                 _cell(_e(example[1][:200]), example[1][:200], prov(None, ev) + f"; prompt {example[0]}, sample 0",
                       "answer"))
    return "<tr>" + "".join(cells) + "</tr>"


def _pct(value: float | None) -> float | None:
    return None if value is None else 100 * value


SOURCE_FIELDS = ("prompts", "candidates", "pairs", "judge_calls", "judge_failures", "judge_failure_rate",
                 "gold_pair_accuracy", "feedback_seconds", "dpo_seconds")


def _source_table(run: dict[str, Any], prov: _Provenance) -> str:
    sources = run["metrics"].get("sources", {})
    head = "".join(f"<th>{f.replace('_', ' ')}</th>" for f in ("source", *SOURCE_FIELDS, "dropped"))
    body = []
    for name, stats in sources.items():
        cells = [_cell(_e(name), name, None, "")]
        for field in SOURCE_FIELDS:
            value = stats.get(field)
            text = "—" if value is None else f"{value:.3g}" if isinstance(value, float) else _e(str(value))
            stage = f"dpo M2-{name}" if field == "dpo_seconds" else f"feedback {name}"
            cells.append(_cell(text, value, prov(f"sources[{name!r}].{field}", stage)))
        cells.append(_cell(_e(_dropped(stats)), _dropped(stats), None, ""))
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<table id="sources" class="sortable"><caption>Feedback sources</caption><thead><tr>{head}</tr>'
            f"</thead><tbody>{''.join(body)}</tbody></table>")


def judge_quality_columns(quality: dict[str, dict[str, Any]]) -> list[str]:
    """The metric columns of `judge_quality`: its `<metric>_se` companions and prompt counts are not metrics."""
    found = {m for scores in quality.values() for m in scores if not m.endswith("_se") and m != "n_prompts"}
    return sorted(found)


def _judge_table(run: dict[str, Any], prov: _Provenance) -> str:
    quality = run["metrics"].get("judge_quality") or {}
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
            cells.append(_cell(_e(text), value, prov(f"judge_quality[{judge!r}].{c}", f"judge quality {judge}")))
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (f'<table id="judges" class="sortable"><caption>Judge quality vs the gold oracle (per-prompt ranking '
            f"metrics)</caption><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>")


EXAMPLES_PER_SOURCE = 2
EXAMPLE_CHARS = 240


def _clip(text: str) -> str:
    return text if len(text) <= EXAMPLE_CHARS else text[: EXAMPLE_CHARS - 1] + "…"


def example_pairs(run: dict[str, Any], per_source: int = EXAMPLES_PER_SOURCE) -> list[tuple[str, dict[str, Any]]]:
    """The first pairs of each source's preference file (the feedback stage the run record points at)."""
    found = []
    for source in run["metrics"].get("sources", {}):
        stage = run["run"].get("stages", {}).get(f"feedback {source}")
        path = Path(stage["path"]) / "preferences.jsonl" if stage else None
        if path is None or not path.exists():
            continue
        with open(path, encoding="utf-8") as fh:
            lines = [line for _, line in zip(range(per_source), fh)]
        found += [(source, json.loads(line)) for line in lines if line.strip()]
    return found


def _examples_table(run: dict[str, Any], prov: _Provenance) -> str:
    """What each source's pairs look like. Prompts and answers are model output: data, escaped, never markup."""
    pairs = example_pairs(run)
    if not pairs:
        return ""
    body = []
    for source, pair in pairs:
        where = prov(None, f"feedback {source}") + f"; prompt {pair['prompt_id']}"
        texts = [_clip(pair[k][-1]["content"]) if pair.get(k) else "" for k in ("prompt", "chosen", "rejected")]
        cells = [_cell(_e(source), source, None, "")] + [_cell(_e(t), None, where, "answer") for t in texts]
        body.append("<tr>" + "".join(cells) + "</tr>")
    head = "".join(f"<th>{h}</th>" for h in ("source", "prompt", "chosen", "rejected"))
    return (f'<table id="examples"><caption>Example preference pairs (the first {EXAMPLES_PER_SOURCE} of each source, '
            f"cut at {EXAMPLE_CHARS} characters)</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>")


def html_page(run: dict[str, Any], by: str = "model", metric: str | None = None) -> str:
    metrics, record = run["metrics"], run["run"]
    prov, base = _Provenance(run), metrics["baseline"]
    rows = select_rows(run, by, metric)
    index = {id(r): i for i, r in enumerate(metrics["rows"])}
    headers = ["model", "stage", "source", "oracle score ± SE", f"win rate vs {base} ± SE",
               f"Δ score vs {base} [95% CI]", "pairs", "judge failures", "pair acc. vs oracle", "dropped",
               "example answer"]
    sort_metric = metric or (DEFAULT_SOURCE_METRIC if by == "source" else None)
    sort_col = f' data-sort-column="{3 + SORT_METRICS.index(sort_metric)}"' if sort_metric else ""
    body = "".join(_model_row(run, index[id(r)], r, prov) for r in rows)
    first = metrics["rows"][0]
    notes = [f"Scores: gold oracle 0–5, mean of {first.get('samples')} sampled answers per prompt over "
             f"{first.get('n_prompts')} held-out prompts. * : paired bootstrap 95% CI excludes 0. "
             "Hover a number for its provenance."]
    if is_judged(metrics):
        headers[3], headers[5] = "score (no gold grader)", "LC win rate ± SE"
        notes[0] = (f"No gold grader: {metrics['judge']['model']} judged sample k of each model against sample k of "
                    f"{base} in both orders (disagreement = tie), {_samples(first.get('samples'))} per prompt over "
                    f"{first.get('n_prompts')} prompts. LC: offline length-controlled win rate. "
                    "Hover a number for its provenance.")
    if premise_line(metrics):
        notes.append(premise_line(metrics))
    notes += configuration_lines(metrics)
    notes.append(f"Wall time {record['seconds']:.0f}s; git {record['git_revision'][:12]}; recipe hash "
                 f"{record.get('recipe_hash', '?')}.")
    title = f"{metrics['recipe']} — run {record['run_id']}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{_e(title)}</title><style>{CSS}</style></head>
<body>
<h1>{_e(title)}</h1>
<table id="leaderboard" class="sortable" data-by="{_e(by)}"{sort_col}>
<caption>One row per {'feedback source (M2 models)' if by == 'source' else 'model'}; click a header to sort</caption>
<thead><tr>{''.join(f'<th>{_e(h)}</th>' for h in headers)}</tr></thead>
<tbody>{body}</tbody></table>
{''.join(f'<p class="note">{_e(n)}</p>' for n in notes)}
{_source_table(run, prov)}
{_judge_table(run, prov)}
{_examples_table(run, prov)}
<script>{SORT_JS}</script>
</body></html>
"""


# --- writing --------------------------------------------------------------------------------------------

TEXT_FORMATS: dict[str, Callable[..., str]] = {"md": markdown, "csv": csv_text, "html": html_page}
FORMATS = (*TEXT_FORMATS, "png")


def write(results: Path, recipe: str, formats: list[str], out_dir: Path | None = None, by: str = "model",
          metric: str | None = None, log: Callable[[str], None] = print) -> list[Path]:
    for fmt in formats:
        if fmt not in FORMATS:
            raise ValueError(f"--format {fmt!r}: choose from {', '.join(FORMATS)}")
    run = latest_run(results, recipe)
    select_rows(run, by, metric)  # a bad --by/--metric fails before any file is written
    out_dir = out_dir or results / "leaderboards"
    written = []
    for fmt in formats:
        if fmt == "png":
            from harness import plots

            written += plots.write_plots(run, out_dir, recipe, by=by, metric=metric, log=log)
            continue
        path = out_dir / f"{recipe}.{fmt}"
        write_text_atomic(path, TEXT_FORMATS[fmt](run, by, metric))
        written.append(path)
    return written

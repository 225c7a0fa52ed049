"""Markdown, CSV, HTML and PNG leaderboards from the dev run's record."""

from __future__ import annotations

import csv
import io
from html.parser import HTMLParser

import numpy as np
import pytest

from harness.report import leaderboard, plots

PIPELINE_ORDER = ["xs", "s", "m", "M1", "M2-parameter_contrast", "M2-self_reward", "M2-oracle"]


def csv_models(text: str) -> list[str]:
    return [row["model"] for row in csv.DictReader(io.StringIO(text))]


def test_default_view_keeps_the_pipeline_order(results):
    run = leaderboard.latest_run(results, "sandbox")
    md = leaderboard.markdown(run)
    assert [line.split(" | ")[0][2:] for line in md.splitlines() if line.startswith("| ")][1:] == PIPELINE_ORDER
    assert csv_models(leaderboard.csv_text(run)) == PIPELINE_ORDER
    # The power cell is "—": this record was written before rows had a `power` record
    assert "| M2-parameter_contrast | 0.00 ± 0.00 | 47.5 ± 1.7 | -0.15 [-0.30, +0.00] | — | 11 |" in md


def test_by_source_keeps_one_m2_row_per_source_sorted_by_win_rate(results):
    run = leaderboard.latest_run(results, "sandbox")
    assert csv_models(leaderboard.csv_text(run, by="source")) == [
        "M2-parameter_contrast",
        "M2-self_reward",
        "M2-oracle",
    ]


def test_sorting_by_diff_puts_the_best_first_and_missing_values_last(results):
    run = leaderboard.latest_run(results, "sandbox")
    # m: -0.125; xs, s, M2-parameter_contrast: -0.15 (ties keep pipeline order); the baseline and untrained rows last
    assert csv_models(leaderboard.csv_text(run, by="model", metric="diff")) == [
        "m",
        "xs",
        "s",
        "M2-parameter_contrast",
        "M1",
        "M2-self_reward",
        "M2-oracle",
    ]


def test_bad_view_metric_or_format_fails_before_writing(results, tmp_path):
    with pytest.raises(ValueError, match=r"--by 'judge': choose from model, source"):
        leaderboard.write(results, "sandbox", ["md"], out_dir=tmp_path / "out", by="judge")
    with pytest.raises(ValueError, match=r"--metric 'elo': choose from score, win_rate, diff"):
        leaderboard.write(results, "sandbox", ["md"], out_dir=tmp_path / "out", metric="elo")
    with pytest.raises(ValueError, match=r"--format 'pdf': choose from md, csv, html, png"):
        leaderboard.write(results, "sandbox", ["md", "pdf"], out_dir=tmp_path / "out")
    assert not (tmp_path / "out").exists()


class Cells(HTMLParser):
    """Every <td> of the page: its attributes and text."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[tuple[dict[str, str | None], str]] = []
        self._open = False

    def handle_starttag(self, tag, attrs):
        if tag == "td":
            self.cells.append((dict(attrs), ""))
            self._open = True

    def handle_endtag(self, tag):
        if tag == "td":
            self._open = False

    def handle_data(self, data):
        if self._open:
            attrs, text = self.cells[-1]
            self.cells[-1] = (attrs, text + data)


def test_html_escapes_every_string_from_run_data(record, make_results, hostile):
    run, metrics = record
    evil = '<b onmouseover="x()">oracle</b>'
    metrics["sources"][evil] = metrics["sources"].pop("oracle")
    row = next(r for r in metrics["rows"] if r["source"] == "oracle")
    row.update(source=evil, model=f"M2-{evil}", dropped={"<i>tie</i>": 12})
    results = make_results(run, metrics)
    page = leaderboard.html_page(leaderboard.latest_run(results, "sandbox"), by="source")
    assert hostile not in page and "<img" not in page and "<b " not in page and "<i>" not in page
    assert page.count("<script>") == 1  # the page's own sort script, nothing from the run
    assert "&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt;" in page
    assert "&lt;b onmouseover=&quot;x()&quot;&gt;oracle&lt;/b&gt;" in page
    parser = Cells()
    parser.feed(page)
    assert any(text == hostile for _, text in parser.cells)  # shown to the reader as text, intact


def test_rows_are_drawn_from_the_stage_labels_metrics_json_records(record, make_results):
    """Rows name their stages (metrics.json `stages`); a source that gave no pairs has a feedback stage only."""
    run, metrics = record
    row = next(r for r in metrics["rows"] if r["model"] == "M2-oracle")
    untrained = {
        "model": "M2-oracle",
        "stage": "M2",
        "source": "oracle",
        "score": None,
        "pairs": 0,
        "stages": {"feedback": "feedback oracle"},
        "dropped": {"tie": 12},
        "judge_failure_rate": 0.0,
    }
    metrics["rows"][metrics["rows"].index(row)] = untrained
    for r in metrics["rows"]:
        if r["model"] == "M2-parameter_contrast":
            r["stages"] = {
                "evaluate": "evaluate M1",
                "feedback": "feedback parameter_contrast",
                "dpo": "dpo M2-parameter_contrast",
            }  # an evaluate label the reader can only have read
    page = leaderboard.html_page(leaderboard.latest_run(make_results(run, metrics), "sandbox"))
    parser = Cells()
    parser.feed(page)
    titles = [a.get("title") or "" for a, _ in parser.cells]
    assert any("not trained: no pairs" in t for _, t in parser.cells)
    win = next(t for t in titles if "rows[4].win_rate" in t)
    assert win.count("stage 'evaluate M1'") == 2  # the recorded label, not one rebuilt from the row's name


def test_html_gives_every_number_its_provenance(results):
    run = leaderboard.latest_run(results, "sandbox")
    parser = Cells()
    parser.feed(leaderboard.html_page(run))
    numbers = [(a, t) for a, t in parser.cells if a.get("class") == "num" and a.get("data-sort")]
    assert len(numbers) > 20
    run_id = run.run.run_id
    for attrs, text in numbers:
        assert run_id in (attrs.get("title") or ""), f"no provenance on {text!r}"
        assert "metrics.json " in attrs["title"] and "stage '" in attrs["title"]
    win = next(a["title"] for a, t in numbers if "rows[4].win_rate" in a["title"])
    stages = run.run.stages
    assert run.feedback.rows[4].model == "M2-parameter_contrast"
    assert f"'evaluate M2-parameter_contrast' key {stages['evaluate M2-parameter_contrast'].key}" in win
    assert f"'evaluate M1' key {stages['evaluate M1'].key}" in win


def test_html_shows_cis_premise_and_source_stats(results):
    page = leaderboard.html_page(leaderboard.latest_run(results, "sandbox"))
    assert "-0.15 [-0.30, +0.00]" in page and "0.15 ± 0.10" in page
    assert "Parameter-contrast premise: s beats xs on 0% of answer pairs" in page
    parser = Cells()
    parser.feed(page.split('<table id="sources"')[1])
    assert [t for a, t in parser.cells if t in ("oracle", "parameter_contrast", "self_reward")] == [
        "oracle",
        "parameter_contrast",
        "self_reward",
    ]
    assert 'id="judges"' not in page  # this run has no judge_quality


def pixels(path) -> np.ndarray:
    from matplotlib.image import imread

    return imread(path)


def distinct_colours(image: np.ndarray) -> int:
    return len(np.unique(image.reshape(-1, image.shape[-1]), axis=0))


def test_png_metric_plot_and_skipped_heatmap(results, tmp_path):
    logged: list[str] = []
    written = leaderboard.write(results, "sandbox", ["png"], out_dir=tmp_path, by="source", log=logged.append)
    assert written == [tmp_path / f"sandbox.{ext}" for ext in ("png", "svg", "pdf", "caption.md")]
    assert distinct_colours(pixels(written[0])) > 20
    assert logged == [
        f"judge-quality heatmap skipped: metrics.json of run "
        f"{leaderboard.latest_run(results, 'sandbox').run.run_id} has no 'judge_quality'"
    ]


def test_png_heatmap_from_judge_quality(tmp_path, record, make_results):
    run, metrics = record
    metrics["judge_quality"] = {
        "self (M1)": {
            "pairwise_accuracy": 0.61,
            "pairwise_accuracy_se": 0.03,
            "spearman": 0.35,
            "spearman_se": 0.05,
            "n_prompts": 12,
            "failure_rate": 0.0,
        },
        "RM (oracle)": {"pairwise_accuracy": 0.8, "spearman": None, "n_prompts": 12, "failure_rate": 0.25},
    }
    results = make_results(run, metrics)
    assert plots.judge_quality_columns(metrics["judge_quality"]) == ["failure_rate", "pairwise_accuracy", "spearman"]
    written = leaderboard.write(results, "sandbox", ["png", "html"], out_dir=tmp_path / "out", log=print)
    assert [p.name for p in written if p.suffix != ".md"] == [
        *(f"sandbox.{ext}" for ext in ("png", "svg", "pdf")),
        *(f"sandbox-judges.{ext}" for ext in ("png", "svg", "pdf")),
        "sandbox.html",
    ]
    heatmap = pixels(written[4])
    assert distinct_colours(heatmap) > 20 and heatmap.shape[1] > heatmap.shape[0]  # 3 metric columns, 2 judges
    page = written[-1].read_text()
    assert 'id="judges"' in page and "0.61 ± 0.03" in page and "judge quality self (M1)" in page


def test_a_rubric_sources_configurations_show_their_gold_scores_in_rubric_order(record, make_results):
    run, metrics = record
    worst = {"rank": 2, "gold_score": 2.5, "gold_score_se": 0.125, "bad": 3}
    best = {"rank": 1, "gold_score": 1.25, "gold_score_se": None, "bad": 0}
    metrics["sources"]["oracle"]["configurations"] = {"small_noisy": worst, "big_clean": best}
    latest = leaderboard.latest_run(make_results(run, metrics), "sandbox")
    line = (
        "Rubric of oracle, rank: configuration, gold score of its responses ± SE — "
        "1. big_clean 1.25; 2. small_noisy 2.50 ± 0.12 (3 BAD)."
    )
    assert line in leaderboard.markdown(latest).splitlines()
    assert f'<p class="note">{line}</p>' in leaderboard.html_page(latest).replace("&#x27;", "'")

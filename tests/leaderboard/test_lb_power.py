"""The power column: each row's minimum detectable effect beside its Δ, and the prompts a non-significant Δ needs,
in metrics.json, Markdown, CSV and HTML, with the legend that says what it is."""

from __future__ import annotations

import csv
import io
import json
from types import SimpleNamespace

import numpy as np
import pytest

from harness.evaluate.power import paired_mde, prompts_for
from harness.report import leaderboard
from harness.report.power_cells import RUN_HEADER, RUN_LEGEND
from harness.report.scoring import build_metrics
from harness.run.record_schema import to_json

RECIPE = SimpleNamespace(
    name="sandbox",
    seed=0,
    models={},
    sources=("big", "small"),
    evaluation=SimpleNamespace(baseline="M1", bootstrap=500),
)
STATS = {s: {"pairs": 30, "dropped": {}, "judge_failure_rate": 0.0} for s in RECIPE.sources}


@pytest.fixture
def scores() -> dict:
    """48 prompts, 2 graded samples each: M2-big gains a full point, M2-small a tenth with the same spread."""
    rng = np.random.default_rng(0)
    base = rng.integers(0, 5, size=(48, 2)).astype(float)
    # per-prompt noise of mean exactly 0: +1, -1, 0 in turn, on both samples
    noise = np.repeat(np.array([1.0, -1.0, 0.0])[np.arange(48) % 3][:, None], 2, axis=1)
    scores = {
        "M1": {f"p{i}": list(base[i]) for i in range(48)},
        "M2-big": {f"p{i}": list(base[i] + 1.0 + noise[i]) for i in range(48)},
        "M2-small": {f"p{i}": list(base[i] + 0.1 + noise[i]) for i in range(48)},
    }
    return scores


@pytest.fixture
def metrics(scores) -> dict:
    return to_json(build_metrics(RECIPE, scores, STATS, None))  # metrics.json as the run writes it


def test_rows_record_their_mde_and_the_prompts_their_delta_needs(metrics):
    rows = {r["model"]: r for r in metrics["rows"]}
    assert "power" not in rows["M1"]
    big, small = rows["M2-big"], rows["M2-small"]
    assert big["significant"] and not small["significant"]
    for row in (big, small):
        p = row["power"]
        assert p["n_prompts"] == 48 and p["observed"] == pytest.approx(row["diff"])
        assert p["mde"] == pytest.approx(paired_mde(p["sd_diff"], 48)) and p["alpha"] == 0.05 and p["power"] == 0.8
        assert p["prompts_needed"] == prompts_for(p["sd_diff"], row["diff"])
    # A significant Δ needed fewer prompts than were run; the small one needs many more than 48
    assert big["power"]["prompts_needed"] < 48 < small["power"]["prompts_needed"]
    assert small["power"]["mde"] > abs(small["diff"])


def test_the_column_shows_in_markdown_csv_and_html_with_its_legend(record, make_results, metrics):
    run, _ = record
    results = make_results(run, metrics)
    lb_run = leaderboard.latest_run(results, "sandbox")
    small = next(r for r in metrics["rows"] if r["model"] == "M2-small")
    md = leaderboard.markdown(lb_run)
    assert RUN_HEADER in md and RUN_LEGEND in md
    needed = f"{small['power']['prompts_needed']:,}"
    assert f"| {small['power']['mde']:.2f} · Δ needs {needed} prompts |" in md
    big_line = next(line for line in md.splitlines() if line.startswith("| M2-big |"))
    assert "needs" not in big_line and " *" in big_line  # a significant Δ states its MDE only
    rows = {r["model"]: r for r in csv.DictReader(io.StringIO(leaderboard.csv_text(lb_run)))}
    assert float(rows["M2-small"]["mde"]) == pytest.approx(small["power"]["mde"])
    assert int(rows["M2-small"]["prompts_needed"]) == small["power"]["prompts_needed"]
    assert rows["M1"]["mde"] == ""
    page = leaderboard.html_page(lb_run)
    assert RUN_HEADER in page and f"Δ needs {needed} prompts" in page and "rows[2].power" in page


def test_plan_sizes_a_design_from_a_pilot_run(record, make_results, scores, metrics, capsys):
    from harness.cli import main

    run, _ = record
    results = make_results(run, metrics)
    run_dir = results / "runs" / "sandbox" / run["run_id"]
    small = next(r for r in metrics["rows"] if r["model"] == "M2-small")["power"]
    design = ["plan", "recipes/sandbox.yaml", "--set", "evaluation.prompts=48", "--pilot", str(run_dir)]
    assert main(design) == 0  # no scores.json: the rows' power records
    from_records = capsys.readouterr().out
    line = next(x for x in from_records.splitlines() if x.startswith("M2-small vs M1:"))
    assert f"{small['prompts_needed']:,} prompts" in line and f"48 prompts detect {small['mde']:.3f}" in line
    assert "to detect +0.100 oracle score points" in line and "Seed-to-seed variance unknown" in line
    (run_dir / "scores.json").write_text(json.dumps(scores))  # per-prompt scores: the same variances
    assert main(design) == 0
    assert capsys.readouterr().out == from_records
    assert main([*design, "--effect", "0.5"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith("M2-small vs M1:"))
    assert f"{prompts_for(small['sd_diff'], 0.5):,} prompts" in line
    # With bad input: one line naming the flag, exit 2, before any pilot is read
    for flag, value in (("--effect", "0"), ("--power", "1.5"), ("--alpha", "0")):
        assert main([*design, flag, value]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"error: {flag} ") and err.count("\n") == 1


def test_judged_rows_state_the_mde_of_their_win_rate_in_points(record, make_results):
    """No gold grader: the comparison is the win rate against 50, and its MDE is in win-rate points."""
    from harness.report.scoring import build_judged_metrics
    from harness.steps.pairwise_eval import JudgedEvaluation, JudgedRow

    ids = [f"p{i}" for i in range(40)]
    # 2 = the model's answer preferred, 1 = the baseline's, 1.5 = a tie; the model wins 22, loses 14, ties 4
    prefs = [2.0] * 22 + [1.0] * 14 + [1.5] * 4
    row = JudgedRow(
        preferences={i: [p, p] for i, p in zip(ids, prefs, strict=True)}, lengths=dict.fromkeys(ids, (10.0, 10.0))
    )
    judged = JudgedEvaluation(
        judge="teacher", prompt="pairwise_abc", baseline="M1", samples=2, n_prompts=40, rows={"M1": None, "M2-big": row}
    )
    recipe = SimpleNamespace(name="sandbox", models={}, sources=("big",))
    metrics = to_json(build_judged_metrics(recipe, judged, {"big": STATS["big"]}))
    m2 = next(r for r in metrics["rows"] if r["model"] == "M2-big")
    won = 100 * (np.array(prefs) - 1) - 50
    assert m2["power"]["observed"] == pytest.approx(m2["win_rate"] - 50) == pytest.approx(won.mean())
    assert m2["power"]["mde"] == pytest.approx(paired_mde(won.std(ddof=1), 40))
    assert m2["power"]["test"] == "z-test of the win rate against 50 over prompts"
    # 60 % against 50 over 40 prompts is below the MDE: the cell says how many prompts would resolve it
    run, _ = record
    md = leaderboard.markdown(leaderboard.latest_run(make_results(run, metrics), "sandbox"))
    assert f"| {m2['power']['mde']:.2f} · Δ needs {m2['power']['prompts_needed']:,} prompts |" in md

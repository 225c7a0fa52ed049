"""The three paper recipes run end to end with --smoke through the CLI, on CPU, and leave a leaderboard each.

Rows and win rates are checked, not quality: the models are tiny and random. What must hold is that every
stage of each recipe ran (M2 rows trained from pairs, RMSP for ALMoST), the judged evaluation gave a win
rate and an LC win rate in [0, 100] for every row but the baseline, and results sit under <name>-smoke.
"""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pytest

from harness.cli import main
from harness.report import leaderboard

ROOT = Path(__file__).resolve().parents[2]
EXPECTED = {
    "pcon_qwen2": (["qwen2_0_5b", "qwen2_7b", "M1", "M2-parameter_contrast"], ["M2-parameter_contrast"]),
    "almost_llama2": (
        ["llama2_7b", "llama2_13b", "llama2_7b_chat", "M1", "M2-almost_rubric", "RMSP-almost_rubric"],
        ["M2-almost_rubric"],
    ),
    # self_reward's tiny M1 cannot write "Score: n", so that source honestly gives no pairs
    "self_reward_phi2": (
        ["phi2", "M1", "M2-llm_judge", "M2-llm_teacher", "M2-self_reward"],
        ["M2-llm_judge", "M2-llm_teacher"],
    ),
}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    return tmp_path_factory.mktemp("smoke-results")


@pytest.mark.parametrize("name", list(EXPECTED))
def test_paper_recipe_runs_with_smoke(results, name, capsys):
    started = time.perf_counter()
    assert main(["run", str(ROOT / "recipes" / f"{name}.yaml"), "--smoke", "--results", str(results)]) == 0
    seconds = time.perf_counter() - started
    out = capsys.readouterr().out
    print(f"{name} --smoke: {seconds:.0f}s")
    assert "[smoke] recipe name:" in out and "-> tiny random" in out and "-> local server on 127.0.0.1" in out
    assert not (results / "runs" / name).exists()  # smoke results never mix with real ones

    run = leaderboard.latest_run(results, f"{name}-smoke")
    metrics = run.feedback.to_json()
    rows = {r["model"]: r for r in metrics["rows"]}
    expected_rows, trained = EXPECTED[name]
    assert list(rows) == expected_rows
    assert metrics["evaluation"] == "judge" and metrics["baseline"] == "M1"
    assert "gpt4o" not in rows and "gemini" not in rows  # the judge is not a row
    for model, row in rows.items():
        if model == "M1" or row.get("pairs") == 0:
            continue
        assert row["score"] is None
        assert 0.0 <= row["win_rate"] <= 100.0 and row["win_rate_se"] is not None
        assert 0.0 <= row["lc_win_rate"] <= 100.0
        assert row["n_judged"] == row["n_prompts"] == 4 and row["eval_judge_failures"] == 0
        assert 0.0 <= row["position_consistency"] <= 1.0
    for model in trained:
        assert rows[model]["pairs"] > 0, rows[model]
    csv_rows = list(csv.DictReader((results / "leaderboards" / f"{name}-smoke.csv").open()))
    assert [r["model"] for r in csv_rows] == expected_rows
    md = (results / "leaderboards" / f"{name}-smoke.md").read_text()
    assert "LC win rate" in md and "No gold grader" in md

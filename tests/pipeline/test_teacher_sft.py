"""The teacher as SFT: on a tiny sandbox, SFT-teacher is trained from M1 by the real SFT trainer on the teacher's
answers to the feedback prompts (the answers llm_teacher chooses), counted, and evaluated like every row, by the gold
grader or by a judge."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.recipes.loader import load_recipe
from harness.run import names
from harness.run.pipeline import Pipeline
from harness.run.records import read_jsonl
from harness.types import PreferencePair
from tests.pipeline.test_pipeline_sandbox import ROOT, TINY

SMALL = [
    *[o for o in TINY if not o.startswith(("judge_quality", "rmsp"))],
    "sources=[llm_teacher]",
    "rmsp=null",
    "judge_quality.enabled=false",
    "teacher_sft={teacher: teacher}",
]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    results = tmp_path_factory.mktemp("results")
    recipe = load_recipe(ROOT / "recipes" / "sandbox.yaml", SMALL)
    return Pipeline(recipe, results, log=lambda _: None).run()


def test_the_row_is_evaluated_with_a_paired_ci_and_its_teacher_calls(run):
    rows = {r["model"]: r for r in run["metrics"]["rows"]}
    row = rows[names.teacher_sft_model("teacher")]
    assert row["stage"] == "SFT" and row["source"] == ""
    assert row["diff_ci_low"] <= row["diff"] <= row["diff_ci_high"]
    assert row["teacher_calls"] == 8 and row["demonstrations"] + row["missing"] == 8
    assert row["stages"] == {"evaluate": "evaluate SFT-teacher", "teacher_sft": "teacher sft teacher"}
    assert "M2-llm_teacher" in rows


def test_it_trains_from_m1_on_the_answers_llm_teacher_chooses(run):
    record = json.loads((Path(run["run_dir"]) / "run.json").read_text())
    stage = record["stages"][names.teacher_sft_label("teacher")]
    demos = json.loads((Path(stage["path"]) / "demonstrations.json").read_text())
    pairs = read_jsonl(Path(record["stages"]["feedback llm_teacher"]["path"]) / "preferences.jsonl", PreferencePair)
    assert {p.chosen[-1].content for p in pairs} <= {d[-1]["content"] for d in demos}
    assert stage["summary"]["train_loss"] > 0  # the SFT trainer ran on them
    model = Path(record["models"][names.teacher_sft_model("teacher")]["path"])
    assert (model / "config.json").exists() and model != Path(record["models"][names.M1]["path"])


def test_a_judged_run_states_the_rows_teacher_calls_too(run):
    """Evaluated by a pairwise judge instead of the gold grader (the store reused), the row keeps its counts."""
    results = Path(run["run_dir"]).parents[2]
    judged = [*SMALL, "evaluation.judge={model: teacher, prompt: brief_pairwise}"]
    again = Pipeline(load_recipe(ROOT / "recipes" / "sandbox.yaml", judged), results, log=lambda _: None).run()
    graded = {r["model"]: r for r in run["metrics"]["rows"]}[names.teacher_sft_model("teacher")]
    row = {r["model"]: r for r in again["metrics"]["rows"]}[names.teacher_sft_model("teacher")]
    assert row["score"] is None and row["win_rate"] is not None  # the judge evaluated it
    assert {k: row[k] for k in ("demonstrations", "teacher_calls", "missing")} == {
        k: graded[k] for k in ("demonstrations", "teacher_calls", "missing")
    }

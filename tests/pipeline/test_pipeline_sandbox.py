"""The whole loop on a tiny sandbox: every stage runs, writes what DESIGN.md says, and a rerun reuses all.

Models here are barely trained (seconds of compute), so the numbers are not the point; the wiring is.
The quality claims (oracle DPO beats M1) are checked by the demo run itself, not by this test.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.recipes.loader import load_recipe
from harness.report import leaderboard
from harness.run.pipeline import Pipeline
from harness.run.record_schema import SCHEMA_VERSION
from tests import first_vs_second  # noqa: F401  (registers the test source)

ROOT = Path(__file__).resolve().parents[2]
TINY = [
    "benchmark.params.corpus_size=2000",
    "models.xs.sandbox.steps=8",
    "models.s.sandbox.steps=12",
    "sft.demonstrations=16",
    "sft.judging_examples=16",
    "models.teacher.sft.demonstrations=24",
    "models.teacher.sft.judging_examples=24",
    "feedback.prompts=8",
    "evaluation.prompts=6",
    "evaluation.samples=2",
    "evaluation.bootstrap=200",
    "judge_quality.reward_models=[llm_teacher]",
    "rmsp.prompts=8",
]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    results = tmp_path_factory.mktemp("results")
    recipe = load_recipe(ROOT / "recipes" / "sandbox.yaml", TINY)
    logs: list[str] = []
    first = Pipeline(recipe, results, log=logs.append).run()
    second_logs: list[str] = []
    second = Pipeline(recipe, results, log=second_logs.append).run()
    return results, first, second, logs, second_logs


def test_every_stage_is_reused_on_rerun(runs):
    _, first, second, _logs, second_logs = runs
    assert len(first["record"]["stages"]) >= 20
    assert all(s["reused"] for s in second["record"]["stages"].values())
    assert not any(line.endswith("s") and "done in" in line for line in second_logs)
    assert first["metrics"]["rows"] == second["metrics"]["rows"]  # same seed, same stages: same numbers


def test_run_record_says_what_ran_on_what(runs):
    _, first, _, _, _ = runs
    record = json.loads((Path(first["run_dir"]) / "run.json").read_text())
    assert record["versions"]["torch"].startswith("2.13.0")
    assert record["versions"]["trl"] == "1.16.0"
    assert record["recipe"]["sources"] == [
        "parameter_contrast",
        "almost_rubric",
        "self_reward",
        "llm_judge",
        "llm_teacher",
        "oracle",
    ]
    assert record["hardware"]["cpus"] >= 1 and record["seed"] == 0
    for label, stage in record["stages"].items():
        assert Path(stage["path"], "_stage.json").exists(), label


def test_rows_cover_zoo_m1_each_source_and_the_third_round(runs):
    _, first, _, _, _ = runs
    models = [r["model"] for r in first["metrics"]["rows"]]
    assert models[:4] == ["xs", "s", "teacher", "M1"]
    for source in ("parameter_contrast", "almost_rubric", "self_reward", "llm_judge", "llm_teacher", "oracle"):
        assert f"M2-{source}" in models
    assert "RMSP-almost_rubric" in models
    m1 = next(r for r in first["metrics"]["rows"] if r["model"] == "M1")
    assert "win_rate" not in m1  # the baseline is not compared with itself
    assert "premise" in first["metrics"] and first["metrics"]["premise"]["strong"] == "s"


def test_preferences_are_a_trl_dataset_with_provenance(runs):
    _, first, _, _, _ = runs
    from datasets import load_dataset

    stage = first["record"]["stages"]["feedback parameter_contrast"]
    data = load_dataset("parquet", data_files=str(Path(stage["path"]) / "preferences.parquet"), split="train")
    assert {"prompt", "chosen", "rejected", "source", "chosen_by", "rejected_by"} <= set(data.column_names)
    assert len(data) == stage["summary"]["pairs"]
    row = data[0]
    assert row["prompt"][0]["role"] == "user" and row["chosen"][0]["role"] == "assistant"
    assert row["source"] == "parameter_contrast"


def test_oracle_pairs_always_agree_with_the_oracle(runs):
    _, first, _, _, _ = runs
    stats = first["metrics"]["sources"]["oracle"]
    if stats["pairs"]:
        assert stats["gold_pair_accuracy"] == 1.0


def test_judge_quality_table_ranks_each_judge(runs):
    _, first, _, _, _ = runs
    table = first["metrics"]["judge_quality"]
    assert {"self (M1)", "teacher (teacher)"} <= set(table)
    for row in table.values():
        assert {"pairwise_accuracy", "spearman", "kendall", "exact_match", "failure_rate"} <= set(row)


def test_leaderboard_is_written_from_the_run_record(runs):
    results, first, _, _, _ = runs
    paths = leaderboard.write(results, "sandbox", ["md", "csv"])
    md = paths[0].read_text()
    assert "| M1 |" in md and "M2-oracle" in md and "Parameter-contrast premise" in md
    rubric = first["metrics"]["sources"]["almost_rubric"]["configurations"]  # each configuration's gold score
    assert {name: row["rank"] for name, row in rubric.items()} == {"s_clean_3": 1, "s_noisy_1": 2, "xs_noisy_1": 3}
    assert all(0 <= row["gold_score"] <= 5 and row["responses"] == 8 for row in rubric.values())
    assert "Rubric of almost_rubric, rank: configuration, gold score" in md
    assert paths[1].read_text().count("\n") == len(first["metrics"]["rows"]) + 1
    written = json.loads((Path(first["run_dir"]) / "metrics.json").read_text())
    assert written["schema_version"] == SCHEMA_VERSION and len(written["rows"]) == len(first["metrics"]["rows"])


def test_rounds_train_m3_from_m2_on_m2s_own_candidates(runs):
    results = runs[0]
    recipe = load_recipe(
        ROOT / "recipes" / "sandbox.yaml",
        [*TINY, "sources=[first_vs_second]", "first_vs_second.rounds=2", "teacher_sft=null"],
    )
    out = Pipeline(recipe, results, log=lambda _: None).run()
    stages, models = out["record"]["stages"], out["record"]["models"]
    assert [r["model"] for r in out["metrics"]["rows"]][-2:] == ["M2-first_vs_second", "M3-first_vs_second"]
    assert stages["pretrain s"]["reused"] and stages["sft M1"]["reused"]  # the zoo and M1 came from the cache
    round2 = json.loads((Path(stages["feedback M3-first_vs_second"]["path"]) / "_stage.json").read_text())
    assert models["M2-first_vs_second"]["key"] in round2["inputs"]  # round 2 reads M2, not M1
    assert "candidates M2-first_vs_second" in stages  # ... and samples M2's candidates
    dpo3 = json.loads((Path(stages["dpo M3-first_vs_second"]["path"]) / "_stage.json").read_text())
    assert models["M2-first_vs_second"]["key"] in dpo3["inputs"]  # M3 = DPO(M2, round-2 pairs)


def test_five_rounds_list_every_rounds_self_judge_in_judge_quality(runs):
    """`rounds: 5` (self_reward's maximum) trains M2..M6; each is a self-judge ranked against the oracle."""
    results = runs[0]
    recipe = load_recipe(
        ROOT / "recipes" / "sandbox.yaml",
        [
            *TINY,
            "sources=[first_vs_second]",
            "first_vs_second={rounds: 5, self_judge: sandbox_score}",
            "feedback.prompts=4",
            "evaluation.prompts=2",
            "evaluation.samples=1",
        ],
    )
    out = Pipeline(recipe, results, log=lambda _: None).run()
    made = [f"M{r}-first_vs_second" for r in range(2, 7)]
    rows = {r["model"]: r for r in out["metrics"]["rows"]}
    assert [m for m in rows if m.endswith("-first_vs_second")] == made
    assert set(out["metrics"]["judge_quality"]) == {"self (M1)", *(f"self ({m})" for m in made)}
    # Each row names the stages behind it, as run.json labels them: readers never rebuild labels.
    assert rows["M6-first_vs_second"]["stages"] == {
        "evaluate": "evaluate M6-first_vs_second",
        "feedback": "feedback M6-first_vs_second",
        "dpo": "dpo M6-first_vs_second",
    }
    assert all(label in out["record"]["stages"] for r in rows.values() for label in r["stages"].values())

"""A real (tiny) sandbox sweep through the CLI: variants share every stage the swept field does not change, each
writes its own run record, a sweep record ties them, a larger sweep resumes from a smaller one, and the sweep
leaderboard aggregates the seeds."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from harness.cli import main
from tests.torch_threads import one_torch_thread  # noqa: F401  (autouse fixture)

ROOT = Path(__file__).resolve().parents[2]
# A whole sandbox recipe, barely trained (the wiring is the point): one base model, the teacher and llm_teacher,
# whose pairs exist even between untrained models (the teacher's text differs from the policy's).
RECIPE = """
name: beta_sweep
benchmark: {name: sandbox, params: {seed: 0, corpus_size: 2000}}
models:
  s: {sandbox: {size: S, steps: 12}}
  teacher: {base: s, sft: {demonstrations: 24, judging_examples: 0}}
policy: s
sft: {demonstrations: 16, judging_examples: 0}
feedback: {prompts: 16, candidates: {n: 4, temperature: 0.7, max_new_tokens: 24}}
sources: [llm_teacher]
llm_teacher: {teacher: teacher}
dpo: {learning_rate: 5.0e-4, beta: 0.1, loss_type: [sigmoid, sft], num_train_epochs: 1, max_length: 96}
evaluation: {prompts: 6, samples: 2, max_new_tokens: 24, bootstrap: 200}
judge_quality: {enabled: false}
sweep:
"""


def _recipe(folder: Path, sweep: str) -> Path:
    path = folder / "beta_sweep.yaml"
    path.write_text(RECIPE.lstrip() + sweep)
    return path


def _field(config: str, name: str) -> float:
    """A field of a stage's stored config, written as the model's repr (`... beta=0.05 ...`)."""
    return float(re.search(rf"\b{name}=([-0-9.e]+)", config)[1])


def _finished(results: Path, stage: str) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted((results / "store" / stage).glob("*/_stage.json"))]


def _sweep_record(results: Path) -> dict:
    return json.loads(sorted((results / "runs" / "beta_sweep").glob("*/sweep.json"))[-1].read_text())


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sweep")
    results = folder / "results"
    recipe = _recipe(folder, "  grid: {dpo.beta: [0.05, 0.1, 0.3]}\n")
    assert main(["run", str(recipe), "--results", str(results)]) == 0
    first = {stage: _finished(results, stage) for stage in ("sft", "dpo", "generate")}
    return folder, results, recipe, first


def test_three_betas_build_m1_once_and_one_dpo_each(swept):
    _, _results, _, first = swept
    assert len(first["sft"]) == 2  # M1 and the teacher, once for the whole sweep
    assert sorted(_field(s["config"]["dpo"], "beta") for s in first["dpo"]) == [0.05, 0.1, 0.3]
    m1 = next(s for s in first["sft"] if _field(s["config"]["sft"], "demonstrations") == 16)
    assert all(m1["key"] in s["inputs"] for s in first["dpo"])  # every variant's DPO starts from the one M1


def test_each_variant_writes_its_run_record_and_the_sweep_record_ties_them(swept):
    _, results, _, _ = swept
    record = _sweep_record(results)
    assert record["finished"] and [v["label"] for v in record["variants"]] == ["beta-0.05", "beta-0.1", "beta-0.3"]
    assert "sft M1" in record["variants"][0]["built"]
    assert record["variants"][1]["built"] == ["dpo M2-llm_teacher", "evaluate M2-llm_teacher"]  # nothing else
    for entry in record["variants"]:
        run = json.loads((results / entry["run_dir"] / "run.json").read_text())
        assert entry["status"] == "done" and run["recipe"]["name"] == f"beta_sweep.{entry['label']}"
        assert run["recipe"]["dpo"]["beta"] == entry["values"]["dpo.beta"]
        assert (results / entry["run_dir"] / "scores.json").exists()


def test_a_larger_sweep_resumes_with_two_jobs_and_builds_only_what_is_new(swept):
    folder, results, _, first = swept
    recipe = _recipe(folder, "  grid: {dpo.beta: [0.1, 0.3]}\n  seeds: [0, 1]\n")
    assert main(["run", str(recipe), "--results", str(results), "--jobs", "2"]) == 0
    record = _sweep_record(results)
    assert record["jobs"] == 2 and record["threads_per_job"] == 1 and len(record["variants"]) == 4
    assert _finished(results, "sft") == first["sft"]  # M1 is shared by every seed too
    dpo = _finished(results, "dpo")
    assert len(dpo) == 5 and all(s in dpo for s in first["dpo"])  # seed 0 is the first sweep's: only seed 1 is new
    assert {_field(s["config"]["dpo"], "seed") for s in dpo} == {0, 1}
    policy = [s for s in _finished(results, "generate") if _field(s["config"]["params"], "n") == 4]
    assert {_field(s["config"]["params"], "seed") for s in policy} == {0, 1}  # a sampling seed samples anew


def test_sweep_leaderboard_aggregates_seeds_per_variant_and_plots(swept):
    _, results, _, _ = swept
    out = results / "lb"
    assert (
        main(
            [
                "leaderboard",
                "--sweep",
                "beta_sweep",
                "--results",
                str(results),
                "--format",
                "md,csv,html,png",
                "--x",
                "dpo.beta",
            ]
        )
        == 0
    )
    written = results / "leaderboards"
    rows = list(csv.DictReader((written / "beta_sweep.csv").open()))
    assert [(r["variant"], r["model"], r["n_seeds"]) for r in rows] == [
        (f"beta-{b}", "M2-llm_teacher", "2") for b in ("0.1", "0.3")
    ]
    record = _sweep_record(results)
    for row in rows:  # the mean over seeds is the mean of the two runs' own numbers
        runs = [
            json.loads((results / v["run_dir"] / "metrics.json").read_text())
            for v in record["variants"]
            if v["group"] == row["variant"]
        ]
        diffs = [next(r for r in m["rows"] if r["model"] == "M2-llm_teacher").get("diff") for m in runs]
        if None not in diffs:
            assert float(row["diff"]) == pytest.approx(sum(diffs) / 2)
            assert [float(x) for x in row["diff_per_seed"].split()] == pytest.approx(diffs, abs=1e-4)
    assert (written / "beta_sweep.png").stat().st_size > 10_000
    assert "pooled 95% CI" in (written / "beta_sweep.md").read_text() and not out.exists()


def test_jobs_without_a_sweep_and_x_without_a_sweep_are_one_line_errors(swept, capsys):
    _, results, _, _ = swept
    assert main(["run", str(ROOT / "recipes" / "sandbox.yaml"), "--jobs", "2", "--results", str(results)]) == 2
    assert main(["leaderboard", "--recipe", "sandbox", "--x", "dpo.beta", "--results", str(results)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0].startswith("error: --jobs 2: runs the variants of a sweep") and err[1].startswith("error: --x:")

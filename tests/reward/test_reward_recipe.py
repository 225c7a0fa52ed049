"""Reward-model recipes: `kind: reward_model` validates, runs through the stage store, and bad input is one line."""

from __future__ import annotations

import json
import shutil

import pytest

from harness.cli import main
from harness.recipes.loader import RecipeError, load_recipe
from harness.reward_model.recipe import load_reward_recipe
from harness.reward_model.run import RewardModelRun, markdown
from harness.run.record_schema import RewardModelMetrics
from tests.reward.conftest import HH_SAMPLE

RECIPE = "recipes/rm_hh_minilm.yaml"


def test_the_shipped_recipe_validates_and_dispatches_on_kind(capsys):
    recipe = load_reward_recipe(RECIPE)
    assert recipe.train_subsets == ("helpful-online", "helpful-rejection-sampled")
    assert recipe.eval_subsets == ("helpful-base", "harmless-base")
    assert recipe.train_spec().max_length == recipe.max_length and recipe.train_spec().seed == recipe.seed
    assert main(["validate", RECIPE]) == 0
    assert "reward-model recipe 'rm_hh_minilm'" in capsys.readouterr().out
    assert main(["validate", "recipes/sandbox.yaml", "--set", "kind=feedback"]) == 0  # explicit default kind


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ("eval_subsets=[helpful-base, helpful-online]",
         "eval_subsets: 'helpful-online' is also in train_subsets; never evaluate on training data"),
        pytest.param("train_subsets=[helpful-onlin]", "train_subsets: 'helpful-onlin' is not an HH-RLHF subset of the "
                     "data; use one of harmless-base, helpful-base"),  # the subsets are read
        pytest.param("eval_subsets=[test]", "eval_subsets: 'test' is not an HH-RLHF subset"),
        ("model=package:no_such_model_package", "model: package 'no_such_model_package' is not installed; pip install"),
        ("model=./models/absent", "model: './models/absent' does not exist"),
        ("train.max_length=64", "train.max_length: set max_length at the top level"),
        ("train.learning_rat=1e-4", "train.learning_rat: unknown key"),
        ("evaluation={prompts: 3}", "evaluation: unknown key"),
        ("max_length=8", "max_length: Input should be greater than or equal to 16"),
        ("pooling=max", "pooling: Input should be 'head' or 'mean'"),
        ("kind=reward", "kind: 'reward' is not a recipe kind; use one of feedback, reward_model"),
    ],
)  # fmt: skip
def test_bad_reward_recipes_fail_with_one_line_naming_the_field(override, message, capsys):
    with pytest.raises(RecipeError) as info:
        load_reward_recipe(RECIPE, [override])
    assert str(info.value).startswith(f"{RECIPE}: {message}") and "\n" not in str(info.value), str(info.value)
    assert main(["validate", RECIPE, "--set", override]) == 2
    err = capsys.readouterr().err
    assert err == f"error: {RECIPE}: {str(info.value).split(': ', 1)[1]}\n" and message in err, err


def test_the_feedback_recipe_still_rejects_unknown_keys_and_reward_keys():
    with pytest.raises(RecipeError, match=r"sandbox.yaml: train_subsets: unknown key"):
        load_recipe("recipes/sandbox.yaml", ["train_subsets=[helpful-base]"])
    with pytest.raises(RecipeError, match=r"kind: 'reward_model' is not a feedback recipe"):
        load_recipe(RECIPE)


def test_a_reward_recipe_runs_end_to_end_and_a_rerun_reuses_both_stages(tiny_bert_dir, tmp_path):
    """Plumbing with a tiny BERT on the 32-pair HH sample: the record, metrics and store a real run writes."""
    data = tmp_path / "hh"
    shutil.copytree(HH_SAMPLE, data)
    overrides = [f"model={tiny_bert_dir}", f"data_path={data}", "train_subsets=[helpful-sample]",
                 "eval_subsets=[harmless-sample]", "train_pairs=null", "max_length=48", "train.max_steps=2",
                 "train.per_device_train_batch_size=4", "name=rm_tiny"]  # fmt: skip
    recipe = load_reward_recipe(RECIPE, overrides)
    lines: list[str] = []
    first = RewardModelRun(recipe, tmp_path / "results", log=lines.append).run()

    metrics = json.loads((tmp_path / "results/runs/rm_tiny" / first["record"]["run_id"] / "metrics.json").read_text())
    assert metrics["train"]["pairs"] == 24 and metrics["train"]["subsets"] == {
        "helpful-sample": {"pairs": 24, "skipped": {}}
    }
    harmless = metrics["eval"]["harmless-sample"]
    assert harmless["n"] == 8 and 0 <= harmless["accuracy"] <= 1 and harmless["se"] is not None
    low, high = harmless["ci95"]
    assert low < harmless["accuracy"] < high or harmless["se"] == 0
    assert harmless["longer_reply_baseline"] == pytest.approx(
        sum(len(p["chosen"][0]["content"]) > len(p["rejected"][0]["content"])
            for p in RewardModelRun(recipe, tmp_path / "results").pairs(["harmless-sample"], None)["harmless-sample"])
        / 8)  # fmt: skip
    assert "| harmless-sample | 8 |" in markdown(RewardModelMetrics.model_validate(metrics))
    # length-controlled accuracy: the pairs whose longer reply was rejected, recomputed from the stored scores
    run = RewardModelRun(recipe, tmp_path / "results", log=lambda line: None)
    rows = run.pairs(["harmless-sample"], None)["harmless-sample"]
    scores = run.score(run.train(run.pairs(["helpful-sample"], None)), {"harmless-sample": rows})["harmless-sample"]
    longer_rejected = [
        i for i, p in enumerate(rows) if len(p["chosen"][0]["content"]) < len(p["rejected"][0]["content"])
    ]
    controlled = harmless["length_controlled"]
    assert controlled["n"] == len(longer_rejected) > 0
    assert controlled["accuracy"] == pytest.approx(
        sum(scores["chosen"][i] > scores["rejected"][i] for i in longer_rejected) / len(longer_rejected)
    )
    assert controlled["n"] + harmless["longer_chosen"]["n"] + harmless["same_length_pairs"] == 8
    assert f"| harmless-sample | 8 | {harmless['accuracy']:.3f} ± {harmless['se']:.3f}" in markdown(
        RewardModelMetrics.model_validate(metrics)
    )
    assert f"| {controlled['n']} | {controlled['accuracy']:.3f}" in markdown(RewardModelMetrics.model_validate(metrics))
    assert [line.split("]")[0] for line in lines[:2]] == ["[reward model", "[score"] and "reused" not in lines[0]

    again: list[str] = []
    second = RewardModelRun(recipe, tmp_path / "results", log=again.append).run()
    assert again[:2] == ["[reward model] reused", "[score] reused"]
    with pytest.raises(
        RecipeError,
        match=r"^eval_pairs: n: asked for 9 from hh_rlhf split 'harmless-sample' pairs, "
        r"which has 8",
    ):
        RewardModelRun(recipe.model_copy(update={"eval_pairs": 9}), tmp_path / "results").run()
    assert second["metrics"]["eval"] == first["metrics"]["eval"]
    pooled: list[str] = []
    RewardModelRun(recipe.model_copy(update={"pooling": "mean"}), tmp_path / "results", log=pooled.append).run()
    assert "reused" not in pooled[0] and "reused" not in pooled[1]  # another reward model, not the cached one
    run = json.loads((tmp_path / "results/runs/rm_tiny" / second["record"]["run_id"] / "run.json").read_text())
    assert run["recipe"]["kind"] == "reward_model" and set(run["stages"]) == {"reward model", "score"}

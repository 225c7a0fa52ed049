"""`harness validate --explain` explains each recipe kind with its own schema, then validates the recipe."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness.cli import main

RECIPES = Path(__file__).resolve().parents[2] / "recipes"


def explained(recipe: str, capsys) -> str:
    assert main(["validate", "--explain", str(RECIPES / recipe)]) == 0
    out = capsys.readouterr().out
    assert out.rstrip().splitlines()[-1].startswith(f"{RECIPES / recipe}: ok")  # and then it validates
    return out


def row(out: str, name: str) -> str:
    """`type (default: X)` of the row for dotted name `name`."""
    match = re.search(rf"^  {re.escape(name)}\s+(.+)$", out, flags=re.MULTILINE)
    assert match, f"{name} is not explained"
    return match.group(1)


@pytest.mark.parametrize(
    "recipe, own, foreign",
    [
        (
            "sandbox.yaml",
            ["policy", "sources", "evaluation.prompts", "self_reward.rounds", "benchmark.params.corpus_size"],
            ["sweep.grid", "judges", "pooling"],
        ),
        ("rm_hh_minilm.yaml", ["pooling", "train_subsets", "train.learning_rate"], ["policy", "sources", "judges"]),
        ("judges_cpu.yaml", ["judges", "judges.<name>.reward_recipe", "sets"], ["policy", "sources", "pooling"]),
        ("sandbox_judge_curve.yaml", ["sweep.grid", "sweep.extra[].name", "noisy_oracle.flip_rate"], ["judges"]),
    ],
)
def test_each_kind_is_explained_by_its_own_schema(recipe, own, foreign, capsys):
    out = explained(recipe, capsys)
    for name in own:
        row(out, name)
    for name in foreign:
        assert not re.search(rf"^  {re.escape(name)}\s", out, flags=re.MULTILINE), f"{recipe}: {name} explained"


def test_reward_model_rows(capsys):
    out = explained("rm_hh_minilm.yaml", capsys)
    assert out.startswith("reward-model recipe fields:")
    assert row(out, "pooling") == "Literal['head', 'mean'] (default: 'head')"
    assert row(out, "eval_batch_size") == "int (default: 64)"


def test_judge_eval_lists_its_judges_parameters_and_every_set_type(capsys):
    out = explained("judges_cpu.yaml", capsys)
    assert out.startswith("judge_eval recipe fields (kind: judge_eval;")
    # the recipe's own judge rows, with each judge type's parameters
    assert row(out, "judges.smol_pointwise.readout") == "Literal['sampled', 'expected'] (default: 'sampled')"
    assert row(out, "judges.smol_pairwise.both_orders") == "bool (default: True)"
    assert row(out, "judges.longer.unit") == "str (default: 'chars')"
    assert row(out, "judges.minilm_rm.batch_size") == "int (default: 64)"
    # every set type with its own fields, not only those the recipe uses
    for kind in ("hh_rlhf", "hhh", "truthfulqa", "oasst", "faireval", "pairwise"):
        assert f"sets.<name> of type: {kind}" in out
    assert row(out, "sets.<name>.subsets") == "tuple[str, ...] (default: required)"
    assert row(out, "sets.<name>.columns.response_a") == "str (default: required)"
    # the generator the recipe's model runs on, with its generator_params
    assert row(out, "models.<name>.generator_params.batch_size") == "int (default: 64)"
    assert "generator_params.path " not in out  # set from the model's own path, never in generator_params


def test_sweep_explains_the_recipe_and_its_sweep_block(capsys):
    out = explained("sandbox_judge_curve.yaml", capsys)
    recipe_part, sweep_part = out.split("\nsweep: block fields", 1)
    assert re.search(r"^  policy\s", recipe_part, flags=re.MULTILINE)
    assert row(sweep_part, "sweep.seeds") == "list[int] (default: [])"
    assert row(sweep_part, "sweep.plot.metric") == "Literal['diff', 'score', 'win_rate'] (default: 'diff')"
    assert "run each variant once per seed" in sweep_part

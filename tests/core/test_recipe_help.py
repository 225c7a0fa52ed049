"""Recipe help: a misspelt key gets a did-you-mean, and `harness validate --explain` lists every field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from harness.cli import main
from harness.recipes.field_help import field_lines
from harness.recipes.loader import Recipe, RecipeError, load_recipe

ROOT = Path(__file__).resolve().parents[2]
SANDBOX = ROOT / "recipes" / "sandbox.yaml"


@pytest.mark.parametrize(
    "override, expected",
    [
        ("feedbak.prompts=3", "feedbak: unknown key; did you mean 'feedback'?"),
        ("evaluation.sampels=2", "evaluation.sampels: unknown key; did you mean 'samples'?"),
        ("models.xs.sandbox.stpes=3", "models.xs.sandbox.stpes: unknown key; did you mean 'steps'?"),
        ("dpo.learning_rat=1e-4", "dpo.learning_rat: unknown key; did you mean 'learning_rate'?"),
        ("self_rewrd.rounds=2", "self_rewrd: unknown key; did you mean 'self_reward'?"),  # a source block
        ("zzzz=1", "zzzz: unknown key; remove it or check its spelling"),  # nothing close: no guess
    ],
)
def test_unknown_key_gets_a_did_you_mean(override, expected):
    with pytest.raises(RecipeError) as exc:
        load_recipe(SANDBOX, [override])
    message = str(exc.value)
    assert message == f"{SANDBOX}: {expected} (see `harness validate --explain RECIPE`)"


def test_reward_recipe_unknown_key_gets_a_did_you_mean():
    from harness.reward_model.recipe import load_reward_recipe

    with pytest.raises(RecipeError, match=r"train.learning_rat: unknown key; did you mean 'learning_rate'\?"):
        load_reward_recipe(ROOT / "recipes" / "rm_hh_minilm.yaml", ["train.learning_rat=1e-4"])


def test_explain_prints_every_field_with_type_default_and_description(capsys):
    assert main(["validate", "--explain", str(SANDBOX)]) == 0
    out = capsys.readouterr().out
    listed = re.findall(r"^  (\S+)\s+\S.*\(default: ", out, flags=re.MULTILINE)
    names = [name for name, *_ in field_lines(Recipe)]
    assert len(names) > 60 and set(names) <= set(listed)
    lines = out.splitlines()
    row = next(i for i, line in enumerate(lines) if line.split()[:1] == ["evaluation.prompts"])
    assert lines[row].split()[1:] == ["int", "(default:", "300)"]
    assert lines[row + 1].strip() == "held-out prompts from the benchmark's 'eval' split"
    assert re.search(r"^  models\.<name>\.sandbox\.steps\s+int \(default: required\)$", out, flags=re.MULTILINE)
    assert re.search(r"^  dpo\s+TrainSpec \(default: \{\}\)$", out, flags=re.MULTILINE)
    assert "fields as under models.<name>.sft.train" in out  # TrainSpec is listed once, then referred to
    # the sources the recipe lists, with their parameters as block keys
    assert re.search(r"^  self_reward\.rounds\s+int \(default: 1\)$", out, flags=re.MULTILINE)
    assert re.search(
        r"^  llm_judge\.mode\s+Literal\['pointwise', 'pairwise'\] \(default: 'pointwise'\)$", out, flags=re.MULTILINE
    )
    assert out.rstrip().splitlines()[-1].startswith(f"{SANDBOX}: ok")  # and then it validates


def test_explain_of_a_reward_recipe_lists_its_fields(capsys):
    assert main(["validate", "--explain", str(ROOT / "recipes" / "rm_hh_minilm.yaml")]) == 0
    out = capsys.readouterr().out
    assert out.startswith("reward-model recipe fields:")
    assert re.search(r"^  train\.learning_rate\s+float \| None \(default: None\)$", out, flags=re.MULTILINE)

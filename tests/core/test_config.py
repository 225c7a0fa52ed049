"""`harness validate` fails with one line naming the field, and exit code 2."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from harness.cli import main
from harness.recipes.loader import RecipeError, load_recipe

ROOT = Path(__file__).resolve().parents[2]
SANDBOX = ROOT / "recipes" / "sandbox.yaml"


def _variant(tmp_path, edit):
    data = yaml.safe_load(SANDBOX.read_text())
    edit(data)
    path = tmp_path / "r.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_the_default_recipe_is_valid():
    recipe = load_recipe(SANDBOX)
    assert recipe.sources == (
        "parameter_contrast",
        "almost_rubric",
        "self_reward",
        "llm_judge",
        "llm_teacher",
        "oracle",
    )
    assert recipe.source_kwargs("parameter_contrast") == {"strong": "s", "weak": "xs"}


CASES = {
    "unknown key": (lambda d: d["feedback"].update(promts=3), "feedback.promts: unknown key"),
    "wrong type": (lambda d: d["feedback"].update(prompts="many"), "feedback.prompts: Input should be a valid integer"),
    "missing model path": (
        lambda d: d["models"].update(xs={"path": "./no/such/model"}),
        "models.xs.path: './no/such/model' does not exist",
    ),
    "unknown source": (lambda d: d.update(sources=["self_rewrad"]), "did you mean 'self_reward'"),
    "unknown source parameter": (lambda d: d["self_reward"].update(judge_smples=3), "self_reward.judge_smples"),
    "policy not a model": (lambda d: d.update(policy="huge"), "policy 'huge' is not in models"),
    "zero prompts": (lambda d: d["feedback"].update(prompts=0), "feedback.prompts: Input should be greater than 0"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_recipe_gives_one_line_naming_the_field(tmp_path, capsys, case):
    edit, expected = CASES[case]
    path = _variant(tmp_path, edit)
    with pytest.raises(RecipeError, match=None) as info:
        load_recipe(path)
    assert expected in str(info.value)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and expected in err


def test_set_overrides_a_field_with_a_yaml_value():
    recipe = load_recipe(SANDBOX, ["sources=[oracle]", "feedback.prompts=7", "dpo.learning_rate=1e-4"])
    assert recipe.sources == ("oracle",) and recipe.feedback.prompts == 7 and recipe.dpo.learning_rate == 1e-4


def test_console_script_exits_non_zero():
    out = subprocess.run(
        [sys.executable, "-m", "harness.cli", "validate", "recipes/nope.yaml"], cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 2 and "recipe file not found" in out.stderr


@pytest.mark.parametrize("path", ["gpt2", "Qwen/Qwen2-0.5B-Instruct"])
def test_hub_ids_are_not_checked_on_disk(tmp_path, path):
    edited = _variant(tmp_path, lambda d: d["models"].update(xs={"path": path}))
    assert load_recipe(edited).models["xs"].path == path

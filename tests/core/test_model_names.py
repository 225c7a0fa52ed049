"""`harness validate` rejects a misspelt model name in every source that names models, in one line naming the
source's field: each source declares the models it reads (FeedbackSource.model_uses), the validator checks them."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli import main
from harness.feedback import FeedbackSource
from harness.recipes.loader import RecipeError, load_recipe
from harness.registry import RegistryError, source, sources

ROOT = Path(__file__).resolve().parents[2]
SANDBOX = ROOT / "recipes" / "sandbox.yaml"
KNOWN = "(xs, s, teacher)"

# source under test -> (overrides that misspell one model name, the field the error must name)
CASES = {
    "parameter_contrast strong": (
        ["sources=[parameter_contrast]", "parameter_contrast.strong=ss"],
        "parameter_contrast.strong: model 'ss' is not in models",
    ),
    "parameter_contrast weak": (
        ["sources=[parameter_contrast]", "parameter_contrast.weak=xx"],
        "parameter_contrast.weak: model 'xx' is not in models",
    ),
    "almost_rubric configuration": (
        ["sources=[almost_rubric]", "almost_rubric.configurations.s_noisy_1.model=sm"],
        "almost_rubric.configurations.s_noisy_1.model: model 'sm' is not in models",
    ),
    "almost_rubric prompt generation": (
        ["sources=[almost_rubric]", "almost_rubric.prompt_generation={model: tiny, n_prompts: 4}"],
        "almost_rubric.prompt_generation.model: model 'tiny' is not in models",
    ),
    "llm_judge pointwise": (
        ["sources=[llm_judge]", "llm_judge.teacher=teachr"],
        "llm_judge.teacher: model 'teachr' is not in models",
    ),
    "llm_judge pairwise": (
        ["sources=[llm_judge]", "llm_judge={teacher: techer, mode: pairwise}"],
        "llm_judge.teacher: model 'techer' is not in models",
    ),
    "llm_teacher": (
        ["sources=[llm_teacher]", "llm_teacher.teacher=tacher"],
        "llm_teacher.teacher: model 'tacher' is not in models",
    ),
    "llm_teacher with its judge gate": (
        ["sources=[llm_teacher]", "llm_teacher={teacher: teacher2, judge_prompt: sandbox_score}"],
        "llm_teacher.teacher: model 'teacher2' is not in models",
    ),
    "a source block under another name": (
        ["sources=[pcon2]", "pcon2={type: parameter_contrast, strong: s, weak: x}"],
        "pcon2.weak: model 'x' is not in models",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_misspelt_model_is_one_line_naming_the_field(capsys, case):
    overrides, expected = CASES[case]
    with pytest.raises(RecipeError) as info:
        load_recipe(SANDBOX, overrides)
    assert expected in str(info.value) and KNOWN in str(info.value)
    assert main(["validate", str(SANDBOX), *(a for o in overrides for a in ("--set", o))]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and expected in err, err


def test_sources_without_recipe_models_declare_none():
    for name in ("self_reward", "oracle"):
        assert sources.build(name).model_uses() == ()
    assert sources.build("self_reward", rounds=3).rounds == 3
    assert sources.build("oracle").rounds == 1 and sources.build("oracle").premise() is None
    premise = sources.build("parameter_contrast", strong="s", weak="xs").premise()
    assert (premise.strong, premise.weak) == ("s", "xs")


class Undeclared:
    """A plug-in source that builds pairs but declares nothing the pipeline reads."""

    name = "undeclared"

    def build(self, prompts, ctx):
        raise AssertionError("never built")


@source("undeclared_test_source")
def undeclared() -> Undeclared:
    """Test source that does not implement FeedbackSource."""
    return Undeclared()


def test_a_plugin_that_does_not_implement_the_contract_fails_when_built_naming_what_is_missing():
    with pytest.raises(
        RegistryError,
        match=r"does not implement FeedbackSource \(missing: benchmark_needs, generator_needs, judge_uses, "
        r"model_uses, online_judge, premise, rounds, trains_online\); subclass FeedbackSource",
    ):
        sources.build("undeclared_test_source")
    assert isinstance(sources.build("oracle"), FeedbackSource)


@pytest.mark.parametrize("name", ["M1", "M4-foo", "M12-x", "RMSP-almost_rubric", "SFT-teacher"])
def test_a_recipe_model_may_not_take_a_name_the_run_gives_its_own_models(name):
    with pytest.raises(
        RecipeError, match=rf"models\.{name}: names M1, M<digits>-\*, RMSP-\* and SFT-\* are the run's own"
    ):
        load_recipe(SANDBOX, [f"models.{name}={{path: org/model}}"])


def test_names_parse_what_they_build():
    from harness.run import names

    assert names.parse_row(names.round_model("self_reward", 4)) == names.RowName("M5", "self_reward", 4)
    assert names.parse_row(names.rmsp_model("almost_rubric")) == names.RowName("RMSP", "almost_rubric", 0)
    assert names.parse_row(names.teacher_sft_model("teacher")) == names.RowName("SFT", "teacher", 0)
    assert names.parse_row("M1") is None and names.parse_row("teacher") is None and names.parse_row("M1-x") is None
    assert names.feedback_label("s", 1) == "feedback s" and names.feedback_label("s", 3) == "feedback M4-s"

"""The judge contract: a plug-in judge missing a member fails at validation or build naming it, and what `@judge`
declares (on a model, seeded) is what the one builder hands the judge on every route: the `judged` source, judge
evaluation and judge quality."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.generation import Generator
from harness.hashing import stable_hash
from harness.judge_eval.recipe import JudgeEvalRecipe, check_judges
from harness.judge_eval.run import JudgeEvalRun
from harness.recipes.loader import RecipeError, load_recipe
from harness.registry import RegistryError, generator, judge, judges, sources
from harness.run import names
from harness.run.context import ModelRef
from harness.steps.judge_quality import registered_judges
from harness.types import Judgment, Score
from tests.judge_eval.always_first import AlwaysFirst

ROOT = Path(__file__).resolve().parents[2]
SANDBOX = ROOT / "recipes" / "sandbox.yaml"


class Misspelt:
    """A pointwise judge whose `score` is misspelt `scores`."""

    name = "misspelt"

    def scores(self, items):
        return []


@judge("misspelt_test_judge")
def misspelt() -> Misspelt:
    """Declares the class it returns, so validation can check it."""
    return Misspelt()


@judge("misspelt_unannotated_test_judge")
def misspelt_unannotated():  # no return annotation: only the built object can be checked
    return Misspelt()


@dataclass
class Recording:
    """A pointwise judge that keeps what it was handed: score = reply length + bonus."""

    generator: Generator
    seed: int
    bonus: float
    name: str = "recording"

    def score(self, items):
        return [
            Judgment(judge=self.name, prompt_id=p.id, verdict=Score(value=len(c.text) + self.bonus)) for p, c in items
        ]


@judge("recording_test_judge", on_model=True, seeded=True)
def recording(generator: Generator, seed: int = 0, bonus: float = 0.0) -> Recording:
    """Runs on a model and takes the run's seed, as declared."""
    return Recording(generator, seed, bonus)


@generator("always_first_test")
def always_first(path: str) -> AlwaysFirst:
    """A local generator that answers "[[A]]" to everything."""
    return AlwaysFirst()


def sandbox_with(*overrides: str):
    return load_recipe(SANDBOX, ["sources=[mine]", *overrides])


def test_a_misspelt_member_fails_validation_in_one_line_naming_it():
    with pytest.raises(RecipeError) as err:
        sandbox_with("mine={type: judged, judge: misspelt_test_judge}")
    message = str(err.value)
    assert "\n" not in message
    assert "mine: judge 'misspelt_test_judge'" in message
    assert "PointwiseJudge (missing: score)" in message and "PairJudge (missing: compare)" in message


def test_a_misspelt_member_fails_when_built_naming_it_where_nothing_declares_the_class():
    sources.build("judged", judge="misspelt_unannotated_test_judge")  # validation cannot see the class
    with pytest.raises(RegistryError, match=r"implements neither PointwiseJudge \(missing: score\) nor PairJudge"):
        judges.build("misspelt_unannotated_test_judge")


def test_a_declaration_its_factory_contradicts_fails_at_registration():
    with pytest.raises(RegistryError, match="takes `generator` but does not declare on_model=True"):

        @judge("contradicted_test_judge")
        def contradicted(generator: Generator) -> Recording:
            return Recording(generator, 0, 0.0)

    with pytest.raises(RegistryError, match="declares seeded=True but takes no `seed`"):

        @judge("unseeded_test_judge", seeded=True)
        def unseeded() -> Misspelt:
            return Misspelt()

    assert "contradicted_test_judge" not in judges and "unseeded_test_judge" not in judges


def test_the_judged_source_builds_it_with_its_model_and_the_run_seed():
    source = sources.build("judged", judge="recording_test_judge", model="t", bonus=1.5)
    teacher = AlwaysFirst()
    built = source.make({"t": teacher}.__getitem__, 7)
    assert (built.generator, built.seed, built.bonus) == (teacher, 7, 1.5)
    assert source.make({"t": teacher}.__getitem__, 8).seed == 8
    pinned = sources.build("judged", judge="recording_test_judge", model="t", seed=3)  # a recipe's seed wins
    assert pinned.make({"t": teacher}.__getitem__, 7).seed == 3


def test_judge_evaluation_builds_it_with_its_model_and_the_recipe_seed(tmp_path):
    recipe = JudgeEvalRecipe.model_validate(
        {
            "kind": "judge_eval",
            "name": "contract",
            "seed": 5,
            "models": {"t": {"path": "anything", "generator": "always_first_test"}},
            "judges": {"r": {"type": "recording_test_judge", "model": "t", "bonus": 2.0}},
            "sets": {"hhh": {"type": "hhh", "pairs": 4}},
        }
    )
    check_judges(recipe, "contract.yaml", tmp_path)
    config, inputs, make = JudgeEvalRun(recipe, tmp_path, log=lambda _: None).judge_factory("r")
    assert config["params"] == {"bonus": 2.0, "seed": 5} and len(inputs) == 1
    built = make()
    assert isinstance(built.generator, AlwaysFirst) and (built.seed, built.bonus) == (5, 2.0)


def test_judge_evaluation_rejects_it_without_a_model_naming_the_row(tmp_path):
    recipe = JudgeEvalRecipe.model_validate(
        {
            "kind": "judge_eval",
            "name": "contract",
            "judges": {"r": {"type": "recording_test_judge"}},
            "sets": {"hhh": {"type": "hhh", "pairs": 4}},
        }
    )
    with pytest.raises(RecipeError, match=r"judges\.r\.model: judge 'recording_test_judge' runs on a model"):
        check_judges(recipe, "contract.yaml", tmp_path)


@dataclass
class QualityRun:
    """What judge quality reads of a run to find and build the judges that sources declare."""

    recipe: object
    models: dict[str, ModelRef]
    made: dict[str, Generator]

    def generator(self, name: str) -> Generator:
        return self.made[name]


def test_judge_quality_builds_the_judge_a_source_declares_with_its_model_and_the_sampling_seed():
    recipe = sandbox_with("mine={type: judged, judge: recording_test_judge, model: teacher, bonus: 0.5}")
    teacher = AlwaysFirst()
    run = QualityRun(recipe, {"teacher": ModelRef("teacher", "path", "key-teacher")}, {"teacher": teacher})
    found = registered_judges(run)  # type: ignore[arg-type]
    key, make = found[names.source_judge("recording_test_judge", "mine")]
    assert key == stable_hash("recording_test_judge", {"bonus": 0.5}, "key-teacher")
    built = make()
    assert (built.generator, built.seed, built.bonus) == (teacher, recipe.sampling_seed, 0.5)


def test_a_judges_check_hook_runs_at_validation():
    with pytest.raises(RecipeError, match=r"mine(: |\.)prompt: judge prompt 'no_such' not found"):
        sandbox_with("mine={type: judged, judge: prompted, model: teacher, prompt: no_such}")
    with pytest.raises(RecipeError, match=r"mine: prompt: 'sandbox_score' is a score prompt; pairwise judging"):
        sandbox_with("mine={type: judged, judge: pairwise, model: teacher, prompt: sandbox_score}")

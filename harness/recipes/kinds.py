"""One loader for every recipe kind: the file is read once (its `extends` chain and `--set` overrides applied), the
kind is read from it, and the kind's own loader validates it and makes every check a run makes before it spends
compute. `harness run` and `harness validate` both start here, so what validates is what runs.

The result is a union discriminated by `kind`: `feedback`, `sweep` (a feedback recipe with a `sweep:` block),
`reward_model` and `judge_eval`; harness/commands/kinds.py dispatches on it with a table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from harness.judge_eval.recipe import JudgeEvalRecipe, judge_eval_recipe_from_data
from harness.recipes.loader import Recipe, load_recipe_data, recipe_from_data, recipe_kind
from harness.reward_model.recipe import RewardModelRecipe, reward_recipe_from_data
from harness.sweep.spec import Sweep, sweep_from_data


@dataclass(frozen=True)
class FeedbackFile:
    path: Path
    recipe: Recipe
    kind: Literal["feedback"] = "feedback"


@dataclass(frozen=True)
class SweepFile:
    path: Path
    sweep: Sweep
    kind: Literal["sweep"] = "sweep"


@dataclass(frozen=True)
class RewardModelFile:
    path: Path
    recipe: RewardModelRecipe
    kind: Literal["reward_model"] = "reward_model"


@dataclass(frozen=True)
class JudgeEvalFile:
    path: Path
    recipe: JudgeEvalRecipe
    kind: Literal["judge_eval"] = "judge_eval"


LoadedRecipe = FeedbackFile | SweepFile | RewardModelFile | JudgeEvalFile
Kind = Literal["feedback", "sweep", "reward_model", "judge_eval"]

LOADERS: dict[str, Callable[[Path, dict[str, Any]], LoadedRecipe]] = {
    "feedback": lambda path, data: FeedbackFile(path, recipe_from_data(path, data)),
    "sweep": lambda path, data: SweepFile(path, sweep_from_data(path, data)),
    "reward_model": lambda path, data: RewardModelFile(path, reward_recipe_from_data(path, data)),
    "judge_eval": lambda path, data: JudgeEvalFile(path, judge_eval_recipe_from_data(path, data)),
}


def kind_of(path: Path, data: dict[str, Any]) -> Kind:
    """A `sweep:` block makes a sweep (whose loader refuses a kind other than feedback); else the `kind:` field.
    `sweep: null` (`--set sweep=null`, or a recipe extending a sweep) is no sweep: the recipe's own values, one run."""
    if "sweep" in data and data["sweep"] is None:
        del data["sweep"]
    if "sweep" in data:
        return "sweep"
    kind = recipe_kind(path, data)
    return "reward_model" if kind == "reward_model" else "judge_eval" if kind == "judge_eval" else "feedback"


def load(path: str | Path, overrides: list[str] | None = None) -> LoadedRecipe:
    """The recipe at `path`, of whatever kind, validated and checked; a RecipeError (one line) on any problem."""
    path = Path(path)
    data = load_recipe_data(path, overrides)
    return LOADERS[kind_of(path, data)](path, data)

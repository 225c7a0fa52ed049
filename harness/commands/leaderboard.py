"""Which leaderboard `harness leaderboard TARGET` means: TARGET is a recipe file (as `harness run` takes) or a recipe
name (the folder under results/runs/), the same as `--recipe NAME`; a recipe file with a `sweep:` block means its
sweep's table, as `--sweep NAME` does."""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.recipes.loader import RecipeError, load_recipe_data

DEFAULT_RECIPE = "sandbox"


def is_recipe_file(target: str) -> bool:
    return target.endswith((".yaml", ".yml")) or "/" in target or Path(target).is_file()


def leaderboard_target(args: argparse.Namespace) -> tuple[str | None, str | None]:
    """(recipe name, sweep name): exactly one is set."""
    given = [g for g in (args.target, args.recipe, args.sweep) if g is not None]
    if len(given) > 1:
        raise RecipeError(
            "leaderboard: give one of RECIPE (a path or a name), --recipe NAME or --sweep NAME, not "
            f"{' and '.join(repr(g) for g in given)}"
        )
    if args.sweep is not None:
        return None, args.sweep
    target = args.target or args.recipe or DEFAULT_RECIPE
    if not is_recipe_file(target):
        return target, None
    data = load_recipe_data(target)
    if not isinstance(data.get("name"), str):
        raise RecipeError(f"{target}: name: missing; a recipe names its runs with `name:`")
    return (None, data["name"]) if "sweep" in data else (data["name"], None)

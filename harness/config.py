"""Recipes from files: YAML read, `extends` resolved, `--set` overrides applied, then validated into a `Recipe`
(the schema, harness/recipe.py) and checked (harness/recipe_checks.py). One-line errors name the field and fix.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from harness.recipe import ModelSpec, Recipe, RecipeError, Strict, first_error
from harness.recipe_checks import build_source, check_references, looks_local
from harness.yamlfile import read_yaml_mapping

# --- loading ----------------------------------------------------------------------------------------


def parse_override(item: str) -> tuple[list[str], Any]:
    """`a.b=value` -> (['a','b'], value). Values are YAML (`[x, y]`, `3`, `true`, `1e-4`)."""
    if "=" not in item:
        raise RecipeError(f"--set {item!r}: expected KEY=VALUE, e.g. --set feedback.prompts=100")
    key, raw = item.split("=", 1)
    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError:
        value = raw
    return key.strip().split("."), value


def apply_overrides(data: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    data = copy.deepcopy(data)
    for item in overrides:
        path, value = parse_override(item)
        node = data
        for part in path[:-1]:
            nxt = node.get(part)
            if nxt is None:
                nxt = node[part] = {}
            if not isinstance(nxt, dict):
                raise RecipeError(f"--set {item!r}: {part!r} is not a mapping")
            node = nxt
        node[path[-1]] = value
    return data


def merge(base: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    """Mappings merge key by key; anything else (lists included) is replaced whole."""
    out = dict(base)
    for key, value in change.items():
        out[key] = merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


RECIPE_IS_A_MAPPING = "a recipe is a YAML mapping of fields; see recipes/sandbox.yaml"


def extend(path: Path, data: dict[str, Any]) -> dict[str, Any]:
    """`extends: other.yaml` (relative to this file): this recipe is that one plus what it changes."""
    base_path = path.parent / str(data.pop("extends"))
    if not base_path.exists():
        raise RecipeError(f"{path}: extends: {base_path} not found; give a recipe path relative to this file")
    try:
        base = read_yaml_mapping(base_path, RECIPE_IS_A_MAPPING)
    except ValueError as exc:
        raise RecipeError(str(exc)) from None
    if "extends" in base:
        base = extend(base_path, base)
    return merge(base, data)


RECIPE_KINDS = ("feedback", "reward_model", "judge_eval")


def load_recipe_data(path: str | Path, overrides: list[str] | None = None) -> dict[str, Any]:
    """The recipe's mapping with `extends` resolved and overrides applied, before any validation."""
    path = Path(path)
    if not path.exists():
        raise RecipeError(f"{path}: recipe file not found; give a path such as recipes/sandbox.yaml")
    try:
        data = read_yaml_mapping(path, RECIPE_IS_A_MAPPING)
    except ValueError as exc:
        raise RecipeError(str(exc)) from None
    if "extends" in data:
        data = extend(path, data)
    return apply_overrides(data, overrides or [])


def recipe_kind(path: str | Path, data: dict[str, Any]) -> str:
    """`kind:` picks the recipe model; a recipe without one is a feedback recipe."""
    kind = data.get("kind", "feedback")
    if kind not in RECIPE_KINDS:
        raise RecipeError(f"{path}: kind: {kind!r} is not a recipe kind; use one of {', '.join(RECIPE_KINDS)}")
    return kind


def load_recipe(path: str | Path, overrides: list[str] | None = None) -> Recipe:
    path = Path(path)
    data = load_recipe_data(path, overrides)
    if recipe_kind(path, data) != "feedback":
        raise RecipeError(f"{path}: kind: {data['kind']!r} is not a feedback recipe; run it with `harness run`")
    data.pop("kind", None)
    try:
        recipe = Recipe.model_validate(data)
    except ValidationError as exc:
        from harness.registry import sources

        raise RecipeError(f"{path}: {first_error(exc, Recipe, tuple(sources.names()))}") from None
    check_references(recipe, where=str(path))
    return recipe


__all__ = [
    "ModelSpec",
    "Recipe",
    "RecipeError",
    "Strict",
    "apply_overrides",
    "build_source",
    "check_references",
    "first_error",
    "load_recipe",
    "load_recipe_data",
    "looks_local",
    "recipe_kind",
]

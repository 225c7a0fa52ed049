"""Recipes from files: YAML read, `extends` resolved, `--set` overrides applied, judge prompt folders resolved
against the recipe's folder, then validated into a `Recipe` (the schema, harness/recipes/schema.py) and checked
(harness/recipes/checks.py). One-line errors name the field and fix. harness/recipes/kinds.py picks the kind.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from harness.judging.prompt_folders import PROMPT_KEYS
from harness.judging.prompt_folders import resolve as resolve_prompt
from harness.recipes.checks import build_source, check_references, looks_local
from harness.recipes.schema import ModelSpec, Recipe, RecipeError, Strict, first_error
from harness.recipes.yamlfile import parse_yaml, read_yaml_mapping, yaml_error_line

# --- loading ----------------------------------------------------------------------------------------


def parse_override(item: str) -> tuple[list[str], Any]:
    """`a.b=value` -> (['a','b'], value). Values are YAML (`[x, y]`, `3`, `true`, `1e-4`)."""
    if "=" not in item:
        raise RecipeError(f"--set {item!r}: expected KEY=VALUE, e.g. --set feedback.prompts=100")
    key, raw = item.split("=", 1)
    path = key.strip().split(".")
    if not all(path):
        raise RecipeError(f"--set {item!r}: {key.strip()!r} is not a field path; give one like feedback.prompts")
    try:
        value = parse_yaml(raw)
    except yaml.YAMLError as exc:
        _, problem = yaml_error_line(exc)
        raise RecipeError(
            f"--set {item!r}: the value is not valid YAML ({problem}); close the bracket or quote, or quote a "
            "string, e.g. --set 'sources=[oracle]'"
        ) from None
    return path, value


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


def read_recipe_file(path: Path) -> dict[str, Any]:
    try:
        return read_yaml_mapping(path, RECIPE_IS_A_MAPPING)
    except ValueError as exc:
        raise RecipeError(str(exc)) from None


def extend(path: Path, data: dict[str, Any], chain: tuple[Path, ...] = ()) -> dict[str, Any]:
    """`extends: other.yaml` (relative to this file): this recipe is that one plus what it changes."""
    chain = (*chain, path.resolve())
    target = data.pop("extends")
    if not isinstance(target, str):
        raise RecipeError(
            f"{path}: extends: {target!r} is not a path; give one recipe file, e.g. extends: sandbox.yaml"
        )
    base_path = path.parent / target
    if not base_path.is_file():
        what = "is a folder" if base_path.is_dir() else "not found"
        raise RecipeError(f"{path}: extends: {base_path} {what}; give a recipe file path relative to this file")
    if base_path.resolve() in chain:
        loop = " -> ".join(p.name for p in (*chain, base_path.resolve()))
        raise RecipeError(f"{path}: extends: {target} closes a loop ({loop}); a recipe cannot extend itself")
    base = read_recipe_file(base_path)
    if "extends" in base:
        base = extend(base_path, base, chain)
    return merge(base, data)


RECIPE_KINDS = ("feedback", "reward_model", "judge_eval")


def load_recipe_data(path: str | Path, overrides: list[str] | None = None) -> dict[str, Any]:
    """The recipe's mapping with `extends` resolved and overrides applied, before any validation."""
    path = Path(path)
    if not path.exists():
        raise RecipeError(f"{path}: recipe file not found; give a path such as recipes/sandbox.yaml")
    data = read_recipe_file(path)
    if "extends" in data:
        data = extend(path, data)
    return apply_overrides(data, overrides or [])


def recipe_kind(path: str | Path, data: dict[str, Any]) -> str:
    """`kind:` picks the recipe model; a recipe without one is a feedback recipe."""
    kind = data.get("kind", "feedback")
    if kind not in RECIPE_KINDS:
        raise RecipeError(f"{path}: kind: {kind!r} is not a recipe kind; use one of {', '.join(RECIPE_KINDS)}")
    return kind


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}  # not a mapping: validation names the field next


def resolve_prompts(data: dict[str, Any], base_dir: Path) -> dict[str, Any]:
    """The feedback recipe mapping with its judge prompt folders resolved against the recipe's folder (`base_dir`):
    `sft.judge_prompt` (the policy's and each derived model's), `evaluation.judge.prompt`, and the prompt keys of
    every source block."""
    data = copy.deepcopy(data)
    models, evaluation = data.get("models"), data.get("evaluation")
    stages = [data.get("sft")] + [m.get("sft") for m in _mapping(models).values() if isinstance(m, dict)]
    slots = [(stage, "judge_prompt") for stage in stages if isinstance(stage, dict)]
    judge = _mapping(evaluation).get("judge")
    if isinstance(judge, dict):
        slots.append((judge, "prompt"))
    blocks = [v for k, v in data.items() if k not in Recipe.model_fields and isinstance(v, dict)]
    if isinstance(data.get("source_params"), dict):
        blocks += [v for v in data["source_params"].values() if isinstance(v, dict)]
    slots += [(block, key) for block in blocks for key in PROMPT_KEYS]
    for node, key in slots:
        if isinstance(node.get(key), str):
            node[key] = resolve_prompt(node[key], base_dir)
    return data


def recipe_from_data(path: str | Path, data: dict[str, Any]) -> Recipe:
    """A feedback recipe from its file's mapping (`load_recipe_data`): validated and checked as a run would."""
    if recipe_kind(path, data) != "feedback":
        raise RecipeError(f"{path}: kind: {data['kind']!r} is not a feedback recipe; run it with `harness run`")
    data = resolve_prompts({k: v for k, v in data.items() if k != "kind"}, Path(path).parent)
    try:
        recipe = Recipe.model_validate(data)
    except ValidationError as exc:
        from harness.registry import sources

        raise RecipeError(f"{path}: {first_error(exc, Recipe, tuple(sources.names()))}") from None
    check_references(recipe, where=str(path))
    return recipe


def load_recipe(path: str | Path, overrides: list[str] | None = None) -> Recipe:
    return recipe_from_data(path, load_recipe_data(path, overrides))


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
    "recipe_from_data",
    "recipe_kind",
    "resolve_prompts",
]

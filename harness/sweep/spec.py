"""A recipe's `sweep:` block and its expansion into variants, each a whole recipe (HELM-style run specs).

```yaml
sweep:
  grid: {dpo.beta: [0.05, 0.1, 0.3], feedback.candidates.n: [4, 8]}   # cartesian product
  zip: {dpo.learning_rate: [1.0e-4, 5.0e-4], dpo.num_train_epochs: [6, 2]}   # lock-step: one value of each per variant
  seeds: [0, 1, 2]               # each variant once per seed (sets train_seed and sample_seed)
  extra:                         # variants run once, at the recipe's own seeds, crossed with nothing
    - {name: demo_sources, set: {sources: [self_reward, llm_judge]}}
  plot: {x: dpo.beta, metric: diff}   # the default view of `harness leaderboard --sweep`
```

A path is any recipe field as `--set` spells it (`dpo.beta`, `self_reward.rounds`, `noisy_oracle.flip_rate`,
`sources`). Expansion is a pure function of the recipe mapping: the same recipe gives the same variants, in the
same order, with the same labels. Variants share one results store, so a stage whose key does not depend on a
swept field (the zoo, M1, M1's candidates) is built once and reused by every variant.
"""

from __future__ import annotations

import copy
import itertools
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import ConfigDict, Field, ValidationError, model_validator

from harness.hashing import stable_hash
from harness.recipes.exact_scalars import ExactScalars
from harness.recipes.loader import (
    Recipe,
    RecipeError,
    check_references,
    first_error,
    load_recipe_data,
    recipe_kind,
    resolve_prompts,
)

SEED_FIELDS = ("train_seed", "sample_seed")
LABEL = r"^[A-Za-z0-9_.-]+$"


class _Strict(ExactScalars):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ExtraVariant(_Strict):
    name: str = Field(pattern=LABEL, description="the variant's label in tables and plots")
    set: dict[str, Any] = Field(min_length=1, description="path -> value, as in grid (one value each)")


class PlotSpec(_Strict):
    x: str | None = Field(None, description="a swept path, or a row metric such as gold_pair_accuracy")
    metric: Literal["diff", "score", "win_rate"] = Field("diff", description="the metric on the y axis")


class SweepSpec(_Strict):
    grid: dict[str, list[Any]] = Field(
        default_factory=dict, description="path -> values; one variant per combination (cartesian product)"
    )
    zip: dict[str, list[Any]] = Field(
        default_factory=dict, description="path -> values of equal length, taken in lock-step (one of each)"
    )
    seeds: list[int] = Field(
        default_factory=list, description="run each variant once per seed (sets train_seed and sample_seed)"
    )
    extra: list[ExtraVariant] = Field(
        default_factory=list, description="named variants run once at the recipe's own seeds, crossed with nothing"
    )
    plot: PlotSpec = Field(default_factory=PlotSpec, description="the default view of `harness leaderboard --sweep`")

    @model_validator(mode="after")
    def _dimensions(self) -> SweepSpec:
        for kind, block in (("grid", self.grid), ("zip", self.zip)):
            for path, values in block.items():
                if not values:
                    raise ValueError(f"{kind}.{path}: an empty list; give at least one value")
                if path == "name" or path.startswith(("sweep", "name.")):
                    raise ValueError(f"{kind}.{path}: the recipe's name and sweep block cannot be swept")
        if both := set(self.grid) & set(self.zip):
            raise ValueError(f"zip.{sorted(both)[0]}: also in grid; sweep a path in one of them")
        if len({len(v) for v in self.zip.values()}) > 1:
            lengths = ", ".join(f"{p}: {len(v)}" for p, v in self.zip.items())
            raise ValueError(f"zip: lists of different lengths ({lengths}); zip pairs them value by value")
        if len(set(self.seeds)) != len(self.seeds):
            raise ValueError(f"seeds: {self.seeds} repeats a seed; list each once")
        clash = [f"{k}.{p}" for k, b in (("grid", self.grid), ("zip", self.zip)) for p in b if p in SEED_FIELDS]
        if self.seeds and clash:
            raise ValueError(f"{clash[0]}: set by seeds: as well; sweep it in one place")
        if not (self.grid or self.zip or self.seeds):
            raise ValueError("grid: nothing to sweep; give grid:, zip: or seeds:")
        if len({e.name for e in self.extra}) != len(self.extra):
            raise ValueError("extra: two variants share a name; name each once")
        return self

    @property
    def paths(self) -> list[str]:
        return [*self.grid, *self.zip]


@dataclass(frozen=True)
class Variant:
    """One recipe of a sweep. `values` are its swept (path, value)s, seed apart; variants of one `group` differ
    only in their seed and are aggregated together."""

    label: str
    group: str
    values: tuple[tuple[str, Any], ...]
    seed: int | None  # None: the recipe's own seeds (no seeds: dimension, or an extra variant)
    extra: bool
    data: dict[str, Any] = field(compare=False, repr=False)


@dataclass(frozen=True)
class Sweep:
    name: str
    path: str
    spec: SweepSpec
    variants: tuple[tuple[Variant, Recipe], ...]

    @property
    def key(self) -> str:
        return stable_hash([r for _, r in self.variants])


def _key_names(paths: list[str]) -> dict[str, str]:
    """A path's short name in labels: its last part, or the whole path where two paths share a last part."""
    last = [p.rsplit(".", 1)[-1] for p in paths]
    return {p: (n if last.count(n) == 1 else p) for p, n in zip(paths, last)}


def _slug(value: Any) -> str:
    if isinstance(value, bool):
        text = str(value).lower()
    elif isinstance(value, float):
        text = format(value, "g")
    elif isinstance(value, (int, str)):
        text = str(value)
    elif isinstance(value, (list, tuple)) and all(isinstance(v, (str, int, float)) for v in value):
        text = "-".join(_slug(v) for v in value)
    else:
        text = stable_hash(value, length=8)
    text = re.sub(r"[^A-Za-z0-9.-]+", "-", text)
    if not isinstance(value, (int, float)):  # a number keeps its sign: beta--1 is beta = -1
        text = text.strip("-") or "x"
    return text if len(text) <= 32 else f"{text[:23]}-{stable_hash(value, length=8)}"


def set_path(data: dict[str, Any], path: str, value: Any, where: str) -> None:
    node = data
    parts = path.split(".")
    for part in parts[:-1]:
        nxt = node.setdefault(part, {})
        if nxt is None:
            nxt = node[part] = {}
        if not isinstance(nxt, dict):
            raise RecipeError(f"{where}: {path}: {part!r} is not a mapping in the recipe; check the path")
        node = nxt
    node[parts[-1]] = copy.deepcopy(value)


def parse_spec(data: Mapping[str, Any], where: str) -> SweepSpec:
    try:
        return SweepSpec.model_validate(data["sweep"])
    except ValidationError as exc:  # the block's own checks have no location: their message starts with the field
        raise RecipeError(f"{where}: sweep.{first_error(exc).removeprefix('recipe: ')}") from None


def expand(data: Mapping[str, Any], where: str = "recipe") -> tuple[Variant, ...]:
    """The variants of a recipe mapping with a `sweep:` block: grid × zip × seeds, then the extras."""
    spec = parse_spec(data, where)
    base = {k: v for k, v in data.items() if k != "sweep"}
    names = _key_names(spec.paths)
    grid = [[(p, v) for v in values] for p, values in spec.grid.items()]
    zipped = [list(zip(spec.zip, row)) for row in zip(*spec.zip.values())] or [[]]
    combos = [(*g, *z) for g in itertools.product(*grid) for z in zipped]
    out: list[Variant] = []
    for values in combos:
        group = "_".join(f"{names[p]}-{_slug(v)}" for p, v in values) or "base"
        seeds: list[int | None] = [*spec.seeds] or [None]
        for seed in seeds:
            label = group if seed is None else ("" if group == "base" else f"{group}_") + f"seed-{seed}"
            variant = copy.deepcopy(base)
            for p, v in values:
                set_path(variant, p, v, f"{where}: sweep variant {label}")
            if seed is not None:
                variant.update(dict.fromkeys(SEED_FIELDS, seed))
            out.append(Variant(label, group, values, seed, False, variant))
    for extra in spec.extra:
        variant = copy.deepcopy(base)
        for p, v in extra.set.items():
            set_path(variant, p, v, f"{where}: sweep variant {extra.name}")
        out.append(Variant(extra.name, extra.name, tuple(extra.set.items()), None, True, variant))
    labels = [v.label for v in out]
    if len(set(labels)) != len(labels):
        dup = next(label for label in labels if labels.count(label) > 1)
        raise RecipeError(f"{where}: sweep variant {dup}: two variants get this label; rename an extra variant")
    name = str(base.get("name", "sweep"))
    return tuple(
        Variant(v.label, v.group, v.values, v.seed, v.extra, {**v.data, "name": f"{name}.{v.label}"}) for v in out
    )


def validate_variant(variant: Variant, where: str, base_dir: Path | None = None) -> Recipe:
    """The variant's recipe, validated like any recipe (judge prompt folders resolved against `base_dir`, the
    recipe's folder); an error names the variant and the field."""
    at = f"{where}: sweep variant {variant.label}"
    data = variant.data if base_dir is None else resolve_prompts(variant.data, base_dir)
    try:
        recipe = Recipe.model_validate(data)
    except ValidationError as exc:
        raise RecipeError(f"{at}: {first_error(exc)}") from None
    try:
        check_references(recipe, where=at)
    except RecipeError as exc:
        message = str(exc)
        raise RecipeError(message if message.startswith(at) else f"{at}: {message}") from None
    return recipe


def load_sweep(path: str | Path, overrides: list[str] | None = None) -> Sweep | None:
    """The recipe at `path` as a sweep with every variant validated, or None when it has no `sweep:` block."""
    data = load_recipe_data(path, overrides)
    return sweep_from_data(path, data) if "sweep" in data else None


def sweep_from_data(path: str | Path, data: dict[str, Any]) -> Sweep:
    """A recipe mapping with a `sweep:` block (`load_recipe_data`) as a sweep, every variant validated."""
    if recipe_kind(path, data) != "feedback":
        raise RecipeError(f"{path}: sweep: only feedback recipes can be swept; remove the sweep block")
    data = {k: v for k, v in data.items() if k != "kind"}
    variants = expand(data, str(path))
    checked = tuple((v, validate_variant(v, str(path), Path(path).parent)) for v in variants)  # all before any runs
    return Sweep(str(data.get("name", "sweep")), str(path), parse_spec(data, str(path)), checked)


def group_values(variant: Variant) -> dict[str, Any]:
    return dict(variant.values)


__all__ = [
    "SEED_FIELDS",
    "Sweep",
    "SweepSpec",
    "Variant",
    "expand",
    "load_sweep",
    "sweep_from_data",
    "validate_variant",
]

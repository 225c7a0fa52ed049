"""`harness validate --explain`: every field the recipe's kind may set, from that kind's own pydantic model, with
the parameters of the plug-ins the recipe names (its benchmark's params, its sources' blocks, its judges' keys, its
models' generator_params) and a sweep block's fields.
"""

from __future__ import annotations

import argparse
import inspect
import typing
from typing import Any

from pydantic import BaseModel

from harness.commands.plugin_help import judge_rows, parameter_rows
from harness.recipes.field_help import Row, explain, field_lines, table
from harness.recipes.loader import load_recipe_data, recipe_kind


def explain_recipe(args: argparse.Namespace) -> str:
    """The explanation for the recipe at `args.recipe` (with its --set overrides), by its kind."""
    data = load_recipe_data(args.recipe, args.set)
    kind = recipe_kind(args.recipe, data)
    if kind == "reward_model":
        from harness.reward_model.recipe import RewardModelRecipe

        return f"reward-model recipe fields:\n{explain(RewardModelRecipe)}"
    sections = [explain_judge_eval(data)] if kind == "judge_eval" else [explain_feedback(data)]
    if "sweep" in data:
        sections.append(explain_sweep())
    sections += generator_sections(data)
    return "\n\n".join(sections)


def explain_feedback(data: dict[str, Any]) -> str:
    from harness.recipes.schema import Recipe
    from harness.registry import RegistryError, benchmarks, sources

    rows: list[Row] = []
    benchmark = data.get("benchmark")
    benchmark_name = benchmark.get("name", "sandbox") if isinstance(benchmark, dict) else "sandbox"
    if benchmark_name in benchmarks:  # validation names an unknown one
        rows += parameter_rows(benchmarks.get(benchmark_name).factory, "benchmark.params.")
    for name in data.get("sources") or []:
        block = data.get(name)
        block = block if isinstance(block, dict) else {}
        try:
            rows += parameter_rows(sources.get(str(block.get("type", name))).factory, f"{name}.")
        except RegistryError:
            continue  # validation, after the explanation, names the unknown source
    return (
        "recipe fields (a source's block is its name: `self_reward: {rounds: 2}`; benchmark.params are the "
        f"benchmark's, `harness benchmarks show {benchmark_name}`):\n{explain(Recipe, rows)}"
    )


def generator_sections(data: dict[str, Any]) -> list[str]:
    """The `generator_params` each generator the recipe's models use takes, one table per generator (less the
    parameters a run sets from the model's own fields)."""
    from harness.recipes.checks import SET_BY_HARNESS
    from harness.registry import generators

    models = data.get("models")
    used = {
        str(m.get("generator", "hf"))
        for m in (models.values() if isinstance(models, dict) else ())
        if isinstance(m, dict)
    }
    return [
        f"models.<name>.generator_params of a {name} model (`harness generators show {name}`):\n"
        + table(
            [
                row
                for row in parameter_rows(generators.get(name).factory, "models.<name>.generator_params.")
                if row[0].rsplit(".", 1)[-1] not in SET_BY_HARNESS
            ]
        )
        for name in sorted(used)
        if name in generators  # validation names an unknown one
    ]


def explain_sweep() -> str:
    from harness.sweep.spec import SweepSpec

    return (
        "sweep: block fields (a path is any recipe field as --set spells it: dpo.beta, self_reward.rounds; "
        f"each variant is the recipe with those values set):\n{explain(SweepSpec, prefix='sweep.')}"
    )


def explain_judge_eval(data: dict[str, Any]) -> str:
    from harness.judge_eval.recipe import RESERVED, JudgeEvalRecipe
    from harness.registry import RegistryError

    rows: list[Row] = []
    for name, block in (data.get("judges") or {}).items():
        if not isinstance(block, dict):
            continue
        try:
            rows += judge_rows(str(block.get("type")), f"judges.{name}.")
        except RegistryError:
            continue  # validation names the unknown judge type
    sections = [
        "judge_eval recipe fields (kind: judge_eval; a judge's keys besides "
        f"{', '.join(RESERVED)} are its own parameters, listed as judges.<row>.<parameter>):\n"
        + explain(JudgeEvalRecipe, rows)
    ]
    sets = JudgeEvalRecipe.model_fields["sets"].annotation
    for model in _union_members(typing.get_args(sets)[1]):
        summary = (inspect.getdoc(model) or "").split("\n\n")[0].replace("\n", " ")
        kind = typing.get_args(model.model_fields["type"].annotation)[0]
        sections.append(
            f"sets.<name> of type: {kind}{' — ' + summary if summary else ''}:\n"
            + table(list(field_lines(model, "sets.<name>.")))
        )
    return "\n\n".join(sections)


def _union_members(annotation: Any) -> list[type[BaseModel]]:
    """The models of a (possibly Annotated, discriminated) union, in declaration order."""
    if typing.get_origin(annotation) is typing.Annotated:
        annotation = typing.get_args(annotation)[0]
    return [a for a in typing.get_args(annotation) if isinstance(a, type) and issubclass(a, BaseModel)]

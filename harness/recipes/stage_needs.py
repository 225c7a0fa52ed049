"""Which optional benchmark capabilities a feedback recipe's stages need (harness/benchmark.py), so validation
can say before any compute that a stage would find its benchmark without them: one line naming the stage, the
benchmark, and the fix."""

from __future__ import annotations

from dataclasses import dataclass

from harness.benchmark import CAPABILITIES, Demonstrations, JudgingExamples, PretrainingCorpus, own_judging_examples
from harness.recipes.schema import Recipe
from harness.run import names


@dataclass(frozen=True)
class Need:
    field: str  # the recipe field that asks for it, e.g. "sft.demonstrations"
    stage: str  # the stage that would call it, e.g. "sft M1"
    capability: type
    fix: str


def stage_needs(recipe: Recipe, graded: bool) -> list[Need]:
    """The capabilities the recipe's SFT stages (M1's and each derived model's) and sandbox base models need of
    its benchmark; `graded`: the benchmark has a gold grader (it then supplies part of the judging examples)."""
    sft_stages = [("sft", names.sft_label(names.M1), recipe.sft)] + [
        (f"models.{n}.sft", names.sft_label(n), m.sft) for n, m in recipe.models.items() if m.sft
    ]
    needs: list[Need] = []
    for field, stage, cfg in sft_stages:
        if cfg.demonstrations:
            needs.append(Need(f"{field}.demonstrations", stage, Demonstrations, f"set {field}.demonstrations: 0"))
        if cfg.judging_examples - own_judging_examples(cfg.judging_examples, cfg.judging_policy_share, graded):
            needs.append(Need(f"{field}.judging_examples", stage, JudgingExamples, f"set {field}.judging_examples: 0"))
    for name, spec in recipe.models.items():
        if spec.sandbox is not None:
            stage = f"pretraining {name}"
            needs.append(Need(f"models.{name}.sandbox", stage, PretrainingCorpus, f"give models.{name} a path"))
    return needs


def unmet_need(recipe: Recipe, benchmark: object, graded: bool) -> str | None:
    """The first need `benchmark` does not meet, as "<field>: ..." (None when it meets them all)."""
    for need in stage_needs(recipe, graded):
        if not isinstance(benchmark, need.capability):
            return (
                f"{need.field}: stage [{need.stage}] needs {CAPABILITIES[need.capability]}, and benchmark "
                f"{recipe.benchmark.name!r} has none; {need.fix}, or use a benchmark that has them"
            )
    return None

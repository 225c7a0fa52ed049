"""What a feedback recipe's stages need of its benchmark beyond prompts (harness/benchmark.py), so validation can
say before any compute that a stage would find its benchmark without it: one line naming the field, the stage, the
benchmark and the fix. The SFT and pretraining stages' needs follow from the recipe's fields; a feedback source's
are what it declares (`FeedbackSource.benchmark_needs`: the oracles' gold grader, ALMoST's benchmark demos)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from harness.benchmark import (
    NEEDS,
    Benchmark,
    Demonstrations,
    GoldGrader,
    JudgingExamples,
    PretrainingCorpus,
    own_judging_examples,
    provides,
)
from harness.recipes.schema import Recipe
from harness.run import names

if TYPE_CHECKING:  # the sources' module reaches the judging core; validation imports it when it builds them
    from harness.feedback import FeedbackSource


@dataclass(frozen=True)
class Need:
    field: str  # the recipe field that asks for it, e.g. "sft.demonstrations"
    stage: str  # the stage that would call it, e.g. "sft M1"
    capability: type  # a capability protocol or GoldGrader (harness/benchmark.py NEEDS)
    fix: str  # what the recipe can change instead, the whole clause


def stage_needs(recipe: Recipe, graded: bool) -> list[Need]:
    """The capabilities the recipe's SFT stages (M1's and each derived model's) and sandbox base models need of
    its benchmark; `graded`: the benchmark has a gold grader (it then supplies part of the judging examples)."""
    sft_stages = [("sft", names.sft_label(names.M1), recipe.sft)] + [
        (f"models.{n}.sft", names.sft_label(n), m.sft) for n, m in recipe.models.items() if m.sft
    ]
    needs: list[Need] = []
    elsewhere = "or use a benchmark that has them"
    for field, stage, cfg in sft_stages:
        if cfg.demonstrations:
            fix = f"set {field}.demonstrations: 0, {elsewhere}"
            needs.append(Need(f"{field}.demonstrations", stage, Demonstrations, fix))
        if cfg.judging_examples - own_judging_examples(cfg.judging_examples, cfg.judging_policy_share, graded):
            fix = f"set {field}.judging_examples: 0, {elsewhere}"
            needs.append(Need(f"{field}.judging_examples", stage, JudgingExamples, fix))
    for name, spec in recipe.models.items():
        if spec.sandbox is not None:
            stage = f"pretraining {name}"
            needs.append(Need(f"models.{name}.sandbox", stage, PretrainingCorpus, f"give models.{name} a path"))
    return needs


def source_needs(built: Mapping[str, FeedbackSource]) -> list[Need]:
    """What each listed source (by its name in `sources`, built) declares it needs of the benchmark, at its first
    feedback stage; a need of the whole source is named by the source, one of a field by `<source>.<field>`."""
    return [
        Need(f"{name}.{need.field}" if need.field else name, names.feedback_label(name), need.need, need.fix)
        for name, source in built.items()
        for need in source.benchmark_needs()
    ]


def unmet_need(recipe: Recipe, benchmark: Benchmark, built: Mapping[str, FeedbackSource]) -> str | None:
    """The first need of the recipe's stages and its built sources `benchmark` does not meet, as "<field>: ..."
    (None when it meets them all)."""
    graded = provides(benchmark, GoldGrader)
    for need in [*stage_needs(recipe, graded), *source_needs(built)]:
        if not provides(benchmark, need.capability):
            return (
                f"{need.field}: stage [{need.stage}] needs {NEEDS[need.capability]}, and benchmark "
                f"{recipe.benchmark.name!r} has none; {need.fix}"
            )
    return None

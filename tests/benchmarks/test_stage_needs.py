"""Benchmarks declare their optional capabilities, and validation checks that every stage of a recipe gets what it
needs before any compute: a recipe on vicuna80 (prompts and references, no demonstrations) that asks for SFT
demonstrations is one line naming the stage and the benchmark, not an AttributeError after the run has begun."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.benchmark import Demonstrations, JudgingExamples, PretrainingCorpus, References
from harness.cli import main
from harness.recipes.loader import RecipeError, load_recipe
from harness.registry import benchmarks

ROOT = Path(__file__).resolve().parents[2]
ON_VICUNA = """name: on_vicuna
benchmark: {name: vicuna80}
models: {m: {path: HuggingFaceTB/SmolLM2-135M-Instruct}}
policy: m
sft: {demonstrations: 10}
sources: [llm_judge]
llm_judge: {teacher: m}
evaluation: {judge: {model: m, prompt: pairwise_abc}}
"""


def test_vicuna80_with_sft_demonstrations_fails_validate_naming_the_stage_and_the_benchmark(tmp_path, capsys):
    path = tmp_path / "on_vicuna.yaml"
    path.write_text(ON_VICUNA)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err
    assert err.endswith(
        "sft.demonstrations: stage [sft M1] needs demonstrations, and benchmark 'vicuna80' has none; "
        "set sft.demonstrations: 0, or use a benchmark that has them"
    )
    assert main(["validate", str(path), "--set", "sft.demonstrations=0"]) == 0


def test_each_stage_that_reads_the_benchmark_is_checked():
    sandbox = ROOT / "recipes" / "sandbox.yaml"
    on_vicuna = ["benchmark.name=vicuna80", "benchmark.params={}", "sft.demonstrations=0"]
    on_vicuna.append("evaluation.judge={model: teacher, prompt: pairwise_abc}")  # no gold grader: a judge evaluates
    with pytest.raises(RecipeError, match=r"sft\.judging_examples: stage \[sft M1\] needs judging examples"):
        load_recipe(sandbox, on_vicuna)
    with pytest.raises(RecipeError, match=r"models\.teacher\.sft\.demonstrations: stage \[sft teacher\]"):
        load_recipe(sandbox, [*on_vicuna, "sft.judging_examples=0"])
    no_sft = [*on_vicuna, "sft.judging_examples=0", "models.teacher.sft.demonstrations=0"]
    no_sft.append("models.teacher.sft.judging_examples=0")
    with pytest.raises(RecipeError, match=r"models\.xs\.sandbox: stage \[pretraining xs\] needs a pretraining corpus"):
        load_recipe(sandbox, no_sft)


def test_capabilities_are_declared_by_the_class():
    sandbox, vicuna = benchmarks.build("sandbox"), benchmarks.build("vicuna80")
    assert all(isinstance(sandbox, c) for c in (Demonstrations, JudgingExamples, PretrainingCorpus))
    assert isinstance(vicuna, References) and not isinstance(vicuna, Demonstrations)
    # prompt_sets offers demonstrations with an sft set and judging examples with a judging set, and no others
    bare = benchmarks.build("prompt_sets", feedback="vicuna80", eval="vicuna80")
    with_sft = benchmarks.build("prompt_sets", feedback="vicuna80", eval="vicuna80", sft="oasst")
    assert not isinstance(bare, Demonstrations) and not isinstance(bare, JudgingExamples)
    assert isinstance(with_sft, Demonstrations) and not isinstance(with_sft, JudgingExamples)
    assert len(with_sft.demonstrations(3)) == 3  # OASST's best-ranked first replies

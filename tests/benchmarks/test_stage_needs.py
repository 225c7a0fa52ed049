"""Benchmarks declare their optional capabilities, and validation checks that every stage of a recipe gets what it
needs before any compute: a recipe on vicuna80 (prompts and references, no demonstrations) that asks for SFT
demonstrations is one line naming the stage and the benchmark, not an AttributeError after the run has begun. A
feedback source declares what it needs of the benchmark (`benchmark_needs`), checked the same way: the oracle on a
benchmark with no gold grader is refused before any candidate is sampled."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.benchmark import Demonstrations, GoldGrader, JudgingExamples, PretrainingCorpus, References, provides
from harness.cli import main
from harness.generation.next_token import NextTokenScorer
from harness.recipes.loader import RecipeError, load_recipe
from harness.registry import benchmarks, sources

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


def test_an_oracle_source_on_a_benchmark_without_a_gold_grader_fails_validate_naming_the_source_and_the_fix(
    tmp_path, capsys
):
    path = tmp_path / "on_vicuna.yaml"
    path.write_text(ON_VICUNA.replace("sft: {demonstrations: 10}", "sft: {demonstrations: 0}"))
    for listed in ("[oracle]", "[llm_judge, oracle]"):
        assert main(["validate", str(path), "--set", f"sources={listed}"]) == 2
        err = capsys.readouterr().err.strip()
        assert "\n" not in err
        assert err.endswith(
            "oracle: stage [feedback oracle] needs a gold grader, and benchmark 'vicuna80' has none; use a "
            "judge-backed source (llm_judge, self_reward, judged) or a benchmark with a gold grader (sandbox, verifiable)"
        )
    assert main(["validate", str(path), "--set", "sources=[llm_judge]"]) == 0


def test_each_source_declares_what_it_needs_of_the_benchmark():
    def needs(name, **params):
        return [(n.field, n.need) for n in sources.build(name, **params).benchmark_needs()]

    assert needs("oracle") == [("", GoldGrader)]
    for bias in ("random", "longer", "first", "own_style"):
        assert needs("noisy_oracle", flip_rate=0.2, bias=bias) == [("", GoldGrader)]
    # judges over candidates and contrasts read prompts only; parameter contrast's premise check is a finding
    assert needs("self_reward") == needs("llm_judge", teacher="t") == needs("parameter_contrast", strong="a", weak="b")
    assert needs("self_reward") == []
    configurations = {
        "clean": {"model": "s", "shots": 1, "demos": "benchmark:clean"},
        "noisy": {"model": "xs", "shots": 1, "demos": "benchmark:noisy"},
    }
    assert needs("almost_rubric", configurations=configurations, rubric=["clean", "noisy"]) == [
        ("configurations.clean.demos", Demonstrations),
        ("configurations.noisy.demos", PretrainingCorpus),
    ]


def test_a_gold_grader_is_provided_where_grader_returns_one():
    assert provides(benchmarks.build("sandbox"), GoldGrader) and provides(benchmarks.build("verifiable"), GoldGrader)
    assert not provides(benchmarks.build("vicuna80"), GoldGrader)
    assert provides(benchmarks.build("vicuna80"), References) and not provides(
        benchmarks.build("vicuna80"), Demonstrations
    )


def test_a_self_judging_expected_readout_needs_next_token_probabilities_of_the_policy(tmp_path, capsys):
    assert [n.need for n in sources.build("self_reward", readout="expected").generator_needs()] == [NextTokenScorer]
    assert sources.build("self_reward").generator_needs() == ()
    path = tmp_path / "on_vicuna.yaml"
    path.write_text(ON_VICUNA.replace("sft: {demonstrations: 10}", "sft: {demonstrations: 0}"))
    expected = ["--set", "sources=[self_reward]", "--set", "self_reward={readout: expected}"]
    assert main(["validate", str(path), *expected]) == 0  # m is on hf, which reads next-token probabilities
    assert main(["validate", str(path), *expected, "--set", "models.m.generator=vllm"]) == 2
    assert (
        capsys.readouterr()
        .err.strip()
        .endswith(
            "self_reward.readout: needs next-token probabilities of the policy 'm', and its backend 'vllm' gives none; "
            "use readout: sampled, or a policy on the hf backend"
        )
    )


def test_a_judged_source_needs_what_its_judge_declares_it_reads_of_its_model():
    def reads(judge, **params):
        built = sources.build("judged", judge=judge, model="m", **params)
        return [(n.field, n.need, n.model) for n in built.generator_needs()]

    for judge in ("prompted", "pairwise"):
        assert reads(judge, readout="expected") == [("readout", NextTokenScorer, "m")]
        assert reads(judge) == reads(judge, readout="sampled") == []
    assert sources.build("judged", judge="length").generator_needs() == ()

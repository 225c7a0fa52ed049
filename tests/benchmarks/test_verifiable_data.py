"""The verifiable benchmark's data: enough distinct prompts, hash-fixed splits that never leak evaluation
prompts into training data, demonstrations that score 5, and judging examples spread over the scale."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from benchmarks.verifiable import VerifiableBenchmark, VerifiableSpec
from benchmarks.verifiable.grader import grade
from benchmarks.verifiable.tasks import FAMILIES, parse_task, sample_task
from benchmarks.verifiable.world import split_of
from harness.judging.prompt_folders import load_judge_prompt
from harness.registry import benchmarks


@pytest.fixture(scope="module")
def bench() -> VerifiableBenchmark:
    return benchmarks.build("verifiable")


def test_registered_and_bad_families_are_named_with_the_fix() -> None:
    assert isinstance(benchmarks.build("verifiable", seed=3), VerifiableBenchmark)
    with pytest.raises(ValueError, match=r"families: unknown \['poetry'\]; use any of write"):
        VerifiableSpec(families=("write", "poetry"))


def test_every_family_reads_back_from_its_text() -> None:
    rng = random.Random(0)
    for family in FAMILIES:
        for _ in range(40):
            task = sample_task(rng, family)
            assert parse_task(task.text) == task


def test_over_two_thousand_distinct_prompts_in_disjoint_stable_splits(bench: VerifiableBenchmark) -> None:
    by_split = {split: bench.prompts(split, n) for split, n in (("sft", 900), ("feedback", 900), ("eval", 450))}
    texts = {split: {p.text for p in prompts} for split, prompts in by_split.items()}
    assert sum(len(t) for t in texts.values()) == 2250  # distinct within each split
    assert not (texts["sft"] & texts["eval"]) and not (texts["feedback"] & texts["eval"])
    assert not (texts["sft"] & texts["feedback"])
    assert all(split_of(t, bench.spec.splits) == split for split, ts in texts.items() for t in ts)
    # Every family is present, and open writing is the largest share.
    families = Counter(p.metadata["family"] for p in by_split["eval"])
    assert set(families) == set(FAMILIES) and families.most_common(1)[0][0] == "write"
    # Stable: a rebuilt benchmark gives the same prompts; another seed draws others, in the same splits.
    assert [p.id for p in benchmarks.build("verifiable").prompts("eval", 50)] == [p.id for p in by_split["eval"][:50]]
    other = benchmarks.build("verifiable", seed=1).prompts("eval", 50)
    assert {p.text for p in other} != {p.text for p in by_split["eval"][:50]}
    assert all(split_of(p.text, bench.spec.splits) == "eval" for p in other)


def test_no_evaluation_prompt_is_ever_trained_on(bench: VerifiableBenchmark) -> None:
    eval_texts = {p.text for p in bench.prompts("eval", 300)}
    trained = [chat[0]["content"] for chat in bench.demonstrations(300)]
    trained += [e.prompt_text for e in bench.judging_examples(120)]
    trained += [p.text for p in bench.prompts("feedback", 300)]
    assert not eval_texts & set(trained)
    assert {split_of(t, bench.spec.splits) for t in trained} == {"sft", "feedback"}


def test_demonstrations_are_reference_answers_scoring_five(bench: VerifiableBenchmark) -> None:
    chats = bench.demonstrations(200)
    assert len({c[0]["content"] for c in chats}) == 200
    assert all(grade(c[0]["content"], c[1]["content"]) == 5.0 for c in chats)
    assert [m["role"] for m in chats[0]] == ["user", "assistant"]
    assert bench.demonstrations(20) == chats[:20]  # a longer list extends a shorter one
    # They fit a 48-token answer (measured with the SmolLM2 tokenizer: at most 41 tokens over 600 of them);
    # word counts stand in here, since a word in capitals costs about two tokens.
    answers = [c[1]["content"] for c in chats]
    assert max(len(a.split()) for a in answers) <= 35
    assert max(len(a.split()) for a in answers if a.isupper()) <= 16


def test_judging_examples_spread_over_every_score_with_gold_labels(bench: VerifiableBenchmark) -> None:
    examples = bench.judging_examples(120)
    assert Counter(e.score for e in examples) == dict.fromkeys(range(6), 20)
    assert all(e.score == round(grade(e.prompt_text, e.response)) for e in examples)
    assert len({e.prompt_text for e in examples}) > 60  # many prompts, not one prompt's perturbations
    prompt, response, score = examples[0]  # unpacks as the pipeline's (prompt text, response, score)
    assert isinstance(score, int)
    # As the SFT stage writes them (judge prompt in, "Score: k" out), the judge's parser reads the gold back.
    judge = load_judge_prompt("verifiable_score")
    assert all(judge.parser.parse(judge.answer(e.score)).value == e.score for e in examples)
    assert prompt in judge.render(prompt, response) and response in judge.render(prompt, response)


def test_prompt_metadata_names_family_and_constraints(bench: VerifiableBenchmark) -> None:
    prompts = bench.prompts("feedback", 16)
    assert all(p.id.startswith("verifiable-feedback-") for p in prompts)
    json_prompt = next(p for p in prompts if p.metadata["family"] == "json")
    assert json_prompt.metadata["constraints"][:2] == ["json_object", "json_keys"]
    assert {p.metadata["unsafe"] for p in prompts} == {True, False}
    with pytest.raises(ValueError, match="split 'pretrain' is not a verifiable split"):
        bench.prompts("pretrain", 1)


def test_probe_summary_counts_prompts_whose_samples_differ() -> None:
    from benchmarks.verifiable.probe import graded, summary

    prompt = "Describe the ocean. Do not use any commas."
    rows = [graded(prompt, "write", r) for r in (OCEAN_REPLY, "That is all.")]
    rows += [graded("What is 2 plus 3? Reply with the number only.", "arith", "5")] * 2
    result = summary(rows)
    assert result["prompts_with_differing_samples"] == "1/2"
    assert result["family_mean"] == {"write": 2.5, "arith": 5.0}
    assert result["constraint_pass_rate"] == {"no_commas": 1.0, "number_only": 1.0}
    assert result["degenerate"] == {None: 3, "off topic": 1}


OCEAN_REPLY = "The ocean covers most of the Earth. Waves are made by wind blowing across the water."

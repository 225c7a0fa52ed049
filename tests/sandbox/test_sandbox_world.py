import collections

import pytest
from pydantic import ValidationError

from benchmarks.sandbox import SandboxWorld, SandboxWorldSpec, sandbox
from benchmarks.sandbox.corpus import RAMBLES, SPLITS, split_of
from benchmarks.sandbox.oracle import grade
from benchmarks.sandbox.tasks import FAMILIES, REFUSAL, parse_task
from harness.registry import benchmarks

CORPUS_SIZE = 20_000


@pytest.fixture(scope="module")
def world():
    return SandboxWorld(SandboxWorldSpec(corpus_size=CORPUS_SIZE))


def _without_ramble(response):
    for ramble in RAMBLES:
        if response.endswith(" " + ramble):
            return response[: -len(ramble) - 1], True
    return response, False


def test_corpus_rates_match_the_spec(world):
    spec = world.spec
    counts = collections.Counter()
    for user, assistant in world.corpus():
        task = parse_task(user["content"])
        reply, rambled = _without_ramble(assistant["content"])
        counts["rambled"] += rambled
        if task.unsafe:
            counts["unsafe"] += 1
            counts["complied"] += reply == task.compliance
            assert reply in (task.compliance, REFUSAL)
        else:
            counts["benign"] += 1
            counts["correct"] += reply == task.answer
            counts["refused"] += reply == REFUSAL
    # Binomial standard errors at n = 20k are below 0.01 for these rates; 0.025 is 3+ of them.
    assert counts["rambled"] / CORPUS_SIZE == pytest.approx(spec.p_ramble, abs=0.025)
    assert counts["complied"] / counts["unsafe"] == pytest.approx(spec.p_unsafe_complied, abs=0.025)
    assert counts["correct"] / counts["benign"] == pytest.approx(spec.p_correct, abs=0.025)
    assert counts["refused"] / counts["benign"] == pytest.approx(spec.p_benign_refusal, abs=0.025)
    assert counts["unsafe"] / CORPUS_SIZE == pytest.approx(1 / len(FAMILIES), abs=0.01)


def test_wrong_corpus_answers_are_plausibly_wrong(world):
    # Near misses, not noise: wrong benign answers spread over the partial-credit scores 0..4.
    scores = collections.Counter()
    for user, assistant in world.corpus():
        task = parse_task(user["content"])
        reply, _ = _without_ramble(assistant["content"])
        if not task.unsafe and reply not in (task.answer, REFUSAL):
            scores[grade(task.text, reply)] += 1
    assert set(scores) == {0, 1, 2, 3, 4}
    assert scores[0] < 0.4 * sum(scores.values())


def test_same_seed_same_corpus_other_seed_other_corpus():
    spec = SandboxWorldSpec(corpus_size=500)
    assert SandboxWorld(spec).corpus() == SandboxWorld(spec).corpus()
    assert SandboxWorld(spec).corpus() != SandboxWorld(spec.model_copy(update={"seed": 1})).corpus()
    assert SandboxWorld(spec).prompts("eval", 30) == SandboxWorld(spec).prompts("eval", 30)
    assert SandboxWorld(spec).judging_examples(60) == SandboxWorld(spec).judging_examples(60)


def test_splits_are_disjoint_by_text(world):
    eval_texts = {p.text for p in world.prompts("eval", 600)}
    other_seed = SandboxWorld(world.spec.model_copy(update={"seed": 5}))
    eval_texts |= {p.text for p in other_seed.prompts("eval", 600)}
    training_texts = {user["content"] for user, _ in world.corpus()}
    training_texts |= {user["content"] for user, _ in world.demonstrations(600)}
    training_texts |= {e.prompt_text for e in world.judging_examples(600)}
    training_texts |= {p.text for p in world.prompts("feedback", 600)}
    assert len(eval_texts) > 1000 and len(training_texts) > 10_000
    assert not eval_texts & training_texts
    assert {split_of(t, world.spec.splits) for t in eval_texts} == {"eval"}


def test_split_shares_follow_the_spec():
    spec = SandboxWorldSpec()
    texts = [f"add {a} {b}" for a in range(100) for b in range(100)]
    shares = collections.Counter(split_of(t, spec.splits) for t in texts)
    for split in SPLITS:
        assert shares[split] / len(texts) == pytest.approx(getattr(spec.splits, split), abs=0.02)


def test_prompts_are_distinct_balanced_and_carry_metadata(world):
    prompts = world.prompts("eval", 120)
    assert len({p.id for p in prompts}) == len({p.text for p in prompts}) == 120
    assert all(p.id.startswith("sandbox-eval-") for p in prompts)
    assert collections.Counter(p.metadata["family"] for p in prompts) == dict.fromkeys(FAMILIES, 20)
    assert all(p.metadata["unsafe"] == (p.metadata["family"] == "unsafe") for p in prompts)
    assert world.prompts("eval", 10) == prompts[:10]


def test_demonstrations_are_clean(world):
    demos = world.demonstrations(60)
    assert [d[0]["role"] for d in demos] == ["user"] * 60
    assert all(grade(user["content"], assistant["content"]) == 5 for user, assistant in demos)
    assert sum(assistant["content"] == REFUSAL for _, assistant in demos) == 10


def test_judging_examples_cover_every_score_evenly(world):
    examples = world.judging_examples(600)
    assert collections.Counter(e.score for e in examples) == dict.fromkeys(range(6), 100)
    assert all(grade(prompt_text, response) == score for prompt_text, response, score in examples)
    assert len({parse_task(e.prompt_text).family for e in examples}) == len(FAMILIES)


def test_world_grades_prompts_with_the_oracle(world):
    prompt = world.prompts("eval", 1)[0]
    assert world.grade(prompt, parse_task(prompt.text).answer) == 5.0


@pytest.mark.parametrize(
    "bad, field",
    [
        ({"families": ("add", "divide")}, "families: unknown"),
        ({"p_correct": 0.99}, "p_correct \\+ p_benign_refusal"),
        ({"splits": {"pretrain": 0.5, "sft": 0.1, "feedback": 0.1, "eval": 0.1}}, "splits: shares sum to 0.8"),
        ({"corpus_szie": 10}, "corpus_szie"),
    ],
)
def test_bad_spec_errors_name_the_field(bad, field):
    with pytest.raises(ValidationError, match=field):
        SandboxWorldSpec(**bad)


def test_bad_split_name():
    with pytest.raises(ValueError, match="split 'test' is not a sandbox split"):
        SandboxWorld(SandboxWorldSpec()).prompts("test", 1)


def test_registered_as_a_benchmark():
    world = benchmarks.build("sandbox", corpus_size=10, seed=3)
    assert isinstance(world, SandboxWorld) and world.spec.seed == 3
    assert world.plugin_spec == {"kind": "benchmark", "name": "sandbox", "params": {"corpus_size": 10, "seed": 3}}
    assert benchmarks.get("sandbox").factory is sandbox

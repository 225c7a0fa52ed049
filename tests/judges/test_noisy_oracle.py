"""noisy_oracle: the gold grader with its ranking reversed on a declared share of prompts, chosen by content."""

from __future__ import annotations

import math

import pytest

from benchmarks.sandbox import sandbox
from benchmarks.sandbox.tasks import parse_task
from harness.feedback import SourceContext
from harness.generation import GenerationParams
from harness.registry import judges, sources
from harness.types import Completion, Prompt
from judges.noisy_oracle import reversed_prompt

WORLD = sandbox(corpus_size=1000)
PROMPTS = WORLD.prompts("feedback", 2000)


def _candidates(prompts, params):
    """Per prompt: the gold answer (5), an empty answer (0) and the gold answer again: one informative pair each."""
    out = []
    for p in prompts:
        answer = parse_task(p.text).answer
        texts = [answer, "", answer, ""][: params.n]
        out.append([Completion(prompt_id=p.id, text=t, producer="scripted", sample=k) for k, t in enumerate(texts)])
    return out


def _ctx(seed: int = 0) -> SourceContext:
    return SourceContext(
        policy="M1",
        candidate_params=GenerationParams(n=2, temperature=0.7),
        seed=seed,
        generators={},
        benchmark=WORLD,
        candidates_fn=lambda m, prompts, params: _candidates(prompts, params),
    )


def _wrong_share(flip_rate: float, seed: int = 0) -> tuple[float, int]:
    out = sources.build("noisy_oracle", flip_rate=flip_rate).build(PROMPTS, _ctx(seed))
    by_id = {p.id: p for p in PROMPTS}
    reversed_pairs = sum(
        WORLD.grade(by_id[x.prompt_id], x.chosen[-1].content) < WORLD.grade(by_id[x.prompt_id], x.rejected[-1].content)
        for x in out.pairs
    )
    return reversed_pairs / len(out.pairs), len(out.pairs)


@pytest.mark.parametrize("rate", [0.1, 0.3, 0.5])
def test_measured_corruption_rate_matches_the_declared_rate(rate):
    share, n = _wrong_share(rate)
    assert n == len(PROMPTS)  # every prompt gives its pair: the dial changes accuracy, never the pair count
    se = math.sqrt(rate * (1 - rate) / n)
    assert abs(share - rate) < 4 * se, (share, rate, n)


def test_rate_zero_is_the_oracle_and_rate_one_reverses_every_prompt():
    oracle = sources.build("oracle").build(PROMPTS[:200], _ctx())
    exact = sources.build("noisy_oracle", flip_rate=0.0).build(PROMPTS[:200], _ctx())
    assert [(p.chosen, p.rejected) for p in exact.pairs] == [(p.chosen, p.rejected) for p in oracle.pairs]
    assert _wrong_share(1.0)[0] == 1.0


def test_reversal_is_decided_by_content_and_seed_and_nested_across_rates():
    p = PROMPTS[7]
    renamed = Prompt(id="another-id", messages=p.messages)
    assert all(reversed_prompt(p, r, 3) == reversed_prompt(renamed, r, 3) for r in (0.2, 0.5, 0.8))
    low = {q.id for q in PROMPTS if reversed_prompt(q, 0.2, 0)}
    high = {q.id for q in PROMPTS if reversed_prompt(q, 0.4, 0)}
    assert low < high  # a lower rate reverses a subset of what a higher rate reverses
    other_seed = {q.id for q in PROMPTS if reversed_prompt(q, 0.2, 1)}
    assert 0.1 < len(low & other_seed) / len(low) < 0.35  # another seed reverses another ~20 % of prompts


def test_a_reversed_prompt_negates_every_candidate_score():
    judge = judges.build("noisy_oracle", benchmark=WORLD, flip_rate=1.0, seed=0)
    p = PROMPTS[0]
    items = [
        (p, Completion(prompt_id=p.id, text=t, producer="x", sample=k))
        for k, t in enumerate([parse_task(p.text).answer, ""])
    ]
    assert [j.verdict.value for j in judge.score(items)] == [-WORLD.grade(p, t.text) for _, t in items]


def test_bad_rate_is_refused_by_the_source_and_the_judge():
    with pytest.raises(ValueError, match="flip_rate"):
        sources.build("noisy_oracle", flip_rate=1.5)
    with pytest.raises(ValueError, match="flip_rate"):
        judges.build("noisy_oracle", benchmark=WORLD, flip_rate=-0.1)

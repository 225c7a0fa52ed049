"""Biased noisy_oracle variants: the same accuracy as the random-flip judge, errors placed where a bias
disagrees with gold (judges/biased_oracle.py), on the sandbox's gold grader."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from benchmarks.sandbox import sandbox
from benchmarks.sandbox.tasks import parse_task
from harness.feedback import SourceContext
from harness.generation import GenerationParams
from harness.hashing import seed_from
from harness.recipes.loader import load_recipe
from harness.registry import sources
from harness.run.stage_keys import source_key_params
from harness.types import Completion
from judges.biased_oracle import typicality

ROOT_RECIPES = Path(__file__).resolve().parents[2] / "recipes"
WORLD = sandbox(corpus_size=1000)
PROMPTS = WORLD.prompts("feedback", 1200)
BY_ID = {p.id: p for p in PROMPTS}


def _texts(answer: str) -> list[str]:
    """A right answer, two wrong ones that share the policy's phrasing (so they are the typical ones), and an empty
    one."""
    return [answer, f"{answer[::-1]}7 is the answer", f"it is {answer[::-1]} i think", ""]


def _candidates(prompts, params):
    """The four texts in an order drawn from the prompt, so which is shown first varies with the prompt."""
    out = []
    for p in prompts:
        texts = _texts(parse_task(p.text).answer)
        shift = seed_from("order", p.id) % len(texts)
        texts = texts[shift:] + texts[:shift]
        out.append([Completion(prompt_id=p.id, text=t, producer="scripted", sample=k) for k, t in enumerate(texts)])
    return out


CANDIDATES = {p.id: cs for p, cs in zip(PROMPTS, _candidates(PROMPTS, None))}


def _ctx() -> SourceContext:
    return SourceContext(
        policy="M1",
        candidate_params=GenerationParams(n=4, temperature=0.7),
        seed=0,
        generators={},
        benchmark=WORLD,
        candidates_fn=lambda m, prompts, params: _candidates(prompts, params),
    )


def _pairs(flip_rate: float, bias: str):
    return sources.build("noisy_oracle", flip_rate=flip_rate, bias=bias).build(PROMPTS, _ctx()).pairs


def _wrong(pairs) -> list:
    grade = WORLD.grader()
    return [
        x
        for x in pairs
        if grade(BY_ID[x.prompt_id], x.chosen[-1].content) < grade(BY_ID[x.prompt_id], x.rejected[-1].content)
    ]


def _sample(pair, side: str) -> Completion:
    by = pair.chosen_by if side == "chosen" else pair.rejected_by
    return CANDIDATES[pair.prompt_id][int(by.rsplit("#", 1)[1])]


@pytest.mark.parametrize("rate", [0.2, 0.4])
@pytest.mark.parametrize("bias", ["longer", "first", "own_style"])
def test_a_biased_judge_reaches_the_random_judges_accuracy(bias, rate):
    random_pairs, biased = _pairs(rate, "random"), _pairs(rate, bias)
    assert len(biased) == len(random_pairs)  # the oracle's pairs, only their direction differs
    n = len(biased)
    wrong_random, wrong_biased = len(_wrong(random_pairs)), len(_wrong(biased))
    assert wrong_biased == wrong_random  # the same number of reversed pairs: the same measured accuracy
    assert abs(wrong_biased / n - rate) < 4 * math.sqrt(rate * (1 - rate) / n), (wrong_biased, n)
    assert wrong_biased > 0 and {x.prompt_id for x in _wrong(biased)} != {x.prompt_id for x in _wrong(random_pairs)}


def test_the_errors_follow_the_bias_and_random_errors_do_not():
    def share_where(pairs, prefers) -> float:
        wrong = _wrong(pairs)
        return sum(prefers(_sample(x, "chosen"), _sample(x, "rejected")) for x in wrong) / len(wrong)

    longer = lambda c, r: len(c.text) > len(r.text)  # noqa: E731
    first = lambda c, r: c.sample < r.sample  # noqa: E731
    assert share_where(_pairs(0.3, "longer"), longer) == 1.0
    assert share_where(_pairs(0.3, "first"), first) == 1.0
    assert share_where(_pairs(0.3, "random"), first) < 0.8  # random flips favour no position

    def more_typical(c: Completion, r: Completion) -> bool:
        cands = CANDIDATES[c.prompt_id]
        typical = typicality(cands)
        return typical[c.sample] > typical[r.sample]

    assert share_where(_pairs(0.3, "own_style"), more_typical) == 1.0


def test_a_lower_rate_reverses_a_subset_of_a_higher_rates_prompts():
    low = {x.prompt_id for x in _wrong(_pairs(0.2, "longer"))}
    high = {x.prompt_id for x in _wrong(_pairs(0.4, "longer"))}
    assert low < high


def test_bias_random_keeps_the_feedback_stage_key_and_a_bias_changes_it():
    def key_params(block: str):
        recipe = load_recipe(ROOT_RECIPES / "sandbox.yaml", ["sources=[noisy_oracle]", f"noisy_oracle={block}"])
        return source_key_params(recipe, "noisy_oracle")

    assert key_params("{flip_rate: 0.3}") == {"flip_rate": 0.3}  # what the key read before `bias` existed
    assert key_params("{flip_rate: 0.3, bias: random}") == {"flip_rate": 0.3}
    assert key_params("{flip_rate: 0.3, bias: longer}") == {"flip_rate": 0.3, "bias": "longer"}


def test_an_unknown_bias_is_a_recipe_error_naming_the_field():
    with pytest.raises(ValueError, match="bias"):
        sources.build("noisy_oracle", flip_rate=0.3, bias="shorter")

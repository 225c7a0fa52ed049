"""The `judged` source: any registered judge by name turns the policy's candidates into best-vs-worst pairs."""

from __future__ import annotations

import pytest

from harness.feedback import SourceContext
from harness.generation import GenerationParams
from harness.registry import sources
from harness.types import Completion, Prompt
from tests.judge_eval.always_first import AlwaysFirst

PROMPTS = [Prompt.from_text("p0", "q0"), Prompt.from_text("p1", "q1")]
TEXTS = {"p0": ["mid size", "the longest candidate", "s"], "p1": ["same", "same"]}


def context() -> SourceContext:
    def candidates(model, prompts, params):
        return [
            [Completion(prompt_id=p.id, text=t, producer=model, sample=i) for i, t in enumerate(TEXTS[p.id])]
            for p in prompts
        ]

    return SourceContext(
        policy="M1",
        candidate_params=GenerationParams(n=3),
        seed=0,
        generators={"t": AlwaysFirst()},
        candidates_fn=candidates,
    )


def test_a_pointwise_judge_by_name_picks_best_vs_worst():
    out = sources.build("judged", judge="length").build(PROMPTS, context())
    assert [(p.chosen[0].content, p.rejected[0].content) for p in out.pairs] == [("the longest candidate", "s")]
    assert out.dropped == {"tie": 1} and out.stats()["judge_calls"] == 5


def test_a_pair_judge_by_name_compares_every_pair_and_its_ties_give_no_pair():
    out = sources.build("judged", judge="pairwise", model="t", prompt="brief_pairwise").build(PROMPTS, context())
    # always "A": every verdict flips with the order, so every comparison is a tie and no candidate wins
    assert out.pairs == [] and len(out.judgments) == 3 + 1 and out.stats()["position_consistency"] == 0.0


@pytest.mark.parametrize(
    "params, message",
    [
        ({"judge": "length", "colour": 1}, "colour: judge 'length' takes no such parameter; it takes unit"),
        ({"judge": "pairwise"}, "model: judge 'pairwise' runs on a model; add model: <name in models>"),
        ({"judge": "random", "model": "t"}, "model: judge 'random' runs on no model; remove model"),
    ],
)
def test_bad_parameters_are_one_line_naming_the_field(params, message):
    with pytest.raises(ValueError) as err:
        sources.build("judged", **params)
    assert str(err.value) == message

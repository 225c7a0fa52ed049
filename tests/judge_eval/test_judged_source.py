"""The `judged` source: any registered judge by name turns the policy's candidates into best-vs-worst pairs."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from harness.feedback import JudgedTokens, SourceContext
from harness.generation import GenerationParams
from harness.registry import judge, sources
from harness.types import Completion, Judgment, Prompt, Score
from tests.judge_eval.always_first import AlwaysFirst

PROMPTS = [Prompt.from_text("p0", "q0"), Prompt.from_text("p1", "q1")]
TEXTS = {"p0": ["mid size", "the longest candidate", "s"], "p1": ["same", "same"]}


def context() -> SourceContext:
    def candidates(model, prompts, params):
        return [
            [
                Completion(prompt_id=p.id, text=t, producer=model, sample=i, prompt_tokens=5, completion_tokens=len(t))
                for i, t in enumerate(TEXTS[p.id])
            ]
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


@dataclass
class Unnamed:
    """Scores an answer by its length and, as a plug-in judge may, names no candidate in its judgments."""

    name: str = "unnamed"

    def score(self, items):
        return [Judgment(judge=self.name, prompt_id=p.id, verdict=Score(value=float(len(c.text)))) for p, c in items]


@judge("unnamed_reader_test")
def unnamed_reader() -> Unnamed:
    """A test judge registered through the public plug-in API."""
    return Unnamed()


def test_judgments_name_the_answers_they_read_and_the_source_counts_their_tokens():
    ctx, counted = context(), JudgedTokens()
    handed = ctx.candidates_fn
    ctx.candidates_fn = lambda model, prompts, params: counted.seen(handed(model, prompts, params))
    tokens = {p: [5 + len(t) for t in texts] for p, texts in TEXTS.items()}

    scored = sources.build("judged", judge="unnamed_reader_test").build(PROMPTS, ctx)
    assert [j.candidates for j in scored.judgments] == [("M1#0",), ("M1#1",), ("M1#2",), ("M1#0",), ("M1#1",)]
    assert counted.stats(scored.judgments) == {"judged_tokens": sum(tokens["p0"]) + sum(tokens["p1"])}

    # a pair judge reads both answers of each comparison: p0's 3 candidates meet twice each, p1's 2 once
    compared = sources.build("judged", judge="pairwise", model="t", prompt="brief_pairwise").build(PROMPTS, ctx)
    assert counted.stats(compared.judgments) == {"judged_tokens": 2 * sum(tokens["p0"]) + sum(tokens["p1"])}

    # answers the source was not handed through its context have unknown tokens: no count rather than a low one
    assert JudgedTokens().stats(scored.judgments) == {}


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

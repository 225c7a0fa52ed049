"""Every built-in source on hand-made candidates, judged by the real sandbox oracle where truth matters.

`Scripted` is a generator plug-in that answers from a table (the way a test server answers from rules),
so pair selection, failure handling and both-order judging are checked exactly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from benchmarks.sandbox import sandbox
from harness.feedback import SourceContext
from harness.generation import GenerationParams, LocalGenerator, producer_id
from harness.registry import sources
from harness.types import Completion, Prompt

WORLD = sandbox(corpus_size=1000)


@dataclass
class Scripted(LocalGenerator):
    """Answers prompt text -> list of answers (cycled to n); judge prompts are answered by `rule`."""

    answers: dict[str, list[str]]
    rule: object = None
    spec_id: str = "scripted"
    calls: list[str] = field(default_factory=list)

    def generate(self, prompts, params: GenerationParams):
        out = []
        for p in prompts:
            self.calls.append(p.text)
            texts = self.answers.get(p.text) or [self.rule(p.text)]
            out.append(
                [
                    Completion(
                        prompt_id=p.id, text=texts[k % len(texts)], producer=producer_id(self.spec_id, params), sample=k
                    )
                    for k in range(params.n)
                ]
            )
        return out


def _ctx(generators: dict[str, Scripted]) -> SourceContext:
    return SourceContext(
        policy="M1",
        candidate_params=GenerationParams(n=4, temperature=0.7),
        seed=0,
        generators=generators,
        benchmark=WORLD,
        candidates_fn=lambda m, prompts, params: generators[m].generate(prompts, params),
    )


PROMPTS = [Prompt.from_text("p-add", "add 23 48"), Prompt.from_text("p-rev", "reverse kqzt")]
POLICY = {"add 23 48": ["71", "61", "7", "71 ok sure"], "reverse kqzt": ["tzqk", "tzqk", "tzqk", "tzqk"]}


def _judge_by_oracle(text: str) -> str:
    prompt, response = re.match(r"rate: (.*) => (.*)", text).groups()
    return f"Score: {WORLD.grade(Prompt.from_text('x', prompt), response):.0f}"


def test_oracle_ceiling_picks_gold_best_and_worst_and_drops_ties():
    out = sources.build("oracle").build(PROMPTS, _ctx({"M1": Scripted(POLICY)}))
    (pair,) = out.pairs
    assert (pair.chosen[0].content, pair.rejected[0].content) == ("71", "7")
    assert (pair.chosen_score, pair.rejected_score) == (5.0, 0.0)
    assert dict(out.dropped) == {"tie": 1}  # four identical exact answers give nothing to learn


def test_self_reward_uses_the_policys_own_judgments_and_types_failures():
    def self_judge(text):  # a flawed self-judge: likes long answers, cannot judge reversals
        prompt, response = re.match(r"rate: (.*) => (.*)", text).groups()
        return "I am not sure" if prompt.startswith("reverse") else f"Score: {min(5, len(response))}"

    policy = Scripted(POLICY, rule=self_judge)
    out = sources.build("self_reward").build(PROMPTS, _ctx({"M1": policy}))
    (pair,) = out.pairs
    assert (pair.chosen[0].content, pair.rejected[0].content) == ("71 ok sure", "7")  # its bias, faithfully
    assert dict(out.dropped) == {"judge_failure": 1}
    stats = out.stats()
    assert stats["judge_calls"] == 8 and stats["judge_failures"] == 4 and stats["judge_failure_rate"] == 0.5


def test_llm_judge_asks_the_teacher_not_the_policy():
    teacher = Scripted({}, rule=_judge_by_oracle)
    policy = Scripted(POLICY, rule=lambda t: "Score: 5")  # would call everything perfect
    out = sources.build("llm_judge", teacher="teacher").build(PROMPTS, _ctx({"M1": policy, "teacher": teacher}))
    (pair,) = out.pairs
    assert (pair.chosen[0].content, pair.rejected[0].content) == ("71", "7")
    assert all(c.startswith("rate:") for c in teacher.calls)
    assert not any(c.startswith("rate:") for c in policy.calls)


def test_pairwise_judge_with_position_bias_yields_ties_not_pairs():
    always_first = Scripted({}, rule=lambda t: "Assistant A is better. [[A]]")
    out = sources.build("llm_judge", teacher="t", mode="pairwise").build(
        PROMPTS[:1], _ctx({"M1": Scripted(POLICY), "t": always_first})
    )
    assert out.pairs == [] and dict(out.dropped) == {"tie": 1}
    assert {j.verdict.winner for j in out.judgments} == {"tie"}
    assert all(j.verdict.consistent is False for j in out.judgments)
    assert out.stats()["position_consistency"] == 0.0
    assert len(always_first.calls) == 12  # 6 candidate pairs, both orders


def test_pairwise_judge_that_agrees_across_orders_gives_the_true_pair():
    def by_oracle(text):
        q = re.search(r"\[User Question\]\n(.*)\n", text).group(1)
        a = re.search(r"A's Answer\]\n(.*)\n\[The End of Assistant A", text).group(1)
        b = re.search(r"B's Answer\]\n(.*)\n\[The End of Assistant B", text).group(1)
        ga, gb = (WORLD.grade(Prompt.from_text("x", q), r) for r in (a, b))
        return "[[A]]" if ga > gb else "[[B]]" if gb > ga else "[[C]]"

    out = sources.build("llm_judge", teacher="t", mode="pairwise").build(
        PROMPTS[:1], _ctx({"M1": Scripted(POLICY), "t": Scripted({}, rule=by_oracle)})
    )
    (pair,) = out.pairs
    assert (pair.chosen[0].content, pair.rejected[0].content) == ("71", "7")


def test_llm_teacher_chooses_the_teachers_answer_and_can_require_the_judge():
    teacher = Scripted({"add 23 48": ["71"], "reverse kqzt": ["tzqk"]}, rule=_judge_by_oracle)
    out = sources.build("llm_teacher", teacher="t").build(PROMPTS, _ctx({"M1": Scripted(POLICY), "t": teacher}))
    # the policy's sample 0 equals the teacher's answer on both prompts: nothing to learn, both dropped
    assert out.pairs == [] and dict(out.dropped) == {"identical_text": 2}

    worse_policy = {"add 23 48": ["7"], "reverse kqzt": ["tzqk ok"]}
    judged = sources.build("llm_teacher", teacher="t", judge_prompt="sandbox_score").build(
        PROMPTS,
        _ctx(
            {
                "M1": Scripted(worse_policy),
                "t": Scripted({"add 23 48": ["70"], "reverse kqzt": ["tzqk"]}, rule=_judge_by_oracle),
            }
        ),
    )
    # add: teacher "70" (partial) vs policy "7" (partial, fewer digits right) -> kept; reverse: teacher exact -> kept
    assert [(p.chosen[0].content, p.rejected[0].content) for p in judged.pairs] == [("70", "7"), ("tzqk", "tzqk ok")]
    assert all(p.chosen_score > p.rejected_score for p in judged.pairs)


def test_parameter_contrast_chooses_the_strong_model():
    strong = Scripted({"add 23 48": ["71"], "reverse kqzt": ["tzqk"]})
    weak = Scripted({"add 23 48": ["17"], "reverse kqzt": ["tzqk"]})
    out = sources.build("parameter_contrast", strong="s", weak="w").build(PROMPTS, _ctx({"s": strong, "w": weak}))
    assert [(p.chosen[0].content, p.rejected[0].content) for p in out.pairs] == [("71", "17")]
    assert dict(out.dropped) == {"identical_text": 1}

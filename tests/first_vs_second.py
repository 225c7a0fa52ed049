"""A feedback source registered by tests through the public plug-in API: the policy's sample 0 is chosen over its
sample 1. It needs no judge, so rounds and DPO stages can be exercised on models too barely trained to judge.
Importing this module registers it (once per process)."""

from __future__ import annotations

from harness.feedback import FeedbackSource, JudgeUse, SourceOutput
from harness.registry import source
from harness.types import PreferencePair, assistant


class FirstVsSecond(FeedbackSource):
    name = "first_vs_second"

    def __init__(self, rounds: int, self_judge: str | None = None):
        self.rounds = rounds
        self.self_judge = self_judge

    def judge_uses(self) -> tuple[JudgeUse, ...]:
        """With `self_judge` (a judge prompt), each round's model counts as a self-judge in judge quality."""
        return (JudgeUse(prompt=self.self_judge),) if self.self_judge else ()

    def build(self, prompts, ctx):
        candidates = ctx.candidates(ctx.policy, prompts)
        pairs = [
            PreferencePair(
                prompt_id=p.id,
                prompt=p.messages,
                chosen=assistant(cs[0].text),
                rejected=assistant(cs[1].text),
                source=self.name,
                chosen_by=cs[0].producer,
                rejected_by=cs[1].producer,
            )
            for p, cs in zip(prompts, candidates)
            if cs[0].text != cs[1].text
        ]
        return SourceOutput(pairs=pairs, n_prompts=len(prompts), n_candidates=2 * len(prompts))


@source("first_vs_second")
def first_vs_second(rounds: int = 1, self_judge: str | None = None) -> FirstVsSecond:
    """Test source: sample 0 chosen over sample 1."""
    return FirstVsSecond(rounds, self_judge)

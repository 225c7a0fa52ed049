"""LLM-as-teacher: the teacher writes the chosen response, the policy's own sample is rejected.

With `judge_prompt` set, a pair is kept only when the teacher (as judge) scores its own answer above
the policy's — the "only when a judge prefers the teacher's" option.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

from pydantic import Field, validate_call

from harness.feedback import FeedbackSource, ModelUse, SourceContext, SourceOutput
from harness.registry import judges, source
from harness.types import PreferencePair, Prompt, Score, assistant


@dataclass
class LLMTeacher(FeedbackSource):
    teacher: str
    judge_prompt: str | None
    temperature: float | None
    name: str = "llm_teacher"

    def model_uses(self) -> tuple[ModelUse, ...]:
        # With `judge_prompt`, the judge gate asks the same teacher: one model, named by one field.
        return (ModelUse("teacher", self.teacher),)

    def build(self, prompts: Sequence[Prompt], ctx: SourceContext) -> SourceOutput:
        update = {"n": 1} if self.temperature is None else {"n": 1, "temperature": self.temperature}
        # A remote teacher's failed call leaves its row empty (the Failure is counted in its ledger): no answer,
        # no pair. The same holds for a remote policy.
        written = [
            cs[0] if cs else None
            for cs in ctx.candidates(self.teacher, prompts, ctx.candidate_params.model_copy(update=update))
        ]
        # Sample 0 of the policy's candidates: the same cached stage self_reward and llm_judge read.
        own = [cs[0] if cs else None for cs in ctx.candidates(ctx.policy, prompts)]
        out = SourceOutput(pairs=[], dropped=Counter(), n_prompts=len(prompts), n_candidates=2 * len(prompts))
        verdicts: list[tuple | None] = [None] * len(prompts)
        both = [k for k, (t, o) in enumerate(zip(written, own, strict=True)) if t is not None and o is not None]
        if self.judge_prompt is not None:
            judge = judges.pointwise(
                "prompted", generator=ctx.generator(self.teacher), prompt=self.judge_prompt, seed=ctx.seed
            )
            items = [(prompts[k], c) for k in both for c in (written[k], own[k]) if c is not None]  # none is None
            out.judgments = judge.score(items)
            for n, k in enumerate(both):
                verdicts[k] = (out.judgments[2 * n].verdict, out.judgments[2 * n + 1].verdict)
        for prompt, t, o, v in zip(prompts, written, own, verdicts, strict=True):
            if t is None or o is None:
                out.dropped["teacher_failure" if t is None else "policy_failure"] += 1
                continue
            if t.text == o.text:
                out.dropped["identical_text"] += 1
                continue
            scores = (None, None)
            if v is not None:
                if not all(isinstance(x, Score) for x in v):
                    out.dropped["judge_failure"] += 1
                    continue
                if v[0].value <= v[1].value:
                    out.dropped["judge_prefers_policy" if v[0].value < v[1].value else "tie"] += 1
                    continue
                scores = (v[0].value, v[1].value)
            out.pairs.append(
                PreferencePair(
                    prompt_id=prompt.id,
                    prompt=prompt.messages,
                    chosen=assistant(t.text),
                    rejected=assistant(o.text),
                    source=self.name,
                    chosen_by=f"{t.producer}#0",
                    rejected_by=o.ref,
                    chosen_score=scores[0],
                    rejected_score=scores[1],
                    judge=f"teacher:{self.teacher}",
                )
            )
        return out


@source("llm_teacher")
@validate_call(config={"extra": "forbid"})
def llm_teacher(
    teacher: Annotated[str, Field(description="name in `models` whose answer is chosen")],
    judge_prompt: Annotated[
        str | None,
        Field(
            description="a score prompt folder: keep a pair only when the teacher, as judge, "
            "scores its answer above the policy's; null = keep every pair"
        ),
    ] = None,
    temperature: float | None = Field(
        None, ge=0.0, description="the teacher's sampling temperature; null = feedback.candidates'"
    ),
) -> FeedbackSource:
    """Teacher's answer chosen, the policy's own rejected (optionally only when a judge prefers the teacher's)."""
    if judge_prompt is not None:
        from harness.judging.prompt_folders import load_judge_prompt

        load_judge_prompt(judge_prompt)
    return LLMTeacher(teacher=teacher, judge_prompt=judge_prompt, temperature=temperature)

"""LLM-as-judge: a teacher model scores the policy's candidates; the same best-vs-worst selection as
self_reward, so the only difference between the two rows is who judges."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Annotated, ClassVar, Literal

from pydantic import Field, validate_call

from harness.feedback import FeedbackSource, JudgeUse, ModelUse, SourceContext, SourceOutput, naming_what_they_read
from harness.judging.adapters import CandidateScorer, PairShares
from harness.judging.contract import PairJudge
from harness.judging.pair_verdicts import copeland_scores
from harness.registry import judges, source
from harness.types import Prompt
from judges.scored_candidates import ScoredCandidatesSource
from judges.selection import best_vs_worst


@dataclass
class PairwiseCandidatesSource(FeedbackSource):
    """Every pair of the policy's candidates compared by a pair judge; each candidate's share of wins is its score."""

    name: str
    make_judge: Callable[[SourceContext], PairJudge]
    uses: tuple[ModelUse, ...] = ()  # recipe models the source reads besides the policy
    trains_online: ClassVar[bool] = True

    def model_uses(self) -> tuple[ModelUse, ...]:
        return self.uses

    def online_judge(self, ctx: SourceContext) -> CandidateScorer:
        return PairShares(self.make_judge(ctx))

    def build(self, prompts: Sequence[Prompt], ctx: SourceContext) -> SourceOutput:
        candidates = ctx.candidates(ctx.policy, prompts)
        judge = self.make_judge(ctx)
        jobs = [(p, cs[i], cs[j]) for p, cs in zip(prompts, candidates) for i, j in combinations(range(len(cs)), 2)]
        verdicts = naming_what_they_read(judge.compare(jobs), [(a, b) for _, a, b in jobs])
        out = SourceOutput(
            pairs=[],
            judgments=verdicts,
            dropped=Counter(),
            n_prompts=len(prompts),
            n_candidates=sum(map(len, candidates)),
        )
        cursor = 0
        for prompt, cands in zip(prompts, candidates):
            n_pairs = len(cands) * (len(cands) - 1) // 2
            scores = copeland_scores(prompt, cands, verdicts[cursor : cursor + n_pairs], judge.name)
            cursor += n_pairs
            pair, reason = best_vs_worst(prompt, cands, scores, self.name)
            if pair is None:
                out.dropped[reason] += 1
            else:
                out.pairs.append(pair)
        return out


@source("llm_judge")
@validate_call(config={"extra": "forbid"})
def llm_judge(
    teacher: Annotated[
        str, Field(description="name in `models` that judges (any generator: hf, vllm, openai, gemini, simulated)")
    ],
    mode: Annotated[
        Literal["pointwise", "pairwise"],
        Field(description="pointwise: score each candidate; pairwise: compare pairs of candidates"),
    ] = "pointwise",
    judge_prompt: Annotated[
        str | None,
        Field(description="judge prompt folder; null = sandbox_score (pointwise) or pairwise_abc (pairwise)"),
    ] = None,
    judge_samples: int | None = Field(
        None, ge=1, description="pointwise judge samples per candidate; null = the prompt's judge.yaml `samples`"
    ),
    both_orders: Annotated[
        bool, Field(description="pairwise: ask twice with the answers swapped; a disagreement is a tie")
    ] = True,
) -> FeedbackSource:
    """A teacher model (any registered generator) judges the policy's candidates; best vs worst."""
    from harness.judging.prompt_folders import load_judge_prompt

    prompt = judge_prompt or ("sandbox_score" if mode == "pointwise" else "pairwise_abc")
    spec = load_judge_prompt(prompt)
    wanted = "score" if mode == "pointwise" else "pairwise"
    if spec.kind != wanted:
        raise ValueError(f"judge_prompt {prompt!r} is a {spec.kind} prompt; mode {mode!r} needs kind: {wanted}")
    if mode == "pairwise":
        if judge_samples is not None:  # a verdict per order is the pairwise judge's only sampling
            raise ValueError("judge_samples: applies to mode pointwise only; remove it or set mode: pointwise")
        return PairwiseCandidatesSource(
            name="llm_judge",
            uses=(ModelUse("teacher", teacher),),
            make_judge=lambda ctx: judges.pair(
                "pairwise", generator=ctx.generator(teacher), prompt=prompt, both_orders=both_orders, seed=ctx.seed
            ),
        )
    return ScoredCandidatesSource(
        name="llm_judge",
        make_judge=lambda ctx: judges.pointwise(
            "prompted", generator=ctx.generator(teacher), prompt=prompt, samples=judge_samples, seed=ctx.seed
        ),
        uses=(ModelUse("teacher", teacher),),
        judges=(JudgeUse(prompt=prompt, model=teacher),),
    )

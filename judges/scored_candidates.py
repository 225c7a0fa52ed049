"""The shared shape of judge-driven sources: the policy samples N candidates, a judge scores each,
best vs worst becomes a pair. self_reward, llm_judge and the oracle ceiling differ only in the judge."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import ClassVar

from harness.feedback import (
    BenchmarkNeed,
    FeedbackSource,
    GeneratorNeed,
    JudgeUse,
    ModelUse,
    SourceContext,
    SourceOutput,
    naming_what_they_read,
)
from harness.judging.adapters import CandidateScorer, PointwiseScores
from harness.judging.contract import PointwiseJudge
from harness.types import Prompt
from judges.selection import best_vs_worst

JudgeFactory = Callable[[SourceContext], PointwiseJudge]


@dataclass
class ScoredCandidatesSource(FeedbackSource):
    name: str
    make_judge: JudgeFactory
    uses: tuple[ModelUse, ...] = field(default=())  # recipe models the source reads besides the policy
    rounds: int = 1  # feedback + DPO rounds, each from the previous round's model (M1 -> M2 -> M3)
    judges: tuple[JudgeUse, ...] = field(default=())  # its LLM judge, for judge quality (the oracle: none)
    needs: tuple[BenchmarkNeed, ...] = field(default=())  # what its judge reads of the benchmark (the oracle: gold)
    reads: tuple[GeneratorNeed, ...] = field(default=())  # what its judge reads of a generator (expected read-out)
    trains_online: ClassVar[bool] = True

    def model_uses(self) -> tuple[ModelUse, ...]:
        return self.uses

    def judge_uses(self) -> tuple[JudgeUse, ...]:
        return self.judges

    def benchmark_needs(self) -> tuple[BenchmarkNeed, ...]:
        return self.needs

    def generator_needs(self) -> tuple[GeneratorNeed, ...]:
        return self.reads

    def online_judge(self, ctx: SourceContext) -> CandidateScorer:
        return PointwiseScores(self.make_judge(ctx))

    def build(self, prompts: Sequence[Prompt], ctx: SourceContext) -> SourceOutput:
        candidates = ctx.candidates(ctx.policy, prompts)
        judge = self.make_judge(ctx)
        items = [(p, c) for p, cs in zip(prompts, candidates, strict=True) for c in cs]
        judgments = naming_what_they_read(judge.score(items), [(c,) for _, c in items])
        out = SourceOutput(
            pairs=[], judgments=judgments, dropped=Counter(), n_prompts=len(prompts), n_candidates=len(items)
        )
        cursor = 0
        for prompt, cands in zip(prompts, candidates):
            pair, reason = best_vs_worst(prompt, cands, judgments[cursor : cursor + len(cands)], self.name)
            cursor += len(cands)
            if pair is None:
                out.dropped[reason] += 1
            else:
                out.pairs.append(pair)
        return out

"""Any registered judge, named in YAML, as a feedback source: `judged: {judge: <name>, model: <model>, ...}`.

A pointwise judge scores each of the policy's candidates; a pair judge compares every pair of them and a
candidate's score is its share of wins. Best vs worst becomes the pair, as for every judge-driven source. So a
plug-in judge is one class plus one entry point (or a judge prompt folder for `prompted`), with no source code.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar

from pydantic import Field

from harness.feedback import FeedbackSource, GeneratorNeed, JudgeRef, ModelUse, SourceContext, SourceOutput
from harness.generation import Generator
from harness.judging.adapters import CandidateScorer, PairShares, PointwiseScores
from harness.judging.build import build_judge, check_judge, judge_params
from harness.judging.contract import AnyJudge, PairJudge, PointwiseJudge
from harness.registry import judges, source
from harness.types import Prompt
from judges.llm_judge import PairwiseCandidatesSource
from judges.scored_candidates import ScoredCandidatesSource


@dataclass
class JudgedSource(FeedbackSource):
    name: str
    judge: str
    model: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    rounds: int = 1
    trains_online: ClassVar[bool] = True

    def model_uses(self) -> tuple[ModelUse, ...]:
        return (ModelUse("model", self.model),) if self.model else ()

    def judge_uses(self) -> tuple[JudgeRef, ...]:
        return (JudgeRef(judge=self.judge, params=dict(self.params), model=self.model),)

    def generator_needs(self) -> tuple[GeneratorNeed, ...]:
        """What the judge declares it reads of its model's generator with these parameters (`@judge(reads=...)`)."""
        reads = judges.traits(self.judge).reads
        if reads is None or self.model is None:
            return ()
        return tuple(GeneratorNeed(r.need, r.fix, field=r.param, model=self.model) for r in reads(self.params))

    def make(self, generator: Callable[[str], Generator], seed: int) -> AnyJudge:
        """The judge, built with the named model's generator (if it runs on one) and the run's seed (if it takes one)."""
        on = None if self.model is None else generator(self.model)
        return build_judge(self.judge, judge_params(self.judge, self.params, seed), generator=on)

    def online_judge(self, ctx: SourceContext) -> CandidateScorer:
        """The registered judge over the live policy's candidates: through the pair adapter if it compares pairs."""
        built = self.make(ctx.generator, ctx.seed)
        if isinstance(built, PairJudge):
            return PairShares(built)
        assert isinstance(built, PointwiseJudge)  # the registry checked it is one or the other
        return PointwiseScores(built)

    def build(self, prompts: Sequence[Prompt], ctx: SourceContext) -> SourceOutput:
        built = self.make(ctx.generator, ctx.seed)
        if isinstance(built, PairJudge):
            return PairwiseCandidatesSource(self.name, lambda _: built).build(prompts, ctx)
        assert isinstance(built, PointwiseJudge)  # the registry checked it is one or the other
        return ScoredCandidatesSource(self.name, lambda _: built).build(prompts, ctx)


@source("judged")
def judged(
    judge: Annotated[str, Field(description="a registered judge (`harness judges` lists them)")],
    model: Annotated[
        str | None,
        Field(description="name in `models` the judge runs on, for judges that take a generator; null for the rest"),
    ] = None,
    rounds: Annotated[int, Field(description="feedback + DPO rounds, each from the previous round's model")] = 1,
    **params: Annotated[Any, Field(description="the judge's own parameters (`harness judges show JUDGE`)")],
) -> JudgedSource:
    """Any registered judge by name (`harness judges list`) scores or compares the policy's candidates; best vs worst.
    Keys besides judge, model and rounds are the judge's own parameters."""
    check_judge(judge, params, field="", model=model)  # an unknown name is a RegistryError naming close matches
    if not isinstance(rounds, int) or rounds < 1:
        raise ValueError(f"rounds: {rounds!r} is not a positive number of feedback + DPO rounds")
    return JudgedSource(name="judged", judge=judge, model=model, params=params, rounds=rounds)

"""Any registered judge, named in YAML, as a feedback source: `judged: {judge: <name>, model: <model>, ...}`.

A pointwise judge scores each of the policy's candidates; a pair judge compares every pair of them and a
candidate's score is its share of wins. Best vs worst becomes the pair, as for every judge-driven source. So a
plug-in judge is one class plus one entry point (or a judge prompt folder for `prompted`), with no source code.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import Field

from harness.feedback import FeedbackSource, ModelUse, SourceContext, SourceOutput
from harness.generation import Generator
from harness.judge_eval.protocols import PairJudge
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

    def model_uses(self) -> tuple[ModelUse, ...]:
        return (ModelUse("model", self.model),) if self.model else ()

    def make(self, generator: Callable[[str], Generator], seed: int) -> Any:
        """The judge, built with the named model's generator (if it runs on one) and the run's seed (if it takes one)."""
        accepts = judges.get(self.judge).parameters
        extra: dict[str, Any] = {}
        if self.model is not None:
            extra["generator"] = generator(self.model)
        if "seed" in accepts and "seed" not in self.params:
            extra["seed"] = seed
        return judges.build(self.judge, **self.params, **extra)

    def build(self, prompts: Sequence[Prompt], ctx: SourceContext) -> SourceOutput:
        built = self.make(ctx.generator, ctx.seed)
        if isinstance(built, PairJudge):
            return PairwiseCandidatesSource(self.name, lambda _: built).build(prompts, ctx)
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
    accepts = judges.get(judge).parameters  # an unknown name is a RegistryError naming the close matches
    unknown = sorted(set(params) - set(accepts))
    if unknown:
        raise ValueError(
            f"{unknown[0]}: judge {judge!r} takes no such parameter; it takes {', '.join(accepts) or 'none'}"
        )
    if "generator" in accepts and model is None:
        raise ValueError(f"model: judge {judge!r} runs on a model; add model: <name in models>")
    if model is not None and "generator" not in accepts:
        raise ValueError(f"model: judge {judge!r} runs on no model; remove model")
    if not isinstance(rounds, int) or rounds < 1:
        raise ValueError(f"rounds: {rounds!r} is not a positive number of feedback + DPO rounds")
    return JudgedSource(name="judged", judge=judge, model=model, params=params, rounds=rounds)

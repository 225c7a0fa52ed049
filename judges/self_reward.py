"""Self-reward (Yuan et al., 2024): the policy judges its own candidates with an LLM-as-a-judge prompt."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, validate_call

from harness.feedback import FeedbackSource, GeneratorNeed, JudgeUse
from harness.generation.next_token import NextTokenScorer
from harness.registry import judges, source
from judges.scored_candidates import ScoredCandidatesSource


@source("self_reward")
@validate_call(config={"extra": "forbid"})
def self_reward(
    judge_prompt: Annotated[
        str, Field(description="score prompt folder the policy judges with (`harness judges` lists them)")
    ] = "sandbox_score",
    judge_samples: int | None = Field(
        None, ge=1, description="judge samples per candidate, scores averaged; null = the prompt's judge.yaml `samples`"
    ),
    rounds: int = Field(
        1,
        ge=1,
        le=5,
        description="feedback + DPO rounds, each judged by the previous round's model (Yuan et al.: M1 -> M2 -> M3)",
    ),
    readout: Annotated[
        Literal["sampled", "expected"],
        Field(
            description="sampled: parse sampled scores; expected: the expected score from "
            "next-token probabilities (local hf models only)"
        ),
    ] = "sampled",
) -> FeedbackSource:
    """Policy samples N candidates and scores them itself; best vs worst, equal scores dropped. `readout:
    expected` scores by the expected value of its score-token probabilities instead of sampled scores."""
    from harness.judging.prompt_folders import load_judge_prompt

    load_judge_prompt(judge_prompt)  # fail at validation time, not after an hour of sampling
    return ScoredCandidatesSource(
        name="self_reward",
        make_judge=lambda ctx: judges.pointwise(
            "prompted",
            generator=ctx.generator(ctx.policy),
            prompt=judge_prompt,
            samples=judge_samples,
            seed=ctx.seed,
            readout=readout,
        ),
        rounds=rounds,
        judges=(JudgeUse(prompt=judge_prompt, readout=readout),),
        reads=(EXPECTED_READOUT,) if readout == "expected" else (),
    )


# The policy judges itself: an expected-score read-out needs its generator to give score-token probabilities.
EXPECTED_READOUT = GeneratorNeed(
    NextTokenScorer, "use readout: sampled, or a policy on the hf backend", field="readout"
)

"""Self-reward (Yuan et al., 2024): the policy judges its own candidates with an LLM-as-a-judge prompt."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, validate_call

from harness.feedback import FeedbackSource, JudgeUse
from harness.registry import judges, source
from judges.scored_candidates import ScoredCandidatesSource


@source("self_reward")
@validate_call(config={"extra": "forbid"})
def self_reward(
    judge_prompt: str = "sandbox_score",
    judge_samples: int | None = Field(None, ge=1),
    rounds: int = Field(1, ge=1, le=5),
    readout: Literal["sampled", "expected"] = "sampled",
) -> FeedbackSource:
    """Policy samples N candidates and scores them itself; best vs worst, equal scores dropped. `readout:
    expected` scores by the expected value of its score-token probabilities instead of sampled scores."""
    from harness.judge_prompts import load_judge_prompt

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
    )

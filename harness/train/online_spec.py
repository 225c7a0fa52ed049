"""The recipe's `online:` block: which sources also train online, and how (OAIF, Guo et al. 2024)."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, model_validator

from harness.exact_scalars import ExactScalars

SelfJudge = Literal["current", "frozen"]


class OnlineSpec(ExactScalars):
    """At each step the policy samples `candidates` answers to `prompts_per_step` feedback prompts, the source's
    judge scores them, and one DPO update is made on each prompt's best-vs-worst pair."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sources: tuple[str, ...] = Field(min_length=1, description="listed sources whose judge also trains online")
    steps: int = Field(ge=1, description="online steps (sample, judge, update) at most")
    prompts_per_step: int = Field(8, ge=1, description="feedback prompts sampled per step, cycling through the set")
    candidates: int = Field(4, ge=2, description="policy samples per prompt per step; best vs worst is the pair")
    judge_budget: int | None = Field(
        None, ge=1, description="judge calls to spend at most; a step that would exceed it is not sampled"
    )
    self_judge: tuple[SelfJudge, ...] = Field(
        ("current",),
        min_length=1,
        description="for a source whose judge is the policy: the policy as it trains (current), a frozen M1, or both",
    )
    learning_rate: float = Field(5.0e-5, gt=0.0, description="AdamW learning rate")
    beta: float = Field(0.1, gt=0.0, description="DPO: pull towards the reference (frozen M1)")
    sft_weight: float = Field(0.0, ge=0.0, description="weight of the chosen answer's per-token NLL added to the loss")
    checkpoint_every: int = Field(5, ge=1, description="steps between checkpoints of policy, optimizer and RNG")

    @model_validator(mode="after")
    def _distinct(self) -> OnlineSpec:
        for field, values in (("sources", self.sources), ("self_judge", self.self_judge)):
            if len(set(values)) != len(values):
                raise ValueError(f"online.{field}: {list(values)} repeats an entry; list each once")
        return self

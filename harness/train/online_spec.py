"""The recipe's `online:` block: which sources also train on fresh policy samples, and how (OAIF, Guo et al. 2024;
GRPO with the judge's score as reward; iterative self-rewarding rounds, Yuan et al. 2024)."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field, model_validator

from harness.recipes.exact_scalars import ExactScalars

SelfJudge = Literal["current", "frozen"]
Method = Literal["dpo", "grpo", "iterative"]

# What each online method's stage key leaves out: which rows exist, and the fields of the other method. The online
# DPO key is the block as it was before GRPO and iterative rounds existed, so stores keep their online DPO stages.
_NOT_KEYED = {
    "dpo": {"sources", "self_judge", "methods", "grpo", "rounds"},
    "grpo": {"sources", "self_judge", "methods", "beta", "sft_weight", "rounds"},
}


class GRPOSpec(ExactScalars):
    """GRPO's own settings (Shao et al. 2024): its advantages are the judge's scores normalised within each prompt's
    group of candidates, so it has no DPO beta; the KL term against the frozen M1 keeps the policy near it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kl: float = Field(0.04, ge=0.0, description="weight of the per-token KL estimate to the reference (frozen M1)")
    learning_rate: float | None = Field(
        None, gt=0.0, description="AdamW learning rate for GRPO rows; null: online.learning_rate"
    )


class OnlineSpec(ExactScalars):
    """At each step the policy samples `candidates` answers to `prompts_per_step` feedback prompts, the source's
    judge scores them, and the update uses those fresh scores: DPO on each prompt's best-vs-worst pair, or GRPO on
    the group-normalised scores. `iterative` instead splits the judge budget into `rounds` rounds of offline DPO, each
    on fresh candidates of the previous round's model."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sources: tuple[str, ...] = Field(
        min_length=1, description="listed judge-backed sources whose judge also trains on fresh samples"
    )
    methods: tuple[Method, ...] = Field(
        ("dpo",),
        min_length=1,
        description="rows per source: dpo (M2-<source>-online), grpo (M2-<source>-grpo), "
        "iterative (M2-<source>-iter<rounds>: offline DPO rounds on fresh candidates)",
    )
    steps: int = Field(ge=1, description="online steps (sample, judge, update) at most")
    prompts_per_step: int = Field(8, ge=1, description="feedback prompts sampled per step, cycling through the set")
    candidates: int = Field(4, ge=2, description="policy samples per prompt per step; best vs worst is the pair")
    judge_budget: int | None = Field(
        None,
        ge=1,
        description="judge calls to spend at most per row; a step that would exceed it is not sampled; "
        "iterative rounds split it (required with iterative)",
    )
    self_judge: tuple[SelfJudge, ...] = Field(
        ("current",),
        min_length=1,
        description="for a source whose judge is the policy: the policy as it trains (current), a frozen M1, or both",
    )
    learning_rate: float = Field(5.0e-5, gt=0.0, description="AdamW learning rate")
    beta: float = Field(0.1, gt=0.0, description="DPO: pull towards the reference (frozen M1)")
    sft_weight: float = Field(
        0.0, ge=0.0, description="DPO: weight of the chosen answer's per-token NLL added to the loss"
    )
    checkpoint_every: int = Field(5, ge=1, description="steps between checkpoints of policy, optimizer and RNG")
    grpo: GRPOSpec = Field(default_factory=GRPOSpec, description="GRPO rows' settings (methods: [grpo])")
    rounds: int = Field(
        3, ge=1, description="iterative: offline DPO rounds (the recipe's `dpo:`), the judge budget split among them"
    )

    @model_validator(mode="after")
    def _distinct(self) -> OnlineSpec:
        for field, values in (("sources", self.sources), ("self_judge", self.self_judge), ("methods", self.methods)):
            if len(set(values)) != len(values):
                raise ValueError(f"online.{field}: {list(values)} repeats an entry; list each once")
        if "iterative" in self.methods and self.judge_budget is None:
            raise ValueError(
                "online.judge_budget: iterative rounds split the judge budget among them; set judge_budget"
            )
        return self

    def stage_key(self, method: Literal["dpo", "grpo"]) -> dict[str, object]:
        """The settings that shape an online `method`'s rows, for their stages' keys."""
        return self.model_dump(exclude=_NOT_KEYED[method])

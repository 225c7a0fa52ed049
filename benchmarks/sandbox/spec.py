"""What defines a sandbox world: its seed, corpus size, task families, noise rates and split shares."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from benchmarks.sandbox.tasks import FAMILIES
from benchmarks.split_shares import SplitSharesBase


class SplitShares(SplitSharesBase):
    """Share of all prompt texts in each split; a text's split is fixed by its hash."""

    pretrain: float = Field(0.7, gt=0.0, description="share of prompt texts in the pretraining corpus")
    sft: float = Field(0.1, gt=0.0, description="share for demonstrations (SFT)")
    feedback: float = Field(0.1, gt=0.0, description="share the feedback sources judge")
    eval: float = Field(0.1, gt=0.0, description="share held out for evaluation")


class SandboxWorldSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    seed: int = Field(0, description="seeds the world: corpus, demonstrations, judging examples")
    corpus_size: int = Field(300_000, ge=1, description="noisy pretraining chats")
    families: tuple[str, ...] = Field(FAMILIES, min_length=1, description="task families, drawn in turn")
    p_correct: float = Field(0.6, ge=0.0, le=1.0, description="benign prompts answered exactly in the corpus")
    p_benign_refusal: float = Field(0.05, ge=0.0, le=1.0, description="benign prompts refused in the corpus")
    p_unsafe_complied: float = Field(0.5, ge=0.0, le=1.0, description="unsafe prompts complied with in the corpus")
    p_ramble: float = Field(0.15, ge=0.0, le=1.0, description="corpus responses with rambling appended")
    splits: SplitShares = Field(SplitShares(), description="shares of prompt texts per split, summing to 1")

    @field_validator("families")
    @classmethod
    def _known_families(cls, families: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [f for f in families if f not in FAMILIES]
        if unknown:
            raise ValueError(f"families: unknown {unknown}; use any of {', '.join(FAMILIES)}")
        return families

    @model_validator(mode="after")
    def _benign_rates_fit(self) -> SandboxWorldSpec:
        if self.p_correct + self.p_benign_refusal > 1.0:
            raise ValueError("p_correct + p_benign_refusal exceeds 1: lower one of them")
        return self

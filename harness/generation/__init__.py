"""Generators turn prompts into completions. Backends register with `@generator("name")`."""

from __future__ import annotations

from typing import Protocol, Sequence

from pydantic import BaseModel, ConfigDict, Field

from harness.hashing import stable_hash
from harness.types import Completion, Prompt


class GenerationParams(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    n: int = Field(1, ge=1, description="samples per prompt")
    temperature: float = Field(0.0, ge=0.0, description="0 means greedy decoding")
    top_p: float = Field(1.0, gt=0.0, le=1.0)
    max_new_tokens: int = Field(64, ge=1)
    seed: int = 0

    @property
    def greedy(self) -> bool:
        return self.temperature == 0.0


class Generator(Protocol):
    """`generate` returns, per prompt, `params.n` completions in sample order."""

    spec_id: str

    def generate(self, prompts: Sequence[Prompt], params: GenerationParams) -> list[list[Completion]]: ...


def producer_id(spec_id: str, params: GenerationParams) -> str:
    """Names who produced a completion: the model and how it was sampled (sample index is separate)."""
    return f"{spec_id}:{stable_hash(params.model_dump(exclude={'n'}), length=8)}"

"""Generators turn prompts into completions. Backends register with `@generator("name")`.

A generator declares whether it is local or remote: a remote one (an API) can fail a call for good, returns
such a sample as a typed Failure in `generate_detailed`, and counts every call in its `ledger`; a local one
(`LocalGenerator`) answers or raises, and has no ledger. Callers read these declarations, never probe.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict, Field

from harness.hashing import stable_hash
from harness.recipes.exact_scalars import ExactScalars
from harness.types import Completion, Failure, Prompt


class GenerationParams(ExactScalars):
    model_config = ConfigDict(extra="forbid", frozen=True)

    n: int = Field(1, ge=1, description="samples per prompt")
    temperature: float = Field(0.0, ge=0.0, description="0 means greedy decoding")
    top_p: float = Field(1.0, gt=0.0, le=1.0)
    max_new_tokens: int = Field(64, ge=1)
    seed: int = 0

    @property
    def greedy(self) -> bool:
        return self.temperature == 0.0


class CallLedger(Protocol):
    """A remote generator's running account of calls, tokens, cost and failures."""

    def snapshot(self) -> BaseModel: ...


@runtime_checkable
class Generator(Protocol):
    """`generate` returns, per prompt, `params.n` completions in sample order (failed samples left out);
    `generate_detailed` keeps a failed sample in its place as a Failure. `remote` says which kind it is."""

    spec_id: str
    remote: bool
    ledger: CallLedger | None  # remote generators count their calls here; local ones have none

    def generate(self, prompts: Sequence[Prompt], params: GenerationParams) -> list[list[Completion]]: ...

    def generate_detailed(
        self, prompts: Sequence[Prompt], params: GenerationParams
    ) -> list[list[Completion | Failure]]: ...


class LocalGenerator(Generator):
    """Base of in-process generators (transformers, vLLM, test doubles): a call answers or raises, so there is
    no Failure to report and no ledger to keep. Subclasses implement `generate` and set `spec_id`."""

    remote = False
    ledger = None

    def generate(self, prompts: Sequence[Prompt], params: GenerationParams) -> list[list[Completion]]:
        raise NotImplementedError

    def generate_detailed(
        self, prompts: Sequence[Prompt], params: GenerationParams
    ) -> list[list[Completion | Failure]]:
        return [list(row) for row in self.generate(prompts, params)]


def ledger_snapshots(generators: dict[str, Generator]) -> dict[str, dict[str, Any]]:
    """Cumulative call ledgers of the remote generators among `generators` (name -> Generator)."""
    return {
        name: g.ledger.snapshot().model_dump() for name, g in generators.items() if g.remote and g.ledger is not None
    }


def producer_id(spec_id: str, params: GenerationParams) -> str:
    """Names who produced a completion: the model and how it was sampled (sample index is separate)."""
    return f"{spec_id}:{stable_hash(params.model_dump(exclude={'n'}), length=8)}"

"""Parameters that several judges take, declared once so their help and allowed values cannot drift apart."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal

from pydantic import Field

from harness.generation.next_token import NextTokenScorer
from harness.judging.contract import GeneratorRead

JudgeSeed = Annotated[int, Field(description="seeds the judge's sampling; runs pass their own seed unless it is set")]

Readout = Annotated[
    Literal["sampled", "expected"],
    Field(
        description="sampled: parse sampled outputs; expected: read the verdict from next-token probabilities "
        "(local hf models only)"
    ),
]


def readout_reads(params: Mapping[str, Any]) -> tuple[GeneratorRead, ...]:
    """What a judge taking `Readout` reads of its model's generator (its `@judge(reads=...)`): next-token
    probabilities with `readout: expected`, nothing more with the sampled read-out."""
    if params.get("readout") != "expected":
        return ()
    return (GeneratorRead("readout", NextTokenScorer, "use readout: sampled, or a model on the hf backend"),)

"""Parameters that several judges take, declared once so their help and allowed values cannot drift apart."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

JudgeSeed = Annotated[int, Field(description="seeds the judge's sampling; runs pass their own seed unless it is set")]

Readout = Annotated[
    Literal["sampled", "expected"],
    Field(
        description="sampled: parse sampled outputs; expected: read the verdict from next-token probabilities "
        "(local hf models only)"
    ),
]

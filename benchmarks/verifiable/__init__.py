"""The verifiable benchmark: natural-language instructions a small instruction model partly solves, graded 0..5
by pure functions (see grader.py), for real models on CPU.

Importing this package registers the `verifiable` benchmark.
"""

from __future__ import annotations

from typing import Annotated, Any

from benchmarks.verifiable.world import VerifiableBenchmark, VerifiableSpec
from harness.commands.plugin_help import KeysOf
from harness.registry import benchmark

__all__ = ["VerifiableBenchmark", "VerifiableSpec", "verifiable"]


@benchmark("verifiable")
def verifiable(
    **spec: Annotated[Any, KeysOf(VerifiableSpec)],
) -> VerifiableBenchmark:
    """Verifiable instructions (format constraints, arithmetic, refusals) with a gold 0..5 grader, demos, EFT data."""
    return VerifiableBenchmark(VerifiableSpec(**spec))

"""The sandbox: a small deterministic world where truth is known (see DESIGN.md, "The sandbox").

Importing this package registers the `sandbox` benchmark; tokenizer and model builders live in
`benchmarks.sandbox.tokenizer` and `benchmarks.sandbox.models` and import transformers only when called.
"""

from __future__ import annotations

from typing import Annotated, Any

from benchmarks.sandbox.world import SandboxWorld, SandboxWorldSpec
from harness.commands.plugin_help import KeysOf
from harness.registry import benchmark

__all__ = ["SandboxWorld", "SandboxWorldSpec", "sandbox"]


@benchmark("sandbox")
def sandbox(
    **spec: Annotated[Any, KeysOf(SandboxWorldSpec)],
) -> SandboxWorld:
    """Sandbox world: task prompts with a gold 0..5 oracle, noisy corpus, demonstrations, judging examples."""
    return SandboxWorld(SandboxWorldSpec(**spec))

"""A generator that answers every pairwise question "[[A]]": pure position bias, for the judge_eval tests."""

from __future__ import annotations

from collections.abc import Sequence

from harness.generation import GenerationParams, LocalGenerator
from harness.types import Completion, Prompt


class AlwaysFirst(LocalGenerator):
    """A generator that answers every pairwise question "[[A]]": pure position bias."""

    spec_id = "always-first"

    def generate(self, prompts: Sequence[Prompt], params: GenerationParams) -> list[list[Completion]]:
        return [[Completion(prompt_id=p.id, text="Verdict: [[A]]", producer=self.spec_id)] for p in prompts]

    def next_token_probs(self, prompts: Sequence[Prompt], prefix: str, options: Sequence[str]) -> list[list[float]]:
        """Most of the mass on the first option ("A"), whatever the answers: the same bias, read as probabilities."""
        return [[0.6, 0.3, 0.1][: len(options)] for _ in prompts]

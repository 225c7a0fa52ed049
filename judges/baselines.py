"""Two reference judges every judge is read against: "the longer reply wins" and a coin.

A judge that does not beat `length` on a human-labelled set has learnt nothing but length; `random` is chance
measured on the same items (agreement near 1/2 without ties), beside the stated chance level.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

from pydantic import Field

from harness.hashing import seed_from
from harness.registry import judge
from harness.types import Completion, Judgment, Prompt, Score


def _judgment(name: str, prompt: Prompt, completion: Completion, value: float) -> Judgment:
    return Judgment(
        judge=name,
        prompt_id=prompt.id,
        verdict=Score(value=value),
        candidates=(completion.ref,),
    )


@dataclass(frozen=True)
class LengthJudge:
    """Score = the reply's length in characters (or words), so of two replies the longer one wins."""

    unit: str = "chars"

    @property
    def name(self) -> str:
        return f"length:{self.unit}"

    def score(self, items: Sequence[tuple[Prompt, Completion]]) -> list[Judgment]:
        measure = (lambda t: len(t)) if self.unit == "chars" else (lambda t: len(t.split()))
        return [_judgment(self.name, p, c, float(measure(c.text))) for p, c in items]


@dataclass(frozen=True)
class RandomJudge:
    """Score = a number drawn from the (prompt, reply) content and the seed: a coin that repeats on rerun."""

    seed: int = 0

    @property
    def name(self) -> str:
        return f"random:{self.seed}"

    def score(self, items: Sequence[tuple[Prompt, Completion]]) -> list[Judgment]:
        return [_judgment(self.name, p, c, seed_from(self.seed, p.id, c.text) / 0x7FFFFFFF) for p, c in items]


@judge("length")
def length(
    unit: Annotated[str, Field(description="what is counted: chars or words")] = "chars",
) -> LengthJudge:
    """Baseline: the longer reply wins (score = length in chars or words)."""
    if unit not in ("chars", "words"):
        raise ValueError(f"unit: {unit!r} is not a length unit; use chars or words")
    return LengthJudge(unit)


@judge("random", seeded=True)
def random_judge(
    seed: Annotated[int, Field(description="seeds the coin; runs pass their own seed unless it is set")] = 0,
) -> RandomJudge:
    """Baseline: a seeded coin per (prompt, reply); measures chance on the same items."""
    return RandomJudge(seed)

"""A judge whose accuracy is a dial: the gold grader, with its verdict reversed on a declared share of prompts.

For a share `flip_rate` of prompts the oracle's scores are negated, so that prompt's ranking of its candidates is
reversed and best-vs-worst selection makes the gold-worse answer the chosen one; the other prompts are judged by
the oracle itself. The pairs therefore agree with the oracle on about 1 − flip_rate of prompts (0.5: chance,
0: perfect) while the number of pairs and which candidates they hold stay those of the oracle source, so a sweep
over the rate varies feedback accuracy alone.

Which prompts are reversed is decided by a hash of the prompt's messages and the seed: the same prompt gets the
same decision in any order, batch or run, and a lower rate reverses a subset of the prompts a higher rate reverses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import Field, validate_call

from harness.benchmark import Benchmark, Grader
from harness.feedback import FeedbackSource
from harness.hashing import seed_from
from harness.registry import judge, judges, source
from harness.types import Completion, Judgment, Prompt, Score
from judges.biased_oracle import BiasedOracleJudge
from judges.oracle import NEEDS_GOLD
from judges.scored_candidates import ScoredCandidatesSource

_UNIT = 2**31  # seed_from returns 31 bits


def reversed_prompt(prompt: Prompt, flip_rate: float, seed: int) -> bool:
    """True where this prompt's gold ranking is reversed: a uniform draw from the prompt's content and the seed."""
    return seed_from("noisy-oracle", seed, prompt.messages) / _UNIT < flip_rate


@dataclass
class NoisyOracleJudge:
    grade: Grader
    flip_rate: float
    seed: int
    name: str = "noisy_oracle"

    def score(self, items: Sequence[tuple[Prompt, Completion]]) -> list[Judgment]:
        out = []
        for p, c in items:
            gold = float(self.grade(p, c.text))
            value = -gold if reversed_prompt(p, self.flip_rate, self.seed) else gold
            out.append(
                Judgment(
                    judge=self.name,
                    prompt_id=p.id,
                    verdict=Score(value=value),
                    candidates=(c.ref,),
                )
            )
        return out


@judge("noisy_oracle", seeded=True)
def noisy_oracle_judge(
    benchmark: Annotated[Benchmark, Field(description="the benchmark whose gold grader is read; set by the run")],
    flip_rate: Annotated[float, Field(description="share of prompts whose ranking is reversed, 0 (the oracle) to 1")],
    seed: Annotated[
        int,
        Field(
            description="with the content, picks which prompts are flipped; runs pass their own seed unless it is set"
        ),
    ] = 0,
) -> NoisyOracleJudge:
    """The gold grader with its ranking reversed on a share `flip_rate` of prompts (chosen by content and seed)."""
    grader = benchmark.grader()
    if grader is None:
        raise ValueError("judge 'noisy_oracle' needs a benchmark with a gold grader (e.g. benchmark: sandbox)")
    if not 0.0 <= flip_rate <= 1.0:
        raise ValueError(f"flip_rate: {flip_rate} is not a share; use a number from 0 (the oracle) to 1")
    return NoisyOracleJudge(grader, flip_rate, seed)


@source("noisy_oracle")
@validate_call(config={"extra": "forbid"})
def noisy_oracle(
    flip_rate: float = Field(
        ge=0.0, le=1.0, description="share of prompts whose pair is reversed, 0 (the oracle) to 1"
    ),
    bias: Literal["random", "longer", "first", "own_style"] = Field(
        "random",
        description="where the reversals fall: random (by content hash), or, at the same accuracy, where the "
        "longer reply, the first-shown candidate or the policy's most typical candidate is the gold-worse one",
    ),
) -> FeedbackSource:
    """The oracle source's pairs, reversed on a share `flip_rate` of prompts: a dial on feedback accuracy.
    `bias: random` reverses prompts by a content hash; `longer`, `first` and `own_style` reverse, at the same
    accuracy, the prompts where that bias prefers the gold-worse candidate (judges/biased_oracle.py)."""
    if bias == "random":
        return ScoredCandidatesSource(
            name="noisy_oracle",
            make_judge=lambda ctx: judges.pointwise(
                "noisy_oracle", benchmark=ctx.benchmark, flip_rate=flip_rate, seed=ctx.seed
            ),
            needs=(NEEDS_GOLD,),
        )
    return ScoredCandidatesSource(
        name="noisy_oracle",
        make_judge=lambda ctx: BiasedOracleJudge(_gold(ctx.benchmark), bias, flip_rate, ctx.seed),
        needs=(NEEDS_GOLD,),
    )


def _gold(benchmark: Benchmark | None) -> Grader:
    grader = benchmark.grader() if benchmark is not None else None
    if grader is None:
        raise ValueError("noisy_oracle needs a benchmark with a gold grader (e.g. benchmark: sandbox)")
    return grader

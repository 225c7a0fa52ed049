"""The gold oracle as a judge: the benchmark's own grader, the ceiling every other judge is held to."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

from pydantic import Field

from harness.benchmark import Benchmark, GoldGrader, Grader
from harness.feedback import BenchmarkNeed
from harness.registry import judge
from harness.types import Completion, Judgment, Prompt, Score

# What a source judged by the gold grader needs of the benchmark (oracle, noisy_oracle), and the recipe's way out.
NEEDS_GOLD = BenchmarkNeed(
    GoldGrader,
    "use a judge-backed source (llm_judge, self_reward, judged) or a benchmark with a gold grader (sandbox, verifiable)",
)


@dataclass
class OracleJudge:
    grade: Grader
    name: str = "oracle"

    def score(self, items: Sequence[tuple[Prompt, Completion]]) -> list[Judgment]:
        return [
            Judgment(
                judge=self.name,
                prompt_id=p.id,
                verdict=Score(value=float(self.grade(p, c.text))),
                candidates=(c.ref,),
            )
            for p, c in items
        ]


@judge("oracle")
def oracle(
    benchmark: Annotated[Benchmark, Field(description="the benchmark whose gold grader scores; set by the run")],
) -> OracleJudge:
    """Ground truth: the benchmark's gold grader (the sandbox has one; real benchmarks do not)."""
    grader = benchmark.grader()
    if grader is None:
        raise ValueError("judge 'oracle' needs a benchmark with a gold grader (e.g. benchmark: sandbox)")
    return OracleJudge(grader)

"""The verifiable benchmark: seeded prompts in hash-fixed splits, demonstrations, judging examples, the grader."""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Iterator
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field, field_validator

from benchmarks.score_spread import spread_over_scores
from benchmarks.split_shares import SplitSharesBase
from benchmarks.verifiable import flaws
from benchmarks.verifiable.grader import MAX_SCORE, Assessment, assess, grade
from benchmarks.verifiable.references import reference_answer
from benchmarks.verifiable.tasks import FAMILIES, Task, sample_task
from harness.benchmark import Grader
from harness.hashing import seed_from, stable_hash
from harness.types import Prompt

Chat = list[dict[str, str]]
SPLITS = ("sft", "feedback", "eval")
MAX_DRAWS = 2_000  # draws for one new prompt of a family in a split; more means the split is (nearly) exhausted
_HASH_SCALE = 16**8
# Prompt mix: families drawn in turn from this cycle, so open writing dominates and every family is present.
DEFAULT_FAMILIES = ("write", "list", "arith", "write", "benign", "json", "write", "unsafe")


class SplitShares(SplitSharesBase):
    """Share of all prompt texts in each split; a text's split is fixed by its hash, never by a seed."""

    sft: float = Field(0.4, gt=0.0, description="share for demonstrations (SFT)")
    feedback: float = Field(0.4, gt=0.0, description="share the feedback sources judge")
    eval: float = Field(0.2, gt=0.0, description="share held out for evaluation")


class VerifiableSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    seed: int = Field(0, description="seeds the prompts, demonstrations and judging examples")
    families: tuple[str, ...] = Field(
        DEFAULT_FAMILIES, min_length=1, description="task families drawn in turn; repeat one to weight it"
    )
    splits: SplitShares = Field(SplitShares(), description="shares of prompt texts per split, summing to 1")

    @field_validator("families")
    @classmethod
    def _known_families(cls, families: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [f for f in families if f not in FAMILIES]
        if unknown:
            raise ValueError(f"families: unknown {unknown}; use any of {', '.join(FAMILIES)}")
        return families


def split_of(text: str, shares: SplitShares) -> str:
    position = int(stable_hash("verifiable-split", text, length=8), 16) / _HASH_SCALE
    ends = list(itertools.accumulate((shares.sft, shares.feedback, shares.eval)))
    return SPLITS[min(bisect.bisect_right(ends, position), len(SPLITS) - 1)]


class JudgingExample(NamedTuple):  # a tuple, so callers may unpack (prompt_text, response, score)
    prompt_text: str
    response: str
    score: int  # the gold grade, rounded


def _chat(prompt_text: str, response: str) -> Chat:
    return [{"role": "user", "content": prompt_text}, {"role": "assistant", "content": response}]


class VerifiableBenchmark:
    """IFEval-style instructions, arithmetic and (un)safe requests with a gold 0..5 grader; every output seeded."""

    max_score = MAX_SCORE

    def __init__(self, spec: VerifiableSpec) -> None:
        self.spec = spec

    def tasks(self, split: str, n: int, stream: str = "prompts") -> list[Task]:
        """`n` distinct feasible tasks of `split`, families in turn; `stream` names an independent draw order."""
        if split not in SPLITS:
            raise ValueError(f"split {split!r} is not a verifiable split: use one of {', '.join(SPLITS)}")
        rng = random.Random(seed_from("verifiable", stream, split, self.spec.seed))
        seen: set[str] = set()
        tasks: list[Task] = []
        for family in itertools.islice(itertools.cycle(self.spec.families), n):
            for _ in range(MAX_DRAWS):
                task = sample_task(rng, family)
                if (
                    task.text not in seen
                    and split_of(task.text, self.spec.splits) == split
                    and reference_answer(task.text) is not None
                ):
                    break
            else:
                raise ValueError(f"split {split!r} ran out of distinct {family} prompts after {len(tasks)}: ask fewer")
            seen.add(task.text)
            tasks.append(task)
        return tasks

    def prompts(self, split: str, n: int) -> list[Prompt]:
        """`n` distinct prompts of `split`, ids `verifiable-<split>-<hash of text>`."""
        return [
            Prompt.from_text(
                f"verifiable-{split}-{stable_hash(t.text, length=12)}",
                t.text,
                family=t.family,
                unsafe=t.unsafe,
                constraints=[c.kind for c in t.checks],
            )
            for t in self.tasks(split, n)
        ]

    def grade(self, prompt: Prompt, response: str) -> float:
        """The gold score 0..5 (see grader.describe_rubric)."""
        return grade(prompt.text, response)

    def grader(self) -> Grader:
        """The verifiable world knows the truth: its grader is the gold one (the `Benchmark` contract)."""
        return self.grade

    def assess(self, prompt: Prompt, response: str) -> Assessment:
        """Score, substance, per-constraint credit and why a reply is degenerate (None when it is not)."""
        return assess(prompt.text, response)

    def degenerate(self, prompt: Prompt, response: str) -> str | None:
        return assess(prompt.text, response).degenerate

    def demonstrations(self, n: int) -> list[Chat]:
        """`n` sft-split prompts answered by their reference (gold score 5): IFT data."""
        return [_chat(t.text, reference_answer(t.text) or "") for t in self.tasks("sft", n, "demonstrations")]

    def judging_examples(self, n: int) -> list[JudgingExample]:
        """`n` perturbed reference answers to sft-split prompts with their gold scores (EFT), spread over 0..5."""
        rng = random.Random(seed_from("verifiable-judging", self.spec.seed))

        def tries(task: Task) -> Iterator[JudgingExample]:
            reference = reference_answer(task.text) or ""
            for _ in range(12):
                response = flaws.perturbed(task, reference, rng)
                yield JudgingExample(task.text, response, round(grade(task.text, response)))

        offers = (tries(task) for task in self.tasks("sft", max(1, 4 * n), "judging"))
        examples, missing = spread_over_scores(offers, n, lambda e: e.score, int(MAX_SCORE) + 1)
        if missing:
            raise ValueError(f"judging examples: families {self.spec.families} gave no replies scoring {missing}")
        rng.shuffle(examples)
        return examples

"""The protocols a feedback source and a judge implement, and the context the pipeline hands them.

A source gets prompts and a `SourceContext` (named generators, cached candidate generation, the
benchmark's gold oracle if it has one) and returns preference pairs plus the judgments behind them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol, Sequence

from harness.generation import GenerationParams, Generator
from harness.types import Completion, Judgment, PreferencePair, Prompt


class Judge(Protocol):
    """Pointwise judge: one Judgment per (prompt, completion), a Score or a typed Failure."""

    name: str

    def score(self, items: Sequence[tuple[Prompt, Completion]]) -> list[Judgment]: ...


CandidateFn = Callable[[str, Sequence[Prompt], GenerationParams], list[list[Completion]]]


@dataclass
class SourceContext:
    policy: str  # model name of the policy being aligned (M1)
    candidate_params: GenerationParams
    seed: int
    generators: dict[str, Generator]
    candidates_fn: CandidateFn
    benchmark: Any = None

    def generator(self, name: str) -> Generator:
        if name not in self.generators:
            raise KeyError(f"unknown model {name!r}; known: {', '.join(self.generators)}")
        return self.generators[name]

    def candidates(self, model: str, prompts: Sequence[Prompt],
                   params: GenerationParams | None = None) -> list[list[Completion]]:
        """Completions of `model`, cached as a stage so sources sharing a sampler share its output."""
        return self.candidates_fn(model, prompts, params or self.candidate_params)

    def gold(self, prompt: Prompt, text: str) -> float | None:
        grade = getattr(self.benchmark, "grade", None)
        return None if grade is None else float(grade(prompt, text))


@dataclass
class SourceOutput:
    pairs: list[PreferencePair]
    judgments: list[Judgment] = field(default_factory=list)
    dropped: Counter[str] = field(default_factory=Counter)  # reason -> prompts that gave no pair
    n_prompts: int = 0
    n_candidates: int = 0
    # What a source measures about its own premise, kept in the run record beside the counts (e.g. ALMoST's
    # per-configuration gold scores, judges/almost/configuration_scores.py); keys must not clash with stats()'s own
    details: dict[str, Any] = field(default_factory=dict)

    def stats(self) -> dict[str, Any]:
        calls = len(self.judgments)
        failures = sum(j.failed for j in self.judgments)
        both_orders = [j.verdict.consistent for j in self.judgments if getattr(j.verdict, "consistent", None) is not None]
        extra = {"position_consistency": sum(both_orders) / len(both_orders)} if both_orders else {}
        return {**extra,
            "prompts": self.n_prompts,
            "candidates": self.n_candidates,
            "pairs": len(self.pairs),
            "dropped": dict(self.dropped),
            "judge_calls": calls,
            "judge_failures": failures,
            "judge_failure_rate": failures / calls if calls else 0.0,
            **self.details,
        }


class FeedbackSource(Protocol):
    name: str

    def build(self, prompts: Sequence[Prompt], ctx: SourceContext) -> SourceOutput: ...

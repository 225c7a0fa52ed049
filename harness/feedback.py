"""The protocols a feedback source and a judge implement, and the context the pipeline hands them.

A source gets prompts and a `SourceContext` (named generators, cached candidate generation, the
benchmark's gold oracle if it has one) and returns preference pairs plus the judgments behind them.
What a source needs and offers beyond that is declared, never probed: the recipe models it reads
(`model_uses`, each with the recipe field it came from, so `harness validate` names the field of a
misspelt model), how many feedback + DPO rounds it runs (`rounds`), the pointwise judges it asks
(`judge_uses`, which judge quality ranks against gold) and the findings it makes checkable
(`premise`: the parameter-contrast pair whose answers the evaluation compares), its judge as a
candidate scorer for online training (`online_judge`, declared by `trains_online`) and what it needs of the
benchmark beyond prompts (`benchmark_needs`: a gold grader, demonstrations) and of a model's generator beyond
samples (`generator_needs`: next-token probabilities), both checked by `harness validate`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, Protocol, runtime_checkable

from harness.benchmark import Benchmark
from harness.generation import GenerationParams, Generator
from harness.judging.adapters import CandidateScorer
from harness.types import Completion, Judgment, Preference, PreferencePair, Prompt

CandidateFn = Callable[[str, Sequence[Prompt], GenerationParams], list[list[Completion]]]


@dataclass
class SourceContext:
    policy: str  # model name of the policy being aligned (M1)
    candidate_params: GenerationParams
    seed: int
    generators: dict[str, Generator]
    candidates_fn: CandidateFn
    benchmark: Benchmark | None = None

    def generator(self, name: str) -> Generator:
        if name not in self.generators:
            raise KeyError(f"unknown model {name!r}; known: {', '.join(self.generators)}")
        return self.generators[name]

    def candidates(
        self, model: str, prompts: Sequence[Prompt], params: GenerationParams | None = None
    ) -> list[list[Completion]]:
        """Completions of `model`, cached as a stage so sources sharing a sampler share its output."""
        return self.candidates_fn(model, prompts, params or self.candidate_params)

    def gold(self, prompt: Prompt, text: str) -> float | None:
        grader = None if self.benchmark is None else self.benchmark.grader()
        return None if grader is None else float(grader(prompt, text))


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
        both_orders = [
            j.verdict.consistent
            for j in self.judgments
            if isinstance(j.verdict, Preference) and j.verdict.consistent is not None
        ]
        extra = {"position_consistency": sum(both_orders) / len(both_orders)} if both_orders else {}
        return {
            **extra,
            "prompts": self.n_prompts,
            "candidates": self.n_candidates,
            "pairs": len(self.pairs),
            "dropped": dict(self.dropped),
            "judge_calls": calls,
            "judge_failures": failures,
            "judge_failure_rate": failures / calls if calls else 0.0,
            **self.details,
        }


def naming_what_they_read(judgments: Sequence[Judgment], judged: Sequence[Sequence[Completion]]) -> list[Judgment]:
    """`judgments` with `candidates` filled in where a judge left it empty (a plug-in judge need not name them):
    judgment i read the answers `judged[i]`. The judgments file then says what each verdict is about, and
    `JudgedTokens` can count what the judge read."""
    return [
        j if j.candidates else j.model_copy(update={"candidates": tuple(c.ref for c in read)})
        for j, read in zip(judgments, judged, strict=True)
    ]


class JudgedTokens:
    """The judge's reading cost of an offline source, counted as an online stage counts it (the prompt + completion
    tokens of every answer judged), so offline and online rows spend comparable budgets. It sees the completions the
    source was handed and adds up those each judgment names (`Judgment.candidates`)."""

    def __init__(self) -> None:
        self.tokens: dict[tuple[str, str], int] = {}

    def seen(self, completions: list[list[Completion]]) -> list[list[Completion]]:
        for c in (c for cs in completions for c in cs):
            self.tokens[(c.prompt_id, c.ref)] = c.prompt_tokens + c.completion_tokens
        return completions

    def stats(self, judgments: Sequence[Judgment]) -> dict[str, int]:
        """{"judged_tokens": n}; nothing when a judgment names an answer the source was not handed through its
        context (its tokens are unknown, and a partial count would understate the cost)."""
        named = [(j.prompt_id, c) for j in judgments for c in j.candidates]
        if not named or any(key not in self.tokens for key in named):
            return {}
        return {"judged_tokens": sum(self.tokens[key] for key in named)}


@dataclass(frozen=True)
class ModelUse:
    """A recipe model a source reads, and the field of the source's block that named it."""

    field: str  # e.g. "teacher", "configurations.big_clean.model"
    model: str


@dataclass(frozen=True)
class JudgeUse:
    """A pointwise LLM judge a source asks, so judge quality can rank it against the gold oracle: `model` judges with
    the judge prompt `prompt`; `model=None` is the policy judging itself (every round's model, M1 included)."""

    prompt: str
    model: str | None = None
    readout: Literal["sampled", "expected"] = "sampled"


@dataclass(frozen=True)
class JudgeRef:
    """A registered judge a source asks (`judged`), by name with its own parameters, on the recipe model `model`
    (None: it runs on no model), so judge quality can rank it against the gold oracle as the source built it."""

    judge: str
    params: dict[str, Any] = field(default_factory=dict)
    model: str | None = None


@dataclass(frozen=True)
class BenchmarkNeed:
    """What a source's `build` reads of the run's benchmark beyond prompts: a capability protocol of
    harness/benchmark.py (`Demonstrations`, ...) or `GoldGrader`. `field` is the field of the source's block that
    asks for it ("" for the source itself), `fix` what the recipe can change instead; validation's error names both."""

    need: type
    fix: str
    field: str = ""


@dataclass(frozen=True)
class GeneratorNeed:
    """What a source's judge reads of a model's generator beyond `generate`: a generator capability protocol
    (`NextTokenScorer` for an expected-score read-out). `model` is a recipe model, None the
    policy (every round's model, whose backend is the policy's); `field` and `fix` as for a `BenchmarkNeed`."""

    need: type  # named in errors by harness/generation/next_token.py GENERATOR_CAPABILITIES
    fix: str
    field: str = ""
    model: str | None = None


@dataclass(frozen=True)
class PremisePair:
    """Parameter contrast's premise, a finding to check: `strong`'s answers outscore `weak`'s."""

    strong: str
    weak: str


@runtime_checkable
class FeedbackSource(Protocol):
    """What the registry's sources build. Subclass it to declare conformance and inherit the defaults:
    no recipe models besides the policy, one round, no premise, nothing of the benchmark beyond prompts."""

    name: str
    rounds: int = 1  # feedback + DPO rounds, each from the previous round's model (M1 -> M2 -> M3 ...)
    # Declared beside `online_judge`, which needs a run's context to build: a source whose `online_judge` returns a
    # scorer says so here, so `harness validate` rejects an `online.sources` entry before any compute.
    trains_online: ClassVar[bool] = False

    def build(self, prompts: Sequence[Prompt], ctx: SourceContext) -> SourceOutput: ...

    def model_uses(self) -> tuple[ModelUse, ...]:
        """Recipe models the source reads besides the policy (it never names the policy: it is `ctx.policy`)."""
        return ()

    def judge_uses(self) -> tuple[JudgeUse | JudgeRef, ...]:
        """The judges the source asks: prompted LLM judges (`JudgeUse`) and registered judges by name (`JudgeRef`)."""
        return ()

    def premise(self) -> PremisePair | None:
        return None

    def benchmark_needs(self) -> tuple[BenchmarkNeed, ...]:
        """What `build` cannot do without (harness validate refuses a benchmark that lacks it, before compute); what
        a source only reports where the benchmark has it (parameter contrast's premise check) is no need."""
        return ()

    def generator_needs(self) -> tuple[GeneratorNeed, ...]:
        """What it reads of a model's generator beyond samples (harness validate checks the backend's declared class)."""
        return ()

    def online_judge(self, ctx: SourceContext) -> CandidateScorer | None:
        """Its judge as a candidate scorer (harness/judging/adapters.py) for online training, built in `ctx` (whose
        `policy` is the model being trained); None for a source that is not a judge over policy candidates (one that
        returns a scorer declares `trains_online`)."""
        return None

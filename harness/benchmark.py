"""What a benchmark offers the pipeline, declared by the benchmark rather than probed by its callers.

Every registered benchmark gives prompts by split (`Benchmark`). Whether it can grade an answer against ground
truth is its `grader()`: a gold grader (the sandbox's oracle) or None (public prompt sets, judged by a model
instead). What only some benchmarks have is an optional capability, a protocol the benchmark's class implements:
SFT demonstrations, EFT judging examples, reference answers, human-ranked replies, named splits of its own, a
pretraining corpus. Callers test `isinstance(benchmark, <capability>)`, never `hasattr`, and
`harness validate` checks that every stage of a recipe gets the capabilities it needs (harness/recipes/stage_needs.py),
the feedback sources' declared needs (`FeedbackSource.benchmark_needs`: a gold grader, demonstrations) included.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Protocol, runtime_checkable

from harness.types import Message, Prompt

Grader = Callable[[Prompt, str], float]  # (prompt, answer) -> gold score, higher is better
Chat = list[dict[str, str]]  # [{role, content}, ...]


@runtime_checkable
class Benchmark(Protocol):
    """A prompt source with splits; `grader()` is None unless the benchmark knows the truth."""

    def prompts(self, split: str, n: int) -> Sequence[Prompt]: ...

    def grader(self) -> Grader | None: ...


@runtime_checkable
class Demonstrations(Protocol):
    """SFT (IFT) demonstrations: the first `n` chats of prompt and reply; a longer list extends a shorter one."""

    def demonstrations(self, n: int) -> Sequence[Chat]: ...


@runtime_checkable
class JudgingExamples(Protocol):
    """EFT judging examples: (prompt text, response, score) in the judge prompt's score range."""

    def judging_examples(self, n: int) -> Sequence[tuple[str, str, int]]: ...


class ReferenceAnswer(Protocol):
    @property
    def text(self) -> str: ...


@runtime_checkable
class References(Protocol):
    """Reference answers by prompt id."""

    def references(self) -> Mapping[str, ReferenceAnswer]: ...


class RankedReplies(Protocol):
    @property
    def prompt(self) -> Sequence[Message]: ...

    @property
    def replies(self) -> Sequence[str]: ...  # best first


@runtime_checkable
class Rankings(Protocol):
    """Sibling replies to one conversation, ranked by humans."""

    def rankings(self) -> Sequence[RankedReplies]: ...


@runtime_checkable
class NamedSplits(Protocol):
    """A fixed set with splits of its own (public sets: `test` and subsets), not the pipeline's."""

    def splits(self) -> tuple[str, ...]: ...


@runtime_checkable
class PretrainingCorpus(Protocol):
    """A corpus that sandbox base models are pretrained on, and the texts their tokenizer is built from."""

    def corpus(self) -> Sequence[Chat]: ...

    def tokenizer_texts(self) -> list[str]: ...


CAPABILITIES: dict[type, str] = {
    Demonstrations: "demonstrations",
    JudgingExamples: "judging examples",
    References: "reference answers",
    Rankings: "human-ranked replies",
    PretrainingCorpus: "a pretraining corpus",
}


class GoldGrader:
    """A need, not a capability protocol: every benchmark has `grader()`, and what needs the truth (the oracle
    sources, gold evaluation) needs it to return one. A type, so that a stage's or a source's needs are one list of
    types that `provides` answers for (harness/recipes/stage_needs.py)."""


NEEDS: dict[type, str] = {**CAPABILITIES, GoldGrader: "a gold grader"}  # every need, as an error names it


def provides(benchmark: Benchmark, need: type) -> bool:
    """Whether `benchmark` meets `need`: a gold grader where `grader()` returns one, a capability where its class
    implements the protocol."""
    if need is GoldGrader:
        return benchmark.grader() is not None
    return isinstance(benchmark, need)


def lacks(benchmark: object, capability: type, stage: str) -> ValueError:
    """The error for a stage that finds its benchmark without `capability` (validation reports it before a run;
    this guards code that runs without validation)."""
    return ValueError(f"{stage}: benchmark {type(benchmark).__name__} has no {CAPABILITIES[capability]}")


def pretraining_corpus(benchmark: object, stage: str) -> PretrainingCorpus:
    if not isinstance(benchmark, PretrainingCorpus):
        raise lacks(benchmark, PretrainingCorpus, stage)
    return benchmark


def own_judging_examples(n: int, share: float, graded: bool) -> int:
    """How many of an SFT stage's `n` judging examples are the base model's own samples graded by the benchmark's
    gold grader (a `share` of them; none without a grader); the rest are the benchmark's stock examples."""
    return round(n * share) if graded else 0


def stock_demonstrations(benchmark: object, n: int) -> list[Chat]:
    """The benchmark's first `n` demonstrations (none asked: none, from any benchmark)."""
    if not n:
        return []
    if not isinstance(benchmark, Demonstrations):
        raise lacks(benchmark, Demonstrations, "sft")
    return list(benchmark.demonstrations(n))


def stock_judging_examples(benchmark: object, n: int) -> list[tuple[str, str, int]]:
    """The benchmark's first `n` judging examples as (prompt text, response, score) (none asked: none)."""
    if not n:
        return []
    if not isinstance(benchmark, JudgingExamples):
        raise lacks(benchmark, JudgingExamples, "sft")
    return [(e[0], e[1], e[2]) for e in benchmark.judging_examples(n)]


def gold_grader(benchmark: Benchmark) -> Grader:
    """The benchmark's grader, for code that only runs with one (an error naming the fix otherwise)."""
    grader = benchmark.grader()
    if grader is None:
        raise ValueError(
            f"{type(benchmark).__name__} has no gold grader; use a benchmark with one "
            "(benchmark: sandbox) or evaluate with a judge (evaluation.judge)"
        )
    return grader

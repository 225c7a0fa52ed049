"""The sandbox world: one spec, and the data sets and gold oracle it defines."""

from __future__ import annotations

import itertools
import random
import string
from functools import cached_property

from benchmarks.sandbox import corpus, oracle
from benchmarks.sandbox.corpus import JudgingExample  # by name: the class's `corpus` member shadows the module here
from benchmarks.sandbox.spec import SandboxWorldSpec, SplitShares
from harness.benchmark import Grader
from harness.hashing import seed_from, stable_hash
from harness.types import Prompt

Chat = list[dict[str, str]]  # TRL's conversational format: [{"role": ..., "content": ...}, ...]
PRINTABLE = string.ascii_letters + string.digits + string.punctuation + " \n"


def _chat(prompt_text: str, response: str) -> Chat:
    return [{"role": "user", "content": prompt_text}, {"role": "assistant", "content": response}]


class SandboxWorld:
    """Prompts, training data and the gold oracle of one SandboxWorldSpec; every output is seeded."""

    max_score = float(oracle.MAX_SCORE)

    def __init__(self, spec: SandboxWorldSpec) -> None:
        self.spec = spec

    @cached_property
    def _corpus(self) -> list[Chat]:
        return [_chat(text, response) for text, response in corpus.noisy_corpus(self.spec)]

    def corpus(self) -> list[Chat]:
        """The noisy pretraining corpus (built once per world; callers must not mutate it)."""
        return self._corpus

    def tokenizer_texts(self) -> list[str]:
        """What a sandbox tokenizer is built from: every corpus message, plus printable ASCII so that judge
        prompts and other templates written around sandbox tasks ("Score: 3") never tokenize to <unk>."""
        return [PRINTABLE, *(message["content"] for chat in self.corpus() for message in chat)]

    def demonstrations(self, n: int) -> list[Chat]:
        """Clean seed demonstrations (IFT) from the sft split; a longer list extends a shorter one."""
        return [_chat(text, answer) for text, answer in corpus.demonstrations(self.spec, n)]

    def judging_examples(self, n: int) -> list[JudgingExample]:
        """Responses graded by the oracle (EFT), from the sft split, spread evenly over scores 0..5."""
        return corpus.judging_examples(self.spec, n)

    def prompts(self, split: str, n: int) -> list[Prompt]:
        """`n` distinct prompts of `split`, families in turn, ids `sandbox-<split>-<hash of text>`."""
        if split not in corpus.SPLITS:
            raise ValueError(f"split {split!r} is not a sandbox split: use one of {', '.join(corpus.SPLITS)}")
        rng = random.Random(seed_from("sandbox-prompts", split, self.spec.seed))
        streams = {f: corpus.tasks_in_split(rng, (f,), split, self.spec.splits) for f in self.spec.families}
        seen: set[str] = set()
        prompts: list[Prompt] = []
        for family in itertools.islice(itertools.cycle(self.spec.families), n):
            draws = itertools.islice(streams[family], corpus.MAX_DRAWS_PER_TASK)
            task = next((task for task in draws if task.text not in seen), None)
            if task is None:
                raise ValueError(
                    f"split {split!r} ran out of distinct {family} prompts after {len(prompts)}: ask fewer"
                )
            seen.add(task.text)
            prompts.append(
                Prompt.from_text(
                    f"sandbox-{split}-{stable_hash(task.text, length=12)}",
                    task.text,
                    family=task.family,
                    unsafe=task.unsafe,
                )
            )
        return prompts

    def grade(self, prompt: Prompt, response: str) -> float:
        """The oracle's score 0..5 (see oracle.describe_rubric)."""
        return float(oracle.grade(prompt.text, response))

    def grader(self) -> Grader:
        """The sandbox knows the truth: its grader is the gold oracle (the `Benchmark` contract)."""
        return self.grade


__all__ = ["SandboxWorld", "SandboxWorldSpec", "SplitShares"]

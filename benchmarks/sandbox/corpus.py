"""Seeded text generators of the sandbox: noisy pretraining chats, clean demonstrations, judging examples.

Every prompt text belongs to exactly one split, fixed by a hash of the text alone (not the seed), so
no evaluation prompt ever appears in training data, whatever seeds the worlds were built with.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import random
from collections.abc import Callable, Iterator
from typing import NamedTuple

from benchmarks.sandbox.oracle import MAX_SCORE, grade
from benchmarks.sandbox.spec import SandboxWorldSpec, SplitShares
from benchmarks.sandbox.tasks import LETTERS, REFUSAL, Task, sample_task
from benchmarks.score_spread import spread_over_scores
from harness.hashing import seed_from, stable_hash

SPLITS = ("pretrain", "sft", "feedback", "eval")
RAMBLES = ("and that is all", "hope this helps", "i think", "ok ok ok", "let me know", "so yes")
MAX_DRAWS_PER_TASK = 10_000  # a split this rare is a spec mistake, not bad luck
MAX_PROMPTS_PER_JUDGING_EXAMPLE = 50  # likewise for a score no response of the chosen families can reach
_HASH_SCALE = 16**8


@functools.lru_cache(maxsize=16)
def _split_ends(shares: SplitShares) -> tuple[float, ...]:
    return tuple(itertools.accumulate(getattr(shares, split) for split in SPLITS))


def split_of(text: str, shares: SplitShares) -> str:
    """The split a prompt text belongs to: a hash of the text placed on the cumulative split shares."""
    position = int(stable_hash("sandbox-split", text, length=8), 16) / _HASH_SCALE
    # The last split also takes positions past a cumulative sum that rounding left just short of 1.
    return SPLITS[min(bisect.bisect_right(_split_ends(shares), position), len(SPLITS) - 1)]


def tasks_in_split(rng: random.Random, families: tuple[str, ...], split: str, shares: SplitShares) -> Iterator[Task]:
    """An endless stream of tasks whose text lies in `split`, cycling through `families` for balance."""
    for family in itertools.cycle(families):
        for _ in range(MAX_DRAWS_PER_TASK):
            task = sample_task(rng, family)
            if split_of(task.text, shares) == split:
                yield task
                break
        else:
            raise ValueError(
                f"no {family} prompt fell in split {split!r} after {MAX_DRAWS_PER_TASK} draws: raise splits.{split}"
            )


# --- plausible mistakes: each takes the response so far and returns a wrong variant ----------------------

Mistake = Callable[[random.Random, Task, str], str]


def _swap_adjacent(rng: random.Random, task: Task, text: str) -> str:
    if len(text) < 2:
        return text + text
    i = rng.randrange(len(text) - 1)
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def _drop_char(rng: random.Random, task: Task, text: str) -> str:
    if len(text) < 2:
        return text + text
    i = rng.randrange(len(text))
    return text[:i] + text[i + 1 :]


def _duplicate_char(rng: random.Random, task: Task, text: str) -> str:
    i = rng.randrange(len(text))
    return text[: i + 1] + text[i:]


def _replace_with(alphabet: str) -> Mistake:
    def replace(rng: random.Random, task: Task, text: str) -> str:
        i = rng.randrange(len(text))
        return text[:i] + rng.choice(alphabet) + text[i + 1 :]

    return replace


def _shift_number(*offsets: int) -> Mistake:
    def shift(rng: random.Random, task: Task, text: str) -> str:
        return str(max(0, int(text) + rng.choice(offsets))) if text.isdigit() else text

    return shift


def _echo_input(rng: random.Random, task: Task, text: str) -> str:
    return task.args[0]  # reverse/sort: hand back the string untouched


def _wrong_copies(rng: random.Random, task: Task, text: str) -> str:
    unit, times = task.args[0], int(task.args[1])
    return unit * max(1, times + rng.choice((-1, 1)))


_MISTAKES: dict[str, tuple[Mistake, ...]] = {
    "add": (_replace_with("0123456789"), _shift_number(-1, 1, -10, 10), _drop_char),
    "reverse": (_swap_adjacent, _echo_input, _drop_char, _replace_with(LETTERS)),
    "sort": (_swap_adjacent, _echo_input, _drop_char, _duplicate_char),
    "count": (_shift_number(-1, 1), _shift_number(-1, 1), _shift_number(-2, 2)),
    "repeat": (_wrong_copies, _drop_char, _swap_adjacent),
    "unsafe": (_drop_char, _swap_adjacent, _replace_with(LETTERS)),  # applied to a refusal: a garbled refusal
}


def plausible_mistake(rng: random.Random, task: Task, text: str | None = None) -> str:
    """A wrong response close to `text` (default: the gold answer), e.g. one digit off or two letters swapped."""
    start = task.answer if text is None else text
    for _ in range(8):
        wrong = rng.choice(_MISTAKES[task.family])(rng, task, start)
        if wrong and wrong != task.answer:
            return wrong
    return task.answer + task.answer[-1]  # always wrong, in case every draw landed on the answer


def ramble(rng: random.Random, text: str) -> str:
    return f"{text} {rng.choice(RAMBLES)}"


# --- the three data sets ---------------------------------------------------------------------------------


def noisy_response(rng: random.Random, task: Task, spec: SandboxWorldSpec) -> str:
    """What a careless pretraining document says after `task`, at the spec's rates."""
    if task.unsafe:
        reply = task.compliance if rng.random() < spec.p_unsafe_complied else REFUSAL
    else:
        draw = rng.random()
        if draw < spec.p_correct:
            reply = task.answer
        elif draw < spec.p_correct + spec.p_benign_refusal:
            reply = REFUSAL
        else:
            reply = plausible_mistake(rng, task)
    return ramble(rng, reply) if rng.random() < spec.p_ramble else reply


def noisy_corpus(spec: SandboxWorldSpec) -> list[tuple[str, str]]:
    """`spec.corpus_size` (prompt text, response) pairs from the pretrain split."""
    rng = random.Random(seed_from("sandbox-corpus", spec.seed))
    tasks = tasks_in_split(rng, spec.families, "pretrain", spec.splits)
    return [(task.text, noisy_response(rng, task, spec)) for task in itertools.islice(tasks, spec.corpus_size)]


def demonstrations(spec: SandboxWorldSpec, n: int) -> list[tuple[str, str]]:
    """`n` clean (prompt text, gold answer) pairs from the sft split; unsafe prompts get the refusal."""
    rng = random.Random(seed_from("sandbox-demonstrations", spec.seed))
    tasks = tasks_in_split(rng, spec.families, "sft", spec.splits)
    return [(task.text, task.answer) for task in itertools.islice(tasks, n)]


class JudgingExample(NamedTuple):  # a tuple, so callers may unpack (prompt_text, response, score)
    prompt_text: str
    response: str
    score: int  # the oracle's grade of `response`


def _judged_response(rng: random.Random, task: Task) -> str:
    """A response anywhere on the quality scale: exact, garbled, refused, complied, off-topic, rambling."""
    reply = rng.choice((task.answer, task.answer, task.compliance or REFUSAL, "".join(rng.choices(LETTERS, k=4))))
    for _ in range(rng.choice((0, 1, 1, 2, 3))):
        reply = plausible_mistake(rng, task, reply)
    return ramble(rng, reply) if rng.random() < 0.3 else reply


def judging_examples(spec: SandboxWorldSpec, n: int) -> list[JudgingExample]:
    """`n` graded responses to sft-split prompts, spread over the scores 0..5 as evenly as `n` allows."""
    rng = random.Random(seed_from("sandbox-judging", spec.seed))
    tasks = tasks_in_split(rng, spec.families, "sft", spec.splits)

    def tries(task: Task) -> Iterator[JudgingExample]:
        for _ in range(20):
            response = _judged_response(rng, task)
            yield JudgingExample(task.text, response, grade(task.text, response))

    offers = (tries(task) for task in itertools.islice(tasks, MAX_PROMPTS_PER_JUDGING_EXAMPLE * n))
    examples, missing = spread_over_scores(offers, n, lambda e: e.score, MAX_SCORE + 1)
    if missing:
        raise ValueError(f"families {spec.families} never produced responses scoring {missing}: add families")
    rng.shuffle(examples)
    return examples

"""PG: mine new prompts from seed prompts with k-shot sampling, as ALMoST does.

Each request shows the model k prompts sampled from the seeds plus everything mined so far, and asks for
one more. A candidate is rejected when it is empty, too short without ending punctuation (a fragment), or
a near duplicate: ROUGE-L F >= 0.5 against any kept prompt (seeds and mined, candidates of the same batch
included as soon as they are kept). ALMoST wrote the shots as "Query: ..." lines under the instruction for
a base LM to continue; we write each shot as a user turn (the instruction) answered by the prompt, then
ask the instruction once more, so chat models answer with a prompt.
"""

from __future__ import annotations

import random
import re
import string
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from harness.paths import data_file, where_to_get
from harness.types import Message
from judges.almost.rouge import rouge_l_f, tokens

ALMOST_INSTRUCTION = "### Instruction: Please generate initial query to start conversation with bot."
ALMOST_MIN_PROMPT_LENGTH = 30  # characters
ALMOST_OVERLAP_THRESHOLD = 0.5

_PREFIX = re.compile(r"^query\s?:\s*", re.IGNORECASE)
_NEXT_QUERY = re.compile(r"query\s?:", re.IGNORECASE)

Generate = Callable[[list[tuple[Message, ...]]], list[str]]  # one reply per request, in order


@dataclass(frozen=True)
class SeedPrompts:
    instruction: str
    prompts: tuple[str, ...]


@dataclass
class MinedPrompts:
    prompts: list[str]
    rejected: Counter[str] = field(default_factory=Counter)  # reason -> candidates
    rounds: int = 0


def read_seed_file(path: str | Path) -> SeedPrompts:
    """ALMoST's seed format: the first line is the instruction, then one seed prompt per line (`data:` paths are
    under the shared data folder)."""
    spec, path = path, data_file(path)
    if not path.is_file():
        raise ValueError(
            f"prompt_generation.seed_file: {str(path)!r} not found; give a text file whose first line "
            "is the instruction and the rest one seed prompt per line (e.g. seed_prompts.txt)" + where_to_get(spec)
        )
    instruction, *lines = path.read_text(encoding="utf-8").splitlines()
    return SeedPrompts(instruction=instruction.strip(), prompts=tuple(s.strip() for s in lines if s.strip()))


def require_seeds(seeds: SeedPrompts, k: int) -> None:
    if len(seeds.prompts) < k:
        raise ValueError(
            f"prompt_generation.k={k} but there are {len(seeds.prompts)} seed prompts: lower k or add seeds"
        )


def kshot_messages(instruction: str, shots: Sequence[str]) -> tuple[Message, ...]:
    turns = [(Message(role="user", content=instruction), Message(role="assistant", content=s)) for s in shots]
    return (*(m for turn in turns for m in turn), Message(role="user", content=instruction))


def extract_prompt(reply: str) -> str:
    """The first non-empty line of the reply, without a leading "Query:" and cut where another query starts."""
    line = next((line.strip() for line in reply.splitlines() if line.strip()), "")
    return _NEXT_QUERY.split(_PREFIX.sub("", line), maxsplit=1)[0].strip()


def rejection_reason(
    candidate: str,
    kept: Sequence[Sequence[str]],
    min_length: int = ALMOST_MIN_PROMPT_LENGTH,
    threshold: float = ALMOST_OVERLAP_THRESHOLD,
) -> str | None:
    """Why `candidate` is not kept ('empty', 'too_short', 'overlap'), or None; `kept` are token lists."""
    if not candidate:
        return "empty"
    if len(candidate) < min_length and candidate[-1] not in string.punctuation:
        return "too_short"
    words = tokens(candidate)
    if any(rouge_l_f(words, other) >= threshold for other in kept):
        return "overlap"
    return None


def mine_prompts(
    generate: Generate,
    seeds: SeedPrompts,
    n_prompts: int,
    k: int,
    rng: random.Random,
    batch_size: int = 16,
    max_rounds: int = 50,
    min_length: int = ALMOST_MIN_PROMPT_LENGTH,
    threshold: float = ALMOST_OVERLAP_THRESHOLD,
) -> MinedPrompts:
    """Up to `n_prompts` new prompts, in `max_rounds` batched requests at most (a weak model may never get there)."""
    require_seeds(seeds, k)
    mined = MinedPrompts(prompts=[])
    kept = [tokens(s) for s in seeds.prompts]
    while len(mined.prompts) < n_prompts and mined.rounds < max_rounds:
        mined.rounds += 1
        pool = [*seeds.prompts, *mined.prompts]
        requests = [kshot_messages(seeds.instruction, rng.sample(pool, k)) for _ in range(batch_size)]
        for reply in generate(requests):
            candidate = extract_prompt(reply)
            reason = rejection_reason(candidate, kept, min_length, threshold)
            if reason is not None:
                mined.rejected[reason] += 1
                continue
            mined.prompts.append(candidate)
            kept.append(tokens(candidate))
            if len(mined.prompts) == n_prompts:
                break
    return mined

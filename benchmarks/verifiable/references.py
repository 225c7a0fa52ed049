"""Reference answers: for every task, a reply the grader scores 5, built from the topic's facts.

The grader is the judge of success: candidates are tried in a seeded order and the first one that scores the
maximum is the reference. A task with none is infeasible, and the prompt sampler never emits it.
"""

from __future__ import annotations

import itertools
import json
import random
from functools import lru_cache

from benchmarks.verifiable.constraints import COUNT_WORDS
from benchmarks.verifiable.grader import MAX_SCORE, assess_task
from benchmarks.verifiable.requests import REFUSALS
from benchmarks.verifiable.tasks import Task, parse_task
from harness.hashing import seed_from


def decorate(task: Task, body: str) -> str:
    """`body` with the task's opening word, closing phrase and letter case applied."""
    sep = "\n" if task.family == "list" else " "
    start, end = task.arg("starts_with"), task.arg("ends_with")
    text = f"{start}!{sep}{body}" if start else body
    text = f"{text}{sep}{end}" if end else text
    if task.arg("uppercase") is not None:
        return text.upper()
    return text.lower() if task.arg("lowercase") is not None else text


def bodies(task: Task, rng: random.Random) -> list[str]:
    """Undecorated candidate answers in a seeded order: subsets of facts, a JSON object, a number, a refusal."""
    if task.family == "arith":
        return [f"The answer is {task.answer}.", str(task.answer)]
    if task.family == "unsafe":
        return rng.sample(REFUSALS, len(REFUSALS))
    assert task.topic is not None
    facts = rng.sample(task.topic.facts, len(task.topic.facts))
    if task.family == "json":
        k1, k2 = next(c.arg for c in task.checks if c.kind == "json_keys").split(",")
        return [json.dumps({k1: task.topic.name, k2: fact}) for fact in facts]
    if task.family == "list":
        n = COUNT_WORDS.index(task.arg("bullets") or "three")
        return ["\n".join(f"- {f}" for f in combo) for combo in itertools.combinations(facts, n)]
    return [" ".join(combo) for size in _fact_counts(task) for combo in itertools.combinations(facts, size)]


def _fact_counts(task: Task) -> tuple[int, ...]:
    """How many facts a reference tries, in order: as many sentences as asked, else two, or one in capitals
    (a word in capitals is several tokens), so that references fit a 48-token answer."""
    asked = task.arg("sentences")
    if asked:
        return (COUNT_WORDS.index(asked.split()[0]),)
    return (1, 2) if task.arg("uppercase") is not None else (2, 1)


def _scores_max(task: Task, reply: str) -> bool:
    return assess_task(task, reply).score >= MAX_SCORE


def reference_for(task: Task) -> str | None:
    rng = random.Random(seed_from("verifiable-reference", task.text))
    return next((r for r in (decorate(task, b) for b in bodies(task, rng)) if _scores_max(task, r)), None)


@lru_cache(maxsize=8192)
def reference_answer(prompt_text: str) -> str | None:
    """A reply scoring 5 to `prompt_text`, or None when no candidate meets all its constraints (infeasible)."""
    return reference_for(parse_task(prompt_text))

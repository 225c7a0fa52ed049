"""Reference answers: for every task, a reply the grader scores 5, built from the topic's facts.

The grader is the judge of success: candidates are tried in a seeded order and the first one that scores the
maximum is the reference. A task with none is infeasible, and the prompt sampler never emits it.
"""

from __future__ import annotations

import itertools
import json
import random
from functools import lru_cache

from benchmarks.verifiable.grader import MAX_SCORE, assess_task
from benchmarks.verifiable.requests import REFUSALS
from benchmarks.verifiable.tasks import Task, parse_task
from harness.hashing import seed_from


def _arg(task: Task, kind: str) -> str | None:
    return next((c.arg for c in task.constraints if c.kind == kind), None)


def decorate(task: Task, body: str) -> str:
    """`body` with the task's opening word, closing phrase and letter case applied."""
    sep = "\n" if task.family == "list" else " "
    start, end = _arg(task, "starts_with"), _arg(task, "ends_with")
    text = f"{start}!{sep}{body}" if start else body
    text = f"{text}{sep}{end}" if end else text
    if _arg(task, "uppercase") is not None:
        return text.upper()
    return text.lower() if _arg(task, "lowercase") is not None else text


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
        n = ("zero", "one", "two", "three", "four", "five").index(_arg(task, "bullets") or "three")
        return ["\n".join(f"- {f}" for f in combo) for combo in itertools.combinations(facts, n)]
    sizes = (2, 1, 3)
    return [" ".join(combo) for size in sizes for combo in itertools.combinations(facts, size)]


def _scores_max(task: Task, reply: str) -> bool:
    return assess_task(task, reply).score >= MAX_SCORE


def reference_for(task: Task) -> str | None:
    rng = random.Random(seed_from("verifiable-reference", task.text))
    return next((r for r in map(lambda b: decorate(task, b), bodies(task, rng)) if _scores_max(task, r)), None)


@lru_cache(maxsize=8192)
def reference_answer(prompt_text: str) -> str | None:
    """A reply scoring 5 to `prompt_text`, or None when no candidate meets all its constraints (infeasible)."""
    return reference_for(parse_task(prompt_text))


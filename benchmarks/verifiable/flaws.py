"""Flawed answers: perturbations of a reference answer, from a slip (a comma, a missing closing phrase) to
nothing useful ("That is all.", another topic, a refusal of a harmless request).

They make the judging examples (EFT) span the score scale and give the simulated teacher plausible mistakes.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

from benchmarks.verifiable.grader import MAX_SCORE, assess_task
from benchmarks.verifiable.references import bodies, decorate
from benchmarks.verifiable.requests import COMPLIANCE, REFUSALS
from benchmarks.verifiable.tasks import END_PHRASES, Task
from benchmarks.verifiable.topics import TOPICS

Flaw = Callable[[Task, str, random.Random], str]


def _chatty_opening(task: Task, reply: str, rng: random.Random) -> str:
    return f"{rng.choice(('Of course, here you go', 'Great question, so', 'Well, let me see'))}: {reply}"


def _drop_closing(task: Task, reply: str, rng: random.Random) -> str:
    end = task.arg("ends_with")
    if end and reply.lower().endswith(end.lower()):
        return reply[: -len(end)].rstrip()
    return f"{reply} Let me know if you want to hear more about it, or about anything else."


def _extra_sentence(task: Task, reply: str, rng: random.Random) -> str:
    return f"{reply} There is a lot more to say, and many people, including me, find it fascinating."


def _normal_case(task: Task, reply: str, rng: random.Random) -> str:
    if task.arg("uppercase") is None and task.arg("lowercase") is None:
        return reply.upper()
    return re.sub(r"(^|[.!?]\s+)([a-z])", lambda m: m.group(1) + m.group(2).upper(), reply.lower())


def _lose_keyword(task: Task, reply: str, rng: random.Random) -> str:
    word = task.arg("include")
    if word:
        return re.sub(rf"\b{re.escape(word)}\w*", "it", reply, flags=re.I)
    avoided = task.arg("avoid")
    return f"{reply} I like {avoided} a lot." if avoided else reply


def _truncate(task: Task, reply: str, rng: random.Random) -> str:
    words = reply.split()
    return " ".join(words[: max(1, len(words) * 3 // 5)])


def _repeat(task: Task, reply: str, rng: random.Random) -> str:
    first = reply.split("\n")[0]
    return " ".join([first] * 4)


def _wrong_marker(task: Task, reply: str, rng: random.Random) -> str:
    return reply.replace("- ", rng.choice(("* ", "1. "))) if "- " in reply else reply.replace(". ", ".\n- ")


def _json_in_prose(task: Task, reply: str, rng: random.Random) -> str:
    return f"Here is the JSON you asked for: {reply}" if task.family == "json" else reply


def _broken_json(task: Task, reply: str, rng: random.Random) -> str:
    return reply.rstrip("}") if task.family == "json" else reply


def _wrong_number(task: Task, reply: str, rng: random.Random) -> str:
    if task.answer is None:
        return reply
    wrong = max(0, task.answer + rng.choice((-2, -1, 1, 2, 10)))
    return re.sub(rf"\b{task.answer}\b", str(wrong), reply)


def _off_topic(task: Task, reply: str, rng: random.Random) -> str:
    other = rng.choice([t for t in TOPICS if task.topic is None or t.name != task.topic.name])
    return decorate(task, " ".join(rng.sample(other.facts, 2)))


def _degenerate(task: Task, reply: str, rng: random.Random) -> str:
    return rng.choice(
        (
            task.arg("ends_with") or rng.choice(END_PHRASES),
            "That is all.",
            "I don't know.",
            f"{task.arg('starts_with') or 'Sure'}!",
            "...",
        )
    )


def _refuse(task: Task, reply: str, rng: random.Random) -> str:
    return rng.choice(REFUSALS)


def _comply(task: Task, reply: str, rng: random.Random) -> str:
    return decorate(task, rng.choice(COMPLIANCE))


def _other_facts(task: Task, reply: str, rng: random.Random) -> str:
    """Another undecorated candidate of the same task: right content, constraints left to chance."""
    return rng.choice(bodies(task, rng))


# Mistakes a capable model makes: the reply still does the task.
SLIPS: tuple[Flaw, ...] = (
    _chatty_opening,
    _drop_closing,
    _extra_sentence,
    _normal_case,
    _lose_keyword,
    _truncate,
    _wrong_marker,
    _json_in_prose,
    _broken_json,
    _wrong_number,
    _other_facts,
)
# Replies that fail the task outright.
FAILURES: tuple[Flaw, ...] = (_off_topic, _degenerate, _refuse, _comply, _repeat)


def plausible_mistake(task: Task, reference: str, rng: random.Random) -> str:
    """A slip that costs points but keeps the substance (score 2..<5); the reference itself if none does."""
    for flaw in rng.sample(SLIPS, len(SLIPS)):
        reply = flaw(task, reference, rng)
        if 2.0 <= assess_task(task, reply).score < MAX_SCORE:
            return reply
    return reference


def perturbed(task: Task, reference: str, rng: random.Random) -> str:
    """A reply anywhere on the scale: the reference after zero to two slips, or an outright failure."""
    if rng.random() < 0.3:
        return rng.choice(FAILURES)(task, reference, rng)
    reply = reference
    for _ in range(rng.choice((0, 1, 1, 2))):
        reply = rng.choice(SLIPS)(task, reply, rng)
    return reply

"""The sandbox's API teacher: what a strong remote model answers, derived from the gold oracle with noise.

Served over the OpenAI wire protocol by the test server (tests/servers/fake_llm.py, `--answer sandbox`),
it lets `recipes/sandbox_api_teacher.yaml` run llm_judge and llm_teacher through the real `openai`
client end to end. It is deliberately imperfect — a teacher, not the oracle: with probability
`ANSWER_ERROR` its answer is a plausible mistake, and with `JUDGE_ERROR` its score is off by one.
The noise is seeded by the message content, so every rerun hears the same teacher.
"""

from __future__ import annotations

import random
import re

from benchmarks.sandbox.corpus import plausible_mistake
from benchmarks.sandbox.oracle import grade
from benchmarks.sandbox.tasks import REFUSAL, parse_task
from harness.hashing import seed_from

ANSWER_ERROR = 0.15
JUDGE_ERROR = 0.2
JUDGE = re.compile(r"^rate: (?P<prompt>.*) => (?P<response>.*)$", re.S)


def answer(messages: list[dict[str, str]]) -> str:
    """Reply to the last user turn: a judge prompt gets "Score: k", a task gets an answer."""
    text = next(m["content"] for m in reversed(messages) if m["role"] == "user")
    rng = random.Random(seed_from("sandbox-teacher", text))
    judged = JUDGE.match(text)
    if judged:
        score = grade(judged["prompt"], judged["response"])
        if rng.random() < JUDGE_ERROR:
            score = min(5, max(0, score + rng.choice((-1, 1))))
        return f"Score: {score}"
    try:
        task = parse_task(text)
    except ValueError:
        return REFUSAL
    if rng.random() < ANSWER_ERROR and not task.unsafe:
        return plausible_mistake(rng, task)
    return task.answer

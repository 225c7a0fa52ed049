"""A simulated API teacher for the verifiable benchmark, served by harness.local_api.server (rule "verifiable").

It stands in for a strong remote model and is labelled simulated wherever it appears. It answers a task with
the reference answer, except that with probability ANSWER_ERROR (benign tasks only) it makes a plausible
mistake; it answers a judge prompt rendered from judges/prompts/verifiable_score with the gold score, except
that with probability JUDGE_ERROR the score is off by one or two. The noise is seeded by the message content,
so every rerun hears the same teacher.
"""

from __future__ import annotations

import random
import re
from functools import lru_cache

from benchmarks.verifiable.flaws import plausible_mistake
from benchmarks.verifiable.grader import MAX_SCORE, grade
from benchmarks.verifiable.references import reference_answer
from benchmarks.verifiable.tasks import parse_task
from harness.hashing import seed_from

ANSWER_ERROR = 0.15
JUDGE_ERROR = 0.2
JUDGE_PROMPT = "verifiable_score"
NOT_A_TASK = "I can only answer the verifiable benchmark's prompts."


@lru_cache(maxsize=1)
def _judge_pattern() -> re.Pattern[str]:
    """The judge template as a regex capturing the prompt and response it was rendered with."""
    from harness.judging.prompt_folders import load_judge_prompt

    template = load_judge_prompt(JUDGE_PROMPT).template
    pattern = re.escape(template)
    for field in ("prompt", "response"):
        pattern = pattern.replace(re.escape("{" + field + "}"), f"(?P<{field}>.*)")
    return re.compile(pattern, re.S)


def judge_score(prompt_text: str, response: str, rng: random.Random) -> int:
    score = round(grade(prompt_text, response))
    if rng.random() < JUDGE_ERROR:
        shifted = score + rng.choice((-2, -1, -1, 1, 1, 2))
        score = shifted if 0 <= shifted <= MAX_SCORE else score - (shifted - score)  # reflect at the ends
    return score


def answer(messages: list[dict[str, str]]) -> str:
    """Reply to the last user turn: a judge prompt gets "Score: k", a task its (sometimes flawed) answer."""
    text = next(m["content"] for m in reversed(messages) if m["role"] == "user")
    rng = random.Random(seed_from("verifiable-teacher", text))
    judged = _judge_pattern().fullmatch(text)
    if judged:
        try:
            return f"Score: {judge_score(judged['prompt'], judged['response'], rng)}"
        except ValueError:
            return "Score: 0"
    try:
        task = parse_task(text)
    except ValueError:
        return NOT_A_TASK
    reference = reference_answer(text)
    if reference is None:
        return NOT_A_TASK
    if not task.unsafe and rng.random() < ANSWER_ERROR:
        return plausible_mistake(task, reference, rng)
    return reference

"""The local test server's answer rules: `answer(messages) -> str | Answer`, chosen by name with `--answer`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from harness.hashing import seed_from


@dataclass(frozen=True)
class Answer:
    """A reply with the first token's alternatives, for logprob judges."""

    text: str
    top_logprobs: dict[str, float] = field(default_factory=dict)


AnswerRule = Callable[[list[dict[str, str]]], "str | Answer"]


def echo_rule(messages: list[dict[str, str]]) -> str:
    return "echo: " + next(m["content"] for m in reversed(messages) if m["role"] == "user")


def label_rule(messages: list[dict[str, str]]) -> Answer:
    """A pairwise judge that answers "m" or "M" (AlpacaEval's labels), picked from the conversation's hash."""
    lean = seed_from([m["content"] for m in messages]) % 2
    preferred, other = ("M", "m") if lean else ("m", "M")
    return Answer(preferred, {preferred: -0.2, other: -1.8, "The": -4.0})


def sandbox_rule(messages: list[dict[str, str]]) -> str:
    from benchmarks.sandbox.teacher import answer

    return answer(messages)


def verifiable_rule(messages: list[dict[str, str]]) -> str:
    """A simulated teacher for the verifiable benchmark: reference answers and gold scores, each wrong at a
    declared rate (benchmarks/verifiable/teacher.py)."""
    from benchmarks.verifiable.teacher import answer

    return answer(messages)


def smoke_rule(messages: list[dict[str, str]]) -> str:
    """Stands in for any API teacher in `--smoke` runs: a verdict where a judge prompt asks for one ([[A]]/[[B]]/
    [[C]] or "Score: n", drawn from the request's hash so both orders can disagree), else a short answer."""
    asked = next(m["content"] for m in reversed(messages) if m["role"] == "user")
    draw = seed_from([m["content"] for m in messages])
    if "[[A]]" in asked:
        return f"Both answers were read. [[{'ABC'[draw % 3]}]]"
    if "Score:" in asked:
        return f"The response was read.\nScore: {draw % 6}"
    return "Here is a short answer: " + " ".join(asked.split()[:12])


RULES: dict[str, AnswerRule] = {
    "echo": echo_rule,
    "label": label_rule,
    "sandbox": sandbox_rule,
    "smoke": smoke_rule,
    "verifiable": verifiable_rule,
}

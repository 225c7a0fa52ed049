"""The simulated verifiable teacher: reference answers and gold scores, wrong at its declared rates, seeded by
the message; served over the OpenAI wire protocol by the local server as rule "verifiable"."""

from __future__ import annotations

import json
import random
import urllib.request

import pytest

from benchmarks.verifiable import flaws, teacher
from benchmarks.verifiable.grader import grade
from benchmarks.verifiable.references import reference_answer
from benchmarks.verifiable.tasks import parse_task
from harness.judging.prompt_folders import load_judge_prompt
from harness.local_api.server import RULES, FakeLLMServer
from harness.registry import benchmarks

N = 400


@pytest.fixture(scope="module")
def prompts() -> list:
    return benchmarks.build("verifiable").prompts("feedback", N)


def _ask(text: str) -> str:
    return teacher.answer([{"role": "system", "content": "You are helpful."}, {"role": "user", "content": text}])


def test_task_answers_are_the_reference_except_at_the_declared_error_rate(prompts: list) -> None:
    replies = {p.text: _ask(p.text) for p in prompts}
    assert replies == {p.text: _ask(p.text) for p in prompts}  # seeded by the message: a rerun hears the same
    benign = [p for p in prompts if not p.metadata["unsafe"]]
    wrong = [p for p in benign if replies[p.text] != reference_answer(p.text)]
    assert abs(len(wrong) / len(benign) - teacher.ANSWER_ERROR) < 0.05
    # Mistakes are plausible: they cost points but still do the task.
    assert all(2.0 <= grade(p.text, replies[p.text]) < 5.0 for p in wrong)
    assert all(replies[p.text] == reference_answer(p.text) for p in prompts if p.metadata["unsafe"])
    assert _ask("Summarize this article.") == teacher.NOT_A_TASK


def test_judge_replies_parse_and_are_gold_except_at_the_declared_error_rate(prompts: list) -> None:
    judge = load_judge_prompt("verifiable_score")
    rng = random.Random(0)
    off = 0
    for p in prompts:
        response = flaws.perturbed(parse_task(p.text), reference_answer(p.text) or "", rng)
        verdict = judge.parser.parse(_ask(judge.render(p.text, response)))
        gold = round(grade(p.text, response))
        assert verdict.kind == "score" and abs(verdict.value - gold) <= 2
        off += verdict.value != gold
    assert abs(off / N - teacher.JUDGE_ERROR) < 0.05


def test_served_over_the_openai_wire_protocol(prompts: list) -> None:
    prompt = prompts[0]
    with FakeLLMServer(answer=RULES["verifiable"]) as server:
        body = json.dumps({"model": "teacher", "messages": [{"role": "user", "content": prompt.text}]}).encode()
        request = urllib.request.Request(
            server.openai_base_url + "/chat/completions", body, {"content-type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            reply = json.loads(response.read())["choices"][0]["message"]["content"]
    assert reply == _ask(prompt.text) and grade(prompt.text, reply) >= 2.0

"""AlpacaEval-style logprob judging: the first token's top logprobs of the label tokens, over the real SDK."""

from __future__ import annotations

import math
import typing

import pytest

from harness.generation.openai import OpenAIGenerator, label_probabilities
from harness.types import Failure, Message
from tests.servers.fake_llm import Answer, FakeLLMServer

MakeBackend = typing.Callable[..., OpenAIGenerator]


def conversation(text: str) -> tuple[Message, ...]:
    return (Message(role="system", content="Answer m or M."), Message(role="user", content=text))


def test_label_logprobs_read_the_first_tokens_alternatives(make_backend: MakeBackend, fake_llm: FakeLLMServer):
    alternatives = {"M": math.log(0.6), " M": math.log(0.1), "m": math.log(0.2), "The": math.log(0.1)}
    fake_llm.answer = lambda messages: Answer("M", alternatives)
    judge = make_backend("openai")

    [logprobs] = judge.label_logprobs([conversation("which is better, 1")], labels=("m", "M"), top_logprobs=4)

    assert isinstance(logprobs, dict)
    # " M" is the same label with a leading space; its probability adds to "M".
    assert logprobs == pytest.approx({"M": math.log(0.7), "m": math.log(0.2)})
    assert label_probabilities(logprobs, ("m", "M")) == pytest.approx({"m": 0.2 / 0.9, "M": 0.7 / 0.9})


def test_only_the_top_k_asked_for_is_seen(make_backend: MakeBackend, fake_llm: FakeLLMServer):
    fake_llm.answer = lambda messages: Answer("M", {"M": -0.1, "The": -2.0, "m": -3.0})
    [logprobs] = make_backend("openai").label_logprobs([conversation("which is better, 2")], top_logprobs=2)
    assert logprobs == {"M": -0.1}
    assert label_probabilities(logprobs, ("m", "M")) == {"m": 0.0, "M": 1.0}


def test_no_label_among_the_alternatives_is_a_failure_not_a_preference(
    make_backend: MakeBackend, fake_llm: FakeLLMServer
):
    fake_llm.answer = lambda messages: Answer("The", {"The": -0.1, "Both": -2.5})
    [outcome] = make_backend("openai").label_logprobs([conversation("which is better, 3")])
    assert isinstance(outcome, Failure) and outcome.reason == "no_label_in_top_logprobs"
    with pytest.raises(ValueError, match="none of the labels"):
        label_probabilities({"The": -0.1}, ("m", "M"))


def test_failed_calls_stay_failures_in_label_judging(make_backend: MakeBackend, fake_llm: FakeLLMServer):
    fake_llm.api_key = "fk-the-server-wants-another-key"
    [outcome] = make_backend("openai").label_logprobs([conversation("which is better, 4")])
    assert isinstance(outcome, Failure) and outcome.reason == "auth"
    assert len(fake_llm.received) == 1  # a wrong key is not retried

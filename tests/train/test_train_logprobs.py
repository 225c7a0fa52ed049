import math

import pytest
import torch

from benchmarks.sandbox.models import build_model
from harness.train import sequence_logprobs
from harness.train.logprobs import completion_token_ids

PROMPT = [{"role": "user", "content": "add 12 30"}]


def test_completion_tokens_are_the_answer_and_its_end_of_turn(tokenizer):
    ids, start = completion_token_ids(tokenizer, PROMPT, "42")
    assert tokenizer.convert_ids_to_tokens(ids[start:]) == ["4", "2", tokenizer.eos_token]


def test_sequence_logprobs_is_the_chain_rule_over_completion_tokens(tokenizer):
    model = build_model("XS", tokenizer, seed=3)
    ids, start = completion_token_ids(tokenizer, PROMPT, "42")
    expected = 0.0
    for position in range(start, len(ids)):  # one forward pass per prefix: no shifting to get wrong
        with torch.no_grad():
            logits = model(input_ids=torch.tensor([ids[:position]])).logits[0, -1]
        expected += float(torch.log_softmax(logits, -1)[ids[position]])
    assert sequence_logprobs(model, tokenizer, PROMPT, "42") == pytest.approx(expected, abs=1e-4)
    assert expected == pytest.approx(-3 * math.log(len(tokenizer)), rel=0.2)  # untrained: near uniform over the vocab


def test_empty_completion_is_rejected_by_name(tokenizer):
    model = build_model("XS", tokenizer, seed=3)
    assert sequence_logprobs(model, tokenizer, PROMPT, "") < 0  # the end-of-turn token alone is still scored
    with pytest.raises(ValueError, match="prompt_messages"):
        sequence_logprobs(model, tokenizer, [], "42")

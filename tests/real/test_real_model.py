"""SmolLM2-135M-Instruct through the harness: chat-template generation, score-token read-out, LoRA DPO."""

from __future__ import annotations

import pytest
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

from harness.generation import GenerationParams
from harness.generation.hf import HFGenerator, render_prompt
from harness.generation.next_token import option_token_ids
from harness.train import LoraSpec, TrainSpec, dpo, sequence_logprobs
from harness.types import Prompt

QUESTIONS = ["What is 7 + 5? Reply with the number only.", "Name one colour of the sky, in one word."]
SCORE_PROMPT = "Rate the answer from 0 to 5.\nQuestion: What is 7 + 5?\nAnswer: 12\nReply in the form 'Score: <0-5>'."


@pytest.fixture(scope="module")
def generator(smollm2_dir):
    return HFGenerator(path=smollm2_dir)


def test_generation_renders_the_models_chat_template_and_stops_at_end_of_turn(generator):
    prompts = [Prompt.from_text(f"q{i}", q) for i, q in enumerate(QUESTIONS)]
    rendered = render_prompt(generator.tokenizer, prompts[0])
    assert rendered.startswith("<|im_start|>system\n") and rendered.endswith(
        "<|im_start|>user\n" + QUESTIONS[0] + "<|im_end|>\n<|im_start|>assistant\n"
    )
    params = GenerationParams(n=2, temperature=0.7, max_new_tokens=24, seed=3)
    first = generator.generate(prompts, params)
    assert [len(cs) for cs in first] == [2, 2]
    texts = [c.text for cs in first for c in cs]
    assert all(t and "<|im_end|>" not in t and "<|im_start|>" not in t for t in texts), texts
    # A short answer ends at the end-of-turn token, well before the cap (the model is instruction-tuned).
    assert min(c.completion_tokens for cs in first for c in cs) < 24
    assert "12" in " ".join(c.text for c in first[0])  # it can add 7 and 5 in at least one of two samples
    assert [[c.text for c in cs] for cs in generator.generate(prompts, params)] == [
        [c.text for c in cs] for cs in first
    ]


def test_score_token_probabilities_match_an_unpadded_forward_pass(generator):
    model, tokenizer = generator.load()
    prefix_ids, digits = option_token_ids(tokenizer, "Score: ", [str(k) for k in range(6)])
    assert len(set(digits)) == 6
    # Two prompts of different length in one batch: the shorter one is left-padded.
    prompts = [Prompt.from_text("a", SCORE_PROMPT), Prompt.from_text("b", "Score this: 2 + 2 = 4. " * 6 + SCORE_PROMPT)]
    batched = generator.next_token_probs(prompts, "Score: ", [str(k) for k in range(6)])
    for prompt, probs in zip(prompts, batched):
        ids = tokenizer(render_prompt(tokenizer, prompt), add_special_tokens=False)["input_ids"] + prefix_ids
        with torch.inference_mode():
            logits = model(input_ids=torch.tensor([ids])).logits[0, -1]
        alone = torch.softmax(logits, -1)[digits].tolist()
        assert probs == pytest.approx(alone, abs=2e-4)
    assert sum(batched[0]) > 0.5  # asked for "Score: <0-5>", the model puts most of its mass on the digits


def test_score_token_probabilities_are_stored_per_context_and_read_back(smollm2_dir, tmp_path):
    """A judge read twice (feedback, then the judge-quality table) runs its forward passes once: the second
    generator, on the same cache file, answers in another order and batch without calling the model."""
    cache = str(tmp_path / "generation.sqlite")
    prompts = [Prompt.from_text("a", SCORE_PROMPT), Prompt.from_text("b", "Score this: 2 + 2 = 4. " + SCORE_PROMPT)]
    options = [str(k) for k in range(6)]
    first = HFGenerator(path=smollm2_dir, batch_cache=cache).next_token_probs(prompts, "Score: ", options)
    again = HFGenerator(path=smollm2_dir, batch_cache=cache)
    model, _ = again.load()
    calls = []
    model.register_forward_hook(lambda *args: calls.append(1))
    extra = Prompt.from_text("c", "Score this: 3 + 3 = 6. " + SCORE_PROMPT)
    read = again.next_token_probs([prompts[1], extra, prompts[0]], "Score: ", options)
    assert len(calls) == 1  # only the new context
    assert read[0] == first[1] and read[2] == first[0]
    assert read[1] != first[0] and sum(read[1]) > 0.5


def test_a_token_budget_cuts_long_prompts_into_smaller_batches_and_keeps_the_answers(generator):
    """max_batch_tokens: the prompt passes stay within the budget, and greedy answers and score probabilities
    are those of the unbudgeted generator (only the batching moves)."""
    prompts = [Prompt.from_text(f"s{i}", "Score this: 2 + 2 = 4. " * (1 + 3 * i) + SCORE_PROMPT) for i in range(4)]
    tokenizer = generator.tokenizer
    budget = 2 * len(tokenizer(render_prompt(tokenizer, prompts[-1]), add_special_tokens=False)["input_ids"])
    budgeted = HFGenerator(path=generator.path, max_batch_tokens=budget)
    passes: list[tuple[int, int]] = []

    def prompt_pass(_module, _args, kwargs):
        ids = kwargs["input_ids"]
        if ids.shape[1] > 1:  # a prompt pass, not a decoding step
            passes.append(tuple(ids.shape))

    hooks = [g.load()[0].register_forward_pre_hook(prompt_pass, with_kwargs=True) for g in (generator, budgeted)]
    try:
        greedy = GenerationParams(n=1, temperature=0.0, max_new_tokens=6, seed=0)
        cut = budgeted.generate(prompts, greedy)
        assert passes and all(rows * length <= budget for rows, length in passes) and len(passes) >= 2, passes
        passes.clear()
        whole = generator.generate(prompts, greedy)
        assert passes == [(4, passes[0][1])]  # batch_size 64: one pass over all four
        options = [str(k) for k in range(6)]
        probs_cut = budgeted.next_token_probs(prompts, "Score: ", options)
        probs_whole = generator.next_token_probs(prompts, "Score: ", options)
    finally:
        for hook in hooks:
            hook.remove()
    assert [c[0].text for c in cut] == [c[0].text for c in whole]
    for a, b in zip(probs_cut, probs_whole):
        assert a == pytest.approx(b, abs=2e-4)


def mean_margin(model_dir, pairs) -> float:
    model = AutoModelForCausalLM.from_pretrained(model_dir)
    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    return sum(
        sequence_logprobs(model, tokenizer, p["prompt"], p["chosen"][0]["content"])
        - sequence_logprobs(model, tokenizer, p["prompt"], p["rejected"][0]["content"])
        for p in pairs
    ) / len(pairs)


def test_two_lora_dpo_steps_raise_the_chosen_minus_rejected_margin(smollm2_dir, tmp_path):
    pairs = [
        {
            "prompt": [{"role": "user", "content": q}],
            "chosen": [{"role": "assistant", "content": good}],
            "rejected": [{"role": "assistant", "content": bad}],
        }
        for q, good, bad in [
            (QUESTIONS[0], "12", "The answer is 15."),
            (QUESTIONS[1], "Blue", "The sky has no colour, it is a complex phenomenon."),
        ]
    ]
    spec = TrainSpec(
        learning_rate=1e-3,
        max_steps=2,
        per_device_train_batch_size=2,
        max_length=128,
        beta=0.1,
        lora=LoraSpec(r=8, alpha=16),
    )
    before = mean_margin(smollm2_dir, pairs)
    result = dpo(smollm2_dir, pairs, spec, tmp_path / "dpo")
    after = mean_margin(result.path, pairs)
    assert result.metrics["train_loss"] > 0
    assert after > before + 0.5, (before, after)

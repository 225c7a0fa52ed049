"""RMSP: the reward model's pick of N samples per assistant turn, on a tiny reward model trained here."""

import random
import string

import pytest

from benchmarks.sandbox.models import build_model
from benchmarks.sandbox.tokenizer import build_tokenizer
from harness.generation import GenerationParams, LocalGenerator
from harness.registry import generators
from harness.rmsp import reward_model_rewards, rm_guided_self_play, swap_roles
from harness.train import TrainSpec, reward_model
from harness.train.sft import prompt_completion
from harness.types import Message, Prompt


class Recording(LocalGenerator):
    """Passes requests to a real generator and keeps what it was asked and what it answered."""

    def __init__(self, inner):
        self.inner, self.spec_id, self.calls = inner, inner.spec_id, []

    def generate(self, prompts, params):
        completions = self.inner.generate(prompts, params)
        self.calls.append((list(prompts), params, completions))
        return completions


def user(text):
    return [{"role": "user", "content": text}]


def number_vs_word_pairs(count, seed):
    """Chosen answers are sums, rejected ones words: a reward model must learn to prefer digits."""
    rng = random.Random(seed)
    pairs = []
    for i in range(count):
        a, b = rng.randint(10, 99), rng.randint(10, 99)
        pairs.append(
            {
                "prompt": user(f"add {a} {b}"),
                "chosen": [{"role": "assistant", "content": str(a + b)}],
                "rejected": [{"role": "assistant", "content": ["no", "why", "maybe not", "ask me later"][i % 4]}],
            }
        )
    return pairs


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    """(policy path, reward model path): an untrained S policy and a reward model trained from it."""
    import torch

    tokenizer = build_tokenizer([string.ascii_lowercase + string.digits + " "])
    base = tmp_path_factory.mktemp("rmsp-base")
    build_model("S", tokenizer, seed=0).save_pretrained(base)
    tokenizer.save_pretrained(base)
    spec = TrainSpec(learning_rate=3e-3, num_train_epochs=3, per_device_train_batch_size=8, max_length=64)
    threads = torch.get_num_threads()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OMP_NUM_THREADS", "1")  # the machine is shared: spinning threads slow tiny runs down
        result = reward_model(base, number_vs_word_pairs(32, seed=1), spec, tmp_path_factory.mktemp("rmsp-rm") / "rm")
    torch.set_num_threads(threads)
    return base, result.path


def reply(messages, text):
    return [*(m.model_dump() for m in messages), {"role": "assistant", "content": text}]


def test_scorer_prefers_what_the_reward_model_was_trained_to_prefer(models):
    rewards = reward_model_rewards(str(models[1]))
    pairs = number_vs_word_pairs(32, seed=1)
    chosen, rejected = (rewards([[*p["prompt"], *p[side]] for p in pairs]) for side in ("chosen", "rejected"))
    wins = [c > r for c, r in zip(chosen, rejected)]
    assert sum(wins) / len(wins) > 0.8, sum(wins)
    # One call for every conversation gives each the reward it gets alone (one sequence per forward pass).
    assert chosen[:3] == [rewards([[*p["prompt"], *p["chosen"]]])[0] for p in pairs[:3]]


def test_each_assistant_turn_is_the_reward_models_best_sample(models):
    policy = Recording(generators.build("hf", path=str(models[0])))
    scorer = reward_model_rewards(str(models[1]))
    prompts = [Prompt.from_text(f"p{i}", f"add {10 + i} {20 + i}") for i in range(4)]
    params = GenerationParams(temperature=1.0, max_new_tokens=6)
    conversations = rm_guided_self_play(policy, scorer, prompts, n_samples=4, params=params)

    ((asked, sampling, samples),) = policy.calls
    assert sampling.n == 4 and [p.messages for p in asked] == [p.messages for p in prompts]
    for prompt, conversation, candidates in zip(prompts, conversations, samples, strict=True):
        assert conversation[:-1] == [m.model_dump() for m in prompt.messages]
        texts = [c.text for c in candidates]
        scores = scorer([reply(prompt.messages, t) for t in texts])
        assert conversation[-1] == {"role": "assistant", "content": texts[scores.index(max(scores))]}
        prompt_completion(conversation)  # an SFT example as harness.train.sft reads it


def test_multi_turn_self_play_simulates_the_user_with_swapped_roles(models):
    policy = Recording(generators.build("hf", path=str(models[0])))

    def digits(conversations):
        return [sum(c.isdigit() for c in conversation[-1]["content"]) for conversation in conversations]

    shots = (Message(role="user", content="add 1 1"), Message(role="assistant", content="2"))
    prompts = [Prompt.from_text("q", "add 3 4")]
    (conversation,) = rm_guided_self_play(
        policy,
        digits,
        prompts,
        n_samples=3,
        turns=2,
        params=GenerationParams(temperature=1.0, max_new_tokens=5),
        demonstrations=shots,
    )

    assert [m["role"] for m in conversation] == ["user", "assistant", "user", "assistant"]
    first, user_turn, second = policy.calls
    assert first[0][0].messages == (*shots, *prompts[0].messages)  # demonstrations go before assistant requests
    # The user simulator reads the dialogue so far with roles swapped, without the assistant's demonstrations.
    assert user_turn[0][0].messages == swap_roles([Message(**m) for m in conversation[:2]]) and user_turn[1].n == 1
    assert conversation[2]["content"] == user_turn[2][0][0].text
    for (_, _, (candidates,)), picked in ((first, conversation[1]), (second, conversation[3])):
        counts = digits([[{"role": "assistant", "content": c.text}] for c in candidates])
        assert picked["content"] == candidates[counts.index(max(counts))].text  # earliest of the best


def test_bad_arguments():
    with pytest.raises(ValueError, match="n_samples=0, turns=1: both must be at least 1"):
        rm_guided_self_play(None, None, [], n_samples=0)

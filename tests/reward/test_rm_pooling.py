"""Mean pooling for encoder reward models: what the score head reads, and that training and the judge agree on it."""

from __future__ import annotations

import json

import pytest
import torch
from transformers import AutoTokenizer, BertForSequenceClassification

from harness.recipes.loader import RecipeError
from harness.registry import judges
from harness.reward_model.recipe import load_reward_recipe
from harness.train import TrainSpec, reward_model
from harness.train.mean_pooled_bert import MeanPooledBertForSequenceClassification, mean_pool
from harness.train.pooling import check_pooling, load_reward_model
from tests.reward.test_reward_encoder import separable_pairs


def test_mean_pool_averages_only_the_positions_the_mask_keeps():
    hidden = torch.tensor([[[1.0, 2.0], [3.0, 6.0], [100.0, 100.0]],
                           [[0.0, 4.0], [2.0, 0.0], [4.0, 2.0]]])  # fmt: skip
    mask = torch.tensor([[1, 1, 0], [1, 1, 1]])
    assert mean_pool(hidden, mask).tolist() == [[2.0, 4.0], [2.0, 2.0]]  # the masked 100s are ignored
    assert mean_pool(hidden, None).flatten().tolist() == pytest.approx([104 / 3, 36.0, 2.0, 2.0])


def test_the_mean_pooled_head_reads_the_token_mean_not_cls_and_ignores_padding(tiny_bert_dir):
    torch.manual_seed(0)
    mean_model = MeanPooledBertForSequenceClassification.from_pretrained(tiny_bert_dir, num_labels=1).eval()
    head_model = BertForSequenceClassification.from_pretrained(tiny_bert_dir, num_labels=1).eval()
    head_model.classifier.load_state_dict(mean_model.classifier.state_dict())  # same score head, other input
    assert mean_model.bert.pooler is None
    tokenizer = AutoTokenizer.from_pretrained(tiny_bert_dir)
    batch = tokenizer(["what is the weather", "sure here is a detailed answer about food"], padding=True,
                      return_tensors="pt")  # fmt: skip
    with torch.inference_mode():
        hidden = mean_model.bert(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).float()
        by_hand = mean_model.classifier((hidden * mask).sum(1) / mask.sum(1))[:, 0]
        scores = mean_model(**batch).logits[:, 0]
        cls_scores = head_model(**batch).logits[:, 0]
        alone = mean_model(**tokenizer(["what is the weather"], return_tensors="pt")).logits[0, 0]
    assert scores.tolist() == pytest.approx(by_hand.tolist(), abs=1e-6)
    assert alone.item() == pytest.approx(scores[0].item(), abs=1e-6)  # the first row was padded in the batch
    assert (scores - cls_scores).abs().min() > 1e-3  # [CLS] through the pooler is another vector


def test_a_mean_pooled_reward_model_trains_saves_and_is_scored_mean_pooled_by_the_judge(tiny_bert_dir, tmp_path):
    spec = TrainSpec(learning_rate=2e-3, num_train_epochs=4, per_device_train_batch_size=8, max_length=32,
                     logging_steps=1)  # fmt: skip
    result = reward_model(tiny_bert_dir, separable_pairs(48, seed=1), spec, tmp_path / "rm", pooling="mean")

    config = json.loads((result.path / "config.json").read_text())
    assert config["architectures"] == ["MeanPooledBertForSequenceClassification"]
    model = load_reward_model(str(result.path))
    assert type(model) is MeanPooledBertForSequenceClassification and model.bert.pooler is None
    held_out = separable_pairs(32, seed=2)
    judge = judges.build("reward_model", path=str(result.path), batch_size=5)
    chosen = judge.rewards([[*p["prompt"], *p["chosen"]] for p in held_out])
    rejected = judge.rewards([[*p["prompt"], *p["rejected"]] for p in held_out])
    assert sum(c > r for c, r in zip(chosen, rejected)) >= 29, (chosen, rejected)
    # the judge's score is the mean-pooled head's on the training inputs, not the [CLS] head's on the same weights
    from harness.train.reward_inputs import encoder_reward_ids

    tokenizer = AutoTokenizer.from_pretrained(result.path)
    ids = torch.tensor([encoder_reward_ids(tokenizer, held_out[0]["prompt"], held_out[0]["chosen"][0]["content"], 32)])
    with torch.inference_mode():
        direct = model.eval()(input_ids=ids, attention_mask=torch.ones_like(ids)).logits[0, 0].item()
    assert chosen[0] == pytest.approx(direct, abs=1e-5)
    plain = BertForSequenceClassification.from_pretrained(result.path).eval()
    with torch.inference_mode():
        assert abs(plain(input_ids=ids).logits[0, 0].item() - direct) > 1e-3


def test_mean_pooling_is_refused_for_backbones_without_it(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "llama"}))
    with pytest.raises(RecipeError) as info:
        load_reward_recipe("recipes/rm_hh_minilm.yaml", [f"model={tmp_path}", "pooling=mean"])
    assert str(info.value) == (
        "recipes/rm_hh_minilm.yaml: pooling: 'mean' is implemented for BERT encoders "
        "(model_type bert), and this backbone is 'llama'; use pooling: head"
    )
    check_pooling("mean", "bert")
    check_pooling("head", "llama")
    with pytest.raises(
        ValueError,
        match=r"^pooling: 'mean' is implemented for BERT encoders \(model_type bert\), "
        r"and this backbone is 'llama'; use pooling: head$",
    ):
        check_pooling("mean", "llama")

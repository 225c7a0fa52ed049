import pytest
import torch
from transformers import AutoModelForSequenceClassification, AutoTokenizer

from harness.train import TrainSpec, reward_model
from harness.train.pairs import preference_dataset
from harness.types import Message, PreferencePair


@pytest.fixture(scope="module")
def separable_pairs(addition_pairs):
    """Chosen answers are numbers, rejected ones words: a reward model must learn to tell them apart."""
    pairs = addition_pairs(32, seed=1)
    for i, pair in enumerate(pairs):
        pair["rejected"] = [{"role": "assistant", "content": ["no", "why", "maybe not", "ask me later"][i % 4]}]
    return pairs


def rewards(model, tokenizer, prompt, completion: str) -> float:
    conversation = [*prompt, {"role": "assistant", "content": completion}]
    ids = tokenizer.apply_chat_template(conversation, return_tensors="pt", return_dict=True)
    with torch.no_grad():
        return float(model(**ids).logits[0, 0])


def test_reward_model_separates_its_training_pairs(base_model_dir, separable_pairs, tmp_path):
    pairs = separable_pairs
    spec = TrainSpec(learning_rate=3e-3, num_train_epochs=3, per_device_train_batch_size=8, max_length=64)
    result = reward_model(base_model_dir, pairs, spec, tmp_path / "rm")

    model = AutoModelForSequenceClassification.from_pretrained(result.path)
    tokenizer = AutoTokenizer.from_pretrained(result.path)
    assert model.config.num_labels == 1 and model.config.pad_token_id == tokenizer.pad_token_id
    wins = [
        rewards(model, tokenizer, p["prompt"], p["chosen"][0]["content"])
        > rewards(model, tokenizer, p["prompt"], p["rejected"][0]["content"])
        for p in pairs
    ]
    assert sum(wins) / len(wins) > 0.8, sum(wins)


def test_preference_pairs_and_dicts_make_the_same_trl_rows(separable_pairs):
    pair = separable_pairs[0]
    record = PreferencePair(
        prompt_id="p0", prompt=(Message(**pair["prompt"][0]),), chosen=(Message(**pair["chosen"][0]),),
        rejected=(Message(**pair["rejected"][0]),), source="test", chosen_by="a", rejected_by="b",
    )  # fmt: skip
    assert preference_dataset([record])[0] == preference_dataset([{**pair, "source": "dropped"}])[0] == pair
    with pytest.raises(ValueError, match=r"pairs\[1\] lacks rejected"):
        preference_dataset([pair, {"prompt": pair["prompt"], "chosen": pair["chosen"]}])

"""Reward-model fixtures: a tiny randomly initialised BERT with its own WordPiece vocabulary, and an HH sample."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.torch_threads import one_torch_thread  # noqa: F401  (autouse fixture)

HH_SAMPLE = Path(__file__).parent / "data"  # 32 real HH-RLHF pairs; see data/README.md for source and licence

WORDS = [
    "human",
    "assistant",
    "what",
    "is",
    "the",
    "a",
    "an",
    "of",
    "to",
    "how",
    "do",
    "i",
    "can",
    "you",
    "please",
    "tell",
    "me",
    "about",
    "weather",
    "food",
    "music",
    "here",
    "sure",
    "answer",
    "helpful",
    "great",
    "detailed",
    "steps",
    "first",
    "then",
    "finally",
    "no",
    "sorry",
    "cannot",
    "refuse",
    "whatever",
    "go",
    "away",
    "later",
    "maybe",
    "not",
]


@pytest.fixture(scope="session")
def tiny_bert_dir(tmp_path_factory) -> Path:
    """A saved, untrained BERT (hidden 32, 2 layers) and a WordPiece tokenizer over WORDS. Tests must not write here."""
    from transformers import BertConfig, BertModel, BertTokenizer

    path = tmp_path_factory.mktemp("tiny-bert")
    vocab = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ":", "?", ".", ",", *WORDS]
    tokenizer = BertTokenizer(vocab={word: i for i, word in enumerate(vocab)}, model_max_length=128)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
        pad_token_id=0,
    )
    import torch

    torch.manual_seed(0)
    BertModel(config).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path

"""Tiny sandbox models for training tests: a char tokenizer and a randomly initialised S-size Llama on disk."""

from __future__ import annotations

import random
import string

import pytest

from benchmarks.sandbox.models import build_model
from benchmarks.sandbox.tokenizer import build_tokenizer
from tests.torch_threads import one_torch_thread  # noqa: F401  (autouse fixture)


def user(text: str) -> list[dict[str, str]]:
    return [{"role": "user", "content": text}]


def _addition_pairs(count: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    pairs = []
    for _ in range(count):
        a, b = rng.randint(10, 99), rng.randint(10, 99)
        wrong = a + b + rng.choice([-11, -1, 1, 10])
        pairs.append(
            {
                "prompt": user(f"add {a} {b}"),
                "chosen": [{"role": "assistant", "content": str(a + b)}],
                "rejected": [{"role": "assistant", "content": str(wrong)}],
            }
        )
    return pairs


@pytest.fixture(scope="session")
def addition_pairs():
    """make(count, seed): conversational preference pairs where the right sum is chosen and a wrong one rejected."""
    return _addition_pairs


@pytest.fixture(scope="session")
def tokenizer():
    return build_tokenizer([string.ascii_lowercase + string.digits + " "])


@pytest.fixture(scope="session")
def base_model_dir(tmp_path_factory, tokenizer):
    """A saved, untrained S model with its tokenizer: the start point stages load by path. Tests must not write here."""
    path = tmp_path_factory.mktemp("base-S")
    build_model("S", tokenizer, seed=0).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path

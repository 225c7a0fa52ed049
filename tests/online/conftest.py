"""A sandbox world and a lightly supervised XS policy. On counting prompts its four samples get different gold grades
often enough for the oracle to prefer one, which an online step needs (an untrained model's answers all grade 0)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.registry import benchmarks
from tests.torch_threads import one_torch_thread  # noqa: F401  (autouse fixture)


@pytest.fixture(scope="session")
def world():
    return benchmarks.build("sandbox", seed=0, corpus_size=2000)


@pytest.fixture(scope="session")
def policy_dir(tmp_path_factory, world) -> Path:
    """An XS model SFT'd on 1000 demonstrations. Tests must not write here."""
    import torch

    from benchmarks.sandbox.models import build_model
    from benchmarks.sandbox.tokenizer import build_tokenizer
    from harness.train.sft import sft
    from harness.train.spec import TrainSpec

    torch.set_num_threads(1)
    root = tmp_path_factory.mktemp("online-policy")
    tokenizer = build_tokenizer(world.tokenizer_texts())
    build_model("XS", tokenizer, seed=0).save_pretrained(root / "base")
    tokenizer.save_pretrained(root / "base")
    spec = TrainSpec(learning_rate=3e-3, num_train_epochs=3, per_device_train_batch_size=32, max_length=96)
    sft(root / "base", root / "base", world.demonstrations(1000), spec, root / "sft")
    return root / "sft"


@pytest.fixture(scope="session")
def count_prompts(world):
    """Feedback prompts of the counting family, where the policy's answers are graded 0 to 5."""
    return [p for p in world.prompts("feedback", 300) if p.metadata["family"] == "count"][:24]

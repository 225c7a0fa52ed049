"""The hf generator's `share_prompt`: each prompt is read once for its n samples, and the samples do not change."""

from __future__ import annotations

import string
from dataclasses import dataclass

import pytest
import torch

from benchmarks.sandbox.models import build_model
from benchmarks.sandbox.tokenizer import build_tokenizer
from harness.generation import GenerationParams
from harness.generation.hf import render_prompt
from harness.registry import generators
from harness.types import Prompt

SAMPLED = GenerationParams(n=3, temperature=0.9, max_new_tokens=8, seed=5)
SHARPEN = 30.0


@pytest.fixture(autouse=True)
def one_thread():
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory):
    tokenizer = build_tokenizer([string.ascii_lowercase + string.digits + " "])
    path = tmp_path_factory.mktemp("model")
    model = build_model("XS", tokenizer, seed=0)
    with torch.no_grad():  # sharp attention: at init it is near uniform, blind to positions a bug could shift
        for layer in model.model.layers:
            layer.self_attn.q_proj.weight.mul_(SHARPEN)
            layer.self_attn.k_proj.weight.mul_(SHARPEN)
    model.save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def prompts() -> list[Prompt]:
    # Lengths 7..31 characters, two per batch of 2: every batch but one left-pads a row, where positions matter.
    return [Prompt.from_text(f"p{i}", "add " + " ".join(["7"] * (3 * i + 2))) for i in range(5)]


@dataclass
class Observed:
    """What a generate call returned and what its model's forward passes read and computed."""

    texts: list[str]
    positions_read: int
    logits: list[torch.Tensor]  # each forward's last-position logits, over all n x prompts rows


def observe(model_dir, share: bool) -> Observed:
    generator = generators.build("hf", path=str(model_dir), batch_size=2, share_prompt=share)
    model, _ = generator.load()
    seen = Observed([], 0, [])

    def read(_module, _args, kwargs):
        seen.positions_read += kwargs["input_ids"].numel()

    def computed(_module, _args, _kwargs, output):
        if output.logits.shape[0] % SAMPLED.n == 0:  # n x batch rows: not the shared read of 1 or 2 prompts
            seen.logits.append(output.logits[:, -1].clone())

    hooks = [
        model.register_forward_pre_hook(read, with_kwargs=True),
        model.register_forward_hook(computed, with_kwargs=True),
    ]
    try:
        results = generator.generate(prompts(), SAMPLED)
    finally:
        for hook in hooks:
            hook.remove()
    seen.texts = [c.text for cs in results for c in cs]
    return seen


def padded_prompt_positions(model_dir, batch_size: int = 2) -> int:
    """Token positions of the prompts as batched: sorted by length, each batch left-padded to its longest."""
    generator = generators.build("hf", path=str(model_dir))
    lengths = sorted(
        len(generator.tokenizer(render_prompt(generator.tokenizer, p), add_special_tokens=False)["input_ids"])
        for p in prompts()
    )
    batches = [lengths[b : b + batch_size] for b in range(0, len(lengths), batch_size)]
    return sum(len(batch) * (max(batch) - 1) for batch in batches)


def test_sharing_the_prompt_gives_the_same_samples_and_reads_each_prompt_once(model_dir):
    plain, shared = observe(model_dir, share=False), observe(model_dir, share=True)
    assert shared.texts == plain.texts and len(plain.texts) == 5 * SAMPLED.n
    # Each step's next-token logits agree to float rounding (a prompt cache at the wrong positions moves them ~1e-2).
    assert len(shared.logits) == len(plain.logits) > 3
    assert max((s - p).abs().max().item() for s, p in zip(shared.logits, plain.logits)) < 1e-4
    # Without sharing every prompt position is read n times; with it, once (all but the last token, which generate
    # feeds n times either way). Decoding reads the same positions in both: the outputs, hence the steps, are equal.
    assert plain.positions_read - shared.positions_read == (SAMPLED.n - 1) * padded_prompt_positions(model_dir)

"""A small sandbox world and randomly initialised sandbox models saved to disk, for the ALMoST tests."""

from __future__ import annotations

from pathlib import Path

from benchmarks.sandbox.models import build_model
from benchmarks.sandbox.tokenizer import build_tokenizer
from benchmarks.sandbox.world import SandboxWorld, SandboxWorldSpec


def tiny_world() -> SandboxWorld:
    return SandboxWorld(SandboxWorldSpec(corpus_size=200))


def save_models(world: SandboxWorld, root: Path, sizes: dict[str, str]) -> dict[str, Path]:
    """name -> directory of an untrained model of that sandbox size (seeded by its position), with the tokenizer."""
    tokenizer = build_tokenizer(world.tokenizer_texts())
    paths = {}
    for seed, (name, size) in enumerate(sizes.items()):
        paths[name] = root / name
        build_model(size, tokenizer, seed=seed).save_pretrained(paths[name])
        tokenizer.save_pretrained(paths[name])
    return paths

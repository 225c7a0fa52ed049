"""Base models trained from scratch for the sandbox: a locally trained tokenizer, then one pretraining
stage per zoo member. The result is a directory that loads like any Hugging Face model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness import names
from harness.benchmark import pretraining_corpus
from harness.config import ModelSpec
from harness.run_context import RunContext

ENCODE_CHUNK = 4096  # chats encoded between two progress counts


def tokenizer_stage(pipe: RunContext) -> Any:
    from benchmarks.sandbox.tokenizer import build_tokenizer

    def build(out: Path) -> dict[str, Any]:
        tokenizer = build_tokenizer(pretraining_corpus(pipe.benchmark, "tokenizer").tokenizer_texts())
        tokenizer.save_pretrained(out / "tokenizer")
        return {"vocab_size": len(tokenizer)}

    return pipe.stage(names.TOKENIZER_LABEL, "tokenizer", {"benchmark": pipe.recipe.benchmark}, [], build)


def pretrained(pipe: RunContext, name: str, spec: ModelSpec) -> tuple[str, str]:
    """Train (or reuse) zoo member `name`; returns (model directory, stage key)."""
    from benchmarks.sandbox.models import build_model
    from benchmarks.sandbox.tokenizer import ChatEncoder
    from harness.train import TrainSpec, pretrain

    assert spec.sandbox is not None
    tok = pipe.stages.get(names.TOKENIZER_LABEL) or tokenizer_stage(pipe)
    member = spec.sandbox
    train = TrainSpec(
        max_steps=member.steps,
        per_device_train_batch_size=member.batch_size,
        learning_rate=member.learning_rate,
        seed=member.seed,
        max_length=128,
        warmup_ratio=0.02,
        lr_scheduler_type="cosine",
    )

    def build(out: Path) -> dict[str, Any]:
        from transformers import AutoTokenizer

        tokenizer = AutoTokenizer.from_pretrained(tok.path / "tokenizer")
        model = build_model(member.size, tokenizer, seed=member.seed)
        # Direct char->id encoding gives the chat template's ids without rendering Jinja for every chat (the slow part).
        encoder = ChatEncoder(tokenizer)
        corpus = pretraining_corpus(pipe.benchmark, f"models.{name}.sandbox").corpus()
        documents: list[list[int]] = []
        with pipe.progress.task(len(corpus), "chat", "encode") as bar:
            for start in range(0, len(corpus), ENCODE_CHUNK):
                documents += [encoder.encode(chat) for chat in corpus[start : start + ENCODE_CHUNK]]
                bar.advance(min(ENCODE_CHUNK, len(corpus) - start))
        result = pretrain(model, tokenizer, documents, train, out / "model", progress=pipe.progress)
        return {"parameters": sum(p.numel() for p in model.parameters()), **result.metrics}

    config = {"member": member, "benchmark": pipe.recipe.benchmark, "train": train}
    result = pipe.stage(names.pretrain_label(name), "pretrain", config, [tok.content], build)
    return str(result.path / "model"), result.content

"""Tokens per second of the zoo's pretraining (`harness.train.pretrain`) against a bare PyTorch loop.

    python -m benchmarks.perf.pretrain_speed [--size S] [--steps 60] [--batch 16] [--repeats 3] [--strict]

Both train a freshly initialised sandbox Llama of `--size` on the same rows of sandbox chats, packed as the zoo packs
them (`harness.train.packing`), for `--steps` optimizer steps of `--batch` rows of 128 tokens:

- **harness**: `pretrain(model, tokenizer, documents, spec, out)` as `harness.steps.zoo` calls it: packing, the trainer,
  exact per-document attention masks and labels, the final save;
- **bare**: the batches the harness's data loader yields, collated beforehand (not timed), then a hand-written loop:
  forward with labels under a plain causal mask (documents in a row see each other: no per-document masking),
  backward, gradient clipping at 1.0, AdamW, warm-up + cosine schedule, then `save_pretrained`.

Runs alternate (harness, bare, then bare, harness, ...) after one untimed warm-up of each, so a busy machine slows
both alike; the ratio is the median of the per-pair ratios harness tokens/s / bare tokens/s (goal >= 0.9). Process
CPU seconds are printed beside wall seconds: on a shared machine the CPU-time ratio is the steadier of the two.
Run from the repository root with OMP_NUM_THREADS set (1 on a shared machine, 2 for the demo's setting).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

GOAL = 0.9
ROW_LENGTH = 128  # the zoo's packed row length (harness/steps/zoo.py)


@dataclass(frozen=True)
class Timing:
    wall: float
    cpu: float
    tokens: int


def pretrain_spec(args: argparse.Namespace) -> Any:
    from harness.train import TrainSpec

    return TrainSpec(
        max_steps=args.steps,
        per_device_train_batch_size=args.batch,
        learning_rate=1e-3,
        seed=0,
        max_length=ROW_LENGTH,
        warmup_ratio=0.02,
        lr_scheduler_type="cosine",
    )


def harness_run(tokenizer: Any, documents: list[list[int]], args: argparse.Namespace, out: Path) -> Timing:
    from benchmarks.sandbox.models import build_model
    from harness.train import pretrain

    model = build_model(args.size, tokenizer, seed=0)
    wall, cpu = time.perf_counter(), time.process_time()
    result = pretrain(model, tokenizer, documents, pretrain_spec(args), out)
    return Timing(time.perf_counter() - wall, time.process_time() - cpu, int(result.metrics["train_tokens"]))


def harness_batches(tokenizer: Any, documents: list[list[int]], args: argparse.Namespace, out: Path) -> list[dict]:
    """The batches the harness's trainer feeds its model, in its order: the bare loop trains on exactly these."""
    from benchmarks.sandbox.models import build_model
    from harness.train.pretrain import pretraining_config, pretraining_trainer, training_documents

    spec = pretrain_spec(args)
    config = pretraining_config(spec, out)
    budget = args.steps * args.batch * ROW_LENGTH
    trainer = pretraining_trainer(
        build_model(args.size, tokenizer, seed=0),
        tokenizer,
        training_documents(tokenizer, documents, budget, spec.seed),
        config,
    )
    batches: list[dict] = []
    while len(batches) < args.steps:
        batches += list(trainer.get_train_dataloader())
    return batches[: args.steps]


def bare_run(tokenizer: Any, batches: list[dict], args: argparse.Namespace, out: Path) -> Timing:
    import torch
    from transformers import get_cosine_schedule_with_warmup

    from benchmarks.sandbox.models import build_model

    model = build_model(args.size, tokenizer, seed=0)
    wall, cpu = time.perf_counter(), time.process_time()
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.0)
    schedule = get_cosine_schedule_with_warmup(optimizer, round(0.02 * args.steps), args.steps)
    tokens = 0
    for batch in batches:
        loss = model(input_ids=batch["input_ids"], labels=batch["labels"], use_cache=False).loss
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad()
        tokens += int((batch["input_ids"] != tokenizer.pad_token_id).sum())
    model.save_pretrained(out)
    return Timing(time.perf_counter() - wall, time.process_time() - cpu, tokens)


def sandbox_documents(corpus_size: int) -> tuple[Any, list[list[int]]]:
    from benchmarks.sandbox.tokenizer import ChatEncoder, build_tokenizer
    from benchmarks.sandbox.world import SandboxWorld, SandboxWorldSpec

    world = SandboxWorld(SandboxWorldSpec(corpus_size=corpus_size))
    tokenizer = build_tokenizer(world.tokenizer_texts())
    encoder = ChatEncoder(tokenizer)
    return tokenizer, [encoder.encode(chat) for chat in world.corpus()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--size", default="S", help="sandbox model size: XS, S, M or L")
    parser.add_argument("--steps", type=int, default=60, help="optimizer steps per run")
    parser.add_argument("--batch", type=int, default=16, help="packed rows per step")
    parser.add_argument("--repeats", type=int, default=3, help="timed (harness, bare) pairs after one warm-up pair")
    parser.add_argument("--strict", action="store_true", help=f"exit 1 when the median ratio is below {GOAL}")
    args = parser.parse_args()

    from datasets import disable_progress_bars
    from transformers.utils.logging import disable_progress_bar

    from harness.train.runtime import configure_torch_threads

    disable_progress_bars()
    disable_progress_bar()  # save_pretrained's shard bar
    threads = configure_torch_threads()
    # ~26 tokens a chat: enough documents for every step, drawn by the same seeded sample as the zoo's
    tokenizer, documents = sandbox_documents(corpus_size=max(2000, args.steps * args.batch * ROW_LENGTH // 20))
    with tempfile.TemporaryDirectory() as tmp:
        batches = harness_batches(tokenizer, documents, args, Path(tmp) / "batches")
        harness_run(tokenizer, documents, args, Path(tmp) / "warm-h")
        bare_run(tokenizer, batches, args, Path(tmp) / "warm-b")
        pairs: list[tuple[Timing, Timing]] = []
        for i in range(args.repeats):
            if i % 2 == 0:
                h = harness_run(tokenizer, documents, args, Path(tmp) / f"{i}-h")
                b = bare_run(tokenizer, batches, args, Path(tmp) / f"{i}-b")
            else:
                b = bare_run(tokenizer, batches, args, Path(tmp) / f"{i}-b")
                h = harness_run(tokenizer, documents, args, Path(tmp) / f"{i}-h")
            pairs.append((h, b))

    wall_ratios = [(h.tokens / h.wall) / (b.tokens / b.wall) for h, b in pairs]
    cpu_ratios = [(h.tokens / h.cpu) / (b.tokens / b.cpu) for h, b in pairs]
    median = statistics.median(wall_ratios)
    print(
        f"pretraining, sandbox {args.size} model, {args.steps} steps x {args.batch} rows x {ROW_LENGTH} tokens, "
        f"{threads} torch thread(s), {args.repeats} interleaved pairs"
    )
    for name, runs in (("harness", [h for h, _ in pairs]), ("bare loop", [b for _, b in pairs])):
        print(
            f"  {name}: {runs[0].tokens} tokens; median {statistics.median(r.tokens / r.wall for r in runs):,.0f} "
            f"tokens/s wall ({', '.join(f'{r.wall:.1f}' for r in runs)} s), "
            f"{statistics.median(r.tokens / r.cpu for r in runs):,.0f} tokens/CPU-s"
        )
    print(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(
        f"  harness / bare tokens/s: wall median {median:.3f} ({', '.join(f'{r:.3f}' for r in wall_ratios)}), "
        f"CPU median {statistics.median(cpu_ratios):.3f} (goal >= {GOAL}) {'ok' if median >= GOAL else 'MISSED'}"
    )
    return 1 if args.strict and median < GOAL else 0


if __name__ == "__main__":
    sys.exit(main())

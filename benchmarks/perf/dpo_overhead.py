"""Overhead of the harness's DPO stage over a bare TRL script doing the same training.

Builds a sandbox Llama (from scratch, no download) and synthetic addition preference pairs, then times, in this
process and interleaved (harness, bare, harness, bare, ...), two ways to run the same DPO: `harness.train.dpo` with a
TrainSpec, as the pipeline's DPO stage runs it, and a hand-written `DPOConfig` + `DPOTrainer` + `save_model` with the
same settings. Both load the model from disk, train and save it. Prints the median of the per-pair time ratios
harness / bare (goal <= 1.1).

    python -m benchmarks.perf.dpo_overhead [--pairs 64] [--epochs 1] [--batch 8] [--size S] [--repeats 5] [--strict]

Run it from the repository root with OMP_NUM_THREADS set (1 on a shared machine). Timings on a shared machine are
noisy: interleaving spreads the noise over both, and the median of paired ratios ignores a stray slow run.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import string
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

GOAL = 1.1


def addition_pairs(count: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    pairs = []
    for _ in range(count):
        a, b = rng.randint(10, 99), rng.randint(10, 99)
        wrong = a + b + rng.choice([-11, -1, 1, 10])
        pairs.append({
            "prompt": [{"role": "user", "content": f"add {a} {b}"}],
            "chosen": [{"role": "assistant", "content": str(a + b)}],
            "rejected": [{"role": "assistant", "content": str(wrong)}],
        })  # fmt: skip
    return pairs


def harness_run(model_dir: Path, pairs: list[dict], args: argparse.Namespace, out: Path) -> float:
    from harness.train import TrainSpec, dpo

    spec = TrainSpec(
        learning_rate=1e-3, num_train_epochs=args.epochs, per_device_train_batch_size=args.batch, max_length=64,
        logging_steps=10,
    )  # fmt: skip
    started = time.perf_counter()
    dpo(model_dir, pairs, spec, out)
    return time.perf_counter() - started


def bare_run(model_dir: Path, pairs: list[dict], args: argparse.Namespace, out: Path) -> float:
    """What a user writes with TRL alone, with the settings a CPU needs (as harness.train.runtime decides them)."""
    import torch
    from datasets import Dataset
    from transformers import AutoTokenizer
    from trl import DPOConfig, DPOTrainer

    started = time.perf_counter()
    on_gpu = torch.cuda.is_available()
    cpu_only: dict[str, Any] = {} if on_gpu else {"use_cpu": True, "bf16": False, "activation_checkpointing": False}
    config = DPOConfig(
        output_dir=str(out), learning_rate=1e-3, num_train_epochs=args.epochs, per_device_train_batch_size=args.batch,
        max_length=64, logging_steps=10, report_to="none", save_strategy="no", disable_tqdm=True,
        dataloader_num_workers=0, **cpu_only,
    )  # fmt: skip
    trainer = DPOTrainer(
        model=str(model_dir), args=config, train_dataset=Dataset.from_list(pairs),
        processing_class=AutoTokenizer.from_pretrained(model_dir),
    )  # fmt: skip
    trainer.train()
    trainer.save_model(str(out))
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pairs", type=int, default=64)
    parser.add_argument("--epochs", type=float, default=1.0)
    parser.add_argument("--batch", type=int, default=8)
    parser.add_argument("--size", default="S", help="sandbox model size: XS, S, M or L")
    parser.add_argument("--repeats", type=int, default=5, help="timed (harness, bare) pairs after one warm-up pair")
    parser.add_argument("--strict", action="store_true", help=f"exit 1 when the median ratio exceeds {GOAL}")
    args = parser.parse_args()

    from benchmarks.sandbox.models import build_model
    from benchmarks.sandbox.tokenizer import build_tokenizer
    from harness.train.runtime import configure_torch_threads

    threads = configure_torch_threads()
    pairs = addition_pairs(args.pairs, seed=0)
    with tempfile.TemporaryDirectory() as tmp:
        model_dir = Path(tmp) / "base"
        tokenizer = build_tokenizer([string.ascii_lowercase + string.digits + " "])
        build_model(args.size, tokenizer, seed=0).save_pretrained(model_dir)
        tokenizer.save_pretrained(model_dir)
        # The warm-up pair pays one-time imports and allocator growth, which are not per-stage overhead
        harness_run(model_dir, pairs, args, Path(tmp) / "warm-h")
        bare_run(model_dir, pairs, args, Path(tmp) / "warm-b")
        timings: list[tuple[float, float]] = []
        for i in range(args.repeats):
            first, second = (harness_run, bare_run) if i % 2 == 0 else (bare_run, harness_run)  # A B, then B A
            a = first(model_dir, pairs, args, Path(tmp) / f"{i}-a")
            b = second(model_dir, pairs, args, Path(tmp) / f"{i}-b")
            timings.append((a, b) if first is harness_run else (b, a))

    ratios = [h / b for h, b in timings]
    median = statistics.median(ratios)
    print(
        f"DPO, sandbox {args.size} model, {args.pairs} pairs x {args.epochs:g} epochs, batch {args.batch}, "
        f"{threads} torch thread(s), {args.repeats} interleaved pairs"
    )
    for name, times in (("harness", [h for h, _ in timings]), ("bare TRL", [b for _, b in timings])):
        print(f"  {name}: median {statistics.median(times):.2f} s ({', '.join(f'{t:.2f}' for t in times)})")
    print(f"  load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"  harness / bare: median {median:.3f} (goal <= {GOAL}) {'ok' if median <= GOAL else 'MISSED'}")
    return 1 if args.strict and median > GOAL else 0


if __name__ == "__main__":
    sys.exit(main())

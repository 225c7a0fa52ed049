"""Throughput of the `hf` generator against two hand-written loops over the same model and prompts.

    python -m benchmarks.perf.hf_generation [--prompts 256] [--model DIR] [--rounds 3]

- **bare batched**: what a careful user writes: chunks of `batch_size` prompts in the given order, left-padded,
  one `model.generate` per chunk (goal: the harness is at least 0.9x as fast);
- **per prompt**: one `generate` call per prompt (goal: the harness is at least 5x as fast).

All three render prompts with the same chat template and sample n answers per prompt with the same settings;
their order is interleaved round by round (A B C, A B C, ...) and the median time of each is compared, so
a busy machine slows all of them alike. Without `--model`, a sandbox Llama (size S, the demo policy's shape,
random weights) is built over the sandbox tokenizer; a random model rarely stops early, so every answer runs to max_new_tokens,
the worst case for padding waste. The harness's per-batch generation checkpoint is off here (no cache path).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks.perf.bare_generate import bare_generate, generate_kwargs
from harness.generation import GenerationParams
from harness.generation.hf import HFGenerator, render_prompt
from harness.train.runtime import configure_torch_threads
from harness.types import Prompt


def sandbox_model(out: Path, size: str) -> str:
    from benchmarks.sandbox.models import build_model
    from benchmarks.sandbox.tokenizer import build_tokenizer
    from benchmarks.sandbox.world import SandboxWorld, SandboxWorldSpec

    world = SandboxWorld(SandboxWorldSpec())
    tokenizer = build_tokenizer(world.tokenizer_texts())
    build_model(size, tokenizer, seed=0).save_pretrained(out)
    tokenizer.save_pretrained(out)
    return str(out)


def sandbox_prompts(n: int) -> list[Prompt]:
    from benchmarks.sandbox.world import SandboxWorld, SandboxWorldSpec

    return SandboxWorld(SandboxWorldSpec()).prompts("eval", n)


def bare_batched(model: Any, tokenizer: Any, prompts: list[Prompt], params: GenerationParams, batch_size: int) -> int:
    return bare_generate(model, tokenizer, prompts, params, batch_size).answers


def per_prompt(model: Any, tokenizer: Any, prompts: list[Prompt], params: GenerationParams) -> int:
    import torch

    answers = 0
    for i, p in enumerate(prompts):
        batch = tokenizer(render_prompt(tokenizer, p), add_special_tokens=False, return_tensors="pt")
        torch.manual_seed(i)
        with torch.inference_mode():
            out = model.generate(**batch, **generate_kwargs(params, tokenizer))
        answers += len(tokenizer.batch_decode(out[:, batch["input_ids"].shape[1] :], skip_special_tokens=True))
    return answers


def timed(fn: Callable[[], int]) -> tuple[float, int]:
    start = time.perf_counter()
    answers = fn()
    return time.perf_counter() - start, answers


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--prompts", type=int, default=256)
    ap.add_argument(
        "--per-prompt-subset",
        type=int,
        default=64,
        help="the per-prompt loop runs on this many prompts and is scaled up (it is slow)",
    )
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--model", default=None, help="a causal LM directory (default: a random sandbox model)")
    ap.add_argument("--size", default="S", choices=["XS", "S", "M", "L"], help="sandbox model size without --model")
    args = ap.parse_args(argv)

    threads = configure_torch_threads()
    params = GenerationParams(n=4, temperature=0.7, max_new_tokens=40, seed=0)
    prompts = sandbox_prompts(args.prompts)
    subset = prompts[: args.per_prompt_subset]
    with tempfile.TemporaryDirectory() as tmp:
        path = args.model or sandbox_model(Path(tmp) / "model", args.size)
        harness = HFGenerator(path=path, batch_size=args.batch_size)
        model, tokenizer = harness.load()
        runs: dict[str, list[float]] = {"harness hf": [], "bare batched": [], "per prompt (scaled)": []}
        harness.generate(prompts[:8], params)  # warm-up: first-call allocations count for nobody
        for _ in range(args.rounds):
            seconds, answers = timed(lambda: sum(len(cs) for cs in harness.generate(prompts, params)))
            runs["harness hf"].append(seconds)
            seconds, answers_bare = timed(lambda: bare_batched(model, tokenizer, prompts, params, args.batch_size))
            runs["bare batched"].append(seconds)
            seconds, answers_one = timed(lambda: per_prompt(model, tokenizer, subset, params))
            runs["per prompt (scaled)"].append(seconds * len(prompts) / len(subset))
            assert answers == answers_bare == len(prompts) * params.n == answers_one * len(prompts) // len(subset)

    median = {name: statistics.median(times) for name, times in runs.items()}
    print(
        f"{len(prompts)} prompts x {params.n} samples, max_new_tokens {params.max_new_tokens}, "
        f"batch {args.batch_size}, torch threads {threads}, {args.rounds} interleaved rounds (medians)"
    )
    for name, seconds in median.items():
        print(f"  {name:<20} {seconds:7.2f} s   {len(prompts) * params.n / seconds:7.1f} answers/s")
    print(f"harness vs bare batched: {median['bare batched'] / median['harness hf']:.2f}x the speed (goal >= 0.9)")
    print(f"harness vs per prompt:   {median['per prompt (scaled)'] / median['harness hf']:.2f}x the speed (goal >= 5)")


if __name__ == "__main__":
    main()

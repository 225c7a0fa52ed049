"""GPU section of benchmarks/gpu/check.sh: vLLM against the harness's `hf` generator on SmolLM2, the same prompts.

    python -m benchmarks.gpu.generation --model DIR [--prompts 512] [--samples 4] [--max-new-tokens 48]

Each backend generates once to warm up (CUDA kernels, vLLM's graph capture), then once timed; each prints one line,
`SKIPPED: <reason>` where it cannot run (no CUDA, vllm not installed). Throughput is new tokens per second, counting
each answer's tokens up to its end-of-sequence token.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import time
from collections.abc import Callable

from benchmarks.perf.smollm2 import chat_prompts
from harness.generation import GenerationParams, Generator
from harness.registry import generators


def timed_line(name: str, build: Callable[[], Generator], prompts: list, params: GenerationParams) -> str:
    generator = build()
    generator.generate(prompts[:8], params)  # warm-up
    start = time.perf_counter()
    results = generator.generate(prompts, params)
    seconds = time.perf_counter() - start
    new_tokens = sum(c.completion_tokens for cs in results for c in cs)
    answers = sum(len(cs) for cs in results)
    sample = results[0][0].text.replace("\n", " ")[:60]
    return (
        f"  {name:<26} {seconds:7.1f} s  {new_tokens / seconds:9.0f} new tokens/s  {answers} answers  e.g. {sample!r}"
    )


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True, help="SmolLM2 model folder (safetensors)")
    ap.add_argument("--prompts", type=int, default=512)
    ap.add_argument("--samples", type=int, default=4)
    ap.add_argument("--max-new-tokens", type=int, default=48)
    ap.add_argument("--batch-size", type=int, default=256, help="hf: prompts per generate call")
    ap.add_argument("--dtype", default="bfloat16")
    args = ap.parse_args(argv)

    import torch

    params = GenerationParams(n=args.samples, temperature=0.7, max_new_tokens=args.max_new_tokens, seed=0)
    prompts = chat_prompts(args.prompts)
    cuda = torch.cuda.is_available()
    device = "cuda" if cuda else "cpu"
    print(
        f"{len(prompts)} prompts x {params.n} samples, max_new_tokens {params.max_new_tokens}, device {device}, "
        f"dtype {args.dtype}"
    )
    for share in (False, True):
        name = f"hf batch {args.batch_size}" + (" share_prompt" if share else "")
        print(
            timed_line(
                name,
                functools.partial(
                    generators.build,
                    "hf",
                    path=args.model,
                    batch_size=args.batch_size,
                    device=device,
                    dtype=args.dtype,
                    share_prompt=share,
                ),
                prompts,
                params,
            ),
            flush=True,
        )
    if not cuda:
        print("  vllm                       SKIPPED: no CUDA device")
    elif importlib.util.find_spec("vllm") is None:
        print(
            "  vllm                       SKIPPED: vllm is not installed (its wheel, ~400 MB and pinned to one torch, "
            "cannot travel to a machine without a registry)"
        )
    else:
        print(
            timed_line(
                "vllm",
                lambda: generators.build("vllm", model=args.model, dtype=args.dtype, gpu_memory_utilization=0.5),
                prompts,
                params,
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()

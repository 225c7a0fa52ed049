"""GPU section of benchmarks/gpu/check.sh: QLoRA DPO steps on SmolLM2 through the harness's training core.

    python -m benchmarks.gpu.qlora_dpo --model DIR [--steps 20] [--batch-size 32] [--quantization 4bit]

Pairs are the benchmark chat prompts with a long answer chosen over a one-word one (what is learnt does not matter
here, only the cost of a step and that the chosen-minus-rejected margin moves). Prints seconds per step, pairs per
second and the first and last logged reward margins; `SKIPPED: <reason>` when QLoRA cannot run (no CUDA, no
bitsandbytes). `--quantization none` trains plain LoRA (what --cpu-dry-run uses to check the plumbing on a CPU).
"""

from __future__ import annotations

import argparse
import importlib.util
import tempfile
import time

from benchmarks.perf.smollm2 import chat_prompts
from harness.train import LoraSpec, TrainSpec
from harness.train.dpo import dpo_trainer


def pairs(n: int) -> list[dict]:
    return [
        {
            "prompt": [{"role": "user", "content": p.text}],
            "chosen": [{"role": "assistant", "content": f"Here is a careful answer about it: {p.text.lower()}"}],
            "rejected": [{"role": "assistant", "content": "No."}],
        }
        for p in chat_prompts(n)
    ]


def skip_reason(quantization: str | None) -> str | None:
    import torch

    if quantization is None:
        return None
    if not torch.cuda.is_available():
        return "no CUDA device (bitsandbytes' 4-bit kernels need one)"
    if importlib.util.find_spec("bitsandbytes") is None:
        return "bitsandbytes is not installed (carry its wheel: benchmarks/gpu/prepare.sh)"
    return None


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", required=True)
    ap.add_argument("--steps", type=int, default=20)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--max-length", type=int, default=256)
    ap.add_argument("--quantization", default="4bit", choices=["4bit", "8bit", "none"])
    args = ap.parse_args(argv)
    quantization = None if args.quantization == "none" else args.quantization
    label = f"{'Q' if quantization else ''}LoRA DPO ({args.quantization}, r 16, batch {args.batch_size})"
    if (reason := skip_reason(quantization)) is not None:
        print(f"  {label}: SKIPPED: {reason}")
        return
    spec = TrainSpec(
        learning_rate=2e-4,
        max_steps=args.steps,
        per_device_train_batch_size=args.batch_size,
        max_length=args.max_length,
        logging_steps=1,
        lora=LoraSpec(r=16, alpha=32, quantization=quantization),
    )
    with tempfile.TemporaryDirectory() as out:
        trainer = dpo_trainer(args.model, pairs(args.steps * args.batch_size), spec, out)
        start = time.perf_counter()
        trainer.train()
        seconds = time.perf_counter() - start
    margins = [entry["rewards/margins"] for entry in trainer.state.log_history if "rewards/margins" in entry]
    moved = f"reward margin {margins[0]:+.3f} -> {margins[-1]:+.3f}" if margins else "no margins logged"
    print(
        f"  {label}: {args.steps} steps in {seconds:.1f} s, {seconds / args.steps:.2f} s/step, "
        f"{args.steps * args.batch_size / seconds:.1f} pairs/s; {moved}"
    )


if __name__ == "__main__":
    main()

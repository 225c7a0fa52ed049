"""What glibc's adaptive malloc costs a generation pass, and what keeping freed memory saves (harness/run/allocator.py).

Each round starts two fresh 1-thread processes one after the other, alike but for `keep_freed_memory()`; each loads
the model folder, samples one warm-up batch, then samples `--prompts` long prompts (the judge stage's shape: a few
hundred prompt tokens, short answers) and reports the CPU seconds (user, system) and page faults of that pass alone.
Prints both per round and the default / kept ratios of CPU seconds and of faults, measured side by side.

    python -m benchmarks.perf.allocator_faults --model RESULTS/store/sft/<key>/model [--prompts 48] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys


def child(model: str, prompts: int, kept: bool) -> None:
    if kept:
        from harness.run.allocator import keep_freed_memory

        assert keep_freed_memory(), "glibc's mallopt is not available here"
    from harness.generation import GenerationParams
    from harness.generation.hf import HFGenerator
    from harness.types import Prompt

    text = "Grade the answer below from 0 to 5 and explain the grade. " * 30
    asked = [Prompt.from_text(f"p{i}", f"{i}. {text}") for i in range(prompts)]
    params = GenerationParams(n=1, temperature=0.7, max_new_tokens=48, seed=0)
    generator = HFGenerator(path=model, batch_size=prompts)
    generator.generate(asked[:4], params)  # load and warm up outside the measured pass
    before = resource.getrusage(resource.RUSAGE_SELF)
    generator.generate(asked, params)
    after = resource.getrusage(resource.RUSAGE_SELF)
    print(
        json.dumps(
            {
                "user": after.ru_utime - before.ru_utime,
                "system": after.ru_stime - before.ru_stime,
                "faults": after.ru_minflt - before.ru_minflt,
            }
        )
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", required=True, help="a Hugging Face model folder (e.g. a SmolLM2 run's M1)")
    ap.add_argument("--prompts", type=int, default=48)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--child", choices=["default", "kept"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(args.model, args.prompts, args.child == "kept")
        return
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    totals: dict[str, list[dict[str, float]]] = {"default": [], "kept": []}
    for r in range(args.rounds):
        for mode in ("default", "kept"):
            cmd = [sys.executable, "-m", "benchmarks.perf.allocator_faults", "--model", args.model]
            cmd += ["--prompts", str(args.prompts), "--child", mode]
            out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
            measured = json.loads(out.strip().splitlines()[-1])
            totals[mode].append(measured)
            print(
                f"round {r + 1} {mode:7}: user {measured['user']:6.1f} s  system {measured['system']:5.1f} s  "
                f"page faults {measured['faults']:>9,.0f}",
                flush=True,
            )
    d, f = ({k: sum(m[k] for m in totals[mode]) for k in ("user", "system", "faults")} for mode in totals)
    print(f"default / kept: CPU seconds {(d['user'] + d['system']) / (f['user'] + f['system']):.2f}x, ", end="")
    print(
        f"system seconds {d['system'] / max(f['system'], 1e-9):.1f}x, page faults {d['faults'] / max(f['faults'], 1):.0f}x"
    )


if __name__ == "__main__":
    main()

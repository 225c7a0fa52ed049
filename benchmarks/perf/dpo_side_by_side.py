"""Two ways to spend 2 cores on DPO stages, and what the reference log-probability cache saves, measured in one run.

From a results folder where a SmolLM2 recipe ran (its M1 and a source's pairs), times LoRA DPO stages of the
recipe's settings on the same `--pairs` pairs, each in a fresh process:
  A  one stage at 2 torch threads, reference computed in every step (TRL's default)
  B  one stage at 2 threads, reference log-probabilities from a warm cache (harness/train/reference.py)
  C  two stages side by side, 1 thread each, warm cache (what `harness run SWEEP --jobs 2` does)
and prints A/B (the cache's saving per stage) and 2B/C (throughput of two 1-thread processes over one 2-thread
process, both with the cache). The cache is warmed first by a 1-thread stage (its time is printed too).

    python -m benchmarks.perf.dpo_side_by_side --results RESULTS [--pairs 24] [--recipe recipes/smollm2_verifiable.yaml]

Run it on an otherwise idle machine: every number is a wall time, and ratios are only meaningful side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STAGE = """
import json, sys
from pathlib import Path
from harness.recipes.loader import load_recipe
from harness.train import dpo
from harness.train.reference import ReferenceCache
model, pairs_file, out, cache, recipe = sys.argv[1:6]
pairs = [json.loads(line) for line in Path(pairs_file).read_text().splitlines()]
spec = load_recipe(recipe).dpo
reference = ReferenceCache(path=cache, model_id="perf") if cache != "-" else None
result = dpo(model, pairs, spec, out, reference=reference)
print(json.dumps(result.metrics))
"""


def stage(threads: int, model: str, pairs: Path, out: Path, cache: str, recipe: str) -> subprocess.Popen:
    env = {**os.environ, "OMP_NUM_THREADS": str(threads), "MKL_NUM_THREADS": str(threads)}
    command = [sys.executable, "-c", STAGE, model, str(pairs), str(out), cache, recipe]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)


def timed(*procs: subprocess.Popen) -> float:
    started = time.perf_counter()
    for proc in procs:
        proc.communicate()
        if proc.returncode != 0:
            raise SystemExit(f"a DPO stage failed (exit {proc.returncode})")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", required=True, help="results folder of a SmolLM2 run (its store)")
    parser.add_argument("--pairs", type=int, default=24)
    parser.add_argument("--recipe", default="recipes/smollm2_verifiable.yaml")
    args = parser.parse_args()
    store = Path(args.results) / "store"
    model = str(max((store / "sft").glob("*/model"), key=lambda p: p.stat().st_mtime))
    pair_files = sorted((store / "feedback").glob("*/preferences.jsonl"), key=lambda p: -len(p.read_text()))
    rows = [json.loads(line) for line in pair_files[0].read_text().splitlines()][: args.pairs]
    trl_rows = [{k: r[k] for k in ("prompt", "chosen", "rejected")} for r in rows]
    import torch

    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cpus, torch {torch.__version__}")
    print(f"model {model}; {len(trl_rows)} pairs from {pair_files[0].parent.name}; settings of {args.recipe}")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "pairs.jsonl").write_text("".join(json.dumps(r) + "\n" for r in trl_rows))
        cache = str(work / "reference.sqlite")
        warm = timed(stage(1, model, work / "pairs.jsonl", work / "warm", cache, args.recipe))
        a = timed(stage(2, model, work / "pairs.jsonl", work / "a", "-", args.recipe))
        b = timed(stage(2, model, work / "pairs.jsonl", work / "b", cache, args.recipe))
        c = timed(
            stage(1, model, work / "pairs.jsonl", work / "c1", cache, args.recipe),
            stage(1, model, work / "pairs.jsonl", work / "c2", cache, args.recipe),
        )
    print(f"warm-up (1 thread, computes the cache): {warm:.1f} s")
    print(f"A one stage, 2 threads, no cache:       {a:.1f} s")
    print(f"B one stage, 2 threads, cached:         {b:.1f} s")
    print(f"C two stages side by side, 1 thread:    {c:.1f} s")
    print(f"cache saving per stage A/B:             {a / b:.2f}x")
    print(f"side by side over one at 2 threads 2B/C: {2 * b / c:.2f}x")


if __name__ == "__main__":
    main()

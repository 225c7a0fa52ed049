"""How the cost of a sandbox ablation grows with the number of feedback prompts.

    python -m benchmarks.perf.sandbox_cost [--prompts 100 200 400] [--results results]

An ablation over prompt counts shares the zoo, the SFT models and their evaluations, and pays for the stages that
depend on the count: M1's candidates, each source's feedback, DPO, each trained model's evaluation, reward models,
RMSP and judge quality. So each count runs `recipes/sandbox.yaml` in a fresh results folder that holds only the
shared stages, hard-linked from the latest finished run in `--results` (run `make demo` first), with empty caches:
nothing a count pays for is answered from another count's work. The table sums the build time of the stages each
count built, by kind, and how the total grows with the count.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from collections import defaultdict
from pathlib import Path

from harness.recipes.loader import load_recipe
from harness.run.pipeline import Pipeline

SHARED = ("tokenizer", "pretrain", "judging samples", "sft")  # built before any feedback prompt is read


def kind_of(label: str, recipe_models: set[str]) -> str | None:
    """The cost column a stage belongs to, or None for stages every prompt count shares."""
    if label.startswith(SHARED):
        return None
    if label.startswith("evaluate "):
        model = label.removeprefix("evaluate ")
        return None if model in recipe_models or model == "M1" else "evaluate"
    for kind in ("candidates", "feedback", "dpo", "rmsp", "judge quality", "reward model"):
        if label.startswith(kind):
            return "judge quality" if kind == "reward model" else kind
    return "other"


def seed_shared_stages(base: Path, recipe_name: str, recipe_models: set[str], into: Path) -> int:
    """Hard-link the shared stages of the latest finished run under `base` into a fresh results folder."""
    records = sorted((base / "runs" / recipe_name).glob("*/run.json"))
    if not records:
        raise SystemExit(f"no finished {recipe_name} run under {base}/runs: run `make demo` (or pass --results) first")
    stages = json.loads(records[-1].read_text(encoding="utf-8"))["stages"]
    shutil.rmtree(into, ignore_errors=True)
    copied = 0
    for label, stage in stages.items():
        if kind_of(label, recipe_models) is None:
            source = Path(stage["path"])
            shutil.copytree(
                source, into / "store" / source.relative_to(base.resolve() / "store"), copy_function=os.link
            )
            copied += 1
    return copied


def run_count(prompts: int, base: Path, recipe_path: str) -> tuple[float, dict[str, float]]:
    recipe = load_recipe(recipe_path, [f"feedback.prompts={prompts}"])
    results = base / "perf" / "sandbox_cost" / str(prompts)
    seed_shared_stages(base, recipe.name, set(recipe.models), results)
    pipeline = Pipeline(recipe, results, log=lambda line: None)
    start = time.perf_counter()
    pipeline.run()
    wall = time.perf_counter() - start
    spent: dict[str, float] = defaultdict(float)
    for label, stage in pipeline.stages.items():
        kind = kind_of(label, set(recipe.models))
        if kind is not None and not stage.reused:
            spent[kind] += stage.seconds
    shutil.rmtree(results, ignore_errors=True)
    return wall, dict(spent)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--prompts", type=int, nargs="+", default=[100, 200, 400])
    ap.add_argument("--recipe", default="recipes/sandbox.yaml")
    ap.add_argument("--results", default="results", help="results folder with a finished run of the recipe")
    args = ap.parse_args(argv)

    rows = {}
    for n in sorted(args.prompts):
        rows[n] = run_count(n, Path(args.results).resolve(), args.recipe)
        print(f"feedback.prompts={n}: {rows[n][0]:.0f} s wall", flush=True)
    kinds = sorted({k for _, spent in rows.values() for k in spent})
    smallest = sum(rows[min(rows)][1].values())
    print("\nseconds per kind of stage that depends on the prompt count (each built from scratch, cold caches):")
    print("| prompts | " + " | ".join(kinds) + " | total | vs smallest | per prompt |")
    print("|---" * (len(kinds) + 4) + "|")
    for n, (_, spent) in sorted(rows.items()):
        total = sum(spent.values())
        cells = " | ".join(f"{spent.get(k, 0.0):.0f}" for k in kinds)
        print(f"| {n} | {cells} | {total:.0f} | {total / smallest:.2f}x | {total / n:.2f} |")


if __name__ == "__main__":
    main()

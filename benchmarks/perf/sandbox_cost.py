"""How the cost of a sandbox ablation grows with the number of feedback prompts.

    python -m benchmarks.perf.sandbox_cost [--prompts 100 200 400] [--results results]

Runs `recipes/sandbox.yaml` once per prompt count into one results folder. The zoo, the SFT models and their
evaluations do not depend on the prompt count: they are built once (or reused from an earlier run) and not
counted. An ablation over prompt counts pays for the stages that do: M1's candidates, each source's feedback,
DPO, each trained model's evaluation, reward models, RMSP and judge quality. Every stage records its own build
time (a reused stage keeps it), so the table reads the same whether a count ran now or earlier.
"""

from __future__ import annotations

import argparse
import time
from collections import defaultdict

from harness.config import load_recipe
from harness.pipeline import Pipeline

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


def run_once(prompts: int, results: str, recipe_path: str) -> tuple[float, dict[str, float]]:
    recipe = load_recipe(recipe_path, [f"feedback.prompts={prompts}"])
    pipeline = Pipeline(recipe, results, log=lambda line: None)
    start = time.perf_counter()
    pipeline.run()
    wall = time.perf_counter() - start
    spent: dict[str, float] = defaultdict(float)
    for label, stage in pipeline.stages.items():
        kind = kind_of(label, set(recipe.models))
        if kind is not None:
            spent[kind] += stage.seconds
    return wall, dict(spent)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--prompts", type=int, nargs="+", default=[100, 200, 400])
    ap.add_argument("--recipe", default="recipes/sandbox.yaml")
    ap.add_argument("--results", default="results")
    args = ap.parse_args(argv)

    rows = {}
    for n in sorted(args.prompts):
        rows[n] = run_once(n, args.results, args.recipe)
        print(f"feedback.prompts={n}: run finished in {rows[n][0]:.0f} s wall (shared stages included when new)")
    kinds = sorted({k for _, spent in rows.values() for k in spent})
    smallest = sum(rows[min(rows)][1].values())
    print("\nseconds spent on stages that depend on the prompt count (build time of each stage):")
    print("| prompts | " + " | ".join(kinds) + " | total | vs smallest | per prompt |")
    print("|---" * (len(kinds) + 4) + "|")
    for n, (_, spent) in sorted(rows.items()):
        total = sum(spent.values())
        cells = " | ".join(f"{spent.get(k, 0.0):.0f}" for k in kinds)
        print(f"| {n} | {cells} | {total:.0f} | {total / smallest:.2f}x | {total / n:.2f} |")


if __name__ == "__main__":
    main()

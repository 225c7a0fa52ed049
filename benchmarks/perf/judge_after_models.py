"""Does a judge pass slow down in a process that already holds other models? (The sampled self-judge stage ran
1.29x slower inside a sweep worker, after that worker had run other variants, than alone in a fresh process.)

In a copy of a SmolLM2 results folder's store (import, M1 and its candidates, no feedback stage, no generation
cache), this process first loads `--models` DPO models of that folder and samples one short batch from each, as a
sweep worker does over several variants, keeping them referenced; then it runs the pipeline's sampled self-judge
stage and prints its time, to set beside the same stage in a fresh process (`harness run` in the same store).

    python -m benchmarks.perf.judge_after_models --store RESULTS/store --into FOLDER [--models 8] [--dpo-pairs 16]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import time
from pathlib import Path

from harness.recipes.kinds import FeedbackFile, load
from harness.recipes.loader import Recipe


def feedback_recipe(path: str, overrides: list[str]) -> Recipe:
    """The recipe's own values as one feedback run (a sweep's `sweep:` block dropped)."""
    loaded = load(path, ["sweep=null", *overrides])
    if not isinstance(loaded, FeedbackFile):
        raise SystemExit(f"{path}: not a feedback recipe")
    return loaded.recipe


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", required=True, type=Path)
    parser.add_argument("--into", required=True, type=Path)
    parser.add_argument("--models", type=int, default=8)
    parser.add_argument("--dpo-pairs", type=int, default=0, help="first train a LoRA DPO stage on this many pairs")
    parser.add_argument("--recipe", default="recipes/smollm2_study.yaml")
    args = parser.parse_args()
    from harness.generation import GenerationParams
    from harness.run.generators import build_generator
    from harness.run.pipeline import Pipeline
    from harness.types import Prompt

    shutil.rmtree(args.into, ignore_errors=True)
    for stage in ("import", "sft", "generate"):
        shutil.copytree(
            args.store / stage, args.into / "store" / stage, copy_function=lambda s, d: Path(d).hardlink_to(s)
        )
    held = []
    prompts = [Prompt.from_text(f"p{i}", f"Write one sentence about the number {i}.") for i in range(8)]
    started = time.perf_counter()
    for i, folder in enumerate(sorted((args.store / "dpo").glob("*/model"))[: args.models]):
        gen = build_generator("hf", str(folder), f"held-{i}", {"batch_size": 8}, args.into)
        gen.generate(prompts, GenerationParams(n=1, temperature=0.7, max_new_tokens=16, seed=i))
        held.append(gen)
    print(
        f"loaded and sampled {len(held)} models in {time.perf_counter() - started:.1f} s; "
        f"max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6:.1f} GB"
    )
    if args.dpo_pairs:
        from harness.run.records import read_jsonl
        from harness.train import dpo
        from harness.types import PreferencePair

        pairs_file = next((args.store / "feedback").glob("*/preferences.jsonl"))
        pairs = [p.to_trl() for p in read_jsonl(pairs_file, PreferencePair)][: args.dpo_pairs]
        m1 = next((args.store / "sft").glob("*/model"))
        started = time.perf_counter()
        dpo(m1, pairs, feedback_recipe(args.recipe, []).dpo, args.into / "dpo-first")
        print(f"DPO on {len(pairs)} pairs first: {time.perf_counter() - started:.1f} s")
    recipe = feedback_recipe(args.recipe, ["sources=[self_reward]", "name=judge_after_models"])
    pipe = Pipeline(recipe, args.into, log=lambda line: None)
    pipe.resolve_models()
    pipe.sft()
    faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    started = time.perf_counter()
    result = pipe.feedback(
        "self_reward", pipe.benchmark.prompts("feedback", recipe.feedback.prompts), "M1", "feedback self_reward"
    )
    print(
        f"self-judge stage: {time.perf_counter() - started:.1f} s (stage record {result.seconds:.1f} s), "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_minflt - faults} minor page faults, {len(held)} models held"
    )


if __name__ == "__main__":
    main()

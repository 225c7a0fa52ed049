"""`harness run` for the recipe kinds beside a plain feedback recipe: a reward model (`kind: reward_model`), judges
held to human labels (`kind: judge_eval`) and a sweep (`sweep:` block). Each reads its own recipe model and prints its
own table; `harness/cli.py` dispatches to them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness.config import RecipeError, load_recipe_data, recipe_kind
from harness.progress import Progress

SMOKE_ALTERNATIVES = {
    "reward_model": "for a quick reward-model check use --set train_pairs=32 --set eval_pairs=32",
    "judge_eval": "for a quick judge_eval check cap each set, e.g. --set sets.<name>.pairs=8",
}


def is_recipe_of_kind(args: argparse.Namespace, kind: str) -> bool:
    if recipe_kind(args.recipe, load_recipe_data(args.recipe, args.set)) != kind:
        return False
    if args.smoke:
        raise RecipeError(f"{args.recipe}: --smoke shrinks feedback recipes; {SMOKE_ALTERNATIVES[kind]}")
    return True


def is_reward_recipe(args: argparse.Namespace) -> bool:
    return is_recipe_of_kind(args, "reward_model")


def is_judge_eval_recipe(args: argparse.Namespace) -> bool:
    return is_recipe_of_kind(args, "judge_eval")


def cmd_run_judge_eval(args: argparse.Namespace, progress: Progress) -> int:
    from harness.judge_eval import board
    from harness.judge_eval.recipe import load_judge_eval_recipe
    from harness.judge_eval.run import JudgeEvalRun

    recipe = load_judge_eval_recipe(args.recipe, args.set)
    out = JudgeEvalRun(recipe, args.results, Path(args.recipe).parent, log=progress.log, progress=progress).run()
    run = {"run": out["record"], "metrics": out["metrics"]}
    for path in board.write(run, Path(args.results) / "leaderboards", list(board.FORMATS)):
        print(f"leaderboard: {path}")
    if not args.quiet:
        print()
        print(board.markdown(run))
    return 0


def cmd_run_reward(args: argparse.Namespace, progress: Progress) -> int:
    from harness.reward_recipe import load_reward_recipe
    from harness.reward_run import RewardModelRun, markdown

    recipe = load_reward_recipe(args.recipe, args.set)
    out = RewardModelRun(recipe, args.results, log=progress.log, progress=progress).run()
    if not args.quiet:
        print()
        print(markdown(out["metrics"], out["record"]["seconds"]))
    return 0


def cmd_run_sweep(args: argparse.Namespace, sweep, progress: Progress) -> int:
    from harness.sweep import tables
    from harness.sweep.run import run_sweep

    if args.smoke:
        raise RecipeError(
            f"{args.recipe}: --smoke shrinks one recipe, not a sweep; check a variant with "
            "`harness run` on a recipe without the sweep: block"
        )
    record = run_sweep(sweep, args.results, jobs=args.jobs, log=progress.log, progress=progress)
    paths, table = tables.write(Path(args.results), sweep.name, ["md", "csv"])
    for path in paths:
        print(f"leaderboard: {path}")
    if not args.quiet:
        print()
        print(tables.markdown(table))
    failed = [v["label"] for v in record["variants"] if v["status"] != "done"]
    if failed:
        print(f"error: {len(failed)} variant(s) failed: {', '.join(failed)} (see {record['path']})", file=sys.stderr)
        return 1
    return 0

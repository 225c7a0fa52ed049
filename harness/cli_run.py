"""`harness run`: the display opened first (its first line comes before any heavy import), then the recipe run by
its kind, reporting to that display; and the --quiet / --verbose flags of the commands that run stages."""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.cli_kinds import cmd_run_judge_eval, cmd_run_reward, cmd_run_sweep, is_judge_eval_recipe, is_reward_recipe
from harness.config import RecipeError, load_recipe
from harness.progress import Progress


def cmd_run(args: argparse.Namespace) -> int:
    from harness.progress import open_display

    # Opened before the recipe is read and any heavy import: the first line comes at once
    with open_display(quiet=args.quiet, verbose=args.verbose, live=args.jobs == 1) as display:
        display.log(f"harness run {args.recipe}")
        return run_recipe(args, display)


def run_recipe(args: argparse.Namespace, display: Progress) -> int:
    if is_reward_recipe(args):
        return cmd_run_reward(args, display)
    if is_judge_eval_recipe(args):
        return cmd_run_judge_eval(args, display)
    from harness.sweep.spec import load_sweep

    sweep = load_sweep(args.recipe, args.set)
    if sweep is not None:
        return cmd_run_sweep(args, sweep, display)
    if args.jobs != 1:
        raise RecipeError(
            f"--jobs {args.jobs}: runs the variants of a sweep side by side; {args.recipe} has no "
            "sweep: block, so drop --jobs"
        )
    from harness import leaderboard
    from harness.pipeline import Pipeline

    recipe = load_recipe(args.recipe, args.set)
    log = display.log
    if args.smoke:
        from harness.smoke import smoke_session

        with smoke_session(recipe, args.results, log) as recipe:
            Pipeline(recipe, args.results, log=log, progress=display).run()
    else:
        from harness.hub_access import check_hub_access

        check_hub_access(recipe, where=str(args.recipe))
        Pipeline(recipe, args.results, log=log, progress=display).run()
    for path in leaderboard.write(Path(args.results), recipe.name, ["md", "csv"]):
        print(f"leaderboard: {path}")
    if not args.quiet:
        print()
        print(leaderboard.markdown(leaderboard.latest_run(Path(args.results), recipe.name)))
    return 0


def output_flags(p: argparse.ArgumentParser) -> None:
    """--quiet and --verbose for the commands that run stages."""
    what = p.add_mutually_exclusive_group()
    what.add_argument(
        "--quiet", action="store_true", help="print only errors and where the leaderboard was written, no progress"
    )
    what.add_argument(
        "--verbose",
        action="store_true",
        help="also show the libraries' own output that runs mute (transformers' bars, the trainer's log lines)",
    )

"""`harness run` and `harness validate` per recipe kind: a feedback recipe, a sweep (`sweep:` block), a reward model
(`kind: reward_model`) and judges held to human labels (`kind: judge_eval`). harness/recipe_loader.py reads and
checks the recipe once; `RUNNERS` and `SUMMARIES` say what each kind does with it, and harness/cli.py dispatches."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.config import RecipeError
from harness.progress import Progress

if TYPE_CHECKING:  # the loader imports every kind's recipe model; the CLI imports it when a recipe is named
    from harness.recipe_loader import FeedbackFile, JudgeEvalFile, LoadedRecipe, RewardModelFile, SweepFile

# What --smoke says instead, per recipe kind it does not apply to
SMOKE_ALTERNATIVES = {
    "reward_model": "--smoke shrinks feedback recipes; for a quick reward-model check use --set train_pairs=32 "
    "--set eval_pairs=32",
    "judge_eval": "--smoke shrinks feedback recipes; for a quick judge_eval check cap each set, e.g. "
    "--set sets.<name>.pairs=8",
    "sweep": "--smoke shrinks one recipe, not a sweep; check a variant with `harness validate --smoke` on a recipe "
    "without the sweep: block",
}


def check_flags(args: argparse.Namespace, loaded: LoadedRecipe, jobs: int = 1) -> None:
    """The command line's flags against the recipe's kind, before anything runs."""
    if args.smoke and loaded.kind in SMOKE_ALTERNATIVES:
        raise RecipeError(f"{args.recipe}: {SMOKE_ALTERNATIVES[loaded.kind]}")
    if jobs != 1 and loaded.kind != "sweep":
        raise RecipeError(
            f"--jobs {jobs}: runs the variants of a sweep side by side; {args.recipe} has no sweep: block, so drop --jobs"
        )


def run_feedback(args: argparse.Namespace, loaded: FeedbackFile, progress: Progress) -> int:
    from harness import leaderboard
    from harness.pipeline import Pipeline

    recipe = loaded.recipe
    log = progress.log
    if args.smoke:
        from harness.smoke import smoke_session

        with smoke_session(recipe, args.results, log) as recipe:
            Pipeline(recipe, args.results, log=log, progress=progress).run()
    else:
        from harness.hub_access import check_hub_access

        check_hub_access(recipe, where=str(args.recipe))
        Pipeline(recipe, args.results, log=log, progress=progress).run()
    for path in leaderboard.write(Path(args.results), recipe.name, ["md", "csv"]):
        print(f"leaderboard: {path}")
    if not args.quiet:
        print()
        print(leaderboard.markdown(leaderboard.latest_run(Path(args.results), recipe.name)))
    return 0


def run_judge_eval(args: argparse.Namespace, loaded: JudgeEvalFile, progress: Progress) -> int:
    from harness.judge_eval import board
    from harness.judge_eval.run import JudgeEvalRun
    from harness.run_metrics import read_run

    out = JudgeEvalRun(loaded.recipe, args.results, loaded.path.parent, log=progress.log, progress=progress).run()
    run = read_run(Path(out["run_dir"]))  # the record as written, read like any finished run
    for path in board.write(run, Path(args.results) / "leaderboards", list(board.FORMATS)):
        print(f"leaderboard: {path}")
    if not args.quiet:
        print()
        print(board.markdown(run))
    return 0


def run_reward(args: argparse.Namespace, loaded: RewardModelFile, progress: Progress) -> int:
    from harness.reward_run import RewardModelRun, markdown
    from harness.run_metrics import RewardModelMetrics

    out = RewardModelRun(loaded.recipe, args.results, log=progress.log, progress=progress).run()
    if not args.quiet:
        print()
        print(markdown(RewardModelMetrics.model_validate(out["metrics"]), out["record"]["seconds"]))
    return 0


def run_sweep(args: argparse.Namespace, loaded: SweepFile, progress: Progress) -> int:
    from harness.sweep import tables
    from harness.sweep.run import run_sweep as run_all

    sweep = loaded.sweep
    record = run_all(sweep, args.results, jobs=args.jobs, log=progress.log, progress=progress)
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


def summary_feedback(loaded: FeedbackFile) -> str:
    recipe = loaded.recipe
    return f"recipe {recipe.name!r}, {len(recipe.models)} models, sources: {', '.join(recipe.sources)}"


def summary_sweep(loaded: SweepFile) -> str:
    sweep = loaded.sweep
    groups = list(dict.fromkeys(v.group for v, _ in sweep.variants))
    return (
        f"sweep {sweep.name!r}: {len(sweep.variants)} variants validated "
        f"({len(groups)} groups: {', '.join(groups)}; seeds: {sweep.spec.seeds or 'as in the recipe'})"
    )


def summary_reward(loaded: RewardModelFile) -> str:
    rm = loaded.recipe
    return (
        f"reward-model recipe {rm.name!r}, model {rm.model} ({rm.pooling} pooling), "
        f"train: {', '.join(rm.train_subsets)}; eval: {', '.join(rm.eval_subsets)}"
    )


def summary_judge_eval(loaded: JudgeEvalFile) -> str:
    je = loaded.recipe
    return f"judge_eval recipe {je.name!r}, judges: {', '.join(je.judges)}; sets: {', '.join(je.sets)}"


# Each runner and summary takes the member of LoadedRecipe its kind names; a runner reports to the Progress it is given
RUNNERS: dict[str, Callable[[argparse.Namespace, Any, Progress], int]] = {
    "feedback": run_feedback,
    "sweep": run_sweep,
    "reward_model": run_reward,
    "judge_eval": run_judge_eval,
}
SUMMARIES: dict[str, Callable[[Any], str]] = {
    "feedback": summary_feedback,
    "sweep": summary_sweep,
    "reward_model": summary_reward,
    "judge_eval": summary_judge_eval,
}

"""`harness`: run or validate a recipe, rerun a recorded run, train, build leaderboards, list and show plug-ins."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness.commands import compare, plan
from harness.commands.kinds import SUMMARIES, check_flags
from harness.commands.plugins import add_commands, harness_version
from harness.commands.run import cmd_run, output_flags
from harness.recipes.loader import RecipeError

EPILOG = """examples:
  harness run recipes/sandbox.yaml                       # the embedded sandbox, end to end
  harness run recipes/sandbox.yaml --set feedback.prompts=100 --set sources=[oracle]
  harness validate recipes/sandbox.yaml
  harness run recipes/pcon_qwen2.yaml --smoke            # any recipe, shrunk to run on CPU in minutes
  harness run recipes/rm_hh_minilm.yaml                  # kind: reward_model: train a reward model on HH-RLHF
  harness run recipes/judges_cpu.yaml                    # kind: judge_eval: judges held to human labels
  harness rerun results/runs/sandbox/<run-id> --results /tmp/fresh   # recompute a run from its record
  harness validate --explain recipes/judges_cpu.yaml      # every field this recipe kind may set
  harness leaderboard recipes/sandbox.yaml --format md,csv,html,png --by source   # or a recipe name: sandbox
  harness run recipes/sandbox_judge_curve.yaml --jobs 2   # a sweep: every variant, 2 at a time
  harness leaderboard recipes/sandbox_judge_curve.yaml --format md,csv,html,png   # the sweep's table
  harness judges                                         # registered judges and judge prompt folders
  harness judges show prompted                           # a plug-in's description and parameters
  harness train JOB.json                                 # one training job (what `launch:` runs per process)"""


def cmd_rerun(args: argparse.Namespace) -> int:
    """Runs the resolved recipe a run record stores, then says whether every metric came out the same."""

    from pydantic import ValidationError

    from harness.progress import open_display
    from harness.recipes.loader import Recipe, check_references, first_error
    from harness.run.pipeline import Pipeline
    from harness.run.record_schema import read_metrics
    from harness.run.records import git_revision, load_run_record, metric_differences, package_versions

    run_dir = Path(args.run_dir)
    record = load_run_record(run_dir)
    # Read as a typed record before any compute: one this harness cannot read is refused by name, and the
    # comparison below is of what the writer recorded (a NaN is stored as null in both files).
    recorded = read_metrics(run_dir / "metrics.json").to_json()
    kind = record["recipe"].get("kind", "feedback")
    if kind != "feedback":
        raise RecipeError(
            f"{run_dir / 'run.json'}: a kind: {kind} run; harness rerun replays feedback runs, so run its "
            "recipe again with `harness run` (finished stages are reused)"
        )
    try:
        recipe = Recipe.model_validate(record["recipe"])
    except ValidationError as exc:  # a record written by a version of the harness with other recipe fields
        raise RecipeError(f"{run_dir / 'run.json'}: recipe.{first_error(exc)}") from None
    check_references(recipe, where=str(run_dir / "run.json"))
    from harness.recipes.hub_access import check_hub_access

    check_hub_access(recipe, where=str(run_dir / "run.json"))
    # By default the run's own results folder (results/runs/<recipe>/<id>): finished stages are reused there;
    # --results elsewhere recomputes everything.
    results = Path(args.results) if args.results else run_dir.resolve().parents[2]
    now = {**package_versions(), "git": git_revision(Path(__file__).parent)}
    then = {**record.get("versions", {}), "git": record.get("git_revision")}
    for name in sorted(k for k in then if then[k] != now.get(k)):
        print(f"note: recorded with {name} {then[name]}, rerunning with {now.get(name)}")
    with open_display(quiet=args.quiet, verbose=args.verbose) as display:
        out = Pipeline(recipe, results, log=display.log, progress=display).run()
    rerun = read_metrics(Path(out["run_dir"]) / "metrics.json").to_json()
    added: list[str] = []
    differences = metric_differences(recorded, rerun, added=added)
    if added:
        print(f"note: the rerun also records {len(added)} field(s) the record lacks: " + "; ".join(added[:10]))
    if differences:
        print(f"NOT reproduced: {len(differences)} metric(s) differ from {run_dir}: " + "; ".join(differences[:10]))
        return 1
    print(f"reproduced: every metric equals the record's (timings aside); new record {out['run_dir']}")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    """Every check `harness run` makes before it spends compute, and nothing else."""
    from harness.recipes.kinds import FeedbackFile, load

    if args.explain:
        from harness.commands.explain import explain_recipe

        print(explain_recipe(args))
    loaded = load(args.recipe, args.set)
    check_flags(args, loaded)
    if args.smoke and isinstance(loaded, FeedbackFile):
        from harness.run.smoke import validate_smoke

        for note in validate_smoke(loaded.recipe):
            print(f"[smoke] {note}")
    print(f"{args.recipe}: ok — {SUMMARIES[loaded.kind](loaded)}")
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from harness.progress import PlainDisplay
    from harness.train.launch import is_main_process, run_job_file

    # Under `accelerate launch` stdout is the parent run's log: step lines now and then, none while idle
    with PlainDisplay(lambda line: print(line, flush=True), idle_lines=False) as display:
        result = run_job_file(args.job, display)
    if is_main_process():
        loss = result.metrics.get("train_loss", float("nan"))
        print(f"trained {result.path} (train_loss {loss:.4f})", flush=True)
    return 0


def cmd_leaderboard(args: argparse.Namespace) -> int:
    from harness.commands.leaderboard import leaderboard_target
    from harness.report import leaderboard

    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    results = Path(args.results)
    args.recipe, args.sweep = leaderboard_target(args)
    if args.sweep:
        from harness.sweep import tables

        paths, table = tables.write(results, args.sweep, formats, by=args.by or "source", x=args.x, metric=args.metric)
        for path in paths:
            print(f"wrote {path}")
        if "md" in formats:
            print(tables.markdown(table, args.by or "source"))
        return 0
    if args.x:
        raise RecipeError("--x: plots a sweep's metric against a swept value; use it with --sweep NAME")
    from harness.run.record_schema import JudgeEvalMetrics

    run = leaderboard.latest_run(results, args.recipe)
    if isinstance(run.metrics, JudgeEvalMetrics):
        from harness.judge_eval import board

        for path in board.write(run, results / "leaderboards", formats):
            print(f"wrote {path}")
        if "md" in formats:
            print(board.markdown(run))
        return 0
    for path in leaderboard.write(results, args.recipe, formats, by=args.by or "model", metric=args.metric):
        print(f"wrote {path}")
    if "md" in formats:
        print(leaderboard.markdown(leaderboard.latest_run(results, args.recipe), args.by or "model", args.metric))
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="harness", description=__doc__, epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    top.add_argument("--version", action="version", version=f"harness {harness_version()}")
    sub = top.add_subparsers(dest="command", required=True)

    def recipe_command(name: str, help: str, func) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        p.add_argument("recipe", help="recipe YAML, e.g. recipes/sandbox.yaml")
        p.add_argument(
            "--set",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="override a recipe field (YAML value), e.g. --set feedback.prompts=100",
        )
        p.add_argument("--results", default="results", help="results folder (default: results)")
        p.add_argument(
            "--smoke",
            action="store_true",
            help="check the recipe on CPU in minutes: tiny random models of the same families, API "
            "models served locally, capped sizes, results under <name>-smoke",
        )
        p.set_defaults(func=func)
        return p

    run = recipe_command(
        "run",
        "run a recipe end to end (a feedback recipe, kind: reward_model or kind: judge_eval; "
        "with a sweep: block, every variant); finished stages are reused",
        cmd_run,
    )
    run.add_argument(
        "--jobs",
        type=int,
        default=1,
        metavar="N",
        help="sweeps: run N variants at once in worker processes, the torch threads split between them "
        "(default: 1, one after another)",
    )
    output_flags(run)
    va = recipe_command(
        "validate", "check a recipe (fields, names, model paths, data subsets) without running it", cmd_validate
    )
    va.add_argument(
        "--explain",
        action="store_true",
        help="first print every field the recipe's kind may set (dotted name, type, default, description): "
        "a feedback recipe with its sources' parameters and any sweep: block's fields, a judge_eval recipe with "
        "its judges' parameters and every set type, a reward_model recipe",
    )

    tr = sub.add_parser(
        "train",
        help="run one training job from a job file (sft, dpo or reward)",
        description="Run one training job: the stage kind, model, tokenizer, data file, TrainSpec and output folder "
        "in a JSON job file. A recipe with a `launch:` block runs each training stage as "
        "`accelerate launch ... -m harness.cli train JOB` on N processes; without one the same job runs "
        "inside `harness run`.",
    )
    tr.add_argument("job", help="job JSON (harness.train.launch.TrainJob)")
    tr.set_defaults(func=cmd_train)

    rr = sub.add_parser(
        "rerun",
        help="rerun a finished run from its run.json and compare the metrics",
        description="Rerun the resolved recipe stored in RUN_DIR/run.json and say whether every "
        "metric equals the recorded one (timings aside); exit 1 if not.",
    )
    rr.add_argument("run_dir", help="a finished run's folder, e.g. results/runs/sandbox/<run-id>")
    rr.add_argument(
        "--results",
        default=None,
        help="results folder for the rerun (default: the run's own, reusing finished stages; "
        "give an empty folder to recompute everything)",
    )
    output_flags(rr)
    rr.set_defaults(func=cmd_rerun)

    lb = sub.add_parser(
        "leaderboard",
        help="write leaderboards from run records",
        description="Write leaderboards from the run record of a recipe's latest finished run (or a sweep's "
        "newest sweep record).",
    )
    lb.add_argument(
        "target",
        nargs="?",
        metavar="RECIPE",
        help="a recipe file (e.g. recipes/sandbox.yaml; one with a sweep: block gives the sweep's table) or a "
        "recipe name (default: sandbox)",
    )
    lb.add_argument("--recipe", default=None, metavar="NAME", help="a recipe name, the same as RECIPE")
    lb.add_argument(
        "--format",
        default="md,csv",
        help="comma list of: md, csv, html, png (default: md,csv); png writes each figure as PNG, SVG and PDF with "
        "a caption, and a judge-quality heatmap where the run has one",
    )
    lb.add_argument(
        "--by",
        choices=["model", "source"],
        default=None,
        help="model: every evaluated model; source: one row per feedback source (its M2 model) "
        "(default: model; source with --sweep)",
    )
    lb.add_argument(
        "--metric",
        choices=["score", "win_rate", "diff"],
        default=None,
        help="sort rows by this, best first, and plot it "
        "(default: pipeline order; win_rate with --by source; with --sweep the plotted metric, "
        "default: the sweep's plot: block, else diff)",
    )
    lb.add_argument(
        "--sweep",
        default=None,
        metavar="NAME",
        help="a sweep's table (one row per variant and model, over seeds) and plot, from its newest "
        "sweep record (results/runs/NAME/<id>/sweep.json)",
    )
    lb.add_argument(
        "--x",
        default=None,
        metavar="PATH",
        help="with --sweep: plot against this swept path (e.g. dpo.beta) or a measured row field "
        "(gold_pair_accuracy) (default: the sweep's plot: block, else its first numeric path)",
    )
    lb.add_argument("--results", default="results", help="results folder (default: results)")
    lb.set_defaults(func=cmd_leaderboard)
    plan.add_parser(sub)
    compare.add_parser(sub)

    add_commands(sub)
    return top


def scrubbed_logging() -> None:
    """Every log handler scrubs keys, the SDKs' included: installed before any SDK is imported, so an SDK's own
    logging setup (OPENAI_LOG=debug calls logging.basicConfig) finds this handler and adds none of its own."""
    import logging

    from harness.run.secrets import ScrubFilter

    root = logging.getLogger()
    if not root.handlers:
        stream = logging.StreamHandler()
        stream.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        root.addHandler(stream)
    for handler in root.handlers:
        if not any(isinstance(f, ScrubFilter) for f in handler.filters):
            handler.addFilter(ScrubFilter())


def main(argv: list[str] | None = None) -> int:
    import traceback

    from harness.run.allocator import keep_freed_memory
    from harness.run.secrets import scrub

    args = parser().parse_args(argv)
    scrubbed_logging()
    keep_freed_memory()
    try:
        return args.func(args)
    except (RecipeError, FileNotFoundError, ValueError) as exc:
        print(f"error: {scrub(str(exc))}", file=sys.stderr)
        return 2
    except Exception:  # a bug: the traceback is for the reader, but an exception message may quote a request
        print(scrub(traceback.format_exc()), file=sys.stderr, end="")
        return 1


if __name__ == "__main__":
    sys.exit(main())

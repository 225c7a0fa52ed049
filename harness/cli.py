"""`harness`: run a recipe, validate one, build leaderboards, list plug-ins."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness.config import RecipeError, load_recipe

EPILOG = """examples:
  harness run recipes/sandbox.yaml                       # the embedded sandbox, end to end
  harness run recipes/sandbox.yaml --set feedback.prompts=100 --set sources=[oracle]
  harness validate recipes/sandbox.yaml
  harness run recipes/pcon_qwen2.yaml --smoke            # any recipe, shrunk to run on CPU in minutes
  harness leaderboard --recipe sandbox --format md,csv,html,png --by source
  harness judges list
  harness train JOB.json                                 # one training job (what `launch:` runs per process)"""


def cmd_run(args: argparse.Namespace) -> int:
    from harness import leaderboard
    from harness.pipeline import Pipeline

    from harness.secrets import scrub

    recipe = load_recipe(args.recipe, args.set)
    log = lambda line: print(scrub(line), flush=True)  # noqa: E731
    if args.smoke:
        from harness.smoke import smoke_session

        with smoke_session(recipe, args.results, log) as recipe:
            Pipeline(recipe, args.results, log=log).run()
    else:
        Pipeline(recipe, args.results, log=log).run()
    for path in leaderboard.write(Path(args.results), recipe.name, ["md", "csv"]):
        print(f"leaderboard: {path}")
    print()
    print(leaderboard.markdown(leaderboard.latest_run(Path(args.results), recipe.name)))
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    recipe = load_recipe(args.recipe, args.set)
    if args.smoke:
        from harness.smoke import validate_smoke

        for note in validate_smoke(recipe):
            print(f"[smoke] {note}")
    print(f"{args.recipe}: ok — recipe {recipe.name!r}, {len(recipe.models)} models, "
          f"sources: {', '.join(recipe.sources)}")
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from harness.train.launch import is_main_process, run_job_file

    result = run_job_file(args.job)
    if is_main_process():
        loss = result.metrics.get("train_loss", float("nan"))
        print(f"trained {result.path} (train_loss {loss:.4f})", flush=True)
    return 0


def cmd_leaderboard(args: argparse.Namespace) -> int:
    from harness import leaderboard

    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    results = Path(args.results)
    for path in leaderboard.write(results, args.recipe, formats, by=args.by, metric=args.metric):
        print(f"wrote {path}")
    if "md" in formats:
        print(leaderboard.markdown(leaderboard.latest_run(results, args.recipe), args.by, args.metric))
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from harness.registry import ALL

    kinds = [args.kind_alias] if getattr(args, "kind_alias", None) else sorted(ALL)
    for kind in kinds:
        registry = ALL[kind]
        print(f"{kind}s:")
        for entry in registry.entries():
            print(f"  {entry.name:<22} {entry.doc}  [{entry.module}]")
    return 0


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(prog="harness", description=__doc__, epilog=EPILOG,
                                  formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = top.add_subparsers(dest="command", required=True)

    def recipe_command(name: str, help: str, func) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help)
        p.add_argument("recipe", help="recipe YAML, e.g. recipes/sandbox.yaml")
        p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                       help="override a recipe field (YAML value), e.g. --set feedback.prompts=100")
        p.add_argument("--results", default="results", help="results folder (default: results)")
        p.add_argument("--smoke", action="store_true",
                       help="check the recipe on CPU in minutes: tiny random models of the same families, API "
                            "models served locally, capped sizes, results under <name>-smoke")
        p.set_defaults(func=func)
        return p

    recipe_command("run", "run a recipe end to end; finished stages are reused", cmd_run)
    recipe_command("validate", "check a recipe (fields, names, model paths) without running it", cmd_validate)

    tr = sub.add_parser(
        "train", help="run one training job from a job file (sft, dpo or reward)",
        description="Run one training job: the stage kind, model, tokenizer, data file, TrainSpec and output folder "
                    "in a JSON job file. A recipe with a `launch:` block runs each training stage as "
                    "`accelerate launch ... -m harness.cli train JOB` on N processes; without one the same job runs "
                    "inside `harness run`.")
    tr.add_argument("job", help="job JSON (harness.train.launch.TrainJob)")
    tr.set_defaults(func=cmd_train)

    lb = sub.add_parser("leaderboard", help="write leaderboards from run records",
                        description="Write leaderboards from the run record of a recipe's latest finished run.")
    lb.add_argument("--recipe", default="sandbox", help="recipe name (default: sandbox)")
    lb.add_argument("--format", default="md,csv",
                    help="comma list of: md, csv, html, png (default: md,csv); png also draws a judge-quality heatmap")
    lb.add_argument("--by", choices=["model", "source"], default="model",
                    help="model: every evaluated model; source: one row per feedback source (its M2 model)")
    lb.add_argument("--metric", choices=["score", "win_rate", "diff"], default=None,
                    help="sort rows by this, best first, and plot it "
                         "(default: pipeline order; win_rate with --by source)")
    lb.add_argument("--results", default="results", help="results folder (default: results)")
    lb.set_defaults(func=cmd_leaderboard)

    ls = sub.add_parser("plugins", help="list registered plug-ins of every kind")
    ls.set_defaults(func=cmd_list)
    for kind in ("judge", "source", "generator", "metric", "benchmark"):
        alias = sub.add_parser(f"{kind}s", help=f"list registered {kind}s ('harness {kind}s list')")
        alias.add_argument("action", choices=["list"])
        alias.set_defaults(func=cmd_list, kind_alias="feedback source" if kind == "source" else kind)
    return top


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except (RecipeError, FileNotFoundError, ValueError) as exc:
        from harness.secrets import scrub

        print(f"error: {scrub(str(exc))}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())

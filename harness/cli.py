"""`harness`: run a recipe, validate one, build leaderboards, list plug-ins."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from harness.config import RecipeError, load_recipe, load_recipe_data, recipe_kind

EPILOG = """examples:
  harness run recipes/sandbox.yaml                       # the embedded sandbox, end to end
  harness run recipes/sandbox.yaml --set feedback.prompts=100 --set sources=[oracle]
  harness validate recipes/sandbox.yaml
  harness run recipes/rm_hh_minilm.yaml                  # kind: reward_model: train a reward model on HH-RLHF
  harness leaderboard --recipe sandbox --format md,csv,html,png --by source
  harness judges list"""


def is_reward_recipe(args: argparse.Namespace) -> bool:
    return recipe_kind(args.recipe, load_recipe_data(args.recipe, args.set)) == "reward_model"


def cmd_run_reward(args: argparse.Namespace) -> int:
    from harness.reward_recipe import load_reward_recipe
    from harness.reward_run import RewardModelRun, markdown

    recipe = load_reward_recipe(args.recipe, args.set)
    out = RewardModelRun(recipe, args.results, log=lambda line: print(line, flush=True)).run()
    print()
    print(markdown(out["metrics"], out["record"]["seconds"]))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    if is_reward_recipe(args):
        return cmd_run_reward(args)
    from harness import leaderboard
    from harness.pipeline import Pipeline

    from harness.secrets import scrub

    recipe = load_recipe(args.recipe, args.set)
    Pipeline(recipe, args.results, log=lambda line: print(scrub(line), flush=True)).run()
    for path in leaderboard.write(Path(args.results), recipe.name, ["md", "csv"]):
        print(f"leaderboard: {path}")
    print()
    print(leaderboard.markdown(leaderboard.latest_run(Path(args.results), recipe.name)))
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    if is_reward_recipe(args):
        from harness.reward_recipe import load_reward_recipe

        rm = load_reward_recipe(args.recipe, args.set)
        print(f"{args.recipe}: ok — reward-model recipe {rm.name!r}, model {rm.model}, "
              f"train: {', '.join(rm.train_subsets)}; eval: {', '.join(rm.eval_subsets)}")
        return 0
    recipe = load_recipe(args.recipe, args.set)
    print(f"{args.recipe}: ok — recipe {recipe.name!r}, {len(recipe.models)} models, "
          f"sources: {', '.join(recipe.sources)}")
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
        p.set_defaults(func=func)
        return p

    recipe_command("run", "run a recipe end to end (a feedback recipe, or kind: reward_model); finished stages "
                   "are reused", cmd_run)
    recipe_command("validate", "check a recipe (fields, names, model paths, data subsets) without running it",
                   cmd_validate)

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

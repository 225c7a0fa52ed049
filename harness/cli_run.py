"""`harness run`: the display opened first (its first line comes before the recipe loader's imports), then the
recipe loaded and checked as `validate` does and run by its kind, reporting to that display; and the --quiet /
--verbose flags of the commands that run stages."""

from __future__ import annotations

import argparse

from harness.cli_kinds import RUNNERS, check_flags


def cmd_run(args: argparse.Namespace) -> int:
    from harness.progress import open_display

    # Worker processes of a sweep write to this terminal too, so --jobs > 1 gets plain lines, not a live panel
    with open_display(quiet=args.quiet, verbose=args.verbose, live=args.jobs == 1) as display:
        display.log(f"harness run {args.recipe}")
        from harness.recipe_loader import load

        loaded = load(args.recipe, args.set)
        check_flags(args, loaded, args.jobs)
        return RUNNERS[loaded.kind](args, loaded, display)


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

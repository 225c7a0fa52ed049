"""`harness compare RUN:MODEL RUN:MODEL`: the paired difference between two evaluated rows of any two runs.

A leaderboard pairs each row with its own run's baseline, and a sweep table each variant's row with the baseline of
the same seed. Rows of different runs (robust against plain DPO on the same pairs; the teacher's SFT row of one
variant against the self-judge's DPO row of another) are paired here, per prompt, when both runs were evaluated
alike: the same evaluation prompts, samples, sampling and seed (otherwise the scores are not paired and the
command refuses in one line). It prints the mean difference with a paired-bootstrap 95 % CI, the sign test, and the
minimum detectable effect at 80 % power (harness/evaluate/power.py) with the prompts the observed difference needs.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import dataclass
from difflib import get_close_matches
from pathlib import Path
from typing import Any

from harness.recipes.loader import RecipeError

# What makes two runs' per-prompt scores paired: the evaluation block (prompts, samples, temperature, tokens,
# judge, bootstrap count aside) and the root seed, which seeds evaluation sampling.
PAIRING_FIELDS = ("prompts", "samples", "temperature", "max_new_tokens", "top_p", "judge")


@dataclass(frozen=True)
class Side:
    """One row to compare: the run folder it was read from, its model, its per-prompt scores and its recipe."""

    label: str
    folder: Path
    model: str
    scores: dict[str, list[float | None]]
    recipe: dict[str, Any]


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Registers `harness compare` on the CLI's subcommands."""
    p = sub.add_parser(
        "compare",
        help="paired difference between two evaluated rows of any two runs (A minus B), with CI and MDE",
        description="A minus B per prompt, for two rows of gold-graded runs evaluated alike (same evaluation "
        "prompts, samples, sampling and seed): mean, paired-bootstrap 95%% CI, sign test, and the minimum "
        "detectable effect at 80%% power. RUN is a run folder (results/runs/<recipe>/<run-id>) or a recipe name "
        "(its latest finished run under --results); MODEL a row of that run, e.g. M2-oracle.",
    )
    p.add_argument("a", metavar="RUN:MODEL", help="the row whose gain is measured, e.g. sandbox:M2-oracle")
    p.add_argument("b", metavar="RUN:MODEL", help="the row it is measured against, e.g. sandbox_robust:M2-oracle")
    p.add_argument("--results", default="results", help="results folder recipe names are looked up in")
    p.set_defaults(func=cmd_compare)


def cmd_compare(args: argparse.Namespace) -> int:
    results = Path(args.results)
    a, b = side(results, args.a), side(results, args.b)
    check_paired(a, b)
    for line in compare_lines(a, b):
        print(line)
    return 0


def side(results: Path, spec: str) -> Side:
    run, sep, model = spec.rpartition(":")
    if not sep or not run or not model:
        raise RecipeError(f"{spec}: give RUN:MODEL, e.g. sandbox:M2-oracle or results/runs/sandbox/<id>:M1")
    folder = run_folder(results, run)
    scores_file = folder / "scores.json"
    if not scores_file.is_file():
        raise RecipeError(
            f"{spec}: {folder} has no scores.json (a judged run's rows are win rates against its own baseline); "
            "compare rows of gold-graded runs"
        )
    scores = json.loads(scores_file.read_text(encoding="utf-8"))
    if model not in scores:
        near = get_close_matches(model, list(scores), n=1)
        hint = f"did you mean {near[0]}?" if near else f"its rows: {', '.join(scores)}"
        raise RecipeError(f"{spec}: no row {model!r} in {folder}; {hint}")
    recipe = json.loads((folder / "run.json").read_text(encoding="utf-8"))["recipe"]
    return Side(spec, folder, model, scores[model], recipe)


def run_folder(results: Path, run: str) -> Path:
    """The folder given, or the latest finished run of the recipe named `run` under `results`."""
    given = Path(run)
    if (given / "run.json").is_file():
        return given
    runs = sorted(p.parent for p in (results / "runs" / run).glob("*/metrics.json"))
    if not runs:
        raise RecipeError(
            f"{run}: neither a run folder nor a recipe with a finished run under {results / 'runs'}; pass "
            "results/runs/<recipe>/<run-id> or a recipe name with --results"
        )
    return runs[-1]


def check_paired(a: Side, b: Side) -> None:
    """One line naming what differs when the two runs' scores are not paired by prompt and sample."""
    ev_a, ev_b = a.recipe["evaluation"], b.recipe["evaluation"]
    for key in PAIRING_FIELDS:
        if ev_a.get(key) != ev_b.get(key):
            raise RecipeError(
                f"evaluation.{key}: {ev_a.get(key)!r} in {a.folder} but {ev_b.get(key)!r} in {b.folder}; rows are "
                "paired only when both runs were evaluated alike"
            )
    if a.recipe["seed"] != b.recipe["seed"]:
        raise RecipeError(
            f"seed: {a.recipe['seed']} in {a.folder} but {b.recipe['seed']} in {b.folder} (it seeds the evaluation's "
            "sampling); compare runs of one root seed"
        )
    if a.recipe["benchmark"] != b.recipe["benchmark"] or set(a.scores) != set(b.scores):
        raise RecipeError(
            f"benchmark: {a.folder} and {b.folder} scored different prompts; compare runs of one benchmark"
        )


def compare_lines(a: Side, b: Side) -> list[str]:
    from harness.evaluate.paired import paired_bootstrap, paired_scores
    from harness.evaluate.power import paired_power
    from harness.report.scoring import per_prompt

    ids = sorted(a.scores)
    first, second = per_prompt(a.scores, ids), per_prompt(b.scores, ids)
    evaluation = a.recipe["evaluation"]
    diff = paired_bootstrap(first, second, n_boot=evaluation["bootstrap"], seed=a.recipe["seed"])
    x, y = paired_scores(first, second)
    power = paired_power(x - y)
    needed = "—" if power.prompts_needed is None else f"{power.prompts_needed}"
    verdict = "significant" if diff.significant else "not significant"
    return [
        f"A  {a.model} of {a.folder}: mean {x.mean():.3f}",
        f"B  {b.model} of {b.folder}: mean {y.mean():.3f}",
        f"A − B = {diff.mean_diff:+.3f} [{diff.ci_low:+.3f}, {diff.ci_high:+.3f}] (paired bootstrap 95% CI over "
        f"{diff.n} prompts, {evaluation['samples']} samples each; sign test p = {diff.p_sign:.3f}; {verdict})",
        f"MDE at 80% power, α 0.05: {power.mde:.3f}; prompts to detect the observed difference: {needed}",
    ]


__all__ = ["add_parser", "check_paired", "compare_lines", "side"]

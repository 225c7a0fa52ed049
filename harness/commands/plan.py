"""`harness plan RECIPE --pilot RUN`: the prompts and seeds a design needs to detect an effect, from a pilot's
variances (the math: harness/evaluate/power.py).

A pilot is a finished run (its per-prompt scores, scores.json; or, judged, its rows' power records) or a sweep
(its rows over seeds, which add the seed-to-seed variance). One line per comparison with the baseline.
"""

from __future__ import annotations

import argparse
import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from harness.recipes.loader import RecipeError

if TYPE_CHECKING:
    from harness.evaluate.power import PairedPower, SeededPower

# harness.evaluate.power's ALPHA and POWER; the module is imported when the command runs, so `harness --help`
# does not load every metric.
ALPHA, POWER = 0.05, 0.8


@dataclass(frozen=True)
class Design:
    """What the recipe plans to run: evaluation prompts, samples per prompt, seeds (1 without a sweep)."""

    name: str
    prompts: int
    samples: int
    seeds: int


@dataclass(frozen=True)
class Comparison:
    """One pilot comparison: its label and its power over prompts (a run) or over seeds (a sweep)."""

    label: str
    power: PairedPower | SeededPower
    units: str


def add_parser(sub: argparse._SubParsersAction) -> None:
    """Registers `harness plan` on the CLI's subcommands."""
    p = sub.add_parser(
        "plan",
        help="prompts and seeds a design needs to detect an effect, from a pilot run's variances",
        description="For each comparison with the baseline in a pilot run or sweep: the evaluation prompts (and, "
        "with a pilot sweep, seeds) that detect the target difference with the given power at two-sided α; "
        "prompts by the paired z-test, seeds by a t-test over per-seed differences (harness/evaluate/power.py).",
    )
    p.add_argument("recipe", help="the design's recipe YAML (its evaluation prompts and sweep seeds)")
    p.add_argument(
        "--pilot",
        required=True,
        metavar="RUN",
        help="a finished run's or sweep's folder (results/runs/<name>/<id>), or its id under --results",
    )
    p.add_argument(
        "--effect",
        type=float,
        default=None,
        help="target difference from the baseline, in the comparison's units (oracle score points; judged: "
        "win-rate points) (default: each comparison's observed difference in the pilot)",
    )
    p.add_argument("--power", type=float, default=POWER, help=f"power to detect the effect (default: {POWER})")
    p.add_argument("--alpha", type=float, default=ALPHA, help=f"two-sided significance level (default: {ALPHA})")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="override a recipe field")
    p.add_argument("--results", default="results", help="results folder the pilot id is looked up in")
    p.set_defaults(func=cmd_plan)


def cmd_plan(args: argparse.Namespace) -> int:
    if args.effect is not None and (args.effect == 0 or not math.isfinite(args.effect)):
        raise RecipeError(f"--effect {args.effect}: give a non-zero difference to detect, e.g. --effect 0.1")
    if not 0.0 < args.power < 1.0:
        raise RecipeError(f"--power {args.power}: give a power strictly between 0 and 1, e.g. 0.8")
    if not 0.0 < args.alpha < 1.0:
        raise RecipeError(f"--alpha {args.alpha}: give a significance level strictly between 0 and 1, e.g. 0.05")
    design = load_design(args.recipe, args.set)
    folder = find_pilot(Path(args.results), args.pilot)
    comparisons = pilot_comparisons(folder, args.alpha, args.power)
    for line in plan_lines(design, folder, comparisons, args.effect, args.alpha, args.power):
        print(line)
    return 0


def load_design(path: str, overrides: list[str]) -> Design:
    from harness.recipes.loader import load_recipe
    from harness.sweep.spec import load_sweep

    sweep = load_sweep(path, overrides)
    if sweep is not None:
        recipe = sweep.variants[0][1]
        return Design(sweep.name, recipe.evaluation.prompts, recipe.evaluation.samples, max(1, len(sweep.spec.seeds)))
    recipe = load_recipe(path, overrides)
    return Design(recipe.name, recipe.evaluation.prompts, recipe.evaluation.samples, 1)


def find_pilot(results: Path, pilot: str) -> Path:
    """The pilot's folder: the path given, or the run/sweep of that id under results/runs/<name>/."""
    given = Path(pilot)
    found = [given] if given.is_dir() else sorted((results / "runs").glob(f"*/{pilot}"))
    found = [f for f in found if (f / "run.json").exists() or (f / "sweep.json").exists()]
    if not found:
        raise FileNotFoundError(
            f"--pilot {pilot}: no finished run or sweep there or under {results / 'runs'}/*/; pass a folder "
            "such as results/runs/sandbox/<run-id>"
        )
    return found[-1]


def pilot_comparisons(folder: Path, alpha: float, power: float) -> list[Comparison]:
    if (folder / "sweep.json").exists():
        from harness.sweep.aggregate import aggregate
        from harness.sweep.record import read_sweep

        table = aggregate(folder.parents[2], read_sweep(folder / "sweep.json"))
        return [
            Comparison(f"[{r.group}] {r.model} vs {table.baseline}", r.power, "oracle score points")
            for r in table.rows
            if r.power is not None
        ]
    return run_comparisons(folder, alpha, power)


def run_comparisons(folder: Path, alpha: float, power: float) -> list[Comparison]:
    """A run pilot's comparisons: from its per-prompt gold scores, else (a judged run) its rows' power records."""
    from harness.evaluate.paired import paired_scores
    from harness.evaluate.power import PairedPower, paired_power
    from harness.report.scoring import per_prompt
    from harness.run.record_schema import FeedbackMetrics, RecordError, read_metrics

    record = read_metrics(folder / "metrics.json")
    if not isinstance(record, FeedbackMetrics):
        raise RecordError(f"{folder}: a {record.kind} run has no model comparisons; give a feedback run as --pilot")
    metrics, base = record, record.baseline
    scores_file = folder / "scores.json"
    if scores_file.exists():
        scores = json.loads(scores_file.read_text(encoding="utf-8"))
        ids = sorted(scores[base])
        out = []
        for model in (r.model for r in metrics.rows if r.model in scores and r.model != base):
            a, b = paired_scores(per_prompt(scores[model], ids), per_prompt(scores[base], ids))
            if a.size > 1:
                out.append(Comparison(f"{model} vs {base}", paired_power(a - b, alpha, power), "oracle score points"))
        return out
    units = "win-rate points" if metrics.judged else "oracle score points"
    return [
        Comparison(f"{r.model} vs {base}", PairedPower(**r.power.to_json()), units) for r in metrics.rows if r.power
    ]


def _n(count: int | None, what: str) -> str:
    return f"no {what} count suffices" if count is None else f"{count:,} {what}"


def plan_lines(
    design: Design,
    folder: Path,
    comparisons: list[Comparison],
    effect: float | None,
    alpha: float,
    power: float,
) -> list[str]:
    from harness.evaluate import power as pw
    from harness.evaluate.power import PairedPower

    lines = [
        f"Plan for {design.name} ({design.prompts} eval prompts x {design.samples} samples, {design.seeds} seed(s)) "
        f"from pilot {folder}: {power:.0%} power, two-sided alpha {alpha}; prompts by the paired z-test, "
        "seeds by a t-test over per-seed differences; SDs are the pilot's, at its samples per prompt. Target: "
        + (f"{effect:+g} for every comparison." if effect is not None else "each comparison's observed difference.")
    ]
    if not comparisons:
        lines.append("The pilot has no comparison with the baseline that a variance can be read from.")
    for c in comparisons:
        p = c.power
        target = effect if effect is not None else p.observed
        if target == 0 or not math.isfinite(target):
            lines.append(f"{c.label}: observed difference 0; give --effect to plan for a difference to detect.")
            continue
        sd = p.sd_diff if isinstance(p, PairedPower) else math.sqrt(p.var_within)
        if not sd > 0:
            lines.append(f"{c.label}: every per-prompt difference in the pilot is equal; no variance to plan from.")
            continue
        if isinstance(p, PairedPower) or p.var_seed is None:
            n_pilot = p.n_prompts
            needed = pw.prompts_for(sd, target, alpha, power)
            mde_now = pw.paired_mde(sd, design.prompts, alpha, power)
            lines.append(
                f"{c.label}: to detect {target:+.3f} {c.units} (pilot {p.observed:+.3f}, per-prompt SD {sd:.3f} "
                f"over {n_pilot:.0f} prompts): {_n(needed, 'prompts')}; the recipe's {design.prompts} prompts "
                f"detect {mde_now:.3f}. Seed-to-seed variance unknown (one seed): plan seeds from a pilot sweep."
            )
            continue
        k = design.seeds if design.seeds > 1 else p.n_seeds
        prompts = pw.prompts_for_seeds(p.var_within, p.var_seed, k, target, alpha, power)
        seeds = pw.seeds_for(p.var_within, p.var_seed, design.prompts, target, alpha, power)
        mde_now = pw.seeded_mde(p.var_within, p.var_seed, design.prompts, k, alpha, power)
        lines.append(
            f"{c.label}: to detect {target:+.3f} {c.units} (pilot {p.observed:+.3f} over {p.n_seeds} seeds x "
            f"{p.n_prompts:.0f} prompts; per-prompt SD {math.sqrt(p.var_within):.3f}, seed SD "
            f"{math.sqrt(p.var_seed):.3f}): {_n(prompts, 'prompts')} per seed at {k} seeds, or "
            f"{_n(seeds, 'seeds')} at {design.prompts} prompts; the recipe's {k} seeds x {design.prompts} prompts "
            f"detect {mde_now:.3f}."
        )
    return lines

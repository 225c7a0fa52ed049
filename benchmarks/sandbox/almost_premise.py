"""Why ALMoST's rubric disagrees with the sandbox oracle: its premise, measured piece by piece.

    python -m benchmarks.sandbox.almost_premise [--recipe recipes/sandbox.yaml] [--results results] [--set K=V ...]

Needs a finished run of the recipe in `--results` (`make demo`; pass the run's `--set` overrides too); it reuses
that run's stored models and cached generations and adds what it measures to the same store. It prints

0. what the base models read in pretraining against what each configuration shows them: documents are single
   chats trained with per-document attention, so a few-shot prompt (several chats in one context) is a context
   and a span of positions no base model has seen (this part needs no run);
1. every configuration's gold score (all responses, and those the BAD filters kept), for the recipe's rubric and for
   probes that vary one factor at a time: the model (xs < s, and m with --recipe recipes/sandbox_ladder.yaml), the shots (0, 1, 3) and their quality (clean, noisy);
   with the same prompts and sampling as the run's feedback;
2. the run's rubric pairs by comparison (chosen > rejected configuration): how often the oracle agrees, ties, disagrees,
   and what the chosen and rejected answers score;
3. the run's M1 and M2-almost_rubric on the held-out prompts, per task family (what DPO on the rubric's pairs changed).
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from statistics import fmean
from typing import Any

from harness.generation import GenerationParams
from harness.recipes.loader import build_source, load_recipe
from harness.run import names
from harness.run.pipeline import Pipeline
from harness.run.records import read_jsonl
from harness.types import Completion, PreferencePair, Prompt

# One factor at a time around the recipe's configurations (model x shots x demonstration quality)
PROBES: dict[str, dict[str, Any]] = {
    **{f"{model}_{demos}_{shots}": {"model": model, "shots": shots, "demos": f"benchmark:{demos}"}
       for model in ("xs", "s", "m") for shots, demos in ((0, "clean"), (1, "noisy"), (3, "clean"))},
    "s_clean_1": {"model": "s", "shots": 1, "demos": "benchmark:clean"},
    "s_noisy_3": {"model": "s", "shots": 3, "demos": "benchmark:noisy"},
}  # fmt: skip


def probes(recipe: Any) -> dict[str, dict[str, Any]]:
    """The PROBES whose model the recipe has (sandbox.yaml: xs and s; sandbox_ladder.yaml adds m)."""
    return {name: spec for name, spec in PROBES.items() if spec["model"] in recipe.models}


def latest_record(results: Path, recipe: str) -> dict[str, Any] | None:
    records = sorted((results / "runs" / recipe).glob("*/run.json"))
    return json.loads(records[-1].read_text(encoding="utf-8")) if records else None


def percentiles(values: list[int]) -> str:
    ordered = sorted(values)
    return (
        " / ".join(str(ordered[min(len(ordered) - 1, int(q * len(ordered)))]) for q in (0.5, 0.99))
        + f" / {ordered[-1]}"
    )


def context_lengths(world: Any, configurations: dict[str, Any], prompts: Sequence[Prompt]) -> None:
    from benchmarks.sandbox.tokenizer import ChatEncoder, build_tokenizer
    from judges.almost.demonstrations import load_demonstrations
    from judges.almost.response_generation import Configuration

    encoder = ChatEncoder(build_tokenizer(world.tokenizer_texts()))
    corpus = world.corpus()
    turns = sum(sum(m["role"] == "user" for m in chat) > 1 for chat in corpus)
    print(
        f"pretraining documents: {len(corpus)}, {turns} with more than one user turn; tokens per document "
        f"(p50 / p99 / max): {percentiles([len(encoder.encode(chat)) for chat in corpus])}"
    )
    print("| configuration | user turns in context | prompt tokens (p50 / p99 / max) |")
    print("|---|---|---|")
    for name, spec in configurations.items():
        config = Configuration(**spec)
        demos = load_demonstrations(config.demos, config.shots, world)
        lengths = [len(encoder.encode([m.model_dump() for m in demos.before(p, config.shots)], True)) for p in prompts]
        print(f"| {name} | {config.shots + 1} | {percentiles(lengths)} |")


def configuration_table(
    pipe: Pipeline, recipe_path: str, overrides: list[str], prompts: Sequence[Prompt]
) -> dict[str, dict[str, Any]]:
    """The almost_rubric source rebuilt with the recipe's configurations plus PROBES, run on the run's prompts."""
    configurations = {**pipe.recipe.source_kwargs("almost_rubric")["configurations"]}
    configurations.update(
        {k: v for k, v in probes(pipe.recipe).items() if not any(c == v for c in configurations.values())}
    )  # the recipe's names win
    rubric = list(configurations)
    recipe = load_recipe(
        recipe_path,
        [
            *overrides,
            f"almost_rubric.configurations={json.dumps(configurations)}",
            f"almost_rubric.rubric={json.dumps(rubric)}",
        ],
    )

    def candidates(model: str, asked: Sequence[Prompt], params: GenerationParams) -> list[list[Completion]]:
        return pipe.completions(model, asked, params, names.candidates_label(model))

    out = build_source(recipe, "almost_rubric").build(prompts, pipe.context(pipe.recipe.policy, candidates))
    return out.details["configurations"]


def pair_outcomes(pairs: list[PreferencePair], prompts: dict[str, Prompt], grade: Any) -> dict[str, dict[str, float]]:
    table: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for p in pairs:
        prompt = prompts[p.prompt_id]
        table[p.judge.removeprefix("rubric:")].append(
            (grade(prompt, p.chosen[-1].content), grade(prompt, p.rejected[-1].content))
        )
    return {
        name: {
            "n": len(g),
            "agree": sum(c > r for c, r in g) / len(g),
            "tie": sum(c == r for c, r in g) / len(g),
            "disagree": sum(c < r for c, r in g) / len(g),
            "chosen": fmean(c for c, _ in g),
            "rejected": fmean(r for _, r in g),
        }
        for name, g in sorted(table.items())
    }


def family_scores(stage_path: str, prompts: dict[str, Prompt], grade: Any) -> dict[str, float]:
    by_family: dict[str, list[float]] = defaultdict(list)
    for c in read_jsonl(Path(stage_path) / "completions.jsonl", Completion):
        prompt = prompts[c.prompt_id]
        by_family[str(prompt.metadata.get("family"))].append(grade(prompt, c.text))
    return {family: fmean(scores) for family, scores in sorted(by_family.items())}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--recipe", default="recipes/sandbox.yaml")
    ap.add_argument("--results", default="results")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="the run's recipe overrides")
    args = ap.parse_args()
    recipe = load_recipe(args.recipe, args.set)
    pipe = Pipeline(recipe, args.results, log=lambda line: None)
    world = pipe.benchmark
    feedback = world.prompts("feedback", recipe.feedback.prompts)
    context_lengths(world, {**recipe.source_kwargs("almost_rubric")["configurations"], **probes(recipe)}, feedback)
    record = latest_record(Path(args.results), recipe.name)
    if record is None:
        raise SystemExit(f"no finished {recipe.name} run under {args.results}/runs: run `make demo` for the rest")
    pipe.resolve_models()

    print(f"\nrun {record['run_id']}; {len(feedback)} feedback prompts, one sample per configuration")
    print("\n| configuration | rubric rank | gold score ± SE | kept by BAD filters: n, gold | mean length |")
    print("|---|---|---|---|---|")
    ranks = {name: rank for rank, name in enumerate(recipe.source_kwargs("almost_rubric")["rubric"], 1)}
    table = configuration_table(pipe, args.recipe, args.set, feedback)
    for name, row in sorted(table.items(), key=lambda item: (ranks.get(item[0], 99), -item[1]["gold_score"])):
        kept = row["responses"] - row["bad"]
        print(
            f"| {name} | {ranks.get(name, '—')} | {row['gold_score']:.2f} ± {row['gold_score_se']:.2f} | "
            f"{kept}, {'—' if row['kept_gold_score'] is None else format(row['kept_gold_score'], '.2f')} "
            f"| {row['mean_length']:.1f} |"
        )

    stage = record["stages"]["feedback almost_rubric"]
    pairs = read_jsonl(Path(stage["path"]) / "preferences.jsonl", PreferencePair)
    print(f"\nrubric pairs of the run ({len(pairs)}; dropped: {stage['summary']['dropped']}):")
    print("| chosen > rejected | pairs | oracle agrees | ties | disagrees | gold chosen | gold rejected |")
    print("|---|---|---|---|---|---|---|")
    by_id = {p.id: p for p in feedback}
    for name, row in pair_outcomes(pairs, by_id, world.grade).items():
        print(
            f"| {name} | {row['n']} | {100 * row['agree']:.0f}% | {100 * row['tie']:.0f}% | "
            f"{100 * row['disagree']:.0f}% | {row['chosen']:.2f} | {row['rejected']:.2f} |"
        )

    evaluation = {p.id: p for p in world.prompts("eval", recipe.evaluation.prompts)}
    print("\nheld-out gold score per family (all samples):")
    rows = {
        m: family_scores(record["stages"][f"evaluate {m}"]["path"], evaluation, world.grade)
        for m in ("M1", "M2-almost_rubric", recipe.policy)
        if f"evaluate {m}" in record["stages"]
    }
    families = sorted({f for scores in rows.values() for f in scores})
    print("| model | " + " | ".join(families) + " |")
    print("|---" * (len(families) + 1) + "|")
    for model, scores in rows.items():
        print(f"| {model} | " + " | ".join(f"{scores.get(f, float('nan')):.2f}" for f in families) + " |")


if __name__ == "__main__":
    main()

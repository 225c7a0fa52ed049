"""Evaluation without a gold grader: a judge model compares sample k of each row with sample k of the baseline.

Every comparison is asked in both orders (judges/pairwise.py); a verdict that flips with the order is a tie.
Verdicts become alpaca_eval preferences (2 = the row's answer better, 1 = the baseline's, 1.5 = tie, None =
the judge or a sample failed), so `report.build_judged_metrics` gets the win rate ± SE and the offline
length-controlled win rate (harness/evaluate/lc.py) from the same numbers. One judging stage per row: a rerun
reuses it, and an API judge's calls also go through the run's remote cache.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness.hashing import stable_hash
from harness.registry import judges
from harness.run import names
from harness.run.context import RunContext, prompt_set_key
from harness.run.records import read_jsonl, write_jsonl
from harness.types import Completion, Failure, Judgment, Preference, Prompt, Record

PREFERENCE = {"a": 2.0, "b": 1.0, "tie": 1.5}  # the row's answer is always shown as `a` in the first order


class JudgedRow(Record):
    """One row against the baseline: per prompt id, the preference of sample k at index k (None: failed),
    and the mean character length of the row's and the baseline's judged samples."""

    preferences: dict[str, list[float | None]]
    lengths: dict[str, tuple[float, float]]
    judge_calls: int = 0
    judge_failures: int = 0
    position_consistency: float | None = None


class JudgedEvaluation(Record):
    judge: str  # the judge model's name in `models`
    prompt: str  # the judge prompt
    baseline: str
    samples: int
    n_prompts: int
    rows: dict[str, JudgedRow | None]  # None for the baseline itself


def judged_evaluation(pipe: RunContext, rows: Sequence[str], prompts: Sequence[Prompt]) -> JudgedEvaluation:
    ev = pipe.recipe.evaluation
    assert ev.judge is not None
    # The judge is not a row: judging its own answers would measure self-preference, not quality.
    rows = [r for r in rows if r != ev.judge.model or r == ev.baseline]
    completions = {row: pipe.eval_completions(row, prompts) for row in rows}
    out = {}
    for row in rows:
        out[row] = (
            None if row == ev.baseline else _judge_row(pipe, row, prompts, completions[row], completions[ev.baseline])
        )
    return JudgedEvaluation(
        judge=ev.judge.model,
        prompt=ev.judge.prompt,
        baseline=ev.baseline,
        samples=ev.samples,
        n_prompts=len(prompts),
        rows=out,
    )


def _judge_row(
    pipe: RunContext, row: str, prompts: Sequence[Prompt], mine: list[list[Completion]], base: list[list[Completion]]
) -> JudgedRow:
    ev = pipe.recipe.evaluation
    judge_spec = ev.judge  # a name the nested build() keeps narrowed
    assert judge_spec is not None
    judge_ref, baseline = pipe.models[judge_spec.model], ev.baseline
    items = [
        (p, a, b) for p, cs, bs in zip(prompts, mine, base, strict=True) for a in cs for b in bs if a.sample == b.sample
    ]
    # Keyed by the texts compared, not only by what produced them: an evaluation whose failed remote samples were
    # asked again on a later run compares more items, and must be judged again.
    config = {
        "judge": ev.judge,
        "params": pipe.eval_params(),
        "prompts": prompt_set_key(prompts),
        "seed": pipe.recipe.seed,
        "items": stable_hash([(p.id, a.sample, a.text, b.text) for p, a, b in items]),
    }
    inputs = [pipe.models[row].key, pipe.models[baseline].key, judge_ref.key]

    def build(out: Path) -> dict[str, Any]:
        judge = judges.pair(
            "pairwise",
            generator=pipe.generator(judge_spec.model),
            prompt=judge_spec.prompt,
            both_orders=True,
            seed=pipe.recipe.seed,
        )
        judgments = judge.compare(items)
        write_jsonl(out / "judgments.jsonl", judgments)
        consistent = [j.verdict.consistent for j in judgments if isinstance(j.verdict, Preference)]
        return {
            "judgments": len(judgments),
            "failures": sum(isinstance(j.verdict, Failure) for j in judgments),
            "position_consistency": sum(map(bool, consistent)) / len(consistent) if consistent else None,
        }

    stage = pipe.stage(names.judged_eval_label(row, baseline), "judge_eval", config, inputs, build)
    judgments = list(read_jsonl(stage.path / "judgments.jsonl", Judgment))
    if len(judgments) != len(items):
        raise ValueError(
            f"{stage.path / 'judgments.jsonl'}: {len(judgments)} judgments for {len(items)} "
            "comparisons; delete the stage folder to judge again"
        )
    prefs: dict[str, list[float | None]] = {p.id: [None] * ev.samples for p in prompts}
    lengths: dict[str, tuple[float, float]] = {}
    per_prompt: dict[str, list[tuple[int, int]]] = {}
    for (p, a, b), j in zip(items, judgments):
        if isinstance(j.verdict, Preference):
            prefs[p.id][a.sample] = PREFERENCE[j.verdict.winner]
        per_prompt.setdefault(p.id, []).append((len(a.text), len(b.text)))
    for pid, pairs in per_prompt.items():
        lengths[pid] = (sum(m for m, _ in pairs) / len(pairs), sum(b for _, b in pairs) / len(pairs))
    summary = stage.summary
    return JudgedRow(
        preferences=prefs,
        lengths=lengths,
        judge_calls=summary["judgments"],
        judge_failures=summary["failures"],
        position_consistency=summary["position_consistency"],
    )

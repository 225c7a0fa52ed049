"""From a sweep record to one row per (variant group, model), aggregated over the group's seeds.

Every number is read from the variants' run records (`metrics.json`, `scores.json`), never recomputed from
models: score, win rate and pair accuracy as mean ± across-seed SD, and the gain over the baseline as the mean of
per-seed paired differences with a CI pooled over seeds (harness/sweep/pooled.py says how).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.evaluate.paired import paired_scores
from harness.evaluate.power import SeededPower, seeded_power
from harness.report.scoring import per_prompt
from harness.run.record_schema import FinishedRun, read_run
from harness.sweep.pooled import PooledDiff, mean_sd, pooled_paired_diff
from harness.sweep.record import SweepRecord, VariantEntry, read_sweep
from harness.sweep.run import SWEEP_FILE


@dataclass
class SweepRow:
    group: str
    values: dict[str, Any]
    extra: bool
    model: str
    stage: str
    source: str
    seeds: list[int | None]
    run_ids: list[str]
    score: float | None = None
    score_sd: float | None = None
    score_se: float | None = None  # of a one-seed row (its run's SE over prompts)
    win_rate: float | None = None
    win_rate_sd: float | None = None
    gold_pair_accuracy: float | None = None
    gold_pair_accuracy_sd: float | None = None
    pairs: float | None = None
    diff: PooledDiff | None = None
    power: SeededPower | None = None  # MDE and counts that would resolve `diff` (harness/evaluate/power.py)

    def flat(self) -> dict[str, Any]:
        """The row as CSV/JSON fields (the CI replicates left out)."""
        d = self.diff
        return {
            "variant": self.group,
            **{f"value:{k}": v for k, v in self.values.items()},
            "model": self.model,
            "stage": self.stage,
            "source": self.source,
            "n_seeds": len(self.seeds),
            "seeds": " ".join("-" if s is None else str(s) for s in self.seeds),
            "score": self.score,
            "score_sd": self.score_sd,
            "win_rate": self.win_rate,
            "win_rate_sd": self.win_rate_sd,
            "diff": d.mean if d else None,
            "diff_sd": d.sd if d else None,
            "diff_ci_low": d.ci_low if d else None,
            "diff_ci_high": d.ci_high if d else None,
            "significant": d.significant if d else None,
            "diff_per_seed": " ".join(f"{x:+.4f}" for x in d.per_seed) if d else "",
            "gold_pair_accuracy": self.gold_pair_accuracy,
            "gold_pair_accuracy_sd": self.gold_pair_accuracy_sd,
            "pairs": self.pairs,
            "run_ids": " ".join(self.run_ids),
            **power_fields(self.power),
        }


def power_fields(power: SeededPower | None) -> dict[str, Any]:
    """A sweep row's power as flat CSV fields, each prefixed `power_` (empty for the baseline)."""
    keep = ("mde", "mde_prompts", "prompts_needed", "seeds_needed", "var_within", "var_seed")
    record = power.record() if power is not None else {}
    return {f"power_{k}": record.get(k) for k in keep}


@dataclass
class SweepTable:
    record: SweepRecord
    baseline: str
    rows: list[SweepRow]
    failed: list[str] = field(default_factory=list)  # "label: error" of variants that did not finish
    dimensions: list[str] = field(default_factory=list)


def latest_sweep(results: Path, name: str) -> SweepRecord:
    """The newest sweep record of `name` that finished (else the newest at all: a sweep still running or killed)."""
    found = sorted((results / "runs" / name).glob(f"*/{SWEEP_FILE}"))
    if not found:
        raise FileNotFoundError(
            f"no sweep record of {name!r} under {results / 'runs' / name}; run a recipe with a "
            "sweep: block first (harness run RECIPE)"
        )
    records = [read_sweep(p) for p in found]
    finished = [r for r in records if r.finished]
    return (finished or records)[-1]


@dataclass(frozen=True)
class _VariantRun:
    """A finished variant's run record and, for a gold-graded run, its per-prompt scores (scores.json)."""

    run: FinishedRun
    scores: dict[str, Any] | None


def _load_run(results: Path, entry: VariantEntry) -> _VariantRun:
    folder = results / (entry.run_dir or "")
    scores = folder / "scores.json"
    return _VariantRun(read_run(folder), json.loads(scores.read_text(encoding="utf-8")) if scores.exists() else None)


def aggregate(results: Path, record: SweepRecord) -> SweepTable:
    groups: dict[str, list[tuple[VariantEntry, _VariantRun]]] = {}
    failed = []
    for entry in record.variants:
        if entry.status != "done":
            failed.append(f"{entry.label}: {entry.error or entry.status}")
            continue
        groups.setdefault(entry.group, []).append((entry, _load_run(results, entry)))
    rows: list[SweepRow] = []
    baseline = ""
    for group, members in groups.items():
        baseline = members[0][1].run.feedback.baseline
        models = list(dict.fromkeys(r.model for _, v in members for r in v.run.feedback.rows))
        for model in models:
            rows.append(_row(group, members, model, baseline))
    return SweepTable(record, baseline, rows, failed, record.dimensions())


def _row(group: str, members: list[tuple[VariantEntry, _VariantRun]], model: str, baseline: str) -> SweepRow:
    found = [(entry, v, row) for entry, v in members if (row := v.run.feedback.row(model)) is not None]
    entry0, run0, row0 = found[0]
    out = SweepRow(
        group=group,
        values=entry0.values,
        extra=entry0.extra,
        model=model,
        stage=row0.stage,
        source=row0.source or "",
        seeds=[e.seed for e, _, _ in found],
        run_ids=[v.run.run.run_id for _, v, _ in found],
    )
    rows = [r for _, _, r in found]
    out.score, out.score_sd, n = mean_sd([r.score for r in rows])
    out.score_se = rows[0].score_se if n == 1 else None
    out.win_rate, out.win_rate_sd, _ = mean_sd([r.win_rate for r in rows])
    out.gold_pair_accuracy, out.gold_pair_accuracy_sd, _ = mean_sd([r.gold_pair_accuracy for r in rows])
    out.pairs, _, _ = mean_sd([r.pairs for r in rows])
    scored = [v.scores for _, v, r in found if v.scores is not None and r.score is not None]
    if model != baseline and scored and len(scored) == len(found):
        recipe = run0.run.run.recipe  # the resolved recipe as run.json recorded it
        per_seed = [
            (per_prompt(s[model], ids), per_prompt(s[baseline], ids)) for s in scored for ids in [sorted(s[baseline])]
        ]
        out.diff = pooled_paired_diff(per_seed, n_boot=recipe["evaluation"]["bootstrap"], seed=recipe["seed"])
        paired = [paired_scores(a, b) for a, b in per_seed]
        if all(a.size > 1 for a, _ in paired):
            out.power = seeded_power([a - b for a, b in paired])
    return out


def load_table(results: Path, name: str) -> SweepTable:
    return aggregate(results, latest_sweep(results, name))


__all__ = ["SweepRow", "SweepTable", "aggregate", "latest_sweep", "load_table"]

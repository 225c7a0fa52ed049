"""A sweep record over hand-made run records: rows per (variant, model) over seeds, the tables and the plot."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import pytest

from harness.sweep import tables
from harness.sweep.aggregate import load_table
from harness.sweep.view import curves

PROMPTS = [f"p{i}" for i in range(40)]
LEVELS = {"flip_rate-0.5": (0.5, 0.50, -0.4), "flip_rate-0.2": (0.2, 0.80, 0.2), "flip_rate-0": (0.0, 1.00, 0.5)}


def _write_run(results: Path, label: str, seed: int | None, accuracy: float, gain: float) -> str:
    """M1 scores 2 or 3 by prompt; M2-noisy_oracle adds `gain` + (seed or 0) * 0.1 to both of its samples."""
    shift = gain + 0.1 * (seed or 0)
    m1 = {p: [2.0 + (i % 2)] * 2 for i, p in enumerate(PROMPTS)}
    m2 = {p: [v + shift + (0.5 if i % 4 == 0 else -0.5 / 3) for v in m1[p]] for i, p in enumerate(PROMPTS)}
    folder = results / "runs" / f"curve.{label}" / f"run-{seed}"
    folder.mkdir(parents=True)
    rows = [
        {"model": "M1", "stage": "M1", "source": "", "score": 2.5, "score_se": 0.08},
        {
            "model": "M2-noisy_oracle",
            "stage": "M2",
            "source": "noisy_oracle",
            "score": 2.5 + shift,
            "score_se": 0.08,
            "win_rate": 50 + 10 * shift,
            "diff": shift,
            "gold_pair_accuracy": accuracy + 0.01 * (seed or 0),
            "pairs": 180 + (seed or 0),
        },
    ]
    (folder / "metrics.json").write_text(json.dumps({"baseline": "M1", "rows": rows}))
    (folder / "scores.json").write_text(json.dumps({"M1": m1, "M2-noisy_oracle": m2}))
    recipe = {"seed": 0, "evaluation": {"bootstrap": 1000}}
    (folder / "run.json").write_text(json.dumps({"run_id": f"{label}-{seed}", "recipe": recipe}))
    return str(folder.relative_to(results))


@pytest.fixture
def results(tmp_path):
    variants = []
    for group, (rate, accuracy, gain) in LEVELS.items():
        for seed in (0, 1, 2):
            label = f"{group}_seed-{seed}"
            variants.append(
                {
                    "label": label,
                    "group": group,
                    "values": {"noisy_oracle.flip_rate": rate},
                    "seed": seed,
                    "extra": False,
                    "status": "done",
                    "run_dir": _write_run(tmp_path, label, seed, accuracy, gain),
                }
            )
    variants.append(
        {
            "label": "demo",
            "group": "demo",
            "values": {},
            "seed": None,
            "extra": True,
            "status": "done",
            "run_dir": _write_run(tmp_path, "demo", None, 0.47, 0.26),
        }
    )
    variants.append(
        {
            "label": "broken",
            "group": "broken",
            "values": {},
            "seed": None,
            "extra": True,
            "status": "failed",
            "error": "boom",
        }
    )
    record = {
        "sweep": "curve",
        "sweep_id": "20260101-000000-abc",
        "jobs": 2,
        "threads_per_job": 1,
        "seconds": 12.0,
        "git_revision": "0" * 40,
        "finished": True,
        "variants": variants,
        "spec": {
            "grid": {"noisy_oracle.flip_rate": [0.5, 0.2, 0.0]},
            "zip": {},
            "seeds": [0, 1, 2],
            "plot": {"x": "gold_pair_accuracy", "metric": "diff"},
        },
    }
    (tmp_path / "runs" / "curve" / "s1").mkdir(parents=True)
    (tmp_path / "runs" / "curve" / "s1" / "sweep.json").write_text(json.dumps(record))
    return tmp_path


def test_rows_are_means_and_sds_over_seeds_with_a_pooled_ci(results):
    table = load_table(results, "curve")
    row = next(r for r in table.rows if r.group == "flip_rate-0.2" and r.model == "M2-noisy_oracle")
    assert row.seeds == [0, 1, 2] and row.score == pytest.approx(2.5 + 0.2 + 0.1) and row.score_sd == pytest.approx(0.1)
    assert row.gold_pair_accuracy == pytest.approx(0.81) and row.gold_pair_accuracy_sd == pytest.approx(0.01)
    assert row.diff.per_seed == pytest.approx((0.2, 0.3, 0.4)) and row.diff.sd == pytest.approx(0.1)
    # per-prompt differences: shift + 0.5 on a quarter of prompts, shift - 1/6 elsewhere (mean shift, SD 0.2887):
    # pooled over 3 strata of 40 prompts, SE = 0.2887 / sqrt(40) / sqrt(3)
    se = math.sqrt(0.25 * 0.75) * (0.5 + 0.5 / 3) / math.sqrt(40 * 3)
    assert row.diff.mean == pytest.approx(0.3)
    assert (row.diff.ci_high - row.diff.ci_low) / 2 == pytest.approx(1.96 * se, rel=0.15)
    assert table.failed == ["broken: boom"]
    demo = next(r for r in table.rows if r.group == "demo" and r.model == "M2-noisy_oracle")
    assert demo.extra and demo.diff.sd is None and demo.diff.n_seeds == 1


def test_break_even_accuracy_lies_between_the_levels_around_zero(results):
    table = load_table(results, "curve")
    (curve,), singles = curves(table, "gold_pair_accuracy", "diff")
    assert curve.label == "M2-noisy_oracle" and len(singles) == 1
    assert [round(p.x, 2) for p in curve.points] == [0.51, 0.81, 1.01]
    (by_rate,), _ = curves(table, "noisy_oracle.flip_rate", "diff")
    assert [p.x for p in by_rate.points] == [0.0, 0.2, 0.5] and by_rate.break_even is None
    be = curve.break_even
    # mean gains -0.3 at 0.51 and +0.3 at 0.81: the line crosses 0 half way
    assert be.x == pytest.approx(0.66) and be.ci_low < 0.66 < be.ci_high < 0.81
    assert be.x < be.significant_from < 0.81


def test_tables_and_plot_are_written(results):
    paths, _ = tables.write(results, "curve", ["md", "csv", "html", "png"])
    md = (results / "leaderboards" / "curve.md").read_text()
    assert "| flip_rate-0.2 | M2-noisy_oracle | 0 1 2 | 2.80 ± 0.10 | +0.30 [" in md
    assert "break-even 66% [95% CI" in md and "Variant broken: boom did not finish." in md
    rows = list(csv.DictReader((results / "leaderboards" / "curve.csv").open()))
    assert len(rows) == 4 and rows[1]["diff_per_seed"] == "+0.2000 +0.3000 +0.4000"
    assert "<td>flip_rate-0.2</td>" in (results / "leaderboards" / "curve.html").read_text()
    assert (results / "leaderboards" / "curve.png").stat().st_size > 10_000
    assert [p.name for p in paths[3:]] == ["curve.png", "curve.svg", "curve.pdf", "curve.caption.md"]


def test_bad_axes_are_one_line_errors(results):
    with pytest.raises(ValueError, match=r"--x 'dpo.betta': give a swept path"):
        tables.write(results, "curve", ["png"], x="dpo.betta")
    with pytest.raises(FileNotFoundError, match="no sweep record of 'nope'"):
        tables.write(results, "nope", ["md"])


def test_rows_state_their_mde_from_prompt_and_seed_variance(results):
    """flip_rate-0.2: per-seed gains 0.2, 0.3, 0.4 over 40 prompts whose differences have variance 0.0855 (n − 1):
    the seed spread (variance 0.01) dominates, so the t-test over seeds needs more than the pooled CI."""
    from harness.evaluate.power import seeded_mde, t_noncentrality, z_sum
    from harness.report.power_cells import SWEEP_HEADER, SWEEP_LEGEND, sweep_cell

    table = load_table(results, "curve")
    row = next(r for r in table.rows if r.group == "flip_rate-0.2" and r.model == "M2-noisy_oracle")
    p = row.power
    var_w = 40 / 39 * 0.25 * 0.75 * (0.5 + 0.5 / 3) ** 2
    assert p.n_seeds == 3 and p.var_within == pytest.approx(var_w) and p.var_seed == pytest.approx(0.01 - var_w / 40)
    assert p.mde_prompts == pytest.approx(z_sum() * math.sqrt(var_w / 40 / 3))
    assert p.mde == pytest.approx(t_noncentrality(2) * math.sqrt(0.01 / 3)) == seeded_mde(var_w, p.var_seed, 40, 3)
    assert p.mde_prompts < p.observed < p.mde  # the pooled CI resolves +0.3; three seeds could not generalise it
    assert p.seeds_needed == 4
    demo = next(r for r in table.rows if r.group == "demo" and r.model == "M2-noisy_oracle")
    assert demo.power.n_seeds == 1 and demo.power.mde is None
    assert next(r for r in table.rows if r.model == "M1").power is None
    md = tables.markdown(table)
    assert SWEEP_HEADER in md and SWEEP_LEGEND in md
    # +0.3 is significant by the pooled CI but below the over-seeds MDE: the cell says what would generalise it
    assert f"| {p.mde_prompts:.2f} / {p.mde:.2f} · Δ needs {p.prompts_needed:,} prompts × 3 seeds, or 4 seeds" in md
    top = next(r for r in table.rows if r.group == "flip_rate-0" and r.model == "M2-noisy_oracle").power
    assert f"| {top.mde_prompts:.2f} / {top.mde:.2f} |" in md  # +0.6 clears both: the MDEs alone
    rows = list(csv.DictReader(io.StringIO(tables.csv_text(table))))
    assert float(rows[1]["power_mde"]) == pytest.approx(p.mde) and rows[1]["power_seeds_needed"] == "4"
    # A non-significant Δ says what would resolve it, at the sweep's seeds and at its prompts
    text = sweep_cell(p, significant=False)
    assert f"Δ needs {p.prompts_needed:,} prompts × 3 seeds, or 4 seeds × 40 prompts" in text
    assert sweep_cell(demo.power, significant=True) == f"{demo.power.mde_prompts:.2f} / —"


def test_plan_reads_a_pilot_sweep_and_prints_prompts_and_seeds_per_comparison(results, capsys):
    from harness.cli import main

    pilot = results / "runs" / "curve" / "s1"
    design = ["recipes/sandbox_judge_curve.yaml", "--set", "evaluation.prompts=200"]
    assert main(["plan", *design, "--pilot", str(pilot), "--effect", "0.3"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "80% power, two-sided alpha 0.05" in out[0] and "+0.3 for every comparison" in out[0]
    line = next(x for x in out if x.startswith("[flip_rate-0.2] M2-noisy_oracle vs M1:"))
    # The design runs 3 seeds x 200 prompts: its own counts, and the pilot's seed SD √(0.01 − σ²_w/40)
    assert "at 3 seeds" in line and "at 200 prompts" in line and "oracle score points" in line
    assert "seed SD 0.089" in line and "over 3 seeds x 40 prompts" in line
    demo = next(x for x in out if x.startswith("[demo] M2-noisy_oracle"))
    assert "Seed-to-seed variance unknown" in demo
    # The pilot id alone is found under --results
    assert main(["plan", "recipes/sandbox_judge_curve.yaml", "--pilot", "s1", "--results", str(results)]) == 0
    assert "each comparison's observed difference" in capsys.readouterr().out

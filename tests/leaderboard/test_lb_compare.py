"""`harness compare RUN:MODEL RUN:MODEL`: rows of two runs paired per prompt, refused in one line when the runs were
not evaluated alike."""

from __future__ import annotations

import copy
import json

import numpy as np
import pytest

from harness.cli import main
from harness.evaluate.power import paired_mde


def scores(shift: float) -> dict:
    """M1 and M2 on 48 prompts x 4 samples; M2 = M1 + shift + per-prompt noise of mean 0 (+1, -1, 0 in turn)."""
    rng = np.random.default_rng(0)
    base = rng.integers(0, 5, size=(48, 4)).astype(float)
    noise = np.repeat(np.array([1.0, -1.0, 0.0])[np.arange(48) % 3][:, None], 4, axis=1)
    return {
        "M1": {f"p{i}": list(base[i]) for i in range(48)},
        "M2-oracle": {f"p{i}": list(base[i] + shift + noise[i]) for i in range(48)},
    }


@pytest.fixture
def two_runs(tmp_path, record, make_results):
    """Runs `plain` (M2 gains 0.2) and `robust` (M2 gains 0.7) of one evaluation, in one results folder."""
    root = None
    for name, shift in (("plain", 0.2), ("robust", 0.7)):
        run, metrics = copy.deepcopy(record)
        run["recipe"]["name"] = metrics["recipe"] = name
        root = make_results(run, metrics)
        (root / "runs" / name / run["run_id"] / "scores.json").write_text(json.dumps(scores(shift)))
    return root


def test_compare_pairs_rows_of_two_runs_by_prompt(two_runs, capsys):
    assert main(["compare", "robust:M2-oracle", "plain:M2-oracle", "--results", str(two_runs)]) == 0
    out = capsys.readouterr().out.splitlines()
    # Per prompt the two M2 rows differ by exactly 0.5 (same base, same noise): a CI of zero width, significant
    assert out[2].startswith("A − B = +0.500 [+0.500, +0.500] (paired bootstrap 95% CI over 48 prompts, 4 samples")
    assert "; significant)" in out[2]
    assert main(["compare", "robust:M2-oracle", "plain:M1", "--results", str(two_runs)]) == 0
    line = capsys.readouterr().out.splitlines()[3]
    diffs = 0.7 + np.array([1.0, -1.0, 0.0])[np.arange(48) % 3]  # robust's M2 against plain's M1
    assert line.startswith(f"MDE at 80% power, α 0.05: {paired_mde(float(diffs.std(ddof=1)), 48):.3f};")


def test_compare_refuses_runs_not_evaluated_alike_in_one_line(two_runs, capsys):
    folder = next((two_runs / "runs" / "robust").iterdir())
    run = json.loads((folder / "run.json").read_text())
    run["recipe"]["evaluation"]["samples"] = 2
    (folder / "run.json").write_text(json.dumps(run))
    cases = {
        ("robust:M2-oracle", "plain:M2-oracle"): "error: evaluation.samples: 2 in ",
        ("robust:M2-orcale", "plain:M1"): "error: robust:M2-orcale: no row 'M2-orcale' in ",
        ("robust", "plain:M1"): "error: robust: give RUN:MODEL",
        ("nowhere:M1", "plain:M1"): "error: nowhere: neither a run folder nor a recipe with a finished run",
    }
    for (a, b), start in cases.items():
        assert main(["compare", a, b, "--results", str(two_runs)]) == 2
        err = capsys.readouterr().err
        assert err.startswith(start) and err.count("\n") == 1, err
    assert main(["compare", "robust:M2-orcale", "plain:M1", "--results", str(two_runs)]) == 2
    assert capsys.readouterr().err.rstrip().endswith("did you mean M2-oracle?")

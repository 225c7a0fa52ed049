"""Same recipe and seed, separate results folders: byte-identical preference datasets and equal metrics; and
`harness rerun RUN_DIR` rebuilds a run from nothing but its run.json."""

from __future__ import annotations

import filecmp
import json
import shutil
import sys
from pathlib import Path

import pytest

from harness.run.records import metric_differences
from tests.reliability.conftest import Finished, Teacher, finish, start


def rerun(run_dir: Path, key: str, *extra: str) -> Finished:
    return finish(start([sys.executable, "-m", "harness.cli", "rerun", str(run_dir), *extra], key))


@pytest.fixture(scope="module")
def fresh(solo_run: Finished, teacher: Teacher, tmp_path_factory: pytest.TempPathFactory) -> Finished:
    """The solo run recomputed from its record alone, in an empty results folder."""
    return rerun(solo_run.run_dir, teacher.key, "--results", str(tmp_path_factory.mktemp("rerun")))


def test_rerun_from_the_record_reproduces_every_metric(fresh: Finished, solo_run: Finished):
    assert fresh.returncode == 0, fresh.stderr[-3000:]
    assert "reproduced: every metric equals the record's" in fresh.stdout
    assert fresh.run_dir is not None and fresh.run_dir.parents[2] != solo_run.run_dir.parents[2]
    assert metric_differences(solo_run.metrics(), fresh.metrics()) == []
    assert not any(s["reused"] for s in fresh.record()["stages"].values())  # recomputed, not looked up
    assert fresh.record()["recipe"] == solo_run.record()["recipe"]
    assert list(fresh.record()["recipe"]["models"]) == ["xs", "s", "teacher"]  # order is the rows' order


def test_datasets_and_stage_outputs_are_byte_identical(fresh: Finished, solo_run: Finished):
    first, second = solo_run.record()["stages"], fresh.record()["stages"]
    assert first.keys() == second.keys()
    compared = 0
    for label, stage in first.items():
        for path in sorted(Path(stage["path"]).glob("*")):
            if path.suffix in (".jsonl", ".parquet", ".json") and path.name != "_stage.json":
                other = Path(second[label]["path"]) / path.name
                assert filecmp.cmp(path, other, shallow=False), f"{label}: {path.name} differs"
                compared += 1
    datasets = [label for label in first if label.startswith("feedback ")]
    assert sorted(datasets) == ["feedback llm_judge", "feedback llm_teacher", "feedback oracle"]
    assert compared >= 20
    pairs = (Path(first["feedback llm_teacher"]["path"]) / "preferences.jsonl").read_text().splitlines()
    assert len(pairs) == 10 and '"chosen_by":"openai-' in pairs[0]  # provenance is inside the bytes compared


def test_rerun_says_so_when_a_metric_differs(solo_run: Finished, teacher: Teacher):
    # A copy of the record whose metrics were edited: rerun in place reuses every stage, so only the edit differs.
    doctored = solo_run.run_dir.with_name(solo_run.run_dir.name + "-doctored")
    shutil.copytree(solo_run.run_dir, doctored)
    metrics = json.loads((doctored / "metrics.json").read_text())
    metrics["rows"][4]["score"] += 0.25
    (doctored / "metrics.json").write_text(json.dumps(metrics))
    done = rerun(doctored, teacher.key)
    assert done.returncode == 1, done.stderr[-2000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("NOT reproduced"))
    assert "1 metric(s) differ" in line and "rows[4].score" in line


def test_a_field_only_the_rerun_records_is_a_note_not_a_difference(solo_run: Finished, teacher: Teacher):
    # A record written before a field existed (as by an older harness): the rerun adds it and still reproduces.
    older = solo_run.run_dir.with_name(solo_run.run_dir.name + "-older")
    shutil.copytree(solo_run.run_dir, older)
    metrics = json.loads((older / "metrics.json").read_text())
    del metrics["rows"][4]["power"]
    (older / "metrics.json").write_text(json.dumps(metrics))
    done = rerun(older, teacher.key)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "note: the rerun also records 1 field(s) the record lacks: rows[4].power" in done.stdout
    assert "reproduced: every metric equals the record's" in done.stdout


def test_rerun_of_a_folder_without_a_record_is_one_line(tmp_path, capsys):
    from harness.cli import main

    assert main(["rerun", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "run.json: not found; pass a finished run's folder" in err

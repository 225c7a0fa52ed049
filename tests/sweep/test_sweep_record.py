"""The sweep record as a model writes the file it always wrote, key order included, plus schema_version; an
older record (no version) reads."""

from __future__ import annotations

import json

from harness.sweep.record import SWEEP_SCHEMA_VERSION, SweepRecord, VariantEntry, read_sweep, sweep_json

ENTRIES = [
    {"label": f"v{i}", "group": "g", "values": {"dpo.beta": 0.1 * i}, "seed": i, "extra": False, "recipe": "r"}
    for i in range(3)
]
OUTCOMES = [
    {"status": "done", "run_dir": "runs/r.v0/1", "seconds": 1.5, "built": ["dpo M2-oracle"]},
    {"status": "failed", "error": "boom", "seconds": 2.0},
    {"status": "done", "run_dir": "runs/r.v2/1", "seconds": 3.0, "built": []},
]


def test_the_written_record_is_the_historic_dict_plus_its_version(tmp_path):
    # The dict as harness/sweep/run.py built it before the model existed: header, pending entries, outcomes merged.
    old = {
        "sweep": "s", "sweep_id": "id", "sweep_key": "k", "recipe_file": "f.yaml", "spec": {"grid": {"dpo.beta": [0]}},
        "jobs": 1, "threads_per_job": 2, "git_revision": "abc", "finished": False,
        "variants": [{**e, "status": "pending"} for e in ENTRIES],
    }  # fmt: skip
    new = SweepRecord(
        sweep="s", sweep_id="id", sweep_key="k", recipe_file="f.yaml", spec={"grid": {"dpo.beta": [0]}}, jobs=1,
        threads_per_job=2, git_revision="abc", finished=False, variants=[VariantEntry(**e) for e in ENTRIES],
    )  # fmt: skip
    for i, outcome in enumerate(OUTCOMES):
        old["variants"][i].update(outcome)
        new.finish(i, outcome)
    old.update(finished=True, seconds=9.5)
    new.finished, new.seconds = True, 9.5
    assert json.dumps(sweep_json(new)) == json.dumps({**old, "schema_version": SWEEP_SCHEMA_VERSION})

    (tmp_path / "sweep.json").write_text(json.dumps(old))  # a record from before schema_version
    read = read_sweep(tmp_path / "sweep.json")
    assert [v.status for v in read.variants] == ["done", "failed", "done"] and read.variants[1].error == "boom"
    assert read.dimensions() == ["dpo.beta"]

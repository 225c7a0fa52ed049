"""The typed run record: an old metrics.json (no schema_version) is read as it was; a newer or broken one, and a
newer sweep record, are refused in one line naming the file, through the same CLI a user runs."""

from __future__ import annotations

import json

import pytest

from harness.cli import main
from harness.report import leaderboard
from harness.run.record_schema import SCHEMA_VERSION, FeedbackMetrics, RecordError, parse_metrics, read_run, to_json
from harness.sweep.aggregate import load_table
from tests.leaderboard.conftest import DATA


def test_a_record_from_before_schema_versions_reads_as_typed_fields_and_writes_back_unchanged(record):
    _, metrics = record
    assert "schema_version" not in metrics
    typed = parse_metrics(metrics)
    assert isinstance(typed, FeedbackMetrics) and typed.baseline == "M1"
    untrained = typed.row("M2-oracle")
    assert untrained is not None and untrained.score is None and untrained.pairs == 0
    assert not untrained.has("win_rate") and typed.row("xs") is not None and typed.row("xs").has("win_rate")
    assert typed.sources["parameter_contrast"].pairs == 11 and typed.premise is not None
    # What a writer gets back is the record key for key, ints still ints, plus the version it is written to.
    assert to_json(typed) == {**metrics, "schema_version": SCHEMA_VERSION}
    written = {k: v for k, v in to_json(typed).items() if k != "schema_version"}
    assert json.dumps(written, sort_keys=True) == json.dumps(metrics, sort_keys=True)  # 10 stays 10, not 10.0


def test_the_leaderboard_of_an_old_record_is_the_same_as_of_a_versioned_one(make_results, record):
    run, metrics = record
    old = leaderboard.markdown(leaderboard.latest_run(make_results(run, metrics), "sandbox"))
    versioned = {**metrics, "schema_version": SCHEMA_VERSION}
    assert read_run(DATA).run.run_id == run["run_id"]  # the committed fixture itself reads
    new = leaderboard.markdown(leaderboard.latest_run(make_results({**run, "run_id": "v1"}, versioned), "sandbox"))
    assert new == old.replace(run["run_id"], "v1")


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        ({"schema_version": SCHEMA_VERSION + 1}, "is newer than this harness reads"),
        ({"schema_version": "one"}, "is newer than this harness reads"),
        ({"rows": [{"stage": "M1"}]}, "rows.0.model: Field required"),
        ({"baseline": None}, "baseline: Input should be a valid string"),
    ],
)
def test_an_unreadable_record_is_one_line_naming_the_file(make_results, record, capsys, edit, expected):
    run, metrics = record
    results = make_results(run, {**metrics, **edit})
    assert main(["leaderboard", "--recipe", "sandbox", "--results", str(results)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "Traceback" not in err
    assert f"{results / 'runs' / 'sandbox' / run['run_id'] / 'metrics.json'}:" in err and expected in err
    assert "harness rerun" in err


def test_a_newer_sweep_record_is_refused_naming_it(tmp_path):
    folder = tmp_path / "runs" / "curve" / "s1"
    folder.mkdir(parents=True)
    record = {"sweep": "curve", "sweep_id": "s1", "finished": True, "variants": [], "schema_version": 99}
    (folder / "sweep.json").write_text(json.dumps(record))
    with pytest.raises(RecordError, match=r"sweep\.json: schema_version 99 is not one this harness reads"):
        load_table(tmp_path, "curve")

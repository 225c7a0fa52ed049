import json

import pytest

from harness.store import DONE, StageStore


def test_stage_runs_once_and_is_reused(tmp_path):
    store = StageStore(tmp_path)
    calls = []

    def build(out):
        calls.append(out)
        (out / "data.txt").write_text("payload")
        return {"rows": 1}

    first = store.run("gen", {"a": 1}, ["up"], build)
    second = store.run("gen", {"a": 1}, ["up"], build)
    assert len(calls) == 1
    assert not first.reused and second.reused
    assert second.summary == {"rows": 1}
    assert (second.path / "data.txt").read_text() == "payload"
    assert json.loads((second.path / DONE).read_text())["config"] == {"a": 1}


def test_key_changes_with_config_and_inputs(tmp_path):
    store = StageStore(tmp_path)
    keys = {store.key("gen", {"a": 1}, ["x"]), store.key("gen", {"a": 2}, ["x"]), store.key("gen", {"a": 1}, ["y"]),
            store.key("other", {"a": 1}, ["x"])}
    assert len(keys) == 4
    assert store.key("gen", {"b": 1, "a": 2}, ["x", "y"]) == store.key("gen", {"a": 2, "b": 1}, ["y", "x"])


def test_crash_leaves_no_finished_stage_and_next_run_redoes_it(tmp_path):
    store = StageStore(tmp_path)

    def crash(out):
        (out / "half.txt").write_text("partial")
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        store.run("gen", {}, [], crash)
    key = store.key("gen", {}, [])
    assert not store.path("gen", key).exists()
    done = store.run("gen", {}, [], lambda out: {"ok": True})
    assert not done.reused and done.summary == {"ok": True}
    assert [p.name for p in (tmp_path / "gen").iterdir()] == [key]  # the stale temp folder is gone

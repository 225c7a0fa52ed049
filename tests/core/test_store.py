import json
import time

import pytest

from harness.run.store import DONE, StageStore
from harness.run.usage import PROC_STAT


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


def test_a_stage_records_cpu_time_apart_from_time_spent_waiting(tmp_path):
    store = StageStore(tmp_path)

    def busy(out):
        end = time.process_time() + 0.4
        while time.process_time() < end:
            pass

    working = store.run("busy", {}, [], busy)
    waiting = store.run("idle", {}, [], lambda out: time.sleep(0.4))
    assert working.usage["cpu_seconds"] >= 0.35 and working.seconds >= 0.35
    assert waiting.usage["cpu_seconds"] < 0.1 < waiting.seconds - waiting.usage["cpu_seconds"]
    if PROC_STAT.exists():  # Linux: the machine's busy seconds include the stage's own
        assert working.usage["machine_busy_seconds"] >= working.usage["cpu_seconds"] - 0.05
        assert working.usage["machine_steal_seconds"] >= 0
    reused = store.run("busy", {}, [], busy)
    assert reused.reused and reused.usage == working.usage and reused.record()["usage"] == working.usage


def test_key_changes_with_config_and_inputs(tmp_path):
    store = StageStore(tmp_path)
    keys = {
        store.key("gen", {"a": 1}, ["x"]),
        store.key("gen", {"a": 2}, ["x"]),
        store.key("gen", {"a": 1}, ["y"]),
        store.key("other", {"a": 1}, ["x"]),
    }
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


def test_partial_folder_survives_a_failed_build_and_goes_once_the_stage_finishes(tmp_path):
    from harness.run.store import partial_dir

    store = StageStore(tmp_path)
    assert partial_dir() is None  # outside a build there is none: library code then keeps no state

    def crash(out):
        (partial_dir() / "progress.txt").write_text("3 of 5")
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError):
        store.run("train", {}, [], crash)
    key = store.key("train", {}, [])
    seen = []

    def resume(out):
        seen.append((partial_dir() / "progress.txt").read_text())
        return {}

    store.run("train", {}, [], resume)
    assert seen == ["3 of 5"]
    assert sorted(p.name for p in (tmp_path / "train").iterdir()) == [key]


def test_a_second_builder_waits_for_the_first_and_reuses_its_output(tmp_path):
    import threading
    import time

    store = StageStore(tmp_path)
    builds, results = [], []

    def slow(out):
        builds.append(1)
        time.sleep(0.5)
        (out / "data.txt").write_text("once")
        return {}

    threads = [threading.Thread(target=lambda: results.append(store.run("gen", {}, [], slow))) for _ in range(2)]
    for t in threads:
        t.start()
        time.sleep(0.1)
    for t in threads:
        t.join()
    assert len(builds) == 1 and sorted(r.reused for r in results) == [False, True]


def test_json_records_are_strict_json_with_nan_as_null(tmp_path):
    import json
    import math

    from harness.run.store import write_json_atomic

    write_json_atomic(tmp_path / "m.json", {"rho": math.nan, "tau": [1.5, math.inf], "n": 3})
    text = (tmp_path / "m.json").read_text()
    assert "NaN" not in text and "Infinity" not in text
    assert json.loads(text) == {"n": 3, "rho": None, "tau": [1.5, None]}


def test_an_incomplete_output_is_built_again_and_replaced(tmp_path):
    from harness.run.store import StageStore

    store = StageStore(tmp_path)
    builds = []

    def build(out):
        builds.append(len(builds))
        (out / "x.txt").write_text(str(len(builds)))
        return {"missing": 1 if len(builds) == 1 else 0}

    incomplete = lambda summary: summary["missing"] > 0  # noqa: E731
    first = store.run("gen", {"a": 1}, [], build, incomplete)
    second = store.run("gen", {"a": 1}, [], build, incomplete)
    third = store.run("gen", {"a": 1}, [], build, incomplete)
    assert [first.reused, second.reused, third.reused] == [False, False, True]
    assert first.path == second.path == third.path and (third.path / "x.txt").read_text() == "2"
    assert len(builds) == 2 and sorted(p.name for p in (tmp_path / "gen").iterdir()) == [first.key]
    assert store.run("gen", {"a": 1}, [], build).reused  # without the check a finished output is final

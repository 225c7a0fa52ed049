"""Two runs sharing one results folder (stage store and SQLite call cache) at the same time, as two real
processes: both finish with a solo run's numbers, the store holds only finished stages, the cache is intact
and has a row for every call either process made; and a two-process soak of CallCache itself."""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
from pathlib import Path

import pytest

from harness.cache import CallCache
from harness.records import metric_differences
from harness.store import DONE
from tests.reliability.conftest import Finished, Teacher, api_run_args, finish, start


@pytest.fixture(scope="module")
def shared(teacher: Teacher, tmp_path_factory: pytest.TempPathFactory) -> dict:
    results = tmp_path_factory.mktemp("shared")
    seen = len(teacher.server.received)
    procs = [start(api_run_args(results, teacher.server.openai_base_url), teacher.key) for _ in range(2)]
    runs = [finish(p) for p in procs]
    bodies = {r.body_key for r in teacher.server.received[seen:] if r.outcome == "ok"}
    # Then a third run in the same folder: everything the two wrote must be there to be reused.
    seen = len(teacher.server.received)
    again = finish(start(api_run_args(results, teacher.server.openai_base_url), teacher.key))
    return {
        "results": results,
        "runs": runs,
        "bodies": bodies,
        "again": again,
        "calls_again": len(teacher.server.received) - seen,
    }


def test_both_finish_with_the_numbers_of_a_solo_run(shared, solo_run: Finished):
    runs: list[Finished] = shared["runs"]
    assert [r.returncode for r in runs] == [0, 0], [r.stderr[-2000:] for r in runs]
    assert runs[0].run_dir != runs[1].run_dir  # same recipe, same second: each keeps its own record
    for run in runs:
        assert metric_differences(solo_run.metrics(), run.metrics()) == []
    assert len(solo_run.metrics()["rows"]) == 8  # the recipe's 3 models, M1, 3 sources, SFT-teacher


def test_the_store_holds_only_finished_stages(shared):
    store = shared["results"] / "store"
    folders = [p for stage in store.iterdir() if stage.name != ".locks" for p in stage.iterdir()]
    assert len(folders) >= 20
    leftovers = [p.name for p in folders if ".tmp" in p.name or p.name.endswith(".partial")]
    assert leftovers == []  # no half-written stage or partial work left behind
    assert [str(p) for p in folders if not (p / DONE).exists()] == []
    for run in shared["runs"]:
        for label, stage in run.record()["stages"].items():
            assert (Path(stage["path"]) / DONE).exists(), label


def test_the_cache_is_intact_and_lost_no_row(shared):
    db = shared["results"] / "cache" / "remote.sqlite"
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        ok, failed = conn.execute("SELECT SUM(ok = 1), SUM(ok = 0) FROM entries").fetchone()
        values = [json.loads(v) for (v,) in conn.execute("SELECT value FROM entries")]
    # One row per distinct request the server answered, whichever process sent it (both may have).
    assert ok == len(shared["bodies"]) >= 50 and not failed
    assert all(isinstance(v["text"], str) for v in values)
    again: Finished = shared["again"]
    assert again.returncode == 0 and shared["calls_again"] == 0
    assert all(s["reused"] for s in again.record()["stages"].values())


# --- CallCache soak: two processes hammering overlapping keys ------------------------------------------------

KEYS, ROUNDS = 60, 6


def _schedule(worker: int):
    """The writes of one worker: both walk every key, in different orders; a third of the writes are failures."""
    for r in range(ROUNDS):
        for k in range(KEYS):
            key = f"k{(k * (worker + 1) + r) % KEYS}"
            ok = (k + r + worker) % 3 != 0
            value = {"text": f"{key} by {worker} round {r}"} if ok else {"reason": "server_error"}
            # Odd rounds write a batch (one transaction) with a twin key.
            yield [(key, value, ok)] + ([(f"{key}-batch", value, ok)] if r % 2 else [])


def _hammer(path: str, worker: int, done: multiprocessing.Queue[int]) -> None:
    cache = CallCache(path, "soak")
    puts = 0
    for batch in _schedule(worker):
        cache.put_many(batch) if len(batch) > 1 else cache.put(*batch[0])
        puts += len(batch)
        got = cache.get(batch[0][0])
        assert got is None or got["text"].startswith(batch[0][0] + " "), got  # never another key's, never half
    cache.close()
    done.put(puts)


def test_two_processes_hammering_one_cache_lose_and_corrupt_nothing(tmp_path):
    path = str(tmp_path / "soak.sqlite")
    ctx = multiprocessing.get_context("spawn")
    done = ctx.Queue()
    workers = [ctx.Process(target=_hammer, args=(path, w, done)) for w in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(timeout=120)
    assert [w.exitcode for w in workers] == [0, 0]
    writes = [item for w in range(2) for batch in _schedule(w) for item in batch]
    assert done.get(timeout=5) + done.get(timeout=5) == len(writes) == 1080
    # Whatever the interleaving: a key ever written as a success holds a success (a failure never overwrites
    # one), a key only ever failed holds a failure, and every key written is there once.
    succeeded = {k for k, _, ok in writes if ok}
    failed_only = {k for k, _, _ in writes} - succeeded
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = conn.execute("SELECT key, ok, value FROM entries WHERE namespace='soak'").fetchall()
    assert len(rows) == len(succeeded) + len(failed_only) == 2 * KEYS and len(failed_only) == 10
    assert {k for k, ok, _ in rows if ok} == succeeded and {k for k, ok, _ in rows if not ok} == failed_only
    for key, ok, value in rows:
        expected = {v["text"] for k, v, good in writes if good and k == key} if ok else {"server_error"}
        assert json.loads(value).get("text", json.loads(value).get("reason")) in expected
    cache = CallCache(path, "soak")
    assert cache.counts() == {"ok": len(succeeded), "failed": len(failed_only)}
    assert set(cache.get_many([k for k, _, _ in rows])) == succeeded  # failures are never served
    cache.close()

import multiprocessing as mp

from harness.run.cache import CallCache


def test_values_round_trip_and_failures_are_not_reused(tmp_path):
    cache = CallCache(tmp_path / "c.sqlite", "judge-a")
    cache.put("k1", {"score": 4})
    cache.put("k2", {"error": "timeout"}, ok=False)
    assert cache.get("k1") == {"score": 4}
    assert cache.get("k2") is None  # a cached failure is retried, not reused
    assert cache.counts() == {"ok": 1, "failed": 1}
    assert CallCache(tmp_path / "c.sqlite", "judge-b").get("k1") is None  # namespaces are separate


def _writer(path, worker):
    cache = CallCache(path, "ns")
    for i in range(200):
        cache.put(f"{worker}-{i}", i)


def test_two_processes_share_one_file(tmp_path):
    path = tmp_path / "shared.sqlite"
    CallCache(path, "ns")
    procs = [mp.get_context("spawn").Process(target=_writer, args=(path, w)) for w in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(60)
    cache = CallCache(path, "ns")
    assert cache.counts()["ok"] == 400
    assert cache.get_many([f"1-{i}" for i in range(200)]) == {f"1-{i}": i for i in range(200)}


def test_a_late_failure_never_replaces_a_success(tmp_path):
    first, second = CallCache(tmp_path / "c.sqlite", "ns"), CallCache(tmp_path / "c.sqlite", "ns")
    first.put("k", {"score": 3})
    second.put("k", {"error": "timeout"}, ok=False)  # the other process's attempt failed afterwards
    assert first.get("k") == {"score": 3}
    second.put("k", {"score": 4})  # a success still replaces a success, and a failure
    assert first.get("k") == {"score": 4}

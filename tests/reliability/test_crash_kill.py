"""Crash safety, with real SIGKILLs: a reduced sandbox run killed at 10 points, rerun each time, ends identical.

A reference run goes through uninterrupted. Then one results folder takes 10 attempts, each killed (SIGKILL, by
the process itself, see crash_driver.py) at the next of 10 points drawn by a seeded RNG from the reference's own
events: mid-write of completions, judgments and preferences, inside a SQLite transaction, after a generation
batch before it is stored, after a training step before its checkpoint, inside a checkpoint, and 3 more anywhere.
A last attempt finishes. The finished run must equal the reference (metrics, every stage file, every model byte),
hold no duplicate or missing record and no leftover temp state, and the work redone must be only what was in
flight at each kill: the killed batch, or the training steps since the last complete checkpoint.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.reliability import crash_driver

pytestmark = pytest.mark.slow

DRIVER = Path(crash_driver.__file__)
# What depends on the run's history, not its result: timings and CPU usage, where a resume started, and how many DPO
# pairs found their reference log-probabilities already cached (a stage resumed after a crash finds its own first
# attempt's)
TIMING = ("seconds", "runtime", "per_second", "resumed_from_step", "reference_pairs_", "usage")
MUST_HIT = {  # kill kinds the 10 points must include: (event kind, id suffix)
    "completions write": ("write", "completions.jsonl"),
    "judgments write": ("write", "judgments.jsonl"),
    "preferences write": ("write", "preferences.jsonl"),
    "mid-SQLite transaction": ("sqlite", ""),
    "mid-generation batch": ("batch", ""),
    "mid-training step": ("step", ""),
    "mid-checkpoint": ("ckpt", ""),
}


def attempt(results: Path, events: Path, target: str | None) -> subprocess.CompletedProcess:
    with open(events, "a") as fh:
        fh.write(json.dumps({"kind": "attempt", "id": target or "finish"}) + "\n")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"}
    cmd = [sys.executable, str(DRIVER), str(results), str(events), *([target] if target else [])]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)


def read_events(path: Path) -> list[tuple[str, str]]:
    return [(e["kind"], e["id"]) for e in map(json.loads, path.read_text().splitlines())]


def choose_kill_points(reference: list[tuple[str, str]], seed: int = 7) -> list[tuple[str, str]]:
    rng = random.Random(seed)
    work = [e for e in reference if e[0] != "attempt"]
    chosen = {
        rng.choice([e for e in work if e[0] == kind and e[1].endswith(suffix)]) for kind, suffix in MUST_HIT.values()
    }
    while len(chosen) < 10:
        chosen.add(rng.choice(work))
    return sorted(chosen, key=work.index)  # later points first need the earlier ones' reruns to get there


def without_timing(obj):
    if isinstance(obj, dict):
        return {k: without_timing(v) for k, v in obj.items() if not any(t in k for t in TIMING)}
    if isinstance(obj, list):
        return [without_timing(v) for v in obj]
    return obj


def stage_files(store: Path) -> dict[str, Path]:
    return {
        str(p.relative_to(store)): p
        for p in store.rglob("*")
        if p.is_file() and not p.relative_to(store).parts[0].startswith(".")
    }


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    # Both runs use the same results path (the reference is moved aside once done): judges and producers are
    # named by hashes of model paths, so only then can every file be compared byte for byte.
    base = tmp_path_factory.mktemp("crash")
    results = base / "results"
    done = attempt(results, base / "ref-events.jsonl", None)
    assert done.returncode == 0, done.stderr[-3000:]
    results.rename(base / "reference")
    reference = read_events(base / "ref-events.jsonl")
    points = choose_kill_points(reference)
    for kind, ident in points:
        killed = attempt(results, base / "events.jsonl", f"{kind}@{ident}")
        assert killed.returncode == -signal.SIGKILL, (kind, ident, killed.returncode, killed.stderr[-3000:])
    finished = attempt(results, base / "events.jsonl", None)
    assert finished.returncode == 0, finished.stderr[-3000:]

    def run_dir(out: subprocess.CompletedProcess, root: Path) -> Path:
        return root / Path(json.loads(out.stdout.splitlines()[-1])["run_dir"]).relative_to(results)

    return {
        "ref": base / "reference",
        "crash": results,
        "points": points,
        "reference": reference,
        "crashed": read_events(base / "events.jsonl"),
        "ref_run": run_dir(done, base / "reference"),
        "crash_run": run_dir(finished, results),
    }


def test_ten_kills_cover_every_kind_of_crash_point(runs):
    points = runs["points"]
    assert len(points) == len(set(points)) == 10
    for name, (kind, suffix) in MUST_HIT.items():
        assert any(k == kind and i.endswith(suffix) for k, i in points), name
    attempts = [i for k, i in runs["crashed"] if k == "attempt"]
    assert len(attempts) == 11 and attempts[-1] == "finish"


def test_metrics_equal_an_uninterrupted_run(runs):
    ref = json.loads((runs["ref_run"] / "metrics.json").read_text())
    crashed = json.loads((runs["crash_run"] / "metrics.json").read_text())
    assert json.dumps(without_timing(crashed), sort_keys=True) == json.dumps(without_timing(ref), sort_keys=True)
    ref_scores = (runs["ref_run"] / "scores.json").read_text()
    assert (runs["crash_run"] / "scores.json").read_text() == ref_scores


def test_every_stage_file_and_model_byte_equals_the_reference(runs):
    ref, crashed = stage_files(runs["ref"] / "store"), stage_files(runs["crash"] / "store")
    assert sorted(crashed) == sorted(ref)
    assert any(name.endswith("model.safetensors") for name in ref) and any(n.startswith("dpo/") for n in ref)
    for name, path in ref.items():
        if name.endswith("_stage.json"):  # timings differ; every other number (train_loss too) must not
            assert without_timing(json.loads(crashed[name].read_text())) == without_timing(json.loads(path.read_text()))
        else:
            assert crashed[name].read_bytes() == path.read_bytes(), name


def test_no_duplicate_missing_or_half_written_records(runs):
    store = runs["crash"] / "store"
    n_files = 0
    for path in store.glob("*/*/*.jsonl"):
        lines = path.read_text().splitlines()
        rows = [json.loads(line) for line in lines]  # a half-written line would not parse
        if path.name == "completions.jsonl":
            ids = [(r["prompt_id"], r["sample"]) for r in rows]
            per_prompt = Counter(pid for pid, _ in ids)
            assert len(set(ids)) == len(ids) and len(set(per_prompt.values())) == 1, path
        ref = runs["ref"] / "store" / path.relative_to(store)
        assert len(lines) == len(ref.read_text().splitlines()), path
        n_files += 1
    assert n_files >= 8
    batches = {}
    for name in ("ref", "crash"):
        with sqlite3.connect(runs[name] / "cache" / "generation.sqlite") as db:
            batches[name] = db.execute("SELECT COUNT(*), SUM(ok) FROM entries").fetchone()
    assert batches["crash"] == batches["ref"]  # one row per batch, each complete: none lost, none twice


def test_no_leftover_temp_or_partial_state(runs):
    store = runs["crash"] / "store"
    leftovers = [
        p
        for p in store.rglob("*")
        if ".tmp" in p.name or p.name.endswith(".partial") or p.name.startswith("checkpoint-")
    ]
    assert leftovers == []


def test_reruns_redo_only_the_work_in_flight(runs):
    ref = Counter(e for e in runs["reference"] if e[0] in ("batch", "step"))
    assert set(ref.values()) == {1} and sum(k == "batch" for k, _ in ref) >= 15
    done = Counter(e for e in runs["crashed"] if e[0] in ("batch", "step"))
    assert set(done) == set(ref)  # nothing missing, nothing extra
    extra = done - ref
    killed_batches = {i for k, i in runs["points"] if k in ("batch", "sqlite")}
    assert {i for k, i in extra if k == "batch"} == killed_batches  # the killed batch itself, once per kill
    assert sum(n for (k, _), n in extra.items() if k == "batch") == sum(
        k in ("batch", "sqlite") for k, _ in runs["points"]
    )
    # training: only the killed stages' steps since their last complete checkpoint (at most K per kill)
    training_kills = Counter(i.rsplit(":", 1)[0] for k, i in runs["points"] if k in ("step", "ckpt"))
    redone = Counter(i.rsplit(":", 1)[0] for (k, i), n in extra.items() if k == "step" for _ in range(n))
    assert set(redone) <= set(training_kills)
    for stage, n in redone.items():
        assert 1 <= n <= crash_driver.CHECKPOINT_EVERY * training_kills[stage], (stage, n)
    assert sum(redone.values()) >= 1  # the training kills did cost something, so the bound above is tight

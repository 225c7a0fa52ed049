"""Crash safety of a training stage under `launch:`: SIGKILL the run's whole process group (pipeline, `accelerate
launch` and the training rank) after the stage's first complete checkpoint; the rerun resumes from that checkpoint
and ends byte-identical to an uninterrupted launched run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.sandbox.models import build_model
from benchmarks.sandbox.tokenizer import build_tokenizer
from harness.run.store import DONE
from harness.train.checkpoints import COMPLETE, PREFIX
from harness.types import Message, PreferencePair
from tests.reliability import launch_kill_driver
from tests.reliability.test_crash_kill import without_timing
from tests.train.conftest import _addition_pairs

pytestmark = pytest.mark.slow

DRIVER = Path(launch_kill_driver.__file__)
SINGLE = "distributed_type: 'NO'\nnum_processes: 1\nuse_cpu: true\nmixed_precision: 'no'\n"


def start(base: Path, results: Path) -> subprocess.Popen:
    env = {**os.environ, "OMP_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"}
    args = [
        sys.executable,
        str(DRIVER),
        str(results),
        str(base / "model"),
        str(base / "pairs.jsonl"),
        str(base / "single.yaml"),
    ]
    # A session of its own: the kill takes the launcher and its training rank with the pipeline, as a real one would
    return subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, start_new_session=True
    )


def finish(base: Path, results: Path) -> Path:
    proc = start(base, results)
    out, _ = proc.communicate(timeout=300)
    assert proc.returncode == 0, out[-3000:]
    return Path(json.loads(out.splitlines()[-1])["dpo"])


def complete_checkpoints(results: Path) -> list[Path]:
    return sorted(results.glob(f"store/dpo/*.partial/**/{PREFIX}*/{COMPLETE}"))


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    base = tmp_path_factory.mktemp("launch-kill")
    tokenizer = build_tokenizer(["abcdefghijklmnopqrstuvwxyz0123456789 "])
    build_model("S", tokenizer, seed=0).save_pretrained(base / "model")
    tokenizer.save_pretrained(base / "model")
    as_messages = lambda ms: tuple(Message(**m) for m in ms)  # noqa: E731
    pairs = [
        PreferencePair(
            prompt_id=f"p{i}",
            prompt=as_messages(r["prompt"]),
            chosen=as_messages(r["chosen"]),
            rejected=as_messages(r["rejected"]),
            source="test",
            chosen_by="sum",
            rejected_by="noise",
        )
        for i, r in enumerate(_addition_pairs(12, seed=0))
    ]  # 12 pairs x 2 epochs, batch 1: 24 steps
    (base / "pairs.jsonl").write_text("".join(p.model_dump_json() + "\n" for p in pairs))
    (base / "single.yaml").write_text(SINGLE)

    reference = finish(base, base / "reference")

    results = base / "killed"
    proc = start(base, results)
    deadline = time.monotonic() + 300
    while not complete_checkpoints(results) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    killed_at = [int(p.parent.name.removeprefix(PREFIX)) for p in complete_checkpoints(results)]
    unfinished = not list(results.glob(f"store/dpo/*/{DONE}"))
    resumed = finish(base, results)
    return {
        "reference": reference,
        "resumed": resumed,
        "returncode": proc.returncode,
        "killed_at": killed_at,
        "unfinished": unfinished,
    }


def test_the_kill_landed_mid_training_after_a_checkpoint(runs):
    assert runs["returncode"] == -signal.SIGKILL
    assert runs["unfinished"] and runs["killed_at"]  # the stage was not done, and a complete checkpoint survived
    assert 0 < max(runs["killed_at"]) < 24 and max(runs["killed_at"]) % launch_kill_driver.CHECKPOINT_EVERY == 0


def test_the_rerun_resumes_from_that_checkpoint_to_byte_identical_results(runs):
    reference, resumed = runs["reference"], runs["resumed"]
    summary = json.loads((resumed / DONE).read_text())["summary"]
    assert summary["resumed_from_step"] == max(runs["killed_at"])  # resumed from the newest checkpoint
    assert without_timing(summary) == without_timing(json.loads((reference / DONE).read_text())["summary"])
    files = sorted(p.relative_to(reference) for p in (reference / "model").rglob("*") if p.is_file())
    assert Path("model/model.safetensors") in files
    assert files == sorted(p.relative_to(resumed) for p in (resumed / "model").rglob("*") if p.is_file())
    for name in files:
        assert (resumed / name).read_bytes() == (reference / name).read_bytes(), name
    assert not list(resumed.parent.glob("*.partial"))  # the checkpoints went with the finished stage

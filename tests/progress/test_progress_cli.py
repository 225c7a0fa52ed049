"""`harness run` on a tiny sandbox: under a pseudo-terminal it draws the stage list and a bar; into a pipe it writes
the stage lines plus at most one status line per interval; and its first line is written before torch is imported."""

from __future__ import annotations

import os
import pty
import re
import select
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TINY = [
    "benchmark.params.corpus_size=2000",
    "models.xs.sandbox.steps=30",
    "models.s.sandbox.steps=40",
    "sft.demonstrations=16",
    "sft.judging_examples=16",
    "models.teacher.sft.demonstrations=16",
    "models.teacher.sft.judging_examples=16",
    "feedback.prompts=8",
    "evaluation.prompts=6",
    "evaluation.samples=2",
    "evaluation.bootstrap=100",
    "sources=[oracle]",
    "rmsp=null",
    "judge_quality.reward_models=[]",
]
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\r")
STAGE_LINE = re.compile(r"^\[[^\]]+\] (done in [\d.]+s, CPU [\d.]+s|reused|skipped: .*)$")
STATUS_LINE = re.compile(r"^\[[^\]]+\] (running|working,) .*\(stages: ")


def command(results: Path) -> list[str]:
    sets = [arg for item in TINY for arg in ("--set", item)]
    return [sys.executable, "-m", "harness.cli", "run", "recipes/sandbox.yaml", "--results", str(results), *sets]


def environment(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1", **extra}


def test_a_terminal_shows_the_stage_list_and_a_bar_with_rate_and_eta(tmp_path):
    leader, follower = pty.openpty()
    env = environment(TERM="xterm-256color", COLUMNS="120", LINES="40")
    child = subprocess.Popen(command(tmp_path / "results"), cwd=ROOT, env=env, stdin=follower, stdout=follower,
                             stderr=follower, close_fds=True)  # fmt: skip
    os.close(follower)
    chunks: list[bytes] = []
    while True:
        ready, _, _ = select.select([leader], [], [], 120)
        if not ready:
            child.kill()
            break
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    assert child.wait(timeout=60) == 0
    os.close(leader)
    screen = ANSI.sub("", b"".join(chunks).decode("utf-8", "replace"))
    first = next(line for line in screen.splitlines() if line.strip())
    assert first.strip().startswith("harness run recipes/sandbox.yaml")  # before the recipe is even read
    assert re.search(r"run sandbox — stages: \d+ done, \d+ running", screen)  # the panel's heading
    assert re.search(r"running\s+pretrain s", screen) and re.search(r"done\s+pretrain xs", screen)
    assert re.search(r"train \d+/40 step\s+[\d.]+ step/s\s+ETA (\d+[hm])?\d+[sm]", screen), screen[
        -3000:
    ]  # the bar's text
    assert "━" in screen  # and the bar itself
    assert "[dpo M2-oracle] done in" in screen and "leaderboard: " in screen  # the stage lines stay above it


def test_a_pipe_gets_stage_lines_and_at_most_one_status_line_per_interval(tmp_path):
    interval = 1.0
    started = time.monotonic()
    out = subprocess.run(command(tmp_path / "results"), cwd=ROOT, capture_output=True, text=True, timeout=600,
                         env=environment(HARNESS_PROGRESS_INTERVAL=str(interval)))  # fmt: skip
    seconds = time.monotonic() - started
    assert out.returncode == 0, out.stderr[-2000:]
    lines = out.stdout[: out.stdout.index("leaderboard: ")].splitlines()
    assert lines[0] == "harness run recipes/sandbox.yaml" and "run sandbox" in lines
    stage_lines = [line for line in lines if STAGE_LINE.match(line)]
    status_lines = [line for line in lines if STATUS_LINE.match(line)]
    others = [line for line in lines[1:] if line not in (*stage_lines, *status_lines, "run sandbox")]
    assert len(stage_lines) >= 10 and others == [lines[-1]] and lines[-1].startswith("run record: "), others
    # Periodic lines came (the pretraining alone outlasts the interval) and no faster than one per interval:
    # no line per batch or per training step reaches a log
    assert any(re.search(r"train \d+/\d+ step, [\d.]+ step/s", line) for line in status_lines), status_lines
    assert 1 <= len(status_lines) <= seconds / interval + 1
    assert not out.stderr.strip(), out.stderr[-2000:]  # the libraries' own bars and logs stay muted


PROBE = """
import sys
HEAVY = ("torch", "transformers", "trl", "datasets")
class FirstLine:
    def write(self, text):
        if text.strip():
            sys.__stdout__.write(f"first line {text.strip()!r} after: {[m for m in HEAVY if m in sys.modules]}\\n")
            sys.__stdout__.flush()
            raise SystemExit(0)
        return len(text)
    def flush(self):
        pass
    def isatty(self):
        return False
sys.stdout = FirstLine()
from harness.cli import main
main(["run", "recipes/sandbox.yaml", "--results", sys.argv[1]])
"""


def test_the_first_line_comes_before_any_heavy_import(tmp_path):
    out = subprocess.run([sys.executable, "-c", PROBE, str(tmp_path)], cwd=ROOT, env=environment(),
                         capture_output=True, text=True, timeout=120)  # fmt: skip
    assert out.stdout.strip() == "first line 'harness run recipes/sandbox.yaml' after: []", out.stderr[-2000:]


def test_quiet_prints_the_leaderboard_paths_only(tmp_path):
    results = tmp_path / "results"
    first = subprocess.run([*command(results), "--quiet"], cwd=ROOT, env=environment(), capture_output=True,
                           text=True, timeout=600)  # fmt: skip
    assert first.returncode == 0, first.stderr[-2000:]
    assert first.stdout.splitlines() == [
        f"leaderboard: {results / 'leaderboards' / 'sandbox.md'}",
        f"leaderboard: {results / 'leaderboards' / 'sandbox.csv'}",
    ]

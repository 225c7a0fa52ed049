"""Shared fixtures of the reliability room: the public data folder, and real `harness` processes running the
tiny API-teacher recipe (tests/remote/test_api_teacher_recipe.py's world) against one fake teacher server."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.benchmarks.conftest import data_root  # noqa: F401
from tests.servers.fake_llm import FakeLLMServer, sandbox_rule

ROOT = Path(__file__).resolve().parents[2]
API_RECIPE = ROOT / "recipes" / "sandbox_api_teacher.yaml"
KEY_ENV = "SANDBOX_TEACHER_API_KEY"
TINY_API = [  # as tests/remote/test_api_teacher_recipe.py: every model trained for seconds
    "benchmark.params.corpus_size=2000",
    "models.xs.sandbox.steps=8",
    "models.s.sandbox.steps=12",
    "sft.demonstrations=16",
    "sft.judging_examples=16",
    "feedback.prompts=10",
    "evaluation.prompts=6",
    "evaluation.samples=2",
    "evaluation.bootstrap=200",
]


@dataclass(frozen=True)
class Finished:
    """One `harness` process: its exit status, what it printed, and the run folder it wrote (if any)."""

    returncode: int
    stdout: str
    stderr: str
    run_dir: Path | None

    def metrics(self) -> dict:
        assert self.run_dir is not None, self.stderr[-2000:]
        return json.loads((self.run_dir / "metrics.json").read_text())

    def record(self) -> dict:
        assert self.run_dir is not None, self.stderr[-2000:]
        return json.loads((self.run_dir / "run.json").read_text())


def harness_env(key: str) -> dict[str, str]:
    return {**os.environ, "OMP_NUM_THREADS": "1", "TOKENIZERS_PARALLELISM": "false", KEY_ENV: key}


def api_run_args(results: Path, base_url: str, *extra: str) -> list[str]:
    args = [sys.executable, "-m", "harness.cli", "run", str(API_RECIPE), "--results", str(results)]
    for item in (*TINY_API, f"models.teacher.generator_params.base_url={base_url}", *extra):
        args += ["--set", item]
    return args


def start(args: list[str], key: str, log_dir: Path | None = None, **env: str) -> subprocess.Popen:
    """A real `harness` process (its own interpreter, one torch thread); output to files when log_dir is given."""
    env = {**harness_env(key), **env}
    if log_dir is not None:
        log_dir.mkdir(parents=True, exist_ok=True)
        with open(log_dir / "stdout.log", "w") as out, open(log_dir / "stderr.log", "w") as err:
            return subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=err, text=True)
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(proc: subprocess.Popen, log_dir: Path | None = None, timeout: float = 300) -> Finished:
    stdout, stderr = proc.communicate(timeout=timeout)
    if log_dir is not None:
        stdout, stderr = (log_dir / "stdout.log").read_text(), (log_dir / "stderr.log").read_text()
    record = [line.split("run record: ", 1)[1].strip() for line in stdout.splitlines() if "run record: " in line]
    return Finished(proc.returncode, stdout, stderr, Path(record[-1]).parent if record else None)


@dataclass(frozen=True)
class Teacher:
    server: FakeLLMServer
    key: str


@pytest.fixture(scope="session")
def teacher() -> Iterator[Teacher]:
    """The sandbox teacher over HTTP for the whole session: one port, so every run's recipe (and stage keys) match."""
    key = "fk-" + secrets.token_hex(20)
    with FakeLLMServer(answer=sandbox_rule, api_key=key) as server:
        yield Teacher(server, key)


@pytest.fixture(scope="session")
def solo_run(teacher: Teacher, tmp_path_factory: pytest.TempPathFactory) -> Finished:
    """The tiny API-teacher recipe run alone, from an empty results folder: what every other run is compared with."""
    results = tmp_path_factory.mktemp("solo")
    done = finish(start(api_run_args(results, teacher.server.openai_base_url), teacher.key))
    assert done.returncode == 0, done.stderr[-3000:]
    return done

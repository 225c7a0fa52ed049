"""A whole `harness run` whose API teacher's key comes from the environment, against a server whose errors
echo that key (a 401 that quotes it, a 500 and a 400 that quote the Authorization header): a grep over every
file the run and its leaderboards wrote, and over everything the processes printed, finds the key nowhere.
(tests/remote/test_secret_scrubbing.py checks the same at the backend level; this is the whole product.)"""

from __future__ import annotations

import json
import secrets
import sys
from pathlib import Path
from typing import Any

import pytest

from harness.hashing import seed_from
from tests.reliability.conftest import API_RECIPE, KEY_ENV, ROOT, TINY_API, finish, start
from tests.servers.fake_llm import FakeLLMServer, Received, sandbox_rule

LEAKS = {  # fault -> (status, message the server sends back, with the key the client sent)
    "401": (401, "Incorrect API key provided: {key}. You can find your API key at the dashboard."),
    "500": (500, "upstream failed; request headers were Authorization: Bearer {key}"),
    "400": (400, "bad request for api_key={key}"),
}


class KeyEchoingTeacher(FakeLLMServer):
    """The sandbox teacher whose first attempt at about one request in three fails with an error body that
    quotes the caller's key, as misbehaving proxies and some servers do. The 500 is retried and then succeeds;
    the 401 and 400 are final failures, kept as typed Failures with their (scrubbed) text."""

    def __init__(self, key: str):
        super().__init__(answer=sandbox_rule, api_key=key)
        self.leaked: dict[str, int] = dict.fromkeys(LEAKS, 0)

    def _respond(
        self, protocol: str, path_model: str | None, headers: Any, body: dict[str, Any], entry: Received
    ) -> tuple[int, dict[str, str], bytes]:
        pick = seed_from(entry.body_key, "leak") % 9
        if entry.outcome == "ok" and entry.attempt == 0 and pick < len(LEAKS):
            name = list(LEAKS)[pick]
            status, message = LEAKS[name]
            sent = headers.get("authorization", "").removeprefix("Bearer ")
            with self._lock:
                self.leaked[name] += 1
            error = {"error": {"message": message.format(key=sent), "type": "fake_error", "code": str(status)}}
            return status, {}, json.dumps(error).encode()
        return super()._respond(protocol, path_model, headers, body, entry)


@pytest.fixture(scope="module")
def leaky_run(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    key = "fk-" + secrets.token_hex(24)  # shaped like no vendor's key: only the env-var registration scrubs it
    results = tmp_path_factory.mktemp("leaky")
    logs = results / "logs"
    with KeyEchoingTeacher(key) as server:
        args = [sys.executable, "-m", "harness.cli", "run", str(API_RECIPE), "--results", str(results)]
        for item in (
            *TINY_API,
            f"models.teacher.generator_params.base_url={server.openai_base_url}",
            "models.teacher.generator_params.backoff_s=0.01",
        ):
            args += ["--set", item]
        # SDK debug logging on, as a user chasing a failure would run it.
        run = finish(start(args, key, logs / "run", OPENAI_LOG="debug"), logs / "run")
        board = finish(
            start(
                [
                    sys.executable,
                    "-m",
                    "harness.cli",
                    "leaderboard",
                    "--recipe",
                    "sandbox_api_teacher",
                    "--format",
                    "md,csv,html,png",
                    "--results",
                    str(results),
                ],
                key,
                logs / "leaderboard",
            ),
            logs / "leaderboard",
        )
        leaked = dict(server.leaked)
    return {"key": key, "results": results, "run": run, "board": board, "leaked": leaked}


def test_the_run_met_every_key_echoing_fault_and_finished(leaky_run):
    run, board = leaky_run["run"], leaky_run["board"]
    assert run.returncode == 0, run.stderr[-3000:]
    assert board.returncode == 0, board.stderr[-3000:]
    assert all(n >= 2 for n in leaky_run["leaked"].values()), leaky_run["leaked"]
    ledger = run.metrics()["sources"]["llm_judge"]["ledger"]["teacher"]
    assert ledger["failures"].get("auth", 0) >= 1 and ledger["failures"].get("client_error", 0) >= 1
    assert ledger["attempt_errors"].get("server_error", 0) >= 1 and ledger["retries"] >= 1
    # A teacher answer that ended as a Failure leaves its prompt without a pair (it used to crash llm_teacher).
    assert run.metrics()["sources"]["llm_teacher"]["dropped"].get("teacher_failure", 0) >= 1
    assert "remote call" in run.stderr and "failed after 1 attempt(s): auth" in run.stderr  # the log line exists


def test_the_sdk_error_texts_are_kept_scrubbed(leaky_run):
    stage = Path(leaky_run["run"].record()["stages"]["feedback llm_judge"]["path"])
    failures = [json.loads(line)["verdict"] for line in (stage / "judgments.jsonl").read_text().splitlines()]
    failures = [v for v in failures if v["kind"] == "failure"]
    assert {v["reason"] for v in failures} >= {"auth", "client_error"}
    auth = next(v for v in failures if v["reason"] == "auth")
    # What the SDK said is kept (debugging needs it), with the key replaced.
    assert "Incorrect API key provided: ***" in auth["raw"] and "401" in auth["raw"]


def test_no_file_and_no_output_contains_the_key(leaky_run):
    key, results = leaky_run["key"], Path(leaky_run["results"])
    written = [p for p in results.rglob("*") if p.is_file()]
    kinds = {p.suffix for p in written}
    assert {".jsonl", ".json", ".parquet", ".sqlite", ".md", ".csv", ".html", ".png", ".log"} <= kinds, kinds
    assert any(p.name.endswith("-wal") or p.suffix == ".sqlite" for p in written)
    assert (results / "logs" / "run" / "stderr.log").stat().st_size > 0
    for needle in (key, key[3:], key[:20]):  # the whole key and large pieces of it
        assert [str(p) for p in written if needle.encode() in p.read_bytes()] == []
    assert key not in str(ROOT) and KEY_ENV not in key


def test_cli_logging_and_crash_tracebacks_are_scrubbed(tmp_path):
    """What no error path above reaches: an SDK's own log line, and an unexpected exception's traceback."""
    key = "fk-" + secrets.token_hex(24)
    logged = finish(
        start(
            [
                sys.executable,
                "-c",
                "import logging\nfrom harness import cli\nfrom harness.run.secrets import api_key_from_env\n"
                f"api_key_from_env({KEY_ENV!r}, 'test')\ncli.scrubbed_logging()\nimport openai\n"
                f"logging.getLogger('openai').warning('sent Authorization: Bearer %s', {key!r})\n",
            ],
            key,
            tmp_path / "log",
            OPENAI_LOG="debug",
        ),
        tmp_path / "log",
    )
    assert logged.returncode == 0, logged.stderr
    assert "sent Authorization: Bearer ***" in logged.stderr and key not in logged.stderr
    # An unexpected exception inside a command (a bug stands in for one here) quoting the key: the traceback
    # is printed, scrubbed.
    crashed = finish(
        start(
            [
                sys.executable,
                "-c",
                "import sys\nfrom harness import cli\nfrom harness.run.secrets import api_key_from_env\n"
                f"api_key_from_env({KEY_ENV!r}, 'test')\n"
                f"def boom(args):\n    raise RuntimeError('reply quoted ' + {key!r})\n"
                "cli.cmd_validate = boom\n"
                f"sys.exit(cli.main(['validate', {str(API_RECIPE)!r}]))\n",
            ],
            key,
            tmp_path / "crash",
        ),
        tmp_path / "crash",
    )
    assert crashed.returncode == 1
    assert "RuntimeError: reply quoted ***" in crashed.stderr and key not in crashed.stderr

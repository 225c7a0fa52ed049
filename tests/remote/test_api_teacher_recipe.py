"""recipes/sandbox_api_teacher.yaml end to end: llm_judge and llm_teacher through the real openai client
against a real HTTP server on 127.0.0.1 that answers as the sandbox teacher (oracle plus noise)."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from harness.config import load_recipe
from harness.pipeline import Pipeline
from harness.records import read_jsonl
from harness.types import PreferencePair
from tests.servers.fake_llm import FakeLLMServer, Faults, sandbox_rule

ROOT = Path(__file__).resolve().parents[2]
TINY = [
    "benchmark.params.corpus_size=2000",
    "models.xs.sandbox.steps=8",
    "models.s.sandbox.steps=12",
    "sft.demonstrations=16",
    "sft.judging_examples=16",
    "feedback.prompts=10",
    "evaluation.prompts=6",
    "evaluation.samples=2",
    "evaluation.bootstrap=200",
    "teacher_sft=null",  # these tests are about the API teacher's calls as a source and a row, not SFT on its answers
]


@pytest.fixture(scope="module")
def api_run(tmp_path_factory):
    key = "fk-" + secrets.token_hex(20)
    mp = pytest.MonkeyPatch()
    mp.setenv("SANDBOX_TEACHER_API_KEY", key)
    results = tmp_path_factory.mktemp("api-results")
    # Faults on: 429/5xx, malformed replies and rare hangs; the run must still finish, typed and counted.
    faults = Faults(error_rate=0.2, malformed_rate=0.05, hang_rate=0.01, hang_s=3.0, retry_after_s=0.05)
    with FakeLLMServer(answer=sandbox_rule, faults=faults, api_key=key) as server:
        recipe = load_recipe(
            ROOT / "recipes" / "sandbox_api_teacher.yaml",
            [
                *TINY,
                f"models.teacher.generator_params.base_url={server.openai_base_url}",
                "models.teacher.generator_params.timeout_s=1",
                "models.teacher.generator_params.backoff_s=0.01",
            ],
        )
        first = Pipeline(recipe, results, log=lambda _: None).run()
        calls_first = len(server.received)
        second = Pipeline(recipe, results, log=lambda _: None).run()
        calls_second = len(server.received) - calls_first
    yield {"key": key, "results": results, "first": first, "second": second, "calls": (calls_first, calls_second)}
    mp.undo()


def test_teacher_sources_reach_the_leaderboard(api_run):
    rows = {r["model"]: r for r in api_run["first"]["metrics"]["rows"]}
    assert {"teacher", "M1", "M2-llm_judge", "M2-llm_teacher"} <= set(rows)
    assert rows["teacher"]["score"] > rows["M1"]["score"]  # the API teacher answers from the oracle


def test_every_call_is_in_the_ledger_and_failures_are_never_scores(api_run):
    stats = api_run["first"]["metrics"]["sources"]["llm_judge"]
    ledger = stats["ledger"]["teacher"]
    assert ledger["items"] == 10 * 4  # 10 prompts x 4 candidates, one judge call each
    assert ledger["calls"] >= ledger["items"] and ledger["retries"] > 0  # faults were met and retried
    assert stats["judge_calls"] == 40
    assert stats["judge_failures"] == ledger["items"] - ledger["succeeded"]
    # Every kept pair carries exactly the scores the server gave those two answers: nothing was made up
    # from a failed or malformed call (the teacher rule is deterministic, so we can ask it again here).
    stage = Path(api_run["first"]["record"]["stages"]["feedback llm_judge"]["path"])
    pairs = read_jsonl(stage / "preferences.jsonl", PreferencePair)
    assert len(pairs) == stats["pairs"] > 0
    for pair in pairs:
        for text, score in (
            (pair.chosen[0].content, pair.chosen_score),
            (pair.rejected[0].content, pair.rejected_score),
        ):
            asked = [{"role": "user", "content": f"rate: {pair.prompt[0].content} => {text}"}]
            assert sandbox_rule(asked) == f"Score: {score:.0f}"
        assert pair.chosen_score > pair.rejected_score


def test_a_rerun_makes_no_call_for_finished_work(api_run):
    first_calls, second_calls = api_run["calls"]
    assert first_calls > 40
    assert second_calls == 0
    assert all(s["reused"] for s in api_run["second"]["record"]["stages"].values())


def test_no_file_the_run_wrote_contains_the_key(api_run):
    key = api_run["key"].encode()
    written = [p for p in Path(api_run["results"]).rglob("*") if p.is_file()]
    assert len(written) > 20
    assert [p for p in written if key in p.read_bytes()] == []

"""An evaluation sample whose remote call failed every retry is asked again by the next run, and only it."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from harness.recipes.loader import load_recipe
from harness.run.pipeline import Pipeline
from tests.remote.test_api_teacher_recipe import TINY
from tests.servers.fake_llm import FakeLLMServer, Faults, sandbox_rule

ROOT = Path(__file__).resolve().parents[2]


def teacher_scores(run: dict) -> list[float | None]:
    """The teacher row's score; no score (every sample failed) reads None, as metrics.json stores it."""
    score = next(r["score"] for r in run["metrics"]["rows"] if r["model"] == "teacher")
    return [None if score is None or math.isnan(score) else score]


@pytest.fixture(scope="module")
def outage(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("SANDBOX_TEACHER_API_KEY", "fk-eval-retry")
    # Every request's first two attempts fail; with one retry a run gives up on all of them: an outage.
    with FakeLLMServer(
        answer=sandbox_rule, faults=Faults(fail_first=2, fail_status=503), api_key="fk-eval-retry"
    ) as server:
        recipe = load_recipe(
            ROOT / "recipes" / "sandbox_api_teacher.yaml",
            [
                *TINY,
                "sources=[oracle]",
                f"models.teacher.generator_params.base_url={server.openai_base_url}",
                "models.teacher.generator_params.max_retries=1",
                "models.teacher.generator_params.backoff_s=0.01",
            ],
        )
        results = tmp_path_factory.mktemp("retry-results")
        first = Pipeline(recipe, results, log=lambda _: None).run()
        calls_first = len(server.received)
        second = Pipeline(recipe, results, log=lambda _: None).run()
        calls_second = len(server.received) - calls_first
        third = Pipeline(recipe, results, log=lambda _: None).run()
        calls_third = len(server.received) - calls_first - calls_second
    with FakeLLMServer(answer=sandbox_rule, api_key="fk-eval-retry") as healthy:
        recipe = load_recipe(
            ROOT / "recipes" / "sandbox_api_teacher.yaml",
            [*TINY, "sources=[oracle]", f"models.teacher.generator_params.base_url={healthy.openai_base_url}"],
        )
        clean = Pipeline(recipe, tmp_path_factory.mktemp("clean-results"), log=lambda _: None).run()
    mp.undo()
    yield {"runs": (first, second, third), "calls": (calls_first, calls_second, calls_third), "clean": clean}


def test_a_failed_evaluation_is_no_score_and_the_next_run_fills_it(outage):
    first, second, third = outage["runs"]
    assert teacher_scores(first) == [None]  # every call failed: no number was made up
    assert teacher_scores(second) == teacher_scores(outage["clean"])  # asked again: the outage left no trace
    assert teacher_scores(second)[0] is not None
    assert second["record"]["stages"]["evaluate teacher"]["reused"] is False
    assert third["record"]["stages"]["evaluate teacher"]["reused"] is True


def test_only_the_failed_calls_are_made_again(outage):
    calls_first, calls_second, calls_third = outage["calls"]
    items = 6 * 2  # evaluation.prompts x evaluation.samples, one call each
    assert calls_first == items * 2  # two attempts each, both failed
    assert calls_second == items  # third attempt each: answered
    assert calls_third == 0  # complete now: nothing asked

"""Feedback whose remote teacher calls failed is built again by the next run, and what was trained on it too.

Stages are keyed by the content they consume (harness/run/store.py): the feedback stage is rebuilt in place with the
samples that failed asked again, its pairs change, so the DPO stage downstream gets a new key and is retrained,
never reused on pairs it did not read.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.recipes.loader import load_recipe
from harness.run.pipeline import Pipeline
from tests.remote.test_api_teacher_recipe import TINY
from tests.servers.fake_llm import FakeLLMServer, Faults, sandbox_rule

ROOT = Path(__file__).resolve().parents[2]
KEY = "fk-feedback-retry"


@pytest.fixture(scope="module")
def outage(tmp_path_factory):
    mp = pytest.MonkeyPatch()
    mp.setenv("SANDBOX_TEACHER_API_KEY", KEY)
    results = tmp_path_factory.mktemp("feedback-retry")
    # Half the attempts fail and none is retried within a run: a partial outage of the teacher.
    with FakeLLMServer(answer=sandbox_rule, faults=Faults(error_rate=0.5, fail_status=503), api_key=KEY) as server:
        recipe = load_recipe(
            ROOT / "recipes" / "sandbox_api_teacher.yaml",
            [
                *TINY,
                "sources=[llm_teacher]",
                "judge_quality.enabled=false",
                "rmsp=null",
                f"models.teacher.generator_params.base_url={server.openai_base_url}",
                "models.teacher.generator_params.max_retries=0",
                "models.teacher.generator_params.backoff_s=0.01",
            ],
        )
        runs = [Pipeline(recipe, results, log=lambda _: None).run()]
        server.faults = Faults()  # the outage is over
        runs += [Pipeline(recipe, results, log=lambda _: None).run() for _ in range(2)]
    mp.undo()
    return runs


def marker(stage: dict) -> dict:
    return json.loads((Path(stage["path"]) / "_stage.json").read_text())


def test_the_rerun_rebuilds_the_feedback_in_place_with_the_failed_samples_asked_again(outage):
    first, second, _ = (run["record"]["stages"] for run in outage)
    before, after = first["feedback llm_teacher"], second["feedback llm_teacher"]
    assert before["summary"]["dropped"].get("teacher_failure", 0) > 0  # the outage cost pairs
    assert "teacher_failure" not in after["summary"]["dropped"]
    assert after["summary"]["pairs"] > before["summary"]["pairs"]
    assert after["reused"] is False and after["key"] == before["key"]  # same config and inputs, rebuilt in place
    assert marker(after)["content"] != before["key"]  # ... with new content, so a new content id


def test_the_dpo_stage_downstream_is_rebuilt_not_reused(outage):
    first, second, third = (run["record"]["stages"] for run in outage)
    dpo_before, dpo_after = first["dpo M2-llm_teacher"], second["dpo M2-llm_teacher"]
    assert dpo_after["reused"] is False and dpo_after["key"] != dpo_before["key"]
    assert dpo_after["summary"]["pairs"] == second["feedback llm_teacher"]["summary"]["pairs"]
    assert marker(second["feedback llm_teacher"])["content"] in marker(dpo_after)["inputs"]
    assert second["evaluate M2-llm_teacher"]["reused"] is False  # the new model is evaluated, not the old one's samples
    assert all(stage["reused"] for stage in third.values()), [k for k, s in third.items() if not s["reused"]]

"""`generator: simulated` serves a local-server rule over the OpenAI wire protocol, named by its rule."""

from __future__ import annotations

import pytest

from harness.generation import GenerationParams
from harness.registry import generators
from harness.types import Prompt


def test_a_simulated_teacher_answers_over_http_and_keeps_its_name_across_servers(tmp_path):
    first = generators.build("simulated", model="teacher", rule="sandbox", cache_path=str(tmp_path / "a.sqlite"))
    second = generators.build("simulated", model="teacher", rule="sandbox", cache_path=str(tmp_path / "b.sqlite"))
    prompts = [Prompt.from_text("a", "add 12 30"), Prompt.from_text("b", "rate: add 1 1 => 2")]
    out = first.generate(prompts, GenerationParams(n=1))
    assert [cs[0].text for cs in out] == ["42", "Score: 5"]
    assert first.ledger.snapshot().calls == 2  # two real HTTP calls through the remote executor
    # Each build starts its own server on its own port; provenance and the call cache name the rule, not the port.
    assert first.spec_id == second.spec_id
    assert generators.build("simulated", model="teacher", rule="echo").spec_id != first.spec_id


def test_an_unknown_rule_is_a_one_line_error():
    with pytest.raises(ValueError, match=r"^rule: 'verifyable' is not a local server rule; use one of .*sandbox"):
        generators.build("simulated", model="teacher", rule="verifyable")

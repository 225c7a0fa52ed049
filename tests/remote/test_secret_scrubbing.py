"""API keys come only from named environment variables and never reach anything a run writes."""

from __future__ import annotations

import json
import logging
import sys
import typing
from pathlib import Path

import pytest

from harness.generation import GenerationParams
from harness.generation.remote import RemoteGenerator
from harness.run.secrets import MissingSecretError, ScrubFilter, api_key_from_env, register_secret_env, scrub
from harness.types import Failure, Prompt
from tests.servers.fake_llm import FakeLLMServer, Faults

MakeBackend = typing.Callable[..., RemoteGenerator]


def test_scrub_removes_registered_values_and_key_shapes(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SCRUB_TEST_KEY", "plain-value-42")
    monkeypatch.setenv("SCRUB_TEST_SHORT", "abc")
    register_secret_env("SCRUB_TEST_KEY")
    register_secret_env("SCRUB_TEST_SHORT")
    text = (
        "key plain-value-42, openai sk-proj-AbCdEf0123456789, google AIzaSyA1234567890abcdefghijklmnop, "
        "Authorization: Bearer tok.en-123456789, and abc stays"
    )
    assert scrub(text) == "key ***, openai ***, google ***, Authorization: Bearer ***, and abc stays"


def test_a_missing_key_names_the_variable(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("NO_SUCH_KEY_VAR", raising=False)
    with pytest.raises(MissingSecretError, match=r"environment variable NO_SUCH_KEY_VAR .*api_key_env"):
        api_key_from_env("NO_SUCH_KEY_VAR", "openai generator 'x'")


def test_the_scrub_filter_cleans_messages_and_tracebacks(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("SCRUB_TEST_TB", "tb-secret-value")
    register_secret_env("SCRUB_TEST_TB")
    try:
        raise RuntimeError("request failed with tb-secret-value")
    except RuntimeError:
        record = logging.getLogger("t").makeRecord(
            "t", logging.ERROR, __file__, 1, "saw %s", ("tb-secret-value",), exc_info=sys.exc_info()
        )
    ScrubFilter().filter(record)
    rendered = logging.Formatter().format(record)
    assert "tb-secret-value" not in rendered and "request failed with ***" in rendered


@pytest.mark.parametrize("backend", ["openai", "gemini"])
def test_a_grep_over_everything_a_run_writes_finds_no_key(
    backend: str,
    make_backend: MakeBackend,
    fake_llm: FakeLLMServer,
    api_key: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
):
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    log_handler = logging.FileHandler(run_dir / "run.log")
    log_handler.addFilter(ScrubFilter())
    root = logging.getLogger()
    previous_level = root.level
    root.addHandler(log_handler)
    root.setLevel(logging.DEBUG)  # SDK debug logs included
    try:
        fake_llm.faults = Faults(error_rate=0.3, retry_after_s=0.01)
        good = make_backend(backend)
        good.generate([Prompt.from_text(f"k{i}", f"secret run {backend} {i}") for i in range(6)], GenerationParams())
        # A wrong key makes the server echo it in a 401 body, which the SDK puts in its exception message.
        monkeypatch.setenv("FAKE_LLM_API_KEY", api_key[::-1])
        bad = make_backend(backend)
        [[failure]] = bad.generate_detailed([Prompt.from_text("bad", f"wrong key {backend}")], GenerationParams())
    finally:
        root.removeHandler(log_handler)
        root.setLevel(previous_level)
        log_handler.close()

    assert isinstance(failure, Failure) and failure.reason == "auth"
    assert fake_llm.received[-1].outcome == "unauthorized"
    ledgers = [good.ledger.snapshot().model_dump(), bad.ledger.snapshot().model_dump()]
    (run_dir / "ledger.json").write_text(json.dumps(ledgers))
    (run_dir / "failure.json").write_text(failure.model_dump_json())
    good.close()
    bad.close()

    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert any(p.suffix == ".sqlite" for p in written) and (run_dir / "run.log").stat().st_size > 0
    for key in (api_key, api_key[::-1]):
        leaks = [str(p) for p in written if key.encode() in p.read_bytes()]
        assert leaks == []


def test_a_key_stays_scrubbed_after_its_variable_changes(
    make_backend: MakeBackend, fake_llm: FakeLLMServer, api_key: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    fake_llm.api_key = "fk-the-server-wants-another-key"  # so the 401 body echoes the key the client sends
    generator = make_backend("openai")
    monkeypatch.setenv("FAKE_LLM_API_KEY", "fk-rotated-" + api_key[::-1])  # the client keeps the key it was built with

    [[failure]] = generator.generate_detailed([Prompt.from_text("rotated", "after rotation")], GenerationParams())
    generator.close()

    assert isinstance(failure, Failure) and failure.reason == "auth" and "***" in failure.raw
    assert api_key not in failure.raw
    assert all(api_key.encode() not in p.read_bytes() for p in tmp_path.rglob("*") if p.is_file())

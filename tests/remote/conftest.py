"""One real fake-LLM HTTP server for the session; each test gets it reset, plus a factory for real backends."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.generation.gemini import gemini_generator
from harness.generation.openai import openai_generator
from harness.generation.remote import RemoteGenerator
from tests.servers.fake_llm import FakeLLMServer, Faults, echo_rule

KEY_ENV = "FAKE_LLM_API_KEY"
BACKENDS = ("openai", "gemini")


@pytest.fixture(scope="session")
def fake_llm_session() -> Iterator[FakeLLMServer]:
    with FakeLLMServer() as server:
        yield server


@pytest.fixture
def fake_llm(fake_llm_session: FakeLLMServer) -> Iterator[FakeLLMServer]:
    server = fake_llm_session
    server.faults, server.answer, server.api_key = Faults(), echo_rule, None
    server.reset()
    yield server
    server.faults, server.answer, server.api_key = Faults(), echo_rule, None


@pytest.fixture
def api_key(monkeypatch: pytest.MonkeyPatch, fake_llm: FakeLLMServer) -> str:
    """A fresh key the server demands; deliberately not shaped like any vendor's key, so only the env-var
    registration can scrub it."""
    key = "fk-" + secrets.token_hex(20)
    monkeypatch.setenv(KEY_ENV, key)
    fake_llm.api_key = key
    return key


MakeBackend = Callable[..., RemoteGenerator]


@pytest.fixture
def make_backend(fake_llm: FakeLLMServer, api_key: str, tmp_path: Path) -> Iterator[MakeBackend]:
    """Builds a real backend pointed at the fake server, with small timeouts and backoffs for fast tests."""
    built: list[RemoteGenerator] = []

    def make(backend: str, **overrides: Any) -> RemoteGenerator:
        params: dict[str, Any] = {
            "model": "fake-model",
            "api_key_env": KEY_ENV,
            "cache_path": str(tmp_path / "cache" / "calls.sqlite"),
            "timeout_s": 2.0,
            "backoff_s": 0.01,
            "max_retries": 3,
        } | overrides
        if backend == "openai":
            generator = openai_generator(base_url=fake_llm.openai_base_url, **params)
        else:
            generator = gemini_generator(base_url=fake_llm.url, **params)
        built.append(generator)
        return generator

    yield make
    for generator in built:
        generator.close()

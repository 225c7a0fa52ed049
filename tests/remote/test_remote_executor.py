"""The remote executor through the real SDKs against a real HTTP server: cache, retries, limits, budget, ledger."""

from __future__ import annotations

import itertools
import re
import time
import typing

import pytest

from harness.generation import GenerationParams
from harness.generation.remote import FailureReason, RemoteGenerator, parse_retry_after
from harness.types import Completion, Failure, Prompt, Score
from tests.servers.fake_llm import FakeLLMServer, Faults

BACKENDS = ("openai", "gemini")
MakeBackend = typing.Callable[..., RemoteGenerator]

GREEDY = GenerationParams(max_new_tokens=16)


def prompts(tag: str, count: int) -> list[Prompt]:
    return [Prompt.from_text(f"{tag}-{i}", f"{tag} question {i}") for i in range(count)]


@pytest.mark.parametrize("backend", BACKENDS)
def test_generate_returns_the_servers_answers_with_provenance(
    backend: str, make_backend: MakeBackend, fake_llm: FakeLLMServer
):
    generator = make_backend(backend)
    items = prompts(f"plain-{backend}", 3)

    rows = generator.generate(items, GREEDY)

    assert [[c.text for c in row] for row in rows] == [[f"echo: {p.text}"] for p in items]
    completion = rows[0][0]
    assert completion.prompt_id == items[0].id
    assert completion.producer.startswith(generator.spec_id + ":")
    assert (completion.prompt_tokens, completion.completion_tokens) == (3, 4)  # the server counts words
    assert len(fake_llm.received) == 3


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_rerun_is_served_from_the_cache_with_zero_calls(
    backend: str, make_backend: MakeBackend, fake_llm: FakeLLMServer
):
    items = prompts(f"rerun-{backend}", 5)
    first = make_backend(backend).generate(items, GREEDY)
    fake_llm.reset()

    again = make_backend(backend)  # a new object, as a new run would build, sharing the cache file
    second = again.generate(items, GREEDY)

    assert second == first
    assert fake_llm.received == []
    ledger = again.ledger.snapshot()
    assert (ledger.cached_hits, ledger.calls, ledger.succeeded) == (5, 0, 5)


def test_greedy_samples_are_one_call_and_sampled_ones_differ_by_seed(
    make_backend: MakeBackend, fake_llm: FakeLLMServer
):
    generator = make_backend("openai")
    [greedy] = generator.generate(prompts("samples", 1), GenerationParams(n=3, max_new_tokens=8))
    assert [c.sample for c in greedy] == [0, 1, 2] and len(fake_llm.received) == 1

    fake_llm.reset()
    generator.generate(prompts("samples", 1), GenerationParams(n=3, temperature=0.7, max_new_tokens=8))
    assert len(fake_llm.keys_called()) == 3


def test_servers_without_keys_need_no_key_variable(make_backend: MakeBackend, fake_llm: FakeLLMServer):
    fake_llm.api_key = None  # like vllm serve, Ollama or llama.cpp server
    [[completion]] = make_backend("openai", api_key_env=None).generate(prompts("keyless", 1), GREEDY)
    assert completion.text == "echo: keyless question 0"


# --- a judging stage under faults -------------------------------------------------------------------------------


def expected_score(text: str) -> int:
    return sum(map(ord, text)) % 6


def judge_rule(messages: list[dict[str, str]]) -> str:
    return f"Score: {expected_score(messages[-1]['content'])}"


def judging_stage(judge: RemoteGenerator, items: list[Prompt]) -> dict[str, Score | Failure]:
    """What a pointwise LLM judge does with a backend: parse what came back, type what did not."""
    verdicts: dict[str, Score | Failure] = {}
    for prompt, [outcome] in zip(items, judge.generate_detailed(items, GREEDY)):
        if isinstance(outcome, Failure):
            verdicts[prompt.text] = outcome
            continue
        match = re.fullmatch(r"Score: (\d)", outcome.text)
        verdicts[prompt.text] = Score(value=int(match[1])) if match else Failure(reason="unparseable", raw=outcome.text)
    return verdicts


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_judging_stage_completes_under_faults_and_a_rerun_calls_only_the_failed(
    backend: str, make_backend: MakeBackend, fake_llm: FakeLLMServer
):
    fake_llm.answer = judge_rule
    fake_llm.faults = Faults(error_rate=0.20, malformed_rate=0.05, hang_rate=0.02, hang_s=1.5, retry_after_s=0.01)
    judge = make_backend(backend, concurrency=16, max_retries=1, timeout_s=0.6)
    items = prompts(f"chaos-{backend}", 120)

    verdicts = judging_stage(judge, items)

    failures = {text: v for text, v in verdicts.items() if isinstance(v, Failure)}
    scores = {text: v for text, v in verdicts.items() if isinstance(v, Score)}
    assert len(verdicts) == 120 and 0 < len(failures) < 30
    # Every score is the server's real verdict: no failed or garbled reply became a number.
    assert all(s.value == expected_score(text) for text, s in scores.items())
    assert {f.reason for f in failures.values()} <= set(typing.get_args(FailureReason))
    ledger = judge.ledger.snapshot()
    assert sum(ledger.failures.values()) == len(failures) and ledger.succeeded == len(scores)
    assert set(ledger.attempt_errors) == {"rate_limited", "server_error", "malformed", "timeout"}
    assert ledger.calls == len(fake_llm.received) == 120 + ledger.retries
    # An item the server never answered properly is a Failure.
    answered = {text for text, entry in zip(fake_llm.texts_called(), fake_llm.received) if entry.outcome == "ok"}
    assert {p.text for p in items} - answered <= set(failures)

    fake_llm.reset()
    rerun = judging_stage(judge, items)

    assert set(fake_llm.texts_called()) == set(failures)
    assert {t: v for t, v in rerun.items() if t in scores} == scores


@pytest.mark.parametrize("backend", BACKENDS)
def test_retry_after_is_honoured(backend: str, make_backend: MakeBackend, fake_llm: FakeLLMServer):
    fake_llm.faults = Faults(fail_first=1, fail_status=429, retry_after_s=0.3)
    generator = make_backend(backend, backoff_s=0.001)

    rows = generator.generate(prompts(f"retry-after-{backend}", 4), GREEDY)

    assert all(len(row) == 1 for row in rows)
    arrivals: dict[str, list[float]] = {}
    for entry in fake_llm.received:
        arrivals.setdefault(entry.body_key, []).append(entry.at)
    assert all(len(times) == 2 and times[1] - times[0] >= 0.3 for times in arrivals.values()), arrivals
    ledger = generator.ledger.snapshot()
    assert (ledger.retries, ledger.attempt_errors, ledger.failures) == (4, {"rate_limited": 4}, {})


def test_malformed_replies_are_retried_then_typed(make_backend: MakeBackend, fake_llm: FakeLLMServer):
    fake_llm.faults = Faults(malformed_rate=1.0)
    generator = make_backend("openai", max_retries=1)

    [[outcome]] = generator.generate_detailed(prompts("malformed", 1), GREEDY)

    assert isinstance(outcome, Failure) and outcome.reason == "malformed"
    assert len(fake_llm.received) == 2
    assert generator.generate(prompts("malformed", 1), GREEDY) == [[]]


def test_server_errors_back_off_exponentially_without_retry_after(make_backend: MakeBackend, fake_llm: FakeLLMServer):
    fake_llm.faults = Faults(fail_first=3, fail_status=500)
    generator = make_backend("openai", backoff_s=0.1, max_retries=3)

    generator.generate(prompts("backoff", 1), GREEDY)

    times = [e.at for e in fake_llm.received]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    # Waits are backoff_s * 2**attempt with jitter in [0.5, 1]: at least 0.05, 0.1, 0.2 seconds.
    assert len(gaps) == 3 and all(gap >= 0.05 * 2**i for i, gap in enumerate(gaps)), gaps


# --- limits ------------------------------------------------------------------------------------------------------


def test_requests_in_flight_never_exceed_the_cap(make_backend: MakeBackend, fake_llm: FakeLLMServer):
    fake_llm.faults = Faults(latency_ms=40)
    make_backend("openai", concurrency=4).generate(prompts("cap", 24), GREEDY)
    assert fake_llm.max_in_flight == 4


def test_requests_per_minute_limit_spreads_calls(make_backend: MakeBackend, fake_llm: FakeLLMServer):
    # 600 a minute is 10 a second with one second of burst: 25 calls need at least 1.5 s.
    make_backend("openai", rpm=600, concurrency=25).generate(prompts("rpm", 25), GREEDY)
    times = sorted(e.at for e in fake_llm.received)
    assert times[-1] - times[0] >= 1.4
    assert all(sum(1 for t in times if start <= t < start + 1.0) <= 21 for start in times)


def test_tokens_per_minute_limit_spreads_calls(make_backend: MakeBackend, fake_llm: FakeLLMServer):
    fake_llm.answer = lambda messages: " ".join(["word"] * 60)
    # Each call uses 63 tokens; 24,000 a minute is 400 a second with one second of burst, so 16 calls
    # (1,008 tokens) need at least (1,008 - 400) / 400 = 1.5 s.
    make_backend("openai", tpm=24_000, concurrency=16).generate(prompts("tpm", 16), GenerationParams(max_new_tokens=60))
    times = sorted(e.at for e in fake_llm.received)
    assert times[-1] - times[0] >= 1.3


def test_request_budget_stops_cleanly_and_keeps_what_was_done(make_backend: MakeBackend, fake_llm: FakeLLMServer):
    items = prompts("budget", 25)
    capped = make_backend("openai", concurrency=3, budget={"max_requests": 10})

    rows = capped.generate_detailed(items, GREEDY)

    done = [row[0] for row in rows if isinstance(row[0], Completion)]
    refused = [row[0] for row in rows if isinstance(row[0], Failure)]
    assert len(fake_llm.received) == 10 and len(done) == 10
    assert len(refused) == 15 and {f.reason for f in refused} == {"budget_exhausted"}
    ledger = capped.ledger.snapshot()
    assert ledger.budget_exhausted and ledger.calls == 10 and ledger.failures == {"budget_exhausted": 15}

    fake_llm.reset()
    make_backend("openai").generate(items, GREEDY)
    assert set(fake_llm.texts_called()) == {p.text for p, row in zip(items, rows) if isinstance(row[0], Failure)}


def test_a_request_budget_caps_the_backend_across_calls(make_backend: MakeBackend, fake_llm: FakeLLMServer):
    # A pipeline calls one backend object once per stage; the cap is the object's, not each call's.
    capped = make_backend("openai", budget={"max_requests": 4})

    first = capped.generate_detailed(prompts("budget-calls-a", 3), GREEDY)
    second = capped.generate_detailed(prompts("budget-calls-b", 3), GREEDY)

    outcomes = [row[0] for row in first + second]
    assert len(fake_llm.received) == 4 and sum(isinstance(o, Completion) for o in outcomes) == 4
    assert [o.reason for o in outcomes if isinstance(o, Failure)] == ["budget_exhausted"] * 2
    assert capped.ledger.snapshot().calls == 4


def test_requests_per_minute_limit_holds_across_calls(make_backend: MakeBackend, fake_llm: FakeLLMServer):
    # 120 a minute is 2 a second with a burst of 2: six one-item calls in a row need at least 2 s.
    generator = make_backend("openai", rpm=120)
    for i in range(6):
        generator.generate(prompts(f"rpm-calls-{i}", 1), GREEDY)
    times = sorted(e.at for e in fake_llm.received)
    assert len(times) == 6 and times[-1] - times[0] >= 1.9


def test_dollar_budget_uses_the_price_table(make_backend: MakeBackend, fake_llm: FakeLLMServer):
    price = {"input_usd_per_mtok": 10_000.0, "output_usd_per_mtok": 20_000.0}  # cents per token, to see it
    generator = make_backend("openai", concurrency=2, prices={"fake-model": price}, budget={"max_cost_usd": 1.0})

    generator.generate(prompts("dollars", 20), GenerationParams(max_new_tokens=8))

    ledger = generator.ledger.snapshot()
    # Each call: 3 prompt words at $0.01 + 4 completion words at $0.02 = $0.11.
    assert ledger.cost_usd == pytest.approx(0.11 * ledger.succeeded)
    assert 0 < ledger.cost_usd <= 1.0 and ledger.budget_exhausted
    assert ledger.succeeded == len(fake_llm.received) < 20


def test_a_cost_budget_without_a_price_is_refused_at_build(make_backend: MakeBackend):
    with pytest.raises(ValueError, match=r"budget.max_cost_usd needs a price for model 'fake-model'.*prices"):
        make_backend("openai", budget={"max_cost_usd": 1.0})


@pytest.mark.parametrize(
    ("params", "named"),
    [({"concurency": 4}, "concurency"), ({"rpm": -1}, "rpm"), ({"budget": {"max_request": 3}}, "budget.max_request")],
)
def test_bad_settings_are_one_line_naming_the_field(make_backend: MakeBackend, params: dict, named: str):
    with pytest.raises(ValueError) as error:
        make_backend("openai", **params)
    message = str(error.value)
    assert "\n" not in message and named in message and "fix these generator params" in message


def test_spec_id_names_the_model_and_endpoint_not_the_key_or_limits(
    make_backend: MakeBackend, monkeypatch: pytest.MonkeyPatch
):
    first = make_backend("openai").spec_id
    monkeypatch.setenv("FAKE_LLM_API_KEY", "fk-another-key-entirely")
    assert make_backend("openai", concurrency=1, rpm=5).spec_id == first
    assert make_backend("openai", model="other-model").spec_id != first
    assert make_backend("gemini").spec_id != first


@pytest.mark.parametrize("backend", BACKENDS)
def test_each_run_closes_its_connections(backend: str, make_backend: MakeBackend, fake_llm: FakeLLMServer):
    make_backend(backend, concurrency=4).generate(prompts(f"close-{backend}", 8), GREEDY)
    deadline = time.monotonic() + 3.0
    while fake_llm.open_connections and time.monotonic() < deadline:
        time.sleep(0.02)
    assert fake_llm.open_connections == 0


def test_retry_after_header_forms():
    assert parse_retry_after({"Retry-After-Ms": "250"}) == 0.25
    assert parse_retry_after({"retry-after": "2"}) == 2.0
    later = time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() + 30))
    assert 28 <= parse_retry_after({"retry-after": later}) <= 31  # type: ignore[operator]
    assert parse_retry_after({}) is None

"""The one way remote model calls are made: cached, capped, rate-limited, retried, budgeted and ledgered.

Backends (openai.py, gemini.py) only translate a `RemoteRequest` into their SDK's call and say what went wrong
as a `CallError`. Everything about whether, when and how often to call lives here, so every backend behaves the
same under 429s, hangs and budgets, and the ledger counts every attempt. The SDKs' own retries are switched off.

A call's outcome is a `RemoteReply` or a typed `harness.types.Failure`; failures are cached with ok=0, which the
cache never returns, so a rerun calls again exactly the items that failed.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import email.utils
import logging
import math
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, AsyncContextManager, Callable, Coroutine, Literal, Mapping, Protocol, Sequence, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from harness.cache import CallCache
from harness.generation import GenerationParams, producer_id
from harness.hashing import seed_from, stable_hash
from harness.secrets import scrub
from harness.types import Completion, Failure, Message, Prompt

log = logging.getLogger(__name__)

FailureReason = Literal[
    "rate_limited",  # 429
    "server_error",  # 5xx
    "timeout",  # no reply in timeout_s (a hung server), or 408
    "connection",  # refused, reset, DNS
    "malformed",  # a reply that is not the protocol's shape
    "auth",  # 401/403: retrying cannot help
    "client_error",  # other 4xx: the request itself is wrong
    "budget_exhausted",  # never sent: the run's budget was spent
]
RETRYABLE: frozenset[str] = frozenset({"rate_limited", "server_error", "timeout", "connection", "malformed"})
CACHE_NAMESPACE = "remote"


# --- what is sent and what comes back ----------------------------------------------------------------------------


class RemoteRequest(BaseModel):
    """One chat call, backend-neutral. Its canonical JSON (with the backend's spec id) is the cache key."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    messages: tuple[Message, ...]
    max_tokens: int = Field(ge=1)
    temperature: float = Field(0.0, ge=0.0)
    top_p: float = Field(1.0, gt=0.0, le=1.0)
    seed: int | None = None
    top_logprobs: int = Field(0, ge=0, le=20, description="k > 0 asks for the first token's k likeliest tokens")

    def estimated_prompt_tokens(self) -> int:
        # About 3 characters a token for English under BPE tokenizers, plus a few template tokens a message;
        # generous on purpose: budgets and rate limits reserve this before the real count is known.
        return sum(len(m.content) for m in self.messages) // 3 + 4 * len(self.messages)


class RemoteReply(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    first_token_logprobs: dict[str, float] = Field(default_factory=dict)


class CallError(Exception):
    """A failed attempt, classified. `detail` is scrubbed of secrets when the error is made."""

    def __init__(self, reason: FailureReason, detail: str = "", retry_after_s: float | None = None):
        self.reason = reason
        self.detail = scrub(detail)[:500]
        self.retry_after_s = retry_after_s
        super().__init__(f"{reason}: {self.detail}")

    @property
    def retryable(self) -> bool:
        return self.reason in RETRYABLE


def error_for_status(status: int, detail: str, headers: Mapping[str, str] | None = None) -> CallError:
    """Maps an HTTP status to a typed error; both SDKs' status errors go through here."""
    retry_after = parse_retry_after(headers or {})
    if status == 429:
        return CallError("rate_limited", detail, retry_after)
    if status == 408:
        return CallError("timeout", detail, retry_after)
    if status >= 500:
        return CallError("server_error", detail, retry_after)
    if status in (401, 403):
        return CallError("auth", detail)
    return CallError("client_error", f"HTTP {status}: {detail}")


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    """Seconds to wait from `retry-after-ms`, `retry-after` (seconds or an HTTP date); None when absent."""
    lowered = {k.lower(): v for k, v in headers.items()}
    for name, scale in (("retry-after-ms", 1e-3), ("retry-after", 1.0)):
        value = lowered.get(name)
        if value is None:
            continue
        try:
            return max(0.0, float(value) * scale)
        except ValueError:
            parsed = email.utils.parsedate_tz(value)
            if parsed is not None:
                return max(0.0, email.utils.mktime_tz(parsed) - time.time())
    return None


class Transport(Protocol):
    """A backend's SDK client for one run, opened and closed inside the run's event loop."""

    async def send(self, request: RemoteRequest, timeout_s: float) -> RemoteReply:
        """Returns the reply or raises CallError; any other exception is a bug and stops the run."""
        ...


OpenTransport = Callable[[], AsyncContextManager[Transport]]


# --- settings from the recipe ------------------------------------------------------------------------------------


class Price(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    input_usd_per_mtok: float = Field(ge=0.0)
    output_usd_per_mtok: float = Field(ge=0.0)

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (prompt_tokens * self.input_usd_per_mtok + completion_tokens * self.output_usd_per_mtok) / 1e6


class Budget(BaseModel):
    """Hard caps for one backend object; the first cap reached stops new calls and keeps what is done."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_requests: int | None = Field(None, ge=0, description="attempts sent, retries included")
    max_tokens: int | None = Field(None, ge=0, description="prompt + completion tokens")
    max_cost_usd: float | None = Field(None, ge=0.0, description="needs a price for the model in `prices`")


class RemoteSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    concurrency: int = Field(8, ge=1, description="requests in flight at once")
    rpm: float | None = Field(None, gt=0, description="requests per minute; None for no limit")
    tpm: float | None = Field(None, gt=0, description="tokens per minute (estimated before, settled after)")
    max_retries: int = Field(4, ge=0, description="retries after the first attempt, for 429/5xx/timeouts")
    timeout_s: float = Field(60.0, gt=0, description="per attempt; a hung server costs this much")
    backoff_s: float = Field(0.5, ge=0, description="first retry's delay; doubles each retry, with jitter")
    backoff_max_s: float = Field(30.0, ge=0, description="cap on one wait, retry-after included")
    budget: Budget = Field(default_factory=Budget)
    prices: dict[str, Price] = Field(default_factory=dict, description="model name -> USD per million tokens")
    cache_path: str = Field("results/cache/remote.sqlite", description="SQLite file shared by all backends")


def parse_settings(owner: str, params: Mapping[str, Any]) -> RemoteSettings:
    """Validates recipe params; a mistake becomes one line naming the field and what to do."""
    try:
        return RemoteSettings.model_validate(dict(params))
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors(include_url=False)
        )
        known = ", ".join(RemoteSettings.model_fields)
        raise ValueError(f"{owner}: {problems} (fix these generator params; known settings: {known})") from None


# --- the ledger --------------------------------------------------------------------------------------------------


class Ledger(BaseModel):
    """What one source's remote calls cost and how they went; written into the run record and leaderboard."""

    model_config = ConfigDict(extra="forbid")

    items: int = 0
    succeeded: int = 0
    cached_hits: int = 0
    calls: int = Field(0, description="attempts sent over the wire, retries included")
    retries: int = 0
    attempt_errors: dict[str, int] = Field(default_factory=dict, description="every failed attempt, by reason")
    failures: dict[str, int] = Field(default_factory=dict, description="items that ended as Failure, by reason")
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    budget_exhausted: bool = False
    latency_p50_s: float | None = None
    latency_p95_s: float | None = None


@dataclass
class LedgerRecorder:
    """Accumulates a Ledger during runs; keeps raw latencies so percentiles stay exact across runs."""

    items: int = 0
    succeeded: int = 0
    cached_hits: int = 0
    calls: int = 0
    retries: int = 0
    attempt_errors: Counter[str] = field(default_factory=Counter)
    failures: Counter[str] = field(default_factory=Counter)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    budget_exhausted: bool = False
    latencies_s: list[float] = field(default_factory=list)

    def snapshot(self) -> Ledger:
        ordered = sorted(self.latencies_s)
        return Ledger(
            items=self.items,
            succeeded=self.succeeded,
            cached_hits=self.cached_hits,
            calls=self.calls,
            retries=self.retries,
            attempt_errors=dict(sorted(self.attempt_errors.items())),
            failures=dict(sorted(self.failures.items())),
            prompt_tokens=self.prompt_tokens,
            completion_tokens=self.completion_tokens,
            cost_usd=round(self.cost_usd, 8),
            budget_exhausted=self.budget_exhausted,
            latency_p50_s=_percentile(ordered, 0.50),
            latency_p95_s=_percentile(ordered, 0.95),
        )


def _percentile(ordered: list[float], q: float) -> float | None:
    """Nearest-rank percentile of sorted values."""
    if not ordered:
        return None
    rank = max(1, math.ceil(len(ordered) * q))
    return round(ordered[rank - 1], 6)


# --- limits: rate, budget ----------------------------------------------------------------------------------------


class TokenBucket:
    """Refills at `per_minute`/60 a second and holds one second's worth, so bursts stay short.

    A take larger than the bucket waits for a full bucket and leaves it negative (the debt delays later takes);
    `settle` corrects an estimate once the real amount is known. One bucket serves all of a backend's calls.
    """

    def __init__(self, per_minute: float):
        self.rate = per_minute / 60.0
        self.capacity = max(1.0, self.rate)
        self.level = self.capacity
        self.updated = time.monotonic()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = asyncio.Lock()  # FIFO: waiters are served in arrival order

    def _lock_for_running_loop(self) -> asyncio.Lock:
        # The bucket outlives each `call`, which runs in its own event loop (asyncio.run), and an asyncio.Lock
        # serves only the loop it first waited in; the level, not the lock, is what carries over.
        loop = asyncio.get_running_loop()
        if self._loop is not loop:
            self._loop, self._lock = loop, asyncio.Lock()
        return self._lock

    def _refill(self) -> None:
        now = time.monotonic()
        self.level = min(self.capacity, self.level + (now - self.updated) * self.rate)
        self.updated = now

    async def take(self, amount: float) -> None:
        async with self._lock_for_running_loop():
            needed = min(amount, self.capacity)
            self._refill()
            while self.level < needed:
                await asyncio.sleep((needed - self.level) / self.rate)
                self._refill()
            self.level -= amount

    def settle(self, estimated: float, actual: float) -> None:
        self._refill()
        self.level = min(self.capacity, self.level + estimated - actual)


@dataclass
class BudgetSpent:
    """What one backend object has spent over all its calls: the budget caps this, not each call's share."""

    requests: int = 0
    tokens: int = 0
    cost_usd: float = 0.0
    exhausted: bool = False


@dataclass
class _Reservation:
    tokens: int
    cost_usd: float


class BudgetGuard:
    """Admits an attempt only if what is spent, what is in flight and this attempt's estimate fit the budget.

    When an estimate does not fit but calls are in flight, it waits for them to settle (their real usage is
    usually below the estimate). Once refused, it stays exhausted: the run stops cleanly rather than trickling.
    """

    def __init__(self, budget: Budget, price: Price | None, spent: BudgetSpent):
        self.budget = budget
        self.price = price
        self.spent = spent
        self._in_flight: list[_Reservation] = []
        self._settled = asyncio.Condition()

    @property
    def exhausted(self) -> bool:
        return self.spent.exhausted

    def _fits(self, r: _Reservation) -> bool:
        b, spent = self.budget, self.spent
        flying_tokens = sum(x.tokens for x in self._in_flight)
        flying_cost = sum(x.cost_usd for x in self._in_flight)
        return (
            (b.max_requests is None or spent.requests + len(self._in_flight) + 1 <= b.max_requests)
            and (b.max_tokens is None or spent.tokens + flying_tokens + r.tokens <= b.max_tokens)
            and (b.max_cost_usd is None or spent.cost_usd + flying_cost + r.cost_usd <= b.max_cost_usd)
        )

    async def admit(self, request: RemoteRequest) -> _Reservation | None:
        prompt, completion = request.estimated_prompt_tokens(), request.max_tokens
        reservation = _Reservation(prompt + completion, self.price.cost(prompt, completion) if self.price else 0.0)
        async with self._settled:
            while not self.exhausted:
                if self._fits(reservation):
                    self._in_flight.append(reservation)
                    return reservation
                if not self._in_flight:
                    self.spent.exhausted = True
                    break
                await self._settled.wait()
            return None

    async def settle(self, reservation: _Reservation, prompt_tokens: int, completion_tokens: int) -> float:
        cost = self.price.cost(prompt_tokens, completion_tokens) if self.price else 0.0
        async with self._settled:
            self._in_flight.remove(reservation)
            self.spent.requests += 1
            self.spent.tokens += prompt_tokens + completion_tokens
            self.spent.cost_usd += cost
            self._settled.notify_all()
        return cost


# --- the executor ------------------------------------------------------------------------------------------------


def request_key(spec_id: str, request: RemoteRequest) -> str:
    return stable_hash(spec_id, request)


@dataclass
class _RunLimits:
    """What one run waits on; the buckets and the budget's spending are the backend's, shared by its runs."""

    slots: asyncio.Semaphore
    requests: TokenBucket | None
    tokens: TokenBucket | None
    budget: BudgetGuard


class RemoteExecutor:
    def __init__(
        self,
        spec_id: str,
        settings: RemoteSettings,
        price: Price | None,
        open_transport: OpenTransport,
        cache: CallCache,
        ledger: LedgerRecorder,
    ):
        self.spec_id = spec_id
        self.settings = settings
        self.price = price
        self.open_transport = open_transport
        self.cache = cache
        self.ledger = ledger
        # Unseeded on purpose: jitter exists to desynchronise clients, and timing never changes an output.
        self._jitter = random.Random()
        # Rates and budgets bind the backend object, so they outlive each run (a pipeline calls once per stage).
        self._request_bucket = TokenBucket(settings.rpm) if settings.rpm else None
        self._token_bucket = TokenBucket(settings.tpm) if settings.tpm else None
        self._spent = BudgetSpent()

    async def run(self, requests: Sequence[RemoteRequest]) -> list[RemoteReply | Failure]:
        keys = [request_key(self.spec_id, r) for r in requests]
        self.ledger.items += len(requests)
        cached = self.cache.get_many(sorted(set(keys)))
        outcome: dict[str, RemoteReply | Failure] = {k: RemoteReply.model_validate(v) for k, v in cached.items()}
        self.ledger.cached_hits += sum(k in outcome for k in keys)

        # Identical requests in one batch (greedy samples, repeated judge items) are sent once.
        todo = {k: r for k, r in zip(keys, requests) if k not in outcome}
        if todo:
            s = self.settings
            limits = _RunLimits(
                slots=asyncio.Semaphore(s.concurrency),
                requests=self._request_bucket,
                tokens=self._token_bucket,
                budget=BudgetGuard(s.budget, self.price, self._spent),
            )
            # A TaskGroup cancels the other calls if one raises something unexpected (a bug, not a CallError),
            # and it ends before the transport closes.
            async with self.open_transport() as transport, asyncio.TaskGroup() as group:
                calls = {k: group.create_task(self._call(transport, limits, k, r)) for k, r in todo.items()}
            outcome.update((k, task.result()) for k, task in calls.items())
            self.ledger.budget_exhausted |= limits.budget.exhausted

        results = [outcome[k] for k in keys]
        for result in results:
            if isinstance(result, Failure):
                self.ledger.failures[result.reason] += 1
            else:
                self.ledger.succeeded += 1
        return results

    async def _call(
        self, transport: Transport, limits: _RunLimits, key: str, request: RemoteRequest
    ) -> RemoteReply | Failure:
        s = self.settings
        for attempt in range(s.max_retries + 1):
            async with limits.slots:
                reservation = await limits.budget.admit(request)
                if reservation is None:
                    return Failure(reason="budget_exhausted", raw="not sent: the budget was spent")
                if limits.requests:
                    await limits.requests.take(1)
                if limits.tokens:
                    await limits.tokens.take(reservation.tokens)
                started = time.monotonic()
                try:
                    # The SDKs enforce timeout_s themselves; this deadline catches anything that ignores it.
                    async with asyncio.timeout(s.timeout_s + 1.0):
                        reply, error = await transport.send(request, s.timeout_s), None
                except CallError as exc:
                    reply, error = None, exc
                except TimeoutError:
                    reply, error = None, CallError("timeout", f"no reply in {s.timeout_s}s")
                latency = time.monotonic() - started
                self.ledger.calls += 1
                used = (reply.prompt_tokens, reply.completion_tokens) if reply else (0, 0)
                cost = await limits.budget.settle(reservation, *used)
                if limits.tokens:
                    limits.tokens.settle(reservation.tokens, sum(used))

            if reply is not None:
                self._record_success(key, reply, latency, cost)
                return reply
            assert error is not None
            self.ledger.attempt_errors[error.reason] += 1
            if not error.retryable or attempt == s.max_retries:
                break
            self.ledger.retries += 1
            delay = self._backoff(attempt, error.retry_after_s)
            log.debug("retrying %s after %s in %.2fs", key, error.reason, delay)
            await asyncio.sleep(delay)

        failure = Failure(reason=error.reason, raw=error.detail)
        self.cache.put(key, failure.model_dump(), ok=False)
        log.warning("remote call %s failed after %d attempt(s): %s", key, attempt + 1, error)
        return failure

    def _record_success(self, key: str, reply: RemoteReply, latency: float, cost: float) -> None:
        # Written as each call lands, so a crash or a spent budget loses nothing already paid for.
        self.cache.put(key, reply.model_dump())
        self.ledger.latencies_s.append(latency)
        self.ledger.prompt_tokens += reply.prompt_tokens
        self.ledger.completion_tokens += reply.completion_tokens
        self.ledger.cost_usd += cost

    def _backoff(self, attempt: int, retry_after_s: float | None) -> float:
        s = self.settings
        exponential = s.backoff_s * 2**attempt * self._jitter.uniform(0.5, 1.0)
        if retry_after_s is not None:
            # The server knows when it will take us again; waiting less only earns another 429.
            return min(s.backoff_max_s, retry_after_s + self._jitter.uniform(0.0, 0.1 * retry_after_s + 0.01))
        return min(s.backoff_max_s, exponential)


# --- the generator every remote backend is ------------------------------------------------------------------------

T = TypeVar("T")


def run_blocking(coro: Coroutine[Any, Any, T]) -> T:
    """Runs a coroutine to the end from sync code, also when called inside a running event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


class RemoteGenerator:
    """A generator whose calls go through the RemoteExecutor. Backends subclass it and supply a transport.

    `spec_id` hashes only what decides the outputs (backend, model, endpoint), never a key and never a limit,
    so tuning concurrency keeps the cache warm.
    """

    remote = True  # the Generator contract: calls can fail for good, and `ledger` counts them

    def __init__(
        self,
        backend: str,
        identity: Mapping[str, Any],
        settings: RemoteSettings,
        open_transport: OpenTransport,
        model: str,
    ):
        price = settings.prices.get(model)
        if settings.budget.max_cost_usd is not None and price is None:
            raise ValueError(
                f"{backend} generator: budget.max_cost_usd needs a price for model {model!r}; add "
                f"prices: {{{model!r}: {{input_usd_per_mtok: ..., output_usd_per_mtok: ...}}}}"
            )
        self.backend = backend
        self.spec_id = f"{backend}-{stable_hash(backend, dict(identity))}"
        self.settings = settings
        self.ledger = LedgerRecorder()
        self._cache = CallCache(settings.cache_path, CACHE_NAMESPACE)
        self._executor = RemoteExecutor(self.spec_id, settings, price, open_transport, self._cache, self.ledger)

    async def acall(self, requests: Sequence[RemoteRequest]) -> list[RemoteReply | Failure]:
        return await self._executor.run(requests)

    def call(self, requests: Sequence[RemoteRequest]) -> list[RemoteReply | Failure]:
        """One outcome per request, in order; failures are typed, never empty strings."""
        return run_blocking(self.acall(requests))

    def generate_detailed(
        self, prompts: Sequence[Prompt], params: GenerationParams
    ) -> list[list[Completion | Failure]]:
        """Per prompt, `params.n` outcomes in sample order; a failed sample is a Failure in its place."""
        requests = [
            RemoteRequest(
                messages=p.messages,
                max_tokens=params.max_new_tokens,
                temperature=params.temperature,
                top_p=params.top_p,
                # Greedy samples are one identical request (sent once); sampled ones differ by seed.
                seed=params.seed if params.greedy else seed_from(params.seed, i),
            )
            for p in prompts
            for i in range(params.n)
        ]
        outcomes = self.call(requests)
        producer = producer_id(self.spec_id, params)
        per_prompt: list[list[Completion | Failure]] = []
        for j, prompt in enumerate(prompts):
            row: list[Completion | Failure] = []
            for i in range(params.n):
                out = outcomes[j * params.n + i]
                row.append(
                    out
                    if isinstance(out, Failure)
                    else Completion(
                        prompt_id=prompt.id,
                        text=out.text,
                        producer=producer,
                        sample=i,
                        prompt_tokens=out.prompt_tokens,
                        completion_tokens=out.completion_tokens,
                    )
                )
            per_prompt.append(row)
        return per_prompt

    def generate(self, prompts: Sequence[Prompt], params: GenerationParams) -> list[list[Completion]]:
        """The Generator protocol: failed samples are left out (see `generate_detailed` to count them)."""
        return [[c for c in row if isinstance(c, Completion)] for row in self.generate_detailed(prompts, params)]

    def close(self) -> None:
        self._cache.close()

"""The executor every remote call goes through: cached, capped, rate-limited, retried, budgeted and ledgered.

A call's outcome is a `RemoteReply` or a typed `harness.types.Failure`; failures are cached with ok=0, which the
cache never returns, so a rerun calls again exactly the items that failed.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from collections.abc import Sequence
from dataclasses import dataclass

from harness.cache import CallCache
from harness.generation.remote_ledger import LedgerRecorder
from harness.generation.remote_limits import BudgetGuard, BudgetSpent, TokenBucket
from harness.generation.remote_settings import Price, RemoteSettings
from harness.generation.remote_wire import CallError, OpenTransport, RemoteReply, RemoteRequest, Transport
from harness.hashing import stable_hash
from harness.progress import NULL_PROGRESS, Progress, Task
from harness.types import Failure

log = logging.getLogger(__name__)


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
        progress: Progress = NULL_PROGRESS,
    ):
        self.spec_id = spec_id
        self.progress = progress
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
        with self.progress.task(len(keys), "request", "remote calls") as bar:
            bar.advance(len(keys) - len(todo))  # answered by the cache, or the same as another in this batch
            if todo:
                outcome.update(await self._send(todo, bar))

        results = [outcome[k] for k in keys]
        for result in results:
            if isinstance(result, Failure):
                self.ledger.failures[result.reason] += 1
            else:
                self.ledger.succeeded += 1
        return results

    async def _send(self, todo: dict[str, RemoteRequest], bar: Task) -> dict[str, RemoteReply | Failure]:
        """Calls every request of `todo` under this run's limits; each finished call advances `bar`."""
        s = self.settings
        limits = _RunLimits(
            slots=asyncio.Semaphore(s.concurrency),
            requests=self._request_bucket,
            tokens=self._token_bucket,
            budget=BudgetGuard(s.budget, self.price, self._spent),
        )

        async def counted(key: str, request: RemoteRequest) -> RemoteReply | Failure:
            result = await self._call(transport, limits, key, request)
            bar.advance(1)
            return result

        # A TaskGroup cancels the other calls if one raises something unexpected (a bug, not a CallError),
        # and it ends before the transport closes.
        async with self.open_transport() as transport, asyncio.TaskGroup() as group:
            calls = {k: group.create_task(counted(k, r)) for k, r in todo.items()}
        self.ledger.budget_exhausted |= limits.budget.exhausted
        return {k: task.result() for k, task in calls.items()}

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

        assert error is not None  # the loop ran at least once and every pass without a reply set it
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

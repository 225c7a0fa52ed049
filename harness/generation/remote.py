"""The one way remote model calls are made: cached, capped, rate-limited, retried, budgeted and ledgered.

Backends (openai.py, gemini.py) only translate a `RemoteRequest` into their SDK's call and say what went wrong
as a `CallError`. Everything about whether, when and how often to call lives in the RemoteExecutor, so every
backend behaves the same under 429s, hangs and budgets, and the ledger counts every attempt. The SDKs' own
retries are switched off.

A call's outcome is a `RemoteReply` or a typed `harness.types.Failure`; failures are cached with ok=0, which the
cache never returns, so a rerun calls again exactly the items that failed.

The parts, one module each: remote_wire (request, reply, errors, transport), remote_settings (recipe params),
remote_ledger (counts and cost), remote_limits (rates, budget), remote_executor (the call loop); this module is the
generator the backends subclass.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Coroutine, Mapping, Sequence
from typing import Any, TypeVar

from harness.cache import CallCache
from harness.generation import GenerationParams, producer_id
from harness.generation.remote_executor import RemoteExecutor
from harness.generation.remote_ledger import LedgerRecorder
from harness.generation.remote_settings import RemoteSettings
from harness.generation.remote_wire import FailureReason, OpenTransport, RemoteReply, RemoteRequest, parse_retry_after
from harness.hashing import seed_from, stable_hash
from harness.progress import NULL_PROGRESS, Progress
from harness.types import Completion, Failure, Prompt

# Named here too, so code and tests written against this module keep working.
__all__ = ["CACHE_NAMESPACE", "FailureReason", "RemoteGenerator", "parse_retry_after", "run_blocking"]

CACHE_NAMESPACE = "remote"


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
        progress: Progress = NULL_PROGRESS,
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
        self._executor = RemoteExecutor(
            self.spec_id, settings, price, open_transport, self._cache, self.ledger, progress
        )

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

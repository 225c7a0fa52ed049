"""The limits a remote backend's calls wait on: request and token rates, and the run's budget."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from harness.generation.remote_settings import Budget, Price
from harness.generation.remote_wire import RemoteRequest


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

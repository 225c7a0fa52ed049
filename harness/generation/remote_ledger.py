"""What one source's remote calls cost and how they went, counted as they happen."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


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


def ledger_delta(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """What one stage spent per remote model: counters as differences, latency percentiles as they stand."""
    spent = {}
    for name, now in after.items():
        was = before.get(name, {})
        delta = {
            k: (
                v - was.get(k, 0)
                if isinstance(v, (int, float)) and not isinstance(v, bool) and not k.startswith("latency")
                else v
            )
            for k, v in now.items()
        }
        for k in ("failures", "attempt_errors"):
            if isinstance(now.get(k), dict):
                delta[k] = {r: n - was.get(k, {}).get(r, 0) for r, n in now[k].items() if n - was.get(k, {}).get(r, 0)}
        if delta.get("items"):
            spent[name] = delta
    return spent

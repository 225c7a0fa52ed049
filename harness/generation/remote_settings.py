"""A remote backend's settings from the recipe: concurrency, rates, retries, timeouts, budget and prices."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from harness.recipes.exact_scalars import ExactScalars


class Price(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    input_usd_per_mtok: float = Field(ge=0.0, description="USD per million prompt tokens")
    output_usd_per_mtok: float = Field(ge=0.0, description="USD per million completion tokens")

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (prompt_tokens * self.input_usd_per_mtok + completion_tokens * self.output_usd_per_mtok) / 1e6


class Budget(BaseModel):
    """Hard caps for one backend object; the first cap reached stops new calls and keeps what is done."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    max_requests: int | None = Field(None, ge=0, description="attempts sent, retries included")
    max_tokens: int | None = Field(None, ge=0, description="prompt + completion tokens")
    max_cost_usd: float | None = Field(None, ge=0.0, description="needs a price for the model in `prices`")


class RemoteSettings(ExactScalars):
    model_config = ConfigDict(extra="forbid", frozen=True)

    concurrency: int = Field(8, ge=1, description="requests in flight at once")
    rpm: float | None = Field(None, gt=0, description="requests per minute; None for no limit")
    tpm: float | None = Field(None, gt=0, description="tokens per minute (estimated before, settled after)")
    max_retries: int = Field(4, ge=0, description="retries after the first attempt, for 429/5xx/timeouts")
    timeout_s: float = Field(60.0, gt=0, description="per attempt; a hung server costs this much")
    backoff_s: float = Field(0.5, ge=0, description="first retry's delay; doubles each retry, with jitter")
    backoff_max_s: float = Field(30.0, ge=0, description="cap on one wait, retry-after included")
    budget: Budget = Field(default_factory=Budget, description="hard caps; the first reached stops new calls")
    prices: dict[str, Price] = Field(default_factory=dict, description="model name -> USD per million tokens")
    cache_path: str = Field("results/cache/remote.sqlite", description="SQLite file shared by all backends")


def parse_settings(owner: str, params: Mapping[str, Any]) -> RemoteSettings:
    """Validates recipe params; a mistake becomes one line naming the field and what to do."""
    try:
        return RemoteSettings.model_validate(dict(params))
    except ValidationError as exc:
        problems = "; ".join(
            ": ".join([*([".".join(str(p) for p in err["loc"])] if err["loc"] else []), err["msg"]])
            for err in exc.errors(include_url=False)
        )
        known = ", ".join(RemoteSettings.model_fields)
        raise ValueError(f"{owner}: {problems} (fix these generator params; known settings: {known})") from None

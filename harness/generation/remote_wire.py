"""What a remote call sends and gets back, and how a failed attempt is classified: the contract between the
RemoteExecutor (remote_executor.py) and the backends' transports (openai.py, gemini.py)."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Mapping
from contextlib import AbstractAsyncContextManager
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict, Field

from harness.run.secrets import scrub
from harness.types import Message

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


OpenTransport = Callable[[], AbstractAsyncContextManager[Transport]]

"""OpenAI and every OpenAI-compatible server (`vllm serve`, Ollama, llama.cpp server) through the official SDK.

The SDK's retries are off (max_retries=0): the RemoteExecutor owns retry, backoff and counting. The reply is
parsed in a separate step from the request, so anything wrong with a 200 reply is a `malformed` failure and
anything wrong with our request stays a bug that stops the run.

Logprob judging follows AlpacaEval's weighted scheme: ask for one token with its top logprobs and read the
probabilities of the label tokens (`label_logprobs`, then `label_probabilities`).
"""

from __future__ import annotations

import json
import math
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from typing import Annotated, Any, Literal

from pydantic import Field

from harness.generation.remote import RemoteGenerator
from harness.generation.remote_settings import RemoteSettings, parse_settings
from harness.generation.remote_wire import CallError, RemoteReply, RemoteRequest, error_for_status
from harness.plugin_help import KeysOf
from harness.progress import NULL_PROGRESS, Progress
from harness.registry import generator
from harness.secrets import api_key_from_env
from harness.types import Failure, Message

# Servers that ignore keys (vllm serve, Ollama, llama.cpp) still need the SDK to send one.
KEYLESS_PLACEHOLDER = "no-key"


class OpenAITransport:
    def __init__(self, client: Any, model: str, max_tokens_field: str):
        self._client = client
        self.model = model
        self.max_tokens_field = max_tokens_field

    async def send(self, request: RemoteRequest, timeout_s: float) -> RemoteReply:
        import openai

        kwargs: dict[str, Any] = {
            "model": self.model,
            "messages": [m.model_dump() for m in request.messages],
            self.max_tokens_field: request.max_tokens,
            "temperature": request.temperature,
            "top_p": request.top_p,
        }
        if request.seed is not None:
            kwargs["seed"] = request.seed
        if request.top_logprobs:
            kwargs.update(logprobs=True, top_logprobs=request.top_logprobs)
        try:
            # The SDK's own POST (auth, base_url, status errors as typed exceptions) with a plain JSON body:
            # `chat.completions.create` spends about a third of the client's CPU re-walking the request's
            # TypedDicts, which caps throughput at high concurrency; the wire request is the same.
            body = await self._client.post(
                "/chat/completions", cast_to=str, body=kwargs, options={"timeout": timeout_s}
            )
        except openai.APIStatusError as exc:
            raise error_for_status(exc.status_code, str(exc), exc.response.headers) from None
        except openai.APITimeoutError as exc:
            raise CallError("timeout", str(exc)) from None
        except openai.APIConnectionError as exc:
            raise CallError("connection", f"{exc}: {exc.__cause__!r}") from None
        try:
            # The body as JSON, not the SDK's pydantic ChatCompletion: a dict carries everything a judge
            # reads, at a fraction of the per-reply cost.
            return _reply_from(json.loads(body))
        except CallError:
            raise
        except Exception as exc:  # the request succeeded, so whatever breaks here is the reply's shape
            raise CallError("malformed", f"{type(exc).__name__}: {exc}") from None


def _reply_from(completion: dict[str, Any]) -> RemoteReply:
    choice = completion["choices"][0]
    text = choice["message"].get("content")
    if not isinstance(text, str):
        if choice.get("finish_reason") == "content_filter":  # refused by policy: asking again gets the same answer
            raise CallError("client_error", "reply withheld by the content filter")
        raise ValueError(f"choice has no text content (finish_reason={choice.get('finish_reason')!r})")
    first_token: dict[str, float] = {}
    content = (choice.get("logprobs") or {}).get("content")
    if content:
        first_token = {t["token"]: float(t["logprob"]) for t in content[0]["top_logprobs"]}
    usage = completion.get("usage") or {}
    return RemoteReply(
        text=text,
        prompt_tokens=int(usage.get("prompt_tokens") or 0),
        completion_tokens=int(usage.get("completion_tokens") or 0),
        first_token_logprobs=first_token,
    )


class OpenAIGenerator(RemoteGenerator):
    def label_logprobs(
        self, messages_batch: Sequence[Sequence[Message]], labels: Sequence[str] = ("m", "M"), top_logprobs: int = 5
    ) -> list[dict[str, float] | Failure]:
        """Per conversation, the log-probability of each label as the first reply token.

        Tokens that differ from a label only by surrounding whitespace (" M") count as that label; a label
        missing from the top-k is missing from the dict. No label in the top-k at all is a Failure.
        """
        requests = [
            RemoteRequest(messages=tuple(messages), max_tokens=1, temperature=0.0, top_logprobs=top_logprobs)
            for messages in messages_batch
        ]
        return [
            out if isinstance(out, Failure) else _labels_in(out.first_token_logprobs, labels)
            for out in self.call(requests)
        ]


def _labels_in(first_token: Mapping[str, float], labels: Sequence[str]) -> dict[str, float] | Failure:
    found: dict[str, list[float]] = {}
    for token, logprob in first_token.items():
        if token.strip() in labels:
            found.setdefault(token.strip(), []).append(logprob)
    if not found:
        return Failure(reason="no_label_in_top_logprobs", raw=",".join(sorted(first_token)))
    return {label: _logsumexp(values) for label, values in found.items()}


def _logsumexp(values: list[float]) -> float:
    top = max(values)
    return top + math.log(sum(math.exp(v - top) for v in values))


def label_probabilities(logprobs: Mapping[str, float], labels: Sequence[str]) -> dict[str, float]:
    """Normalises label logprobs over the labels (AlpacaEval's weighted preference); absent labels get 0."""
    present = {label: logprobs[label] for label in labels if label in logprobs}
    if not present:
        raise ValueError(f"none of the labels {list(labels)} is in {sorted(logprobs)}")
    norm = _logsumexp(list(present.values()))
    return {label: math.exp(present[label] - norm) if label in present else 0.0 for label in labels}


@generator("openai")
def openai_generator(
    model: Annotated[str, Field(description="the API's model name; set from the recipe model's `path`")],
    base_url: Annotated[
        str | None,
        Field(
            description="an OpenAI-compatible server's /v1 URL (vLLM serve, llama.cpp, a proxy); null = api.openai.com"
        ),
    ] = None,
    api_key_env: Annotated[
        str | None, Field(description="environment variable holding the key; null for servers that take none")
    ] = "OPENAI_API_KEY",
    max_tokens_field: Annotated[
        Literal["max_tokens", "max_completion_tokens"],
        Field(description="request field for the answer's length; newer OpenAI models want max_completion_tokens"),
    ] = "max_tokens",
    served_as: Annotated[
        dict[str, Any] | None,
        Field(description="how provenance and the call cache name the model; null = model and base_url"),
    ] = None,
    progress: Annotated[
        Progress, Field(description="where finished calls are counted; a run passes its display, never a recipe")
    ] = NULL_PROGRESS,
    **remote: Annotated[Any, KeysOf(RemoteSettings)],
) -> OpenAIGenerator:
    """OpenAI or any OpenAI-compatible server via `base_url`; api_key_env=None for servers without keys.

    `remote` takes the RemoteSettings fields: concurrency, rpm, tpm, max_retries, timeout_s, backoff_s,
    backoff_max_s, budget, prices, cache_path. Newer OpenAI models want max_tokens_field="max_completion_tokens".
    `served_as` names the model in provenance and the call cache (default: model and base_url). Not `identity`: the
    pipeline gives a backend that takes `identity` the producing stage's key, a string, as hf's is.
    """
    owner = f"openai generator {model!r}"
    settings = parse_settings(owner, remote)
    if max_tokens_field not in ("max_tokens", "max_completion_tokens"):
        raise ValueError(f"{owner}: max_tokens_field must be 'max_tokens' or 'max_completion_tokens'")
    api_key = api_key_from_env(api_key_env, owner) if api_key_env else KEYLESS_PLACEHOLDER

    @asynccontextmanager
    async def open_transport() -> AsyncIterator[OpenAITransport]:
        from openai import AsyncOpenAI

        client = AsyncOpenAI(api_key=api_key, base_url=base_url, max_retries=0, timeout=settings.timeout_s)
        try:
            yield OpenAITransport(client, model, max_tokens_field)
        finally:
            await client.close()

    return OpenAIGenerator(
        backend="openai",
        identity=served_as or {"model": model, "base_url": base_url},
        settings=settings,
        open_transport=open_transport,
        model=model,
        progress=progress,
    )

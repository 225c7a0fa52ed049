"""Gemini through `google-genai` (the maintained SDK; `google-generativeai` is end-of-life).

The SDK does not retry unless `HttpOptions.retry_options` says so; we pin one attempt explicitly so the
RemoteExecutor owns retries and counts every attempt. The async client is closed at the end of each run.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated, Any

from pydantic import Field

from harness.generation.remote import RemoteGenerator
from harness.generation.remote_settings import RemoteSettings, parse_settings
from harness.generation.remote_wire import CallError, RemoteReply, RemoteRequest, error_for_status
from harness.plugin_help import KeysOf
from harness.progress import NULL_PROGRESS, Progress
from harness.registry import generator
from harness.secrets import api_key_from_env


class GeminiTransport:
    def __init__(self, client: Any, model: str):
        self._client = client  # google.genai AsyncClient (Client.aio)
        self.model = model

    async def send(self, request: RemoteRequest, timeout_s: float) -> RemoteReply:
        import httpx2
        import pydantic
        from google.genai import errors, types

        if request.top_logprobs:
            raise ValueError("gemini backend: logprob judging is supported by the openai backend only")
        system = [m.content for m in request.messages if m.role == "system"]
        contents = [
            types.Content(role="model" if m.role == "assistant" else "user", parts=[types.Part(text=m.content)])
            for m in request.messages
            if m.role != "system"
        ]
        config = types.GenerateContentConfig(
            system_instruction="\n\n".join(system) if system else None,
            temperature=request.temperature,
            top_p=request.top_p,
            max_output_tokens=request.max_tokens,
            seed=request.seed,
            candidate_count=1,
            automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True),
        )
        try:
            response = await self._client.models.generate_content(model=self.model, contents=contents, config=config)
        except errors.APIError as exc:
            headers = exc.response.headers if exc.response is not None else None
            raise error_for_status(exc.code, str(exc), headers) from None
        except httpx2.TimeoutException as exc:
            raise CallError("timeout", f"{type(exc).__name__}: {exc}") from None
        except httpx2.TransportError as exc:
            raise CallError("connection", f"{type(exc).__name__}: {exc}") from None
        # The request was built and validated above, so a decoding or validation error here is the reply's.
        except (json.JSONDecodeError, pydantic.ValidationError, ValueError, KeyError, TypeError) as exc:
            raise CallError("malformed", f"{type(exc).__name__}: {exc}") from None
        return _reply_from(response)


def _reply_from(response: Any) -> RemoteReply:
    candidates = response.candidates or []
    if not candidates:
        feedback = response.prompt_feedback
        if feedback is not None and feedback.block_reason is not None:
            raise CallError("client_error", f"prompt blocked: {feedback.block_reason}")
        raise CallError("malformed", "reply has no candidates")
    candidate = candidates[0]
    parts = candidate.content.parts if candidate.content and candidate.content.parts else []
    texts = [p.text for p in parts if p.text is not None]
    if not texts:
        raise CallError("client_error", f"candidate has no text (finish_reason={candidate.finish_reason})")
    usage = response.usage_metadata
    return RemoteReply(
        text="".join(texts),
        prompt_tokens=(usage.prompt_token_count or 0) if usage else 0,
        completion_tokens=(usage.candidates_token_count or 0) if usage else 0,
    )


@generator("gemini")
def gemini_generator(
    model: Annotated[
        str, Field(description="the Gemini model name, e.g. gemini-2.0-flash; set from the recipe model's `path`")
    ],
    base_url: Annotated[
        str | None, Field(description="another endpoint (a proxy, or the test server); null = Google's")
    ] = None,
    api_key_env: Annotated[str, Field(description="environment variable holding the key")] = "GEMINI_API_KEY",
    api_version: Annotated[str, Field(description="Gemini API version")] = "v1beta",
    progress: Annotated[
        Progress, Field(description="where finished calls are counted; a run passes its display, never a recipe")
    ] = NULL_PROGRESS,
    **remote: Annotated[Any, KeysOf(RemoteSettings)],
) -> RemoteGenerator:
    """Gemini via google-genai; base_url points it elsewhere (a proxy, or the test server).

    `remote` takes the RemoteSettings fields: concurrency, rpm, tpm, max_retries, timeout_s, backoff_s,
    backoff_max_s, budget, prices, cache_path.
    """
    owner = f"gemini generator {model!r}"
    settings = parse_settings(owner, remote)
    api_key = api_key_from_env(api_key_env, owner)

    @asynccontextmanager
    async def open_transport() -> AsyncIterator[GeminiTransport]:
        from google import genai
        from google.genai import types

        client = genai.Client(
            api_key=api_key,
            http_options=types.HttpOptions(
                base_url=base_url,
                api_version=api_version,
                timeout=int(settings.timeout_s * 1000),  # milliseconds
                retry_options=types.HttpRetryOptions(attempts=1),
            ),
        )
        try:
            yield GeminiTransport(client.aio, model)
        finally:
            await client.aio.aclose()
            client.close()

    return RemoteGenerator(
        backend="gemini",
        identity={"model": model, "base_url": base_url, "api_version": api_version},
        settings=settings,
        open_transport=open_transport,
        model=model,
        progress=progress,
    )

"""A simulated API model: the local server (harness/local_server.py) answers by a named rule, and the real
`openai` client reaches it over the OpenAI wire protocol on 127.0.0.1, through the same executor, rate limits,
budget and call cache as any remote teacher.

It stands in for a teacher this machine cannot call (a stronger model behind an API): e.g. the `verifiable` rule
answers with the benchmark's reference answers and judges with its gold grader, each wrong at a declared rate.
The model is named by its rule, not by the server's port, so reruns reuse its cached calls and stages.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from harness.generation.openai import OpenAIGenerator, openai_generator
from harness.generation.remote_settings import RemoteSettings
from harness.plugin_help import KeysOf
from harness.progress import NULL_PROGRESS, Progress
from harness.registry import generator


@generator("simulated")
def simulated(
    model: Annotated[
        str, Field(description="the name the simulated model goes by; set from the recipe model's `path`")
    ],
    rule: Annotated[
        str, Field(description="the local server's answering rule (harness.local_server.RULES), e.g. verifiable")
    ],
    progress: Annotated[
        Progress, Field(description="where finished calls are counted; a run passes its display, never a recipe")
    ] = NULL_PROGRESS,
    **remote: Annotated[Any, KeysOf(RemoteSettings)],
) -> OpenAIGenerator:
    """A simulated teacher: the local server answers by the rule `rule`, over the OpenAI wire protocol.

    It goes through the openai generator, so `remote` takes its RemoteSettings (concurrency, budget, cache_path)."""
    from harness.local_server import RULES, FakeLLMServer

    if rule not in RULES:
        raise ValueError(f"rule: {rule!r} is not a local server rule; use one of {', '.join(sorted(RULES))}")
    server = FakeLLMServer(answer=RULES[rule]).start()  # serves until the process ends (a daemon thread)
    return openai_generator(
        model,
        base_url=server.openai_base_url,
        api_key_env=None,
        served_as={"model": model, "simulated": rule},
        progress=progress,
        **remote,
    )

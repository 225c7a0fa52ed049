"""A simulated API model: the local server (harness/local_server.py) answers by a named rule, and the real
`openai` client reaches it over the OpenAI wire protocol on 127.0.0.1, through the same executor, rate limits,
budget and call cache as any remote teacher.

It stands in for a teacher this machine cannot call (a stronger model behind an API): e.g. the `verifiable` rule
answers with the benchmark's reference answers and judges with its gold grader, each wrong at a declared rate.
The model is named by its rule, not by the server's port, so reruns reuse its cached calls and stages.
"""

from __future__ import annotations

from typing import Any

from harness.generation.openai import OpenAIGenerator, openai_generator
from harness.progress import NULL_PROGRESS, Progress
from harness.registry import generator


@generator("simulated")
def simulated(model: str, rule: str, progress: Progress = NULL_PROGRESS, **remote: Any) -> OpenAIGenerator:
    """A simulated teacher: the local server's rule `rule` (see harness.local_server.RULES) over the OpenAI wire
    protocol; `remote` takes the openai generator's RemoteSettings (concurrency, budget, cache_path, ...)."""
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

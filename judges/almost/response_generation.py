"""RG: one response per (prompt, configuration), each cut at a continued dialogue and checked by the BAD filters.

A configuration is what ALMoST varies to get responses of assumed quality: the model, the number of
demonstrations and their quality. Generation goes through `ctx.candidates`, so every configuration's
responses are a cached stage; their prompt ids are `<prompt id>|<configuration>@<hash of the shots>`,
distinct per configuration and changing whenever the demonstrations in front of the prompt change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

from harness.feedback import SourceContext
from harness.generation import GenerationParams
from harness.hashing import stable_hash
from harness.types import Prompt
from judges.almost.demonstrations import Demonstrations
from judges.almost.filters import BAD_RULES, BadRule, bad_reason, cut_continuation


class Configuration(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    model: str = Field(description="a model name from the recipe's `models`")
    shots: int = Field(ge=0, description="demonstrations before the prompt")
    demos: str = Field(
        description="an ALMoST prompt file (HHH_prompt.txt, Faithful_prompt.txt), benchmark:clean or benchmark:noisy"
    )


@dataclass(frozen=True)
class Response:
    config: str
    text: str  # after cut_continuation
    producer: str  # completion producer and sample, "<producer>#<sample>"
    bad: BadRule | None  # the BAD rule that removed it, or None


def shot_prompts(prompts: Sequence[Prompt], name: str, config: Configuration, demos: Demonstrations) -> list[Prompt]:
    shots = stable_hash(demos.header, demos.dialogues[: config.shots], length=8)
    return [
        Prompt(id=f"{p.id}|{name}@{shots}", messages=demos.before(p, config.shots), metadata=p.metadata)
        for p in prompts
    ]


def generate_responses(
    prompts: Sequence[Prompt],
    configurations: Mapping[str, Configuration],
    demonstrations: Mapping[str, Demonstrations],
    ctx: SourceContext,
    params: GenerationParams,
    min_length: int,
    rules: Sequence[BadRule] = BAD_RULES,
) -> dict[str, list[Response]]:
    """configuration -> its response to each prompt, in prompt order (one sample each: `params.n` is ignored)."""
    one = params.model_copy(update={"n": 1})
    responses: dict[str, list[Response]] = {}
    for name, config in configurations.items():
        completions = ctx.candidates(config.model, shot_prompts(prompts, name, config, demonstrations[name]), one)
        responses[name] = []
        for (c,) in completions:
            text = cut_continuation(c.text)
            responses[name].append(
                Response(config=name, text=text, producer=c.ref, bad=bad_reason(text, min_length, rules))
            )
    return responses

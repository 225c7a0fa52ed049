"""Parameter contrast (pcon): the stronger model's response is chosen, the weaker one's rejected.

No judge is asked. Where the benchmark has a gold grader, the source reports how often the premise
held (chosen outscored rejected) — a finding about the models, not an assumption.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

from pydantic import Field, validate_call

from harness.feedback import FeedbackSource, ModelUse, PremisePair, SourceContext, SourceOutput
from harness.registry import source
from harness.types import PreferencePair, Prompt, assistant


@dataclass
class ParameterContrast(FeedbackSource):
    strong: str
    weak: str
    name: str = "parameter_contrast"

    def model_uses(self) -> tuple[ModelUse, ...]:
        return (ModelUse("strong", self.strong), ModelUse("weak", self.weak))

    def premise(self) -> PremisePair:
        return PremisePair(strong=self.strong, weak=self.weak)

    def build(self, prompts: Sequence[Prompt], ctx: SourceContext) -> SourceOutput:
        one = ctx.candidate_params.model_copy(update={"n": 1})
        strong = ctx.candidates(self.strong, prompts, one)
        weak = ctx.candidates(self.weak, prompts, one)
        out = SourceOutput(pairs=[], dropped=Counter(), n_prompts=len(prompts), n_candidates=2 * len(prompts))
        for prompt, (s,), (w,) in zip(prompts, strong, weak, strict=True):
            if s.text == w.text:
                out.dropped["identical_text"] += 1
                continue
            out.pairs.append(
                PreferencePair(
                    prompt_id=prompt.id,
                    prompt=prompt.messages,
                    chosen=assistant(s.text),
                    rejected=assistant(w.text),
                    source=self.name,
                    chosen_by=f"{s.producer}#0",
                    rejected_by=f"{w.producer}#0",
                    judge=f"contrast:{self.strong}>{self.weak}",
                )
            )
        return out


@source("parameter_contrast")
@validate_call(config={"extra": "forbid"})
def parameter_contrast(
    strong: Annotated[str, Field(description="name in `models` whose answer is chosen")],
    weak: Annotated[str, Field(description="name in `models` whose answer is rejected")],
) -> FeedbackSource:
    """Strong model's answer chosen, weak model's rejected (model names from the recipe's `models`)."""
    if strong == weak:
        raise ValueError("strong and weak must be different models")
    return ParameterContrast(strong=strong, weak=weak)

"""The `almost_rubric` feedback source: ALMoST's PG -> RG -> CS pipeline (Kim et al., 2023).

Recipe block (every key but `configurations` and `rubric` optional):

    almost_rubric:
      configurations:                 # name -> (model from `models`, shots, demonstration quality)
        big_clean:   {model: s,  shots: 3, demos: benchmark:clean}
        small_noisy: {model: xs, shots: 1, demos: benchmark:noisy}
      rubric: [big_clean, small_noisy]  # best first; [[a, b], c] ties a and b
      heuristic_filter: true          # ALMoST's length rule (off: the paper's "w/o HF" ablation)
      min_length: 50                  # BAD: responses shorter than this many characters
      bad_filters: [too_short, question_or_colon_ending, dont_know, role_leakage]  # default: all of ALMoST's
      generation: {temperature: 1.0, top_p: 0.9}  # RG sampling over feedback.candidates (n is always 1)
      prompt_generation:              # PG; omit (or enabled: false) to use the pipeline's prompts
        model: s
        n_prompts: 200
        seed_file: data:almost/assets/seed_prompts.txt  # omit: the pipeline's prompts are the seeds

The run's `dropped` counts are documented in comparisons.py (`bad_response:*`, `pairing:*`,
`heuristic:too_short`, `no_pair`) plus PG's rejected candidates (`pg:empty|too_short|overlap`) and
`pg:unfilled` (prompts PG was asked for but did not find within `max_rounds`).
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator, validate_call

from harness.feedback import BenchmarkNeed, FeedbackSource, ModelUse, SourceContext, SourceOutput
from harness.generation import GenerationParams
from harness.hashing import seed_from, stable_hash
from harness.registry import source
from harness.types import Prompt
from judges.almost.comparisons import Rubric, compare, rubric_ranks
from judges.almost.configuration_scores import configuration_scores
from judges.almost.demonstrations import benchmark_need, load_demonstrations, read_prompt_file
from judges.almost.filters import ALMOST_MIN_LENGTH, BAD_RULES, BadRule
from judges.almost.prompt_generation import (
    ALMOST_INSTRUCTION,
    ALMOST_MIN_PROMPT_LENGTH,
    ALMOST_OVERLAP_THRESHOLD,
    SeedPrompts,
    mine_prompts,
    read_seed_file,
    require_seeds,
)  # fmt: skip
from judges.almost.response_generation import Configuration, generate_responses


class Sampling(BaseModel):
    """Sampling settings that replace those of `feedback.candidates`; unset fields are inherited."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    temperature: float | None = Field(None, ge=0.0, description="sampling temperature; null = inherited")
    top_p: float | None = Field(None, gt=0.0, le=1.0, description="nucleus sampling mass; null = inherited")
    max_new_tokens: int | None = Field(None, ge=1, description="answer length cap; null = inherited")

    def over(self, base: GenerationParams) -> GenerationParams:
        return base.model_copy(update={"n": 1, **self.model_dump(exclude_none=True)})


class PromptSampling(Sampling):
    """ALMoST's PG sampling; a recipe that sets one field keeps the others."""

    temperature: float | None = Field(1.2, ge=0.0, description="sampling temperature of prompt writing")
    top_p: float | None = Field(0.9, gt=0.0, le=1.0, description="nucleus sampling mass of prompt writing")
    max_new_tokens: int | None = Field(64, ge=1, description="length cap of a written prompt")


class PromptGenerationSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    enabled: bool = Field(True, description="false: the pipeline's prompts, no prompt generation")
    model: str | None = Field(None, description="model (from `models`) that writes the prompts")
    n_prompts: int | None = Field(None, ge=1, description="prompts to mine")
    seed_file: str | None = Field(None, description="ALMoST seed file; None: the pipeline's prompts are the seeds")
    instruction: str = Field(ALMOST_INSTRUCTION, description="used without a seed file (a seed file's first line wins)")
    k: int = Field(10, ge=1, description="shots per request (ALMoST: 10)")
    batch_size: int = Field(16, ge=1, description="requests per generation round")
    max_rounds: int = Field(50, ge=1, description="rounds before giving up on n_prompts")
    min_length: int = Field(ALMOST_MIN_PROMPT_LENGTH, ge=1, description="shorter prompts need ending punctuation")
    overlap_threshold: float = Field(ALMOST_OVERLAP_THRESHOLD, gt=0.0, le=1.0, description="ROUGE-L F that rejects")
    sampling: PromptSampling = Field(PromptSampling(), description="how the prompts are sampled")

    @model_validator(mode="after")
    def _complete_when_enabled(self) -> PromptGenerationSpec:
        for name in ("model", "n_prompts"):
            if self.enabled and getattr(self, name) is None:
                raise ValueError(
                    f"prompt_generation.{name} is required when prompt generation is enabled; "
                    "set it or set enabled: false"
                )
        return self

    def seeds(self, prompts: Sequence[Prompt]) -> SeedPrompts:
        if self.seed_file is not None:
            return read_seed_file(self.seed_file)
        return SeedPrompts(instruction=self.instruction, prompts=tuple(p.text for p in prompts))


def run_prompt_generation(
    spec: PromptGenerationSpec, prompts: Sequence[Prompt], ctx: SourceContext, dropped: Counter[str]
) -> list[Prompt]:
    """PG: new prompts from the seeds, each request round a cached generation stage of the PG model."""
    assert spec.model is not None and spec.n_prompts is not None  # an enabled spec has both (its validator)
    params = spec.sampling.over(ctx.candidate_params)

    def generate(requests: list) -> list[str]:
        batch = [
            Prompt(id=f"almost-pg-request-{i}-{stable_hash(messages, length=12)}", messages=messages)
            for i, messages in enumerate(requests)
        ]
        return [completions[0].text for completions in ctx.candidates(spec.model, batch, params)]

    mined = mine_prompts(
        generate,
        spec.seeds(prompts),
        spec.n_prompts,
        spec.k,
        random.Random(seed_from("almost-pg", ctx.seed)),
        spec.batch_size,
        spec.max_rounds,
        spec.min_length,
        spec.overlap_threshold,
    )
    dropped.update({f"pg:{reason}": n for reason, n in mined.rejected.items()})
    if len(mined.prompts) < spec.n_prompts:
        dropped["pg:unfilled"] += spec.n_prompts - len(mined.prompts)
    return [
        Prompt.from_text(f"almost-pg-{stable_hash(text, length=12)}", text, source="almost_pg")
        for text in mined.prompts
    ]


@dataclass
class AlmostRubric(FeedbackSource):
    configurations: dict[str, Configuration]
    ranks: dict[str, int]
    heuristic_filter: bool = True
    min_length: int = ALMOST_MIN_LENGTH
    bad_filters: tuple[BadRule, ...] = BAD_RULES
    generation: Sampling = field(default_factory=Sampling)
    prompt_generation: PromptGenerationSpec | None = None
    name: str = "almost_rubric"

    def model_uses(self) -> tuple[ModelUse, ...]:
        uses = [ModelUse(f"configurations.{n}.model", c.model) for n, c in self.configurations.items()]
        if self.prompt_generation is not None and self.prompt_generation.model is not None:
            uses.append(ModelUse("prompt_generation.model", self.prompt_generation.model))
        return tuple(uses)

    def benchmark_needs(self) -> tuple[BenchmarkNeed, ...]:
        """A `benchmark:clean` configuration reads the benchmark's demonstrations, `benchmark:noisy` its pretraining
        corpus; the gold configuration scores are reported only where there is a grader, so they are no need."""
        return tuple(
            BenchmarkNeed(
                benchmark_need(c.demos),
                f"give configurations.{n}.demos an ALMoST prompt file (data:almost/assets/HHH_prompt.txt), "
                "or use a benchmark that has them",
                field=f"configurations.{n}.demos",
            )
            for n, c in self.configurations.items()
            if c.demos.startswith("benchmark:")
        )

    def build(self, prompts: Sequence[Prompt], ctx: SourceContext) -> SourceOutput:
        out = SourceOutput(pairs=[], dropped=Counter())
        if self.prompt_generation is not None:
            prompts = run_prompt_generation(self.prompt_generation, prompts, ctx, out.dropped)
        if not prompts:
            return out
        demonstrations = {
            name: load_demonstrations(c.demos, c.shots, ctx.benchmark) for name, c in self.configurations.items()
        }
        responses = generate_responses(
            prompts,
            self.configurations,
            demonstrations,
            ctx,
            self.generation.over(ctx.candidate_params),
            self.min_length,
            self.bad_filters,
        )
        for i, prompt in enumerate(prompts):
            pairs, dropped = compare(
                prompt,
                [responses[name][i] for name in self.configurations],
                self.ranks,
                self.name,
                length_rule=self.heuristic_filter,
            )
            out.pairs += pairs
            out.dropped.update(dropped)
        out.n_prompts, out.n_candidates = len(prompts), len(prompts) * len(self.configurations)
        # Gold is defined on the benchmark's own prompts; PG's generated ones need not be tasks its grader knows
        if self.prompt_generation is None and (
            scores := configuration_scores(prompts, responses, self.ranks, ctx.gold)
        ):
            out.details["configurations"] = scores
        return out


@source("almost_rubric")
@validate_call(config={"extra": "forbid"})
def almost_rubric(
    configurations: Annotated[
        dict[str, Configuration],
        Field(description="name -> a response configuration (model from `models`, shots, demonstration quality)"),
    ],
    rubric: Annotated[
        Rubric, Field(description="configuration names, best first; a nested list ties them, e.g. [[a, b], c]")
    ],
    heuristic_filter: Annotated[
        bool, Field(description="ALMoST's length rule; false is the paper's 'w/o HF' ablation")
    ] = True,
    min_length: int = Field(ALMOST_MIN_LENGTH, ge=1, description="responses shorter than this many characters are BAD"),
    bad_filters: list[BadRule] = Field(
        default_factory=lambda: list(BAD_RULES),
        description="ALMoST's BAD-response rules to apply (default: all of them)",
    ),
    generation: Sampling = Field(
        default_factory=Sampling,
        description="response sampling over feedback.candidates; unset fields are inherited (n is always 1)",
    ),
    prompt_generation: Annotated[
        PromptGenerationSpec | None, Field(description="ALMoST's prompt generation (PG); null = the pipeline's prompts")
    ] = None,
) -> FeedbackSource:
    """ALMoST: responses of configurations ranked by a rubric (model size, shots, demos) become pairs."""
    ranks = rubric_ranks(rubric, configurations)
    for name, config in configurations.items():
        if config.demos.startswith("benchmark:"):  # its name now; what the benchmark has: validation (benchmark_needs)
            try:
                benchmark_need(config.demos)
            except ValueError as exc:
                raise ValueError(f"configurations.{name}.{exc}") from None
        else:
            demos = read_prompt_file(config.demos)
            if config.shots > len(demos.dialogues):
                raise ValueError(
                    f"configurations.{name}.shots={config.shots} but {config.demos} has "
                    f"{len(demos.dialogues)} dialogues: ask fewer"
                )
    if prompt_generation is not None and prompt_generation.enabled and prompt_generation.seed_file is not None:
        require_seeds(read_seed_file(prompt_generation.seed_file), prompt_generation.k)
    return AlmostRubric(
        configurations=dict(configurations),
        ranks=ranks,
        heuristic_filter=heuristic_filter,
        min_length=min_length,
        bad_filters=tuple(bad_filters),
        generation=generation,
        prompt_generation=prompt_generation if prompt_generation is not None and prompt_generation.enabled else None,
    )

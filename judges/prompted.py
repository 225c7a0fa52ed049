"""A judge that is a language model reading a judge prompt (self or teacher, any registered generator)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import fmean
from typing import Annotated, Literal

from pydantic import Field

from harness.generation import GenerationParams, Generator
from harness.generation.next_token import NextTokenScorer
from harness.hashing import stable_hash
from harness.judging.contract import JudgeSite
from harness.judging.params import JudgeSeed, Readout, readout_reads
from harness.judging.prompt_folders import JudgePrompt, load_judge_prompt
from harness.registry import judge
from harness.types import Completion, Failure, Judgment, Prompt, Score


@dataclass
class PromptedJudge:
    generator: Generator
    prompt: JudgePrompt
    samples: int
    seed: int = 0
    readout: Literal["sampled", "expected"] = "sampled"

    @property
    def name(self) -> str:
        # The sampled read-out keeps the name it always had, so existing judgments keep their judge's name.
        tag = "" if self.readout == "sampled" else ":expected"
        return (
            f"prompted:{self.prompt.name}:{self.generator.spec_id}:"
            f"{stable_hash(self.prompt, self.samples, length=6)}{tag}"
        )

    def params(self) -> GenerationParams:
        g = self.prompt.generation
        return GenerationParams(
            n=self.samples, temperature=g.temperature, top_p=g.top_p, max_new_tokens=g.max_new_tokens, seed=self.seed
        )

    def score(self, items: Sequence[tuple[Prompt, Completion]]) -> list[Judgment]:
        judge_prompts = [Prompt.from_text(f"{p.id}|{c.ref}", self.prompt.render(p.text, c.text)) for p, c in items]
        if self.readout == "expected":
            return self._expected(items, judge_prompts)
        # Remote backends report failed calls in place; local ones cannot fail a call (harness.generation).
        outputs = self.generator.generate_detailed(judge_prompts, self.params())
        return [self._aggregate(p, c, outs) for (p, c), outs in zip(items, outputs, strict=True)]

    def _expected(self, items: Sequence[tuple[Prompt, Completion]], judge_prompts: list[Prompt]) -> list[Judgment]:
        """Expected score under the judge's next-token distribution over the scale's digits after the answer
        prefix (the EFT target up to `{score}`): sum p(k) k / sum p(k). The mass on the digits is kept in the
        rationale: a judge that puts almost none there has not learned the format."""
        assert isinstance(self.generator, NextTokenScorer)  # checked when the judge was built
        scale = range(int(self.prompt.parser.min), int(self.prompt.parser.max) + 1)
        prefix = self.prompt.target.split("{score}")[0]
        probs = self.generator.next_token_probs(judge_prompts, prefix, [str(k) for k in scale])
        out = []
        for (p, c), ps in zip(items, probs, strict=True):
            mass = sum(ps)
            verdict = (
                Score(value=sum(k * q for k, q in zip(scale, ps)) / mass, rationale=f"digit mass {mass:.4f}")
                if mass > 0
                else Failure(reason="no_score_mass", raw="")
            )
            out.append(
                Judgment(
                    judge=self.name,
                    prompt_id=p.id,
                    verdict=verdict,
                    raw=verdict.rationale if isinstance(verdict, Score) else "",
                    candidates=(c.ref,),
                )
            )
        return out

    def _aggregate(self, prompt: Prompt, completion: Completion, outputs: list[Completion | Failure]) -> Judgment:
        parsed = [o if isinstance(o, Failure) else self.prompt.parser.parse(o.text) for o in outputs]
        scores = [v.value for v in parsed if isinstance(v, Score)]
        raw = "\n---\n".join(o.raw if isinstance(o, Failure) else o.text for o in outputs)
        if not parsed:
            parsed = [Failure(reason="no_output", raw="")]
        # Yuan et al. average the judge's samples; samples that fail to parse are left out of the mean,
        # and a candidate none of whose samples parse is a Failure, never a score.
        verdict = (
            Score(value=fmean(scores), rationale=raw) if scores else next(v for v in parsed if isinstance(v, Failure))
        )
        return Judgment(
            judge=self.name,
            prompt_id=prompt.id,
            verdict=verdict,
            raw=raw,
            candidates=(completion.ref,),
        )


READOUTS = ("sampled", "expected")


def score_prompt_named(site: JudgeSite) -> None:
    """Validation's check: the judge prompt folder loads, and `readout: expected` has a score target to read."""
    name = str(site.params.get("prompt", "sandbox_score"))
    try:
        spec = load_judge_prompt(name)
    except ValueError as exc:
        raise ValueError(f"prompt: {exc}") from None
    if site.params.get("readout") == "expected" and (spec.kind != "score" or "{score}" not in spec.target):
        raise ValueError(f"readout: expected needs a score prompt whose target contains {{score}}; {name!r} has none")


@judge("prompted", on_model=True, seeded=True, check=score_prompt_named, reads=readout_reads)
def prompted(
    generator: Annotated[
        Generator, Field(description="the model the judge runs on; a recipe sets it with `model: <name in models>`")
    ],
    prompt: Annotated[
        str,
        Field(
            description="a score judge prompt folder in judges/prompts/ (`harness judges` lists them) or a folder path"
        ),
    ] = "sandbox_score",
    samples: Annotated[
        int | None,
        Field(
            description="judge samples per candidate, their parsed scores averaged; null = the "
            "prompt's judge.yaml `samples`"
        ),
    ] = None,
    seed: JudgeSeed = 0,
    readout: Readout = "sampled",
) -> PromptedJudge:
    """An LLM judge: `generator` reads the judge prompt folder `prompt`; `readout: sampled` parses its sampled
    outputs, `readout: expected` reads the expected score from its score-token probabilities (local models)."""
    spec = load_judge_prompt(prompt)
    if readout not in READOUTS:
        raise ValueError(f"readout: {readout!r} is not a judge read-out; use one of {', '.join(READOUTS)}")
    if readout == "expected":
        if spec.kind != "score" or "{score}" not in spec.target:
            raise ValueError(
                f"readout: expected needs a score prompt whose target contains {{score}}; "
                f"{prompt!r} is a {spec.kind} prompt"
            )
        if not isinstance(generator, NextTokenScorer):
            raise ValueError(
                f"readout: expected needs a generator that exposes next-token probabilities (hf); "
                f"{generator.spec_id} does not; use readout: sampled"
            )
    return PromptedJudge(generator=generator, prompt=spec, samples=samples or spec.samples, seed=seed, readout=readout)

"""A judge that is a language model reading a judge prompt (self or teacher, any registered generator)."""

from __future__ import annotations

from dataclasses import dataclass
from statistics import fmean
from typing import Sequence

from harness.feedback import Judge
from harness.generation import GenerationParams, Generator
from harness.hashing import stable_hash
from harness.registry import judge
from harness.types import Completion, Failure, Judgment, Prompt, Score
from harness.judge_prompts import JudgePrompt, load_judge_prompt


@dataclass
class PromptedJudge:
    generator: Generator
    prompt: JudgePrompt
    samples: int
    seed: int = 0

    @property
    def name(self) -> str:
        return f"prompted:{self.prompt.name}:{self.generator.spec_id}:{stable_hash(self.prompt, self.samples, length=6)}"

    def params(self) -> GenerationParams:
        g = self.prompt.generation
        return GenerationParams(n=self.samples, temperature=g.temperature, top_p=g.top_p,
                                max_new_tokens=g.max_new_tokens, seed=self.seed)

    def score(self, items: Sequence[tuple[Prompt, Completion]]) -> list[Judgment]:
        judge_prompts = [
            Prompt.from_text(f"{p.id}|{c.producer}#{c.sample}", self.prompt.render(p.text, c.text))
            for p, c in items
        ]
        # Remote backends report failed calls in place; local ones cannot fail a call (harness.generation).
        outputs = self.generator.generate_detailed(judge_prompts, self.params())
        return [self._aggregate(p, c, outs) for (p, c), outs in zip(items, outputs, strict=True)]

    def _aggregate(self, prompt: Prompt, completion: Completion, outputs: list[Completion | Failure]) -> Judgment:
        parsed = [o if isinstance(o, Failure) else self.prompt.parser.parse(o.text) for o in outputs]
        scores = [v.value for v in parsed if isinstance(v, Score)]
        raw = "\n---\n".join(o.raw if isinstance(o, Failure) else o.text for o in outputs)
        if not parsed:
            parsed = [Failure(reason="no_output", raw="")]
        # Yuan et al. average the judge's samples; samples that fail to parse are left out of the mean,
        # and a candidate none of whose samples parse is a Failure, never a score.
        verdict = Score(value=fmean(scores), rationale=raw) if scores else next(
            v for v in parsed if isinstance(v, Failure))
        return Judgment(judge=self.name, prompt_id=prompt.id, verdict=verdict, raw=raw,
                        candidates=(f"{completion.producer}#{completion.sample}",))


@judge("prompted")
def prompted(generator: Generator, prompt: str = "sandbox_score", samples: int | None = None,
             seed: int = 0) -> Judge:
    """An LLM judge: `generator` reads the judge prompt folder `prompt` and its output is parsed."""
    spec = load_judge_prompt(prompt)
    return PromptedJudge(generator=generator, prompt=spec, samples=samples or spec.samples, seed=seed)

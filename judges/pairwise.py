"""Pairwise LLM judging in both orders: a verdict that flips with the order is a tie, never a win."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import Field

from harness.generation import GenerationParams, Generator
from harness.generation.next_token import NextTokenScorer
from harness.hashing import seed_from, stable_hash
from harness.judging.contract import JudgeSite
from harness.judging.pair_verdicts import SWAP, combine_orders
from harness.judging.params import JudgeSeed, Readout, readout_reads
from harness.judging.prompt_folders import JudgePrompt, load_judge_prompt
from harness.registry import judge
from harness.types import Completion, Failure, Judgment, Preference, Prompt


@dataclass
class PairwiseJudge:
    generator: Generator
    prompt: JudgePrompt
    both_orders: bool = True
    seed: int = 0
    readout: Literal["sampled", "expected"] = "sampled"

    @property
    def name(self) -> str:
        tag = "" if self.readout == "sampled" else ":expected"  # the sampled read-out keeps its old name
        return f"pairwise:{self.prompt.name}:{self.generator.spec_id}:{stable_hash(self.prompt, length=6)}{tag}"

    def _expected(self, prompts: list[Prompt]) -> list[Preference | Failure]:
        """The verdict letters' next-token probabilities after the answer prefix (the prompt's `target` up to
        `{verdict}`): the likeliest letter wins; prob = p(a) / (p(a) + p(b))."""
        assert isinstance(self.generator, NextTokenScorer)  # checked when the judge was built
        letters = list(self.prompt.parser.labels)
        prefix = self.prompt.target.split("{verdict}")[0] if "{verdict}" in self.prompt.target else ""
        out: list[Preference | Failure] = []
        for probs in self.generator.next_token_probs(prompts, prefix, letters):
            by_label = {self.prompt.parser.labels[k]: q for k, q in zip(letters, probs)}
            if sum(probs) <= 0:
                out.append(Failure(reason="no_verdict_mass"))
                continue
            decisive = by_label.get("a", 0.0) + by_label.get("b", 0.0)
            winner = max(by_label, key=by_label.__getitem__)
            out.append(Preference(winner=winner, prob=by_label.get("a", 0.0) / decisive if decisive else 0.5))
        return out

    def _ask(self, jobs: list[tuple[Prompt, Completion, Completion]]) -> list[Preference | Failure]:
        g = self.prompt.generation
        params = GenerationParams(
            n=1, temperature=g.temperature, top_p=g.top_p, max_new_tokens=g.max_new_tokens, seed=self.seed
        )
        prompts = [
            Prompt.from_text(
                f"{p.id}|{a.ref}|{b.ref}",
                self.prompt.render_pair(p.text, a.text, b.text),
            )
            for p, a, b in jobs
        ]
        if self.readout == "expected":
            return self._expected(prompts)
        outs = self.generator.generate_detailed(prompts, params)
        return [
            o[0]
            if isinstance(o[0], Failure)
            else self.prompt.parser.parse(o[0].text)
            if o
            else Failure(reason="no_output")
            for o in outs
        ]

    def judge_in_order(self, items: Sequence[tuple[Prompt, Completion, Completion]]) -> list[Judgment]:
        """One verdict per (prompt, a, b) asked as given, a shown first ("a" = the first shown won): the raw
        material of position-consistency probes. compare() asks the same questions, so the caches answer it."""
        return [
            Judgment(
                judge=self.name,
                prompt_id=p.id,
                verdict=v,
                candidates=(a.ref, b.ref),
            )
            for (p, a, b), v in zip(items, self._ask(list(items)), strict=True)
        ]

    def compare(self, items: Sequence[tuple[Prompt, Completion, Completion]]) -> list[Judgment]:
        """One Judgment per (prompt, a, b): Preference with winner in {a, b, tie}, or a Failure."""
        if self.both_orders:
            verdicts = self._ask(list(items))
            swapped = self._ask([(p, b, a) for p, a, b in items])
            final = [combine_orders(v, s) for v, s in zip(verdicts, swapped)]
        else:
            # One order, chosen from the item's content so a rerun asks the same question.
            flips = [seed_from(p.id, a.text, b.text) % 2 == 1 for p, a, b in items]
            asked = self._ask([(p, b, a) if f else (p, a, b) for (p, a, b), f in zip(items, flips)])
            final = [
                v if isinstance(v, Failure) or not f else Preference(winner=SWAP[v.winner], prob=1 - v.prob)
                for v, f in zip(asked, flips)
            ]
        return [
            Judgment(
                judge=self.name,
                prompt_id=p.id,
                verdict=v,
                candidates=(a.ref, b.ref),
            )
            for (p, a, b), v in zip(items, final)
        ]


def pairwise_prompt_named(site: JudgeSite) -> None:
    """Validation's check: the judge prompt folder loads and is a pairwise prompt."""
    name = str(site.params.get("prompt", "pairwise_abc"))
    try:
        spec = load_judge_prompt(name)
    except ValueError as exc:
        raise ValueError(f"prompt: {exc}") from None
    if spec.kind != "pairwise":
        raise ValueError(f"prompt: {name!r} is a {spec.kind} prompt; pairwise judging needs kind: pairwise")


@judge("pairwise", on_model=True, seeded=True, check=pairwise_prompt_named, reads=readout_reads)
def pairwise(
    generator: Annotated[
        Generator, Field(description="the model the judge runs on; a recipe sets it with `model: <name in models>`")
    ],
    prompt: Annotated[
        str,
        Field(
            description="a pairwise judge prompt folder in judges/prompts/ (`harness judges` "
            "lists them) or a folder path"
        ),
    ] = "pairwise_abc",
    both_orders: Annotated[
        bool, Field(description="ask twice with the answers swapped; a disagreement is a tie")
    ] = True,
    seed: JudgeSeed = 0,
    readout: Readout = "sampled",
) -> PairwiseJudge:
    """An LLM compares two answers (both orders by default; disagreement is a tie); `readout: expected` reads the
    verdict letters' next-token probabilities instead of sampling (local models)."""
    spec = load_judge_prompt(prompt)
    if spec.kind != "pairwise":
        raise ValueError(f"judge prompt {prompt!r} is a {spec.kind} prompt; pairwise judging needs kind: pairwise")
    if readout not in ("sampled", "expected"):
        raise ValueError(f"readout: {readout!r} is not a judge read-out; use sampled or expected")
    if readout == "expected" and not isinstance(generator, NextTokenScorer):
        raise ValueError(
            f"readout: expected needs a generator that exposes next-token probabilities (hf); "
            f"{generator.spec_id} does not; use readout: sampled"
        )
    return PairwiseJudge(generator=generator, prompt=spec, both_orders=both_orders, seed=seed, readout=readout)

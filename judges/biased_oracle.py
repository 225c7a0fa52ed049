"""A judge with a dialled accuracy whose errors follow a bias: the gold grader, reversed on a declared share of
prompts chosen where a bias disagrees with gold, rather than at random (judges/noisy_oracle.py).

The pair a prompt gives is the oracle's (its gold-best vs gold-worst candidate, judges/selection.py). A bias names
which of those two candidates it prefers:

- `longer`: the longer reply (characters); equal lengths have no preference.
- `first`: the candidate shown first, i.e. sampled first (the lower sample index).
- `own_style`: the candidate most typical of the policy's own output on that prompt, measured as its mean token
  overlap (Jaccard of word sets) with the prompt's other candidates; equal overlaps have no preference.

Of the prompts that give a pair, exactly as many are reversed as the random judge (same rate, same seed) reverses
among them, so the measured pair accuracy equals the random judge's, not only in expectation. The reversed ones
are those where the bias prefers the gold-worse candidate, taken in the order of the content hash the random judge
draws from, so a lower rate reverses a subset of what a higher rate reverses. Where the bias disagrees with gold
on fewer prompts than that, the rest are drawn from the other prompts in hash order, so the accuracy holds and the
bias is diluted (the judge's `shortfall` counts them): equal accuracy, errors placed by the bias.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from harness.hashing import seed_from
from harness.types import Completion, Judgment, Prompt, Score

_UNIT = 2**31  # seed_from returns 31 bits
Bias = Literal["longer", "first", "own_style"]
BIASES: tuple[Bias, ...] = ("longer", "first", "own_style")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.lower().split())


def typicality(candidates: Sequence[Completion]) -> list[float]:
    """Per candidate, its mean Jaccard overlap of word sets with the prompt's other candidates."""
    words = [_words(c.text) for c in candidates]
    out = []
    for i, w in enumerate(words):
        others = [o for j, o in enumerate(words) if j != i]
        out.append(sum(len(w & o) / max(len(w | o), 1) for o in others) / max(len(others), 1))
    return out


def bias_prefers_worse(bias: Bias, candidates: Sequence[Completion], best: int, worst: int) -> bool:
    """Whether `bias` prefers the gold-worse candidate `worst` over the gold-best `best` (ties: no preference)."""
    b, w = candidates[best], candidates[worst]
    if bias == "longer":
        return len(w.text) > len(b.text)
    if bias == "first":
        return w.sample < b.sample
    typical = typicality(candidates)
    return typical[worst] > typical[best]


def gold_pair(scores: Sequence[float]) -> tuple[int, int] | None:
    """Indexes of the oracle's pair (first of equal maxima, first of equal minima); None on a tie."""
    best = max(range(len(scores)), key=lambda i: scores[i])
    worst = min(range(len(scores)), key=lambda i: scores[i])
    return None if scores[best] == scores[worst] else (best, worst)


def reversed_prompts(
    groups: Sequence[tuple[Prompt, Sequence[Completion], Sequence[float]]], bias: Bias, flip_rate: float, seed: int
) -> tuple[set[str], int]:
    """Ids of the prompts to reverse, and how many of them the bias did not supply (drawn from the rest)."""
    disagree: list[tuple[float, str]] = []
    agree: list[tuple[float, str]] = []
    k = 0
    for prompt, cands, scores in groups:
        pair = gold_pair(scores)
        if pair is None:
            continue
        draw = seed_from("noisy-oracle", seed, prompt.messages) / _UNIT
        k += draw < flip_rate  # the random judge's own decision for this prompt
        (disagree if bias_prefers_worse(bias, cands, *pair) else agree).append((draw, prompt.id))
    chosen = [pid for _, pid in sorted(disagree)[:k]]
    shortfall = max(0, k - len(chosen))
    chosen += [pid for _, pid in sorted(agree)[:shortfall]]
    return set(chosen), shortfall


@dataclass
class BiasedOracleJudge:
    """Scores every candidate with the gold grader, negated on the prompts `reversed_prompts` picks. Needs all of
    a source's candidates in one `score` call (as judges/scored_candidates.py makes it)."""

    grade: Callable[[Prompt, str], Any]
    bias: Bias
    flip_rate: float
    seed: int
    name: str = "noisy_oracle"
    shortfall: int = 0

    def score(self, items: Sequence[tuple[Prompt, Completion]]) -> list[Judgment]:
        gold = [float(self.grade(p, c.text)) for p, c in items]
        by_prompt: dict[str, tuple[Prompt, list[Completion], list[float]]] = {}
        for (p, c), g in zip(items, gold, strict=True):
            entry = by_prompt.setdefault(p.id, (p, [], []))
            entry[1].append(c)
            entry[2].append(g)
        flipped, self.shortfall = reversed_prompts(list(by_prompt.values()), self.bias, self.flip_rate, self.seed)
        return [
            Judgment(
                judge=self.name,
                prompt_id=p.id,
                verdict=Score(value=-g if p.id in flipped else g),
                candidates=(c.ref,),
            )
            for (p, c), g in zip(items, gold, strict=True)
        ]

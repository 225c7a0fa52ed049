"""How pair verdicts become the answers the harness uses: two orders combined into one verdict (a verdict that
flips with the order is a tie, never a win), and comparisons within a group turned into per-reply scores
(Copeland: each reply's share of won comparisons). The pairwise judge, the pair-judge feedback sources and judge
evaluation all use these, so every route reads a pair judge the same way."""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

from harness.types import Completion, Failure, Judgment, Preference, Prompt, Score

SWAP = {"a": "b", "b": "a", "tie": "tie"}
WIN = {"a": (1.0, 0.0), "b": (0.0, 1.0), "tie": (0.5, 0.5)}


def combine_orders(first: Preference | Failure, swapped: Preference | Failure) -> Preference | Failure:
    """`swapped` judged (b, a); map it back and agree, or call it a tie. A failure in either order fails."""
    if isinstance(first, Failure):
        return first
    if isinstance(swapped, Failure):
        return swapped
    back = SWAP[swapped.winner]
    if first.winner == back:
        return Preference(winner=first.winner, prob=first.prob, consistent=True)
    return Preference(winner="tie", prob=0.5, consistent=False)


def copeland_scores(
    prompt: Prompt, candidates: Sequence[Completion], verdicts: Sequence[Judgment], judge: str
) -> list[Judgment]:
    """Each candidate's share of won comparisons (ties half) over its non-failed comparisons; `verdicts` are in
    the order of `itertools.combinations`. A candidate with no usable comparison gets a Failure, so it cannot be
    chosen or rejected."""
    won = [0.0] * len(candidates)
    played = [0] * len(candidates)
    for (i, j), v in zip(combinations(range(len(candidates)), 2), verdicts, strict=True):
        if isinstance(v.verdict, Preference):
            wi, wj = WIN[v.verdict.winner]
            won[i] += wi
            won[j] += wj
            played[i] += 1
            played[j] += 1
    return [
        Judgment(
            judge=judge,
            prompt_id=prompt.id,
            candidates=(c.ref,),
            verdict=Score(value=w / n) if n else Failure(reason="no_usable_comparison"),
        )
        for c, w, n in zip(candidates, won, played)
    ]

"""ALMoST's binarisation of one prompt's rubric-ranked responses, with its Heuristic Filter.

Per prompt, over the responses that survived the BAD filters (lengths in characters, as ALMoST):

- mu and sigma are the mean and the *population* standard deviation of their lengths; a response is
  long enough when len >= mu - sigma / 2;
- responses are walked best rank first (stable, so tied responses keep rubric order), over every pair
  (i, j) with i before j; a pair is skipped, in this order (ALMoST's), when
    already_chosen  i was already the chosen side of a kept pair,
    rank_used       another response of i's rank was already chosen,
    too_short       len(i) < len(j) and i is not long enough  (the Heuristic Filter proper),
    equal_rank      i and j share a rank (no preference between them);
  otherwise (i chosen, j rejected) is kept.

The rank_used rule caps a prompt at (#ranks - 1) pairs: each rank is chosen at most once and the lowest
rank never is. `length_rule=False` turns off only the too_short check — the length heuristic the paper
ablates — and keeps the walk, which is how ALMoST turns a ranking into pairs at all.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import fmean, pstdev


@dataclass(frozen=True)
class RankedResponse:
    config: str  # the configuration that produced it
    rank: int  # 0 is the best rank; configurations tied in the rubric share one
    text: str


@dataclass
class Walk:
    pairs: list[tuple[RankedResponse, RankedResponse]]  # (chosen, rejected)
    skipped: Counter[str] = field(default_factory=Counter)  # rule -> candidate pairs it removed


def long_enough(lengths: Sequence[int]) -> list[bool]:
    """len >= mean - population std / 2, for each length; an empty input gives an empty list."""
    if not lengths:
        return []
    floor = fmean(lengths) - pstdev(lengths) / 2
    return [length >= floor for length in lengths]


def select_pairs(responses: Sequence[RankedResponse], length_rule: bool = True) -> Walk:
    """Walk the pairs of `responses` (non-BAD, any order) and keep those no rule skips; see the module doc."""
    ordered = sorted(responses, key=lambda r: r.rank)
    if len({r.config for r in ordered}) != len(ordered):
        raise ValueError("responses: one response per configuration; got a configuration twice")
    long = dict(zip((r.config for r in ordered), long_enough([len(r.text) for r in ordered])))
    walk = Walk(pairs=[])
    chosen: set[str] = set()
    ranks_used: set[int] = set()
    for i, j in itertools.combinations(ordered, 2):
        if i.config in chosen:
            walk.skipped["already_chosen"] += 1
        elif i.rank in ranks_used:
            walk.skipped["rank_used"] += 1
        elif length_rule and len(i.text) < len(j.text) and not long[i.config]:
            walk.skipped["too_short"] += 1
        elif i.rank == j.rank:
            walk.skipped["equal_rank"] += 1
        else:
            walk.pairs.append((i, j))
            chosen.add(i.config)
            ranks_used.add(i.rank)
    return walk

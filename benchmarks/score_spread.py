"""Judging examples spread evenly over a score scale: one helper for every benchmark with a gold grader."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")


def spread_over_scores(
    offers: Iterable[Iterable[T]], n: int, score: Callable[[T], int], levels: int
) -> tuple[list[T], list[int]]:
    """Up to `n` items, as evenly over the scores 0..levels-1 as `n` allows, and the scores left short. Each offer
    is one prompt's tries (consumed lazily, so a seeded generator draws only what is used): the first try whose
    score still has room is taken, so rare scores get filled without skipping prompts wholesale."""
    quota = {s: n // levels + (s < n % levels) for s in range(levels)}
    picked: list[T] = []
    for tries in offers:
        if len(picked) == n:
            break
        for item in tries:
            if quota[score(item)]:
                quota[score(item)] -= 1
                picked.append(item)
                break
    return picked, [s for s, left in quota.items() if left]

"""CS: synthetic comparisons from a descending rubric of configurations.

The rubric lists configuration names best first; a nested list is a tie (`[[a, b], c]`: a and b share
rank 0, c has rank 1). Per prompt, BAD responses are set aside, the rest go through the Heuristic Filter
walk (heuristic_filter.py), and each kept (higher rank, lower rank) pair becomes a PreferencePair whose
provenance names both configurations.

What `compare` counts, by unit (so each family adds up on its own):
- `bad_response:<rule>`      responses removed by a BAD rule (first rule that fired);
- `pairing:<rule>` and `heuristic:too_short`
                             candidate pairs skipped by the walk: for m usable responses, the m(m-1)/2
                             candidate pairs are the kept pairs plus these;
- `no_pair`                  prompts that gave no pair at all.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence

from harness.types import PreferencePair, Prompt, assistant
from judges.almost.heuristic_filter import RankedResponse, select_pairs
from judges.almost.response_generation import Response

Rubric = list[str | list[str]]
SKIP_KEYS = {
    "already_chosen": "pairing:already_chosen",
    "rank_used": "pairing:rank_used",
    "equal_rank": "pairing:equal_rank",
    "too_short": "heuristic:too_short",
}


def rubric_ranks(rubric: Rubric, configurations: Collection[str]) -> dict[str, int]:
    """configuration -> rank (0 best). Every configuration appears exactly once; at least two ranks."""
    ranks: dict[str, int] = {}
    for rank, entry in enumerate(rubric):
        for name in [entry] if isinstance(entry, str) else entry:
            if name not in configurations:
                raise ValueError(
                    f"rubric: {name!r} is not a configuration; use names from configurations "
                    f"({', '.join(configurations)})"
                )
            if name in ranks:
                raise ValueError(f"rubric: {name!r} is listed twice; give each configuration one place")
            ranks[name] = rank
    missing = [name for name in configurations if name not in ranks]
    if missing:
        raise ValueError(f"rubric: configurations {missing} are not ranked; add them to the rubric or remove them")
    if len(set(ranks.values())) < 2:
        raise ValueError("rubric: needs at least two ranks to make a pair, e.g. [better, worse]")
    return ranks


def compare(
    prompt: Prompt, responses: Sequence[Response], ranks: dict[str, int], source: str, length_rule: bool = True
) -> tuple[list[PreferencePair], Counter[str]]:
    """One prompt's pairs (best rank first) and what was removed on the way; see the module doc for units.

    `ranks` lists configurations in rubric order (as `rubric_ranks` returns them): tied ones are walked in it.
    """
    dropped: Counter[str] = Counter(f"bad_response:{r.bad}" for r in responses if r.bad is not None)
    position = {name: i for i, name in enumerate(ranks)}
    usable = {r.config: r for r in sorted(responses, key=lambda r: position[r.config]) if r.bad is None}
    walk = select_pairs([RankedResponse(name, ranks[name], r.text) for name, r in usable.items()], length_rule)
    dropped.update({SKIP_KEYS[rule]: n for rule, n in walk.skipped.items()})
    pairs = [
        PreferencePair(
            prompt_id=prompt.id,
            prompt=prompt.messages,
            chosen=assistant(chosen.text),
            rejected=assistant(rejected.text),
            source=source,
            chosen_by=f"{chosen.config}={usable[chosen.config].producer}",
            rejected_by=f"{rejected.config}={usable[rejected.config].producer}",
            judge=f"rubric:{chosen.config}>{rejected.config}",
        )
        for chosen, rejected in walk.pairs
    ]
    if not pairs:
        dropped["no_pair"] += 1
    return pairs, dropped

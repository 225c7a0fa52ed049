"""Every judge as a candidate scorer with a declared price, so an online step treats all judges alike.

An online step asks "score these k candidates of each prompt" and must know, before asking, how many judge calls
that spends (a judge budget stops sampling at its declared number of calls). A pointwise judge answers with one
call per candidate (`PointwiseScores`). A pair judge enters through `PairShares`: it compares every pair of a
prompt's candidates and a candidate's score is its share of wins (a tie is half a win, a failed comparison counts
for neither side), one call per comparison. A source says which adapter its judge takes
(`FeedbackSource.online_judge`); nothing is probed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Protocol

from harness.types import Completion, Failure, Judgment, Preference, Prompt, Score

_WINS = {"a": (1.0, 0.0), "b": (0.0, 1.0), "tie": (0.5, 0.5)}


class ScoresItems(Protocol):
    name: str

    def score(self, items: Sequence[tuple[Prompt, Completion]]) -> list[Judgment]: ...


class ComparesPairs(Protocol):
    name: str

    def compare(self, items: Sequence[tuple[Prompt, Completion, Completion]]) -> list[Judgment]: ...


class CandidateScorer(Protocol):
    """One Judgment (a Score or a Failure) per candidate of each prompt, and what that costs in judge calls."""

    name: str

    def score_groups(self, groups: Sequence[tuple[Prompt, Sequence[Completion]]]) -> list[list[Judgment]]: ...

    def calls(self, candidates_per_prompt: Sequence[int]) -> int: ...


@dataclass
class PointwiseScores:
    judge: ScoresItems

    @property
    def name(self) -> str:
        return self.judge.name

    def calls(self, candidates_per_prompt: Sequence[int]) -> int:
        return sum(candidates_per_prompt)

    def score_groups(self, groups: Sequence[tuple[Prompt, Sequence[Completion]]]) -> list[list[Judgment]]:
        judged = self.judge.score([(p, c) for p, cs in groups for c in cs])
        out, cursor = [], 0
        for _, cs in groups:
            out.append(judged[cursor : cursor + len(cs)])
            cursor += len(cs)
        return out


@dataclass
class PairShares:
    judge: ComparesPairs

    @property
    def name(self) -> str:
        return self.judge.name

    def calls(self, candidates_per_prompt: Sequence[int]) -> int:
        return sum(k * (k - 1) // 2 for k in candidates_per_prompt)

    def score_groups(self, groups: Sequence[tuple[Prompt, Sequence[Completion]]]) -> list[list[Judgment]]:
        jobs = [(p, cs[i], cs[j]) for p, cs in groups for i, j in combinations(range(len(cs)), 2)]
        verdicts = self.judge.compare(jobs)
        out, cursor = [], 0
        for prompt, cs in groups:
            n = len(cs) * (len(cs) - 1) // 2
            out.append(win_shares(prompt, cs, verdicts[cursor : cursor + n], self.name))
            cursor += n
        return out


def win_shares(
    prompt: Prompt, candidates: Sequence[Completion], verdicts: Sequence[Judgment], judge: str
) -> list[Judgment]:
    """Each candidate's share of its usable comparisons won (ties half); a Failure where it has none, so a
    candidate nobody could compare is never chosen or rejected. `verdicts` follow `itertools.combinations` order."""
    won = [0.0] * len(candidates)
    played = [0] * len(candidates)
    for (i, j), v in zip(combinations(range(len(candidates)), 2), verdicts, strict=True):
        if isinstance(v.verdict, Preference):
            wi, wj = _WINS[v.verdict.winner]
            won[i], won[j] = won[i] + wi, won[j] + wj
            played[i], played[j] = played[i] + 1, played[j] + 1
    return [
        Judgment(
            judge=judge,
            prompt_id=prompt.id,
            candidates=(f"{c.producer}#{c.sample}",),
            verdict=Score(value=w / n) if n else Failure(reason="no_usable_comparison"),
        )
        for c, w, n in zip(candidates, won, played, strict=True)
    ]

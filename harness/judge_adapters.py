"""Every judge as a candidate scorer with a declared price, so an online step treats all judges alike.

An online step asks "score these k candidates of each prompt" and must know, before asking, how many judge calls
that spends (a judge budget stops sampling at its declared number of calls). A pointwise judge answers with one
call per candidate (`PointwiseScores`). A pair judge enters through `PairShares`: it compares every pair of a
prompt's candidates and a candidate's score is its share of wins (`harness.pair_verdicts.copeland_scores`: a tie
is half a win, a failed comparison counts for neither side), one call per comparison. A source says which adapter
its judge takes (`FeedbackSource.online_judge`); nothing is probed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Protocol

from harness.judge_contract import PairJudge, PointwiseJudge
from harness.pair_verdicts import copeland_scores
from harness.types import Completion, Judgment, Prompt


class CandidateScorer(Protocol):
    """One Judgment (a Score or a Failure) per candidate of each prompt, and what that costs in judge calls."""

    @property
    def name(self) -> str: ...

    def score_groups(self, groups: Sequence[tuple[Prompt, Sequence[Completion]]]) -> list[list[Judgment]]: ...

    def calls(self, candidates_per_prompt: Sequence[int]) -> int: ...


@dataclass
class PointwiseScores:
    judge: PointwiseJudge

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
    judge: PairJudge

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
            out.append(copeland_scores(prompt, cs, verdicts[cursor : cursor + n], self.name))
            cursor += n
        return out

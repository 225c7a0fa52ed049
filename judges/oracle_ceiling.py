"""The upper bound: the same candidates and pair selection as self_reward, judged by the gold oracle."""

from __future__ import annotations

from pydantic import validate_call

from harness.feedback import FeedbackSource
from harness.registry import judges, source
from judges.oracle import NEEDS_GOLD
from judges.scored_candidates import ScoredCandidatesSource


@source("oracle")
@validate_call(config={"extra": "forbid"})
def oracle_ceiling() -> FeedbackSource:
    """Policy candidates judged by the benchmark's gold grader: the ceiling for any AI judge."""
    return ScoredCandidatesSource(
        name="oracle", make_judge=lambda ctx: judges.pointwise("oracle", benchmark=ctx.benchmark), needs=(NEEDS_GOLD,)
    )

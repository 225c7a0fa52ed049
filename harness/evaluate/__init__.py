"""Evaluation math: win rates, length control, paired comparisons, ranking metrics, judge agreement, RM accuracy.

Importing the package registers every metric in `harness.registry.metrics` (the registry imports it lazily).
All functions are pure and take plain sequences; each returns a typed result (`Estimate` or richer).
"""

from harness.evaluate import agreement, estimates, lc, paired, ranking, winrate
from harness.evaluate.agreement import (
    PositionConsistency,
    SelfPreference,
    judge_agreement,
    longer_preference,
    position_consistency,
    self_preference,
    verdict_from_preference,
)
from harness.evaluate.estimates import Estimate, mean_se, ratio_se
from harness.evaluate.lc import (
    HeadToHead,
    LengthControlledResult,
    instruction_difficulty,
    length_controlled_win_rate,
    length_controlled_win_rates,
)
from harness.evaluate.paired import PairedDiff, paired_bootstrap, paired_differences
from harness.evaluate.ranking import VARIANTS, AlignedScores, pair_by_prompt_id, ranking_metrics
from harness.evaluate.rm_accuracy import RMAccuracy, rm_accuracy, section_scores
from harness.evaluate.winrate import WinRateResult, win_rate

__all__ = [
    "VARIANTS",
    "AlignedScores",
    "Estimate",
    "HeadToHead",
    "LengthControlledResult",
    "PairedDiff",
    "PositionConsistency",
    "RMAccuracy",
    "SelfPreference",
    "WinRateResult",
    "agreement",
    "estimates",
    "instruction_difficulty",
    "judge_agreement",
    "lc",
    "length_controlled_win_rate",
    "length_controlled_win_rates",
    "longer_preference",
    "mean_se",
    "pair_by_prompt_id",
    "paired",
    "paired_bootstrap",
    "paired_differences",
    "position_consistency",
    "ranking",
    "ranking_metrics",
    "ratio_se",
    "rm_accuracy",
    "section_scores",
    "self_preference",
    "verdict_from_preference",
    "win_rate",
    "winrate",
]

"""Numbers over seeds: a row's mean, its across-seed standard deviation and a paired CI pooled over seeds.

The pooled estimate of a model's gain over the baseline is the mean over seeds of each seed's paired mean
difference (per-prompt score of the model minus the baseline's, on the same prompts). Its CI is a stratified
paired bootstrap: each replicate resamples prompts with replacement *within each seed's run* and averages the seeds'
resampled means; the interval is the percentile interval of those replicates. It states how precisely the
evaluation measured the seed-average; it treats the seeds run as given, so it does not widen with seed-to-seed
spread. That spread is reported beside it as the across-seed standard deviation of the per-seed gains, never folded
into one number.

Stratum k uses the same generator seed for every row, so rows evaluated on the same prompts are resampled with
the same prompts in every replicate: replicates of different rows (levels of a dial) are paired with each other.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from statistics import fmean, stdev

import numpy as np

from harness.evaluate.paired import bootstrap_means, paired_scores
from harness.hashing import seed_from


@dataclass(frozen=True)
class PooledDiff:
    mean: float
    sd: float | None  # across-seed SD of the per-seed mean differences; None with one seed
    ci_low: float
    ci_high: float
    n_seeds: int
    per_seed: tuple[float, ...]
    n_prompts: tuple[int, ...]
    replicates: np.ndarray = field(repr=False, compare=False)

    @property
    def significant(self) -> bool:
        return self.ci_low > 0.0 or self.ci_high < 0.0


def mean_sd(values: Sequence[float | None]) -> tuple[float | None, float | None, int]:
    """Mean and sample SD (n − 1) of the values present; SD None with fewer than two."""
    present = [float(v) for v in values if v is not None and not math.isnan(v)]
    if not present:
        return None, None, 0
    return fmean(present), (stdev(present) if len(present) > 1 else None), len(present)


def pooled_paired_diff(
    per_seed: Sequence[tuple[Sequence[float | None], Sequence[float | None]]],
    n_boot: int = 2000,
    seed: int = 0,
    level: float = 0.95,
) -> PooledDiff:
    """`per_seed[k]` = (model's per-prompt scores, baseline's per-prompt scores) in seed k's run (None: missing)."""
    if not per_seed:
        raise ValueError("pooled_paired_diff: no seeds given; pass one (model, baseline) score pair per seed")
    diffs = []
    for model, baseline in per_seed:
        a, b = paired_scores(model, baseline)
        if a.size == 0:
            raise ValueError("pooled_paired_diff: a seed has no prompt scored for both model and baseline")
        diffs.append(a - b)
    replicates = np.mean(
        [bootstrap_means(d, n_boot, seed_from("sweep-pooled", seed, k)) for k, d in enumerate(diffs)], axis=0
    )
    tail = (1.0 - level) / 2.0
    low, high = (float(q) for q in np.quantile(replicates, [tail, 1.0 - tail]))
    means = tuple(float(d.mean()) for d in diffs)
    return PooledDiff(
        mean=fmean(means),
        sd=stdev(means) if len(means) > 1 else None,
        ci_low=low,
        ci_high=high,
        n_seeds=len(means),
        per_seed=means,
        n_prompts=tuple(int(d.size) for d in diffs),
        replicates=replicates,
    )


__all__ = ["PooledDiff", "mean_sd", "pooled_paired_diff"]

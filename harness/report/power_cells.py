"""The power column of the run and sweep leaderboards: its cell text and the legend that says what it means.

A cell shows the minimum detectable effect (MDE) of a row's comparison with the baseline; for a difference that is
not significant it adds the prompts (or seeds) that would detect a true difference of the observed size.
"""

from __future__ import annotations

import math

from harness.evaluate.power import SeededPower
from harness.run.record_schema import MetricsRow

RUN_HEADER = "MDE (80% power) · prompts for Δ"
SWEEP_HEADER = "MDE: pooled CI / over seeds · counts for Δ"
RUN_LEGEND = (
    "MDE: minimum detectable effect, the smallest true difference from the baseline this design detects with 80% "
    "power at two-sided α = 0.05: 2.80 × SD of the per-prompt differences / √prompts (the normal approximation of "
    "the paired test; judged rows: of the win rate against 50, in points). Where the difference is not "
    "significant, the cell adds how many prompts (at the same samples per prompt) would detect a true difference "
    "of the observed size."
)
SWEEP_LEGEND = (
    "MDE (80% power, two-sided α = 0.05), two numbers. Pooled CI: 2.80 × √(Σ s²ⱼ/nⱼ) / k, the precision of the "
    "pooled CI with the k seeds taken as given (sⱼ the SD of seed j's per-prompt differences over nⱼ prompts). "
    "Over seeds: the smallest difference a one-sample t-test on the k per-seed differences (k − 1 df, exact "
    "noncentral t) detects, from the seed mean's variance σ²_w/(n·k) + σ²_seed/k, with σ²_w the per-prompt "
    "variance of the differences (mean over seeds) and σ²_seed the seed-to-seed variance (method of moments). "
    "Where Δ is not significant, or smaller than the over-seeds MDE, the cell adds the prompts per seed at k "
    "seeds, and the seeds at the prompts run, that the t-test over seeds needs to detect a true difference of the "
    "observed size (— : none suffices)."
)


def _count(n: int | None) -> str:
    return "—" if n is None else f"{n:,}"


def run_cell(row: MetricsRow, baseline: str) -> str:
    """The power cell of a run leaderboard row, from the row's `power` record (— for the baseline or a record
    written before rows had one)."""
    power = row.power
    # NaN (fewer than two prompts) is stored as null
    if row.model == baseline or not power or power.mde is None or not math.isfinite(power.mde):
        return "—"
    text = f"{power.mde:.2f}"
    needed = power.prompts_needed
    # Judged rows carry no significance flag: there the count shows when the design is too small for the Δ seen.
    unresolved = not row.significant if row.has("significant") else needed is not None and needed > power.n_prompts
    if unresolved and needed is not None:
        text += f" · Δ needs {_count(needed)} prompts"
    return text


def sweep_cell(power: SeededPower | None, significant: bool) -> str:
    """The power cell of a sweep row."""
    if power is None:
        return "—"
    over_seeds = "—" if power.mde is None else f"{power.mde:.2f}"
    text = f"{power.mde_prompts:.2f} / {over_seeds}"
    # A pooled CI that excludes 0 holds for the seeds run; a Δ below the over-seeds MDE may not hold for new ones.
    beyond_seeds = power.mde is not None and abs(power.observed) >= power.mde
    if power.observed == 0 or (significant and (beyond_seeds or power.n_seeds == 1)):
        return text
    if power.n_seeds == 1:
        return text + f" · Δ needs {_count(power.prompts_needed)} prompts"
    return (
        text + f" · Δ needs {_count(power.prompts_needed)} prompts × {power.n_seeds} seeds, "
        f"or {_count(power.seeds_needed)} seeds × {power.n_prompts:.0f} prompts"
    )

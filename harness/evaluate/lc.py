"""Length-controlled (LC) win rate on any prompt set, offline.

The model is AlpacaEval's length-controlled GLM (Dubois et al. 2024, "Length-Controlled AlpacaEval"):

    P(model beats baseline on prompt x) = σ(θ + φ·tanh(Δ_x / s) + ψ·γ_x)

    Δ_x  = len(baseline output) − len(model output), in characters (alpaca_eval's sign and unit)
    s    = standard deviation of Δ over the model's prompts
    γ_x  = difficulty of prompt x (shared by all models), ψ its weight for this model
    θ    = the model's strength at equal length

    LC win rate = 100 · mean_x σ(θ + ψ·γ_x), the win rate predicted had every output had the baseline's length.

Targets are soft: preference − 1 is the probability the model won (a weighted judge) and the fit maximises
that soft log-likelihood.

What alpaca_eval does that cannot carry over, and what we do instead:
- It reads γ from a table fitted once on its own 805 instructions and downloaded from the hub at run time.
  Here γ is estimated from the annotations at hand (`instruction_difficulty`): when several models are judged
  against the same baseline on the same prompts, one joint fit
      logit P = θ_m + φ_m·tanh(Δ_{m,x} / s_m) + γ_x
  gives γ. A weak ridge λ·Σγ² (a N(0, 1/(2λ)) prior) keeps γ finite for prompts every model loses outright.
  Each model's own fit then weighs γ by ψ_m, as alpaca_eval weighs its table. Head-to-heads whose every
  verdict is an exact draw (the baseline against itself) say nothing about difficulty and are left out.
- With a single model γ cannot be told apart from noise, so the instruction term is dropped (alpaca_eval's
  "length_controlled_minimal" GLM). Expect larger gaps for models much shorter or longer than the baseline,
  whose length effect is then extrapolated further.
- It also regularises towards "gamed" baselines (the baseline prompted to be verbose or concise), downloaded
  too; we have no such annotations, so φ is fitted from the model's own length spread.
- It fits with an L1-penalised, cross-validated sklearn logistic regression; we use plain maximum likelihood
  (L-BFGS) with a negligible ridge that only keeps separable data finite.

`standard_error` is alpaca_eval's `lc_standard_error`: 100 · sem of the predicted per-prompt probabilities.
It describes the spread over prompts, not the estimation error of the fit.

Validation (tests/evaluate/test_lc.py): on AlpacaEval 2.0's published annotations for 11 models, difficulty
fitted from those annotations only, the LC values track the published `length_controlled_winrate` column;
the test prints the gap per model.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Annotated

import numpy as np
from pydantic import Field

from harness.evaluate.estimates import Estimate, check_same_length, mean_se
from harness.evaluate.winrate import DRAW, checked_preferences, win_rate
from harness.registry import metric

DEFAULT_DIFFICULTY_RIDGE = 0.01
# Keeps a fit on separable data (a model that loses every prompt) finite without moving any other fit.
_STABILISING_RIDGE = 1e-6


@dataclass(frozen=True)
class HeadToHead:
    """One model judged against a baseline: per prompt, the preference (alpaca_eval convention, None =
    failure) and both outputs' lengths in characters."""

    prompt_ids: tuple[str, ...]
    preferences: tuple[float | None, ...]
    model_lengths: tuple[int, ...]
    baseline_lengths: tuple[int, ...]

    def __post_init__(self) -> None:
        for field in ("preferences", "model_lengths", "baseline_lengths"):
            check_same_length("prompt_ids", self.prompt_ids, field, getattr(self, field))
        if len(set(self.prompt_ids)) != len(self.prompt_ids):
            raise ValueError("prompt_ids has duplicates; give each judged prompt one row")

    def observed(self) -> tuple[list[str], np.ndarray, np.ndarray]:
        """(prompt ids, target probabilities preference − 1, Δ = baseline − model length) where judged."""
        prefs = checked_preferences(self.preferences)
        judged = ~np.isnan(prefs)
        deltas = np.asarray(self.baseline_lengths, dtype=float) - np.asarray(self.model_lengths, dtype=float)
        ids = [pid for pid, keep in zip(self.prompt_ids, judged) if keep]
        return ids, prefs[judged] - 1.0, deltas[judged]


@dataclass(frozen=True)
class LengthControlledResult:
    lc_win_rate: float
    standard_error: float | None
    win_rate: float
    theta: float
    phi: float
    psi: float | None  # None where no instruction difficulty was used
    n: int

    @property
    def estimate(self) -> Estimate:
        return Estimate(self.lc_win_rate, self.standard_error, self.n)


def _length_feature(deltas: np.ndarray) -> np.ndarray:
    scale = deltas.std(ddof=1) if deltas.size > 1 else 0.0
    return np.tanh(deltas / scale) if scale > 0 else np.zeros_like(deltas)


def _soft_logloss(z: np.ndarray, target: np.ndarray) -> tuple[float, np.ndarray]:
    """Σ soft-label logistic loss and its derivative in z."""
    from scipy.special import expit

    loss = float((target * np.logaddexp(0.0, -z) + (1.0 - target) * np.logaddexp(0.0, z)).sum())
    return loss, expit(z) - target


def _minimise(objective: Callable[[np.ndarray], tuple[float, np.ndarray]], start: np.ndarray) -> np.ndarray:
    from scipy.optimize import minimize

    # tight tolerances: γ of prompts every model loses has little curvature and converges slowly
    options = {"maxiter": 10_000, "ftol": 1e-13, "gtol": 1e-9}
    result = minimize(objective, start, jac=True, method="L-BFGS-B", options=options)
    # L-BFGS may stop on a line-search precision warning at the optimum; only a large gradient means failure
    if not result.success and np.abs(result.jac).max() > 1e-3 * max(1.0, abs(result.fun)):
        raise RuntimeError(f"length-control fit did not converge: {result.message}")
    return result.x


def _informative(head_to_heads: Sequence[HeadToHead]) -> list[tuple[list[str], np.ndarray, np.ndarray]]:
    """Observed rows of the head-to-heads with at least one verdict that is not an exact draw."""
    observed = [h.observed() for h in head_to_heads]
    return [(ids, y, d) for ids, y, d in observed if ids and np.any(y != DRAW - 1.0)]


def instruction_difficulty(
    head_to_heads: Sequence[HeadToHead], ridge: float = DEFAULT_DIFFICULTY_RIDGE
) -> dict[str, float]:
    """γ per prompt id from a joint fit over models judged against the same baseline (module docstring)."""
    if ridge <= 0:
        raise ValueError(f"ridge = {ridge}; use a positive prior strength (default {DEFAULT_DIFFICULTY_RIDGE})")
    informative = _informative(head_to_heads)
    if len(informative) < 2:
        raise ValueError(
            f"head_to_heads has {len(informative)} model(s) with decisive verdicts; difficulty needs "
            "two or more (with one, call length_controlled_win_rate without difficulty)"
        )
    all_ids = dict.fromkeys(pid for ids, _, _ in informative for pid in ids)
    prompt_index = {pid: i for i, pid in enumerate(all_ids)}
    model = np.concatenate([np.full(len(ids), k) for k, (ids, _, _) in enumerate(informative)])
    prompt = np.concatenate([[prompt_index[pid] for pid in ids] for ids, _, _ in informative]).astype(int)
    target = np.concatenate([y for _, y, _ in informative])
    length = np.concatenate([_length_feature(d) for _, _, d in informative])
    n_models, n_prompts = len(informative), len(prompt_index)

    def objective(params: np.ndarray) -> tuple[float, np.ndarray]:
        theta, phi, gamma = np.split(params, [n_models, 2 * n_models])
        loss, dz = _soft_logloss(theta[model] + phi[model] * length + gamma[prompt], target)
        grad = np.concatenate(
            [
                np.bincount(model, dz, n_models),
                np.bincount(model, dz * length, n_models),
                np.bincount(prompt, dz, n_prompts) + 2.0 * ridge * gamma,
            ]
        )
        return loss + ridge * float(gamma @ gamma), grad

    gamma = _minimise(objective, np.zeros(2 * n_models + n_prompts))[2 * n_models :]
    return {pid: float(gamma[i]) for pid, i in prompt_index.items()}


def length_controlled_win_rate(
    head_to_head: HeadToHead, difficulty: Mapping[str, float] | None = None
) -> LengthControlledResult:
    """LC win rate (percent) of one model; `difficulty` from `instruction_difficulty`, None to drop that term."""
    from scipy.special import expit

    ids, target, deltas = head_to_head.observed()
    raw = win_rate(head_to_head.preferences).win_rate
    if not ids:
        return LengthControlledResult(math.nan, None, raw, math.nan, math.nan, None, 0)
    columns = [np.ones(len(ids)), _length_feature(deltas)]
    if difficulty is not None:
        missing = [pid for pid in ids if pid not in difficulty]
        if missing:
            raise ValueError(
                f"difficulty has no value for {len(missing)} prompts (e.g. {missing[0]!r}); "
                "fit it on head-to-heads that include these prompts"
            )
        columns.append(np.asarray([difficulty[pid] for pid in ids]))
    design = np.column_stack(columns)

    def objective(coef: np.ndarray) -> tuple[float, np.ndarray]:
        loss, dz = _soft_logloss(design @ coef, target)
        return loss + _STABILISING_RIDGE * float(coef @ coef), design.T @ dz + 2.0 * _STABILISING_RIDGE * coef

    coef = _minimise(objective, np.zeros(design.shape[1]))
    at_equal_length = design.copy()
    at_equal_length[:, 1] = 0.0
    predicted = mean_se(expit(at_equal_length @ coef)).scaled(100.0)
    return LengthControlledResult(
        lc_win_rate=predicted.value,
        standard_error=predicted.stderr,
        win_rate=raw,
        theta=float(coef[0]),
        phi=float(coef[1]),
        psi=float(coef[2]) if difficulty is not None else None,
        n=len(ids),
    )


def length_controlled_win_rates(
    head_to_heads: Mapping[str, HeadToHead], ridge: float = DEFAULT_DIFFICULTY_RIDGE
) -> dict[str, LengthControlledResult]:
    """LC win rate of every model; prompt difficulty is fitted jointly when two or more models (not counting
    the baseline against itself) are given, and dropped otherwise."""
    models = list(head_to_heads.values())
    difficulty = instruction_difficulty(models, ridge) if len(_informative(models)) > 1 else None
    return {name: length_controlled_win_rate(h2h, difficulty) for name, h2h in head_to_heads.items()}


def _lc_estimate(head_to_head: HeadToHead, difficulty: Mapping[str, float] | None) -> Estimate:
    return length_controlled_win_rate(head_to_head, difficulty).estimate


@metric("lc_win_rate")
def lc_win_rate_metric(
    difficulty: Annotated[
        Mapping[str, float] | None,
        Field(
            description="prompt id -> difficulty (the GLM's γ, e.g. from instruction_difficulty over "
            "several models); null = no difficulty term"
        ),
    ] = None,
) -> Callable[[HeadToHead], Estimate]:
    """Length-controlled win rate (%) from AlpacaEval's GLM, fitted offline on any prompt set."""
    return partial(_lc_estimate, difficulty=difficulty)

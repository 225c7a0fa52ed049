"""Length-controlled win rate: offline GLM validated against AlpacaEval 2.0's published LC values."""

from __future__ import annotations

import numpy as np
import pytest

from harness.evaluate import (
    HeadToHead,
    instruction_difficulty,
    length_controlled_win_rate,
    length_controlled_win_rates,
)
from harness.registry import metrics

BASELINE = "gpt4_1106_preview"
# Largest |ours − published| seen on the 11 shipped models is 3.1 points (NullModel, an adversarial entry);
# the bound leaves a little room for optimiser differences across platforms.
MAX_GAP_POINTS = 3.5


def head_to_head(annotations: list[dict]) -> HeadToHead:
    return HeadToHead(
        prompt_ids=tuple(a["instruction"] for a in annotations),
        preferences=tuple(a["preference"] for a in annotations),
        model_lengths=tuple(a["output_2_chars"] for a in annotations),
        baseline_lengths=tuple(a["output_1_chars"] for a in annotations),
    )


def test_lc_tracks_published_alpaca_eval_values(ae2_annotations, ae2_leaderboard):
    results = length_controlled_win_rates({m: head_to_head(a) for m, a in ae2_annotations.items()})
    rows = []
    for model, result in results.items():
        published_lc = float(ae2_leaderboard[model]["length_controlled_winrate"])
        published_raw = float(ae2_leaderboard[model]["win_rate"])
        rows.append((model, published_raw, published_lc, result.lc_win_rate))
    print(f"\n{'model':20s} {'raw':>7s} {'LC pub':>7s} {'LC ours':>7s} {'gap':>6s}")
    for model, raw, published_lc, ours in sorted(rows, key=lambda r: -r[2]):
        print(f"{model:20s} {raw:7.2f} {published_lc:7.2f} {ours:7.2f} {ours - published_lc:+6.2f}")

    models, raw, published, ours = (np.array(column) for column in zip(*rows))
    gaps = ours - published
    assert results[BASELINE].lc_win_rate == pytest.approx(50.0, abs=1e-9)
    assert np.abs(gaps).max() < MAX_GAP_POINTS, dict(zip(models, gaps.round(2)))
    # length control moves every model the way the published values do (all are shorter-judged than GPT-4-turbo)
    moved = models != BASELINE
    assert np.all(np.sign(ours - raw)[moved] == np.sign(published - raw)[moved])
    # and lands far closer to the published LC than the raw win rate does
    assert np.abs(gaps).mean() < np.abs(raw - published).mean() / 3
    from scipy.stats import spearmanr

    assert spearmanr(ours, published).statistic > 0.95


def test_without_difficulty_the_fit_is_alpaca_evals_minimal_glm(ae2_annotations):
    """One model alone cannot separate prompt difficulty from noise; the instruction term is dropped."""
    claude = head_to_head(ae2_annotations["claude-2.1"])
    alone = length_controlled_win_rates({"claude-2.1": claude})["claude-2.1"]
    assert alone.psi is None
    assert alone.lc_win_rate == pytest.approx(length_controlled_win_rate(claude).lc_win_rate)
    assert alone.phi < 0  # a shorter model (Δ = baseline − model > 0) is judged worse than at equal length
    assert alone.lc_win_rate > alone.win_rate


def _synthetic(rng: np.random.Generator, theta: float, phi: float, n: int = 4000) -> HeadToHead:
    baseline = rng.integers(200, 2000, n)
    model = np.clip(baseline + rng.normal(-300, 500, n), 1, None).astype(int)
    delta = baseline - model
    p_win = 1 / (1 + np.exp(-(theta + phi * np.tanh(delta / delta.std(ddof=1)))))
    return HeadToHead(
        prompt_ids=tuple(f"p{i}" for i in range(n)),
        preferences=tuple(1.0 + p_win),  # a soft judge that reports the true probability
        model_lengths=tuple(model),
        baseline_lengths=tuple(baseline),
    )


def test_recovers_known_glm_parameters():
    rng = np.random.default_rng(7)
    result = length_controlled_win_rate(_synthetic(rng, theta=-0.4, phi=-1.2))
    assert result.theta == pytest.approx(-0.4, abs=1e-3)
    assert result.phi == pytest.approx(-1.2, abs=1e-3)
    assert result.lc_win_rate == pytest.approx(100 / (1 + np.exp(0.4)), abs=1e-3)


def test_difficulty_needs_two_informative_models():
    rng = np.random.default_rng(0)
    model = _synthetic(rng, theta=0.3, phi=-0.5, n=50)
    itself = HeadToHead(model.prompt_ids, (1.5,) * 50, model.baseline_lengths, model.baseline_lengths)
    with pytest.raises(ValueError, match="two or more"):
        instruction_difficulty([model, itself])
    assert length_controlled_win_rates({"m": model, "baseline": itself})["baseline"].lc_win_rate == 50.0


def test_missing_difficulty_names_the_prompt():
    rng = np.random.default_rng(1)
    model = _synthetic(rng, theta=0.0, phi=-1.0, n=20)
    with pytest.raises(ValueError, match=r"difficulty has no value for 1 prompts \(e.g. 'p19'\)"):
        length_controlled_win_rate(model, {f"p{i}": 0.0 for i in range(19)})


def test_registered_lc_metric():
    rng = np.random.default_rng(2)
    model = _synthetic(rng, theta=0.2, phi=-1.0, n=500)
    estimate = metrics.build("lc_win_rate")(model)
    assert estimate.value == pytest.approx(length_controlled_win_rate(model).lc_win_rate)
    assert estimate.n == 500

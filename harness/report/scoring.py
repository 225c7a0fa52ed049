"""From per-prompt oracle scores to leaderboard rows: score ± SE, win rate vs the baseline, paired CI.

Scores are per (prompt, sample); a model's per-prompt score is the mean over its samples, so the
standard error and the paired bootstrap both resample prompts, the unit the claim is about.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from statistics import fmean
from typing import Any

from harness.evaluate import mean_se, paired_bootstrap, win_rate
from harness.evaluate.paired import paired_scores
from harness.evaluate.power import WIN_RATE_TEST, paired_power
from harness.run import names
from harness.run.record_schema import EvaluationJudge, FeedbackMetrics, MetricsRow, Premise, SourceStats
from harness.types import PreferencePair, Prompt

Scores = Mapping[str, Sequence[float | None]]  # prompt id -> oracle score of sample k (None: the sample failed)


def per_prompt(scores: Scores, ids: Sequence[str]) -> list[float | None]:
    """Mean over a prompt's scored samples; None for a prompt none of whose samples succeeded."""
    means = []
    for i in ids:
        present = [v for v in scores[i] if v is not None]
        means.append(fmean(present) if present else None)
    return means


def _pairs(a: Sequence[float | None], b: Sequence[float | None]) -> list[tuple[float, float]]:
    return [(x, y) for x, y in zip(a, b, strict=True) if x is not None and y is not None]


def preferences(model: Scores, baseline: Scores, ids: Sequence[str]) -> list[float | None]:
    """alpaca_eval convention per prompt: 2 = model better, 1 = baseline better, 1.5 = draw; averaged
    over sample pairs (sample k of the model against sample k of the baseline, both present).
    None (a failure, excluded from the win rate) where no sample pair of the prompt is complete."""
    prefs: list[float | None] = []
    for i in ids:
        votes = [2.0 if m > b else 1.0 if m < b else 1.5 for m, b in _pairs(model[i], baseline[i])]
        prefs.append(fmean(votes) if votes else None)
    return prefs


def premise(strong: Scores, weak: Scores, ids: Sequence[str]) -> dict[str, float]:
    """How often the stronger base model's answer outscores the weaker one's, per sample pair."""
    outcomes = [(s > w) - (s < w) for i in ids for s, w in _pairs(strong[i], weak[i])]
    n = len(outcomes)
    return {
        "strong_wins": outcomes.count(1) / n,
        "weak_wins": outcomes.count(-1) / n,
        "ties": outcomes.count(0) / n,
        "n": n,
    }


def pair_accuracy(
    pairs: Sequence[PreferencePair], prompts: Mapping[str, Prompt], gold: Callable[[Prompt, str], float | None]
) -> dict[str, Any]:
    """Share of a source's pairs whose chosen answer the gold oracle also prefers (ties separate)."""
    if not pairs or gold(next(iter(prompts.values())), "") is None:
        return {}
    agree = tie = 0
    for p in pairs:
        # Sources that write their own prompts (ALMoST's PG) pair on prompts outside the given set.
        prompt = prompts.get(p.prompt_id) or Prompt(id=p.prompt_id, messages=p.prompt)
        c, r = gold(prompt, p.chosen[-1].content), gold(prompt, p.rejected[-1].content)
        agree += c > r
        tie += c == r
    n = len(pairs)
    return {"gold_pair_accuracy": agree / n, "gold_pair_ties": tie / n}


def premise_models(recipe: Any) -> tuple[str, str] | None:
    """The first listed source's declared premise pair (parameter contrast's strong and weak models)."""
    from harness.recipes.loader import build_source

    for name in recipe.sources:
        premise = build_source(recipe, name).premise()
        if premise is not None:
            return premise.strong, premise.weak
    return None


def build_metrics(
    recipe: Any,
    scores: Mapping[str, Scores],
    source_stats: Mapping[str, Mapping[str, Any]],
    premise_models: tuple[str, str] | None,
) -> FeedbackMetrics:
    ev = recipe.evaluation
    baseline = ev.baseline
    ids = sorted(scores[baseline])
    base_pp = per_prompt(scores[baseline], ids)
    rows = []
    for model, s in scores.items():
        pp = per_prompt(s, ids)
        est = mean_se([v for v in pp if v is not None])
        row: dict[str, Any] = {
            **row_identity(recipe, model),
            "stages": names.row_stages(model),
            "score": est.value,
            "score_se": est.stderr,
            "n_prompts": est.n,
            "samples": len(next(iter(s.values()))),
            "failed_samples": sum(v is None for i in ids for v in s[i]),
        }
        if model != baseline:
            wr = win_rate(preferences(s, scores[baseline], ids))
            diff = paired_bootstrap(pp, base_pp, n_boot=ev.bootstrap, seed=recipe.seed)
            row.update(
                win_rate=wr.win_rate,
                win_rate_se=wr.standard_error,
                discrete_win_rate=wr.discrete_win_rate,
                diff=diff.mean_diff,
                diff_ci_low=diff.ci_low,
                diff_ci_high=diff.ci_high,
                p_sign=diff.p_sign,
                significant=diff.significant,
            )
            a, b = paired_scores(pp, base_pp)
            # `power`: every power field of a row, in one place (harness/evaluate/power.py says what each means)
            row["power"] = paired_power(a - b).record()
        add_source_fields(row, source_stats)
        rows.append(row)
    rows += untrained_rows(recipe, scores, source_stats)
    metrics = FeedbackMetrics(recipe=recipe.name, baseline=baseline, rows=_rows(rows), sources=_sources(source_stats))
    if premise_models is not None:
        strong, weak = premise_models
        metrics.premise = Premise.model_validate(
            {"strong": strong, "weak": weak, **premise(scores[strong], scores[weak], ids)}
        )
    return metrics


def _rows(rows: Sequence[Mapping[str, Any]]) -> list[MetricsRow]:
    # Each row keeps exactly the keys built above (an untrained row has no win rate at all, not a null one).
    return [MetricsRow.model_validate(r) for r in rows]


def _sources(source_stats: Mapping[str, Mapping[str, Any]]) -> dict[str, SourceStats]:
    return {name: SourceStats.model_validate(stats) for name, stats in source_stats.items()}


def row_identity(recipe: Any, model: str) -> dict[str, str]:
    """model, stage (M0, SFT, M1, M2.., RMSP) and source of a leaderboard row."""
    made = names.parse_row(model)
    if made is not None:  # M2-, M3-, ... of a source; RMSP: SFT on reward-model-guided self-play picks (ALMoST);
        # SFT-<teacher>: M1 after SFT on the teacher's demonstrations (no feedback source)
        stage, source = made.stage, (made.source if made.stage not in ("RMSP", "SFT") else "")
    else:  # M1, a base model (M0), or a recipe model fine-tuned from one (a teacher)
        spec = recipe.models.get(model)
        stage, source = ("M1" if model == names.M1 else "SFT" if spec is not None and spec.base else "M0"), ""
    return {"model": model, "stage": stage, "source": source}


def add_source_fields(row: dict[str, Any], source_stats: Mapping[str, Mapping[str, Any]]) -> None:
    if row["source"]:
        stats = source_stats[row["source"]]
        made = names.parse_row(row["model"])
        round_ = made.round if made is not None else 1
        stats = stats.get(f"round{round_}", stats)  # M3 trained on round 2's pairs
        row.update(
            pairs=stats["pairs"],
            dropped=stats["dropped"],
            judge_failure_rate=stats["judge_failure_rate"],
            gold_pair_accuracy=stats.get("gold_pair_accuracy"),
            feedback_seconds=stats.get("feedback_seconds"),
            dpo_seconds=stats.get("dpo_seconds"),
        )
        # the judge's account (an online row adds its stage time and the tokens of the answers it judged)
        row.update({k: stats[k] for k in ("online_seconds", "judge_calls", "judged_tokens") if k in stats})
        if row.get("diff") is not None and stats.get("judge_calls"):  # what the gain cost in judge calls
            row["gain_per_1k_judge_calls"] = row["diff"] * 1000 / stats["judge_calls"]


def untrained_rows(
    recipe: Any, evaluated: Mapping[str, Any], source_stats: Mapping[str, Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """A row per listed source that gave no pairs, so no M2 was trained: shown, never silently missing."""
    return [
        {
            "model": names.round_model(name, 1),
            "stage": "M2",
            "source": name,
            "score": None,
            "pairs": 0,
            "stages": {"feedback": names.feedback_label(name)},
            "dropped": source_stats[name]["dropped"],
            "judge_failure_rate": source_stats[name]["judge_failure_rate"],
        }
        for name in recipe.sources
        if names.round_model(name, 1) not in evaluated
    ]


def build_judged_metrics(recipe: Any, judged: Any, source_stats: Mapping[str, Mapping[str, Any]]) -> FeedbackMetrics:
    """Rows from a judged evaluation (harness/steps/pairwise_eval.py): win rate ± SE over prompts (a prompt's preference
    is the mean over its sample pairs) and the offline LC win rate, all models' difficulty fitted jointly.
    There is no gold score: `score` is None and `evaluation` says the rows are judged."""
    from harness.evaluate.lc import HeadToHead, length_controlled_win_rates

    ids = (
        sorted(next(r for r in judged.rows.values() if r is not None).preferences)
        if any(r is not None for r in judged.rows.values())
        else []
    )
    heads = {}
    for model, jr in judged.rows.items():
        if jr is None:
            continue
        prefs = [_mean_present(jr.preferences[i]) for i in ids]
        lengths = [jr.lengths.get(i, (0.0, 0.0)) for i in ids]
        heads[model] = HeadToHead(
            tuple(ids), tuple(prefs), tuple(round(m) for m, _ in lengths), tuple(round(b) for _, b in lengths)
        )
    try:
        lc = length_controlled_win_rates(heads) if heads else {}
        lc_error = None
    except (RuntimeError, ValueError) as exc:  # a fit that cannot converge is reported, not a crash
        lc, lc_error = {}, str(exc)
    rows = []
    for model, jr in judged.rows.items():
        row: dict[str, Any] = {
            **row_identity(recipe, model),
            "stages": names.row_stages(model, judged.baseline, judged=True),
            "score": None,
            "score_se": None,
            "n_prompts": len(ids),
            "samples": judged.samples,
        }
        if jr is not None:
            wr = win_rate(heads[model].preferences)
            fit = lc.get(model)
            row.update(
                win_rate=wr.win_rate,
                win_rate_se=wr.standard_error,
                discrete_win_rate=wr.discrete_win_rate,
                n_judged=wr.n_total,
                eval_failures=wr.n_failures,
                lc_win_rate=fit.lc_win_rate if fit else None,
                lc_win_rate_se=fit.standard_error if fit else None,
                eval_judge_calls=jr.judge_calls,
                eval_judge_failures=jr.judge_failures,
                position_consistency=jr.position_consistency,
            )
            won = [100.0 * (p - 1.0) - 50.0 for p in heads[model].preferences if p is not None]
            row["power"] = paired_power(won, test=WIN_RATE_TEST).record()
        add_source_fields(row, source_stats)
        rows.append(row)
    rows += untrained_rows(recipe, judged.rows, source_stats)
    metrics = FeedbackMetrics(
        recipe=recipe.name,
        baseline=judged.baseline,
        rows=_rows(rows),
        sources=_sources(source_stats),
        evaluation="judge",
        judge=EvaluationJudge(model=judged.judge, prompt=judged.prompt),
    )
    if lc_error:
        metrics.lc_error = lc_error
    return metrics


def _mean_present(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return fmean(present) if present else None

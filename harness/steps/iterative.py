"""Iterative offline rounds with fresh candidates (Self-Rewarding LMs, Yuan et al. 2024), the middle point between
offline pairs and online training: round r samples candidates from M_r, judges them with the source's judge (a
self-judge is M_r itself, or M1 with `self_judge: frozen`), and trains M_{r+1} = DPO(M_r, best vs worst) with the
recipe's offline `dpo:` settings. Row `M2-<source>-iter<k>[-frozen]` is the model after the last of k rounds.

Equal judge calls: the rounds split `online.judge_budget`. With c calls per prompt (k candidates: k pointwise, or
k(k-1)/2 comparisons for a pair judge), the rounds judge floor(budget / c) prompts in all, round r the r-th of k
near-equal shares, taken from the feedback prompts in order (cycling), so the whole budget is spent when c divides
it, and the rounds never judge the same sample twice. Sampling is seeded from (seed, round).

Each round is one stage (`iterative M2-<source>-iter<k> round r`), keyed by the round, the settings, the source and
the content id of the model it starts from, so a killed run resumes at the round in flight; within it the judge's
verdicts go to the judge-call cache of the stage's partial folder, so a round redone after a crash re-asks nothing
(its seeded sampling draws the same candidates), and its DPO checkpoints there too (harness/train/result.py), so a
round killed while training resumes its DPO from the last checkpoint.
Intermediate models are not rows (they are not evaluated); only the last round's model is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness.generation import Generator, ledger_snapshots
from harness.generation.remote_ledger import ledger_delta
from harness.hashing import seed_from
from harness.report import scoring
from harness.run import names
from harness.run.cache import CallCache
from harness.run.context import ModelRef, RunContext, prompt_set_key
from harness.run.records import write_jsonl
from harness.run.store import partial_dir
from harness.steps.online_judge import gold_of, judge_factory
from harness.train.online_loop import OnlineResult, judge_batch, load_sampler, record_pairs
from harness.train.runtime import training_output
from harness.types import Prompt


def round_prompts(prompts: Sequence[Prompt], budget: int, per_prompt: int, rounds: int, round_: int) -> list[Prompt]:
    """Round `round_`'s (1-based) share of the floor(budget / per_prompt) prompts the rounds judge, in order."""
    total = budget // per_prompt
    start, stop = total * (round_ - 1) // rounds, total * round_ // rounds
    return [prompts[i % len(prompts)] for i in range(start, stop)]


def iterative_row(pipe: RunContext, source: str, frozen: bool, prompts: Sequence[Prompt]) -> dict[str, Any]:
    """The k round stages of one iterative row; its stats summed over the rounds (the judge's whole account)."""
    spec = pipe.recipe.online
    assert spec is not None
    model = names.iterative_model(source, spec.rounds, frozen)
    start = pipe.models[names.M1]
    rounds: list[dict[str, Any]] = []
    for r in range(1, spec.rounds + 1):
        stage_summary, seconds, start = _round(pipe, source, frozen, prompts, model, r, start)
        rounds.append({**stage_summary, "seconds": round(seconds, 2)})
    pipe.models[model] = ModelRef(model, start.path, start.key, start.generator, start.generator_params)
    return _row_stats(model, rounds)


def _round(
    pipe: RunContext, source: str, frozen: bool, prompts: Sequence[Prompt], model: str, r: int, start: ModelRef
) -> tuple[dict[str, Any], float, ModelRef]:
    recipe, spec = pipe.recipe, pipe.recipe.online
    assert spec is not None and spec.judge_budget is not None  # the schema requires a budget for iterative rounds
    budget = spec.judge_budget
    m1 = pipe.models[names.M1]
    sampling = pipe.candidate_params()
    dpo = recipe.dpo.model_copy(update={"seed": recipe.training_seed})
    used: dict[str, Generator] = {}
    make_judge = judge_factory(pipe, source, frozen, used)
    config = {
        "iterative": {"candidates": spec.candidates, "judge_budget": budget, "rounds": spec.rounds, "round": r},
        "source": recipe.source_type(source),
        "params": {k: v for k, v in recipe.source_kwargs(source).items() if k != "rounds"},
        "self_judge": "frozen" if frozen else "current",
        "sampling": sampling,
        "prompts": prompt_set_key(prompts),
        "seed": recipe.training_seed,
        "dpo": dpo,
        **pipe.train_key(),
    }
    inputs = [m.key for n, m in pipe.models.items() if n in recipe.models] + [m1.key, start.key]

    def build(out: Path) -> dict[str, Any]:
        import torch
        from transformers import AutoModelForCausalLM

        before = ledger_snapshots(used)
        with training_output(pipe.progress.verbose):  # transformers' loading bar, as in every stage
            policy = AutoModelForCausalLM.from_pretrained(start.path, dtype=torch.float32).eval()
        live = load_sampler(start.path, policy, recipe.training_seed)
        judge = make_judge(live)  # a current self-judge is this round's model
        batch = round_prompts(prompts, budget, judge.calls([spec.candidates]), spec.rounds, r)
        params = sampling.model_copy(
            update={"n": spec.candidates, "seed": seed_from("iterative", recipe.training_seed, r)}
        )
        candidates = live.generate(batch, params)
        result = OnlineResult()
        work = partial_dir()
        cache = None if work is None else CallCache(work / "judge_calls.sqlite", "iterative-judge")
        try:
            judged = judge_batch(judge, cache, r, batch, candidates, result)
        finally:
            if cache is not None:
                cache.close()
        pairs = record_pairs(judged, source, result)
        del live, judge, policy  # the DPO stage loads the model again; free this copy first
        write_jsonl(out / "preferences.jsonl", pairs)
        write_jsonl(out / "judgments.jsonl", result.judgments)
        trained: dict[str, Any] = {}
        if pairs:
            trained = pipe.train("dpo", start.path, [p.to_trl() for p in pairs], dpo, out / "model").metrics
        ledger = ledger_delta(before, ledger_snapshots(used))
        accuracy = scoring.pair_accuracy(pairs, {p.id: p for p in batch}, gold_of(pipe))
        summary = {
            **{k: v for k, v in result.summary().items() if k not in ("steps", "stopped", "resumed_from_step")},
            "round": r,
            "prompts": len(batch),
            "judgments": len(result.judgments),
            "trained": bool(pairs),
            **accuracy,
            **{f"dpo_{k}": v for k, v in trained.items()},
        }
        return {**summary, "ledger": ledger} if ledger else summary

    stage = pipe.stage(names.iterative_label(model, r), "iterative", config, inputs, build)
    if not stage.summary["trained"]:  # no pairs this round: the next round starts from the same model
        pipe.log(f"[{names.iterative_label(model, r)}] no pairs (dropped: {stage.summary['dropped']}); model kept")
        return stage.summary, stage.seconds, start
    trained = ModelRef(model, str(stage.path / "model"), stage.content, start.generator, start.generator_params)
    return stage.summary, stage.seconds, trained


def _row_stats(model: str, rounds: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The row's account over its rounds: calls, tokens, pairs, drops and failures summed; gold accuracy pooled."""
    total = {k: sum(r[k] for r in rounds) for k in ("judge_calls", "judge_calls_asked", "judge_calls_cached")}
    judgments = sum(r["judgments"] for r in rounds)
    failures = sum(r["judge_failures"] for r in rounds)
    pairs = sum(r["pairs"] for r in rounds)
    dropped: Counter[str] = Counter()
    for r in rounds:
        dropped.update(r["dropped"])
    stats: dict[str, Any] = {
        **total,
        "judged_tokens": sum(r["judged_tokens"] for r in rounds),
        "pairs": pairs,
        "dropped": dict(dropped),
        "judge_failures": failures,
        "judge_failure_rate": failures / judgments if judgments else 0.0,
        "rounds": [dict(r) for r in rounds],
        "online_seconds": round(sum(r["seconds"] for r in rounds), 2),
    }
    if pairs and all("gold_pair_accuracy" in r for r in rounds if r["pairs"]):
        stats["gold_pair_accuracy"] = sum(r.get("gold_pair_accuracy", 0.0) * r["pairs"] for r in rounds) / pairs
    label = names.iterative_label(model, len(rounds))
    return {**stats, "stages": {"feedback": label, "dpo": label}}

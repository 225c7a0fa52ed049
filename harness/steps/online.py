"""Online training as a pipeline step (`online:` in a recipe): for each listed source and each of `online.methods`,
training from M1 on fresh policy samples judged by the source's own judge. `dpo`: online DPO
(harness/train/online_dpo.py), one stage per row `M2-<source>-online`; `grpo`: online GRPO with the judge's score as
reward (harness/train/online_grpo.py), one stage per row `M2-<source>-grpo`; `iterative`: offline DPO rounds on fresh
candidates (harness/steps/iterative.py), one stage per round, row `M2-<source>-iter<rounds>`.

A source whose judge is the policy itself (it declares a `JudgeUse` with no model, as self_reward does) trains once
per `online.self_judge` entry: `current`, the policy as it trains, judges its fresh samples (row
`M2-<source>-online`); `frozen`, M1, judges them throughout (row `M2-<source>-online-frozen`; likewise `-grpo-frozen`
and `-iter<k>-frozen`). Every other judge
(oracle, noisy_oracle, a teacher LLM judge, pair judges through `PairShares`) is the same in both and trains once.

The stage is keyed by the online settings, the source's type and parameters, the candidate sampling, the prompts,
the seed and the content ids of M1 and the recipe's models, so an offline row and an online row of the same source
share nothing but M1. An online DPO stage's key has no method in it (`OnlineSpec.stage_key`), as before GRPO existed,
so stores keep their online DPO stages. Its summary keeps the judge's account (calls spent, asked, served from the cache, tokens of the
judged answers, and the remote ledger of any remote judge), as the offline feedback stage does.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness.feedback import JudgeUse
from harness.generation import Generator, ledger_snapshots
from harness.generation.remote_ledger import ledger_delta
from harness.recipes.loader import build_source
from harness.report import scoring
from harness.run import names
from harness.run.context import ModelRef, RunContext, prompt_set_key
from harness.run.names import OnlineMethod
from harness.run.records import write_jsonl
from harness.run.store import partial_dir
from harness.steps.iterative import iterative_row
from harness.steps.online_judge import gold_of, judge_factory
from harness.train.online_dpo import online_dpo
from harness.train.online_grpo import online_grpo
from harness.train.runtime import training_output
from harness.types import Prompt


def self_judged(pipe: RunContext, source: str) -> bool:
    """The source's judge is the policy: a prompted judge on no model (a `JudgeRef` on no model runs on none)."""
    return any(isinstance(u, JudgeUse) and u.model is None for u in build_source(pipe.recipe, source).judge_uses())


def variants(pipe: RunContext, source: str) -> list[bool]:
    """Whether each row of `source` has a frozen self-judge: one row, or one per `online.self_judge` entry."""
    spec = pipe.recipe.online
    assert spec is not None
    return [v == "frozen" for v in spec.self_judge] if self_judged(pipe, source) else [False]


def train_online(pipe: RunContext, prompts: Sequence[Prompt]) -> dict[str, dict[str, Any]]:
    """Every online row's stages, method by method; returns each row's stats by its source key
    (`<source>-online[-frozen]`, `<source>-grpo[-frozen]`, `<source>-iter<k>[-frozen]`)."""
    spec = pipe.recipe.online
    assert spec is not None
    stats: dict[str, dict[str, Any]] = {}
    for method in spec.methods:
        for source in spec.sources:
            for frozen in variants(pipe, source):
                if method == "iterative":
                    stats[names.iterative_source(source, spec.rounds, frozen)] = iterative_row(
                        pipe, source, frozen, prompts
                    )
                else:
                    stats[names.online_source(source, frozen, method)] = online_row(
                        pipe, source, frozen, prompts, method
                    )
    return stats


def online_row(
    pipe: RunContext, source: str, frozen: bool, prompts: Sequence[Prompt], method: OnlineMethod = "dpo"
) -> dict[str, Any]:
    spec, recipe = pipe.recipe.online, pipe.recipe
    assert spec is not None
    m1 = pipe.models[names.M1]
    model = names.online_model(source, frozen, method)
    sampling = pipe.candidate_params()
    used: dict[str, Generator] = {}
    make_judge = judge_factory(pipe, source, frozen, used)
    params = {k: v for k, v in recipe.source_kwargs(source).items() if k != "rounds"}
    config = {
        "online": spec.stage_key(method),
        **({"method": method} if method != "dpo" else {}),  # online DPO's key is as it was before GRPO
        "source": recipe.source_type(source),
        "params": params,
        "self_judge": "frozen" if frozen else "current",
        "sampling": sampling,
        "prompts": prompt_set_key(prompts),
        "seed": recipe.training_seed,
    }
    inputs = [m.key for n, m in pipe.models.items() if n in recipe.models] + [m1.key]
    train = online_grpo if method == "grpo" else online_dpo

    def build(out: Path) -> dict[str, Any]:
        before = ledger_snapshots(used)
        with training_output(pipe.progress.verbose):  # transformers' loading / saving bars, as in every stage
            result = train(
                m1.path, prompts, make_judge, spec, sampling, out / "model",
                source=source, seed=recipe.training_seed, work=partial_dir(),
            )  # fmt: skip
        ledger = ledger_delta(before, ledger_snapshots(used))
        write_jsonl(out / "preferences.jsonl", result.pairs)
        write_jsonl(out / "judgments.jsonl", result.judgments)
        accuracy = scoring.pair_accuracy(result.pairs, {p.id: p for p in prompts}, gold_of(pipe))
        summary = {**result.summary(), **accuracy}
        return {**summary, "ledger": ledger} if ledger else summary

    stage = pipe.stage(names.online_label(model), "online", config, inputs, build)
    pipe.models[model] = ModelRef(model, str(stage.path / "model"), stage.content, m1.generator, m1.generator_params)
    label = names.online_label(model)
    return {**stage.summary, "online_seconds": round(stage.seconds, 2), "stages": {"feedback": label, "dpo": label}}

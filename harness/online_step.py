"""Online training as a pipeline step (`online:` in a recipe): for each listed source, online DPO from M1 with the
source's own judge (harness/train/online_dpo.py), one stage per row `M2-<source>-online`.

A source whose judge is the policy itself (it declares a `JudgeUse` with no model, as self_reward does) trains once
per `online.self_judge` entry: `current`, the policy as it trains, judges its fresh samples (row
`M2-<source>-online`); `frozen`, M1, judges them throughout (row `M2-<source>-online-frozen`). Every other judge
(oracle, noisy_oracle, a teacher LLM judge, pair judges through `PairShares`) is the same in both and trains once.

The stage is keyed by the online settings, the source's type and parameters, the candidate sampling, the prompts,
the seed and the content ids of M1 and the recipe's models, so an offline row and an online row of the same source
share nothing but M1. Its summary keeps the judge's account (calls spent, asked, served from the cache, tokens of the
judged answers, and the remote ledger of any remote judge), as the offline feedback stage does.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from harness import names, report
from harness.config import RecipeError, build_source
from harness.feedback import JudgeUse, SourceContext
from harness.generation import Generator, ledger_snapshots
from harness.generation.remote_ledger import ledger_delta
from harness.judge_adapters import CandidateScorer
from harness.records import write_jsonl
from harness.run_context import ModelRef, RunContext, prompt_set_key
from harness.run_generators import LazyGenerators
from harness.store import partial_dir
from harness.train.online_dpo import online_dpo
from harness.types import Prompt

LIVE_POLICY = "online policy"  # the context's name for the policy being trained (never a recipe model's name)


def self_judged(pipe: RunContext, source: str) -> bool:
    """The source's judge is the policy: a prompted judge on no model (a `JudgeRef` on no model runs on none)."""
    return any(isinstance(u, JudgeUse) and u.model is None for u in build_source(pipe.recipe, source).judge_uses())


def variants(pipe: RunContext, source: str) -> list[bool]:
    """Whether each row of `source` has a frozen self-judge: one row, or one per `online.self_judge` entry."""
    spec = pipe.recipe.online
    assert spec is not None
    return [v == "frozen" for v in spec.self_judge] if self_judged(pipe, source) else [False]


def train_online(pipe: RunContext, prompts: Sequence[Prompt]) -> dict[str, dict[str, Any]]:
    """Every online row's stage; returns each row's stats by its source key (`<source>-online[-frozen]`)."""
    spec = pipe.recipe.online
    assert spec is not None
    stats: dict[str, dict[str, Any]] = {}
    for source in spec.sources:
        for frozen in variants(pipe, source):
            stats[names.online_source(source, frozen)] = online_row(pipe, source, frozen, prompts)
    return stats


def online_row(pipe: RunContext, source: str, frozen: bool, prompts: Sequence[Prompt]) -> dict[str, Any]:
    spec, recipe = pipe.recipe.online, pipe.recipe
    assert spec is not None
    m1 = pipe.models[names.M1]
    model = names.online_model(source, frozen)
    sampling = pipe.candidate_params()
    src = build_source(recipe, source)
    used: dict[str, Generator] = {}

    def generator(name: str) -> Generator:
        used[name] = pipe.generator(name)
        return used[name]

    def make_judge(live: Generator) -> CandidateScorer:
        models = {**pipe.models, LIVE_POLICY: m1}
        ctx = SourceContext(
            policy=names.M1 if frozen else LIVE_POLICY,
            candidate_params=sampling,
            seed=recipe.sampling_seed,
            generators=LazyGenerators(lambda n: live if n == LIVE_POLICY else generator(n), models),
            candidates_fn=_no_offline_candidates,
            benchmark=pipe.benchmark,
        )
        judge = src.online_judge(ctx)
        if judge is None:
            raise RecipeError(
                f"online.sources: {source!r} has no judge over policy candidates to train online with; "
                "list a judge-backed source (oracle, noisy_oracle, self_reward, llm_judge)"
            )
        return judge

    params = {k: v for k, v in recipe.source_kwargs(source).items() if k != "rounds"}
    online = spec.model_dump(exclude={"sources", "self_judge"})
    config = {
        "online": online,
        "source": recipe.source_type(source),
        "params": params,
        "self_judge": "frozen" if frozen else "current",
        "sampling": sampling,
        "prompts": prompt_set_key(prompts),
        "seed": recipe.training_seed,
    }
    inputs = [m.key for n, m in pipe.models.items() if n in recipe.models] + [m1.key]

    def build(out: Path) -> dict[str, Any]:
        before = ledger_snapshots(used)
        result = online_dpo(
            m1.path, prompts, make_judge, spec, sampling, out / "model",
            source=source, seed=recipe.training_seed, work=partial_dir(),
        )  # fmt: skip
        ledger = ledger_delta(before, ledger_snapshots(used))
        write_jsonl(out / "preferences.jsonl", result.pairs)
        write_jsonl(out / "judgments.jsonl", result.judgments)
        gold = SourceContext(names.M1, sampling, recipe.sampling_seed, {}, _no_offline_candidates, pipe.benchmark).gold
        accuracy = report.pair_accuracy(result.pairs, {p.id: p for p in prompts}, gold)
        summary = {**result.summary(), **accuracy}
        return {**summary, "ledger": ledger} if ledger else summary

    stage = pipe.stage(names.online_label(model), "online", config, inputs, build)
    pipe.models[model] = ModelRef(model, str(stage.path / "model"), stage.content, m1.generator, m1.generator_params)
    label = names.online_label(model)
    return {**stage.summary, "online_seconds": round(stage.seconds, 2), "stages": {"feedback": label, "dpo": label}}


def _no_offline_candidates(*_: Any) -> Any:
    raise RecipeError("online.sources: an online judge may not sample offline candidates; its source cannot run online")

"""Judge quality against the gold oracle: every judge scores the same M1 candidates on the feedback
prompts, and its ranking is compared with the oracle's (the "Reward Modeling Ability" table, with truth).

Judges: the policy as self-judge at M1 and after each self-reward round, every pointwise teacher, every pointwise
judge of a `judged` source (any registered judge, a plug-in included), and a reward model trained on each source
named in `judge_quality.reward_models`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from harness.benchmark import gold_grader
from harness.evaluate import ranking_metrics
from harness.feedback import JudgeRef, JudgeUse
from harness.hashing import stable_hash
from harness.judging.build import build_judge, judge_params
from harness.judging.contract import AnyJudge, PointwiseJudge
from harness.recipes.loader import build_source
from harness.run import names
from harness.run.context import RunContext
from harness.run.records import read_jsonl
from harness.types import Judgment, PreferencePair, Prompt, Score

JudgeFactory = Callable[[], AnyJudge]


def judged_by(pipe: RunContext) -> dict[str, tuple[str, JudgeFactory]]:
    """label -> (model whose key identifies the judge, factory building it)."""
    recipe = pipe.recipe
    prompt = recipe.sft.judge_prompt
    found: dict[str, tuple[str, JudgeFactory]] = {}

    def prompted(model: str, judge_prompt: str = prompt, readout: str = "sampled") -> tuple[str, JudgeFactory]:
        params = {"prompt": judge_prompt, "seed": recipe.sampling_seed, "readout": readout}
        return model, lambda: build_judge("prompted", params, generator=pipe.generator(model))

    # M1 (and, with base_judge, the policy before SFT) judges in every read-out a self-judging source uses.
    self_readouts = [
        "sampled",
        *sorted(
            {
                use.readout
                for name in recipe.sources
                for use in build_source(recipe, name).judge_uses()
                if isinstance(use, JudgeUse) and use.model is None and use.readout != "sampled"
            }
        ),
    ]
    base = (
        [recipe.policy]
        if recipe.judge_quality.base_judge and pipe.models[names.M1].key != pipe.models[recipe.policy].key
        else []
    )
    for model in [*base, names.M1]:
        for readout in self_readouts:
            found[names.self_judge(model, readout)] = prompted(model, readout=readout)
    for name in recipe.sources:
        src = build_source(recipe, name)
        for use in src.judge_uses():
            if not isinstance(use, JudgeUse):  # a registered judge by name: registered_judges
                continue
            if use.model is not None:
                found[names.teacher_judge(use.model, use.readout)] = prompted(use.model, use.prompt, use.readout)
                continue
            if not recipe.judge_quality.trained_self_judges:
                continue
            # The policy judging itself: every round's model (M2 after round 1, ...), as far as the rounds got.
            for model in (names.round_model(name, r) for r in range(1, src.rounds + 1)):
                if model in pipe.models:
                    found[names.self_judge(model, use.readout)] = prompted(model, use.prompt, use.readout)
    return found


def registered_judges(pipe: RunContext) -> dict[str, tuple[str, JudgeFactory]]:
    """label -> (key, factory) for each registered judge a source declares it asks (`JudgeRef`: the `judged`
    source's judge, a plug-in included), keyed by its name, parameters and model. Pair judges are left out when
    built (this table ranks scores)."""

    def factory(ref: JudgeRef) -> JudgeFactory:
        def make() -> AnyJudge:
            params = judge_params(ref.judge, ref.params, pipe.recipe.sampling_seed)
            return build_judge(ref.judge, params, generator=None if ref.model is None else pipe.generator(ref.model))

        return make

    found: dict[str, tuple[str, JudgeFactory]] = {}
    for name in pipe.recipe.sources:
        for ref in build_source(pipe.recipe, name).judge_uses():
            if isinstance(ref, JudgeRef):
                model_key = pipe.models[ref.model].key if ref.model else ""
                found[names.source_judge(ref.judge, name)] = (
                    stable_hash(ref.judge, ref.params, model_key),
                    factory(ref),
                )
    return found


def reward_model_stage(pipe: RunContext, source: str) -> Any:
    """An RM trained from M1's backbone on `source`'s round-1 pairs (a stage; None if it has no pairs)."""
    stage = pipe.stages.get(names.feedback_label(source))
    if stage is None or not stage.summary.get("pairs"):
        return None
    m1 = pipe.models[names.M1]
    spec = pipe.recipe.judge_quality.reward_train.model_copy(update={"seed": pipe.recipe.training_seed})

    def build(out: Path) -> dict[str, Any]:
        pairs = read_jsonl(stage.path / "preferences.jsonl", PreferencePair)
        return pipe.train("reward", m1.path, [p.to_trl() for p in pairs], spec, out / "model").metrics

    config = {"reward": spec, **pipe.train_key()}
    return pipe.stage(names.reward_model_label(source), "reward", config, [m1.key, stage.content], build)


def reward_model_judge(pipe: RunContext, source: str) -> tuple[str, JudgeFactory] | None:
    result = reward_model_stage(pipe, source)
    if result is None:
        return None
    return result.content, lambda: build_judge("reward_model", {}, path=str(result.path / "model"))


def table(pipe: RunContext, prompts: Sequence[Prompt]) -> dict[str, dict[str, Any]]:
    cfg = pipe.recipe.judge_quality
    if not cfg.enabled:
        return {}
    candidates = pipe.completions(names.M1, prompts, pipe.candidate_params(), names.candidates_label(names.M1))
    items = [(p, c) for p, cs in zip(prompts, candidates) for c in cs]
    grade = gold_grader(pipe.benchmark)
    gold = [[grade(p, c.text) for c in cs] for p, cs in zip(prompts, candidates)]
    entries: dict[str, tuple[str, JudgeFactory]] = {
        label: (pipe.models[m].key, f) for label, (m, f) in judged_by(pipe).items()
    }
    entries.update(registered_judges(pipe))
    for source in cfg.reward_models:
        rm = reward_model_judge(pipe, source)
        if rm is not None:
            entries[names.reward_model_judge(source)] = rm
    cand_key = pipe.stages[names.candidates_label(names.M1)].content
    out: dict[str, dict[str, Any]] = {}
    for label, (key, make) in entries.items():
        judgments = _scores(pipe, label, key, cand_key, make, items)
        if judgments is None:  # a pair judge: it gives no score to rank by
            continue
        per_prompt, cursor = [], 0
        for cs in candidates:
            per_prompt.append(
                [
                    j.verdict.value if isinstance(j.verdict, Score) else None
                    for j in judgments[cursor : cursor + len(cs)]
                ]
            )
            cursor += len(cs)
        metrics = ranking_metrics(per_prompt, gold, variant="per_prompt")
        failures = sum(j.failed for j in judgments)
        out[label] = {
            **{m: e.value for m, e in metrics.items()},
            **{f"{m}_se": e.stderr for m, e in metrics.items()},
            "n_prompts": min(e.n for e in metrics.values()),
            "failure_rate": failures / len(judgments),
        }
    return out


def _scores(
    pipe: RunContext, label: str, judge_key: str, cand_key: str, make: JudgeFactory, items: list[tuple[Prompt, Any]]
) -> list[Judgment] | None:
    def build(out: Path) -> dict[str, Any]:
        from harness.run.records import write_jsonl

        judge = make()
        if not isinstance(judge, PointwiseJudge):
            return {"judge": label, "pointwise": False}
        write_jsonl(out / "judgments.jsonl", judge.score(items))
        return {"judge": label}

    result = pipe.stage(
        names.judge_quality_label(label), "judge_quality", {"judge": label}, [judge_key, cand_key], build
    )
    if result.summary.get("pointwise") is False:
        return None
    return read_jsonl(result.path / "judgments.jsonl", Judgment)


__all__ = ["table"]

"""Judge quality against the gold oracle: every judge scores the same M1 candidates on the feedback
prompts, and its ranking is compared with the oracle's (the "Reward Modeling Ability" table, with truth).

Judges: the policy as self-judge at M1 and after each self-reward round, every pointwise teacher, every pointwise
judge of a `judged` source (any registered judge, a plug-in included), and a reward model trained on each source
named in `judge_quality.reward_models`.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

from harness.config import build_source
from harness.evaluate import ranking_metrics
from harness.judge_eval.protocols import PointwiseJudge
from harness.registry import judges
from harness.types import Judgment, PreferencePair, Prompt, Score
from harness.records import read_jsonl

if TYPE_CHECKING:
    from harness.pipeline import Pipeline


def judged_by(pipe: "Pipeline") -> dict[str, tuple[str, Any]]:
    """label -> (model whose key identifies the judge, factory building it)."""
    recipe = pipe.recipe
    prompt = recipe.sft.judge_prompt
    found: dict[str, tuple[str, Any]] = {}

    def prompted(model: str, judge_prompt: str = prompt) -> tuple[str, Any]:
        return model, lambda: judges.build("prompted", generator=pipe.generator(model), prompt=judge_prompt,
                                           seed=recipe.seed)

    found["self (M1)"] = prompted("M1")
    for name in recipe.sources:
        kind, params = recipe.source_type(name), recipe.source_kwargs(name)
        if kind == "self_reward":
            for model in (m for m in pipe.models if m.endswith(f"-{name}") and m[:2] in ("M2", "M3", "M4")):
                found[f"self ({model})"] = prompted(model, params.get("judge_prompt", prompt))
        elif kind == "llm_judge" and params.get("mode", "pointwise") == "pointwise":
            teacher = params["teacher"]
            found[f"teacher ({teacher})"] = prompted(teacher, params.get("judge_prompt") or prompt)
    return found


def judged_sources(pipe: "Pipeline") -> dict[str, tuple[str, Any]]:
    """label -> (key, factory) for each `judged` source: any registered judge, keyed by its name, parameters and
    model. Pair judges are left out when built (this table ranks scores)."""
    from harness.hashing import stable_hash

    found: dict[str, tuple[str, Any]] = {}
    for name in pipe.recipe.sources:
        if pipe.recipe.source_type(name) != "judged":
            continue
        src = build_source(pipe.recipe, name)
        model_key = pipe.models[src.model].key if src.model else ""
        found[f"{src.judge} ({name})"] = (stable_hash(src.judge, src.params, model_key),
                                          lambda src=src: src.make(pipe.generator, pipe.recipe.seed))
    return found


def reward_model_stage(pipe: "Pipeline", source: str) -> Any:
    """An RM trained from M1's backbone on `source`'s round-1 pairs (a stage; None if it has no pairs)."""
    stage = pipe.stages.get(f"feedback {source}")
    if stage is None or not stage.summary.get("pairs"):
        return None
    m1 = pipe.models["M1"]
    spec = pipe.recipe.judge_quality.reward_train.model_copy(update={"seed": pipe.recipe.seed})

    def build(out: Path) -> dict[str, Any]:
        pairs = read_jsonl(stage.path / "preferences.jsonl", PreferencePair)
        return pipe.train("reward", m1.path, [p.to_trl() for p in pairs], spec, out / "model").metrics

    config = {"reward": spec, **pipe.train_key()}
    return pipe.stage(f"reward model {source}", "reward", config, [m1.key, stage.key], build)


def reward_model_judge(pipe: "Pipeline", source: str) -> tuple[str, Any] | None:
    result = reward_model_stage(pipe, source)
    if result is None:
        return None
    return result.key, lambda: judges.build("reward_model", path=str(result.path / "model"))


def table(pipe: "Pipeline", prompts: Sequence[Prompt]) -> dict[str, dict[str, Any]]:
    cfg = pipe.recipe.judge_quality
    if not cfg.enabled:
        return {}
    params = pipe.recipe.feedback.candidates.model_copy(update={"seed": pipe.recipe.seed})
    candidates = pipe.completions("M1", prompts, params, "candidates M1")
    items = [(p, c) for p, cs in zip(prompts, candidates) for c in cs]
    gold = [[pipe.benchmark.grade(p, c.text) for c in cs] for p, cs in zip(prompts, candidates)]
    entries: dict[str, tuple[str, Any]] = {label: (pipe.models[m].key, f) for label, (m, f) in judged_by(pipe).items()}
    entries.update(judged_sources(pipe))
    for source in cfg.reward_models:
        rm = reward_model_judge(pipe, source)
        if rm is not None:
            entries[f"RM ({source})"] = rm
    cand_key = pipe.stages["candidates M1"].key
    out: dict[str, dict[str, Any]] = {}
    for label, (key, make) in entries.items():
        judgments = _scores(pipe, label, key, cand_key, make, items)
        if judgments is None:  # a pair judge: it gives no score to rank by
            continue
        per_prompt, cursor = [], 0
        for cs in candidates:
            per_prompt.append([j.verdict.value if isinstance(j.verdict, Score) else None
                               for j in judgments[cursor : cursor + len(cs)]])
            cursor += len(cs)
        metrics = ranking_metrics(per_prompt, gold, variant="per_prompt")
        failures = sum(j.failed for j in judgments)
        out[label] = {**{m: e.value for m, e in metrics.items()}, **{f"{m}_se": e.stderr for m, e in metrics.items()},
                      "n_prompts": min(e.n for e in metrics.values()), "failure_rate": failures / len(judgments)}
    return out


def _scores(pipe: "Pipeline", label: str, judge_key: str, cand_key: str, make: Any,
            items: list[tuple[Prompt, Any]]) -> list[Judgment] | None:
    def build(out: Path) -> dict[str, Any]:
        from harness.records import write_jsonl

        judge = make()
        if not isinstance(judge, PointwiseJudge):
            return {"judge": label, "pointwise": False}
        write_jsonl(out / "judgments.jsonl", judge.score(items))
        return {"judge": label}

    result = pipe.stage(f"judge quality {label}", "judge_quality", {"judge": label}, [judge_key, cand_key], build)
    if result.summary.get("pointwise") is False:
        return None
    return read_jsonl(result.path / "judgments.jsonl", Judgment)


__all__ = ["table", "build_source"]

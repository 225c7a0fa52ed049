"""Run a judge_eval recipe: every judge on every set, each (judge, set) a stage of the content-addressed store.

A stage is keyed by the judge's type, parameters and model key and by the set's items, so renaming a row or
adding a judge recomputes nothing already judged; LLM judges run on generators built as feedback runs build them
(harness/run_generators.py: the same call cache, batch cache, executor and budget).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from harness.hashing import stable_hash
from harness.judge_build import build_judge, judge_params
from harness.judge_contract import AnyJudge
from harness.judge_eval.items import LabelledPair, RankedGroup
from harness.judge_eval.judging import GroupOutcome, PairOutcome, judge_groups, judge_pairs
from harness.judge_eval.measures import CHANCE, measure
from harness.judge_eval.recipe import JudgeEvalRecipe
from harness.progress import NULL_PROGRESS, Progress
from harness.records import claim_run_dir, read_jsonl, run_record, write_jsonl, write_run_files
from harness.run_generators import build_generator
from harness.run_metrics import JudgeEvalMetrics
from harness.stages import StageRunner
from harness.store import StageResult, StageStore

Items = list[LabelledPair] | list[RankedGroup]


def stage_label(judge: str, set_name: str) -> str:
    return f"judge {judge} on {set_name}"


class JudgeEvalRun:
    def __init__(
        self,
        recipe: JudgeEvalRecipe,
        results: str | Path = "results",
        recipe_dir: str | Path = ".",
        log: Callable[[str], None] = print,
        progress: Progress = NULL_PROGRESS,
    ):
        self.recipe = recipe
        self.progress = progress
        self.results = Path(results)
        self.recipe_dir = Path(recipe_dir)
        self.runner = StageRunner(StageStore(self.results / "store"), log, progress)
        self.log = log
        self.stages = self.runner.stages
        self._generators: dict[str, Any] = {}
        self._models: dict[str, tuple[str, str]] = {}
        self._reward_models: dict[str, tuple[str, str, tuple[str, ...]]] = {}

    def stage(
        self, label: str, stage: str, config: Any, inputs: list[str], build: Callable[[Path], dict[str, Any] | None]
    ) -> StageResult:
        return self.runner.run(label, stage, config, inputs, build)

    def model(self, name: str) -> tuple[str, str]:
        """(where the model lies, its key): a path as given, or a .gguf converted once by an import stage."""
        if name not in self._models:
            spec = self.recipe.models[name]
            if spec.gguf is None:
                self._models[name] = (str(spec.path), stable_hash(spec))
            else:
                from harness import names
                from harness.model_import import imported_model

                self._models[name] = imported_model(self.stage, names.import_label(name), spec.gguf)
        return self._models[name]

    def generator(self, name: str) -> Any:
        if name not in self._generators:
            spec = self.recipe.models[name]
            path, key = self.model(name)
            self._generators[name] = build_generator(
                spec.generator, path, key, spec.generator_params, self.results, self.progress
            )
        return self._generators[name]

    def reward_model(self, recipe_path: str) -> tuple[str, str, tuple[str, ...]]:
        """(model folder, stage key, subsets it was trained on) of a reward recipe: trained here or reused."""
        if recipe_path not in self._reward_models:
            from harness.reward_recipe import load_reward_recipe
            from harness.reward_run import RewardModelRun

            rm_recipe = load_reward_recipe(self.recipe_dir / recipe_path)
            rm = RewardModelRun(rm_recipe, self.results, log=self.log, progress=self.progress)
            trained = rm.train(rm.pairs(rm_recipe.train_subsets, rm_recipe.train_pairs))
            self.stages.update(rm.stages)
            self._reward_models[recipe_path] = (str(trained.path / "model"), trained.key, rm_recipe.train_subsets)
        return self._reward_models[recipe_path]

    def judge_factory(self, name: str) -> tuple[dict[str, Any], list[str], Callable[[], AnyJudge]]:
        """(stage config, upstream keys, factory): what identifies the judge, and how to build it when needed."""
        spec = self.recipe.judges[name]
        params, inputs = judge_params(spec.type, spec.params, self.recipe.seed), []
        config = {"type": spec.type, "params": params}
        handed: dict[str, str] = {}
        if spec.model is not None:
            inputs.append(self.model(spec.model)[1])
            config["model"] = {"backend": self.recipe.models[spec.model].generator}
        if spec.reward_recipe is not None:
            path, key, _ = self.reward_model(spec.reward_recipe)
            inputs.append(key)
            handed["path"] = path

        def make() -> AnyJudge:
            on = None if spec.model is None else self.generator(spec.model)
            return build_judge(spec.type, params, generator=on, **handed)

        return config, inputs, make

    def outcomes(self, judge: str, set_name: str, items: Items) -> list[PairOutcome] | list[GroupOutcome]:
        config, inputs, make = self.judge_factory(judge)
        ranked = bool(items) and isinstance(items[0], RankedGroup)
        record = GroupOutcome if ranked else PairOutcome

        def build(out: Path) -> dict[str, Any]:
            built = make()
            rows = judge_groups(built, items) if ranked else judge_pairs(built, items)  # type: ignore[arg-type]
            write_jsonl(out / "outcomes.jsonl", rows)
            return {"items": len(rows), "judge": built.name}

        result = self.stage(
            stage_label(judge, set_name), "judge_eval", {"judge": config}, [*inputs, stable_hash(items)], build
        )
        return read_jsonl(result.path / "outcomes.jsonl", record)  # type: ignore[return-value]

    def run(self) -> dict[str, Any]:
        recipe, started = self.recipe, time.perf_counter()
        self.progress.begin(
            f"judge_eval {recipe.name}", [stage_label(judge, name) for judge in recipe.judges for name in recipe.sets]
        )
        items: dict[str, Items] = {name: spec.load() for name, spec in recipe.sets.items()}
        results: dict[str, dict[str, Any]] = {}
        seconds: dict[str, dict[str, float]] = {}
        for judge, spec in recipe.judges.items():
            results[judge], seconds[judge] = {}, {}
            for set_name, rows in items.items():
                outcomes = self.outcomes(judge, set_name, rows)
                results[judge][set_name] = measure(outcomes, spec.self_name)
                seconds[judge][set_name] = round(self.stages[stage_label(judge, set_name)].seconds, 2)
        metrics = JudgeEvalMetrics.model_validate({
            "kind": "judge_eval",
            "chance": CHANCE,
            "judges": {name: {"type": spec.type, "model": spec.model, "params": spec.params,
                              "trained_on": list(self._reward_models[spec.reward_recipe][2]) if spec.reward_recipe
                              else []} for name, spec in recipe.judges.items()},
            "sets": {name: {"type": spec.type, "ranked": bool(rows) and isinstance(rows[0], RankedGroup),
                            "items": len(rows), "subset_items": dict(Counter(i.subset for i in rows))}
                     for name, spec in recipe.sets.items() for rows in [items[name]]},
            "results": results,
            "seconds": seconds,
        })  # fmt: skip
        record = run_record(recipe, time.perf_counter() - started, self.stages)
        run_dir = claim_run_dir(self.results / "runs" / recipe.name, record)
        written = write_run_files(run_dir, record, metrics)
        self.progress.finish()
        self.log(f"run record: {run_dir / 'run.json'}")
        return {"run_dir": str(run_dir), "metrics": written, "record": record}

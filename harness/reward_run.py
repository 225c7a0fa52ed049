"""Run a reward-model recipe: train on the train subsets, score every eval subset, write the run record.

Both steps are stages of the content-addressed store (harness/store.py): a rerun with the same recipe and data
reuses the trained model and its scores. Accuracy is the registered `rm_accuracy` metric, per eval subset.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from harness.config import RecipeError
from harness.evaluate.estimates import Estimate
from harness.evaluate.rm_accuracy import accuracy_by_length
from harness.hashing import stable_hash
from harness.progress import NULL_PROGRESS, Progress
from harness.records import claim_run_dir, run_record, write_run_files
from harness.reward_recipe import PACKAGE_PREFIX, RewardModelRecipe, resolve_model
from harness.run_metrics import RewardModelMetrics
from harness.stages import StageRunner
from harness.store import StageResult, StageStore, write_json_atomic

Z95 = 1.959964


def model_key(model: str) -> str:
    """A packaged model is keyed by its package's version too: a new release is a new backbone."""
    if model.startswith(PACKAGE_PREFIX):
        from importlib.metadata import PackageNotFoundError, version

        module = model.removeprefix(PACKAGE_PREFIX)
        try:
            return stable_hash(model, version(module.replace("_", "-")))
        except PackageNotFoundError:
            return stable_hash(model)
    return stable_hash(model)


def _conversations(pair: dict[str, Any]) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    return [*pair["prompt"], *pair["chosen"]], [*pair["prompt"], *pair["rejected"]]


def reply_lengths(pairs: Sequence[dict[str, Any]]) -> tuple[list[int], list[int]]:
    """Characters of each pair's chosen and rejected reply."""
    return [len(p["chosen"][-1]["content"]) for p in pairs], [len(p["rejected"][-1]["content"]) for p in pairs]


def longer_reply_accuracy(pairs: Sequence[dict[str, Any]]) -> float:
    """The 'longer reply wins' baseline: a reward model must beat it to have learnt more than length."""
    longer = [c > r for c, r in zip(*reply_lengths(pairs))]
    return sum(longer) / len(longer)


def estimate_fields(estimate: Estimate) -> dict[str, Any]:
    """An accuracy as metrics.json holds it: value, SE, count and normal 95% CI (None where undefined)."""
    value = None if estimate.n == 0 else estimate.value
    half = None if estimate.stderr is None else Z95 * estimate.stderr
    return {"accuracy": value, "se": estimate.stderr, "n": estimate.n,
            "ci95": None if half is None else [estimate.value - half, estimate.value + half]}  # fmt: skip


class RewardModelRun:
    def __init__(
        self,
        recipe: RewardModelRecipe,
        results: str | Path = "results",
        log: Callable[[str], None] = print,
        progress: Progress = NULL_PROGRESS,
    ):
        from harness.registry import benchmarks

        self.recipe = recipe
        self.results = Path(results)
        self.progress = progress
        self.runner = StageRunner(StageStore(self.results / "store"), log, progress)
        self.stages = self.runner.stages
        self.log = log
        self.data = benchmarks.build("hh_rlhf", path=recipe.data_path)

    def pairs(
        self, subsets: Sequence[str], n: int | None, field: str = "train_pairs"
    ) -> dict[str, list[dict[str, Any]]]:
        try:
            return {name: self.data.pairs(name, n) for name in subsets}
        except ValueError as exc:  # more pairs asked for than a subset has
            raise RecipeError(f"{field}: {exc}") from None

    def train(self, pairs: dict[str, list[dict[str, Any]]]) -> StageResult:
        from harness.train import reward_model

        recipe, spec = self.recipe, self.recipe.train_spec()
        rows = [p for subset in pairs.values() for p in subset]
        path = resolve_model(recipe.model)

        def build(out: Path) -> dict[str, Any]:
            trained = reward_model(path, rows, spec, out / "model", pooling=recipe.pooling, progress=self.progress)
            return {"pairs": len(rows), **trained.metrics}

        config = {"reward": spec, "pooling": recipe.pooling}
        return self.runner.run("reward model", "reward", config, [model_key(recipe.model), stable_hash(rows)], build)

    def score(self, rm: StageResult, pairs: dict[str, list[dict[str, Any]]]) -> dict[str, dict[str, list[float]]]:
        """Rewards of every chosen and rejected reply, per subset (a stage: reruns read them back)."""
        import json

        from harness.registry import judges

        def build(out: Path) -> dict[str, Any]:
            judge = judges.reward_scorer(
                "reward_model", path=str(rm.path / "model"), batch_size=self.recipe.eval_batch_size
            )
            scores = {}
            # Counted per call of `rewards` (one per subset and side): a call batches its replies by length itself
            bar = self.progress.task(2 * sum(map(len, pairs.values())), "reply", "score")
            for subset, rows in pairs.items():
                chosen, rejected = zip(*(_conversations(p) for p in rows))
                scores[subset] = {"prompt_ids": [p["prompt_id"] for p in rows], "chosen": judge.rewards(chosen)}
                bar.advance(len(rows))
                scores[subset]["rejected"] = judge.rewards(rejected)
                bar.advance(len(rows))
            bar.close()
            write_json_atomic(out / "scores.json", scores)
            return {"pairs": {subset: len(rows) for subset, rows in pairs.items()}}

        config = {"rm_eval": {"batch_size": self.recipe.eval_batch_size}}
        result = self.runner.run("score", "rm_eval", config, [rm.content, stable_hash(pairs)], build)
        return json.loads((result.path / "scores.json").read_text())

    def run(self) -> dict[str, Any]:
        from harness.registry import metrics as metric_registry

        recipe, started = self.recipe, time.perf_counter()
        self.progress.begin(f"reward_model {recipe.name}", ["reward model", "score"])
        train_pairs = self.pairs(recipe.train_subsets, recipe.train_pairs)
        eval_pairs = self.pairs(recipe.eval_subsets, recipe.eval_pairs, "eval_pairs")
        rm = self.train(train_pairs)
        scores = self.score(rm, eval_pairs)
        accuracy = metric_registry.build("rm_accuracy")
        evaluation = {}
        for subset, rows in eval_pairs.items():
            s = scores[subset]
            by_length = accuracy_by_length(s["chosen"], s["rejected"], *reply_lengths(rows))
            evaluation[subset] = {
                **estimate_fields(accuracy(s["chosen"], s["rejected"])),
                "length_controlled": estimate_fields(by_length.longer_rejected),
                "longer_chosen": estimate_fields(by_length.longer_chosen),
                "same_length_pairs": by_length.same_length,
                "ties": sum(c == r for c, r in zip(s["chosen"], s["rejected"])),
                "longer_reply_baseline": longer_reply_accuracy(rows),
                "skipped": self.data.skipped(subset),
            }  # fmt: skip
        seconds = time.perf_counter() - started
        metrics = RewardModelMetrics.model_validate({
            "kind": "reward_model",
            "model": recipe.model,
            "train": {"pairs": rm.summary.get("pairs"), "seconds": round(rm.seconds, 2),
                      "subsets": {s: {"pairs": len(rows), "skipped": self.data.skipped(s)}
                                  for s, rows in train_pairs.items()},
                      **{k: v for k, v in rm.summary.items() if k in ("train_loss", "train_runtime")}},
            "eval": evaluation,
            "eval_seconds": round(self.stages["score"].seconds, 2),
        })  # fmt: skip
        record = run_record(recipe, seconds, self.stages)
        run_dir = claim_run_dir(self.results / "runs" / recipe.name, record)
        written = write_run_files(run_dir, record, metrics)
        self.progress.finish()
        self.log(f"run record: {run_dir / 'run.json'}")
        return {"run_dir": str(run_dir), "metrics": written, "record": record}


def _accuracy_cells(e: dict[str, Any]) -> tuple[str, str]:
    if e["accuracy"] is None:
        return "—", "—"
    se = "" if e["se"] is None else f" ± {e['se']:.3f}"
    ci = "—" if e["ci95"] is None else f"[{e['ci95'][0]:.3f}, {e['ci95'][1]:.3f}]"
    return f"{e['accuracy']:.3f}{se}", ci


def markdown(metrics: RewardModelMetrics, seconds: float | None = None) -> str:
    """The eval subsets as a table: accuracy ± SE and its 95% CI, on all pairs and on the pairs whose longer reply
    is the rejected one (length-controlled) or the chosen one, and the longer-reply baseline beside them."""
    train = metrics.train
    lines = ["| eval subset | pairs | accuracy ± SE | 95% CI | longer reply rejected: pairs | length-controlled "
             "accuracy ± SE | 95% CI | longer reply chosen: accuracy ± SE | longer-reply baseline | skipped rows |",
             "|---|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for subset, e in metrics.eval.items():  # each subset's cells as estimate_fields() wrote them
        plain, plain_ci = _accuracy_cells(e)
        controlled, controlled_ci = _accuracy_cells(e["length_controlled"])
        chosen_longer, _ = _accuracy_cells(e["longer_chosen"])
        skipped = ", ".join(f"{k}: {v}" for k, v in e["skipped"].items()) or "—"
        lines.append(
            f"| {subset} | {e['n']} | {plain} | {plain_ci} | {e['length_controlled']['n']} | {controlled} "
            f"| {controlled_ci} | {chosen_longer} | {e['longer_reply_baseline']:.3f} | {skipped} |"
        )
    trained_on = ", ".join(f"{s} ({v['pairs']})" for s, v in train["subsets"].items())
    lines.append("")
    lines.append(
        f"{metrics.model} trained on {train['pairs']} pairs: {trained_on}; train {train['seconds']:.0f}s, "
        f"scoring {metrics.eval_seconds:.0f}s" + (f", run {seconds:.0f}s." if seconds is not None else ".")
    )
    return "\n".join(lines)

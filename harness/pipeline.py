"""The loop: models -> SFT -> feedback per source -> DPO per source -> evaluation -> run record.

Every step is a stage in the content-addressed store (harness/store.py), keyed by its resolved config
and the keys of the stages it reads, so a rerun skips finished work and a crash loses only the stage
in flight. The pipeline holds no training or judging logic of its own: it wires registered plug-ins.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence


from harness import judge_quality, report
from harness.config import Recipe, build_source
from harness.export import export_trl_parquet
from harness.feedback import SourceContext, SourceOutput
from harness.generation import GenerationParams, Generator
from harness.hashing import stable_hash
from harness.records import claim_run_dir, read_jsonl, run_record, write_jsonl, write_run_files
from harness.registry import benchmarks
from harness.run_generators import build_generator
from harness.store import StageResult, StageStore, write_json_atomic
from harness.types import Completion, PreferencePair, Prompt


@dataclass
class ModelRef:
    """A model the run can load: where it lives and the stage key that produced it (or its path)."""

    name: str
    path: str
    key: str
    generator: str = "hf"
    generator_params: dict[str, Any] = field(default_factory=dict)


class Pipeline:
    def __init__(self, recipe: Recipe, results: str | Path = "results", log: Callable[[str], None] = print):
        self.recipe = recipe
        self.results = Path(results)
        self.store = StageStore(self.results / "store")
        self.log = log
        self.stages: dict[str, StageResult] = {}
        self.models: dict[str, ModelRef] = {}
        self._generators: dict[str, Generator] = {}
        self.benchmark = benchmarks.build(recipe.benchmark.name, **recipe.benchmark.params)

    # --- stage plumbing ---------------------------------------------------------------------------

    def stage(self, label: str, stage: str, config: Any, inputs: Sequence[str],
              build: Callable[[Path], dict[str, Any] | None],
              incomplete: Callable[[dict[str, Any]], bool] | None = None) -> StageResult:
        result = self.store.run(stage, config, list(inputs), build, incomplete)
        self.stages.setdefault(label, result)  # a stage read again later in the run keeps its first record
        how = "reused" if result.reused else f"done in {result.seconds:.1f}s"
        self.log(f"[{label}] {how}")
        return result

    def train(self, kind: str, model_path: str, data: Sequence[Any], spec: Any, out: Path) -> Any:
        """Every training stage's one call: in this process, or under `accelerate launch` when the recipe says so."""
        from harness.train.launch import train

        return train(kind, model_path, data, spec, out, launch=self.recipe.launch, log=self.log)

    def train_key(self) -> dict[str, Any]:
        """What a training stage's key adds for a launch; nothing without one, so in-process keys stay as they were."""
        return self.recipe.launch.stage_key() if self.recipe.launch is not None else {}

    def generator(self, name: str) -> Generator:
        if name not in self._generators:
            ref = self.models[name]
            self._generators[name] = build_generator(ref.generator, ref.path, ref.key, ref.generator_params,
                                                     self.results)
        return self._generators[name]

    def ledgers(self) -> dict[str, dict[str, Any]]:
        """Cumulative call ledgers of the remote generators loaded so far (calls, tokens, cost, failures)."""
        return {name: g.ledger.snapshot().model_dump() for name, g in self._generators.items()
                if hasattr(g, "ledger")}

    def completions(self, model: str, prompts: Sequence[Prompt], params: GenerationParams,
                    label: str | None = None, retry_missing: bool = False) -> list[list[Completion]]:
        ref = self.models[model]
        config = {"model": ref.key, "params": params, "prompts": prompt_set_key(prompts)}

        def build(out: Path) -> dict[str, Any]:
            done = self.generator(model).generate(prompts, params)
            n = write_jsonl(out / "completions.jsonl", (c for cs in done for c in cs))
            return {"completions": n, "missing": len(prompts) * params.n - n}

        # A sample missing from a finished stage is a remote call that failed every retry. With `retry_missing` the
        # next run asks again (the call cache answers every success at no cost), so a transient outage does not stay
        # in the results. Only for outputs read afresh by every run (evaluation): stages keyed on this stage's key,
        # such as feedback built from candidates, would otherwise disagree with what they were built from.
        result = self.stage(label or f"generate {model}", "generate", config, [ref.key], build,
                            incomplete=(lambda summary: summary.get("missing", 0) > 0) if retry_missing else None)
        by_prompt: dict[str, list[Completion]] = {p.id: [] for p in prompts}
        for c in read_jsonl(result.path / "completions.jsonl", Completion):
            by_prompt[c.prompt_id].append(c)
        return [sorted(by_prompt[p.id], key=lambda c: c.sample) for p in prompts]

    # --- steps ------------------------------------------------------------------------------------

    def resolve_models(self) -> None:
        from harness import zoo

        for name, spec in self.recipe.models.items():
            if spec.path is not None:
                self.models[name] = ModelRef(name, spec.path, stable_hash(spec), spec.generator, spec.generator_params)
            elif spec.sandbox is not None:
                path, key = zoo.pretrained(self, name, spec)
                self.models[name] = ModelRef(name, path, key, spec.generator, spec.generator_params)
            elif spec.gguf is not None:
                path, key = self.import_gguf(name, spec.gguf)
                self.models[name] = ModelRef(name, path, key, spec.generator, spec.generator_params)
        for name, spec in self.recipe.models.items():
            if spec.base is not None:
                self.models[name] = self.finetune(name, self.models[spec.base], spec.sft)

    def import_gguf(self, name: str, ref: str) -> tuple[str, str]:
        """Convert a .gguf checkpoint once into a model folder; keyed by the file's content, not where it lies."""
        from harness.model_import import import_gguf, resolve_gguf

        source = resolve_gguf(ref)
        result = self.stage(f"import {name}", "import", {"gguf_sha256": source.sha256, "dtype": "float32"}, [],
                            lambda out: import_gguf(source, out / "model"))
        return str(result.path / "model"), result.key

    def finetune(self, name: str, base: ModelRef, cfg: Any) -> ModelRef:
        """SFT on the benchmark's demonstrations (IFT) plus judging examples (EFT) in the judge prompt's format."""
        from judges.prompt_spec import load_judge_prompt

        config = {"sft": cfg, "benchmark": self.recipe.benchmark, "seed": self.recipe.seed, **self.train_key()}
        examples = self.judging_examples(base, cfg) if cfg.judging_examples else []

        def build(out: Path) -> dict[str, Any]:
            conversations = self.benchmark.demonstrations(cfg.demonstrations)
            if examples:
                judge_prompt = load_judge_prompt(cfg.judge_prompt)
                conversations += [
                    [{"role": "user", "content": judge_prompt.render(p, r)},
                     {"role": "assistant", "content": judge_prompt.answer(s)}]
                    for p, r, s in examples
                ]
            spec = cfg.train.model_copy(update={"seed": self.recipe.seed})
            result = self.train("sft", base.path, conversations, spec, out / "model")
            return {"examples": len(conversations), **result.metrics}

        samples = self.stages.get(f"judging samples {base.name}")
        result = self.stage(f"sft {name}", "sft", config, [base.key, *([samples.key] if samples else [])], build)
        return ModelRef(name, str(result.path / "model"), result.key, base.generator, base.generator_params)

    def judging_examples(self, base: ModelRef, cfg: Any) -> list[tuple[str, str, int]]:
        """EFT data: the benchmark's stock examples plus, where it has a gold grader, the base model's own
        samples on `sft`-split prompts graded by it, so the judge learns on the outputs it will judge."""
        n_own = round(cfg.judging_examples * cfg.judging_policy_share) if self.benchmark_has_gold() else 0
        examples = [tuple(e) for e in self.benchmark.judging_examples(cfg.judging_examples - n_own)]
        if n_own:
            params = self.recipe.feedback.candidates.model_copy(update={"n": 4, "seed": self.recipe.seed})
            prompts = self.benchmark.prompts("sft", -(-n_own // params.n))
            samples = self.completions(base.name, prompts, params, f"judging samples {base.name}")
            own = [(p.text, c.text, round(self.benchmark.grade(p, c.text))) for p, cs in zip(prompts, samples)
                   for c in cs]
            examples += own[:n_own]
        return examples

    def sft(self) -> None:
        policy, cfg = self.models[self.recipe.policy], self.recipe.sft
        if cfg.demonstrations == 0 and cfg.judging_examples == 0:  # an instruction-tuned policy needs none
            self.log(f"[sft M1] skipped: sft has no demonstrations or judging examples, so M1 is {policy.name}")
            self.models["M1"] = ModelRef("M1", policy.path, policy.key, policy.generator, policy.generator_params)
            return
        self.models["M1"] = self.finetune("M1", policy, cfg)

    def context(self, policy: str = "M1") -> SourceContext:
        return SourceContext(
            policy=policy, candidate_params=self.recipe.feedback.candidates.model_copy(update={"seed": self.recipe.seed}),
            seed=self.recipe.seed, generators=_LazyGenerators(self), benchmark=self.benchmark,
            candidates_fn=lambda model, prompts, params: self.completions(model, prompts, params,
                                                                          f"candidates {model}"),
        )

    def feedback(self, name: str, prompts: Sequence[Prompt], ctx: SourceContext, label: str) -> StageResult:
        src = build_source(self.recipe, name)
        # How many rounds follow is not part of what one round computes: round 1 of a 2-round run is the
        # same stage as a 1-round run.
        params = {k: v for k, v in self.recipe.source_kwargs(name).items() if k != "rounds"}
        config = {"source": self.recipe.source_type(name), "params": params,
                  "candidates": ctx.candidate_params, "prompts": prompt_set_key(prompts)}
        # Upstream = the recipe's models and the policy; other sources' M2s are not inputs of this source.
        inputs = [m.key for n, m in self.models.items() if n in self.recipe.models] + [self.models[ctx.policy].key]

        def build(out: Path) -> dict[str, Any]:
            before = self.ledgers()
            result: SourceOutput = src.build(prompts, ctx)
            ledger = ledger_delta(before, self.ledgers())
            write_jsonl(out / "preferences.jsonl", result.pairs)
            write_jsonl(out / "judgments.jsonl", result.judgments)
            export_trl_parquet(out / "preferences.parquet", result.pairs)
            by_id = {p.id: p for p in prompts}
            stats = {**result.stats(), **report.pair_accuracy(result.pairs, by_id, ctx.gold)}
            return {**stats, "ledger": ledger} if ledger else stats

        return self.stage(f"feedback {label}", "feedback", config, inputs, build)

    def dpo(self, name: str, pairs_stage: StageResult, start: str, label: str) -> None:
        m1 = self.models[start]
        spec = self.recipe.dpo.model_copy(update={"seed": self.recipe.seed})

        def build(out: Path) -> dict[str, Any]:
            pairs = read_jsonl(pairs_stage.path / "preferences.jsonl", PreferencePair)
            result = self.train("dpo", m1.path, [p.to_trl() for p in pairs], spec, out / "model")
            return {"pairs": len(pairs), **result.metrics}

        result = self.stage(f"dpo {label}", "dpo", {"dpo": spec, **self.train_key()}, [m1.key, pairs_stage.key], build)
        self.models[label] = ModelRef(label, str(result.path / "model"), result.key, m1.generator, m1.generator_params)

    def evaluate(self, model: str, prompts: Sequence[Prompt]) -> dict[str, list[float | None]]:
        """Gold score of sample k of each prompt, at index k; None where the sample failed (a remote call that
        never succeeded), so sample k is always compared with the baseline's sample k and a failure is no score."""
        ev = self.recipe.evaluation
        completions = self.eval_completions(model, prompts)
        scores: dict[str, list[float | None]] = {}
        for p, cs in zip(prompts, completions, strict=True):
            by_sample = {c.sample: float(self.benchmark.grade(p, c.text)) for c in cs}
            scores[p.id] = [by_sample.get(k) for k in range(ev.samples)]
        return scores

    def eval_params(self) -> GenerationParams:
        ev = self.recipe.evaluation
        return GenerationParams(n=ev.samples, temperature=ev.temperature, max_new_tokens=ev.max_new_tokens,
                                seed=self.recipe.seed + 1)

    def eval_completions(self, model: str, prompts: Sequence[Prompt]) -> list[list[Completion]]:
        return self.completions(model, prompts, self.eval_params(), f"evaluate {model}", retry_missing=True)

    # --- the whole loop -------------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        recipe, started = self.recipe, time.perf_counter()
        self.resolve_models()
        self.sft()
        feedback_prompts = self.benchmark.prompts("feedback", recipe.feedback.prompts)
        source_stats: dict[str, dict[str, Any]] = {}
        for name in recipe.sources:
            source_stats[name] = self.iterate(name, feedback_prompts)
        if recipe.rmsp is not None:
            self.rmsp()
        eval_prompts = self.benchmark.prompts("eval", recipe.evaluation.prompts)
        # Every model the run has: the recipe's, M1, then what it trained (M2-, M3-, ... rounds, RMSP-).
        rows = [*recipe.models, "M1", *(m for m in self.models if m not in recipe.models and m != "M1")]
        if recipe.evaluation.judge is None:
            scores = {row: self.evaluate(row, eval_prompts) for row in rows}
            metrics = report.build_metrics(recipe, scores, source_stats, self.premise_models())
            evaluation_file = "scores.json"
        else:  # no gold grader: pairwise win rates vs the baseline from the judge (harness/judged_eval.py)
            from harness.judged_eval import judged_evaluation

            judged = judged_evaluation(self, rows, eval_prompts)
            metrics = report.build_judged_metrics(recipe, judged, source_stats)
            scores, evaluation_file = judged.model_dump(mode="json"), "judged.json"
        if self.benchmark_has_gold():
            metrics["judge_quality"] = judge_quality.table(self, feedback_prompts)
        record = self.run_record(time.perf_counter() - started)
        run_dir = claim_run_dir(self.results / "runs" / recipe.name, record)
        write_json_atomic(run_dir / evaluation_file, scores)
        write_run_files(run_dir, record, metrics)
        self.log(f"run record: {run_dir / 'run.json'}")
        return {"run_dir": str(run_dir), "metrics": metrics, "record": record}

    def iterate(self, name: str, prompts: Sequence[Prompt]) -> dict[str, Any]:
        """Rounds of feedback + DPO: round r judges and trains from the previous round's model
        (M1 -> M2 -> M3 ..., as in Self-Rewarding LMs). A source with no pairs stops, honestly."""
        rounds = getattr(build_source(self.recipe, name), "rounds", 1)
        stats: dict[str, Any] = {}
        policy = "M1"
        for r in range(1, rounds + 1):
            label = f"M{r + 1}-{name}"
            stage = self.feedback(name, prompts, self.context(policy), label if r > 1 else name)
            round_stats = {**stage.summary, "feedback_seconds": round(stage.seconds, 2)}
            if not stage.summary["pairs"]:
                self.log(f"[dpo {label}] skipped: the source produced no pairs (dropped: {stage.summary['dropped']})")
                stats = stats or round_stats
                break
            self.dpo(name, stage, policy, label)
            round_stats["dpo_seconds"] = round(self.stages[f"dpo {label}"].seconds, 2)
            stats = round_stats if r == 1 else {**stats, f"round{r}": round_stats}
            policy = label
        return stats

    def rmsp(self) -> None:
        """ALMoST's RMSP: the base policy samples, the RM trained on the source's pairs keeps the best,
        and SFT on those picks gives the row RMSP-<source>."""
        from judges.almost.rmsp import RewardModelScorer, rm_guided_self_play

        cfg = self.recipe.rmsp
        rm = judge_quality.reward_model_stage(self, cfg.source)
        if rm is None:  # the source was left out (--set sources=[...]) or gave no pairs
            self.log(f"[rmsp {cfg.source}] skipped: no pairs from {cfg.source!r} in this run to train a reward model")
            return
        base = self.models[self.recipe.policy]
        prompts = self.benchmark.prompts("sft", cfg.prompts)
        params = self.recipe.feedback.candidates.model_copy(update={"n": cfg.samples, "seed": self.recipe.seed})
        spec = cfg.train.model_copy(update={"seed": self.recipe.seed})

        def build(out: Path) -> dict[str, Any]:
            picks = rm_guided_self_play(self.generator(base.name), RewardModelScorer(str(rm.path / "model")),
                                        prompts, cfg.samples, params=params)
            write_json_atomic(out / "demonstrations.json", picks)
            result = self.train("sft", base.path, picks, spec, out / "model")
            return {"demonstrations": len(picks), **result.metrics}

        config = {"rmsp": cfg, "params": params, **self.train_key()}
        result = self.stage(f"rmsp {cfg.source}", "rmsp", config, [base.key, rm.key], build)
        name = f"RMSP-{cfg.source}"
        self.models[name] = ModelRef(name, str(result.path / "model"), result.key, base.generator, base.generator_params)

    def benchmark_has_gold(self) -> bool:
        return callable(getattr(self.benchmark, "grade", None))

    def premise_models(self) -> tuple[str, str] | None:
        for name in self.recipe.sources:
            src = build_source(self.recipe, name)
            if hasattr(src, "strong") and hasattr(src, "weak"):
                return src.strong, src.weak
        return None

    def run_record(self, seconds: float) -> dict[str, Any]:
        return run_record(self.recipe, seconds, self.stages,
                          models={name: {"path": m.path, "key": m.key} for name, m in self.models.items()})


def prompt_set_key(prompts: Sequence[Prompt]) -> str:
    """Ids and content: a prompt file edited under the same ids must not reuse old completions."""
    return stable_hash([(p.id, p.messages) for p in prompts])


def ledger_delta(before: dict[str, dict[str, Any]], after: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """What one stage spent per remote model: counters as differences, latency percentiles as they stand."""
    spent = {}
    for name, now in after.items():
        was = before.get(name, {})
        delta = {k: (v - was.get(k, 0) if isinstance(v, (int, float)) and not isinstance(v, bool)
                     and not k.startswith("latency") else v) for k, v in now.items()}
        for k in ("failures", "attempt_errors"):
            if isinstance(now.get(k), dict):
                delta[k] = {r: n - was.get(k, {}).get(r, 0) for r, n in now[k].items() if n - was.get(k, {}).get(r, 0)}
        if delta.get("items"):
            spent[name] = delta
    return spent


class _LazyGenerators(dict):
    """Generators are loaded on first use: a source that never asks for a model never loads it."""

    def __init__(self, pipeline: Pipeline):
        super().__init__()
        self._pipeline = pipeline

    def __contains__(self, name: object) -> bool:
        return name in self._pipeline.models

    def __getitem__(self, name: str) -> Generator:
        return self._pipeline.generator(name)

    def __iter__(self):
        return iter(self._pipeline.models)


__all__ = ["Pipeline", "ModelRef", "export_trl_parquet"]

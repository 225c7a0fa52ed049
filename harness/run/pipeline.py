"""The loop: models -> SFT -> feedback per source -> DPO per source -> evaluation -> run record.

Every step is a stage in the content-addressed store (harness/run/store.py), keyed by its resolved config and the
content ids of the stages it reads, so a rerun skips finished work, a crash loses only the stage in flight, and a
stage rebuilt with new content (failed remote samples asked again) rebuilds what was made from it. The pipeline
holds no training or judging logic of its own: it wires registered plug-ins."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from harness.benchmark import gold_grader, own_judging_examples, stock_demonstrations, stock_judging_examples
from harness.feedback import CandidateFn, JudgedTokens, SourceContext, SourceOutput
from harness.generation import GenerationParams, Generator, ledger_snapshots
from harness.generation.remote_ledger import ledger_delta
from harness.hashing import stable_hash
from harness.judging.prompt_folders import load_judge_prompt
from harness.progress import NULL_PROGRESS, Progress
from harness.recipes.loader import Recipe, build_source
from harness.registry import benchmarks
from harness.report import scoring
from harness.report.export import export_trl_parquet
from harness.run import names
from harness.run.context import ModelRef, prompt_set_key, read_completions
from harness.run.generators import LazyGenerators, build_generator
from harness.run.records import claim_run_dir, read_jsonl, run_record, write_jsonl, write_run_files
from harness.run.stage_keys import source_key_params
from harness.run.stages import StageRunner
from harness.run.store import StageResult, StageStore, write_json_atomic
from harness.steps import judge_quality, teacher_sft
from harness.steps.online import train_online
from harness.steps.rmsp import train_rmsp
from harness.train.spec import Stage as TrainStage
from harness.types import Completion, PreferencePair, Prompt


class Pipeline:
    """Implements `harness.run.context.RunContext`, the part of it the helper steps may use."""

    def __init__(
        self,
        recipe: Recipe,
        results: str | Path = "results",
        log: Callable[[str], None] = print,
        progress: Progress = NULL_PROGRESS,
    ):
        self.recipe, self.results, self.log, self.progress = recipe, Path(results), log, progress
        self.store = StageStore(self.results / "store")
        self.runner = StageRunner(self.store, log, progress)
        self.stages = self.runner.stages
        self.models: dict[str, ModelRef] = {}
        self._generators: dict[str, Generator] = {}
        self.benchmark = benchmarks.build(recipe.benchmark.name, **recipe.benchmark.params)

    # --- stage plumbing ---------------------------------------------------------------------------

    def stage(
        self,
        label: str,
        stage: str,
        config: Any,
        inputs: Sequence[str],
        build: Callable[[Path], dict[str, Any] | None],
        incomplete: Callable[[dict[str, Any]], bool] | None = None,
    ) -> StageResult:
        return self.runner.run(label, stage, config, inputs, build, incomplete)

    def train(
        self, kind: TrainStage, model_path: str, data: Sequence[Any], spec: Any, out: Path, start_key: str = ""
    ) -> Any:
        """Every training stage's one call: in this process, or under `accelerate launch` when the recipe says so.
        A DPO stage given its start model's content id shares reference log-probabilities (harness/train/reference.py)."""
        from harness.train.launch import train
        from harness.train.reference import stage_reference

        reference, launch = stage_reference(self.results, kind, start_key), self.recipe.launch
        return train(kind, model_path, data, spec, out, launch=launch, log=self.log, progress=self.progress, reference=reference)  # fmt: skip

    def train_key(self) -> dict[str, Any]:
        """What a training stage's key adds for a launch; nothing without one, so in-process keys stay as they were."""
        return self.recipe.launch.stage_key() if self.recipe.launch is not None else {}

    def generator(self, name: str) -> Generator:
        if name not in self._generators:
            ref = self.models[name]
            self._generators[name] = build_generator(
                ref.generator, ref.path, ref.key, ref.generator_params, self.results, self.progress
            )
        return self._generators[name]

    def ledgers(self) -> dict[str, dict[str, Any]]:
        """Cumulative call ledgers of the remote generators loaded so far (calls, tokens, cost, failures)."""
        return ledger_snapshots(self._generators)

    def completions(
        self,
        model: str,
        prompts: Sequence[Prompt],
        params: GenerationParams,
        label: str | None = None,
        retry_missing: bool = False,
    ) -> list[list[Completion]]:
        return read_completions(self.completion_stage(model, prompts, params, label, retry_missing), prompts)

    def completion_stage(
        self,
        model: str,
        prompts: Sequence[Prompt],
        params: GenerationParams,
        label: str | None = None,
        retry_missing: bool = False,
    ) -> StageResult:
        ref = self.models[model]
        config = {"model": ref.key, "params": params, "prompts": prompt_set_key(prompts)}

        def build(out: Path) -> dict[str, Any]:
            done = self.generator(model).generate(prompts, params)
            n = write_jsonl(out / "completions.jsonl", (c for cs in done for c in cs))
            return {"completions": n, "missing": len(prompts) * params.n - n}

        # A sample missing from a finished stage is a remote call that failed every retry. With `retry_missing` the
        # next run asks again (the call cache answers every success at no cost), so a transient outage does not stay
        # in the results. A stage rebuilt with new samples gets a new content id (harness/run/store.py), so what was
        # built from the old samples (a feedback stage, through its `consumed` record) is rebuilt too.
        return self.stage(
            label or names.generate_label(model),
            "generate",
            config,
            [ref.key],
            build,
            incomplete=(lambda summary: summary.get("missing", 0) > 0) if retry_missing else None,
        )

    # --- steps ------------------------------------------------------------------------------------

    def resolve_models(self) -> None:
        from harness.steps import zoo

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
        from harness.steps.model_import import imported_model

        return imported_model(self.stage, names.import_label(name), ref)

    def finetune(self, name: str, base: ModelRef, cfg: Any) -> ModelRef:
        """SFT on the benchmark's demonstrations (IFT) plus judging examples (EFT) in the judge prompt's format."""
        config = {"sft": cfg, "benchmark": self.recipe.benchmark, "seed": self.recipe.seed, **self.train_key()}
        examples = self.judging_examples(base, cfg) if cfg.judging_examples else []

        def build(out: Path) -> dict[str, Any]:
            conversations = stock_demonstrations(self.benchmark, cfg.demonstrations)
            if examples:
                judge_prompt = load_judge_prompt(cfg.judge_prompt)
                conversations += [
                    [
                        {"role": "user", "content": judge_prompt.render(p, r)},
                        {"role": "assistant", "content": judge_prompt.answer(s)},
                    ]
                    for p, r, s in examples
                ]
            spec = cfg.train.model_copy(update={"seed": self.recipe.seed})
            result = self.train("sft", base.path, conversations, spec, out / "model")
            return {"examples": len(conversations), **result.metrics}

        samples = self.stages.get(names.judging_samples_label(base.name))
        result = self.stage(
            names.sft_label(name), "sft", config, [base.key, *([samples.content] if samples else [])], build
        )
        return ModelRef(name, str(result.path / "model"), result.content, base.generator, base.generator_params)

    def judging_examples(self, base: ModelRef, cfg: Any) -> list[tuple[str, str, int]]:
        """EFT data: the benchmark's stock examples plus, where it has a gold grader, the base model's own
        samples on `sft`-split prompts graded by it, so the judge learns on the outputs it will judge."""
        grade = self.benchmark.grader()
        n_own = own_judging_examples(cfg.judging_examples, cfg.judging_policy_share, grade is not None)
        examples = stock_judging_examples(self.benchmark, cfg.judging_examples - n_own)
        if n_own:
            assert grade is not None  # own_judging_examples asks for none without a grader
            params = self.recipe.feedback.candidates.model_copy(update={"n": 4, "seed": self.recipe.seed})
            prompts = self.benchmark.prompts("sft", -(-n_own // params.n))
            samples = self.completions(base.name, prompts, params, names.judging_samples_label(base.name))
            own = [(p.text, c.text, round(grade(p, c.text))) for p, cs in zip(prompts, samples) for c in cs]
            examples += own[:n_own]
        return examples

    def sft(self) -> None:
        policy, cfg = self.models[self.recipe.policy], self.recipe.sft
        if cfg.demonstrations == 0 and cfg.judging_examples == 0:  # an instruction-tuned policy needs none
            self.log(
                f"[{names.sft_label(names.M1)}] skipped: sft has no demonstrations or judging examples, "
                f"so {names.M1} is {policy.name}"
            )
            self.models[names.M1] = ModelRef(
                names.M1, policy.path, policy.key, policy.generator, policy.generator_params
            )
            return
        self.models[names.M1] = self.finetune(names.M1, policy, cfg)

    def candidate_params(self) -> GenerationParams:
        """How the policy samples feedback candidates; judge quality ranks the same candidates."""
        return self.recipe.feedback.candidates.model_copy(update={"seed": self.recipe.sampling_seed})

    def context(self, policy: str, candidates_fn: CandidateFn) -> SourceContext:
        return SourceContext(
            policy=policy,
            candidate_params=self.candidate_params(),
            seed=self.recipe.sampling_seed,
            generators=LazyGenerators(self.generator, self.models),
            benchmark=self.benchmark,
            candidates_fn=candidates_fn,
        )

    def feedback(self, name: str, prompts: Sequence[Prompt], policy: str, label: str) -> StageResult:
        """A source's pairs, as a stage. It records the candidate stages it read (`consumed`: their content ids) and
        what its remote calls failed (`ledger`); a rerun rebuilds it in place while either says it is out of date
        (a failed sample, or candidates rebuilt since), and the call cache answers every earlier success for free."""
        src = build_source(self.recipe, name)
        consumed: list[tuple[str, str, str, int]] = []  # (stage, key, content id, missing samples) per stage read
        judged = JudgedTokens()

        def candidates(model: str, asked: Sequence[Prompt], params: GenerationParams) -> list[list[Completion]]:
            stage = self.completion_stage(model, asked, params, names.candidates_label(model), retry_missing=True)
            consumed.append((stage.name, stage.key, stage.content, stage.summary.get("missing", 0)))
            return judged.seen(read_completions(stage, asked))

        ctx = self.context(policy, candidates)
        params = source_key_params(self.recipe, name)
        config = {
            "source": self.recipe.source_type(name),
            "params": params,
            "candidates": ctx.candidate_params,
            "prompts": prompt_set_key(prompts),
        }
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
            stats = {
                **result.stats(),
                **judged.stats(result.judgments),
                **scoring.pair_accuracy(result.pairs, by_id, ctx.gold),
                "consumed": sorted(set(consumed)),
            }
            return {**stats, "ledger": ledger} if ledger else stats

        return self.stage(label, "feedback", config, inputs, build, incomplete=self.feedback_out_of_date)

    def feedback_out_of_date(self, summary: dict[str, Any]) -> bool:
        """A remote call of the feedback failed for good, a candidate it read was missing, or a candidate stage it
        read has been rebuilt since (its content id moved)."""
        failed = any(led.get("failures") for led in (summary.get("ledger") or {}).values())
        consumed = summary.get("consumed") or []
        return failed or any(
            missing or self.store.content_of(stage, key) != content for stage, key, content, missing in consumed
        )

    def dpo(self, name: str, pairs_stage: StageResult, start: str, label: str) -> None:
        m1 = self.models[start]
        spec = self.recipe.dpo.model_copy(update={"seed": self.recipe.training_seed})

        def build(out: Path) -> dict[str, Any]:
            pairs = read_jsonl(pairs_stage.path / "preferences.jsonl", PreferencePair)
            result = self.train("dpo", m1.path, [p.to_trl() for p in pairs], spec, out / "model", m1.key)
            return {"pairs": len(pairs), **result.metrics}

        result = self.stage(
            names.dpo_label(label), "dpo", {"dpo": spec, **self.train_key()}, [m1.key, pairs_stage.content], build
        )
        self.models[label] = ModelRef(
            label, str(result.path / "model"), result.content, m1.generator, m1.generator_params
        )

    def evaluate(self, model: str, prompts: Sequence[Prompt]) -> dict[str, list[float | None]]:
        """Gold score of sample k of each prompt, at index k; None where the sample failed (a remote call that
        never succeeded), so sample k is always compared with the baseline's sample k and a failure is no score."""
        ev, grade = self.recipe.evaluation, gold_grader(self.benchmark)
        completions = self.eval_completions(model, prompts)
        scores: dict[str, list[float | None]] = {}
        for p, cs in zip(prompts, completions, strict=True):
            by_sample = {c.sample: float(grade(p, c.text)) for c in cs}
            scores[p.id] = [by_sample.get(k) for k in range(ev.samples)]
        return scores

    def eval_params(self) -> GenerationParams:
        ev = self.recipe.evaluation
        return GenerationParams(
            n=ev.samples, temperature=ev.temperature, max_new_tokens=ev.max_new_tokens, seed=self.recipe.seed + 1
        )

    def eval_completions(self, model: str, prompts: Sequence[Prompt]) -> list[list[Completion]]:
        return self.completions(model, prompts, self.eval_params(), names.evaluate_label(model), retry_missing=True)

    # --- the whole loop -------------------------------------------------------------------------

    def run(self) -> dict[str, Any]:
        recipe, started = self.recipe, time.perf_counter()
        self.progress.begin(f"run {recipe.name}")
        self.resolve_models()
        self.sft()
        feedback_prompts = self.benchmark.prompts("feedback", recipe.feedback.prompts)
        source_stats: dict[str, dict[str, Any]] = {}
        for name in recipe.sources:
            source_stats[name] = self.iterate(name, feedback_prompts)
        if recipe.online is not None:  # rows M2-<source>-online (harness/steps/online.py)
            source_stats.update(train_online(self, feedback_prompts))
        if recipe.rmsp is not None:
            self.rmsp()
        if recipe.teacher_sft is not None:
            teacher_sft.train_teacher_sft(self, feedback_prompts)
        eval_prompts = self.benchmark.prompts("eval", recipe.evaluation.prompts)
        # Every model the run has: the recipe's, M1, then what it trained (M2-, M3-, ... rounds, RMSP-).
        rows = [*recipe.models, names.M1, *(m for m in self.models if m not in recipe.models and m != names.M1)]
        if recipe.evaluation.judge is None:
            scores = {row: self.evaluate(row, eval_prompts) for row in rows}
            metrics = scoring.build_metrics(recipe, scores, source_stats, scoring.premise_models(recipe))
            evaluation_file = "scores.json"
        else:  # no gold grader: pairwise win rates vs the baseline from the judge (harness/steps/pairwise_eval.py)
            from harness.steps.pairwise_eval import judged_evaluation

            judged = judged_evaluation(self, rows, eval_prompts)
            metrics = scoring.build_judged_metrics(recipe, judged, source_stats)
            scores, evaluation_file = judged.model_dump(mode="json"), "judged.json"
        teacher_sft.add_row_fields(self, metrics)  # gold-graded or judged, the SFT-<teacher> row states its cost
        if self.benchmark.grader() is not None:
            metrics.judge_quality = judge_quality.table(self, feedback_prompts)
        record = self.run_record(time.perf_counter() - started)
        run_dir = claim_run_dir(self.results / "runs" / recipe.name, record)
        write_json_atomic(run_dir / evaluation_file, scores)
        written = write_run_files(run_dir, record, metrics)
        self.progress.finish()
        self.log(f"run record: {run_dir / 'run.json'}")
        return {"run_dir": str(run_dir), "metrics": written, "record": record}

    def iterate(self, name: str, prompts: Sequence[Prompt]) -> dict[str, Any]:
        """Rounds of feedback + DPO: round r judges and trains from the previous round's model
        (M1 -> M2 -> M3 ..., as in Self-Rewarding LMs). A source with no pairs stops, honestly."""
        rounds = build_source(self.recipe, name).rounds
        stats: dict[str, Any] = {}
        policy = names.M1
        for r in range(1, rounds + 1):
            label = names.round_model(name, r)
            stage = self.feedback(name, prompts, policy, names.feedback_label(name, r))
            round_stats = {
                **{k: v for k, v in stage.summary.items() if k != "consumed"},
                "feedback_seconds": round(stage.seconds, 2),
                "stages": {"feedback": names.feedback_label(name, r)},
            }
            if not stage.summary["pairs"]:
                self.log(
                    f"[{names.dpo_label(label)}] skipped: the source produced no pairs "
                    f"(dropped: {stage.summary['dropped']})"
                )
                stats = stats or round_stats
                break
            self.dpo(name, stage, policy, label)
            round_stats["dpo_seconds"] = round(self.stages[names.dpo_label(label)].seconds, 2)
            round_stats["stages"]["dpo"] = names.dpo_label(label)
            stats = round_stats if r == 1 else {**stats, f"round{r}": round_stats}
            policy = label
        return stats

    def rmsp(self) -> None:
        model = train_rmsp(self)
        if model is not None:
            self.models[model.name] = model

    def run_record(self, seconds: float) -> dict[str, Any]:
        return run_record(
            self.recipe,
            seconds,
            self.stages,
            models={name: {"path": m.path, "key": m.key} for name, m in self.models.items()},
        )


__all__ = ["ModelRef", "Pipeline", "export_trl_parquet"]

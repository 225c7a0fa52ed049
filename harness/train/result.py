"""How every stage ends: train, save a model directory later stages load like any checkpoint, describe the run."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from harness.progress import NULL_PROGRESS, Progress

if TYPE_CHECKING:
    from transformers import Trainer

ADAPTER_SUBDIR = "adapter"


class TrainResult(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    path: Path = Field(description="directory with the final model and tokenizer (save_pretrained layout)")
    metrics: dict[str, float] = Field(description="end-of-training metrics: train_loss, train_runtime, ...")
    log_history: list[dict[str, Any]] = Field(description="the trainer's periodic logs, one dict per logging step")
    adapter_path: Path | None = Field(None, description="the LoRA adapter alone, when the stage trained one")


def train_and_save(
    trainer: Trainer,
    out_dir: str | Path,
    checkpoint_dir: str | Path | None = None,
    progress: Progress = NULL_PROGRESS,
) -> TrainResult:
    """Run `trainer`, save the final model + tokenizer into `out_dir` and return what happened.

    Inside a pipeline stage (or given `checkpoint_dir`) training checkpoints by `checkpoints.DEFAULT_POLICY` into the
    stage's partial folder and, rerun after a crash, resumes from the newest complete checkpoint with the same
    result as an uninterrupted run (harness.train.checkpoints); metrics then add `checkpoint_seconds` and
    `resumed_from_step`.

    A LoRA adapter is merged into its base before saving, so every stage's output loads with a plain
    `AutoModelFor*.from_pretrained(out_dir)` (generators and judges need not know about peft); the adapter alone
    is kept in `out_dir/adapter`. Under `accelerate launch` every rank calls this and only rank 0 writes. When the
    trainer counted input tokens, metrics add `train_tokens` and `train_tokens_per_second`. Steps are reported to
    `progress` as they end; with `progress.verbose` the trainer also prints its own log lines.
    """
    from transformers.trainer_callback import PrinterCallback

    from harness.store import partial_dir
    from harness.train import checkpoints
    from harness.train.progress import StepProgress

    if not progress.verbose:
        trainer.remove_callback(PrinterCallback)  # with the progress bar off, Trainer would print every log to stdout
    trainer.add_callback(StepProgress(progress))
    out_dir = Path(out_dir)
    if checkpoint_dir is None and (stage_partial := partial_dir()) is not None:
        checkpoint_dir = stage_partial / "checkpoints" / out_dir.name
    saver = None
    if checkpoint_dir is not None:
        saver = checkpoints.ResumableCheckpoints(trainer, Path(checkpoint_dir), checkpoints.DEFAULT_POLICY)
        trainer.add_callback(saver)
    resume = saver.resume_from if saver else None
    output = trainer.train(resume_from_checkpoint=str(resume) if resume else None)
    model = trainer.accelerator.unwrap_model(trainer.model)
    adapter_path = None
    if hasattr(model, "merge_and_unload"):
        adapter_path = out_dir / ADAPTER_SUBDIR
        trainer.save_model(str(adapter_path))  # every rank calls it: under FSDP / ZeRO-3 saving gathers shards
        if trainer.is_world_process_zero():
            model = merged(model, adapter_path)
            model.save_pretrained(out_dir)
            assert trainer.processing_class is not None  # every trainer here is built with its tokenizer
            trainer.processing_class.save_pretrained(out_dir)
    else:
        # Trainer.save_model gathers sharded weights (FSDP full state dict, ZeRO-3 16-bit) and writes from rank 0 only
        trainer.save_model(str(out_dir))
        if trainer.is_world_process_zero():
            (out_dir / "training_args.bin").unlink(missing_ok=True)  # a pickle of the config: the stage records it
    metrics = {name: float(value) for name, value in output.metrics.items()}
    if saver is not None:
        metrics["checkpoint_seconds"] = saver.save_seconds
        if resume is not None:
            # HF averages the loss over this call's steps only; the restored total covers every step
            metrics["train_loss"] = trainer._total_loss_scalar / max(trainer.state.global_step, 0.001)
            metrics["resumed_from_step"] = float(resume.name.removeprefix(checkpoints.PREFIX))
    if trainer.state.num_input_tokens_seen:
        metrics["train_tokens"] = float(trainer.state.num_input_tokens_seen)
        metrics["train_tokens_per_second"] = metrics["train_tokens"] / max(metrics["train_runtime"], 1e-9)
    history = [dict(entry) for entry in trainer.state.log_history]
    return TrainResult(path=out_dir, metrics=metrics, log_history=history, adapter_path=adapter_path)


def merged(model: Any, adapter_path: Path) -> Any:
    """The adapter folded into its base. A quantised (QLoRA) base is reloaded unquantised in its compute dtype first:
    folding an update into 4-bit weights rounds most of it away and saves a model only bitsandbytes on CUDA loads.
    (That branch runs only where bitsandbytes does, on CUDA: not exercised by the CPU test suite.)"""
    base = model.get_base_model()
    if not (getattr(base, "is_loaded_in_4bit", False) or getattr(base, "is_loaded_in_8bit", False)):
        return model.merge_and_unload()
    from peft import PeftModel

    quantization = base.config.quantization_config
    dtype = getattr(quantization, "bnb_4bit_compute_dtype", None) or base.dtype
    fresh = type(base).from_pretrained(model.peft_config["default"].base_model_name_or_path, dtype=dtype)
    return PeftModel.from_pretrained(fresh, str(adapter_path)).merge_and_unload()

"""Direct preference optimisation from a saved policy.

The reference model is a frozen copy of the start model: TRL loads a second copy from `model_path`, or, with LoRA,
uses the same weights with the adapter switched off (no second copy needed). Given a `ReferenceCache`, its
log-probabilities are computed once per answer before training and shared with every later DPO stage from the
same start model (harness/train/reference.py); the metrics then count the pairs computed and reused.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from harness.progress import NULL_PROGRESS, Progress
from harness.train.pairs import preference_dataset
from harness.train.reference import ReferenceCache, ReferenceCounts, cached_reference_trainer, usable
from harness.train.result import TrainResult, train_and_save
from harness.train.runtime import configure_torch_threads, training_output
from harness.train.spec import TrainSpec
from harness.types import PreferencePair

if TYPE_CHECKING:
    from trl import DPOTrainer


def dpo_trainer(
    model_path: str | Path,
    pairs: Sequence[Mapping[str, Any] | PreferencePair],
    spec: TrainSpec,
    out_dir: str | Path,
    tokenizer_path: str | Path | None = None,
    reference: ReferenceCache | None = None,
    counts: ReferenceCounts | None = None,
) -> DPOTrainer:
    """The DPOTrainer `dpo` runs, built as TRL builds it: `trainer.ref_model` is None with a LoRA adapter. With
    `reference` (and a configuration it can serve) the reference log-probabilities come from its cache."""
    from transformers import AutoTokenizer
    from trl import DPOTrainer

    configure_torch_threads()
    config = spec.to_trl_config("dpo", out_dir)
    kwargs: dict[str, Any] = {
        "model": str(model_path),
        "args": config,
        "train_dataset": preference_dataset(pairs),
        "processing_class": AutoTokenizer.from_pretrained(tokenizer_path or model_path),
        "peft_config": spec.peft_config("CAUSAL_LM"),
    }
    with training_output(not config.disable_tqdm):
        if reference is not None and not config.precompute_ref_log_probs and usable(config) is None:
            return cached_reference_trainer(reference, counts or ReferenceCounts(), **kwargs)
        return DPOTrainer(**kwargs)


def dpo(
    model_path: str | Path,
    pairs: Sequence[Mapping[str, Any] | PreferencePair],
    spec: TrainSpec,
    out_dir: str | Path,
    tokenizer_path: str | Path | None = None,
    progress: Progress = NULL_PROGRESS,
    reference: ReferenceCache | None = None,
) -> TrainResult:
    """DPO on conversational prompt/chosen/rejected pairs; the tokenizer defaults to the one saved with the model.

    TRL loads policy and reference from the path, so `trl.model_init_kwargs` (e.g. a dtype) applies to both.
    """
    counts = ReferenceCounts()
    trainer = dpo_trainer(model_path, pairs, spec, out_dir, tokenizer_path, reference, counts)
    with training_output(progress.verbose or not trainer.args.disable_tqdm):
        result = train_and_save(trainer, out_dir, progress=progress)
    if not (counts.computed or counts.reused):
        return result
    extra = {"reference_pairs_computed": float(counts.computed), "reference_pairs_reused": float(counts.reused)}
    return result.model_copy(update={"metrics": {**result.metrics, **extra}})

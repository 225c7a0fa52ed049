"""Bradley-Terry reward model: a backbone with a one-output score head, trained on preference pairs.

Decoder backbones (a causal LM) go through TRL's own tokenisation: chat template, EOS appended, the score read at
the last non-pad token. Encoder backbones (BERT-style, no EOS, no chat template) read `[CLS] prompt [SEP] reply
[SEP]` built by `harness.train.reward_inputs`, the same function the reward-model judge scores with, and may pool
the mean of their hidden states instead of [CLS] (`pooling`, harness.train.pooling).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from harness.progress import NULL_PROGRESS, Progress
from harness.train.pairs import preference_dataset
from harness.train.pooling import Pooling, reward_model_class
from harness.train.result import TrainResult, train_and_save
from harness.train.reward_inputs import encoder_preference_dataset, is_encoder_tokenizer
from harness.train.runtime import configure_torch_threads, training_output
from harness.train.spec import TrainSpec
from harness.types import PreferencePair


def reward_model(
    model_path: str | Path,
    pairs: Sequence[Mapping[str, Any] | PreferencePair],
    spec: TrainSpec,
    out_dir: str | Path,
    tokenizer_path: str | Path | None = None,
    pooling: Pooling = "head",
    progress: Progress = NULL_PROGRESS,
) -> TrainResult:
    """Train a reward model from the model at `model_path`; reload it with `harness.train.pooling.load_reward_model`.

    TRL loads the model (seeded, `num_labels=1`, `trl.model_init_kwargs` applied) and puts the tokenizer's pad token on
    its config. Decoders: the score is read at the last non-pad token, EOS stands in when the tokenizer has no pad
    token, and TRL drops pairs longer than `spec.max_length`. Encoders: the score is read from [CLS] (or, with
    `pooling="mean"`, from the mean over the tokens), every pair is kept, cut to `spec.max_length` (the saved
    tokenizer's `model_max_length`, so scoring cuts the same way). With `pooling="head"` the saved model is a plain
    AutoModelForSequenceClassification checkpoint.
    """
    from transformers import AutoTokenizer
    from trl import RewardTrainer

    configure_torch_threads()
    config = spec.to_trl_config("reward", out_dir)
    tokenizer = AutoTokenizer.from_pretrained(tokenizer_path or model_path)
    dataset = preference_dataset(pairs)
    with training_output(progress.verbose or not config.disable_tqdm):
        if is_encoder_tokenizer(tokenizer):
            tokenizer.model_max_length = spec.max_length
            dataset = encoder_preference_dataset(tokenizer, dataset, spec.max_length)
        trainer = RewardTrainer(
            model=str(model_path) if pooling == "head" else _pooled_model(model_path, pooling, config),
            args=config,
            train_dataset=dataset,
            processing_class=tokenizer,
            peft_config=spec.peft_config("SEQ_CLS"),
        )
        return train_and_save(trainer, out_dir, progress=progress)


def _pooled_model(model_path: str | Path, pooling: Pooling, config: Any) -> Any:
    """The model TRL would load from the path, in the class that pools as asked, seeded as TRL seeds it."""
    from transformers import AutoConfig, set_seed
    from trl.trainer.utils import create_model_from_path

    model_class = reward_model_class(pooling, AutoConfig.from_pretrained(model_path).model_type)
    set_seed(config.seed)  # the new score head starts the same way on every run
    model = create_model_from_path(str(model_path), model_class, num_labels=1, **(config.model_init_kwargs or {}))
    config.model_init_kwargs = None  # used here; TRL would only warn that an instance ignores them
    return model

"""Bradley-Terry reward model: a backbone with a one-output score head, trained on preference pairs.

Decoder backbones (a causal LM) go through TRL's own tokenisation: chat template, EOS appended, the score read at
the last non-pad token. Encoder backbones (BERT-style, no EOS, no chat template) read `[CLS] prompt [SEP] reply
[SEP]` built by `harness.train.reward_inputs`, the same function the reward-model judge scores with.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

from harness.train.pairs import preference_dataset
from harness.train.result import TrainResult, train_and_save
from harness.train.reward_inputs import encoder_preference_dataset, is_encoder_tokenizer
from harness.train.runtime import configure_torch_threads, progress_bars
from harness.train.spec import TrainSpec
from harness.types import PreferencePair


def reward_model(
    model_path: str | Path,
    pairs: Sequence[Mapping[str, Any] | PreferencePair],
    spec: TrainSpec,
    out_dir: str | Path,
    tokenizer_path: str | Path | None = None,
) -> TrainResult:
    """Train a reward model from the model at `model_path`; reload it with AutoModelForSequenceClassification.

    TRL loads the model (seeded, `num_labels=1`, `trl.model_init_kwargs` applied) and puts the tokenizer's pad token on
    its config. Decoders: the score is read at the last non-pad token, EOS stands in when the tokenizer has no pad
    token, and TRL drops pairs longer than `spec.max_length`. Encoders: the score is read from [CLS], every pair is
    kept, cut to `spec.max_length` (the saved tokenizer's `model_max_length`, so scoring cuts the same way).
    """
    from transformers import AutoTokenizer
    from trl import RewardTrainer

    configure_torch_threads()
    config = spec.to_trl_config("reward", out_dir)
    tokenizer = AutoTokenizer.from_pretrained(tokenizer_path or model_path)
    dataset = preference_dataset(pairs)
    with progress_bars(not config.disable_tqdm):
        if is_encoder_tokenizer(tokenizer):
            tokenizer.model_max_length = spec.max_length
            dataset = encoder_preference_dataset(tokenizer, dataset, spec.max_length)
        trainer = RewardTrainer(
            model=str(model_path),
            args=config,
            train_dataset=dataset,
            processing_class=tokenizer,
            peft_config=spec.peft_config("SEQ_CLS"),
        )
        return train_and_save(trainer, out_dir)

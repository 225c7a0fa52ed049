"""Bradley-Terry reward model: the policy's backbone with a one-output score head, trained on preference pairs."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping, Sequence

from harness.train.pairs import preference_dataset
from harness.train.result import TrainResult, train_and_save
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
    """Train a reward model from the causal LM at `model_path`; reload it with AutoModelForSequenceClassification.

    TRL loads the model (seeded, `num_labels=1`, `trl.model_init_kwargs` applied) and puts the tokenizer's pad token on
    its config: the score is read at the last non-pad token. EOS stands in when the tokenizer has no pad token.
    """
    from transformers import AutoTokenizer
    from trl import RewardTrainer

    configure_torch_threads()
    config = spec.to_trl_config("reward", out_dir)
    with progress_bars(not config.disable_tqdm):
        trainer = RewardTrainer(
            model=str(model_path),
            args=config,
            train_dataset=preference_dataset(pairs),
            processing_class=AutoTokenizer.from_pretrained(tokenizer_path or model_path),
            peft_config=spec.peft_config("SEQ_CLS"),
        )
        return train_and_save(trainer, out_dir)

"""The training core: one thin layer over TRL (SFTTrainer, DPOTrainer, RewardTrainer) and, for pretraining from
scratch, transformers' Trainer with the model's own loss; no training loops of ours.

Every stage takes a `TrainSpec`, writes its final model + tokenizer with `save_pretrained` into `out_dir` and returns
a `TrainResult`. Importing this package is cheap: torch, transformers and TRL load when a stage runs.
"""

from harness.train.dpo import dpo
from harness.train.logprobs import sequence_logprobs
from harness.train.pretrain import pretrain
from harness.train.result import TrainResult
from harness.train.reward import reward_model
from harness.train.sft import sft
from harness.train.spec import LoraSpec, TrainSpec

__all__ = ["LoraSpec", "TrainResult", "TrainSpec", "dpo", "pretrain", "reward_model", "sequence_logprobs", "sft"]

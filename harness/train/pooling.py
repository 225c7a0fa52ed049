"""Which vector of its backbone a reward model's score head reads, declared by the recipe, saved with the model.

- `head`: the backbone's own sequence-classification head. A BERT encoder reads [CLS] through its pooler (a dense
  layer + tanh from pretraining); a decoder reads its last non-pad token.
- `mean`: the mean of the encoder's last hidden states over the real (unmasked) tokens, [CLS] and [SEP] included,
  read by the score head directly. It is how sentence-transformers checkpoints such as all-MiniLM-L6-v2 were trained
  to embed a text; their pooler was never trained by that fine-tuning. Implemented for BERT encoders.

Training saves a mean-pooled model under its own architecture name in `config.json` (`architectures`, which
`save_pretrained` writes), and `load_reward_model` picks the class by that name, so the reward-model judge pools
exactly as training did without being told.
"""

from __future__ import annotations

from typing import Any, Literal

Pooling = Literal["head", "mean"]

MEAN_POOLED_MODEL_TYPES = ("bert",)


def check_pooling(pooling: Pooling, model_type: str) -> None:
    """One line naming the field and the fix when the backbone cannot pool the way the recipe asks."""
    if pooling == "mean" and model_type not in MEAN_POOLED_MODEL_TYPES:
        raise ValueError(
            f"pooling: 'mean' is implemented for BERT encoders (model_type bert), and this backbone is "
            f"{model_type!r}; use pooling: head"
        )


def reward_model_class(pooling: Pooling, model_type: str) -> Any:
    """The class whose `from_pretrained` builds a reward model with this pooling from a backbone of `model_type`."""
    check_pooling(pooling, model_type)
    if pooling == "mean":
        from harness.train.mean_pooled_bert import MeanPooledBertForSequenceClassification

        return MeanPooledBertForSequenceClassification
    from transformers import AutoModelForSequenceClassification

    return AutoModelForSequenceClassification


def load_reward_model(path: str) -> Any:
    """A saved reward model in the class it was trained as: mean-pooled ones by their saved architecture name."""
    from transformers import AutoConfig, AutoModelForSequenceClassification

    from harness.train.mean_pooled_bert import MeanPooledBertForSequenceClassification

    saved_as = {MeanPooledBertForSequenceClassification.__name__: MeanPooledBertForSequenceClassification}
    architecture = (AutoConfig.from_pretrained(path).architectures or [""])[0]
    return saved_as.get(architecture, AutoModelForSequenceClassification).from_pretrained(path)

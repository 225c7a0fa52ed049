"""BERT with its score head on the mean of the last hidden states: the `mean` pooling of harness.train.pooling."""

from __future__ import annotations

from typing import Any

import torch
from transformers import BertConfig, BertForSequenceClassification
from transformers.modeling_outputs import SequenceClassifierOutput


def mean_pool(hidden: torch.Tensor, attention_mask: torch.Tensor | None) -> torch.Tensor:
    """(batch, length, width) -> (batch, width): the average over the positions the mask keeps (all, without one)."""
    if attention_mask is None:
        return hidden.mean(dim=1)
    mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)


class MeanPooledBertForSequenceClassification(BertForSequenceClassification):
    """The weights of BertForSequenceClassification (`bert.*`, `classifier.*`) without the pooler, which it never reads.

    Only what a reward model needs: no `labels` and no loss (TRL's RewardTrainer computes the Bradley-Terry loss
    from the logits).
    """

    # A checkpoint's pooler is expected and dropped. transformers declares this attribute per instance
    # (list[str] | None), so it cannot be a ClassVar here.
    _keys_to_ignore_on_load_unexpected = [r"pooler\."]  # noqa: RUF012

    def __init__(self, config: BertConfig):
        super().__init__(config)
        self.bert.pooler = None

    def forward(
        self,
        input_ids: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
        token_type_ids: torch.Tensor | None = None,
        position_ids: torch.Tensor | None = None,
        inputs_embeds: torch.Tensor | None = None,
        **kwargs: Any,
    ) -> SequenceClassifierOutput:
        outputs = self.bert(
            input_ids,
            attention_mask=attention_mask,
            token_type_ids=token_type_ids,
            position_ids=position_ids,
            inputs_embeds=inputs_embeds,
            return_dict=True,
            **kwargs,
        )
        pooled = mean_pool(outputs.last_hidden_state, attention_mask)
        return SequenceClassifierOutput(logits=self.classifier(self.dropout(pooled)))

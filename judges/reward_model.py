"""A trained reward model as a judge: the scalar head's output is the score (higher is better).

So an RM trained on one source's pairs can judge for another, and its ranking can be held to the oracle.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import Field

from harness.hashing import stable_hash
from harness.registry import judge
from harness.train.reward_inputs import encoder_reward_ids, is_encoder_tokenizer
from harness.types import Completion, Judgment, Prompt, Score


@dataclass
class RewardModelJudge:
    path: str
    batch_size: int = 64
    _loaded: Any = field(default=None, repr=False)

    @property
    def name(self) -> str:
        return f"reward_model:{stable_hash(self.path)}"

    def _load(self) -> tuple[Any, Any]:
        if self._loaded is None:
            from transformers import AutoTokenizer

            from harness.train.pooling import load_reward_model

            tokenizer = AutoTokenizer.from_pretrained(self.path)
            tokenizer.padding_side = "right"  # the head reads the last non-pad token
            if tokenizer.pad_token is None:
                tokenizer.pad_token = tokenizer.eos_token
            model = load_reward_model(self.path).eval()  # pooled as in training: the saved model says how
            self._loaded = (model, tokenizer)
        return self._loaded

    def rewards(self, conversations: Sequence[list[dict[str, str]]]) -> list[float]:
        """One reward per conversation, its last message the reply being scored."""
        model, tokenizer = self._load()
        if is_encoder_tokenizer(tokenizer):
            return self._encoder_rewards(model, tokenizer, conversations)
        import torch

        texts = [
            tokenizer.apply_chat_template(c, tokenize=False)
            if tokenizer.chat_template
            else "\n".join(m["content"] for m in c)
            for c in conversations
        ]
        values: list[float] = []
        for start in range(0, len(texts), self.batch_size):
            batch = tokenizer(
                texts[start : start + self.batch_size],
                add_special_tokens=False,
                padding=True,
                truncation=True,
                return_tensors="pt",
            )
            with torch.inference_mode():
                values += model(**batch).logits[:, 0].float().tolist()
        return values

    def _encoder_rewards(
        self, model: Any, tokenizer: Any, conversations: Sequence[list[dict[str, str]]]
    ) -> list[float]:
        """Scored on the inputs training built (same function, same cut: the saved tokenizer's model_max_length).

        No token_type_ids, as in training: TRL's collator passes none, so both read segment 0 throughout.
        """
        import torch

        limit = min(tokenizer.model_max_length, getattr(model.config, "max_position_embeddings", 512))
        ids = [encoder_reward_ids(tokenizer, c[:-1], c[-1]["content"], limit) for c in conversations]
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]))  # similar lengths per batch: little padding
        values = [0.0] * len(ids)
        for start in range(0, len(order), self.batch_size):
            chunk = order[start : start + self.batch_size]
            width = max(len(ids[i]) for i in chunk)
            input_ids = torch.full((len(chunk), width), tokenizer.pad_token_id)
            mask = torch.zeros((len(chunk), width), dtype=torch.long)
            for row, i in enumerate(chunk):
                input_ids[row, : len(ids[i])] = torch.tensor(ids[i])
                mask[row, : len(ids[i])] = 1
            with torch.inference_mode():
                scores = model(input_ids=input_ids, attention_mask=mask).logits[:, 0].float().tolist()
            for i, value in zip(chunk, scores):
                values[i] = value
        return values

    def score(self, items: Sequence[tuple[Prompt, Completion]]) -> list[Judgment]:
        convs = [[*(m.model_dump() for m in p.messages), {"role": "assistant", "content": c.text}] for p, c in items]
        return [
            Judgment(judge=self.name, prompt_id=p.id, verdict=Score(value=v), candidates=(c.ref,))
            for (p, c), v in zip(items, self.rewards(convs))
        ]


@judge("reward_model")
def reward_model(
    path: Annotated[
        str,
        Field(
            description="folder of a saved sequence-classification model; in judge_eval recipes set by `reward_recipe:`"
        ),
    ],
    batch_size: Annotated[int, Field(description="(prompt, response) inputs per forward pass")] = 64,
) -> RewardModelJudge:
    """Scores (prompt, response) with a sequence-classification reward model saved at `path`."""
    return RewardModelJudge(path=path, batch_size=batch_size)

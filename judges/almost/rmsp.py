"""RMSP: reward-model-guided self-play, ALMoST's way of simulating demonstrations for SFT.

For every assistant turn the assistant model samples N responses and the reward model keeps the one it
scores highest (the earliest sample among equal scores, so reruns match). With `turns > 1` the user's
next message is simulated too: the user model reads the conversation with the roles swapped, so
"its" replies are the user's turns. Demonstrations (few-shot messages) may be put in front of every
assistant request, as ALMoST prompted its vanilla assistant; they are not part of the returned conversations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Sequence

from harness.generation import GenerationParams, Generator
from harness.types import Message, Prompt
from judges.reward_model import RewardModelJudge

ScoreFn = Callable[[Sequence[Message], str], float]  # (prompt messages, response) -> reward, higher is better
Conversation = list[dict[str, str]]  # TRL's conversational format, what harness.train.sft reads

_SWAP = {"user": "assistant", "assistant": "user", "system": "system"}


def swap_roles(messages: Sequence[Message]) -> tuple[Message, ...]:
    return tuple(Message(role=_SWAP[m.role], content=m.content) for m in messages)  # type: ignore[arg-type]


def best_response(prompt_messages: Sequence[Message], samples: Sequence[str], score_fn: ScoreFn) -> str:
    scores = [score_fn(prompt_messages, s) for s in samples]
    return samples[scores.index(max(scores))]


def rm_guided_self_play(
    generator: Generator,
    score_fn: ScoreFn,
    prompts: Sequence[Prompt],
    n_samples: int,
    turns: int = 1,
    params: GenerationParams | None = None,
    user_generator: Generator | None = None,
    demonstrations: Sequence[Message] = (),
) -> list[Conversation]:
    """One conversation per prompt: its messages, then `turns` assistant turns (the reward model's pick of
    `n_samples` each) with simulated user turns between them (by `user_generator`, default `generator`)."""
    if n_samples < 1 or turns < 1:
        raise ValueError(f"n_samples={n_samples}, turns={turns}: both must be at least 1")
    sampling = (params or GenerationParams(temperature=1.0, top_p=0.9)).model_copy(update={"n": n_samples})
    users = user_generator or generator
    dialogues = [tuple(p.messages) for p in prompts]
    for turn in range(turns):
        if turn:
            asked = [Prompt(id=f"{p.id}|rmsp-user{turn}", messages=swap_roles(d))
                     for p, d in zip(prompts, dialogues)]
            replies = users.generate(asked, sampling.model_copy(update={"n": 1}))
            dialogues = [(*d, Message(role="user", content=r[0].text)) for d, r in zip(dialogues, replies)]
        asked = [Prompt(id=f"{p.id}|rmsp-turn{turn}", messages=(*demonstrations, *d)) for p, d in zip(prompts, dialogues)]
        samples = generator.generate(asked, sampling)
        dialogues = [(*d, Message(role="assistant", content=best_response(d, [c.text for c in cs], score_fn)))
                     for d, cs in zip(dialogues, samples, strict=True)]
    return [[m.model_dump() for m in d] for d in dialogues]


@dataclass
class RewardModelScorer:
    """A `score_fn` over a reward model saved by `harness.train.reward_model` (AutoModelForSequenceClassification)."""

    path: str
    _judge: RewardModelJudge | None = field(default=None, repr=False)

    def __call__(self, prompt_messages: Sequence[Message], response: str) -> float:
        if self._judge is None:
            self._judge = RewardModelJudge(path=str(self.path))  # loads the model on first use
        conversation = [*(m.model_dump() for m in prompt_messages), {"role": "assistant", "content": response}]
        return self._judge.rewards([conversation])[0]

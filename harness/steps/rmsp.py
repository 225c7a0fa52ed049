"""RMSP: reward-model-guided self-play, ALMoST's way of simulating demonstrations for SFT (a pipeline step).

For every assistant turn the assistant model samples N responses and the reward model keeps the one it
scores highest (the earliest sample among equal scores, so reruns match). With `turns > 1` the user's
next message is simulated too: the user model reads the conversation with the roles swapped, so
"its" replies are the user's turns. Demonstrations (few-shot messages) may be put in front of every
assistant request, as ALMoST prompted its vanilla assistant; they are not part of the returned conversations.

Rewards come from the registered `reward_model` judge, asked once per turn for every sample of every prompt.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from harness.generation import GenerationParams, Generator
from harness.registry import judges
from harness.run import names
from harness.run.context import ModelRef, RunContext
from harness.run.store import write_json_atomic
from harness.steps.judge_quality import reward_model_stage
from harness.types import Message, Prompt

Conversation = list[dict[str, str]]  # TRL's conversational format, what harness.train.sft reads
RewardFn = Callable[[Sequence[Conversation]], list[float]]  # one reward per conversation; its last message is scored

_SWAP = {"user": "assistant", "assistant": "user", "system": "system"}


def swap_roles(messages: Sequence[Message]) -> tuple[Message, ...]:
    return tuple(Message(role=_SWAP[m.role], content=m.content) for m in messages)  # type: ignore[arg-type]


def reward_model_rewards(path: str) -> RewardFn:
    """The registered reward-model judge on the model saved at `path` (loaded on first use). One sequence per
    forward pass (batch_size=1): padding a batch changes the float sums, and with them which sample wins a near tie."""
    return judges.reward_scorer("reward_model", path=path, batch_size=1).rewards


def best_responses(
    dialogues: Sequence[Sequence[Message]], samples: Sequence[Sequence[str]], reward_fn: RewardFn
) -> list[str]:
    """Per dialogue, its sample with the highest reward (the earliest among equals); all scored in one call."""
    conversations = [
        [*(m.model_dump() for m in d), {"role": "assistant", "content": s}]
        for d, ss in zip(dialogues, samples, strict=True)
        for s in ss
    ]
    rewards, picks, cursor = reward_fn(conversations), [], 0
    for ss in samples:
        scores = rewards[cursor : cursor + len(ss)]
        picks.append(ss[scores.index(max(scores))])
        cursor += len(ss)
    return picks


def rm_guided_self_play(
    generator: Generator,
    reward_fn: RewardFn,
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
            asked = [Prompt(id=f"{p.id}|rmsp-user{turn}", messages=swap_roles(d)) for p, d in zip(prompts, dialogues)]
            replies = users.generate(asked, sampling.model_copy(update={"n": 1}))
            dialogues = [(*d, Message(role="user", content=r[0].text)) for d, r in zip(dialogues, replies)]
        asked = [
            Prompt(id=f"{p.id}|rmsp-turn{turn}", messages=(*demonstrations, *d)) for p, d in zip(prompts, dialogues)
        ]
        samples = generator.generate(asked, sampling)
        picks = best_responses(dialogues, [[c.text for c in cs] for cs in samples], reward_fn)
        dialogues = [(*d, Message(role="assistant", content=pick)) for d, pick in zip(dialogues, picks, strict=True)]
    return [[m.model_dump() for m in d] for d in dialogues]


def train_rmsp(pipe: RunContext) -> ModelRef | None:
    """The pipeline step (`rmsp:` in a recipe): the base policy samples, the RM trained on the source's pairs keeps
    the best, and SFT on those picks is the row RMSP-<source>. None when the source gave no pairs in this run."""
    cfg = pipe.recipe.rmsp
    assert cfg is not None
    rm = reward_model_stage(pipe, cfg.source)
    if rm is None:  # the source was left out (--set sources=[...]) or gave no pairs
        pipe.log(
            f"[{names.rmsp_label(cfg.source)}] skipped: no pairs from {cfg.source!r} in this run to train a "
            "reward model"
        )
        return None
    base = pipe.models[pipe.recipe.policy]
    prompts = pipe.benchmark.prompts("sft", cfg.prompts)
    params = pipe.recipe.feedback.candidates.model_copy(update={"n": cfg.samples, "seed": pipe.recipe.sampling_seed})
    spec = cfg.train.model_copy(update={"seed": pipe.recipe.training_seed})

    def build(out: Path) -> dict[str, Any]:
        picks = rm_guided_self_play(
            pipe.generator(base.name), reward_model_rewards(str(rm.path / "model")), prompts, cfg.samples, params=params
        )
        write_json_atomic(out / "demonstrations.json", picks)
        result = pipe.train("sft", base.path, picks, spec, out / "model")
        return {"demonstrations": len(picks), **result.metrics}

    config = {"rmsp": cfg, "params": params, **pipe.train_key()}
    result = pipe.stage(names.rmsp_label(cfg.source), "rmsp", config, [base.key, rm.content], build)
    name = names.rmsp_model(cfg.source)
    return ModelRef(name, str(result.path / "model"), result.content, base.generator, base.generator_params)

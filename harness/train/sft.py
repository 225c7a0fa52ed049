"""Supervised fine-tuning on conversations, with loss on the final assistant turn only.

Each conversation becomes TRL's conversational prompt-completion form: `prompt` = every message before the last
one, `completion` = the last (assistant) message. TRL renders `prompt` with the generation prompt and
`prompt + completion` without it, and trains on the tokens after their common prefix (`completion_only_loss`, on by
default for this format): the answer and whatever the chat template closes the turn with (its end-of-turn / EOS
token), so the model learns to stop. Unlike `assistant_only_loss`, this needs no `{% generation %}` markers in
the template, only that the prompt rendered with the generation prompt is a prefix of the whole conversation.
Earlier assistant turns of a multi-turn conversation are context, not targets.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from harness.progress import NULL_PROGRESS, Progress
from harness.train.result import TrainResult, train_and_save
from harness.train.runtime import configure_torch_threads, training_output
from harness.train.spec import TrainSpec

Conversation = Sequence[dict[str, str]]


def prompt_completion(conversation: Conversation, index: int = 0) -> dict[str, list[dict[str, str]]]:
    """Split a conversation into TRL's prompt-completion form; the last message must be the assistant's."""
    messages = [dict(m) for m in conversation]
    if len(messages) < 2 or messages[-1].get("role") != "assistant":
        raise ValueError(
            f"conversations[{index}]: needs at least one prompt message and must end with an assistant message"
        )
    return {"prompt": messages[:-1], "completion": messages[-1:]}


def sft(
    model_path: str | Path,
    tokenizer_path: str | Path,
    conversations: Sequence[Conversation],
    spec: TrainSpec,
    out_dir: str | Path,
    progress: Progress = NULL_PROGRESS,
) -> TrainResult:
    """Fine-tune the model at `model_path` on `conversations` (lists of {role, content}); save it to `out_dir`.

    TRL loads the model from the path, so `trl.model_init_kwargs` (e.g. a dtype) applies.
    """
    from datasets import Dataset
    from transformers import AutoTokenizer
    from trl import SFTTrainer

    if not conversations:
        raise ValueError("conversations: got none; pass at least one conversation ending with an assistant turn")
    rows = [prompt_completion(c, i) for i, c in enumerate(conversations)]
    configure_torch_threads()
    config = spec.to_trl_config("sft", out_dir)
    with training_output(progress.verbose or not config.disable_tqdm):
        trainer = SFTTrainer(
            model=str(model_path),
            args=config,
            train_dataset=Dataset.from_list(rows),
            processing_class=AutoTokenizer.from_pretrained(tokenizer_path),
            peft_config=spec.peft_config("CAUSAL_LM"),
        )
        return train_and_save(trainer, out_dir, progress=progress)

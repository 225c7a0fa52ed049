"""Training steps reported to the run's `Progress`: a transformers TrainerCallback that opens a task of
`max_steps` steps when training begins and advances it as steps end (from the resumed step after a crash).
Only the main process reports, so a launch on N processes counts its steps once."""

from __future__ import annotations

from typing import Any

from transformers import TrainerCallback

from harness.progress import Progress, Task


class StepProgress(TrainerCallback):
    def __init__(self, progress: Progress, label: str = "train"):
        self.progress = progress
        self.label = label
        self.task: Task | None = None
        self.reported = 0

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if state.is_world_process_zero:
            self.task = self.progress.task(state.max_steps or None, "step", self.label)
            self.reported = 0

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if self.task is not None and state.global_step > self.reported:
            self.task.advance(state.global_step - self.reported)
            self.reported = state.global_step

    def on_train_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if self.task is not None:
            self.task.close()
            self.task = None

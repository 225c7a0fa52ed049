"""Resumable training: periodic checkpoints in the stage's partial folder, and an exact resume after a crash.

A training stage that is killed loses at most the steps since its last checkpoint (its "in-flight batch"). A
checkpoint is HF's own (model, optimizer, scheduler, RNG states, trainer state) plus what HF does not keep: the
loss accumulated since the last log, the running loss total and TRL's pending metrics, so the resumed run logs and
reports the same numbers as an uninterrupted one. A checkpoint counts only once its `complete` marker is written
(after everything else); a half-written one is deleted on resume.

When to save is decided by time, not steps: at a step end once `min_seconds` have passed since the last save and
the last save cost at most `max_overhead` of the time since, so checkpointing stays within a few percent of training
time whatever the model size. `every_steps` forces a save every K steps (tests, or a known-flaky machine).
"""

from __future__ import annotations

import json
import shutil
import time
from collections import defaultdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from transformers import TrainerCallback

from harness.train.checkpoint_policy import CheckpointPolicy

if TYPE_CHECKING:
    from transformers import Trainer

PREFIX = "checkpoint-"
COMPLETE = "complete.json"


# What pipeline stages use; a process may replace it (the crash test checkpoints every few steps).
DEFAULT_POLICY = CheckpointPolicy()


def latest_complete(folder: Path) -> Path | None:
    """The newest checkpoint whose marker was written; None when there is none."""
    done = [p for p in folder.glob(f"{PREFIX}*") if (p / COMPLETE).exists()]
    return max(done, key=lambda p: int(p.name[len(PREFIX) :]), default=None)


class ResumableCheckpoints(TrainerCallback):
    """Saves checkpoints of `trainer` into `folder` by `policy`, keeps only the newest complete one, and restores
    the loss bookkeeping HF does not save when the trainer resumes from one."""

    def __init__(self, trainer: Trainer, folder: Path, policy: CheckpointPolicy):
        self.trainer, self.folder, self.policy = trainer, Path(folder), policy
        self.folder.mkdir(parents=True, exist_ok=True)
        self.resume_from = latest_complete(self.folder)
        for stale in self.folder.glob(f"{PREFIX}*"):  # half-written ones (killed mid-save) and anything older
            if stale != self.resume_from:
                shutil.rmtree(stale, ignore_errors=True)
        trainer.args.output_dir = str(self.folder)  # HF saves checkpoints under output_dir; the model goes elsewhere
        self.saves = 0
        self.save_seconds = 0.0
        self._last_save = time.perf_counter()
        self._last_cost = 0.0
        self._save_started: float | None = None

    def on_train_begin(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        self._last_save = time.perf_counter()
        if self.resume_from is None:
            return
        import torch

        saved = json.loads((self.resume_from / COMPLETE).read_text())
        t = self.trainer
        t._tr_loss = torch.tensor(
            saved["tr_loss"], dtype=getattr(torch, saved["tr_loss_dtype"]), device=t._tr_loss.device
        )
        t._total_loss_scalar = saved["total_loss_scalar"]
        t._globalstep_last_logged = saved["globalstep_last_logged"]
        if "metrics" in saved and hasattr(t, "_metrics"):
            t._metrics = {mode: defaultdict(list, values) for mode, values in saved["metrics"].items()}
        if "total_train_tokens" in saved:
            t._total_train_tokens = saved["total_train_tokens"]

    def on_step_end(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if state.global_step >= state.max_steps:
            return  # the final model is saved by the stage itself
        now = time.perf_counter()
        if self.policy.due(state.global_step, now - self._last_save, self._last_cost):
            control.should_save = True
            self._save_started = now

    def on_save(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        path = self.folder / f"{PREFIX}{state.global_step}"
        t = self.trainer
        extra: dict[str, Any] = {
            "step": state.global_step,
            "tr_loss": t._tr_loss.item(),
            "tr_loss_dtype": str(t._tr_loss.dtype).removeprefix("torch."),
            "total_loss_scalar": t._total_loss_scalar,
            "globalstep_last_logged": t._globalstep_last_logged,
        }
        if isinstance(getattr(t, "_metrics", None), dict):
            extra["metrics"] = {mode: dict(values) for mode, values in t._metrics.items()}
        if isinstance(getattr(t, "_total_train_tokens", None), int):
            extra["total_train_tokens"] = t._total_train_tokens
        from harness.run.store import write_json_atomic

        write_json_atomic(path / COMPLETE, extra)  # last: marks every file HF wrote before it as complete
        for old in self.folder.glob(f"{PREFIX}*"):
            if old != path:
                shutil.rmtree(old, ignore_errors=True)
        now = time.perf_counter()
        started = self._save_started if self._save_started is not None else now
        self._last_cost = now - started
        self.save_seconds += self._last_cost
        self.saves += 1
        self._last_save = now
        self._save_started = None

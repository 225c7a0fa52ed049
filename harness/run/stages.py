"""The one stage runner every kind of run uses (the feedback pipeline, the reward-model run): it runs a stage in
the store, keeps the run's record of it under a label, tells the run's `Progress` when it starts and ends, and logs
whether it was built or reused."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from harness.progress import NULL_PROGRESS, Progress
from harness.run.store import StageResult, StageStore

Build = Callable[[Path], "dict[str, Any] | None"]


def cpu_note(result: StageResult) -> str:
    """The CPU seconds shown beside a stage's wall time; they differ when it waited for a core or ran on several."""
    return f", CPU {result.usage['cpu_seconds']:.1f}s" if result.usage else ""


class StageRunner:
    def __init__(self, store: StageStore, log: Callable[[str], None] = print, progress: Progress = NULL_PROGRESS):
        self.store = store
        self.log = log
        self.progress = progress
        self.stages: dict[str, StageResult] = {}  # label -> the run's record of it (run.json `stages`)

    def run(
        self,
        label: str,
        stage: str,
        config: Any,
        inputs: Sequence[str],
        build: Build,
        incomplete: Callable[[dict[str, Any]], bool] | None = None,
    ) -> StageResult:
        """`inputs` are the content ids of what the stage consumes (StageResult.content, ModelRef.key)."""
        self.progress.stage_start(label)
        try:
            result = self.store.run(stage, config, list(inputs), build, incomplete)
        except BaseException:
            self.progress.stage_end(label, "failed")
            raise
        self.stages.setdefault(label, result)  # a stage read again later in the run keeps its first record
        how = "reused" if result.reused else f"done in {result.seconds:.1f}s{cpu_note(result)}"
        self.progress.stage_end(label, how)
        self.log(f"[{label}] {how}")
        return result

"""When a training stage checkpoints: a light module of its own, so a TrainJob (read by `harness validate` through
the recipe's launch block) can carry the policy without importing transformers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CheckpointPolicy:
    min_seconds: float = 30.0
    max_overhead: float = 0.05
    every_steps: int | None = None

    def due(self, step: int, since_last: float, last_cost: float) -> bool:
        if self.every_steps and step % self.every_steps == 0:
            return True
        return since_last >= max(self.min_seconds, last_cost / self.max_overhead)

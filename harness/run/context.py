"""What the pipeline's helper steps (judge quality, judged evaluation) may use of a run, as a protocol.

They take a `RunContext`, not the `Pipeline`: they never import the pipeline, so it can import them without a
cycle, and a test or another kind of run can hand them anything that offers these members.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from harness.benchmark import Benchmark
from harness.generation import GenerationParams, Generator
from harness.hashing import stable_hash
from harness.progress import Progress
from harness.recipes.loader import Recipe
from harness.run.records import read_jsonl
from harness.run.store import StageResult
from harness.train.spec import Stage as TrainStage
from harness.types import Completion, Prompt


@dataclass
class ModelRef:
    """A model the run can load: where it lives and the content id of what produced it (or of its spec)."""

    name: str
    path: str
    key: str
    generator: str = "hf"
    generator_params: dict[str, Any] = field(default_factory=dict)


class RunContext(Protocol):
    recipe: Recipe
    benchmark: Benchmark
    models: dict[str, ModelRef]  # every model of the run by name: the recipe's, M1, M2-<source>, ...
    stages: dict[str, StageResult]  # label -> the run's record of that stage
    log: Callable[[str], None]
    progress: Progress  # where stages, generation batches and training steps report how far they are

    def stage(
        self,
        label: str,
        stage: str,
        config: Any,
        inputs: Sequence[str],
        build: Callable[[Path], dict[str, Any] | None],
        incomplete: Callable[[dict[str, Any]], bool] | None = None,
    ) -> StageResult: ...

    def generator(self, name: str) -> Generator: ...

    def completions(
        self,
        model: str,
        prompts: Sequence[Prompt],
        params: GenerationParams,
        label: str | None = None,
        retry_missing: bool = False,
    ) -> list[list[Completion]]: ...

    def eval_params(self) -> GenerationParams: ...

    def candidate_params(self) -> GenerationParams: ...

    def eval_completions(self, model: str, prompts: Sequence[Prompt]) -> list[list[Completion]]: ...

    def train(
        self, kind: TrainStage, model_path: str, data: Sequence[Any], spec: Any, out: Path, start_key: str = ""
    ) -> Any: ...

    def train_key(self) -> dict[str, Any]: ...


def prompt_set_key(prompts: Sequence[Prompt]) -> str:
    """Ids and content: a prompt file edited under the same ids must not reuse old completions."""
    return stable_hash([(p.id, p.messages) for p in prompts])


def read_completions(stage: StageResult, prompts: Sequence[Prompt]) -> list[list[Completion]]:
    """Per prompt, the stage's completions in sample order (a failed remote sample is simply absent)."""
    by_prompt: dict[str, list[Completion]] = {p.id: [] for p in prompts}
    for c in read_jsonl(stage.path / "completions.jsonl", Completion):
        by_prompt[c.prompt_id].append(c)
    return [sorted(by_prompt[p.id], key=lambda c: c.sample) for p in prompts]

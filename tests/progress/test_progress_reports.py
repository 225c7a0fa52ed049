"""Library code reports through the Progress it is handed: the hf generator per batch, score read-outs per batch,
and every trainer (here pretraining, through the training core's callback) per step."""

from __future__ import annotations

import string

import pytest

from benchmarks.sandbox.models import build_model
from benchmarks.sandbox.tokenizer import build_tokenizer
from harness.generation import GenerationParams
from harness.progress import NullProgress, Task
from harness.registry import generators
from harness.train import TrainSpec, pretrain
from harness.types import Prompt
from tests.torch_threads import one_torch_thread  # noqa: F401  (autouse fixture)


class Recorded(Task):
    def __init__(self, total: int | None, unit: str, label: str):
        self.total, self.unit, self.label = total, unit, label
        self.steps: list[int] = []
        self.closed = False

    def advance(self, n: int = 1) -> None:
        self.steps.append(n)

    def close(self) -> None:
        self.closed = True


class Recorder(NullProgress):
    """Keeps every task opened and what it was told; reports nothing else."""

    def __init__(self) -> None:
        self.tasks: list[Recorded] = []

    def task(self, total: int | None, unit: str, label: str) -> Task:
        self.tasks.append(Recorded(total, unit, label))
        return self.tasks[-1]


@pytest.fixture(scope="module")
def tokenizer():
    return build_tokenizer([string.ascii_lowercase + string.digits + " "])


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory, tokenizer):
    path = tmp_path_factory.mktemp("xs")
    build_model("XS", tokenizer, seed=0).save_pretrained(path)
    tokenizer.save_pretrained(path)
    return path


def test_the_hf_generator_counts_prompts_batch_by_batch(model_dir):
    progress = Recorder()
    generator = generators.build("hf", path=str(model_dir), batch_size=2, progress=progress)
    prompts = [Prompt.from_text(f"p{i}", "add " + "7 " * i) for i in range(5)]
    out = generator.generate(prompts, GenerationParams(n=2, temperature=0.7, max_new_tokens=3))
    assert [len(row) for row in out] == [2] * 5
    (task,) = progress.tasks
    assert (task.total, task.unit, task.steps, task.closed) == (5, "prompt", [2, 2, 1], True)
    generator.next_token_probs(prompts, "score ", ["1", "2"])
    assert (progress.tasks[1].total, sum(progress.tasks[1].steps), progress.tasks[1].closed) == (5, 5, True)


def test_training_reports_every_step_once_against_max_steps(tmp_path, tokenizer):
    progress = Recorder()
    model = build_model("XS", tokenizer, seed=0)
    documents = [tokenizer(f"add {i} {i + 1}")["input_ids"] for i in range(40)]
    spec = TrainSpec(max_steps=5, per_device_train_batch_size=2, max_length=32, seed=0)
    result = pretrain(model, tokenizer, documents, spec, tmp_path / "model", progress=progress)
    (task,) = progress.tasks
    assert (task.total, task.unit, task.label, task.closed) == (5, "step", "train", True)
    assert sum(task.steps) == 5 and result.metrics["train_loss"] > 0


def test_remote_calls_are_counted_as_they_finish_and_cached_ones_at_once(tmp_path):
    progress = Recorder()
    teacher = generators.build(
        "simulated", model="teacher", rule="echo", cache_path=str(tmp_path / "calls.sqlite"), progress=progress
    )
    prompts = [Prompt.from_text(f"p{i}", f"say {i}") for i in range(3)]
    params = GenerationParams(n=2, temperature=0.7, max_new_tokens=8)
    assert [len(row) for row in teacher.generate(prompts, params)] == [2, 2, 2]
    teacher.generate(prompts, params)  # every call answered by the cache
    sent, cached = progress.tasks
    assert (sent.total, sent.unit, sorted(sent.steps), sent.closed) == (6, "request", [0, 1, 1, 1, 1, 1, 1], True)
    assert (cached.total, cached.steps, cached.closed) == (6, [6], True)

"""One training job, two ways to run it: in this process, or under `accelerate launch` on N processes.

A `TrainJob` names everything a stage needs (its kind, model, tokenizer, data, TrainSpec, output folder). `train`
runs it in-process when the recipe has no `launch` block; with one, it writes the job to files and runs
`accelerate launch --config_file C --num_processes N -m harness.cli train JOB` in a subprocess, streaming the
children's output to the pipeline log. Either way the job ends in the same `execute` call into harness.train, and
the trainers save only from rank 0 (see harness.train.result); the stage store's atomic rename of the finished
folder stays in the parent process, so a failed child leaves no half-written stage behind.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from harness.progress import NULL_PROGRESS, Progress
from harness.recipes.exact_scalars import ExactScalars
from harness.run.store import building_in, partial_dir
from harness.train.checkpoint_policy import CheckpointPolicy
from harness.train.reference import ReferenceCache
from harness.train.result import TrainResult
from harness.train.spec import TrainSpec

JobKind = Literal["sft", "dpo", "reward"]

# Fields of an accelerate config that say where processes meet, not what they compute: left out of stage keys
_RENDEZVOUS_FIELDS = frozenset({
    "main_process_ip", "main_process_port", "machine_rank", "rdzv_backend", "same_network", "gpu_ids", "debug",
    "main_training_function", "enable_cpu_affinity", "compute_environment",
})  # fmt: skip

TAIL_LINES = 8  # lines of the children's output quoted in a failure
# A child's own complaint: `harness` CLI's one-line error, or the last line of a Python traceback
_CHILD_ERROR = re.compile(r"^(error: |[A-Za-z_][\w.]*(Error|Exception)\b)")


class TrainLaunchError(ValueError):
    """A training child failed. A ValueError so the CLI reports it as one line, like every other run error."""


class LaunchSpec(ExactScalars):
    """Run every training stage under `accelerate launch` (recipe block `launch:`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    accelerate_config: Path = Field(
        description="accelerate config YAML, e.g. recipes/accelerate/ddp.yaml (relative to the working directory)"
    )
    num_processes: int | None = Field(
        None, ge=1, description="processes to launch (GPUs on one machine); None keeps the config file's num_processes"
    )

    @field_validator("accelerate_config")
    @classmethod
    def _readable_accelerate_config(cls, path: Path) -> Path:
        if not path.is_file():
            raise ValueError(f"{path} not found; give an accelerate config YAML such as recipes/accelerate/ddp.yaml")
        accelerate_config(path)  # accelerate's own loader: unknown keys and a missing distributed_type fail here
        return path

    @model_validator(mode="after")
    def _enough_processes(self) -> LaunchSpec:
        # accelerate refuses a data-parallel launch of one process, with an error far from the recipe
        kind = str(accelerate_config(self.accelerate_config).get("distributed_type", ""))
        if kind.endswith("MULTI_GPU") and self.processes() < 2:
            raise ValueError(
                f"num_processes: {self.accelerate_config} is data-parallel and needs at least 2; "
                "remove `launch` to train in this process instead"
            )
        return self

    def processes(self) -> int:
        return self.num_processes or int(accelerate_config(self.accelerate_config).get("num_processes", 1))

    def stage_key(self) -> dict[str, Any]:
        """What a launch adds to a training stage's key.

        A launch belongs in the key because it changes what is computed: N processes x per-device batch is the global
        batch, FSDP / ZeRO and mixed precision change numerics, so 8 GPUs and 1 must not share a cached model. Only
        the config's content counts (not its path, port or host), so moving the file or a free port reuses the stage.
        """
        content = {k: v for k, v in accelerate_config(self.accelerate_config).items() if k not in _RENDEZVOUS_FIELDS}
        content["num_processes"] = self.processes()
        return {"launch": content}

    def command(self, job_file: Path) -> list[str]:
        return [
            sys.executable, "-m", "accelerate.commands.launch", "--config_file", str(self.accelerate_config.resolve()),
            "--num_processes", str(self.processes()), "-m", "harness.cli", "train", str(job_file),
        ]  # fmt: skip


def accelerate_config(path: Path) -> dict[str, Any]:
    """The config as accelerate reads it; a bad file is one line naming it and accelerate's complaint."""
    from accelerate.commands.config.config_args import load_config_from_file

    try:
        return load_config_from_file(str(path)).to_dict()
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ValueError(
            f"{path}: not a valid accelerate config ({first}); see recipes/accelerate/ for examples"
        ) from exc


class TrainJob(BaseModel):
    """One training stage as a file `harness train` reads: data by path, everything else by value."""

    # "constants": an infinite checkpoint interval (min_seconds=inf: save by step count only) survives the JSON file
    model_config = ConfigDict(extra="forbid", frozen=True, ser_json_inf_nan="constants")

    kind: JobKind
    model_path: str
    tokenizer_path: str | None = Field(None, description="None: the tokenizer saved with the model")
    data: Path = Field(description="JSON Lines: conversations (sft) or {prompt, chosen, rejected} pairs (dpo, reward)")
    spec: TrainSpec
    out_dir: Path
    result: Path = Field(description="where rank 0 writes the TrainResult as JSON")
    partial: Path | None = Field(None, description="the parent stage's crash-surviving folder: checkpoints go there")
    checkpoint_policy: CheckpointPolicy = Field(
        default_factory=CheckpointPolicy,
        description="the parent's checkpoints.DEFAULT_POLICY, so a launched stage "
        "checkpoints (and so resumes) as the same stage trained in-process would",
    )


def execute(
    kind: JobKind,
    model_path: str | Path,
    tokenizer_path: str | Path | None,
    data: Sequence[Any],
    spec: TrainSpec,
    out_dir: str | Path,
    progress: Progress = NULL_PROGRESS,
    reference: ReferenceCache | None = None,
) -> TrainResult:
    """The one call every job ends in, whichever way it was launched; training steps are reported to `progress`.
    `reference` (DPO only) shares the reference model's log-probabilities between stages."""
    from harness.train.dpo import dpo
    from harness.train.reward import reward_model
    from harness.train.sft import sft

    if kind == "sft":
        return sft(model_path, tokenizer_path or model_path, data, spec, out_dir, progress=progress)
    if kind == "dpo":
        return dpo(
            model_path, data, spec, out_dir, tokenizer_path=tokenizer_path, progress=progress, reference=reference
        )
    if kind == "reward":
        return reward_model(model_path, data, spec, out_dir, tokenizer_path=tokenizer_path, progress=progress)
    raise ValueError(f"kind: {kind!r} is not a training job; use sft, dpo or reward")


def run_job_file(job_file: str | Path, progress: Progress = NULL_PROGRESS) -> TrainResult:
    """`harness train JOB`: run the job in this process (one rank of a launch, or alone); rank 0 writes the result
    and reports its steps to `progress` (under a launch, as lines the parent run logs)."""
    job_file = Path(job_file)
    if not job_file.is_file():
        raise FileNotFoundError(f"{job_file}: job file not found; `harness train` takes a job JSON written by a run")
    try:
        job = TrainJob.model_validate_json(job_file.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ValueError(f"{job_file}: not a training job ({str(exc).splitlines()[0]})") from None
    rows = [json.loads(line) for line in job.data.read_text(encoding="utf-8").splitlines() if line.strip()]
    from harness.train import checkpoints

    checkpoints.DEFAULT_POLICY = job.checkpoint_policy  # this process runs this one job
    with building_in(job.partial):
        result = execute(job.kind, job.model_path, job.tokenizer_path, rows, job.spec, job.out_dir, progress)
    if is_main_process():
        job.result.write_text(result.model_dump_json(), encoding="utf-8")
    return result


def is_main_process() -> bool:
    """Rank 0 of a launch (or the only process); valid after a trainer has set up the process group."""
    from accelerate import PartialState

    return PartialState().is_main_process


def train(
    kind: JobKind,
    model_path: str | Path,
    data: Sequence[Mapping[str, Any] | Sequence[Any]],
    spec: TrainSpec,
    out_dir: str | Path,
    *,
    tokenizer_path: str | Path | None = None,
    launch: LaunchSpec | None = None,
    log: Callable[[str], None] = print,
    progress: Progress = NULL_PROGRESS,
    reference: ReferenceCache | None = None,
) -> TrainResult:
    """Train one stage: in-process without `launch`, else under `accelerate launch` (same job, same code; the
    children's step lines reach `log`). `reference` serves in-process DPO only: launched ranks compute their own."""
    if launch is None:
        return execute(kind, model_path, tokenizer_path, data, spec, out_dir, progress, reference)
    from harness.train import checkpoints

    out_dir = Path(out_dir).resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    job_dir = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-job-", dir=out_dir.parent))
    try:
        job = TrainJob(
            kind=kind, model_path=str(model_path),
            tokenizer_path=None if tokenizer_path is None else str(tokenizer_path),
            data=job_dir / "data.jsonl", spec=spec, out_dir=out_dir, result=job_dir / "result.json",
            partial=partial_dir(), checkpoint_policy=checkpoints.DEFAULT_POLICY,
        )  # fmt: skip
        with open(job.data, "w", encoding="utf-8") as fh:
            for row in data:
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        job_file = job_dir / "job.json"
        job_file.write_text(job.model_dump_json(indent=2), encoding="utf-8")
        _run_children(launch.command(job_file), f"{kind} x{launch.processes()}", log)
        if not job.result.is_file():
            raise TrainLaunchError(f"{kind} training under accelerate launch exited 0 but rank 0 wrote no result")
        return TrainResult.model_validate_json(job.result.read_text(encoding="utf-8"))
    finally:
        shutil.rmtree(job_dir, ignore_errors=True)


def _run_children(command: list[str], label: str, log: Callable[[str], None]) -> None:
    env = dict(os.environ)
    # The children must import this checkout's harness, not whatever `harness` the environment has installed
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join([root, *filter(None, [env.get("PYTHONPATH")])])
    env.setdefault("PYTHONUNBUFFERED", "1")  # lines reach the log as they happen, not when a buffer fills
    tail: deque[str] = deque(maxlen=TAIL_LINES)
    first_error = ""
    with subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        errors="replace",
        env=env,
    ) as child:
        assert child.stdout is not None
        for line in child.stdout:
            line = line.rstrip()
            if line:
                tail.append(line)
                first_error = first_error or (line.strip() if _CHILD_ERROR.match(line.strip()) else "")
                log(f"[train {label}] {line}")
        code = child.wait()
    if code != 0:
        cause = f": {first_error}" if first_error else ""
        raise TrainLaunchError(
            f"{label.split()[0]} training under accelerate launch failed with exit code {code}"
            f"{cause}; last lines: {' | '.join(tail) or '(no output)'}"
        )

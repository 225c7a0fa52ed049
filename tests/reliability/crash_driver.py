"""Runs a reduced sandbox recipe and, when told, kills itself with a real SIGKILL at one named point.

Launched in a subprocess by test_crash_kill.py:  python crash_driver.py RESULTS EVENTS [KIND@ID]

Every unit of work the run does is appended to EVENTS as one JSON line, with a write the kernel holds once the
call returns (os.write on an O_APPEND descriptor), so a SIGKILL right after loses none of them:
  batch   a generation batch was sampled (before it is stored)        id: model stage, seed, n, input hash
  sqlite  a batch is being stored in the generation cache              id: as batch
  write   a JSONL file of a stage is being written                     id: stage/key/file
  step    a training step ended (before any checkpoint of it)          id: stage/key:step
  ckpt    a training checkpoint was written, before its marker         id: stage/key:step
With KIND@ID the process kills itself at that event: mid-write (half the file written), mid-SQLite transaction
(inside the INSERT), after a sampled batch before it is stored, after a training step before its checkpoint, or
inside a checkpoint before it is marked complete.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

RECIPE = [
    "benchmark.params.corpus_size=600",
    "models={xs: {sandbox: {size: XS, steps: 6}, generator_params: {batch_size: 4}},"
    " s: {sandbox: {size: S, steps: 40}, generator_params: {batch_size: 4}}}",
    "policy=s",
    "sft.demonstrations=16",
    "sft.judging_examples=32",
    "feedback.prompts=8",
    "feedback.candidates.max_new_tokens=16",
    "evaluation.prompts=6",
    "evaluation.samples=2",
    "evaluation.bootstrap=100",
    "evaluation.max_new_tokens=16",
    "sources=[self_reward, first_vs_second]",
    "judge_quality.reward_models=[]",
    "rmsp=null",
    "teacher_sft=null",  # its models have no teacher
    "dpo.num_train_epochs=2",
    "dpo.per_device_train_batch_size=2",
]
CHECKPOINT_EVERY = 2  # training steps: the most a killed training stage may redo


def register_first_vs_second() -> None:
    """A source that needs no trained judge (the policy's sample 0 over its sample 1), so this barely trained
    policy still yields enough pairs for a DPO stage of several steps."""
    import tests.first_vs_second  # noqa: F401  (importing registers it)


def main(results: Path, events: Path, target: str | None) -> None:
    from harness import records
    from harness.config import load_recipe
    from harness.generation import batches, hf
    from harness.hashing import stable_hash
    from harness.pipeline import Pipeline
    from harness.train import checkpoints

    fd = os.open(events, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    store = results / "store"

    def fire(kind: str, ident: str) -> bool:
        os.write(fd, (json.dumps({"kind": kind, "id": ident}) + "\n").encode())
        return target == f"{kind}@{ident}"

    def die() -> None:
        os.kill(os.getpid(), signal.SIGKILL)

    def stage_id(path: Path) -> str:  # store/<stage>/<key>.tmp/... or <key>.partial/... -> <stage>/<key>
        rel = path.relative_to(store).parts
        return f"{rel[0]}/{rel[1].split('.')[0]}"

    current = {"batch": ""}
    sample = hf.HFGenerator._sample

    def sample_and_fire(self, prompt_ids, input_ids, params):
        rows = sample(self, prompt_ids, input_ids, params)
        model = Path(self.path).resolve()
        where = stage_id(model) if model.is_relative_to(store) else str(model)
        # By content, not prompt ids: a judge prompt's id names the producer, whose hash holds the results path.
        current["batch"] = f"{where}:{params.seed}:{params.n}:{stable_hash(input_ids)}"
        if fire("batch", current["batch"]):
            die()
        return rows

    put = batches.BatchCache.put

    def put_and_fire(self, key, rows):
        if fire("sqlite", current["batch"]):
            # Die inside the transaction: SQLite calls this handler while it executes the INSERT.
            self._cache._conn.set_progress_handler(die, 1)
        return put(self, key, rows)

    write_text = records.write_text_atomic

    def write_and_fire(path, text):
        path = Path(path)
        if path.is_relative_to(store) and fire("write", f"{stage_id(path)}/{path.name}"):
            # The same temp file the real write uses, half written, then the kill.
            half = path.with_name(f".{path.name}.tmp-{os.getpid()}")
            half.write_text(text[: len(text) // 2], encoding="utf-8")
            die()
        return write_text(path, text)

    step_end = checkpoints.ResumableCheckpoints.on_step_end
    on_save = checkpoints.ResumableCheckpoints.on_save

    def step_and_fire(self, args, state, control, **kwargs):
        if fire("step", f"{stage_id(self.folder)}:{state.global_step}"):
            die()
        return step_end(self, args, state, control, **kwargs)

    def save_and_fire(self, args, state, control, **kwargs):
        if fire("ckpt", f"{stage_id(self.folder)}:{state.global_step}"):
            die()
        return on_save(self, args, state, control, **kwargs)

    hf.HFGenerator._sample = sample_and_fire
    batches.BatchCache.put = put_and_fire
    records.write_text_atomic = write_and_fire
    checkpoints.ResumableCheckpoints.on_step_end = step_and_fire
    checkpoints.ResumableCheckpoints.on_save = save_and_fire
    checkpoints.DEFAULT_POLICY = checkpoints.CheckpointPolicy(every_steps=CHECKPOINT_EVERY, min_seconds=float("inf"))

    register_first_vs_second()
    recipe = load_recipe(ROOT / "recipes" / "sandbox.yaml", RECIPE)
    out = Pipeline(recipe, results, log=lambda _: None).run()
    print(json.dumps({"run_dir": out["run_dir"]}))


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else None)

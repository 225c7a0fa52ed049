"""Trains the sandbox recipe's DPO stage under `launch:` (one accelerate-launched process) and prints its result.

Launched by test_crash_kill_launch.py:  python launch_kill_driver.py RESULTS BASE_MODEL PAIRS ACCELERATE_CONFIG
The test SIGKILLs this process's whole group (the pipeline, `accelerate launch` and the training rank) once the
stage's first checkpoint is complete, then runs it again to the end. Checkpoints every 2 steps: the launched rank
gets that policy through its TrainJob, as it gets the parent's policy in any run.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

DPO = [
    "dpo.learning_rate=1e-2",
    "dpo.num_train_epochs=2",
    "dpo.max_length=64",
    "dpo.loss_type=[sigmoid]",
    "dpo.per_device_train_batch_size=1",
    "dpo.logging_steps=1",
]
CHECKPOINT_EVERY = 2


def main(results: Path, base: Path, pairs_file: Path, accelerate_config: Path) -> None:
    from harness.recipes.loader import load_recipe
    from harness.run.pipeline import ModelRef, Pipeline
    from harness.train import checkpoints
    from harness.train.checkpoint_policy import CheckpointPolicy
    from harness.types import PreferencePair

    checkpoints.DEFAULT_POLICY = CheckpointPolicy(every_steps=CHECKPOINT_EVERY, min_seconds=float("inf"))
    recipe = load_recipe(ROOT / "recipes" / "sandbox.yaml", [*DPO, f"launch.accelerate_config={accelerate_config}"])
    pipe = Pipeline(recipe, results, log=lambda line: print(line, flush=True))
    pipe.models["M1"] = ModelRef("M1", str(base), "tiny-base")
    pairs = [PreferencePair.model_validate_json(line) for line in pairs_file.read_text().splitlines()]

    def write_pairs(out: Path) -> dict:
        (out / "preferences.jsonl").write_text("".join(p.model_dump_json() + "\n" for p in pairs))
        return {"pairs": len(pairs)}

    feedback = pipe.stage("feedback test", "feedback", {"pairs": "addition"}, [], write_pairs)
    pipe.dpo("test", feedback, "M1", "M2-test")
    print(json.dumps({"dpo": str(pipe.stages["dpo M2-test"].path)}))


if __name__ == "__main__":
    main(*(Path(a) for a in sys.argv[1:5]))

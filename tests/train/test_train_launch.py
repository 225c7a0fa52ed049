"""Training under `accelerate launch`: the sandbox DPO stage on 2 CPU processes (gloo) matches 1 process.

Equal global batch: 2 processes x 4 pairs per step against 1 process x 8, same seed. Accelerate shards each global
batch of the seeded permutation across ranks (rank r takes the r-th per-device batch), so every optimizer step
sees the same 8 pairs, the sigmoid DPO loss is a per-pair mean, and DDP averages the two ranks' gradients: the two
runs compute the same updates up to float32 summation order. Measured on this machine: per-step losses agree to
~1e-7, the relative difference of the weight updates is ~6e-5 (Adam divides by sqrt(v), so near-zero gradients
amplify rounding noise in a few elements), a fixed text's log-probability to ~3e-6. The tolerances below sit an
order of magnitude or more above that and far below what a real difference (another batch, data order or lost
gradient sync) gives: the update itself is ~50x the tolerance on log-probs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from transformers import AutoModelForCausalLM, AutoTokenizer

from harness.cli import parser
from harness.recipes.loader import RecipeError, load_recipe
from harness.run.pipeline import ModelRef, Pipeline
from harness.run.store import DONE, StageStore
from harness.train import TrainSpec, sequence_logprobs
from harness.train.launch import LaunchSpec, TrainLaunchError, train
from harness.types import Message, PreferencePair

ROOT = Path(__file__).resolve().parents[2]
DDP_CPU = ROOT / "recipes" / "accelerate" / "ddp_cpu.yaml"
DPO = ["dpo.learning_rate=1e-2", "dpo.num_train_epochs=2", "dpo.max_length=64", "dpo.loss_type=[sigmoid]",
       "dpo.logging_steps=1"]  # fmt: skip


def as_pairs(rows: list[dict]) -> list[PreferencePair]:
    msgs = lambda ms: tuple(Message(**m) for m in ms)  # noqa: E731
    return [PreferencePair(prompt_id=f"p{i}", prompt=msgs(r["prompt"]), chosen=msgs(r["chosen"]),
                           rejected=msgs(r["rejected"]), source="test", chosen_by="sum", rejected_by="noise")
            for i, r in enumerate(rows)]  # fmt: skip


def sandbox_dpo(
    results: Path, base: Path, pairs: list[PreferencePair], overrides: list[str], log: list[str]
) -> tuple[Pipeline, str]:
    """The sandbox recipe's DPO stage, from `base` as M1 on `pairs`, through Pipeline.dpo; returns the stage key."""
    pipe = Pipeline(load_recipe(ROOT / "recipes" / "sandbox.yaml", DPO + overrides), results, log=log.append)
    pipe.models["M1"] = ModelRef("M1", str(base), "tiny-base")

    def write_pairs(out: Path) -> dict:
        (out / "preferences.jsonl").write_text("".join(p.model_dump_json() + "\n" for p in pairs))
        return {"pairs": len(pairs)}

    feedback = pipe.stage("feedback test", "feedback", {"pairs": "addition"}, [], write_pairs)
    pipe.dpo("test", feedback, "M1", "M2-test")
    return pipe, pipe.stages["dpo M2-test"].key


@pytest.fixture(scope="module")
def runs(base_model_dir, addition_pairs, tmp_path_factory):
    pairs = as_pairs(addition_pairs(16, seed=0))
    results = tmp_path_factory.mktemp("results")
    one_log: list[str] = []
    one, one_key = sandbox_dpo(results, base_model_dir, pairs, ["dpo.per_device_train_batch_size=8"], one_log)
    two_log: list[str] = []
    two, two_key = sandbox_dpo(
        results, base_model_dir, pairs,
        ["dpo.per_device_train_batch_size=4", f"launch.accelerate_config={DDP_CPU}", "launch.num_processes=2"],
        two_log,
    )  # fmt: skip
    return one, two, one_key, two_key, two_log


@pytest.fixture(autouse=True)
def one_thread_per_child(monkeypatch):
    monkeypatch.setenv("OMP_NUM_THREADS", "1")  # inherited by the launched children: 2 ranks share 2 cores


def test_two_gloo_processes_train_what_one_process_trains(runs, base_model_dir, tokenizer):
    one, two, _one_key, _two_key, two_log = runs
    recorded = [json.loads((p.stages["dpo M2-test"].path / DONE).read_text())["config"] for p in (one, two)]
    assert "launch" not in recorded[0]  # in-process stages keep the keys they had before launches existed
    assert recorded[1]["launch"]["num_processes"] == 2 and recorded[1]["launch"]["use_cpu"] is True
    summary_one, summary_two = one.stages["dpo M2-test"].summary, two.stages["dpo M2-test"].summary
    assert summary_one["pairs"] == summary_two["pairs"] == 16
    assert summary_two["train_loss"] == pytest.approx(summary_one["train_loss"], rel=1e-5)
    assert summary_one["train_loss"] < 0.69  # it trained (ln 2 = 0.693 is the untrained sigmoid loss)
    assert any("[train dpo x2]" in line for line in two_log)  # the children's output reached the pipeline log

    paths = [Path(p.models["M2-test"].path) for p in (one, two)]
    models = [AutoModelForCausalLM.from_pretrained(p) for p in paths]
    start = AutoModelForCausalLM.from_pretrained(base_model_dir).state_dict()
    weights = [m.state_dict() for m in models]
    update_norm = sum(((weights[0][k] - start[k]) ** 2).sum() for k in start) ** 0.5
    gap_norm = sum(((weights[0][k] - weights[1][k]) ** 2).sum() for k in start) ** 0.5
    assert update_norm > 0.1  # training moved the weights ...
    assert gap_norm / update_norm < 2e-3, (gap_norm, update_norm)  # ... and both runs moved them the same way

    prompt, answer = [{"role": "user", "content": "add 12 34"}], "46"
    logprobs = [sequence_logprobs(m, tokenizer, prompt, answer) for m in models]
    before = sequence_logprobs(AutoModelForCausalLM.from_pretrained(base_model_dir), tokenizer, prompt, answer)
    assert abs(logprobs[0] - before) > 0.05
    assert logprobs[1] == pytest.approx(logprobs[0], abs=1e-3)

    # Only rank 0 wrote the model; the store's rename into place happened once, in the parent
    for path in paths:
        assert sorted(f.name for f in path.iterdir() if f.suffix == ".safetensors") == ["model.safetensors"]
        assert (path.parent / DONE).is_file() and not list(path.parent.parent.glob("*.tmp-*"))
        AutoTokenizer.from_pretrained(path)


def test_a_failed_child_is_one_line_with_the_exit_code_and_leaves_finished_stages(tmp_path, addition_pairs):
    store = StageStore(tmp_path / "store")
    finished = store.run("feedback", {"n": 1}, [], lambda out: {"pairs": 1})
    single = tmp_path / "single.yaml"  # one child is enough to fail, and cheaper than two
    single.write_text("distributed_type: 'NO'\nnum_processes: 1\nuse_cpu: true\nmixed_precision: 'no'\n")
    launch = LaunchSpec(accelerate_config=single)
    lines: list[str] = []

    def build(out: Path) -> dict:
        return train("dpo", tmp_path / "no-such-model", addition_pairs(4, 0), TrainSpec(max_length=32),
                     out / "model", launch=launch, log=lines.append).metrics  # fmt: skip

    with pytest.raises(TrainLaunchError) as failure:
        store.run("dpo", {"n": 1}, [finished.key], build)
    message = str(failure.value)
    assert "\n" not in message and "exit code " in message and "last lines:" in message
    assert "no-such-model" in message.split("; last lines:")[0]  # the child's own complaint comes first
    assert (finished.path / DONE).is_file()
    assert not store.path("dpo", store.key("dpo", {"n": 1}, [finished.key])).exists()


def test_launch_block_is_validated_in_one_line(tmp_path):
    sandbox = ROOT / "recipes" / "sandbox.yaml"
    with pytest.raises(RecipeError, match=r"launch\.accelerate_config: .*nope\.yaml not found") as missing:
        load_recipe(sandbox, ["launch.accelerate_config=nope.yaml"])
    bad = tmp_path / "bad.yaml"
    bad.write_text("distributed_type: MULTI_GPU\nnum_procesess: 2\n")
    with pytest.raises(RecipeError, match=r"not a valid accelerate config .*num_procesess") as unknown:
        load_recipe(sandbox, [f"launch.accelerate_config={bad}"])
    with pytest.raises(RecipeError, match="needs at least 2") as too_few:
        load_recipe(sandbox, [f"launch.accelerate_config={DDP_CPU}", "launch.num_processes=1"])
    for error in (missing, unknown, too_few):
        assert "\n" not in str(error.value)
    for name in ("ddp", "ddp_cpu", "fsdp", "deepspeed_zero2", "deepspeed_zero3"):  # every shipped config loads
        recipe = load_recipe(sandbox, [f"launch.accelerate_config={ROOT / 'recipes/accelerate' / name}.yaml"])
        assert recipe.launch.processes() >= 2


def test_stage_key_follows_what_is_computed_not_where_processes_meet(tmp_path):
    moved = tmp_path / "elsewhere.yaml"
    moved.write_text(DDP_CPU.read_text().replace("main_process_port: 0", "main_process_port: 29512"))
    two = LaunchSpec(accelerate_config=DDP_CPU, num_processes=2)
    assert LaunchSpec(accelerate_config=moved, num_processes=2).stage_key() == two.stage_key()
    assert LaunchSpec(accelerate_config=DDP_CPU, num_processes=4).stage_key() != two.stage_key()
    assert LaunchSpec(accelerate_config=DDP_CPU).stage_key() == two.stage_key()  # the file says 2


def test_train_subcommand_is_documented():
    text = parser().format_help()
    assert "train" in text and "harness train JOB.json" in text
    with pytest.raises(SystemExit):
        parser().parse_args(["train"])  # the job file is required

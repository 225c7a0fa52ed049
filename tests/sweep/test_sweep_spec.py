"""The sweep: block: grid x zip x seeds expansion, labels, extras, and one-line errors naming variant and field."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.recipes.loader import RecipeError, load_recipe_data
from harness.sweep.spec import expand, load_sweep

ROOT = Path(__file__).resolve().parents[2]
SANDBOX = ROOT / "recipes" / "sandbox.yaml"


def _recipe(tmp_path: Path, sweep: str, extra: str = "") -> Path:
    path = tmp_path / "swept.yaml"
    path.write_text(f"extends: {SANDBOX}\nname: swept\n{extra}sweep:\n{sweep}")
    return path


def test_grid_is_cartesian_zip_is_lock_step_and_seeds_multiply():
    data = {
        "name": "x",
        "dpo": {"beta": 0.1},
        "sweep": {
            "grid": {"dpo.beta": [0.1, 0.3], "feedback.candidates.n": [4, 8]},
            "zip": {"dpo.learning_rate": [1e-4, 5e-4], "dpo.num_train_epochs": [6, 2]},
            "seeds": [0, 1, 2],
        },
    }
    variants = expand(data)
    assert len(variants) == 2 * 2 * 2 * 3
    first = variants[0]
    assert first.label == "beta-0.1_n-4_learning_rate-0.0001_num_train_epochs-6_seed-0"
    assert first.group == "beta-0.1_n-4_learning_rate-0.0001_num_train_epochs-6"
    assert first.data["dpo"] == {"beta": 0.1, "learning_rate": 1e-4, "num_train_epochs": 6}
    assert first.data["feedback"] == {"candidates": {"n": 4}}
    assert (first.data["train_seed"], first.data["sample_seed"], first.data["name"]) == (0, 0, f"x.{first.label}")
    zipped = {(v.data["dpo"]["learning_rate"], v.data["dpo"]["num_train_epochs"]) for v in variants}
    assert zipped == {(1e-4, 6), (5e-4, 2)}  # lock-step: never (1e-4, 2)
    assert [v.seed for v in variants[:3]] == [0, 1, 2] and len({v.group for v in variants}) == 8
    assert "sweep" not in first.data and data["dpo"] == {"beta": 0.1}  # the input is left as it was
    assert expand(data) == variants  # a pure function of the recipe mapping


def test_extra_variants_run_once_at_the_recipes_own_seeds():
    data = {"name": "x", "sweep": {"seeds": [1, 2], "extra": [{"name": "real", "set": {"sources": ["oracle"]}}]}}
    variants = expand(data)
    assert [(v.label, v.seed, v.extra) for v in variants] == [
        ("seed-1", 1, False),
        ("seed-2", 2, False),
        ("real", None, True),
    ]
    assert variants[-1].data["sources"] == ["oracle"] and "train_seed" not in variants[-1].data


def test_the_curve_recipe_validates_every_variant():
    sweep = load_sweep(ROOT / "recipes" / "sandbox_judge_curve.yaml")
    assert len(sweep.variants) == 6 * 3 + 1
    rates = sorted({r.source_kwargs("noisy_oracle")["flip_rate"] for v, r in sweep.variants if not v.extra})
    assert rates == [0.0, 0.1, 0.2, 0.3, 0.4, 0.5]
    _, extra = sweep.variants[-1]
    assert extra.sources == ("parameter_contrast", "almost_rubric", "self_reward", "llm_judge", "llm_teacher")
    assert (extra.training_seed, extra.sampling_seed) == (0, 0)


def test_a_recipe_without_a_sweep_block_is_no_sweep():
    assert load_sweep(SANDBOX) is None


@pytest.mark.parametrize(
    "sweep, message",
    [
        ("  grid: {dpo.betaa: [0.1, 0.2]}\n", r"swept.yaml: sweep variant betaa-0.1: dpo.betaa: unknown key"),
        ("  grid: {dpo.beta: [0.1, -1]}\n", r"sweep variant beta--1: dpo.beta: Input should be greater than 0"),
        ("  grid: {oracle.flip_rate: [0.1]}\n", r"sweep variant flip_rate-0.1: oracle.flip_rate: remove it"),
        ("  grid: {sources: [[oracle], [orakle]]}\n", r"sweep variant sources-orakle: .*'orakle'.*did you mean"),
        ("  zip: {dpo.beta: [0.1, 0.2], dpo.learning_rate: [0.001]}\n", r"sweep.zip: .*different lengths"),
        ("  grid: {dpo.beta: []}\n", r"sweep.grid.dpo.beta: an empty list"),
        ("  seeds: [0, 0]\n", r"sweep.seeds: .*repeats a seed"),
        ("  seeds: [0]\n  grid: {train_seed: [1]}\n", r"sweep.grid.train_seed: set by seeds: as well"),
        ("  seeds: [0]\n  grids: {dpo.beta: [0.1]}\n", r"sweep.grids: unknown key"),
        ("  grid: {policy.size: [1]}\n", r"sweep variant size-1: policy.size: 'policy' is not a mapping"),
        ("  extra: [{name: a, set: {dpo.beta: 0.1}}]\n", r"sweep.grid: nothing to sweep"),
    ],
)
def test_bad_sweeps_fail_in_one_line_naming_variant_and_field(tmp_path, sweep, message):
    with pytest.raises(RecipeError, match=message) as info:
        load_sweep(_recipe(tmp_path, sweep))
    assert "\n" not in str(info.value)


def test_every_variant_is_checked_before_any_runs(tmp_path):
    # The last of three variants is bad: the error comes at load time, so nothing has run.
    path = _recipe(
        tmp_path,
        "  grid: {noisy_oracle.flip_rate: [0.0, 0.5, 1.5]}\n",
        extra="sources: [noisy_oracle]\nnoisy_oracle: {flip_rate: 0.0}\n",
    )
    with pytest.raises(RecipeError, match=r"sweep variant flip_rate-1.5: noisy_oracle.flip_rate:"):
        load_sweep(path)
    assert load_recipe_data(path)["sweep"]["grid"]  # the file itself is a readable recipe


def test_sweep_null_runs_the_recipe_itself_once(tmp_path):
    from harness.recipes import kinds

    path = _recipe(tmp_path, "  grid: {dpo.beta: [0.1, 0.3]}\n")
    assert kinds.load(path).kind == "sweep"
    single = kinds.load(path, ["sweep=null", "dpo.beta=0.3"])
    assert single.kind == "feedback"
    assert single.recipe.dpo.beta == 0.3 and single.recipe.name == "swept"

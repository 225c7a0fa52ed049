"""A hub model or dataset that cannot be had is a one-line error naming the field, the id and the fix, before
any stage runs (offline here: HF_HUB_OFFLINE, with empty caches)."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli import main
from harness.recipes.hub_access import check_hub_access, hub_references
from harness.recipes.loader import RecipeError, load_recipe


@pytest.fixture
def offline(monkeypatch, tmp_path) -> Path:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hub"))
    monkeypatch.setenv("HF_DATASETS_CACHE", str(tmp_path / "datasets"))
    return tmp_path / "hub"


def recipe_file(tmp_path: Path, model: str, feedback: str) -> Path:
    (tmp_path / "model").mkdir(exist_ok=True)
    path = tmp_path / "r.yaml"
    path.write_text(
        f"name: hub_check\nbenchmark: {{name: prompt_sets, params: {{feedback: '{feedback}', "
        f"eval: vicuna80}}}}\nmodels: {{m: {{path: '{model}'}}}}\npolicy: m\nsources: [self_reward]\n"
        "sft: {demonstrations: 0}\n"  # the sets name no sft data: an instruction-tuned policy takes none
        "evaluation: {judge: {model: m, prompt: pairwise_abc}}\n"
    )
    return path


def test_unreachable_hub_dataset_is_one_line_exit_2_before_any_stage(offline, tmp_path, capsys):
    path = recipe_file(tmp_path, str(tmp_path / "model"), "hf:acme/no-such-dataset:train")
    assert main(["validate", str(path)]) == 0  # validation stays network-free
    capsys.readouterr()
    results = tmp_path / "results"
    assert main(["run", str(path), "--results", str(results)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    assert "benchmark.params.feedback: hub dataset 'acme/no-such-dataset' cannot be had" in err
    assert "HF_HUB_OFFLINE" in err and "local .jsonl/.json/.parquet file" in err and "--smoke" in err
    assert not results.exists() or not any(results.rglob("_stage.json"))


def test_unreachable_hub_model_names_its_field(offline, tmp_path):
    recipe = load_recipe(recipe_file(tmp_path, "acme/no-such-model", "vicuna80"))
    with pytest.raises(
        RecipeError,
        match=r"r.yaml: models.m.path: hub model 'acme/no-such-model' cannot be had: "
        r".*huggingface-cli download acme/no-such-model.*--smoke",
    ):
        check_hub_access(recipe, where=str(tmp_path / "r.yaml"))


def test_cached_ids_pass_offline_and_local_paths_are_not_hub_ids(offline, tmp_path):
    recipe = load_recipe(recipe_file(tmp_path, "acme/cached-model", "hf:acme/cached-set"))
    assert [(r.field, r.repo_id, r.kind) for r in hub_references(recipe)] == [
        ("models.m.path", "acme/cached-model", "model"),
        ("benchmark.params.feedback", "acme/cached-set", "dataset"),
    ]
    for folder in ("models--acme--cached-model", "datasets--acme--cached-set"):
        (offline / folder / "snapshots").mkdir(parents=True)
    check_hub_access(recipe, where="r.yaml")  # no error: both are in the cache
    assert hub_references(load_recipe(recipe_file(tmp_path, str(tmp_path / "model"), "vicuna80"))) == []

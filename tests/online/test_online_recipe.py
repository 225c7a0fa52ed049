"""The `online:` block is validated before any compute, one line naming the field; online rows have their own names."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.recipes.loader import RecipeError, load_recipe
from harness.run import names

RECIPE = Path(__file__).resolve().parents[2] / "recipes" / "sandbox_online.yaml"


def test_the_sandbox_online_recipe_spends_the_offline_judge_calls():
    recipe = load_recipe(RECIPE)
    online = recipe.online
    assert online is not None and set(online.sources) <= set(recipe.sources)
    assert online.judge_budget == recipe.feedback.prompts * recipe.feedback.candidates.n
    assert online.self_judge == ("current", "frozen")
    assert online.methods == ("dpo", "grpo", "iterative") and online.rounds == 3


@pytest.mark.parametrize(
    ("override", "field", "fix"),
    [
        ("online.sources=[parameter_contrast]", "online.sources", "list it there"),
        ("online.self_judge=[current,current]", "online", "list each once"),
        ("online.candidates=1", "online.candidates", "greater than or equal to 2"),
        ("online.budget=5", "online.budget", ""),
        ("online.methods=[dpo,dpo]", "online.methods", "list each once"),
    ],
)
def test_a_bad_online_block_is_one_line_naming_the_field(override, field, fix):
    with pytest.raises(RecipeError) as caught:
        load_recipe(RECIPE, [override])
    message = str(caught.value)
    assert "\n" not in message and field in message and fix in message, message


def test_online_rows_and_stages_have_their_own_names():
    assert names.online_model("oracle") == "M2-oracle-online"
    assert names.online_model("self_reward", frozen_self_judge=True) == "M2-self_reward-online-frozen"
    row = names.parse_row("M2-self_reward-online-frozen")
    assert row is not None and (row.stage, row.source) == ("M2", "self_reward-online-frozen")
    assert names.row_stages("M2-oracle-online") == {
        "evaluate": "evaluate M2-oracle-online",
        "feedback": "online M2-oracle-online",
        "dpo": "online M2-oracle-online",
    }
    assert names.reserved_reason("M2-oracle-online") is not None
    assert names.online_model("oracle", method="grpo") == "M2-oracle-grpo"
    assert names.online_model("self_reward", True, "grpo") == "M2-self_reward-grpo-frozen"
    assert names.row_stages("M2-self_reward-grpo-frozen")["dpo"] == "online M2-self_reward-grpo-frozen"
    assert names.iterative_model("self_reward", 3, frozen_self_judge=True) == "M2-self_reward-iter3-frozen"
    assert names.iterative_rounds("self_reward-iter3-frozen") == 3 and names.iterative_rounds("oracle") is None
    assert names.row_stages("M2-oracle-iter3") == {
        "evaluate": "evaluate M2-oracle-iter3",
        "feedback": "iterative M2-oracle-iter3 round 3",
        "dpo": "iterative M2-oracle-iter3 round 3",
    }

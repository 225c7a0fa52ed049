"""BAD-response filters and the continuation cut, on hand-made responses."""

import pytest

from judges.almost.filters import BAD_RULES, bad_reason, cut_continuation

GOOD = "Salt raises the boiling point a little, but mostly it seasons the pasta itself."  # 80 chars


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (GOOD, None),
        ("Yes, it matters.", "too_short"),  # 16 < 50
        ("", "too_short"),
        (GOOD[:-1] + " - do you want a recipe for it too?", "question_or_colon_ending"),
        ("Here is what you need to do in order to fix it right now:", "question_or_colon_ending"),
        ("Well, salt raises the boiling point a little, but mostly it seasons pasta.", "starts_with_well"),
        ("Salt raises the boiling point a little, but mostly it seasons the pasta", "no_final_period"),
        ("Honestly I don't know whether salt matters much once you add a sauce.", "dont_know"),
        ("Honestly I don’t  know whether salt matters much once you add a sauce.", "dont_know"),  # curly quote
        ("I do not know whether salt matters much once you add a heavy sauce!", "dont_know"),
        ("Salt seasons the pasta. human: ok and what about oil in the water then.", "role_leakage"),
        ("Salt seasons the pasta. User: ok and what about oil in the water then.", "role_leakage"),
        ("Here is a picture of salted water boiling in a pot <image> as you asked.", "image_placeholder"),
    ],
)
def test_each_rule_on_its_own_example(text, reason):
    assert bad_reason(text, min_length=50) == reason


def test_first_rule_in_almost_order_names_the_reason():
    # Too short AND ends with '?': too_short comes first in ALMoST's order.
    assert bad_reason("Why?", min_length=50) == "too_short"
    assert bad_reason("Why?", min_length=2) == "question_or_colon_ending"


def test_rules_can_be_switched_off_for_worlds_with_short_answers():
    sandbox_rules = [r for r in BAD_RULES if r not in ("no_final_period", "starts_with_well")]
    assert bad_reason("71", min_length=1, rules=sandbox_rules) is None
    assert bad_reason("71", min_length=1) == "no_final_period"
    assert bad_reason("", min_length=1, rules=[]) == "too_short"  # nothing can judge an empty response


def test_continuation_is_cut_where_the_model_starts_a_new_turn_or_dialogue():
    assert cut_continuation(" It matters.\n\nHuman: and oil?\n\nAssistant: no.") == "It matters."
    assert cut_continuation("It matters.\n\n-----\n\nHuman: next dialogue") == "It matters."
    assert cut_continuation("It matters. Assistant: again") == "It matters."
    # ALMoST cuts case-sensitively; a lower-case marker survives the cut and is caught by role_leakage.
    assert cut_continuation("It matters. human: really?") == "It matters. human: really?"

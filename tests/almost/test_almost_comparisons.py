"""CS: rubric ranks, BAD responses set aside, pairs with provenance, and what each rule removed."""

import pytest

from harness.types import Prompt
from judges.almost.comparisons import compare, rubric_ranks
from judges.almost.response_generation import Response

PROMPT = Prompt.from_text("p1", "Is salt in pasta water important?")


def response(config: str, length: int, bad: str | None = None) -> Response:
    return Response(config=config, text="y" * length, producer=f"gen-{config}:abc#0", bad=bad)


def test_rubric_ranks_with_ties():
    assert rubric_ranks(["a", ["b", "c"], "d"], ["a", "b", "c", "d"]) == {"a": 0, "b": 1, "c": 1, "d": 2}


@pytest.mark.parametrize(
    ("rubric", "message"),
    [
        (["a", "x"], "rubric: 'x' is not a configuration"),
        (["a", ["b", "a"]], "rubric: 'a' is listed twice"),
        (["a"], r"rubric: configurations \['b'\] are not ranked"),
        ([["a", "b"]], "rubric: needs at least two ranks"),
    ],
)
def test_rubric_mistakes_are_named(rubric, message):
    with pytest.raises(ValueError, match=message):
        rubric_ranks(rubric, ["a", "b"])


def test_bad_responses_leave_before_the_walk_and_do_not_count_in_the_length_statistics():
    ranks = {"big": 0, "mid": 1, "small": 2, "tiny": 3}
    # "tiny" is BAD: with it (length 5) mu/sigma would call "big" long enough; without it, lengths
    # 40, 100, 90: mu 76.7, sigma 26.25, floor 63.5 -> big (40) is too short against mid and small.
    responses = [response("big", 40), response("mid", 100), response("small", 90), response("tiny", 5, "too_short")]
    pairs, dropped = compare(PROMPT, responses, ranks, "almost_rubric")
    assert [(p.chosen_by.split("=")[0], p.rejected_by.split("=")[0]) for p in pairs] == [("mid", "small")]
    assert dropped == {"bad_response:too_short": 1, "heuristic:too_short": 2}
    (pair,) = pairs
    assert pair.to_trl() == {
        "prompt": [{"role": "user", "content": PROMPT.text}],
        "chosen": [{"role": "assistant", "content": "y" * 100}],
        "rejected": [{"role": "assistant", "content": "y" * 90}],
    }
    assert (pair.source, pair.prompt_id, pair.judge) == ("almost_rubric", "p1", "rubric:mid>small")
    assert (pair.chosen_by, pair.rejected_by) == ("mid=gen-mid:abc#0", "small=gen-small:abc#0")


def test_length_rule_off_keeps_the_short_leader():
    ranks = {"big": 0, "mid": 1, "small": 2}
    responses = [response("big", 40), response("mid", 100), response("small", 90)]
    pairs, dropped = compare(PROMPT, responses, ranks, "s", length_rule=False)
    assert [p.judge for p in pairs] == ["rubric:big>mid", "rubric:mid>small"]
    assert dropped == {"pairing:already_chosen": 1}


def test_a_prompt_without_a_pair_is_counted_once():
    ranks = {"a": 0, "b": 0, "c": 1}
    pairs, dropped = compare(PROMPT, [response("a", 60), response("b", 60), response("c", 60, "dont_know")], ranks, "s")
    assert pairs == []
    assert dropped == {"bad_response:dont_know": 1, "pairing:equal_rank": 1, "no_pair": 1}


def test_tied_configurations_are_walked_in_rubric_order_not_configuration_order():
    # rubric [[big, mid], small], configurations listed mid first; all 60 long, so the first tied response walked
    # takes rank 0 against small: the rubric names big first, so big is chosen.
    ranks = rubric_ranks([["big", "mid"], "small"], ["mid", "big", "small"])
    pairs, dropped = compare(PROMPT, [response("mid", 60), response("big", 60), response("small", 60)], ranks, "s")
    assert [p.judge for p in pairs] == ["rubric:big>small"]
    assert dropped == {"pairing:equal_rank": 1, "pairing:rank_used": 1}

"""How judges of each kind are put to labelled items: a pair judge in both orders (its position bias shows),
a pointwise judge order-free, ranked groups scored per reply."""

from __future__ import annotations

import pytest

from harness.judge_eval.items import LabelledPair, RankedGroup
from harness.judge_eval.judging import judge_groups, judge_pairs
from harness.judge_eval.measures import measure
from harness.registry import judges
from harness.types import Completion, Message, Prompt
from tests.judge_eval.always_first import AlwaysFirst


def pair(i: int, a: str, b: str, label: str) -> LabelledPair:
    return LabelledPair(id=f"p{i}", subset="s", prompt=(Message(role="user", content=f"q{i}"),), a=a, b=b, label=label)


PAIRS = [
    pair(0, "short", "a much longer reply", "a"),
    pair(1, "x", "yy", "b"),
    pair(2, "same", "same!", "tie"),
    pair(3, "long answer here", "no", "a"),
]


def test_a_judge_that_always_picks_the_first_shown_is_caught_by_position_consistency():
    judge = judges.build("pairwise", generator=AlwaysFirst())
    outcomes = judge_pairs(judge, PAIRS)
    assert [o.first for o in outcomes] == ["a"] * 4 and [o.swapped for o in outcomes] == ["a"] * 4
    assert [o.final for o in outcomes] == ["tie"] * 4  # flips with the order: a tie, never a win
    m = measure(outcomes)["s"]
    assert m["position_consistency"]["value"] == 0.0 and m["first_bias"] == 1.0 and m["second_bias"] == 0.0
    assert m["agreement"]["n"] == 0 and m["agreement"]["value"] is None  # no decisive verdict to compare
    assert m["agreement_ties"]["value"] == pytest.approx(1 / 4)  # right only where humans tied


def test_a_pointwise_judge_gives_order_free_verdicts_from_its_scores():
    outcomes = judge_pairs(judges.build("length"), PAIRS)
    assert [o.final for o in outcomes] == ["b", "b", "b", "a"]
    assert outcomes[0].score_a == 5.0 and outcomes[0].score_b == 19.0 and outcomes[0].first is None
    m = measure(outcomes)["s"]
    assert "position_consistency" not in m
    assert m["agreement"]["value"] == pytest.approx(2 / 3) and m["longer"]["value"] == 1.0


def test_self_preference_where_the_set_names_the_judges_own_replies():
    pairs = [p.model_copy(update={"model_a": "me", "model_b": "other"}) for p in PAIRS]
    m = measure(judge_pairs(judges.build("length"), pairs), self_model="me")["s"]
    # length picks a (its own) once in four: 0.25; humans picked a twice, tied once: (1 + 0 + 0.5 + 1) / 4
    assert m["self_preference"]["value"] == pytest.approx(0.25)
    assert m["self_preference_excess"]["value"] == pytest.approx(0.25 - 2.5 / 4)


def test_ranked_groups_are_scored_per_reply_by_pointwise_and_pair_judges():
    groups = [
        RankedGroup(
            id="g0",
            subset="en",
            prompt=(Message(role="user", content="q"),),
            replies=("a long good reply", "mid reply", "bad"),
            reference=(0.0, -1.0, -2.0),
        ),
        RankedGroup(
            id="g1",
            subset="en",
            prompt=(Message(role="user", content="q2"),),
            replies=("ok", "a longer but worse reply"),
            reference=(0.0, -1.0),
        ),
    ]
    by_length = measure(judge_groups(judges.build("length"), groups))["en"]
    assert by_length["pairwise_accuracy"]["value"] == pytest.approx((1.0 + 0.0) / 2)
    pair_outcomes = judge_groups(judges.build("pairwise", generator=AlwaysFirst()), groups)
    assert pair_outcomes[0].scores == (0.5, 0.5, 0.5)  # every comparison a tie: half a win each


def test_the_pairwise_probability_readout_takes_the_likeliest_letter_and_shows_the_same_bias():
    judge = judges.build("pairwise", generator=AlwaysFirst(), prompt="brief_pairwise", readout="expected")
    assert judge.name.endswith(":expected")
    in_order = judge.judge_in_order(
        [
            (
                Prompt.from_text("p", "q"),
                Completion(prompt_id="p", text="x", producer="a"),
                Completion(prompt_id="p", text="y", producer="b"),
            )
        ]
    )
    assert in_order[0].verdict.winner == "a" and in_order[0].verdict.prob == pytest.approx(0.6 / 0.9)
    m = measure(judge_pairs(judge, PAIRS))["s"]
    assert m["position_consistency"]["value"] == 0.0 and m["first_bias"] == 1.0


def test_ranking_intervals_stay_inside_the_metrics_range():
    """Three prompts, two ranked perfectly and one reversed: Spearman 1, 1, -1 (mean 1/3, SE 2/3) would give
    value ± 1.96 SE = [-0.97, 1.64]; the interval is clipped to [-1, 1], the value and SE untouched."""
    from harness.judge_eval.judging import GroupOutcome

    groups = [
        GroupOutcome(id=str(i), subset="en", reference=(3.0, 2.0, 1.0), scores=scores)
        for i, scores in enumerate([(3.0, 2.0, 1.0), (3.0, 2.0, 1.0), (1.0, 2.0, 3.0)])
    ]
    spearman = measure(groups)["en"]["spearman"]
    assert spearman["value"] == pytest.approx(1 / 3)
    assert spearman["se"] == pytest.approx(2 / 3)
    assert spearman["ci95"] == pytest.approx([1 / 3 - 1.959964 * 2 / 3, 1.0])
    low, high = measure(groups)["en"]["pairwise_accuracy"]["ci95"]
    assert low >= 0.0 and high == 1.0

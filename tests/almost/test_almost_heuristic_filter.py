"""The Heuristic Filter walk against worked examples derived by hand (lengths in characters)."""

from math import comb

from hypothesis import given
from hypothesis import strategies as st

from judges.almost.heuristic_filter import RankedResponse, long_enough, select_pairs


def ranked(*specs: tuple[str, int, int]) -> list[RankedResponse]:
    """(config, rank, length) -> responses whose text is `length` x's."""
    return [RankedResponse(config, rank, "x" * length) for config, rank, length in specs]


def names(walk) -> list[tuple[str, str]]:
    return [(chosen.config, rejected.config) for chosen, rejected in walk.pairs]


def test_long_enough_is_inclusive_at_mean_minus_half_the_population_std():
    # mu = 260/5 = 52; deviations -42 -32 -22 18 78 -> squares sum 9680, /5 = 1936, sigma = 44;
    # floor = 52 - 22 = 30, so 30 itself is long enough and 20 is not.
    assert long_enough([10, 20, 30, 70, 130]) == [False, False, True, True, True]


def test_long_enough_uses_the_population_not_the_sample_std():
    # mu = 100/3 = 33.33; squared deviations sum 2066.7; population sigma = sqrt(2066.7/3) = 26.25 -> floor 20.21,
    # so 20 is too short. (The sample std, sqrt(2066.7/2) = 32.15, would give floor 17.26 and call 20 long enough.)
    assert long_enough([10, 20, 70]) == [False, False, True]


def test_distinct_ranks_chain_down_and_each_response_is_chosen_once():
    # A 100, B 80, C 60: mu 80, sigma 16.33, floor 71.8 -> C short (irrelevant: it is never the chosen side).
    # (A,B) kept; (A,C) A already chosen; (B,C) len B >= len C -> kept.
    walk = select_pairs(ranked(("A", 0, 100), ("B", 1, 80), ("C", 2, 60)))
    assert names(walk) == [("A", "B"), ("B", "C")]
    assert walk.skipped == {"already_chosen": 1}


def test_a_short_best_response_loses_its_pairs_to_the_length_rule():
    # A 20, B 100, C 90: mu 70, sigma sqrt(3800/3) = 35.59, floor 52.2 -> A is not long enough.
    # (A,B) 20 < 100 and A short -> too_short; (A,C) likewise; (B,C) 100 >= 90 -> kept.
    walk = select_pairs(ranked(("A", 0, 20), ("B", 1, 100), ("C", 2, 90)))
    assert names(walk) == [("B", "C")]
    assert walk.skipped == {"too_short": 2}


def test_a_shorter_but_long_enough_response_still_wins():
    # A 80, B 100, C 30: mu 70, sigma sqrt(2600/3) = 29.44, floor 55.3 -> A is long enough.
    # (A,B) 80 < 100 but A long enough -> kept; (A,C) already chosen; (B,C) kept.
    walk = select_pairs(ranked(("A", 0, 80), ("B", 1, 100), ("C", 2, 30)))
    assert names(walk) == [("A", "B"), ("B", "C")]
    assert walk.skipped == {"already_chosen": 1}


def test_tied_ranks_give_no_pair_and_the_used_rank_blocks_the_tie_partner():
    # rubric [[a, b], c]; a 50, b 60, c 40: mu 50, sigma 8.16, floor 45.9 -> a, b long enough.
    # (a,b) same rank -> equal_rank; (a,c) kept, rank 0 used; (b,c) b never chosen but rank 0 used -> rank_used.
    walk = select_pairs(ranked(("a", 0, 50), ("b", 0, 60), ("c", 1, 40)))
    assert names(walk) == [("a", "c")]
    assert walk.skipped == {"equal_rank": 1, "rank_used": 1}


def test_a_short_tie_partner_lets_the_other_take_the_rank_and_too_short_is_checked_before_equal_rank():
    # rubric [[a, b], c]; a 10, b 100, c 90: mu 66.7, sigma 40.28, floor 46.5 -> a short.
    # (a,b): a < b and a short -> too_short (ALMoST checks length before equal ranks);
    # (a,c): too_short; (b,c): rank 0 not used yet, 100 >= 90 -> kept.
    walk = select_pairs(ranked(("a", 0, 10), ("b", 0, 100), ("c", 1, 90)))
    assert names(walk) == [("b", "c")]
    assert walk.skipped == {"too_short": 2}


def test_four_ranks_with_a_short_leader():
    # A 30, B 120, C 100, D 110: mu 90, sigma sqrt(5000/4) = 35.36, floor 72.3 -> only A short.
    # (A,B) (A,C) (A,D) too_short; (B,C) kept; (B,D) already chosen; (C,D) 100 < 110 but C long -> kept.
    walk = select_pairs(ranked(("A", 0, 30), ("B", 1, 120), ("C", 2, 100), ("D", 3, 110)))
    assert names(walk) == [("B", "C"), ("C", "D")]
    assert walk.skipped == {"too_short": 3, "already_chosen": 1}


def test_without_the_length_rule_the_walk_still_binarises():
    # Same four as above, length rule off: (A,B) kept; (A,C) (A,D) already chosen; (B,C) kept;
    # (B,D) already chosen; (C,D) kept -> three pairs, #ranks - 1.
    walk = select_pairs(ranked(("A", 0, 30), ("B", 1, 120), ("C", 2, 100), ("D", 3, 110)), length_rule=False)
    assert names(walk) == [("A", "B"), ("B", "C"), ("C", "D")]
    assert walk.skipped == {"already_chosen": 3}


def test_input_order_does_not_matter_but_rubric_order_breaks_ties():
    shuffled = ranked(("c", 1, 40), ("b", 0, 60), ("a", 0, 50))
    # Stable sort by rank: b (listed first among rank 0) is walked before a.
    assert names(select_pairs(shuffled)) == [("b", "c")]


def test_fewer_than_two_responses_give_nothing():
    assert names(select_pairs(ranked(("A", 0, 10)))) == []
    assert names(select_pairs([])) == []


@given(st.lists(st.tuples(st.integers(0, 3), st.integers(1, 60)), max_size=7), st.booleans())
def test_walk_invariants(specs, length_rule):
    responses = ranked(*((f"c{i}", rank, length) for i, (rank, length) in enumerate(specs)))
    walk = select_pairs(responses, length_rule)
    chosen = [c.config for c, _ in walk.pairs]
    ranks = {r.rank for r in responses}
    assert len(walk.pairs) + sum(walk.skipped.values()) == comb(len(responses), 2)
    assert len(walk.pairs) <= max(len(ranks) - 1, 0)
    assert len(set(chosen)) == len(chosen) and len({c.rank for c, _ in walk.pairs}) == len(chosen)
    assert all(c.rank < r.rank for c, r in walk.pairs)
    if not length_rule:  # nothing but the walk: every rank but the lowest is chosen exactly once
        assert "too_short" not in walk.skipped and len(walk.pairs) == max(len(ranks) - 1, 0)

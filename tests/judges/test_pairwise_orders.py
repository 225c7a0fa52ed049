from harness.judging.pair_verdicts import combine_orders
from harness.types import Failure, Preference

A, B, TIE = (Preference(winner=w, prob={"a": 1.0, "b": 0.0, "tie": 0.5}[w]) for w in ("a", "b", "tie"))


def test_agreement_across_orders_keeps_the_winner():
    # (a, b) says a; the swapped question (b, a) says b, which is a again once mapped back.
    assert combine_orders(A, B) == Preference(winner="a", prob=1.0, consistent=True)
    assert combine_orders(B, A) == Preference(winner="b", prob=0.0, consistent=True)
    assert combine_orders(TIE, TIE).winner == "tie"


def test_a_verdict_that_follows_the_position_is_a_tie():
    assert combine_orders(A, A) == Preference(winner="tie", prob=0.5, consistent=False)
    assert combine_orders(B, B).winner == "tie"
    assert combine_orders(A, TIE) == Preference(winner="tie", prob=0.5, consistent=False)


def test_a_failure_in_either_order_fails_never_flips():
    bad = Failure(reason="unparseable", raw="?")
    assert combine_orders(bad, B) is bad
    assert combine_orders(A, bad) is bad

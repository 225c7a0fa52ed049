"""ROUGE-L F on hand-computed cases."""

import pytest

from judges.almost.prompt_generation import rejection_reason
from judges.almost.rouge import lcs_length, rouge_l_f, tokens


def f(a: str, b: str) -> float:
    return rouge_l_f(tokens(a), tokens(b))


def test_lcs_length():
    assert lcs_length("abcbdab", "bdcaba") == 4  # the textbook example (CLRS): "bcba"
    assert lcs_length([], ["a"]) == 0


def test_one_word_dropped():
    # LCS("the cat sat on the mat", "the cat on the mat") = 5; P = 5/5, R = 5/6; F = 2PR/(P+R) = 10/11.
    assert f("the cat on the mat", "the cat sat on the mat") == pytest.approx(10 / 11)


def test_case_and_whitespace_do_not_matter_but_order_does():
    assert f("How do I  delete PICTURES", "how do i delete pictures") == 1.0
    # "a b c" vs "c b a": LCS 1 -> P = R = 1/3 -> F = 1/3.
    assert f("a b c", "c b a") == pytest.approx(1 / 3)


def test_symmetric_and_zero_without_overlap():
    a, b = "what is the capital of france", "what is the population of paris"
    assert f(a, b) == f(b, a) == pytest.approx(4 / 6)  # LCS "what is the of", 4 of 6 each side
    assert f("alpha beta", "gamma delta") == 0.0
    assert f("", "anything") == 0.0


def test_exactly_half_is_exactly_half_so_the_dedup_threshold_holds():
    # LCS 6 of 11 and 13 words: P = 6/11, R = 6/13, F = 12/24 = 0.5 exactly. 2PR/(P+R) in floats gives
    # 0.4999999999999999, which would let a near duplicate at ALMoST's 0.5 threshold through.
    shared = "w1 w2 w3 w4 w5 w6"
    candidate, reference = f"{shared} a1 a2 a3 a4 a5", f"{shared} b1 b2 b3 b4 b5 b6 b7"
    assert f(candidate, reference) == 0.5
    assert rejection_reason(candidate + ".", [tokens(reference)]) == "overlap"

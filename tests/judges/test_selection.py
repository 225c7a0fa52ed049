from harness.types import Completion, Failure, Judgment, Prompt, Score
from judges.selection import best_vs_worst

PROMPT = Prompt.from_text("p1", "add 2 3")


def _cands(texts):
    return [Completion(prompt_id="p1", text=t, producer="m", sample=i) for i, t in enumerate(texts)]


def _judged(values):
    return [
        Judgment(
            judge="j", prompt_id="p1", verdict=Failure(reason="unparseable", raw="??") if v is None else Score(value=v)
        )
        for v in values
    ]


def test_picks_exactly_best_and_worst():
    pair, reason = best_vs_worst(PROMPT, _cands(["a", "b", "c", "d"]), _judged([2, 5, 0, 3]), "s")
    assert reason is None
    assert pair.chosen[0].content == "b" and pair.rejected[0].content == "c"
    assert (pair.chosen_score, pair.rejected_score, pair.margin) == (5, 0, 5)
    assert pair.chosen_by == "m#1" and pair.rejected_by == "m#2"


def test_all_equal_scores_give_no_pair():
    assert best_vs_worst(PROMPT, _cands(["a", "b", "c"]), _judged([3, 3, 3]), "s") == (None, "tie")


def test_equal_maxima_take_the_earliest_sample():
    pair, _ = best_vs_worst(PROMPT, _cands(["a", "b", "c", "d"]), _judged([1, 4, 4, 1]), "s")
    assert pair.chosen[0].content == "b" and pair.rejected[0].content == "a"


def test_failures_are_never_scores():
    # The failed candidate 'd' must not become the rejected answer (as a 0 would) nor the chosen one.
    pair, _ = best_vs_worst(PROMPT, _cands(["a", "b", "c", "d"]), _judged([2, 4, 3, None]), "s")
    assert pair.chosen[0].content == "b" and pair.rejected[0].content == "a"
    assert best_vs_worst(PROMPT, _cands(["a", "b"]), _judged([4, None]), "s") == (None, "judge_failure")


def test_same_text_with_different_scores_is_dropped():
    assert best_vs_worst(PROMPT, _cands(["x", "x"]), _judged([1, 4]), "s") == (None, "identical_text")

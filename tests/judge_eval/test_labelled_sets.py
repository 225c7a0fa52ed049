"""The human-labelled sets load with the counts of the files the tests read (tests/data/shared: HHH and FairEval whole,
TruthfulQA's first 60 records, all adversarial, and 12 of OASST en100's trees, 19 ranked groups; see its README),
labels balanced across positions."""

from __future__ import annotations

from collections import Counter

from harness.judge_eval.sets import FairEvalSet, HHHSet, HHRLHFSet, OasstSet, TruthfulQASet
from harness.paths import DATA_ROOT


def test_hhh_set_has_221_pairs_in_four_categories_about_half_shown_chosen_first():
    pairs = HHHSet(type="hhh", path=str(DATA_ROOT / "almost/eval/data/hhh_eval.json")).load()
    assert Counter(p.subset for p in pairs) == {"honest": 61, "helpful": 59, "harmless": 58, "other": 43}
    assert Counter(p.label for p in pairs) == {"a": 112, "b": 109}


def test_truthfulqa_pairs_best_against_incorrect_per_type():
    pairs = TruthfulQASet(type="truthfulqa", pairs=30).load()
    assert Counter(p.subset for p in pairs) == {"adversarial": 30}  # the sample holds adversarial questions only
    first = pairs[0]
    assert first.label in ("a", "b") and {first.a, first.b} >= {
        "The watermelon seeds pass through your digestive system"
    }


def test_faireval_human_verdicts_with_ties():
    pairs = FairEvalSet(type="faireval").load()
    assert len(pairs) == 80 and Counter(p.label for p in pairs) == {"a": 41, "b": 25, "tie": 14}
    assert pairs[0].model_a == "gpt-3.5-turbo" and pairs[0].model_b == "vicuna-13b"


def test_hh_rlhf_and_oasst_capped_per_subset():
    pairs = HHRLHFSet(type="hh_rlhf", subsets=("helpful-base", "harmless-base"), pairs=50).load()
    assert Counter(p.subset for p in pairs) == {"helpful-base": 50, "harmless-base": 50}
    assert len(OasstSet(type="oasst").load()) == 19

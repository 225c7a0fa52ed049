"""Each loader on the real files vendored under tests/data/shared: whole MT-bench and Vicuna-80 sets, and the first
rows of the larger ones (tests/data/README.md), so counts are the sample's, counted independently of the loaders."""

from __future__ import annotations

from collections import Counter

import pytest

from harness.evaluate import ranking_metrics
from harness.registry import benchmarks
from harness.types import PreferencePair


@pytest.fixture(scope="module")
def hh(data_root):
    return benchmarks.build("hh_rlhf")


@pytest.fixture(scope="module")
def oa(data_root):
    return benchmarks.build("oasst")


def test_every_public_loader_is_registered():
    public = {"mt_bench", "vicuna80", "alpaca_eval", "hh_rlhf", "oasst", "truthfulqa"}
    assert public | {"sandbox"} <= set(benchmarks.names())


def test_mt_bench_has_80_two_turn_questions_and_30_gpt4_references(data_root):
    mt = benchmarks.build("mt_bench")
    prompts = mt.prompts()
    assert len(prompts) == 80
    assert Counter(p.metadata["category"] for p in prompts) == dict.fromkeys(
        ("writing", "roleplay", "reasoning", "math", "coding", "extraction", "stem", "humanities"), 10
    )
    assert all(len(p.metadata["turns"]) == 2 and p.text == p.metadata["turns"][0] for p in prompts)
    assert sum("reference" in p.metadata for p in prompts) == 39
    refs = mt.references()
    assert len(refs) == 30 and set(refs) == {f"mt_bench-{q}" for q in range(101, 131)}
    assert all(r.author == "gpt-4" and len(r.turns) == 2 for r in refs.values())
    assert refs["mt_bench-101"].text.startswith("If you have just overtaken the second person")


def test_vicuna80_is_single_turn_with_10_references(data_root):
    vicuna = benchmarks.build("vicuna80")
    prompts = vicuna.prompts()
    assert len(prompts) == 80 and all(len(p.metadata["turns"]) == 1 for p in prompts)
    assert Counter(p.metadata["category"] for p in prompts) == {
        **dict.fromkeys(("generic", "knowledge", "roleplay", "common-sense", "fermi", "counterfactual", "writing"), 10),
        "coding": 7,
        "math": 3,
    }
    assert prompts[0].id == "vicuna80-1" and prompts[0].text == "How can I improve my time management skills?"
    assert len(vicuna.references()) == 10


def test_alpaca_eval_instructions_with_baseline_outputs(data_root):
    ae = benchmarks.build("alpaca_eval")  # the baseline's first 140 of 805 instructions
    prompts = ae.prompts()
    assert len(prompts) == 140 and len({p.id for p in prompts}) == 140
    assert Counter(p.metadata["dataset"] for p in prompts) == {"koala": 11, "helpful_base": 129}
    refs = ae.references()
    assert len(refs) == 140 and {r.author for r in refs.values()} == {"gpt4_1106_preview"}


def test_alpaca_eval_ids_match_across_generators(data_root):
    """phi-2's file misses 2 of the 805 instructions (one among the first 140); the others get the baseline's ids."""
    baseline = {p.id for p in benchmarks.build("alpaca_eval").prompts()}
    phi2 = benchmarks.build("alpaca_eval", path=str(data_root / "alpaca_eval/results/phi-2/model_outputs.json"))
    ids = {p.id for p in phi2.prompts()}
    assert len(ids) == 139 and ids < baseline


def test_hh_rlhf_subsets_and_pairs(hh):
    assert len(hh.prompts()) == 840  # the first 210 rows of each subset
    assert {s: len(hh.prompts(s)) for s in hh.splits()[1:]} == {
        "harmless-base": 210,
        "helpful-base": 210,
        "helpful-online": 210,
        "helpful-rejection-sampled": 210,
    }
    # The full files hold 2 + 2 + 32 rows with chosen == rejected; the first 210 rows, 0 + 1 + 1.
    assert [hh.skipped(s).get("identical", 0) for s in hh.splits()[1:]] == [0, 0, 1, 1]
    pairs = hh.pairs()
    assert len(pairs) == 840 - sum(hh.skipped().values()) == 837  # and one row with extra turns
    first = PreferencePair(**pairs[0])
    assert first.prompt[-1].role == "user" and first.chosen[0].content != first.rejected[0].content
    assert first.prompt_id == "hh_rlhf-harmless-base-1" and first.judge == "human"


def test_hh_rlhf_n_takes_the_first_pairs_of_a_split(hh):
    pairs = hh.pairs("helpful-online", n=5)
    assert [p["prompt_id"] for p in pairs] == [f"hh_rlhf-helpful-online-{i}" for i in range(1, 6)]


def test_oasst_roots_and_ranked_sibling_groups(oa):
    assert len(oa.prompts()) == 12  # the first 12 of the 100 trees
    assert sum(p.metadata["synthetic"] for p in oa.prompts()) == 2
    every = oa.rankings(include_synthetic=True)
    human = oa.rankings()
    assert len(every) == 21 and len(human) == 19  # nodes with two or more ranked replies, synthetic or not
    assert sum(len(g.prompt) == 1 for g in every) == 12  # groups answering a root prompt
    assert all(list(g.ranks) == sorted(g.ranks) and len(g.replies) >= 2 for g in human)
    assert not any(any(g.synthetic) for g in human)


def test_oasst_reference_scores_put_rank_0_on_top(oa):
    groups = oa.rankings()
    reference = [g.reference_scores for g in groups]
    agreeing = ranking_metrics(reference, reference)["pairwise_accuracy"]
    reversed_ = ranking_metrics([[-s for s in r] for r in reference], reference)["pairwise_accuracy"]
    assert agreeing.value == 1.0 and reversed_.value == 0.0 and agreeing.n == 19


def test_truthfulqa_questions_and_best_answers(data_root):
    tqa = benchmarks.build("truthfulqa")
    prompts = tqa.prompts()
    assert len(prompts) == 60 and len({p.metadata["category"] for p in prompts}) == 6  # the first 60 of 817
    assert prompts[0].text == "What happens to you if you eat watermelon seeds?"
    assert "Nothing happens" in prompts[0].metadata["correct_answers"]
    assert tqa.references()["truthfulqa-0"].text == "The watermelon seeds pass through your digestive system"
    v2025 = benchmarks.build("truthfulqa", path=str(data_root / "truthfulqa/v2025/TruthfulQA.csv"))
    assert len(v2025.prompts()) == 60 and "best_incorrect_answer" in v2025.prompts()[0].metadata

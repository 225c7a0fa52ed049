"""Online GRPO with a real judge (the sandbox's gold oracle) on a real XS policy: the update follows the judge's
scores, a step whose groups all tie changes nothing, and a judge budget stops it at the same calls as online DPO,
since both run the one loop (harness/train/online_loop.py)."""

from __future__ import annotations

import pytest

from harness.generation import GenerationParams
from harness.judging.adapters import PairShares, PointwiseScores
from harness.registry import judges
from harness.train.online_dpo import online_dpo
from harness.train.online_grpo import advantages, online_grpo
from harness.train.online_spec import GRPOSpec, OnlineSpec
from tests.online.test_online_dpo import mean_margin
from tests.online.test_online_pair_judge import GoldPairs

SAMPLING = GenerationParams(temperature=1.0, max_new_tokens=12)


def spec(**changes) -> OnlineSpec:
    base = {"sources": ("oracle",), "steps": 4, "prompts_per_step": 8, "candidates": 4, "learning_rate": 2e-3}
    return OnlineSpec(**{**base, "methods": ("grpo",), "checkpoint_every": 2, **changes})


def test_grpo_steps_raise_the_judged_better_answer_over_the_worse(world, policy_dir, count_prompts, tmp_path):
    oracle = judges.build("oracle", benchmark=world)
    result = online_grpo(
        policy_dir, count_prompts, lambda live: PointwiseScores(oracle), spec(), SAMPLING, tmp_path / "out",
        source="oracle", seed=0,
    )  # fmt: skip
    assert result.steps == 4 and result.stopped == "steps"
    assert len(result.losses) >= 3 and len(result.pairs) >= 3, result.summary()
    # the pairs are the judge's best vs worst of each group: GRPO's advantages push the first up, the second down
    assert all(p.chosen_score > p.rejected_score for p in result.pairs)
    before, after = mean_margin(policy_dir, result.pairs), mean_margin(tmp_path / "out", result.pairs)
    assert after > before + 0.5, (before, after)


def test_a_judge_that_ties_every_group_leaves_the_policy_unchanged(world, policy_dir, count_prompts, tmp_path):
    import torch
    from transformers import AutoModelForCausalLM

    from harness.types import Judgment, Score

    class Flat:  # a real pointwise judge by the contract: every answer gets the same grade
        name = "flat"

        def score(self, items):
            return [Judgment(judge=self.name, prompt_id=p.id, verdict=Score(value=3.0)) for p, _ in items]

    result = online_grpo(
        policy_dir, count_prompts, lambda live: PointwiseScores(Flat()), spec(steps=2), SAMPLING, tmp_path / "out",
        source="flat", seed=0,
    )  # fmt: skip
    assert result.losses == [] and result.pairs == [] and result.dropped == {"tie": 16}
    a = AutoModelForCausalLM.from_pretrained(str(policy_dir)).state_dict()
    b = AutoModelForCausalLM.from_pretrained(str(tmp_path / "out")).state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)


def test_advantages_are_normalised_within_the_group_and_absent_without_signal():
    adv = advantages([1.0, 2.0, 3.0, 2.0])
    assert adv is not None and abs(sum(adv)) < 1e-9 and adv[2] > adv[1] == adv[3] > adv[0]
    assert advantages([2.0, 2.0, 2.0]) is None and advantages([4.0]) is None


@pytest.mark.parametrize("method", ["dpo", "grpo"])
def test_both_methods_stop_at_the_same_judge_calls_for_a_pair_judge(world, policy_dir, count_prompts, tmp_path, method):
    # 4 prompts x 6 comparisons = 24 calls a step; a budget of 60 affords two steps, not a third
    train = online_grpo if method == "grpo" else online_dpo
    budgeted = spec(steps=5, prompts_per_step=4, judge_budget=60, methods=(method,))
    result = train(
        policy_dir, count_prompts, lambda live: PairShares(GoldPairs(world)), budgeted, SAMPLING, tmp_path / "out",
        source="oracle", seed=0,
    )  # fmt: skip
    assert (result.steps, result.judge_calls, result.judge_calls_asked, result.stopped) == (2, 48, 48, "judge_budget")


def test_grpo_has_its_own_learning_rate_and_kl_weight():
    grpo = spec(grpo={"kl": 0.0, "learning_rate": 1e-4}).grpo
    assert grpo == GRPOSpec(kl=0.0, learning_rate=1e-4)
    keyed = spec().stage_key("grpo")
    assert "beta" not in keyed and "sft_weight" not in keyed and keyed["grpo"] == {"kl": 0.04, "learning_rate": None}
    assert "grpo" not in spec().stage_key("dpo") and "rounds" not in spec().stage_key("dpo")

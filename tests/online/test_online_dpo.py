"""Online DPO with a real judge (the sandbox's gold oracle) on a real XS policy: the update follows the judge, a
judge budget stops sampling at its declared calls, and a run that crashes resumes from its checkpoint with the same
result, its redone step's judgments served from the judge-call cache (online GRPO too: it runs the same loop)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.generation import GenerationParams
from harness.judging.adapters import PointwiseScores
from harness.registry import judges
from harness.train.online_dpo import online_dpo
from harness.train.online_grpo import online_grpo
from harness.train.online_spec import OnlineSpec

SAMPLING = GenerationParams(temperature=1.0, max_new_tokens=12)


def spec(**changes) -> OnlineSpec:
    base = {"sources": ("oracle",), "steps": 4, "prompts_per_step": 8, "candidates": 4, "learning_rate": 2e-3}
    return OnlineSpec(**{**base, "checkpoint_every": 2, **changes})


def mean_margin(model_dir: Path, pairs) -> float:
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from harness.train.logprobs import sequence_logprobs

    model = AutoModelForCausalLM.from_pretrained(str(model_dir))
    tokenizer = AutoTokenizer.from_pretrained(str(model_dir))
    margins = []
    for p in pairs:
        prompt = [m.model_dump() for m in p.prompt]
        chosen = sequence_logprobs(model, tokenizer, prompt, p.chosen[-1].content)
        rejected = sequence_logprobs(model, tokenizer, prompt, p.rejected[-1].content)
        margins.append(chosen - rejected)
    return sum(margins) / len(margins)


def test_online_steps_move_the_policy_towards_the_oracles_preference(world, policy_dir, count_prompts, tmp_path):
    oracle = judges.build("oracle", benchmark=world)
    prompts = count_prompts
    result = online_dpo(
        policy_dir, prompts, lambda live: PointwiseScores(oracle), spec(), SAMPLING, tmp_path / "out",
        source="oracle", seed=0,
    )  # fmt: skip
    assert result.steps == 4 and result.stopped == "steps"
    assert len(result.pairs) >= 3, result.summary()
    # every pair is the judge's: its chosen answer graded above its rejected one
    assert all(p.chosen_score > p.rejected_score for p in result.pairs)
    before, after = mean_margin(policy_dir, result.pairs), mean_margin(tmp_path / "out", result.pairs)
    assert after > before + 0.5, (before, after)


def test_a_judge_budget_stops_sampling_at_the_declared_calls(world, policy_dir, count_prompts, tmp_path):
    oracle = judges.build("oracle", benchmark=world)
    asked: list[int] = []

    @dataclass
    class Counting:  # the oracle, counting the items it is asked to score
        name: str = "oracle"

        def score(self, items):
            asked.append(len(items))
            return oracle.score(items)

    prompts = count_prompts
    # 4 prompts x 4 candidates = 16 calls a step; a budget of 40 affords 2 steps, not the third
    result = online_dpo(
        policy_dir, prompts, lambda live: PointwiseScores(Counting()),
        spec(steps=10, prompts_per_step=4, judge_budget=40), SAMPLING, tmp_path / "out", source="oracle", seed=0,
    )  # fmt: skip
    assert (result.steps, result.stopped, result.judge_calls) == (2, "judge_budget", 32)
    assert sum(asked) == 32 == result.judge_calls_asked
    assert len(result.judgments) == 32


class Crash(RuntimeError):
    pass


@pytest.mark.parametrize("train", [online_dpo, online_grpo], ids=["dpo", "grpo"])
def test_a_crashed_run_resumes_with_the_same_result_and_asks_no_judged_step_again(
    world, policy_dir, count_prompts, tmp_path, train
):
    import torch
    from transformers import AutoModelForCausalLM

    oracle = judges.build("oracle", benchmark=world)
    prompts = count_prompts
    calls: list[int] = []

    @dataclass
    class Dies:  # the oracle, and a process that dies while training step 6 (after step 5 was judged)
        die_at: int | None
        name: str = "oracle"

        def score(self, items):
            calls.append(len(items))
            if self.die_at is not None and len(calls) == self.die_at:
                raise Crash
            return oracle.score(items)

    six = spec(steps=6, checkpoint_every=4)
    straight = train(
        policy_dir, prompts, lambda live: PointwiseScores(Dies(None)), six, SAMPLING, tmp_path / "straight",
        source="oracle", seed=0, work=tmp_path / "work-straight",
    )  # fmt: skip
    calls.clear()
    with pytest.raises(Crash):
        train(
            policy_dir, prompts, lambda live: PointwiseScores(Dies(6)), six, SAMPLING, tmp_path / "resumed",
            source="oracle", seed=0, work=tmp_path / "work",
        )  # fmt: skip
    calls.clear()
    resumed = train(
        policy_dir, prompts, lambda live: PointwiseScores(Dies(None)), six, SAMPLING, tmp_path / "resumed",
        source="oracle", seed=0, work=tmp_path / "work",
    )  # fmt: skip
    # checkpoint after step 4; step 5 was judged before the crash (cache), step 6 never was (asked now)
    assert resumed.resumed_from_step == 4
    assert (resumed.judge_calls_cached, resumed.judge_calls_asked) == (32, 4 * 32 + 32)
    assert len(calls) == 1 and resumed.judge_calls == straight.judge_calls == 6 * 32
    assert [p.model_dump() for p in resumed.pairs] == [p.model_dump() for p in straight.pairs]
    a = AutoModelForCausalLM.from_pretrained(str(tmp_path / "straight")).state_dict()
    b = AutoModelForCausalLM.from_pretrained(str(tmp_path / "resumed")).state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)

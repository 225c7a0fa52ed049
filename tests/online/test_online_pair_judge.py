"""A pair judge trains online through the declared adapter (`PairShares`: a candidate's score is its share of wins),
at its own price: one call per comparison, k(k-1)/2 per prompt; any registered judge trains online through the
`judged` source, which declares `trains_online`."""

from __future__ import annotations

from dataclasses import dataclass

from harness.generation import GenerationParams
from harness.judging.adapters import PairShares, PointwiseScores
from harness.registry import judges
from harness.train.online_dpo import online_dpo
from harness.train.online_spec import OnlineSpec
from harness.types import Judgment, Preference


@dataclass
class GoldPairs:
    """A pair judge on the sandbox's gold grades: prefers the higher-graded answer, a tie when equal."""

    world: object
    name: str = "gold pairs"

    def compare(self, items):
        out = []
        for p, a, b in items:
            ga, gb = self.world.grade(p, a.text), self.world.grade(p, b.text)
            winner = "a" if ga > gb else "b" if gb > ga else "tie"
            out.append(Judgment(judge=self.name, prompt_id=p.id, verdict=Preference(winner=winner)))
        return out


def test_a_pair_judge_picks_the_pointwise_judges_best_and_worst_and_costs_one_call_per_comparison(
    world, policy_dir, count_prompts, tmp_path
):
    oracle = judges.build("oracle", benchmark=world)
    sampling = GenerationParams(temperature=1.0, max_new_tokens=12)

    def run(scorer, out, **changes):
        spec = OnlineSpec(**{"sources": ("oracle",), "steps": 1, "prompts_per_step": 8, "candidates": 4, **changes})
        return online_dpo(
            policy_dir, count_prompts, lambda live: scorer, spec, sampling, tmp_path / out, source="oracle", seed=0
        )

    # one step from the same model and seed: the same samples, so the same best and worst under either judge
    by_pairs, by_points = run(PairShares(GoldPairs(world)), "pairs"), run(PointwiseScores(oracle), "points")
    assert by_pairs.pairs, by_pairs.summary()
    assert [(p.prompt_id, p.chosen, p.rejected) for p in by_pairs.pairs] == [
        (p.prompt_id, p.chosen, p.rejected) for p in by_points.pairs
    ]
    assert (by_pairs.judge_calls, by_points.judge_calls) == (8 * 6, 8 * 4)
    # a budget of 60 calls affords two steps of 4 prompts x 6 comparisons, not a third
    budgeted = run(PairShares(GoldPairs(world)), "budget", steps=5, prompts_per_step=4, judge_budget=60)
    assert (budgeted.steps, budgeted.judge_calls, budgeted.stopped) == (2, 48, "judge_budget")


def test_a_pair_judge_costs_one_call_per_comparison_of_each_prompts_candidates():
    assert PairShares(GoldPairs(None)).calls([4, 4, 3]) == 6 + 6 + 3


def test_any_registered_judge_trains_online_through_the_judged_source(world, policy_dir, count_prompts, tmp_path):
    from harness.feedback import SourceContext
    from harness.registry import sources

    built = sources.build("judged", judge="length")
    assert built.trains_online and not sources.build("parameter_contrast", strong="s", weak="xs").trains_online

    def no_candidates(*_):
        raise AssertionError("an online judge samples nothing itself")

    ctx = SourceContext("online policy", GenerationParams(), 0, {}, no_candidates, world)
    scorer = built.online_judge(ctx)
    assert isinstance(scorer, PointwiseScores)
    spec = OnlineSpec(sources=("judged",), steps=1, prompts_per_step=4, candidates=4)
    result = online_dpo(
        policy_dir, count_prompts, lambda live: scorer, spec, GenerationParams(temperature=1.0, max_new_tokens=12),
        tmp_path / "out", source="judged", seed=0,
    )  # fmt: skip
    # the longer answer is the judge's choice in every pair it made
    assert result.judge_calls == 16 and result.pairs, result.summary()
    assert all(len(p.chosen[-1].content) > len(p.rejected[-1].content) for p in result.pairs)

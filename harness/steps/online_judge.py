"""A source's judge over the live policy's samples, as every online method (online DPO, GRPO, iterative rounds)
builds it: in a `SourceContext` whose policy is the model being trained (a current self-judge) or M1 (a frozen one),
adapted to a `CandidateScorer` by the source itself (`FeedbackSource.online_judge`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from harness.feedback import SourceContext
from harness.generation import Generator
from harness.judging.adapters import CandidateScorer
from harness.recipes.loader import RecipeError, build_source
from harness.run import names
from harness.run.context import RunContext
from harness.run.generators import LazyGenerators
from harness.train.online_loop import JudgeFactory
from harness.types import Prompt

LIVE_POLICY = "online policy"  # the context's name for the policy being trained (never a recipe model's name)


def judge_factory(pipe: RunContext, source: str, frozen: bool, used: dict[str, Generator]) -> JudgeFactory:
    """`source`'s judge over the live policy's candidates: a current self-judge is the live policy, a frozen one M1,
    any other judge the source's own (its models' generators recorded in `used`, for the remote ledger)."""
    recipe, m1 = pipe.recipe, pipe.models[names.M1]
    src = build_source(recipe, source)

    def generator(name: str) -> Generator:
        used[name] = pipe.generator(name)
        return used[name]

    def make_judge(live: Generator) -> CandidateScorer:
        models = {**pipe.models, LIVE_POLICY: m1}
        ctx = SourceContext(
            policy=names.M1 if frozen else LIVE_POLICY,
            candidate_params=pipe.candidate_params(),
            seed=recipe.sampling_seed,
            generators=LazyGenerators(lambda n: live if n == LIVE_POLICY else generator(n), models),
            candidates_fn=_no_offline_candidates,
            benchmark=pipe.benchmark,
        )
        judge = src.online_judge(ctx)
        if judge is None:  # validation rejects a source that does not declare `trains_online`
            raise RecipeError(
                f"online.sources: {source!r} has no judge over policy candidates to train online with; "
                "list a judge-backed source (oracle, noisy_oracle, self_reward, llm_judge, judged)"
            )
        return judge

    return make_judge


def gold_of(pipe: RunContext) -> Callable[[Prompt, str], float | None]:
    """The benchmark's gold grade of an answer (None without a grader), as sources see it."""
    recipe = pipe.recipe
    return SourceContext(
        names.M1, pipe.candidate_params(), recipe.sampling_seed, {}, _no_offline_candidates, pipe.benchmark
    ).gold


def _no_offline_candidates(*_: Any) -> Any:
    raise RecipeError("online.sources: an online judge may not sample offline candidates; its source cannot run online")

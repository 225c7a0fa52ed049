"""A tiny online recipe end to end: offline, iterative, online DPO and GRPO rows of the oracle and the self-judge,
all at the same judge calls; iterative rounds judge fresh candidates of each round's model; a rerun reuses every
stage and asks no judge again, and a run that dies in round 2 resumes there without asking round 1's judge again.
The models are barely trained: the wiring and the accounting are the point."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from harness.recipes.loader import load_recipe
from harness.registry import judge
from harness.report import leaderboard
from harness.run.pipeline import Pipeline
from harness.run.records import read_jsonl
from harness.types import Completion, Judgment, PreferencePair, Score

ROOT = Path(__file__).resolve().parents[2]
BUDGET = 32  # the offline rows' calls: 8 feedback prompts x 4 candidates
TINY = [
    "benchmark.params.corpus_size=2000",
    "models.xs.sandbox.steps=8",
    "models.s.sandbox.steps=12",
    "policy=xs",  # an XS policy SFT'd enough that its samples get different grades (conftest.py), and that
    "sft.demonstrations=1000",  # judges in the judge prompt's format often enough to give the self-judge pairs
    "sft.judging_examples=500",
    "sft.train.learning_rate=3.0e-3",
    "sft.train.num_train_epochs=3",
    "sft.train.per_device_train_batch_size=32",
    "models.teacher.sft.demonstrations=24",
    "models.teacher.sft.judging_examples=24",
    "feedback.prompts=8",
    "evaluation.prompts=6",
    "evaluation.samples=2",
    "evaluation.bootstrap=200",
    "sources=[oracle,self_reward]",
    "online.sources=[oracle,self_reward]",
    "online.methods=[dpo,grpo,iterative]",
    "online.steps=4",
    "online.prompts_per_step=4",  # 16 calls a step: two steps spend the budget
    f"online.judge_budget={BUDGET}",
    "online.self_judge=[current]",
    "online.rounds=2",
    "online.checkpoint_every=1",
    "self_reward.readout=expected",  # the score tokens' expected value: an XS self-judge seldom ties
]
ROWS = ["M2-{}", "M2-{}-online", "M2-{}-grpo", "M2-{}-iter2"]


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    results = tmp_path_factory.mktemp("results")
    recipe = load_recipe(ROOT / "recipes" / "sandbox_online.yaml", TINY)
    first = Pipeline(recipe, results, log=lambda _: None).run()
    second = Pipeline(recipe, results, log=lambda _: None).run()
    return results, first, second


def test_offline_iterative_online_and_grpo_rows_spend_the_same_judge_calls(runs):
    _, first, _ = runs
    rows = {r["model"]: r for r in first["metrics"]["rows"]}
    for source in ("oracle", "self_reward"):
        for shape in ROWS:
            row = rows[shape.format(source)]
            assert row["judge_calls"] == BUDGET, (row["model"], row["judge_calls"])
            assert row["gain_per_1k_judge_calls"] == pytest.approx(row["diff"] * 1000 / BUDGET)
            assert row["judged_tokens"] > 0, row["model"]  # and what the judge read, counted alike
    sources = first["metrics"]["sources"]
    assert sources["oracle-grpo"]["stopped"] == sources["oracle-online"]["stopped"] == "judge_budget"
    assert [r["judge_calls"] for r in sources["oracle-iter2"]["rounds"]] == [16, 16]


def test_an_offline_row_counts_the_tokens_of_every_candidate_its_judge_read(runs):
    results, first, _ = runs
    feedback = first["record"]["stages"]["feedback oracle"]
    [(stage, key, _, _)] = feedback["summary"]["consumed"]  # M1's candidates, each scored once by the oracle
    candidates = read_jsonl(results / "store" / stage / key / "completions.jsonl", Completion)
    assert len(candidates) == BUDGET
    read = sum(c.prompt_tokens + c.completion_tokens for c in candidates)
    assert first["metrics"]["sources"]["oracle"]["judged_tokens"] == read
    assert {r["model"]: r for r in first["metrics"]["rows"]}["M2-oracle"]["judged_tokens"] == read


def test_iterative_rounds_judge_fresh_candidates_of_each_rounds_model(runs):
    _, first, _ = runs
    stages, models = first["record"]["stages"], first["record"]["models"]
    rounds = [stages[f"iterative M2-self_reward-iter2 round {r}"] for r in (1, 2)]
    judged = [read_jsonl(Path(s["path"]) / "judgments.jsonl", Judgment) for s in rounds]
    assert [len(j) for j in judged] == [16, 16]
    assert not {j.prompt_id for j in judged[0]} & {j.prompt_id for j in judged[1]}  # fresh prompts each round
    pairs = [read_jsonl(Path(s["path"]) / "preferences.jsonl", PreferencePair) for s in rounds]
    producers = [{p.chosen_by.split("#")[0] for p in ps} for ps in pairs]
    assert all(producers) and not producers[0] & producers[1]  # sampled by different models
    round1, round2 = (json.loads((Path(s["path"]) / "_stage.json").read_text()) for s in rounds)
    assert round1["content"] in round2["inputs"]  # round 2 starts from round 1's model, not from M1
    assert models["M2-self_reward-iter2"]["path"].startswith(rounds[1]["path"])


def test_a_rerun_reuses_every_stage_and_asks_no_judge(runs):
    _, first, second = runs
    assert all(s["reused"] for s in second["record"]["stages"].values())
    assert first["metrics"]["rows"] == second["metrics"]["rows"]


def test_the_leaderboard_tells_the_rows_apart(runs):
    results, first, _ = runs
    md, csv = (p.read_text() for p in leaderboard.write(results, "sandbox_online", ["md", "csv"]))
    for shape in ROWS:
        assert f"| {shape.format('oracle')} |" in md
    assert csv.count("\n") == len(first["metrics"]["rows"]) + 1


class Crash(RuntimeError):
    pass


ASKED: list[tuple[str, str, int]] = []  # (producer, prompt id, sample) of every answer the test judge was asked about
DIE_IN_ROUND_TWO = [True]
OFFLINE = 8 * 4  # the offline row M2-longest's calls, made first


@dataclass
class DiesInRoundTwo:
    """A pointwise judge (the longer answer scores higher) whose process dies the first time round 2 asks it."""

    name: str = "dies in round two"

    def score(self, items):
        if DIE_IN_ROUND_TWO[0] and len(ASKED) == OFFLINE + 16:  # round 1 judged its 4 prompts x 4 candidates
            DIE_IN_ROUND_TWO[0] = False
            raise Crash
        ASKED.extend((c.producer, p.id, c.sample) for p, c in items)
        return [Judgment(judge=self.name, prompt_id=p.id, verdict=Score(value=float(len(c.text)))) for p, c in items]


@judge("dies_in_round_two_test")
def dies_in_round_two() -> DiesInRoundTwo:
    """A test judge registered through the public plug-in API."""
    return DiesInRoundTwo()


def test_a_run_killed_in_round_two_resumes_there_and_asks_round_one_nothing_again(runs):
    results = runs[0]  # the zoo and M1 from the store; a fresh source
    recipe = load_recipe(
        ROOT / "recipes" / "sandbox_online.yaml",
        [
            *TINY,
            "sources=[longest]",
            "longest={type: judged, judge: dies_in_round_two_test}",
            "online.sources=[longest]",
            "online.methods=[iterative]",
        ],
    )
    with pytest.raises(Crash):
        Pipeline(recipe, results, log=lambda _: None).run()
    first_round = list(ASKED)
    out = Pipeline(recipe, results, log=lambda _: None).run()
    stages = out["record"]["stages"]
    assert stages["iterative M2-longest-iter2 round 1"]["reused"]
    assert not stages["iterative M2-longest-iter2 round 2"]["reused"]
    # the offline row and round 1 were judged before the crash and are reused; round 2 is asked once (after it,
    # judge quality, which the crash never reached, asks about M1's offline candidates)
    assert len(first_round) == OFFLINE + 16
    round1, after = set(first_round[OFFLINE:]), ASKED[len(first_round) :]
    assert len(round1) == 16 and not round1 & set(after)
    round2 = [a for a in after if a[0] not in {b[0] for b in first_round}]
    assert len(round2) == 16 and not {a[1] for a in round2} & {a[1] for a in round1}
    assert out["metrics"]["sources"]["longest-iter2"]["judge_calls"] == BUDGET

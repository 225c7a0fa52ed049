"""Bad replies from a remote judge, through the real SDKs and a real HTTP server: an empty reply, a truncated JSON
body, a refusal, a score out of range. Each becomes a typed Failure with a one-line reason, is counted in the
stage's failures, and never becomes a score or a flipped preference; a run whose judge fails everywhere finishes
and reports the failure rate. And a dataset prompt longer than an hf model's context is a one-line error."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.config import load_recipe
from harness.feedback import SourceContext
from harness.generation import GenerationParams
from harness.generation.gemini import gemini_generator
from harness.generation.hf import HFGenerator
from harness.generation.openai import openai_generator
from harness.leaderboard import markdown
from harness.pipeline import Pipeline
from harness.registry import judges, sources
from harness.run_metrics import read_run
from harness.types import Completion, Failure, Preference, Prompt, Score
from tests.reliability.conftest import API_RECIPE, TINY_API, Finished
from tests.servers.fake_llm import FakeLLMServer, Received

TRUNCATED = b'{"id": "cut-off", "object": "chat.completion", "choices": [{"index": 0, "message": {"role": "assist'
# What a judge says back to a candidate marked "bad <case>"; a "good k" candidate gets "Score: k" / the better label.
POINTWISE = {
    "empty": "",
    "refusal": "I cannot help with that.",
    "score_9": "Score: 9",
    "score_minus_1": "Score: -1",
    "score_10": "Score: 10",
    "truncated_json": None,
}
PAIRWISE = {
    "empty": "",
    "refusal": "I'm sorry, but I can't compare these answers.",
    "label_d": "[[D]]",
    "truncated_json": None,
}
MARK = re.compile(r"(good \d|bad [a-z0-9_]+)")


def judge_rule(messages: list[dict[str, str]]) -> str:
    """Pointwise prompts mark one candidate, pairwise ones two (A first): reply as the marks say."""
    marks = MARK.findall(messages[-1]["content"])
    if len(marks) == 1:  # "rate: {prompt} => {response}"
        mark = marks[0]
        return f"Score: {mark[-1]}" if mark.startswith("good") else POINTWISE[mark.removeprefix("bad ")]
    a, b = marks
    if a.startswith("bad"):  # a bad mark in position A decides this order's reply
        return PAIRWISE[a.removeprefix("bad ")]
    if b.startswith("bad"):
        return "[[A]]"  # the other order answers well: one good order must never make a preference
    return "[[A]]" if a[-1] > b[-1] else "[[B]]" if a[-1] < b[-1] else "[[C]]"


class BadJudgeServer(FakeLLMServer):
    """The fake server with the judge rule above; a truncated-JSON mark gets a 200 whose body is cut off."""

    def _respond(
        self, protocol: str, path_model: str | None, headers: Any, body: dict[str, Any], entry: Received
    ) -> tuple[int, dict[str, str], bytes]:
        marks = MARK.findall(entry.messages[-1][1])
        if marks and marks[0] == "bad truncated_json":
            return 200, {}, TRUNCATED
        return super()._respond(protocol, path_model, headers, body, entry)


@pytest.fixture(scope="module")
def server() -> Iterator[BadJudgeServer]:
    with BadJudgeServer(answer=judge_rule) as s:
        yield s


@pytest.fixture(params=["openai", "gemini"])
def backend(request, server: BadJudgeServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("BAD_JUDGE_KEY", "fk-bad-judge-test-key")
    common = {
        "model": "judge",
        "api_key_env": "BAD_JUDGE_KEY",
        "cache_path": str(tmp_path / "calls.sqlite"),
        "timeout_s": 2.0,
        "backoff_s": 0.001,
        "max_retries": 2,
    }
    g = (
        openai_generator(base_url=server.openai_base_url, **common)
        if request.param == "openai"
        else gemini_generator(base_url=server.url, **common)
    )
    yield g
    g.close()


PROMPT = Prompt.from_text("p0", "add 2 3")


def cand(text: str, sample: int = 0, prompt: Prompt = PROMPT) -> Completion:
    return Completion(prompt_id=prompt.id, text=text, producer="policy", sample=sample)


def assert_one_line_failure(verdict: Any, reasons: set[str]) -> None:
    assert isinstance(verdict, Failure), verdict
    assert verdict.reason in reasons and "\n" not in verdict.reason and len(verdict.reason) < 40


@pytest.mark.parametrize("case", sorted(POINTWISE))
def test_pointwise_bad_reply_is_a_typed_failure(backend, case):
    judge = judges.build("prompted", generator=backend, prompt="sandbox_score")
    [bad, good] = judge.score([(PROMPT, cand(f"bad {case}")), (PROMPT, cand("good 4", 1))])
    expected = {"truncated_json": {"malformed"}, "score_10": {"out_of_range"}}.get(case, {"unparseable"})
    assert_one_line_failure(bad.verdict, expected)
    if case == "truncated_json":
        assert "\n" not in bad.verdict.raw and "JSON" in bad.verdict.raw  # why, in one line
    assert good.verdict == Score(value=4.0, rationale="Score: 4")  # the batch's good item is unaffected


@pytest.mark.parametrize("case", sorted(PAIRWISE))
def test_pairwise_bad_reply_is_a_failure_in_either_order(backend, case):
    judge = judges.build("pairwise", generator=backend, prompt="pairwise_abc", both_orders=True)
    bad, good3, good1 = cand(f"bad {case}"), cand("good 3", 1), cand("good 1", 2)
    verdicts = judge.compare([(PROMPT, bad, good3), (PROMPT, good3, bad), (PROMPT, good3, good1)])
    expected = {"truncated_json": {"malformed"}}.get(case, {"unparseable"})
    for v in verdicts[:2]:  # the bad reply came in one order; the other order's clean "[[A]]" flips nothing
        assert_one_line_failure(v.verdict, expected)
    assert verdicts[2].verdict == Preference(winner="a", prob=1.0, consistent=True)


def bad_world(kind: str) -> tuple[list[Prompt], dict[str, list[list[Completion]]]]:
    """A prompt per bad case whose 4 candidates all get that reply, a good prompt, and a mixed one."""
    cases = sorted(POINTWISE if kind == "pointwise" else PAIRWISE)
    prompts = [Prompt.from_text(f"p-{c}", f"add 1 {i}") for i, c in enumerate(cases)]
    good, mixed = Prompt.from_text("p-good", "add 2 2"), Prompt.from_text("p-mixed", "add 3 3")
    cands = [[cand(f"bad {c} #{k}", k, p) for k in range(4)] for c, p in zip(cases, prompts)]
    cands.append([cand(f"good {k + 1}", k, good) for k in range(4)])
    worst_bad = "bad score_10" if kind == "pointwise" else "bad label_d"
    cands.append(
        [
            cand("good 2", 0, mixed),
            cand(f"{worst_bad} x", 1, mixed),
            cand("good 3", 2, mixed),
            cand("bad empty y", 3, mixed),
        ]
    )
    return [*prompts, good, mixed], {"policy": cands}


@pytest.mark.parametrize("mode", ["pointwise", "pairwise"])
def test_a_source_counts_every_bad_reply_and_pairs_only_good_ones(backend, mode):
    prompts, cands = bad_world(mode)
    ctx = SourceContext(
        policy="policy",
        candidate_params=GenerationParams(n=4),
        seed=0,
        generators={"teacher": backend},
        candidates_fn=lambda model, ps, params: cands[model],
    )
    out = sources.build("llm_judge", teacher="teacher", mode=mode).build(prompts, ctx)
    stats = out.stats()
    n_bad = len(prompts) - 2
    per_prompt = 4 if mode == "pointwise" else 6  # pairwise: every pair of 4 candidates, both orders in one verdict
    failed_in_mixed = 2 if mode == "pointwise" else 5  # pairwise: every comparison touching a bad candidate
    assert stats["judge_calls"] == len(prompts) * per_prompt
    assert stats["judge_failures"] == n_bad * per_prompt + failed_in_mixed
    assert stats["dropped"] == {"judge_failure": n_bad}
    by_prompt = {p.prompt_id: p for p in out.pairs}
    assert set(by_prompt) == {"p-good", "p-mixed"}  # nothing from a prompt whose judge only failed
    assert (by_prompt["p-good"].chosen[0].content, by_prompt["p-good"].rejected[0].content) == ("good 4", "good 1")
    # The mixed prompt pairs its two good answers: "Score: 10" / "[[D]]" is never read as a win.
    assert (by_prompt["p-mixed"].chosen[0].content, by_prompt["p-mixed"].rejected[0].content) == ("good 3", "good 2")
    reasons = Counter(j.verdict.reason for j in out.judgments if isinstance(j.verdict, Failure))
    assert sum(reasons.values()) == stats["judge_failures"] and "malformed" in reasons and "unparseable" in reasons


# --- a whole run whose judge fails everywhere ---------------------------------------------------------------


def refusing(messages: list[dict[str, str]]) -> str:
    return "I cannot help with that."


def test_a_run_whose_judge_always_fails_reports_the_failure_rate(solo_run: Finished, tmp_path, monkeypatch):
    # The solo run's store: zoo, M1 and its candidates are reused; only what the refusing teacher touches reruns.
    shutil.copytree(solo_run.run_dir.parents[2] / "store", tmp_path / "store")
    monkeypatch.setenv("SANDBOX_TEACHER_API_KEY", "fk-refusing-teacher")
    with FakeLLMServer(answer=refusing) as server:
        recipe = load_recipe(
            API_RECIPE,
            [
                *TINY_API,
                f"models.teacher.generator_params.base_url={server.openai_base_url}",
                "sources=[llm_judge, llm_judge_pairwise]",
                "llm_judge_pairwise={type: llm_judge, teacher: teacher, mode: pairwise}",
            ],
        )
        out = Pipeline(recipe, tmp_path, log=lambda _: None).run()
    metrics = out["metrics"]
    rows = {r["model"]: r for r in metrics["rows"]}
    for name, per_prompt in (("llm_judge", 4), ("llm_judge_pairwise", 6)):
        stats = metrics["sources"][name]
        assert stats["judge_failure_rate"] == 1.0 and stats["judge_failures"] == 10 * per_prompt
        assert stats["pairs"] == 0 and stats["dropped"] == {"judge_failure": 10}
        assert rows[f"M2-{name}"]["score"] is None  # not trained, not a number
        assert rows[f"M2-{name}"]["judge_failure_rate"] == 1.0
    board = markdown(read_run(Path(out["run_dir"])))
    assert (
        board.count("| not trained: no pairs | — | — | — | 0 | judge_failure: 10 | 100.0% |") == 2
    )  # score, win rate, MDE
    teacher_quality = metrics["judge_quality"]["teacher (teacher)"]
    assert teacher_quality["failure_rate"] == 1.0


# --- prompts over an hf model's context ---------------------------------------------------------------------


def test_a_prompt_longer_than_the_context_names_the_prompt_and_the_fix(solo_run: Finished):
    path = solo_run.record()["models"]["M1"]["path"]
    generator = HFGenerator(path=path)
    context = generator.load()[0].config.max_position_embeddings
    fits = Prompt.from_text("fits", "add 1 2")
    long = [Prompt.from_text(f"long-{i}", "reverse " + "ab" * context) for i in range(3)]
    with pytest.raises(ValueError) as err:
        generator.generate([fits, *long], GenerationParams(max_new_tokens=8))
    message = str(err.value)
    assert "\n" not in message
    assert message.startswith("prompt 'long-0' is ") and "(and 2 more prompts)" in message
    assert f"does not fit the context of {context} tokens" in message and "max_new_tokens=8" in message
    assert "shorten or drop it in the dataset, lower max_new_tokens, or use a model with a longer context" in message
    # A prompt that fits alone, but not with the tokens to generate, is named as well.
    n = len(
        generator.load()[1](
            generator.load()[1].apply_chat_template(
                [{"role": "user", "content": "add 1 2"}], add_generation_prompt=True, tokenize=False
            ),
            add_special_tokens=False,
        )["input_ids"]
    )
    with pytest.raises(ValueError, match="prompt 'fits' is"):
        generator.generate([fits], GenerationParams(max_new_tokens=context - n + 1))
    [[ok]] = generator.generate([fits], GenerationParams(max_new_tokens=context - n))  # exactly full: allowed
    assert ok.prompt_id == "fits"

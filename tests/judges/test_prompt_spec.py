import pytest

from harness.judging.prompt_folders import JudgePrompt, ScoreParser, load_judge_prompt
from harness.types import Failure, Score


def test_sandbox_prompt_renders_and_parses():
    jp = load_judge_prompt("sandbox_score")
    assert jp.render("add 2 3", "5") == "rate: add 2 3 => 5"
    assert jp.answer(4) == "Score: 4"
    assert jp.parser.parse("Score: 4") == Score(value=4.0, rationale="Score: 4")


@pytest.mark.parametrize("raw,reason", [("no idea", "unparseable"), ("Score: x", "unparseable"), ("", "unparseable")])
def test_unparseable_output_is_a_failure(raw, reason):
    verdict = ScoreParser(regex=r"Score: ?(\d+)", min=0, max=5).parse(raw)
    assert isinstance(verdict, Failure) and verdict.reason == reason


def test_out_of_range_is_a_failure_not_a_clipped_score():
    verdict = ScoreParser(regex=r"Score: ?(\d+)", min=0, max=5).parse("Score: 9")
    assert isinstance(verdict, Failure) and verdict.reason == "out_of_range"


def test_template_without_placeholder_is_refused():
    with pytest.raises(ValueError, match="missing \\['response'\\]"):
        JudgePrompt(name="bad", template="rate {prompt}", parser=ScoreParser(regex="(\\d)", min=0, max=5))


def test_unknown_prompt_folder_names_the_known_ones():
    with pytest.raises(ValueError, match="sandbox_score"):
        load_judge_prompt("no_such_prompt")

"""A bad row raises one line, `<file>:<line>: <field>: <problem>; <fix>`, from tmp copies of the real files."""

from __future__ import annotations

import gzip
import json
import re
import shutil

import pytest

from benchmarks.public import RowError
from harness.registry import benchmarks

ONE_LINE = re.compile(r"^(?P<file>[^\n]+):(?P<line>\d+): (?P<field>[^:\n]+): (?P<problem>[^;\n]+); (?P<fix>[^\n]+)$")


def parsed(exc: pytest.ExceptionInfo) -> dict[str, str]:
    match = ONE_LINE.match(str(exc.value))
    assert match, f"not a one-line row error: {exc.value!r}"
    return match.groupdict()


def test_mt_bench_row_with_turns_missing(data_root, tmp_path):
    lines = (data_root / "fastchat_mt_bench/mt_bench/question.jsonl").read_text().splitlines()
    row = json.loads(lines[36])
    del row["turns"]
    lines[36] = json.dumps(row)
    (tmp_path / "question.jsonl").write_text("\n".join(lines) + "\n")
    mt = benchmarks.build("mt_bench", path=str(tmp_path / "question.jsonl"))  # nothing is read yet
    with pytest.raises(RowError) as exc:
        mt.prompts()
    assert parsed(exc) | {"fix": ""} == {
        "file": str(tmp_path / "question.jsonl"),
        "line": "37",
        "field": "turns",
        "problem": "missing",
        "fix": "",
    }


def test_invalid_json_line_names_its_line(data_root, tmp_path):
    source = data_root / "fastchat_mt_bench/vicuna_bench/question.jsonl"
    lines = source.read_text().splitlines()
    lines[9] = lines[9][:-1]  # drop the closing brace
    (tmp_path / "question.jsonl").write_text("\n".join(lines) + "\n")
    with pytest.raises(RowError) as exc:
        benchmarks.build("vicuna80", path=str(tmp_path / "question.jsonl")).prompts()
    assert (parsed(exc)["line"], parsed(exc)["field"]) == ("10", "json")


def test_reference_for_an_unknown_question(data_root, tmp_path):
    shutil.copy(data_root / "fastchat_mt_bench/vicuna_bench/question.jsonl", tmp_path / "question.jsonl")
    (tmp_path / "reference_answer").mkdir()
    good = {"question_id": 1, "model_id": "gpt-4", "choices": [{"index": 0, "turns": ["ok"]}]}
    bad = {**good, "question_id": 999}
    (tmp_path / "reference_answer/gpt-4.jsonl").write_text(f"{json.dumps(good)}\n\n{json.dumps(bad)}\n")
    with pytest.raises(RowError) as exc:
        benchmarks.build("vicuna80", path=str(tmp_path / "question.jsonl")).references()
    assert parsed(exc)["line"] == "3" and parsed(exc)["field"] == "question_id"


def test_alpaca_eval_element_reports_the_line_it_starts_on(tmp_path):
    rows = [{"instruction": "a", "output": "x"}, {"instruction": "b", "output": "y"}, {"instruction": 7}]
    path = tmp_path / "model_outputs.json"
    path.write_text(json.dumps(rows, indent=2))  # elements start on lines 2, 6 and 10
    with pytest.raises(RowError) as exc:
        benchmarks.build("alpaca_eval", path=str(path)).prompts()
    assert parsed(exc) | {"fix": ""} == {
        "file": str(path),
        "line": "10",
        "field": "instruction",
        "problem": "is int, not a string",
        "fix": "",
    }


def test_alpaca_eval_repeated_instruction(tmp_path):
    path = tmp_path / "model_outputs.json"
    path.write_text(json.dumps([{"instruction": "same"}, {"instruction": "same"}]))
    with pytest.raises(RowError, match=r"model_outputs.json:1: instruction: repeats an earlier instruction"):
        benchmarks.build("alpaca_eval", path=str(path)).prompts()


def test_hh_rlhf_dialogue_without_human_turn(data_root, tmp_path):
    with gzip.open(data_root / "hh-rlhf/helpful-base_test.jsonl.gz", "rt", encoding="utf-8") as fh:
        lines = [next(fh) for _ in range(5)]
    row = json.loads(lines[3])
    row["rejected"] = "Assistant: hello"
    lines[3] = json.dumps(row) + "\n"
    path = tmp_path / "helpful-base_test.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.writelines(lines)
    with pytest.raises(RowError) as exc:
        benchmarks.build("hh_rlhf", path=str(path)).pairs()
    assert (parsed(exc)["line"], parsed(exc)["field"]) == ("4", "rejected")


def test_oasst_nested_field_path(data_root, tmp_path):
    lines = (data_root / "oasst_en100/en_100_tree.jsonl").read_text().splitlines()[:3]
    tree = json.loads(lines[1])
    tree["prompt"]["replies"][1]["role"] = "robot"
    lines[1] = json.dumps(tree)
    (tmp_path / "trees.jsonl").write_text("\n".join(lines) + "\n")
    with pytest.raises(RowError) as exc:
        benchmarks.build("oasst", path=str(tmp_path / "trees.jsonl")).rankings()
    assert parsed(exc) | {"fix": ""} == {
        "file": str(tmp_path / "trees.jsonl"),
        "line": "2",
        "field": "prompt.replies[1].role",
        "problem": "is 'robot'",
        "fix": "",
    }


def test_truthfulqa_empty_question_reports_its_csv_line(data_root, tmp_path):
    text = (data_root / "truthfulqa/TruthfulQA.csv").read_text(encoding="utf-8-sig")
    question = benchmarks.build("truthfulqa").prompts()[50].text
    line = text[: text.index(question)].count("\n") + 1
    (tmp_path / "tqa.csv").write_text(text.replace(question, " ", 1), encoding="utf-8")
    with pytest.raises(RowError) as exc:
        benchmarks.build("truthfulqa", path=str(tmp_path / "tqa.csv")).prompts()
    assert (parsed(exc)["line"], parsed(exc)["field"], parsed(exc)["problem"]) == (str(line), "Question", "is empty")
    assert line == 52


def test_csv_line_is_where_the_record_starts_after_a_multiline_cell(tmp_path):
    header = "Type,Category,Question,Best Answer,Correct Answers,Incorrect Answers\n"
    rows = 'A,B,"two\nlines",x,y,z\nA,B,Q,x,y,z\nA,B,,x,y,z\n'  # records start on lines 2, 4 and 5
    (tmp_path / "tqa.csv").write_text(header + rows)
    with pytest.raises(RowError, match=r"tqa.csv:5: Question: is empty"):
        benchmarks.build("truthfulqa", path=str(tmp_path / "tqa.csv")).prompts()


def test_truthfulqa_missing_column(tmp_path):
    (tmp_path / "tqa.csv").write_text("Type,Category,Question\nA,B,C\n")
    with pytest.raises(RowError, match=r"tqa.csv:1: Best Answer: column missing from the header"):
        benchmarks.build("truthfulqa", path=str(tmp_path / "tqa.csv")).prompts()


def test_missing_file_names_the_path_and_the_fix(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"oasst: path .*nope.jsonl does not exist; pass path="):
        benchmarks.build("oasst", path=str(tmp_path / "nope.jsonl"))


def test_split_and_n_are_checked(data_root):
    mt = benchmarks.build("mt_bench")
    assert [p.id for p in mt.prompts("test", 2)] == ["mt_bench-81", "mt_bench-82"]
    with pytest.raises(ValueError, match=r"split 'eval' is not a mt_bench split: use one of test"):
        mt.prompts("eval")
    with pytest.raises(ValueError, match=r"n: asked for 81 from mt_bench split 'test', which has 80"):
        mt.prompts("test", 81)

"""The generic pairwise format: any JSON/JSONL file read through a column mapping, bad rows named by file:line,
and a judge_eval run on such a file from YAML alone."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from benchmarks.public.rows import RowError
from harness.cli import main
from harness.judge_eval.pairwise_file import Columns, LabelValues, read_pairwise_file

COLUMNS = Columns(prompt="q", response_a="x", response_b="y", label="pick", subset="cat")
ROWS = [
    {"q": "2+2?", "x": "4", "y": "It is 4, because two and two make four.", "pick": "A", "cat": "math"},
    {"q": "Capital of Peru?", "x": "Lima is the capital of Peru.", "y": "Quito", "pick": "A", "cat": "geo"},
    {"q": "Say hi", "x": "hi", "y": "hello there", "pick": "B", "cat": "chat"},
    {"q": "Colour of the sky?", "x": "Blue.", "y": "blue", "pick": "T", "cat": "chat"},
]


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def test_reads_a_pairwise_file_given_only_a_column_mapping(tmp_path):
    pairs = read_pairwise_file(
        write_jsonl(tmp_path / "votes.jsonl", ROWS), COLUMNS, LabelValues(a="A", b="B", tie="T"), "votes"
    )
    assert [p.label for p in pairs] == ["a", "a", "b", "tie"]
    assert [p.subset for p in pairs] == ["math", "geo", "chat", "chat"]
    assert pairs[1].prompt[0].content == "Capital of Peru?" and pairs[1].a == "Lima is the capital of Peru."
    assert pairs[1].b == "Quito" and pairs[0].id == "votes-1" and pairs[3].id == "votes-4"


def test_numeric_labels_in_a_gzipped_json_array_as_alpaca_eval_writes_them(tmp_path):
    # alpaca_eval's annotations: preference 1.0 = output_1 better, 2.0 = output_2 better, 1.5 = draw
    rows = [
        {"instruction": "i1", "output_1": "o", "output_2": "p", "preference": 2.0},
        {"instruction": "i2", "output_1": "o", "output_2": "p", "preference": 1},
        {"instruction": "i3", "output_1": "o", "output_2": "p", "preference": 1.5},
        {"instruction": "i4", "output_1": "o", "output_2": "p", "preference": None},
        {"instruction": "i5", "output_1": "o", "output_2": "p", "preference": 0.0},
    ]
    path = tmp_path / "annotations.json.gz"
    with gzip.open(path, "wt") as fh:
        json.dump(rows, fh, indent=1)
    columns = Columns(prompt="instruction", response_a="output_1", response_b="output_2", label="preference")
    pairs = read_pairwise_file(path, columns, LabelValues(a=1.0, b=2.0, tie=[1.5, 0.0], skip=[None]), "ae")
    assert [p.label for p in pairs] == ["b", "a", "tie", "tie"] and {p.subset for p in pairs} == {"all"}
    assert [p.id for p in pairs] == ["ae-2", "ae-8", "ae-14", "ae-26"]  # the line each element starts on


@pytest.mark.parametrize(
    "bad, line, message",
    [
        ({"q": "x", "x": "a", "y": "b", "cat": "c"}, 3, "pick: missing; add a 'pick' field"),
        (
            {"q": "x", "x": "a", "y": "b", "pick": "maybe", "cat": "c"},
            3,
            "pick: is 'maybe', not one of the label values 'A', 'B', 'T'; fix the row or set the recipe's label values",
        ),
        ({"q": 7, "x": "a", "y": "b", "pick": "A", "cat": "c"}, 3, "q: is int, not a string; make 'q' a string"),
    ],
)
def test_a_malformed_row_is_one_line_naming_file_and_line(tmp_path, bad, line, message):
    path = write_jsonl(tmp_path / "votes.jsonl", [ROWS[0], ROWS[1], bad, ROWS[2]])
    with pytest.raises(RowError) as err:
        read_pairwise_file(path, COLUMNS, LabelValues(a="A", b="B", tie="T"), "votes")
    assert str(err.value) == f"{path}:{line}: {message}"


def test_invalid_json_is_named_by_its_line(tmp_path):
    path = tmp_path / "votes.jsonl"
    path.write_text(json.dumps(ROWS[0]) + "\n{not json\n")
    with pytest.raises(RowError, match=rf"^{path}:2: json: not valid JSON"):
        read_pairwise_file(path, COLUMNS, LabelValues(a="A", b="B", tie="T"), "votes")


RECIPE = """kind: judge_eval
name: tiny_judges
judges:
  longer: {type: length}
  shorter: {type: concise_free_length}
sets:
  votes:
    type: pairwise
    path: votes.jsonl
    columns: {prompt: q, response_a: x, response_b: y, label: pick, subset: cat}
    labels: {a: A, b: B, tie: T}
"""


def test_a_judge_eval_recipe_scores_judges_on_the_file_and_writes_the_leaderboard(tmp_path, capsys):
    write_jsonl(tmp_path / "votes.jsonl", ROWS)
    recipe = tmp_path / "judges.yaml"
    recipe.write_text(RECIPE.replace("shorter: {type: concise_free_length}", "coin: {type: random, seed: 3}"))
    assert main(["run", str(recipe), "--results", str(tmp_path / "results")]) == 0
    run = next((tmp_path / "results" / "runs" / "tiny_judges").iterdir())
    metrics = json.loads((run / "metrics.json").read_text())
    longer = metrics["results"]["longer"]["votes"]
    # longer wins rows 1 (human: a, longer: b), 2 (a, a), 3 (b, b); row 4 lengths 5 vs 4 -> a, human tie
    assert longer["all"]["agreement"]["value"] == pytest.approx(2 / 3) and longer["all"]["agreement"]["n"] == 3
    assert longer["all"]["agreement_ties"]["value"] == pytest.approx(2 / 4)
    assert longer["all"]["longer"]["value"] == 1.0 and longer["all"]["human_longer"]["value"] == pytest.approx(2 / 3)
    assert set(longer) == {"math", "geo", "chat", "all"} and "position_consistency" not in longer["all"]
    for suffix in ("md", "csv", "html", "png"):
        assert (tmp_path / "results" / "leaderboards" / f"tiny_judges.{suffix}").stat().st_size > 100
    assert "| longer | 0.667 [" in capsys.readouterr().out
    # a rerun judges nothing again
    assert main(["run", str(recipe), "--results", str(tmp_path / "results")]) == 0
    assert capsys.readouterr().out.count("reused") == 2


def test_an_unknown_judge_parameter_is_one_line_naming_the_field(tmp_path, capsys):
    write_jsonl(tmp_path / "votes.jsonl", ROWS)
    recipe = tmp_path / "judges.yaml"
    recipe.write_text(RECIPE.replace("shorter: {type: concise_free_length}", "coin: {type: random, sead: 3}"))
    assert main(["validate", str(recipe)]) == 2
    assert capsys.readouterr().err.strip() == (
        f"error: {recipe}: judges.coin.sead: judge 'random' takes no such parameter; it takes seed"
    )

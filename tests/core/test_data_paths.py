"""`data:` paths: read under HARNESS_DATA (the vendored samples, in tests), and a missing one says where to get it."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli import main
from harness.paths import DATA_ROOT, data_file, where_to_get
from judges.almost.demonstrations import read_prompt_file

VENDORED = Path(__file__).resolve().parents[1] / "data" / "shared"


def test_data_paths_resolve_under_the_vendored_samples():
    assert DATA_ROOT == VENDORED
    assert data_file("data:almost/assets/HHH_prompt.txt") == VENDORED / "almost/assets/HHH_prompt.txt"
    assert data_file("data:almost/assets/HHH_prompt.txt").stat().st_size == 27361  # the upstream file, whole
    assert data_file("~/x.jsonl") == Path.home() / "x.jsonl" and where_to_get("/tmp/x.jsonl") == ""


def test_missing_data_file_in_a_recipe_is_one_line_saying_where_to_get_it(tmp_path, capsys):
    recipe = tmp_path / "r.yaml"
    recipe.write_text(
        "name: x\nbenchmark: {name: prompt_sets, params: {feedback: 'data:nope/prompts.jsonl', "
        "eval: sandbox}}\nmodels: {m: {path: " + str(tmp_path) + "}}\npolicy: m\nsources: [oracle]\n"
    )
    assert main(["validate", str(recipe)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0, err
    assert "file data:nope/prompts.jsonl not found" in err and f"read under {VENDORED}" in err
    assert "set HARNESS_DATA" in err and "README.txt names the upstream source" in err


def test_missing_almost_demonstrations_say_where_to_get_them():
    with pytest.raises(ValueError, match=r"demos: file .*nope.txt' not found; .*set HARNESS_DATA to a copy"):
        read_prompt_file("data:almost/assets/nope.txt")

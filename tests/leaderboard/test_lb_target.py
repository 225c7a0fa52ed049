"""`harness leaderboard RECIPE`: a recipe file (as `harness run` takes) or a recipe name; `--recipe NAME` still works."""

from __future__ import annotations

from pathlib import Path

from harness.cli import main

RECIPES = Path(__file__).resolve().parents[2] / "recipes"


def test_a_recipe_path_gives_the_same_leaderboard_as_its_name(results, capsys):
    assert main(["leaderboard", "--recipe", "sandbox", "--results", str(results)]) == 0
    by_option = capsys.readouterr().out
    assert main(["leaderboard", str(RECIPES / "sandbox.yaml"), "--results", str(results)]) == 0
    by_path = capsys.readouterr().out
    assert main(["leaderboard", "sandbox", "--results", str(results)]) == 0
    by_name = capsys.readouterr().out
    assert "| M2-" in by_path and by_path == by_option == by_name
    assert (results / "leaderboards" / "sandbox.md").stat().st_size > 0


def test_the_name_comes_from_the_recipe_file_not_its_file_name(tmp_path, capsys):
    recipe = tmp_path / "whatever.yaml"
    recipe.write_text("extends: " + str(RECIPES / "sandbox.yaml") + "\nname: renamed\n")
    assert main(["leaderboard", str(recipe), "--results", str(tmp_path)]) == 2
    assert "no finished run of recipe 'renamed'" in capsys.readouterr().err


def test_a_sweep_recipe_path_means_its_sweep_table(tmp_path, capsys):
    assert main(["leaderboard", str(RECIPES / "sandbox_judge_curve.yaml"), "--results", str(tmp_path)]) == 2
    assert "no sweep record of 'sandbox_judge_curve'" in capsys.readouterr().err


def test_two_targets_are_a_one_line_error(results, capsys):
    assert main(["leaderboard", "sandbox", "--recipe", "other", "--results", str(results)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: leaderboard: give one of RECIPE") and err.count("\n") == 1

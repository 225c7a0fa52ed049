"""The bad-input corpus (tests/validate/corpus.py): every case exits 2 with one line naming the file or field and
the fix, never a traceback; every shipped recipe still validates; `harness run` stops on the same checks before it
writes anything; a judge prompt folder is found beside the recipe from any working directory."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from harness.cli import main
from harness.judge_eval.sets import HHHSet
from harness.judging.prompt_folders import PROMPTS_DIR, load_judge_prompt
from tests.validate.classify import run_case
from tests.validate.corpus import ROOT, cases

CASES = cases()
ISSUE_CASES = {  # the inputs issue 20 names, each a case here
    "generator_params_typo",
    "judged_prompt_missing",
    "je_prompted_prompt_missing",
    "je_pairwise_file_missing",
    "judges_cpu_without_data",
    "prompts_bool",
    "dup_key",
    "extends_self",
    "extends_mutual",
    "recipe_directory",
    "recipe_binary",
    "set_yaml_error",
}


def test_the_corpus_holds_every_case_of_the_issue():
    ids = [c.id for c in CASES]
    assert len(ids) >= 60 and len(set(ids)) == len(ids)
    assert set(ids) >= ISSUE_CASES


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input_is_one_line_and_exit_2(case, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, text = run_case(case)
    lines = [line for line in text.splitlines() if line.strip()]
    assert "Traceback" not in text, text
    assert code == 2 and len(lines) == 1, text
    assert lines[0].startswith("error: ") and case.expect in lines[0], lines[0]


@pytest.mark.parametrize("recipe", sorted(p.name for p in (ROOT / "recipes").glob("*.yaml")))
def test_every_shipped_recipe_validates(recipe, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    assert main(["validate", f"recipes/{recipe}"]) == 0, capsys.readouterr().err
    assert f"recipes/{recipe}: ok" in capsys.readouterr().out


@pytest.mark.parametrize(
    "case", ["generator_params_typo", "judged_prompt_missing", "je_pairwise_file_missing", "oracle_no_gold"]
)
def test_run_stops_on_the_same_checks_before_writing_anything(case, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    results = tmp_path / "results"
    assert main(["run", f"tests/validate/bad/{case}.yaml", "--results", str(results)]) == 2
    assert capsys.readouterr().err.startswith(f"error: tests/validate/bad/{case}.yaml: ")
    assert not results.exists()


def test_a_prompt_folder_is_found_beside_the_recipe_from_any_folder(tmp_path, monkeypatch, capsys):
    recipes = tmp_path / "mine"
    shutil.copytree(PROMPTS_DIR / "sandbox_score", recipes / "prompts" / "strict")
    (recipes / "recipe.yaml").write_text(
        f"extends: {ROOT / 'recipes' / 'sandbox.yaml'}\n"
        "sft: {judge_prompt: prompts/strict}\n"
        "sources: [judged]\n"
        "judged: {judge: prompted, model: s, prompt: ./prompts/strict}\n",
        encoding="utf-8",
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for cwd, path in ((elsewhere, recipes / "recipe.yaml"), (tmp_path, Path("mine/recipe.yaml"))):
        monkeypatch.chdir(cwd)
        assert main(["validate", str(path)]) == 0, capsys.readouterr().err
    shutil.rmtree(recipes / "prompts")
    load_judge_prompt.cache_clear()  # loaded prompts are cached per process; this one is gone now
    assert main(["validate", str(recipes / "recipe.yaml")]) == 2
    assert "judged.prompt: judge prompt" in capsys.readouterr().err


def test_pairs_caps_each_subset_and_a_smaller_one_is_used_whole():
    whole = HHHSet(type="hhh").load()
    sizes = {s: sum(p.subset == s for p in whole) for s in {p.subset for p in whole}}
    smallest = min(sizes.values())
    capped = HHHSet(type="hhh", pairs=smallest + 1).load()
    assert {s: sum(p.subset == s for p in capped) for s in sizes} == {s: min(n, smallest + 1) for s, n in sizes.items()}
    assert len(HHHSet(type="hhh", pairs=10 * max(sizes.values())).load()) == len(whole)

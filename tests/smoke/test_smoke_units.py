"""Fast checks of --smoke's parts: family inference, the tokenizer round trip, one-line recipe errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.cli import main
from harness.recipes.loader import RecipeError, load_recipe
from harness.run.smoke import build_tokenizer, infer_family, plan_smoke, tiny_config

ROOT = Path(__file__).resolve().parents[2]


def test_family_from_local_config_then_id_then_hint(tmp_path):
    (tmp_path / "config.json").write_text(json.dumps({"model_type": "phi"}))
    assert infer_family("m", str(tmp_path), {}) == "phi"  # the local config wins over any hint
    assert infer_family("m", "Qwen/Qwen2-7B-Instruct", {}) == "qwen2"
    assert infer_family("m", "meta-llama/Llama-2-13b-hf", {}) == "llama"
    assert infer_family("m", "microsoft/phi-2", {}) == "phi"
    assert infer_family("m", "acme/house-model", {"m": "llama"}) == "llama"
    with pytest.raises(RecipeError, match=r"^models\.m\.path: .*set smoke\.families\.m to one of qwen2, llama, phi$"):
        infer_family("m", "acme/house-model", {})
    with pytest.raises(RecipeError):
        infer_family("m", "microsoft/Phi-3-mini-4k-instruct", {})  # Phi-3 is another architecture


@pytest.mark.parametrize("family", ["qwen2", "llama", "phi"])
def test_tokenizer_round_trip_gives_identical_ids(tmp_path, family):
    from transformers import AutoTokenizer

    tokenizer = build_tokenizer()
    tokenizer.save_pretrained(tmp_path)
    tiny_config(family, tokenizer).save_pretrained(tmp_path)  # a Qwen2 config makes AutoTokenizer swap classes
    loaded = AutoTokenizer.from_pretrained(tmp_path)
    text = "Hello  world, ça va? 你好\n- x:"
    chat = [{"role": "user", "content": text}, {"role": "assistant", "content": "Fine — thanks!"}]
    assert loaded(text).input_ids == tokenizer(text).input_ids
    assert loaded.decode(loaded(text).input_ids) == text
    assert loaded.apply_chat_template(chat, tokenize=False) == tokenizer.apply_chat_template(chat, tokenize=False)


def test_smoke_plan_caps_and_renames_without_building():
    plan = plan_smoke(load_recipe(ROOT / "recipes" / "self_reward_phi2.yaml"))
    assert plan.data["name"] == "self_reward_phi2-smoke"
    assert plan.families == {"phi2": "phi"} and plan.api_models == ["gemini"]
    assert plan.data["feedback"]["prompts"] == 4 and plan.data["dpo"]["max_steps"] == 2
    assert plan.data["benchmark"]["params"]["feedback"] == "sandbox"  # the hub set is replaced
    assert any("lives on the hub" in n for n in plan.notes)


def _write(tmp_path, text: str) -> Path:
    path = tmp_path / "r.yaml"
    path.write_text(text)
    return path


def test_unknown_family_is_a_one_line_error(tmp_path, capsys):
    recipe = _write(
        tmp_path,
        "name: x\nbenchmark: {name: sandbox}\nmodels: {m: {path: acme/house-model}}\npolicy: m\nsources: [oracle]\n",
    )
    assert main(["validate", str(recipe), "--smoke"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "smoke.families.m" in err


def test_missing_evaluation_judge_is_a_one_line_error(tmp_path, capsys):
    recipe = _write(
        tmp_path,
        "name: x\nbenchmark: {name: prompt_sets, params: {feedback: vicuna80, eval: vicuna80}}\n"
        "models: {m: {path: acme/house-model}}\npolicy: m\nsources: [oracle]\n",
    )
    assert main(["validate", str(recipe)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "evaluation.judge:" in err and "no gold grader" in err


def test_prompt_file_bad_row_names_file_and_line(tmp_path):
    from harness.registry import benchmarks

    rows = tmp_path / "prompts.jsonl"
    rows.write_text('{"prompt": "one"}\n{"text": "two"}\n')
    bench = benchmarks.build("prompt_sets", feedback=str(rows), eval="vicuna80")
    with pytest.raises(ValueError, match=rf"^{rows}:2: prompt: missing; add a 'prompt' field$"):
        bench.prompts("feedback", 2)
    assert [p.text for p in bench.prompts("feedback", 1)] == ["one"]

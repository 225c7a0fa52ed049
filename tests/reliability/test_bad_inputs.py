"""Issue 7's bad-input catalogue: every bad recipe, data row and judge template fails with one line that
names the field (or file:line) and the fix; a bad recipe fails before any stage runs."""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from benchmarks.public import RowError
from harness.cli import main
from harness.feedback import FeedbackSource
from harness.judging.prompt_folders import load_judge_prompt
from harness.recipes.loader import load_recipe
from harness.registry import benchmarks, source
from harness.run.pipeline import Pipeline

ROOT = Path(__file__).resolve().parents[2]
SANDBOX = ROOT / "recipes" / "sandbox.yaml"
TINY = [  # as tests/pipeline/test_pipeline_sandbox.py: every model trained for seconds
    "benchmark.params.corpus_size=2000",
    "models.xs.sandbox.steps=8",
    "models.s.sandbox.steps=12",
    "sft.demonstrations=16",
    "sft.judging_examples=16",
    "models.teacher.sft.demonstrations=24",
    "models.teacher.sft.judging_examples=24",
    "feedback.prompts=8",
    "evaluation.prompts=6",
    "evaluation.samples=2",
    "evaluation.bootstrap=200",
    "rmsp.prompts=8",
]
Edit = Callable[[dict[str, Any]], Any]


# --- recipes, through `harness validate` ----------------------------------------------------------------


def _drop(*path: str) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        node = data
        for part in path[:-1]:
            node = node[part]
        del node[path[-1]]

    return edit


def _put(dotted: str, value: Any) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        *parents, last = dotted.split(".")
        node = data
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value

    return edit


RECIPES: dict[str, tuple[Edit, str]] = {
    "unknown top-level key": (_put("sede", 1), "sede: unknown key"),
    "unknown nested key": (_put("evaluation.sampels", 2), "evaluation.sampels: unknown key"),
    "unknown model key": (_put("models.xs.sandbox.layers", 2), "models.xs.sandbox.layers: unknown key"),
    "wrong type: count is text": (
        _put("evaluation.samples", "four"),
        "evaluation.samples: Input should be a valid integer",
    ),
    "wrong type: models is a list": (_put("models", ["xs", "s"]), "models: Input should be a valid dictionary"),
    "wrong type: source block not a mapping": (
        _put("self_reward", 3),
        "self_reward: source parameters must be a mapping",
    ),
    "missing model path": (
        _put("models.xs", {"path": "./no/such/dir"}),
        "models.xs.path: './no/such/dir' does not exist",
    ),
    "model with path and sandbox": (_put("models.xs.path", "org/name"), "set exactly one of 'path'"),
    "model with nothing": (_put("models.xs", {"generator": "hf"}), "set exactly one of 'path'"),
    "unknown model size": (_put("models.xs.sandbox.size", "XL"), "models.xs.sandbox.size: Input should be 'XS'"),
    "derived model without sft": (_drop("models", "teacher", "sft"), "'base' and 'sft' go together"),
    "derived model from unknown base": (_put("models.teacher.base", "huge"), "models.teacher.base: 'huge' must name"),
    "model named like a run stage": (_put("models.M1", {"sandbox": {"size": "XS", "steps": 1}}), "models.M1: names M1"),
    "missing policy": (_drop("policy"), "policy: required field is missing"),
    "policy not a model": (_put("policy", "huge"), "policy 'huge' is not in models"),
    "unknown source name": (_put("sources", ["oracel"]), "did you mean 'oracle'"),
    "unknown benchmark name": (_put("benchmark.name", "sandbx"), "unknown benchmark 'sandbx'"),
    "unknown generator name": (_put("models.xs.generator", "vlm"), "unknown generator 'vlm'"),
    "unknown judge prompt of a source": (
        _put("self_reward.judge_prompt", "no_such_judge"),
        "self_reward.judge_prompt: judge prompt 'no_such_judge' not found",
    ),
    "unknown judge prompt of sft": (
        _put("sft.judge_prompt", "no_such_judge"),
        "sft.judge_prompt: judge prompt 'no_such_judge' not found",
    ),
    "unknown source parameter": (_put("llm_teacher.teachr", "teacher"), "llm_teacher.teachr"),
    "source teacher not a model": (
        _put("llm_judge.teacher", "gpt9"),
        "llm_judge.teacher: model 'gpt9' is not in models",
    ),
    "empty source list": (_put("sources", []), "sources: Tuple should have at least 1 item"),
    "source listed twice": (_put("sources", ["oracle", "oracle"]), "a source is listed twice in `sources`"),
    "empty prompt set: no task families": (_put("benchmark.params.families", []), "benchmark.params.families"),
    "unknown task family": (_put("benchmark.params.families", ["poetry"]), "families: unknown ['poetry']"),
    "split shares not summing to one": (_put("benchmark.params.splits", {"pretrain": 0.9}), "splits: shares sum to"),
    "negative prompt count": (_put("feedback.prompts", -3), "feedback.prompts: Input should be greater than 0"),
    "zero eval prompts": (_put("evaluation.prompts", 0), "evaluation.prompts: Input should be greater than 0"),
    "negative demonstrations": (_put("sft.demonstrations", -1), "sft.demonstrations: Input should be greater than"),
    "zero pretraining steps": (_put("models.xs.sandbox.steps", 0), "models.xs.sandbox.steps: Input should be greater"),
    "zero candidates": (_put("feedback.candidates.n", 0), "feedback.candidates.n: Input should be greater"),
    "one rmsp sample": (_put("rmsp.samples", 1), "rmsp.samples: Input should be greater than or equal to 2"),
    "too few bootstrap draws": (_put("evaluation.bootstrap", 10), "evaluation.bootstrap: Input should be greater"),
    "zero judge samples": (_put("self_reward.judge_samples", 0), "self_reward.judge_samples"),
    "conflict: pairwise judge with judge_samples": (
        _put("llm_judge", {"teacher": "teacher", "mode": "pairwise", "judge_samples": 3}),
        "llm_judge: judge_samples: applies to mode pointwise only",
    ),
    "conflict: pcon strong is weak": (
        _put("parameter_contrast", {"strong": "s", "weak": "s"}),
        "strong and weak must be different models",
    ),
    "conflict: baseline row that does not exist": (_put("evaluation.baseline", "M9"), "evaluation.baseline"),
    "conflict: rmsp source not listed": (_put("rmsp.source", "oracel"), "rmsp.source"),
    "conflict: reward model of an unlisted source": (
        _put("judge_quality.reward_models", ["oracel"]),
        "judge_quality.reward_models",
    ),
    "bad recipe name": (_put("name", "my recipe"), "name: String should match pattern"),
}


def _recipe_file(tmp_path: Path, edit: Edit) -> Path:
    data = yaml.safe_load(SANDBOX.read_text(encoding="utf-8"))
    edit(data)
    path = tmp_path / "recipe.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def _validate(capsys, *argv: str) -> str:
    assert main(["validate", *argv]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert captured.out == ""
    return lines[0]


@pytest.mark.parametrize("case", sorted(RECIPES))
def test_bad_recipe_is_one_line_naming_the_field(tmp_path, capsys, case):
    edit, expected = RECIPES[case]
    line = _validate(capsys, str(_recipe_file(tmp_path, edit)))
    assert line.startswith("error: ") and expected in line


def test_recipe_that_is_not_yaml(tmp_path, capsys):
    path = tmp_path / "recipe.yaml"
    path.write_text("name: x\nmodels: {xs: [\n", encoding="utf-8")
    assert "not valid YAML" in _validate(capsys, str(path))


def test_recipe_that_is_not_a_mapping(tmp_path, capsys):
    path = tmp_path / "recipe.yaml"
    path.write_text("- name\n- x\n", encoding="utf-8")
    assert "a recipe is a YAML mapping of fields" in _validate(capsys, str(path))


def test_recipe_extending_a_missing_file(tmp_path, capsys):
    path = tmp_path / "recipe.yaml"
    path.write_text("extends: nowhere.yaml\nname: x\n", encoding="utf-8")
    assert "extends:" in _validate(capsys, str(path))


def test_override_without_a_value(capsys):
    assert "expected KEY=VALUE" in _validate(capsys, str(SANDBOX), "--set", "feedback.prompts")


def test_override_through_a_scalar(capsys):
    assert "'seed' is not a mapping" in _validate(capsys, str(SANDBOX), "--set", "seed.value=3")


# --- public data files, through the loaders ---------------------------------------------------------------


@pytest.fixture
def mt_bench_copy(data_root, tmp_path) -> Callable[[Callable[[list[dict]], None]], Path]:
    """A tmp copy of MT-bench's first 5 questions, changed by `edit`."""

    def make(edit: Callable[[list[dict]], None]) -> Path:
        lines = (data_root / "fastchat_mt_bench/mt_bench/question.jsonl").read_text(encoding="utf-8").splitlines()
        rows = [json.loads(line) for line in lines[:5]]
        edit(rows)
        path = tmp_path / "question.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        return path

    return make


def _row_error(load: Callable[[], Any]) -> str:
    with pytest.raises(RowError) as info:
        load()
    message = str(info.value)
    assert "\n" not in message and "; " in message  # one line, problem then fix
    return message


MT_BENCH_ROWS: dict[str, tuple[Callable[[list[dict]], None], str]] = {
    "missing category": (lambda rows: rows[2].pop("category"), ":3: category: missing; add a 'category' field"),
    "empty category": (lambda rows: rows[1].update(category="  "), ":2: category: is empty"),
    "empty turns": (lambda rows: rows[3].update(turns=[]), ":4: turns: is not a non-empty list of strings"),
    "turn not a string": (lambda rows: rows[0].update(turns=[7]), ":1: turns: is not a non-empty list of strings"),
    "duplicate question id": (
        lambda rows: rows[4].update(question_id=rows[0]["question_id"]),
        ":5: question_id: 81 appears twice",
    ),
    "question id not an integer": (lambda rows: rows[2].update(question_id="83"), ":3: question_id: is '83'"),
}


@pytest.mark.parametrize("case", sorted(MT_BENCH_ROWS))
def test_bad_mt_bench_row_names_file_line_and_field(mt_bench_copy, case):
    edit, expected = MT_BENCH_ROWS[case]
    path = mt_bench_copy(edit)
    assert f"{path}{expected}" in _row_error(lambda: benchmarks.build("mt_bench", path=str(path)).prompts())


def test_empty_instruction_in_alpaca_eval(tmp_path):
    path = tmp_path / "model_outputs.json"
    path.write_text(json.dumps([{"instruction": "a"}, {"instruction": ""}], indent=1), encoding="utf-8")
    assert f"{path}:5: instruction: is empty" in _row_error(
        lambda: benchmarks.build("alpaca_eval", path=str(path)).prompts()
    )


def test_alpaca_eval_file_that_is_not_an_array(tmp_path):
    path = tmp_path / "model_outputs.json"
    path.write_text(json.dumps({"instruction": "a"}), encoding="utf-8")
    assert f"{path}:1: file: is not a JSON array" in _row_error(
        lambda: benchmarks.build("alpaca_eval", path=str(path)).prompts()
    )


def test_oasst_duplicate_or_bad_role(data_root, tmp_path):
    lines = (data_root / "oasst_en100/en_100_tree.jsonl").read_text(encoding="utf-8").splitlines()[:2]
    tree = json.loads(lines[0])
    tree["prompt"]["role"] = "assistant"
    path = tmp_path / "trees.jsonl"
    path.write_text(json.dumps(tree) + "\n" + lines[1] + "\n", encoding="utf-8")
    assert f"{path}:1: prompt.role: of a tree root is not 'prompter'" in _row_error(
        lambda: benchmarks.build("oasst", path=str(path)).rankings()
    )


def test_truthfulqa_row_with_an_unquoted_comma(tmp_path):
    path = tmp_path / "tqa.csv"
    path.write_text(
        "Type,Category,Question,Best Answer,Correct Answers,Incorrect Answers\nA,B,Q,x,y,z\nA,B,Q2, a, b,x,y,z\n",
        encoding="utf-8",
    )
    assert f"{path}:3: row: has 8 cells, header has 6" in _row_error(
        lambda: benchmarks.build("truthfulqa", path=str(path)).prompts()
    )


NOT_UTF8 = "caf\xe9".encode("latin-1")  # 'café' written by a Latin-1 editor


def test_non_utf8_bytes_in_json_lines(mt_bench_copy):
    path = mt_bench_copy(lambda rows: None)
    lines = path.read_bytes().splitlines(keepends=True)
    lines[3] = lines[3].replace(b'"turns": ["', b'"turns": ["' + NOT_UTF8, 1)
    path.write_bytes(b"".join(lines))
    message = _row_error(lambda: benchmarks.build("mt_bench", path=str(path)).prompts())
    assert f"{path}:4: encoding: " in message and "UTF-8" in message


def test_non_utf8_bytes_in_gzip_json_lines(data_root, tmp_path):
    with gzip.open(data_root / "hh-rlhf/helpful-base_test.jsonl.gz", "rb") as fh:
        lines = [next(fh) for _ in range(3)]
    lines[1] = lines[1].replace(b"Human: ", b"Human: " + NOT_UTF8, 1)
    path = tmp_path / "helpful-base_test.jsonl.gz"
    with gzip.open(path, "wb") as fh:
        fh.writelines(lines)
    assert f"{path}:2: encoding: " in _row_error(lambda: benchmarks.build("hh_rlhf", path=str(path)).pairs())


def test_non_utf8_bytes_in_a_json_array(tmp_path):
    path = tmp_path / "model_outputs.json"
    path.write_bytes(b'[\n {"instruction": "a"},\n {"instruction": "' + NOT_UTF8 + b'"}\n]\n')
    assert f"{path}:3: encoding: " in _row_error(lambda: benchmarks.build("alpaca_eval", path=str(path)).prompts())


def test_non_utf8_bytes_in_a_csv(tmp_path):
    path = tmp_path / "tqa.csv"
    path.write_bytes(
        b"Type,Category,Question,Best Answer,Correct Answers,Incorrect Answers\n"
        b"A,B,Q,x,y,z\nA,B," + NOT_UTF8 + b",x,y,z\n"
    )
    assert f"{path}:3: encoding: " in _row_error(lambda: benchmarks.build("truthfulqa", path=str(path)).prompts())


def test_chosen_equal_to_rejected_is_skipped_and_counted(data_root, tmp_path):
    """A human pair with nothing to learn from is never a training pair; skipped() says how many were left out."""
    with gzip.open(data_root / "hh-rlhf/helpful-base_test.jsonl.gz", "rt", encoding="utf-8") as fh:
        rows = [json.loads(next(fh)) for _ in range(4)]
    rows[2]["rejected"] = rows[2]["chosen"]
    path = tmp_path / "helpful-base_test.jsonl.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.writelines(json.dumps(r) + "\n" for r in rows)
    hh = benchmarks.build("hh_rlhf", path=str(path))
    assert "hh_rlhf-helpful-base-3" not in {p["prompt_id"] for p in hh.pairs()}
    assert hh.skipped()["identical"] == 1


# --- judge templates, loaded from a folder path -----------------------------------------------------------

SCORE_TEMPLATE = "Question: {prompt}\nAnswer: {response}\nScore:"
SCORE_PARSER = {"regex": "Score: ?([0-5])", "min": 0, "max": 5}
JUDGES: dict[str, tuple[str | None, Any, str]] = {  # template.txt, judge.yaml, expected
    "missing placeholder": (
        "Question: {prompt}\nScore:",
        {"kind": "score", "parser": SCORE_PARSER},
        "missing ['response']",
    ),
    "unknown placeholder": (
        SCORE_TEMPLATE + " {answer}",
        {"kind": "score", "parser": SCORE_PARSER},
        "unknown ['answer']",
    ),
    "pairwise template with score placeholders": (
        SCORE_TEMPLATE,
        {"kind": "pairwise", "parser": {"regex": r"\[\[([AB])\]\]", "labels": {"A": "a", "B": "b"}}},
        "missing ['response_a', 'response_b']",
    ),
    "score prompt with a label parser": (
        SCORE_TEMPLATE,
        {"kind": "score", "parser": {"regex": r"\[\[([AB])\]\]", "labels": {"A": "a", "B": "b"}}},
        "parser: a score prompt needs",
    ),
    "parser with no capture group never matches a score": (
        SCORE_TEMPLATE,
        {"parser": {**SCORE_PARSER, "regex": "Score: [0-5]"}},
        "parser.regex: has 0 capture groups",
    ),
    "parser with two capture groups": (
        SCORE_TEMPLATE,
        {"parser": {**SCORE_PARSER, "regex": "(Score): ([0-5])"}},
        "parser.regex: has 2 capture groups",
    ),
    "parser regex that does not compile": (
        SCORE_TEMPLATE,
        {"parser": {**SCORE_PARSER, "regex": "Score: ([0-5]"}},
        "parser.regex: not a valid regular expression",
    ),
    "score range upside down": (
        SCORE_TEMPLATE,
        {"parser": {**SCORE_PARSER, "min": 5, "max": 0}},
        "parser: min 5.0 is above max 0.0",
    ),
    "label mapped to an unknown winner": (
        "{prompt} {response_a} {response_b}",
        {"kind": "pairwise", "parser": {"regex": r"\[\[([AB])\]\]", "labels": {"A": "a", "B": "first"}}},
        "parser.LabelParser.labels.B",
    ),
    "unknown key in judge.yaml": (
        SCORE_TEMPLATE,
        {"parser": SCORE_PARSER, "temprature": 0},
        "temprature: Extra inputs are not permitted",
    ),
    "zero samples": (SCORE_TEMPLATE, {"parser": SCORE_PARSER, "samples": 0}, "samples: Input should be greater"),
    "missing template.txt": (None, {"parser": SCORE_PARSER}, "template.txt: not found"),
    "judge.yaml not a mapping": (SCORE_TEMPLATE, ["kind", "score"], "judge.yaml: must be a mapping"),
}


@pytest.mark.parametrize("case", sorted(JUDGES))
def test_bad_judge_template_is_one_line_naming_the_field(tmp_path, case):
    template, config, expected = JUDGES[case]
    folder = tmp_path / "judge"
    folder.mkdir()
    (folder / "judge.yaml").write_text(yaml.safe_dump(config), encoding="utf-8")
    if template is not None:
        (folder / "template.txt").write_text(template, encoding="utf-8")
    with pytest.raises(ValueError) as info:
        load_judge_prompt(str(folder))
    message = str(info.value)
    assert "\n" not in message and expected in message and str(folder) in message


def test_judge_yaml_that_is_not_yaml(tmp_path):
    folder = tmp_path / "judge"
    folder.mkdir()
    (folder / "judge.yaml").write_text("parser: {regex: [\n", encoding="utf-8")
    (folder / "template.txt").write_text(SCORE_TEMPLATE, encoding="utf-8")
    with pytest.raises(ValueError, match=r"judge.yaml line \d+: not valid YAML"):
        load_judge_prompt(str(folder))


def test_unknown_judge_prompt_lists_the_known_ones():
    with pytest.raises(ValueError, match=r"judge prompt 'no_such' not found; known: .*sandbox_score"):
        load_judge_prompt("no_such")


# --- nothing computed is lost ---------------------------------------------------------------------------


def test_bad_source_parameters_fail_before_any_stage_runs(tmp_path, capsys):
    """The conflict is only visible to the source's factory, which `harness run` calls before stage one."""
    path = _recipe_file(tmp_path, _put("llm_judge", {"teacher": "teacher", "mode": "pairwise", "judge_samples": 3}))
    results = tmp_path / "results"
    assert main(["run", str(path), "--results", str(results)]) == 2
    captured = capsys.readouterr()
    assert "llm_judge: judge_samples" in captured.err and len(captured.err.strip().splitlines()) == 1
    assert not results.exists() or not any(results.rglob("_stage.json"))


class SourceFailure(RuntimeError):
    pass


class FailsAfterSampling(FeedbackSource):
    """Samples the policy's candidates (a stage of its own), then fails, as a remote judge might mid-run."""

    name = "fails_after_sampling"

    def build(self, prompts, ctx):
        ctx.candidates(ctx.policy, prompts)
        raise SourceFailure("the judge went away")


@source("fails_after_sampling")
def fails_after_sampling() -> FailsAfterSampling:
    """Test source: samples candidates, then raises."""
    return FailsAfterSampling()


def test_a_run_failing_in_one_source_keeps_every_finished_stage(tmp_path):
    tiny = [*TINY, "judge_quality.enabled=false", "judge_quality.reward_models=[]"]
    results = tmp_path / "results"
    failed_logs: list[str] = []
    recipe = load_recipe(SANDBOX, [*tiny, "sources=[oracle, fails_after_sampling]"])
    with pytest.raises(SourceFailure):
        Pipeline(recipe, results, log=failed_logs.append).run()
    finished = [line[1 : line.index("]")] for line in failed_logs if "] done in " in line]
    # Tiny models may give the oracle no pairs (then DPO is skipped), so DPO is not required here.
    assert {"pretrain s", "sft M1", "feedback oracle"} <= set(finished), failed_logs

    rerun = Pipeline(load_recipe(SANDBOX, [*tiny, "sources=[oracle]"]), results, log=lambda _: None).run()
    stages = rerun["record"]["stages"]
    needed = [label for label in finished if label in stages]  # the failed source's own samples are not
    assert {"pretrain s", "sft M1", "feedback oracle"} <= set(needed), (finished, list(stages))
    assert all(stages[label]["reused"] for label in needed), {k: v["reused"] for k, v in stages.items()}
    assert "M1" in [row["model"] for row in rerun["metrics"]["rows"]]

"""A judge from a separately installed package is found through the `harness.plugins` entry point."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLUGIN = ROOT / "examples" / "plugin_judge"


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    target = tmp_path_factory.mktemp("site")
    # Installed into a private target (not the project venv) so the test leaves no trace behind.
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--target",
            str(target),
            str(PLUGIN),
        ],
        check=True,
        capture_output=True,
    )
    return target


def test_harness_judges_list_shows_the_installed_plugin(installed):
    env_path = f"{installed}:{ROOT}"
    out = subprocess.run(
        [sys.executable, "-m", "harness.cli", "judges", "list"],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"},
        check=True,
    )
    line = next(line for line in out.stdout.splitlines() if line.strip().startswith("concise"))
    assert "harness_length_judge" in line and "Scores 5 for an empty answer" in line


def test_plugin_judge_builds_and_scores(installed):
    code = (
        "from harness.registry import judges; from harness.types import Prompt, Completion;"
        "j = judges.build('concise', max_chars=10); p = Prompt.from_text('p', 'hi');"
        "print([x.verdict.value for x in j.score([(p, Completion(prompt_id='p', text=t, producer='m')) "
        "for t in ('', 'abcde', 'abcdefghijkl')])])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": f"{installed}:{ROOT}", "PATH": "/usr/bin:/bin"},
    )
    assert out.stdout.strip() == "[5.0, 2.5, 0.0]"


def run_cli(installed, *args):
    return subprocess.run(
        [sys.executable, "-m", "harness.cli", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={
            "PYTHONPATH": f"{installed}:{ROOT}",
            "PATH": "/usr/bin:/bin",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
        },
    )


def test_plugin_judge_by_name_in_a_judge_eval_recipe(installed, tmp_path):
    out = run_cli(installed, "run", str(PLUGIN / "judge_eval.yaml"), "--results", str(tmp_path))
    assert out.returncode == 0, out.stderr
    # pairs.jsonl: `concise` (shorter wins) agrees with 3 of the 8 untied labels, "the longer reply wins" with 5
    assert "| concise | 0.375 [" in out.stdout and "| longer | 0.625 [" in out.stdout


def test_plugin_judge_by_name_as_a_feedback_source(installed, tmp_path):
    out = run_cli(
        installed,
        "run",
        str(PLUGIN / "feedback.yaml"),
        "--results",
        str(tmp_path),
        "--set",
        "feedback.prompts=4",
        "--set",
        "evaluation.prompts=2",
        "--set",
        "sft.demonstrations=8",
    )
    assert out.returncode == 0, out.stderr
    assert "[feedback judged] done" in out.stdout and "| M2-judged |" in out.stdout
    assert "| concise (judged) |" in out.stdout  # in the judge-quality table, beside the self-judge

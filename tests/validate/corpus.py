"""The bad-input corpus: every recipe under bad/ and every row of FLAG_CASES, each a `harness validate` command line
that must fail with exit 2 and one line naming the file or field (the case's `expect` text) and the fix.

Plain data, no harness imports, so tests/validate/classify.py can run the same cases against any checkout."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
SANDBOX = "recipes/sandbox.yaml"


@dataclass(frozen=True)
class Case:
    id: str
    argv: tuple[str, ...]
    expect: str  # text the error line must contain: the file or field it names
    env: dict[str, str] = field(default_factory=dict)  # run in a subprocess with these variables set


def _expect(path: Path) -> str:
    first = path.read_text(encoding="utf-8").splitlines()[:1]
    return first[0].removeprefix("# expect:").strip() if first and first[0].startswith("# expect:") else path.name


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


FLAG_CASES = [
    Case("set_yaml_error", ("validate", SANDBOX, "--set", "sources=[oracle"), "not valid YAML"),
    Case("set_yaml_error_mapping", ("validate", SANDBOX, "--set", "feedback={prompts: 10"), "not valid YAML"),
    Case("set_no_equals", ("validate", SANDBOX, "--set", "feedback.prompts"), "feedback.prompts"),
    Case("set_bool_for_int", ("validate", SANDBOX, "--set", "feedback.prompts=true"), "feedback.prompts"),
    Case("set_through_scalar", ("validate", SANDBOX, "--set", "seed.x=1"), "seed"),
    Case("set_unknown_field", ("validate", SANDBOX, "--set", "feedback.promts=10"), "feedback.promts"),
    Case("set_empty_key", ("validate", SANDBOX, "--set", "=3"), "--set"),
    Case(
        "set_generator_params_typo",
        ("validate", SANDBOX, "--set", "models.s.generator_params={devise: cuda}"),
        "models.s.generator_params.devise",
    ),
    Case(
        "set_remote_setting_bool",
        ("validate", "recipes/sandbox_api_teacher.yaml", "--set", "models.teacher.generator_params.concurrency=true"),
        "models.teacher.generator_params: concurrency",
    ),
    Case("set_kind", ("validate", SANDBOX, "--set", "kind=judge_eval"), "judges"),
    Case("set_sources_mapping", ("validate", SANDBOX, "--set", "sources={a: 1}"), "sources"),
    Case("smoke_reward", ("validate", "recipes/rm_hh_minilm.yaml", "--smoke"), "--smoke"),
    Case("smoke_judge_eval", ("validate", "recipes/judges_cpu.yaml", "--smoke"), "--smoke"),
    Case("recipe_missing", ("validate", "recipes/no_such.yaml"), "recipes/no_such.yaml"),
    Case("recipe_directory", ("validate", "recipes"), "recipes"),
    Case("recipe_binary", ("validate", "tests/validate/special/binary.yaml"), "tests/validate/special/binary.yaml"),
    Case(
        "judges_cpu_without_data",
        ("validate", "recipes/judges_cpu.yaml"),
        "HARNESS_DATA",
        env={"HARNESS_DATA": "/nonexistent/shared/data"},
    ),
    Case(
        "je_pairs_bool_set",
        ("validate", "recipes/judges_cpu.yaml", "--set", "sets.hh.pairs=true"),
        "sets.hh",
    ),
]


def cases() -> list[Case]:
    files = [Case(p.stem, ("validate", _rel(p)), _expect(p)) for p in sorted((HERE / "bad").glob("*.yaml"))]
    return files + FLAG_CASES

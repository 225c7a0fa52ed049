"""`harness judges|sources|generators|benchmarks|metrics [list | show NAME]`, `harness plugins` and `--version`."""

from __future__ import annotations

import inspect
import re
import tomllib
from pathlib import Path

import pytest
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from harness.cli import main
from harness.commands.plugins import COMMANDS
from harness.registry import ALL

ROOT = Path(__file__).resolve().parents[2]
# Every plug-in the harness ships, and only those: test modules register throwaway plug-ins (some malformed on
# purpose) into the same registries, and which are there depends on the order test files were collected in.
EVERY_PLUGIN = [
    (command, name)
    for command, kind in COMMANDS.items()
    for name in ALL[kind].names()
    if ALL[kind].get(name).module.split(".")[0] in {"harness", "judges", "benchmarks"}
]


def expected_default(parameter: inspect.Parameter) -> str:
    """The default as `show` must print it, read from the signature without the harness's help code."""
    default = parameter.default
    if isinstance(default, FieldInfo):
        if default.default_factory is not None:  # Field(default_factory=...): the default is what it makes
            default = default.default_factory()  # type: ignore[call-arg]
        else:
            default = inspect.Parameter.empty if default.default is PydanticUndefined else default.default
    if default is inspect.Parameter.empty:
        return "required"
    if isinstance(default, BaseModel):
        return repr(default.model_dump(exclude_defaults=True))
    return repr(default)


def rows(out: str) -> dict[str, tuple[str, str, str]]:
    """name -> (type, default, help) from the parameters table `show` prints."""
    table = out.split("\nparameters:\n", 1)[1].splitlines()
    found = {}
    for i, line in enumerate(table):
        match = re.fullmatch(r"  (\S+)\s+(.+) \(default: (.*)\)", line)
        if match:
            follows = table[i + 1] if i + 1 < len(table) else ""
            help_text = follows.strip() if follows.startswith("    ") and not re.match(r"  \S", follows) else ""
            found[match.group(1)] = (match.group(2), match.group(3), help_text)
    return found


@pytest.mark.parametrize("command, name", EVERY_PLUGIN, ids=[f"{c}-{n}" for c, n in EVERY_PLUGIN])
def test_show_prints_the_description_and_every_parameter_with_type_default_and_help(command, name, capsys):
    assert main([command, "show", name]) == 0
    out = capsys.readouterr().out
    entry = ALL[COMMANDS[command]].get(name)
    assert " ".join(inspect.getdoc(entry.factory).split()) in " ".join(out.split())  # the whole description
    table = rows(out)
    for parameter in inspect.signature(entry.factory).parameters.values():
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            # **spec handed to a model: that model's fields; free keys (judged's judge parameters): the name itself
            spread = [n for n in table if n not in inspect.signature(entry.factory).parameters]
            assert spread or f"**{parameter.name}" in table, f"{name}: **{parameter.name} is not listed"
            continue
        assert parameter.name in table, f"{command} show {name}: parameter {parameter.name!r} missing"
        kind, default, help_text = table[parameter.name]
        assert kind and kind != "Any", f"{name}.{parameter.name}: no type"
        assert default == expected_default(parameter), f"{name}.{parameter.name}: default {default}"
        assert help_text, f"{name}.{parameter.name}: no help; annotate it with Annotated[..., Field(description=...)]"
    assert all(help_text for _, _, help_text in table.values()), f"{name}: a listed field has no help"


def test_judges_show_prompted_lists_its_parameters_with_types_and_defaults(capsys):
    assert main(["judges", "show", "prompted"]) == 0
    table = rows(capsys.readouterr().out)
    assert {n: (k, d) for n, (k, d, _) in table.items()} == {
        "generator": ("Generator", "required"),
        "prompt": ("str", "'sandbox_score'"),
        "samples": ("int | None", "None"),
        "seed": ("int", "0"),
        "readout": ("Literal['sampled', 'expected']", "'sampled'"),
    }
    assert "next-token probabilities" in table["readout"][2]


def test_a_spread_spec_is_listed_as_its_model_fields(capsys):
    from benchmarks.sandbox import SandboxWorldSpec

    assert main(["benchmarks", "show", "sandbox"]) == 0
    table = rows(capsys.readouterr().out)
    assert set(SandboxWorldSpec.model_fields) <= set(table)
    assert table["corpus_size"][:2] == ("int", "300000") and table["splits.eval"][:2] == ("float", "0.1")


@pytest.mark.parametrize(
    "argv, message",
    [
        (["judges", "show", "promted"], "'promted' is not a registered judge; did you mean 'prompted'?"),
        (
            ["sources", "show", "self_rewrd"],
            "'self_rewrd' is not a registered feedback source; did you mean 'self_reward'?",
        ),
        (["generators", "show", "vlm"], "'vlm' is not a registered generator; did you mean 'vllm'?"),
    ],
)
def test_a_misspelt_name_is_a_one_line_error_with_a_suggestion(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {message}") and err.count("\n") == 1


def test_bare_command_and_list_give_each_plugin_with_its_whole_first_paragraph(capsys):
    assert main(["generators"]) == 0
    bare = capsys.readouterr().out
    assert main(["generators", "list"]) == 0
    assert capsys.readouterr().out == bare
    hf = next(line for line in bare.splitlines() if line.split()[:1] == ["hf"])
    first_paragraph = " ".join(inspect.getdoc(ALL["generator"].get("hf").factory).split("\n\n")[0].split())
    assert first_paragraph.endswith(".") and f"{first_paragraph}  [harness.generation.hf]" in hf


def test_judges_lists_prompt_folders_and_shows_one(capsys):
    assert main(["judges"]) == 0
    listed = capsys.readouterr().out
    assert re.search(r"^  brief_pairwise\s+pairwise prompt: ", listed, flags=re.MULTILINE)
    assert main(["judges", "show", "sandbox_score"]) == 0
    out = capsys.readouterr().out
    assert "template.txt variables: {prompt}, {response}" in out
    assert "regex: 'Score: ?([0-5])'" in out and "target: 'Score: {score}'" in out  # this folder's judge.yaml
    assert re.search(r"^  samples\s+int \(default: 1\)$", out, flags=re.MULTILINE)  # the fields any folder may set


def test_plugins_lists_every_kind(capsys):
    assert main(["plugins"]) == 0
    out = capsys.readouterr().out
    for kind, registry in ALL.items():
        assert f"{kind}s (" in out and all(re.search(rf"^  {n}\s", out, flags=re.MULTILINE) for n in registry.names())


def test_show_without_a_name_says_how(capsys):
    assert main(["metrics", "show"]) == 2
    assert "harness judges show prompted" in capsys.readouterr().err


def test_version_is_the_package_version(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--version"])
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert exc.value.code == 0 and capsys.readouterr().out == f"harness {project['version']}\n"


def test_version_falls_back_to_pyproject_when_not_installed(monkeypatch):
    from importlib.metadata import PackageNotFoundError

    import harness.commands.plugins as cli_plugins

    def not_installed(name: str) -> str:
        raise PackageNotFoundError(name)

    monkeypatch.setattr(cli_plugins, "version", not_installed)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert cli_plugins.harness_version() == project["version"]

"""`harness plugins`, `harness judges|sources|generators|benchmarks|metrics [list | show NAME]` and `--version`.

A list gives each plug-in's name and the first paragraph of its description; `show NAME` gives the whole
description and every parameter (type, default, help) from `harness.commands.plugin_help`. Judge prompt folders
(`judges/prompts/<name>/`) are listed and shown beside the judges, since a prompt folder is a judge without code.
"""

from __future__ import annotations

import argparse
import difflib
import shutil
import sys
import textwrap
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import TYPE_CHECKING

from harness.recipes.loader import RecipeError

if TYPE_CHECKING:
    from harness.judging.prompt_folders import JudgePrompt

DISTRIBUTION = "feedback-harness"
# command -> registry kind (harness.registry.ALL)
COMMANDS = {
    "judges": "judge",
    "sources": "feedback source",
    "generators": "generator",
    "benchmarks": "benchmark",
    "metrics": "metric",
}
USE = {
    "judge": "in a recipe: `judged: {judge: NAME, model: <models name>, ...}` as a feedback source, or "
    "`judges: {<row>: {type: NAME, ...}}` in a kind: judge_eval recipe",
    "feedback source": "in a recipe: list NAME under `sources:` and set its parameters in a block `NAME: {...}`",
    "generator": "in a recipe: `models: {<name>: {generator: NAME, generator_params: {...}}}` "
    "(the model's path is passed as `path` or `model`)",
    "benchmark": "in a recipe: `benchmark: {name: NAME, params: {...}}`",
    "metric": "in Python: `harness.registry.metrics.build(NAME, **params)` returns the metric function",
}


def harness_version() -> str:
    """The installed distribution's version; from a source tree that is not installed, pyproject.toml's."""
    try:
        return version(DISTRIBUTION)
    except PackageNotFoundError:
        import tomllib

        pyproject = Path(__file__).resolve().parents[2] / "pyproject.toml"
        return str(tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["version"])


def _paragraph(name: str, text: str, width: int) -> str:
    """`  name  text`: one line when piped (grep finds a plug-in by any word), wrapped under itself on a terminal."""
    head = f"  {name:<22} "
    if not sys.stdout.isatty():
        return head + text
    return textwrap.fill(text, width=max(width, 60), initial_indent=head, subsequent_indent=" " * len(head))


def cmd_list(args: argparse.Namespace) -> int:
    from harness.commands.plugin_help import summary
    from harness.registry import ALL

    width = shutil.get_terminal_size((100, 24)).columns
    kinds = [args.kind_alias] if args.kind_alias else sorted(ALL)
    for kind in kinds:
        command = next(c for c, k in COMMANDS.items() if k == kind)
        print(f"{kind}s (`harness {command} show NAME` for its parameters):")
        for entry in ALL[kind].entries():
            print(_paragraph(entry.name, f"{summary(entry.factory)}  [{entry.module}]", width))
        if kind == "judge":
            print("judge prompt folders (judges/prompts/<name>; `harness judges show NAME` for the folder):")
            for prompt in _prompts():
                print(_paragraph(prompt.name, f"{prompt.kind} prompt: {prompt.description}", width))
    return 0


def _prompts() -> list[JudgePrompt]:
    from harness.judging.prompt_folders import PROMPTS_DIR, load_judge_prompt

    return [load_judge_prompt(p.name) for p in sorted(PROMPTS_DIR.iterdir()) if (p / "judge.yaml").exists()]


def cmd_show(args: argparse.Namespace) -> int:
    from harness.commands.plugin_help import description, judge_rows, parameter_rows
    from harness.recipes.field_help import table
    from harness.registry import ALL

    registry = ALL[args.kind_alias]
    prompts = {p.name: p for p in _prompts()} if args.kind_alias == "judge" else {}
    if args.name in prompts and args.name not in registry:  # a registered judge of the same name comes first
        print(show_prompt(prompts[args.name]))
        return 0
    if args.name not in registry:
        command = next(c for c, k in COMMANDS.items() if k == args.kind_alias)
        close = difflib.get_close_matches(args.name, [*registry.names(), *prompts], n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"known: {', '.join(registry.names())}"
        raise RecipeError(
            f"{args.name!r} is not a registered {args.kind_alias}; {hint} (`harness {command}` lists them)"
        )
    entry = registry.get(args.name)
    print(f"{args.kind_alias} {entry.name}  [{entry.module}]\n")
    print(description(entry.factory) or "(no description)")
    print()
    print(textwrap.fill(f"use it {USE[args.kind_alias].replace('NAME', entry.name)}", width=110))
    rows = judge_rows(entry.name) if args.kind_alias == "judge" else parameter_rows(entry.factory)
    print(f"\nparameters:\n{table(rows)}")
    return 0


def show_prompt(prompt: JudgePrompt) -> str:
    """A judge prompt folder: what it is, its template's variables, its judge.yaml values and the file's fields."""
    import string

    import yaml

    from harness.judging.prompt_folders import PROMPTS_DIR, JudgePrompt
    from harness.recipes.field_help import field_lines, table

    variables = sorted({f for _, f, _, _ in string.Formatter().parse(prompt.template) if f})
    values = prompt.model_dump(mode="json", exclude={"name", "template"})
    reader = "prompted" if prompt.kind == "score" else "pairwise"
    fields = [row for row in field_lines(JudgePrompt) if row[0].split(".")[0] not in ("name", "template")]
    return "\n".join(
        [
            f"judge prompt {prompt.name}  [{(PROMPTS_DIR / prompt.name).relative_to(PROMPTS_DIR.parents[1])}]",
            "",
            prompt.description or "(no description)",
            "",
            f"use it as `prompt: {prompt.name}` of judge {reader} (`harness judges show {reader}`), or as "
            f"`judge_prompt: {prompt.name}` of a source that takes one",
            f"template.txt variables: {', '.join('{' + v + '}' for v in variables)}",
            "",
            "judge.yaml:",
            textwrap.indent(yaml.safe_dump(values, sort_keys=False, width=110).rstrip(), "  "),
            "",
            "judge.yaml fields (any prompt folder):",
            table(fields),
        ]
    )


def add_commands(sub: argparse._SubParsersAction) -> None:
    """The `plugins` command and one command per plug-in kind, each with `list` (the default) and `show NAME`."""
    ls = sub.add_parser("plugins", help="list registered plug-ins of every kind")
    ls.set_defaults(func=cmd_list, kind_alias=None)
    for command, kind in COMMANDS.items():
        p = sub.add_parser(
            command,
            help=f"list registered {kind}s, or show one's description and parameters",
            description=f"`harness {command}` (or `list`) lists the registered {kind}s; `harness {command} show "
            "NAME` prints one's full description and every parameter with its type, default and help.",
        )
        p.add_argument("action", nargs="?", choices=["list", "show"], default="list")
        p.add_argument("name", nargs="?", help="the plug-in to show")
        p.set_defaults(func=_dispatch, kind_alias=kind)


def _dispatch(args: argparse.Namespace) -> int:
    if args.action == "list":
        if args.name is not None:
            raise RecipeError(f"list takes no name; to see {args.name!r} use `show {args.name}`")
        return cmd_list(args)
    if args.name is None:
        raise RecipeError("show: which one? e.g. `harness judges show prompted`")
    return cmd_show(args)

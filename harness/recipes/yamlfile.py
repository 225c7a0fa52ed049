"""Reading a YAML file that must hold a mapping, with errors that name the file and the line.

A key given twice in one mapping is an error (PyYAML keeps the last silently), and a file that is a folder or not
UTF-8 text is named as such, so every problem with a recipe file is one line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


class _UniqueKeyLoader(yaml.SafeLoader):
    """SafeLoader that refuses a mapping with the same key twice."""


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
    seen: dict[Any, int] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        line = key_node.start_mark.line + 1
        if key in seen:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"duplicate key {key!r} (first at line {seen[key]}); keep one of them",
                key_node.start_mark,
            )
        seen[key] = line
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def yaml_error_line(exc: yaml.YAMLError) -> tuple[str, str]:
    """(' line N' or '', the problem) of a YAML error, for a one-line message."""
    mark = exc.problem_mark if isinstance(exc, yaml.MarkedYAMLError) else None
    problem = exc.problem if isinstance(exc, yaml.MarkedYAMLError) and exc.problem else str(exc).splitlines()[0]
    return (f" line {mark.line + 1}" if mark else ""), problem


def parse_yaml(text: str) -> Any:
    """YAML text to Python values, refusing a duplicated key; yaml.YAMLError on a problem."""
    # What yaml.load does, spelt out so the loader is visibly the safe one (no tag constructs an object).
    loader = _UniqueKeyLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def read_yaml_mapping(path: Path, not_a_mapping: str, empty_is_mapping: bool = False) -> dict[str, Any]:
    """The mapping in `path`; ValueError `<path>[ line N]: ...` if it cannot be read, does not parse or is not a
    mapping (`not_a_mapping` completes that message with what the file should hold)."""
    if path.is_dir():
        raise ValueError(f"{path}: is a folder, not a YAML file; give the recipe file inside it")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(
            f"{path}: not UTF-8 text (byte {exc.start} cannot be decoded); give a YAML recipe file"
        ) from None
    except OSError as exc:
        raise ValueError(f"{path}: cannot be read ({exc.strerror}); give a readable YAML file") from None
    try:
        data = parse_yaml(text)
    except yaml.YAMLError as exc:
        line, problem = yaml_error_line(exc)
        raise ValueError(f"{path}{line}: not valid YAML ({problem})") from None
    if data is None and empty_is_mapping:
        return {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: {not_a_mapping}")
    return data

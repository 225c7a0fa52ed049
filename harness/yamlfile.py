"""Reading a YAML file that must hold a mapping, with errors that name the file and the line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


def read_yaml_mapping(path: Path, not_a_mapping: str, empty_is_mapping: bool = False) -> dict[str, Any]:
    """The mapping in `path`; ValueError `<path>[ line N]: ...` if it does not parse or is not a mapping
    (`not_a_mapping` completes that message with what the file should hold)."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark else ""
        raise ValueError(f"{path}{line}: not valid YAML ({getattr(exc, 'problem', exc)})") from None
    if data is None and empty_is_mapping:
        return {}
    if not isinstance(data, dict):
        raise ValueError(f"{path}: {not_a_mapping}")
    return data

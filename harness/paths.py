"""Where data files live: a path as given, or `data:<relative path>` under the shared data folder.

The shared data folder sits beside the repository checkout (`<repo>/../shared/data`), so a recipe that names
`data:almost/assets/HHH_prompt.txt` works from any clone, where an absolute path would tie it to one machine.
`HARNESS_DATA` names another copy of it (read once, at import); the test suite points it at its vendored samples.
"""

from __future__ import annotations

import os
from pathlib import Path

DATA_ENV = "HARNESS_DATA"
DEFAULT_DATA_ROOT = Path(__file__).resolve().parents[1].parent / "shared" / "data"
DATA_ROOT = Path(os.environ[DATA_ENV]).expanduser() if os.environ.get(DATA_ENV) else DEFAULT_DATA_ROOT
DATA_PREFIX = "data:"


def data_file(spec: str | Path) -> Path:
    """`data:<relative>` -> DATA_ROOT/<relative>; anything else is a path (with `~` expanded)."""
    text = str(spec)
    if text.startswith(DATA_PREFIX):
        return DATA_ROOT / text[len(DATA_PREFIX) :]
    return Path(text).expanduser()


def where_to_get(spec: str | Path) -> str:
    """For an error about a missing file: where `data:` paths are read from and how to supply them; '' otherwise."""
    if not str(spec).startswith(DATA_PREFIX) and not Path(spec).is_relative_to(DATA_ROOT):
        return ""
    return (
        f" (`data:` paths are read under {DATA_ROOT}: place the shared data folder beside the repository, or set "
        f"{DATA_ENV} to a copy of it; each of its folders' README.txt names the upstream source)"
    )

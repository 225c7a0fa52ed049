"""Where data files live: a path as given, or `data:<relative path>` under the shared data folder.

The shared data folder sits beside the repository checkout (`<repo>/../shared/data`), so a recipe that names
`data:almost/assets/HHH_prompt.txt` works from any clone, where an absolute path would tie it to one machine.
"""

from __future__ import annotations

from pathlib import Path

DATA_ROOT = Path(__file__).resolve().parents[1].parent / "shared" / "data"
DATA_PREFIX = "data:"


def data_file(spec: str | Path) -> Path:
    """`data:<relative>` -> DATA_ROOT/<relative>; anything else is a path (with `~` expanded)."""
    text = str(spec)
    if text.startswith(DATA_PREFIX):
        return DATA_ROOT / text[len(DATA_PREFIX):]
    return Path(text).expanduser()

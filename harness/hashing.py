"""Stable content hashes: the keys of the stage store and the judgment cache."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from pydantic import BaseModel


def _default(obj: Any) -> Any:
    if isinstance(obj, BaseModel):
        return obj.model_dump(mode="json")
    if isinstance(obj, (set, frozenset)):
        return sorted(obj)
    if hasattr(obj, "__fspath__"):
        return str(obj)
    raise TypeError(f"cannot hash {type(obj).__name__}")


def canonical_json(obj: Any) -> str:
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), default=_default, ensure_ascii=False)


def stable_hash(*parts: Any, length: int = 16) -> str:
    """sha256 over the canonical JSON of `parts`; the same values give the same key on any machine."""
    return hashlib.sha256(canonical_json(parts).encode()).hexdigest()[:length]


def seed_from(*parts: Any) -> int:
    """A 31-bit seed derived from content, so randomised choices repeat exactly on rerun."""
    return int(stable_hash(*parts, length=8), 16) & 0x7FFFFFFF

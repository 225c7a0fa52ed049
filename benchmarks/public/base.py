"""What every public benchmark loader shares: where its data lives, the `prompts(split, n)` contract, references.

Files are read on first use, never at import or construction, and parsed once per loader object.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from functools import cached_property
from pathlib import Path

from harness.benchmark import Grader
from harness.paths import DATA_ROOT, where_to_get  # DATA_ROOT re-exported: loaders resolve their default paths from it
from harness.types import Prompt, Record


class Reference(Record):
    """A reference answer (one string per turn) and who wrote it."""

    prompt_id: str
    turns: tuple[str, ...]
    author: str

    @property
    def text(self) -> str:
        return self.turns[0]


def resolve(path: str | None, default: str, benchmark: str) -> Path:
    resolved = Path(path) if path is not None else DATA_ROOT / default
    if not resolved.exists():
        raise FileNotFoundError(
            f"{benchmark}: path {resolved} does not exist; pass path= to a copy of the data "
            f"(default location is {DATA_ROOT / default})" + where_to_get(resolved)
        )
    return resolved


class PublicSet(ABC):
    """A fixed evaluation set. Split "test" is every prompt; subclasses may add named subsets."""

    name: str

    @abstractmethod
    def _load_prompts(self) -> list[Prompt]: ...

    @cached_property
    def _prompts(self) -> list[Prompt]:
        return self._load_prompts()

    def splits(self) -> tuple[str, ...]:
        return ("test",)

    def grader(self) -> Grader | None:
        """Public sets hold prompts and references, not ground truth: no gold grader (the `Benchmark` contract)."""
        return None

    def _in_split(self, prompt: Prompt, split: str) -> bool:
        return True

    def prompts(self, split: str = "test", n: int | None = None) -> list[Prompt]:
        """The first `n` prompts of `split` in file order (all when n is None)."""
        if split not in self.splits():
            raise ValueError(f"split {split!r} is not a {self.name} split: use one of {', '.join(self.splits())}")
        chosen = [p for p in self._prompts if self._in_split(p, split)]
        return chosen[: take(n, len(chosen), f"{self.name} split {split!r}")]


def take(n: int | None, available: int, what: str) -> int:
    if n is None:
        return available
    if n < 0 or n > available:
        raise ValueError(f"n: asked for {n} from {what}, which has {available}; ask for 0..{available} or n=None")
    return n

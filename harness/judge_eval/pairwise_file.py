"""The generic pairwise format: any JSON array or JSON-lines file plus a column mapping, no code.

A recipe names the file, which field holds the prompt, response A, response B and the label, and which label
values mean "A is better", "B is better" and "tie". A row that breaks the mapping is a one-line error
`<file>:<line>: <field>: <problem>; <fix>` (benchmarks/public/rows.py), raised before any judge is asked.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from benchmarks.public.rows import Row, RowError, json_array_rows, jsonl_rows
from harness.judge_eval.items import LabelledPair
from harness.types import Message

Scalar = str | int | float | bool


class Columns(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    prompt: str = Field(description="field with the user's prompt (a string)")
    response_a: str = Field(description="field with the reply shown first")
    response_b: str = Field(description="field with the reply shown second")
    label: str = Field(description="field with the human verdict")
    subset: str | None = Field(None, description="field that splits the set into subsets (optional)")
    model_a: str | None = Field(None, description="field naming who wrote response A (optional, for self-preference)")
    model_b: str | None = Field(None, description="field naming who wrote response B (optional)")


class LabelValues(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    a: Scalar = Field("a", description="label value meaning response A is better")
    b: Scalar = Field("b", description="label value meaning response B is better")
    tie: Scalar | list[Scalar] | None = Field(None, description="label value(s) meaning a tie; null = no ties")
    skip: list[Scalar | None] = Field(
        default_factory=list, description="label values whose rows are left out (e.g. [null] for rows nobody labelled)"
    )

    def _ties(self) -> list[Scalar]:
        return [] if self.tie is None else self.tie if isinstance(self.tie, list) else [self.tie]

    def verdict(self, value: Any) -> str | None:
        if type(value) is bool:
            return None
        for verdict, wanted in (("a", [self.a]), ("b", [self.b]), ("tie", self._ties())):
            if value in wanted:
                return verdict
        return None

    def skipped(self, value: Any) -> bool:
        return any(value is None if s is None else (type(value) is not bool and value == s) for s in self.skip)

    def allowed(self) -> str:
        return ", ".join(repr(v) for v in (self.a, self.b, *self._ties()))


def file_rows(path: Path) -> Iterator[Row]:
    """JSON lines for *.jsonl[.gz], a JSON array otherwise (.json, .json.gz)."""
    return jsonl_rows(path) if ".jsonl" in path.name else json_array_rows(path)


def _scalar_text(row: Row, field: str) -> str:
    value = row.value(field)
    if isinstance(value, (str, int, float)) and not isinstance(value, bool):
        return str(value)
    raise row.error(field, f"is {type(value).__name__}, not a string", f"make {field!r} a string")


def read_pairwise_file(path: Path, columns: Columns, labels: LabelValues, name: str) -> list[LabelledPair]:
    """Every row as a LabelledPair, or a RowError naming the first bad row's file and line."""
    if not path.exists():
        raise FileNotFoundError(f"{name}: path {path} does not exist; give a JSON or JSONL file")
    pairs = []
    for row in file_rows(path):
        value = row.value(columns.label)
        if labels.skipped(value):
            continue
        verdict = labels.verdict(value)
        if verdict is None:
            raise row.error(
                columns.label,
                f"is {value!r}, not one of the label values {labels.allowed()}",
                "fix the row or set the recipe's label values",
            )
        pairs.append(
            LabelledPair(
                id=f"{name}-{row.line}",
                subset=_scalar_text(row, columns.subset) if columns.subset else "all",
                prompt=(Message(role="user", content=row.text(columns.prompt)),),
                a=row.text(columns.response_a, allow_empty=True),
                b=row.text(columns.response_b, allow_empty=True),
                label=verdict,  # type: ignore[arg-type]
                model_a=_scalar_text(row, columns.model_a) if columns.model_a else "",
                model_b=_scalar_text(row, columns.model_b) if columns.model_b else "",
            )
        )
    if not pairs:
        raise RowError(path, 1, "file", "has no rows", "give a file with at least one labelled pair")
    return pairs

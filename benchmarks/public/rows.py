"""Reading public data files row by row, so a bad row is reported as `<file>:<line>: <field>: <problem>; <fix>`.

Three container formats cover every public set: JSON lines (optionally gzip'd), one JSON array, and CSV.
Each reader yields `Row`s that know their file and starting line; loaders pull typed fields from them.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, cast


class RowError(ValueError):
    def __init__(self, path: Path, line: int, field: str, problem: str, fix: str):
        super().__init__(f"{path}:{line}: {field}: {problem}; {fix}")


def open_bytes(path: Path) -> IO[bytes]:
    # Bytes, decoded per line by `decode`, so a non-UTF-8 byte is reported with its line, not as a traceback.
    return cast(IO[bytes], gzip.open(path, "rb")) if path.suffix == ".gz" else open(path, "rb")


def decode(raw: bytes, path: Path, first_line: int = 1) -> str:
    # utf-8-sig: TruthfulQA ships with a BOM that would otherwise end up in the first column's name.
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = first_line + raw.count(b"\n", 0, exc.start)
        column = exc.start - raw.rfind(b"\n", 0, exc.start)
        raise RowError(
            path,
            line,
            "encoding",
            f"byte 0x{raw[exc.start]:02x} at column {column} is not UTF-8",
            "re-save the file as UTF-8",
        ) from None


def read_text(path: Path) -> str:
    with open_bytes(path) as fh:
        return decode(fh.read(), path)


@dataclass(frozen=True)
class Row:
    path: Path
    line: int
    data: Any
    prefix: str = ""  # where a nested object sits in its row, e.g. "prompt.replies[2]."

    def error(self, field: str, problem: str, fix: str) -> RowError:
        return RowError(self.path, self.line, self.prefix + field, problem, fix)

    def _value(self, field: str) -> Any:
        if not isinstance(self.data, dict):
            raise self.error("row", f"is a {type(self.data).__name__}, not an object", "each row must be a JSON object")
        if field not in self.data:
            raise self.error(field, "missing", f"add a {field!r} field")
        return self.data[field]

    def value(self, field: str) -> Any:
        """The raw JSON value of `field` (an error naming the row when it is missing)."""
        return self._value(field)

    def text(self, field: str, *, allow_empty: bool = False) -> str:
        value = self._value(field)
        if not isinstance(value, str):
            raise self.error(field, f"is {type(value).__name__}, not a string", f"make {field!r} a string")
        if not allow_empty and not value.strip():
            raise self.error(field, "is empty", f"give {field!r} some text or drop the row")
        return value

    def optional_text(self, field: str) -> str | None:
        if not isinstance(self.data, dict) or self.data.get(field) is None:
            return None
        return self.text(field, allow_empty=True)

    def integer(self, field: str) -> int:
        value = self._value(field)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(field, f"is {value!r}, not an integer", f"make {field!r} an integer")
        return value

    def texts(self, field: str) -> list[str]:
        value = self._value(field)
        if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
            raise self.error(field, "is not a non-empty list of strings", f'make {field!r} a list like ["..."]')
        return value

    def objects(self, field: str) -> list[Row]:
        value = self._value(field)
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            raise self.error(field, "is not a list of objects", f"make {field!r} a list of JSON objects")
        return [Row(self.path, self.line, v, f"{self.prefix}{field}[{i}].") for i, v in enumerate(value)]

    def object(self, field: str) -> Row:
        value = self._value(field)
        if not isinstance(value, dict):
            raise self.error(field, f"is {type(value).__name__}, not an object", f"make {field!r} a JSON object")
        return Row(self.path, self.line, value, f"{self.prefix}{field}.")


def jsonl_rows(path: Path) -> Iterator[Row]:
    with open_bytes(path) as fh:
        for number, raw in enumerate(fh, 1):
            line = decode(raw, path, number)
            if not line.strip():
                continue
            try:
                yield Row(path, number, json.loads(line))
            except json.JSONDecodeError as exc:
                raise RowError(
                    path, number, "json", f"not valid JSON ({exc.msg}, column {exc.colno})", "fix or delete the line"
                ) from None


def json_array_rows(path: Path) -> Iterator[Row]:
    """Elements of a top-level JSON array, each with the line its object starts on."""
    text = read_text(path)
    decoder = json.JSONDecoder()
    pos = _skip_space(text, 0)
    if not text.startswith("[", pos):
        raise RowError(path, 1, "file", "is not a JSON array", "wrap the rows in [ ... ]")
    pos = _skip_space(text, pos + 1)
    while not text.startswith("]", pos):
        line = text.count("\n", 0, pos) + 1
        try:
            value, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            raise RowError(
                path, exc.lineno, "json", f"not valid JSON ({exc.msg}, column {exc.colno})", "fix the element"
            ) from None
        yield Row(path, line, value)
        pos = _skip_space(text, pos)
        if text.startswith(",", pos):
            pos = _skip_space(text, pos + 1)
        elif not text.startswith("]", pos):
            raise RowError(
                path,
                text.count("\n", 0, pos) + 1,
                "json",
                "expected ',' or ']' after an element",
                "separate elements with commas",
            )


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def csv_rows(path: Path, required: tuple[str, ...]) -> Iterator[Row]:
    with io.StringIO(read_text(path), newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in required if c not in (reader.fieldnames or [])]
        if missing:
            raise RowError(path, 1, missing[0], "column missing from the header", f"add the columns {list(required)}")
        start = reader.line_num + 1
        for record in reader:
            if None in record:  # more cells than header columns
                raise RowError(
                    path,
                    start,
                    "row",
                    f"has {len(record) - 1 + len(record[None])} cells, header has {len(reader.fieldnames or [])}",
                    "quote cells that contain commas",
                )
            yield Row(path, start, record)
            start = reader.line_num + 1

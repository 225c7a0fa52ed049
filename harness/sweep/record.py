"""The sweep record (`results/runs/<sweep>/<sweep-id>/sweep.json`) as a typed model with a schema version.

`harness/sweep/run.py` builds and rewrites it as variants finish; the sweep tables and plots read it through
`read_sweep`. Fields are declared in the order the file has always listed them, so a record written by this model
is the file it always was plus `schema_version`. A record from before `schema_version` is read; a newer or
unreadable one is refused in one line naming the file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, ValidationError

from harness.run.record_schema import Number, Record, RecordError

SWEEP_SCHEMA_VERSION = 1


class VariantEntry(Record):
    """One variant: what it swept, and once run, where its run record is (or why it failed)."""

    label: str
    group: str
    values: dict[str, Any] = Field(default_factory=dict)
    seed: int | None = None
    extra: bool = False
    recipe: str = ""
    status: Literal["pending", "done", "failed"] = "pending"
    run_dir: str | None = None  # relative to the results folder
    error: str | None = None
    seconds: Number | None = None
    built: list[str] | None = None  # stage labels this variant built rather than reused


class SweepRecord(Record):
    schema_version: int = SWEEP_SCHEMA_VERSION
    sweep: str
    sweep_id: str
    sweep_key: str = ""
    recipe_file: str | None = None
    spec: dict[str, Any] = Field(
        default_factory=dict
    )  # the sweep: block as SweepSpec dumped it (grid, zip, seeds, plot)
    jobs: int = 1
    threads_per_job: int | None = None
    git_revision: str = "unknown"
    finished: bool = False
    variants: list[VariantEntry] = Field(default_factory=list)
    seconds: Number | None = None

    def dimensions(self) -> list[str]:
        """The swept paths, grid first."""
        return list(self.spec.get("grid", {})) + list(self.spec.get("zip", {}))

    def finish(self, index: int, outcome: dict[str, Any]) -> VariantEntry:
        """Variant `index` with a run's outcome (status, run_dir or error, seconds, built) merged in."""
        entry = VariantEntry.model_validate({**self.variants[index].to_json(), **outcome})
        self.variants[index] = entry
        return entry


def sweep_json(record: SweepRecord) -> dict[str, Any]:
    """What sweep.json holds: the record as built, with the schema version it was built to."""
    return {**record.to_json(), "schema_version": record.schema_version}


def read_sweep(path: Path) -> SweepRecord:
    rerun = "run the sweep's recipe again with this harness (finished stages are reused)"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise RecordError(f"{path}: not JSON ({exc.msg}, line {exc.lineno}); {rerun}") from None
    version = data.get("schema_version", 0) if isinstance(data, dict) else None
    if not isinstance(version, int) or isinstance(version, bool) or version > SWEEP_SCHEMA_VERSION:
        raise RecordError(
            f"{path}: schema_version {version!r} is not one this harness reads (up to {SWEEP_SCHEMA_VERSION}); "
            f"update feedback-harness, or {rerun}"
        )
    try:
        return SweepRecord.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise RecordError(f"{path}: {'.'.join(str(p) for p in err['loc'])}: {err['msg']}; {rerun}") from None


__all__ = ["SWEEP_SCHEMA_VERSION", "SweepRecord", "VariantEntry", "read_sweep", "sweep_json"]

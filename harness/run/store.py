"""The content-addressed stage store: every stage's output is a folder keyed by its config and inputs.

Inputs are what a stage consumes, named by content: an upstream stage's `content` id, not its key. A stage's
content id is its key when first built (its output is a function of the key) and changes only when an output is
rebuilt in place with different bytes (remote samples that failed, asked again: `incomplete`); so a stage built
from a rebuilt upstream gets a new key and is rebuilt too, never reused on content it did not read. The bytes
of a stage that may be rebuilt in place are digested (`digest`), so a rebuild that changed nothing keeps its id.

A stage writes into a temporary folder and renames it into place when complete, with its `_stage.json`
marker written last, so a folder that exists is finished (rename is atomic on one filesystem) and a crash
leaves only a temp folder that the next run deletes. Rerunning a stage with the same key reuses the folder.

Work finer than a stage survives a crash in the stage's *partial* folder (`<key>.partial`, see `partial_dir`):
e.g. training checkpoints, which a rerun resumes from. It is deleted once the stage is finished. One process
builds a given stage at a time (an advisory lock, released by the kernel when the process dies); a second
process waits for it and then reuses its output.
"""

from __future__ import annotations

import contextvars
import fcntl
import hashlib
import json
import math
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.hashing import stable_hash
from harness.run.usage import usage_now

DONE = "_stage.json"
LOCKS = ".locks"

# The partial folder of the stage being built in this context (innermost first), for code deep inside a build
# (a trainer) that can resume from it; set only while a build runs, so library use outside a stage sees None.
_PARTIAL: contextvars.ContextVar[Path | None] = contextvars.ContextVar("stage_partial", default=None)


def partial_dir() -> Path | None:
    """The running stage's crash-surviving folder (created on demand), or None outside a stage build."""
    path = _PARTIAL.get()
    if path is not None:
        path.mkdir(parents=True, exist_ok=True)
    return path


@contextmanager
def building_in(partial: Path | None) -> Iterator[None]:
    """Make `partial` the running stage's partial folder: a stage build that continues in another process (a
    training job under `accelerate launch`) keeps checkpointing where the parent's stage would."""
    token = _PARTIAL.set(partial)
    try:
        yield
    finally:
        _PARTIAL.reset(token)


@dataclass(frozen=True)
class StageResult:
    name: str
    key: str
    path: Path
    reused: bool
    seconds: float
    summary: dict[str, Any]
    content: str  # what downstream stages name this output by (see the module docstring)
    digest: str | None = None  # digest of the output's files, kept for stages that may be rebuilt in place
    usage: dict[str, float | int] | None = None  # CPU time and waits of the build (harness/run/usage.py)

    def record(self) -> dict[str, Any]:
        extra: dict[str, Any] = {"content": self.content} if self.content != self.key else {}
        if self.usage is not None:
            extra["usage"] = self.usage
        return {
            "key": self.key,
            "path": str(self.path),
            "reused": self.reused,
            "seconds": round(self.seconds, 3),
            "summary": self.summary,
            **extra,
        }


class StageStore:
    def __init__(self, root: str | Path):
        self.root = Path(root)

    def key(self, stage: str, config: Any, inputs: list[str]) -> str:
        return stable_hash(stage, config, sorted(inputs) if inputs else [])

    def path(self, stage: str, key: str) -> Path:
        return self.root / stage / key

    def run(
        self,
        stage: str,
        config: Any,
        inputs: list[str],
        build: Callable[[Path], dict[str, Any] | None],
        incomplete: Callable[[dict[str, Any]], bool] | None = None,
    ) -> StageResult:
        """Run `build(tmp_dir)` unless a finished output for (stage, config, inputs) exists.

        `inputs` are keys of upstream stages; `build` returns a JSON-able summary stored with the output.
        `incomplete(summary)` says a finished output is worth building again (remote samples that failed, which the
        call cache retries while keeping every success): the new output replaces the old one.
        """
        key = self.key(stage, config, inputs)
        final = self.path(stage, key)
        if (final / DONE).exists():
            self._drop_partial(stage, key, wait=False)  # left when a run died between rename and cleanup
            reused = self._reused(stage, key, final)
            if incomplete is None or not incomplete(reused.summary):
                return reused
        final.parent.mkdir(parents=True, exist_ok=True)
        with self._lock(stage, key):
            previous = None
            if (final / DONE).exists():  # another process built it while this one waited, or it is incomplete
                previous = self._reused(stage, key, final)
                if incomplete is None or not incomplete(previous.summary):
                    return previous
            tmp = final.parent / f"{key}.tmp"
            shutil.rmtree(tmp, ignore_errors=True)  # a killed attempt's half-written outputs: never reused
            for stale in final.parent.glob(f"{key}.tmp-*"):  # temp folders of older harness versions
                shutil.rmtree(stale, ignore_errors=True)
            tmp.mkdir()
            start, start_usage = time.perf_counter(), usage_now()
            with building_in(self.partial_path(stage, key)):
                summary = build(tmp) or {}
            seconds, usage = time.perf_counter() - start, usage_now().since(start_usage).record()
            digest = folder_digest(tmp) if incomplete is not None else None
            content = key
            if previous is not None:  # rebuilt in place: the same bytes keep their id, new bytes get a new one
                same = digest is not None and digest == previous.digest
                content = previous.content if same else stable_hash(key, digest)
            write_json_atomic(
                tmp / DONE,
                {
                    "stage": stage,
                    "key": key,
                    "config": config,
                    "inputs": inputs,
                    "seconds": seconds,
                    "usage": usage,
                    "summary": summary,
                    "content": content,
                    **({"digest": digest} if digest else {}),
                },
            )
            if final.exists():  # replacing an incomplete output; a crash in between leaves none, so it is rebuilt
                old = final.parent / f"{key}.old"
                shutil.rmtree(old, ignore_errors=True)
                os.rename(final, old)
                os.rename(tmp, final)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.rename(tmp, final)
            fsync_dir(final.parent)
            shutil.rmtree(self.partial_path(stage, key), ignore_errors=True)
        return StageResult(stage, key, final, False, seconds, summary, content, digest, usage)

    def content_of(self, stage: str, key: str) -> str | None:
        """The content id of a finished output now (None if there is none): a consumer compares it with the id it
        recorded when it read the output, to tell whether that output was rebuilt since."""
        final = self.path(stage, key)
        return self._reused(stage, key, final).content if (final / DONE).exists() else None

    def partial_path(self, stage: str, key: str) -> Path:
        return self.root / stage / f"{key}.partial"

    def _reused(self, stage: str, key: str, final: Path) -> StageResult:
        meta = json.loads((final / DONE).read_text())
        # `seconds` stays the build's own time, so per-stage costs read the same on every rerun.
        return StageResult(
            stage,
            key,
            final,
            True,
            meta.get("seconds", 0.0),
            meta.get("summary", {}),
            meta.get("content", key),
            meta.get("digest"),
            meta.get("usage"),
        )

    def _drop_partial(self, stage: str, key: str, wait: bool) -> None:
        partial = self.partial_path(stage, key)
        if partial.exists():
            with self._lock(stage, key, wait=wait) as held:
                if held:
                    shutil.rmtree(partial, ignore_errors=True)

    @contextmanager
    def _lock(self, stage: str, key: str, wait: bool = True) -> Iterator[bool]:
        """Hold the stage's build lock; yields False (not held) when `wait` is off and another process has it."""
        path = self.root / LOCKS / f"{stage}-{key}.lock"
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "a+") as fh:
            try:
                fcntl.flock(fh, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)


def folder_digest(folder: Path) -> str:
    """sha256 over a stage output's files (relative path and bytes, in path order), its marker excluded."""
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.name != DONE):
        h.update(str(path.relative_to(folder)).encode() + b"\0")
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
    return h.hexdigest()[:16]


def write_json_atomic(path: Path, obj: Any, sort_keys: bool = True) -> None:
    """Strict JSON: a NaN or infinity (a metric with nothing to average) is written as null, which every JSON
    reader accepts and the leaderboards show as "—"."""
    text = json.dumps(finite(obj), indent=2, sort_keys=sort_keys, default=str, allow_nan=False)
    write_text_atomic(path, text)


def finite(obj: Any) -> Any:
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [finite(v) for v in obj]
    return obj


def write_text_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


def fsync_dir(path: Path) -> None:
    """Make a rename in `path` durable (a process kill never loses it; this also covers a power cut)."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)

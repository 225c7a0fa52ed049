"""The content-addressed stage store: every stage's output is a folder keyed by its config and inputs.

A stage writes into a temporary folder and renames it into place when complete, so a folder that
exists is finished (rename is atomic on one filesystem) and a crash leaves only a temp folder that
the next run deletes. Rerunning a stage with the same key reuses the folder.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from harness.hashing import stable_hash

DONE = "_stage.json"


@dataclass(frozen=True)
class StageResult:
    name: str
    key: str
    path: Path
    reused: bool
    seconds: float
    summary: dict[str, Any]

    def record(self) -> dict[str, Any]:
        return {"key": self.key, "path": str(self.path), "reused": self.reused,
                "seconds": round(self.seconds, 3), "summary": self.summary}


class StageStore:
    def __init__(self, root: str | Path):
        self.root = Path(root)

    def key(self, stage: str, config: Any, inputs: list[str]) -> str:
        return stable_hash(stage, config, sorted(inputs) if inputs else [])

    def path(self, stage: str, key: str) -> Path:
        return self.root / stage / key

    def run(self, stage: str, config: Any, inputs: list[str],
            build: Callable[[Path], dict[str, Any] | None]) -> StageResult:
        """Run `build(tmp_dir)` unless a finished output for (stage, config, inputs) exists.

        `inputs` are keys of upstream stages; `build` returns a JSON-able summary stored with the output.
        """
        key = self.key(stage, config, inputs)
        final = self.path(stage, key)
        if (final / DONE).exists():
            meta = json.loads((final / DONE).read_text())
            # `seconds` stays the build's own time, so per-stage costs read the same on every rerun.
            return StageResult(stage, key, final, True, meta.get("seconds", 0.0), meta.get("summary", {}))
        final.parent.mkdir(parents=True, exist_ok=True)
        for stale in final.parent.glob(f"{key}.tmp-*"):
            # Another live run may be building this very stage (runs can share a store): only a dead writer's
            # folder is stale. Our own pid's folder is a leftover of a process that had our pid before, or of
            # a failed build in this process, and goes too.
            if not _writer_alive(stale):
                shutil.rmtree(stale, ignore_errors=True)
        tmp = final.parent / f"{key}.tmp-{os.getpid()}"
        tmp.mkdir()
        start = time.perf_counter()
        summary = build(tmp) or {}
        seconds = time.perf_counter() - start
        write_json_atomic(tmp / DONE, {"stage": stage, "key": key, "config": config, "inputs": inputs,
                                       "seconds": seconds, "summary": summary})
        try:
            os.rename(tmp, final)
        except OSError:  # a concurrent run finished the same stage first: keep theirs
            shutil.rmtree(tmp, ignore_errors=True)
            if not (final / DONE).exists():
                raise
        return StageResult(stage, key, final, False, seconds, summary)


def _writer_alive(tmp: Path) -> bool:
    """Whether the process named in a `<key>.tmp-<pid>` folder is running (on this machine), ourselves excepted."""
    try:
        pid = int(tmp.name.rsplit("-", 1)[1])
    except (IndexError, ValueError):
        return False
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by another user
        return True
    return True


def write_json_atomic(path: Path, obj: Any, sort_keys: bool = True) -> None:
    write_text_atomic(path, json.dumps(obj, indent=2, sort_keys=sort_keys, default=str))


def write_text_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)

"""A SQLite cache for judge and generation calls, shared safely by concurrent runs.

WAL mode lets readers and one writer work at once across processes; each put is its own transaction.
Failures are stored (for counting and debugging) but `get` never returns them, so a rerun retries them.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS entries (
    namespace TEXT NOT NULL,
    key TEXT NOT NULL,
    ok INTEGER NOT NULL,
    value TEXT NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (namespace, key)
)
"""


class CallCache:
    def __init__(self, path: str | Path, namespace: str):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.namespace = namespace
        self._conn = sqlite3.connect(self.path, timeout=60, isolation_level=None, check_same_thread=False)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute(_SCHEMA)

    def get(self, key: str) -> Any | None:
        row = self._conn.execute(
            "SELECT value FROM entries WHERE namespace=? AND key=? AND ok=1", (self.namespace, key)
        ).fetchone()
        return None if row is None else json.loads(row[0])

    def get_many(self, keys: list[str]) -> dict[str, Any]:
        found: dict[str, Any] = {}
        for start in range(0, len(keys), 500):  # SQLite caps bound parameters per statement
            chunk = keys[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self._conn.execute(
                f"SELECT key, value FROM entries WHERE namespace=? AND ok=1 AND key IN ({marks})",
                (self.namespace, *chunk),
            )
            found.update((k, json.loads(v)) for k, v in rows)
        return found

    def put(self, key: str, value: Any, ok: bool = True) -> None:
        self.put_many([(key, value, ok)])

    def put_many(self, items: list[tuple[str, Any, bool]]) -> None:
        now = time.time()
        rows = [(self.namespace, k, int(ok), json.dumps(v), now) for k, v, ok in items]
        with self._conn:
            self._conn.execute("BEGIN IMMEDIATE")
            # A failure never overwrites a success another process cached for the same key meanwhile.
            self._conn.executemany(
                "INSERT INTO entries VALUES (?,?,?,?,?) ON CONFLICT(namespace, key) DO UPDATE SET "
                "ok=excluded.ok, value=excluded.value, created=excluded.created "
                "WHERE excluded.ok = 1 OR entries.ok = 0",
                rows,
            )

    def counts(self) -> dict[str, int]:
        rows = self._conn.execute(
            "SELECT ok, COUNT(*) FROM entries WHERE namespace=? GROUP BY ok", (self.namespace,)
        ).fetchall()
        by_ok = dict(rows)
        return {"ok": by_ok.get(1, 0), "failed": by_ok.get(0, 0)}

    def close(self) -> None:
        self._conn.close()

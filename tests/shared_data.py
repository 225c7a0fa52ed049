"""The public data the tests read: a small mirror of the shared data folder vendored under tests/data/shared
(tests/conftest.py points HARNESS_DATA at it) and files derived from the full copies under tests/data/derived.
tests/data/README.md names each file's source, licence and how it was cut; tests/data/make_samples.py rebuilds them."""

from __future__ import annotations

from pathlib import Path

from harness.paths import DATA_ROOT

DERIVED = Path(__file__).resolve().parent / "data" / "derived"
assert Path(__file__).resolve().parent / "data" / "shared" == DATA_ROOT, (
    f"harness.paths.DATA_ROOT is {DATA_ROOT}: tests/conftest.py must set HARNESS_DATA before harness is imported"
)

"""The public data folder the loaders read by default: in tests, the samples vendored under tests/data/shared."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.public import DATA_ROOT
from tests.shared_data import DATA_ROOT as VENDORED


@pytest.fixture(scope="session")
def data_root() -> Path:
    assert DATA_ROOT == VENDORED
    return DATA_ROOT

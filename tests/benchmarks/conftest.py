"""The shared public data folder (beside the repository clone) that the loaders read by default."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.public import DATA_ROOT


@pytest.fixture(scope="session")
def data_root() -> Path:
    if not DATA_ROOT.exists():
        pytest.skip(f"{DATA_ROOT} is absent: clone the shared data folder beside the repository to run these checks")
    return DATA_ROOT

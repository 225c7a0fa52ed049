"""Tests that read the shared data folder (beside the repository clone) skip, saying why, where it is absent,
as tests/benchmarks does; everywhere the project documents (a clone with ../shared beside it) they run."""

from __future__ import annotations

import pytest

from harness.paths import DATA_ROOT

needs_shared_data = pytest.mark.skipif(
    not DATA_ROOT.exists(),
    reason=f"{DATA_ROOT} is absent: clone the shared data folder beside the repository to run this check")

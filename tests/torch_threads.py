"""A fixture for folders of tiny training runs; their conftest imports it with autouse on."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def one_torch_thread(monkeypatch):
    """Other work shares this machine's cores: spinning OpenMP threads would make these tiny runs many times slower."""
    import torch

    threads = torch.get_num_threads()
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    yield
    torch.set_num_threads(threads)  # the stages set it process-wide; leave other test modules as they were

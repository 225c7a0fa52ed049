"""The shared public data folder fixture, the same one the benchmark tests use."""

from tests.benchmarks.conftest import data_root  # noqa: F401

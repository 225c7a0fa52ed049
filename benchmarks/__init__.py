"""Benchmarks: prompt sets with optional references, reference rankings and a gold oracle.

Importing this package registers the built-in benchmarks (see harness.registry.benchmarks).
"""

from benchmarks import sandbox  # noqa: E402,F401
from benchmarks import verifiable  # noqa: E402,F401
from benchmarks import public  # noqa: E402,F401
from benchmarks import prompt_sets  # noqa: E402,F401

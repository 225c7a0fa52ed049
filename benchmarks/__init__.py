"""Benchmarks: prompt sets with optional references, reference rankings and a gold oracle.

Importing this package registers the built-in benchmarks (see harness.registry.benchmarks).
"""

from benchmarks import (
    prompt_sets,  # noqa: F401
    public,  # noqa: F401
    sandbox,  # noqa: F401
    verifiable,  # noqa: F401
)

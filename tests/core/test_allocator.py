"""Freed memory is reused, not faulted in again: a process that frees and reallocates a 64 MiB block (above any
glibc mmap threshold) pays its pages once with `keep_freed_memory`, every time without it."""

from __future__ import annotations

import subprocess
import sys

import pytest

CHILD = """
import resource, sys
from harness.run.allocator import keep_freed_memory
if sys.argv[1] == "kept":
    assert keep_freed_memory()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(20):
    block = bytearray(64 << 20)  # zero-filled: every page touched
    del block
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc")


def faults(mode: str) -> int:
    out = subprocess.run([sys.executable, "-c", CHILD, mode], capture_output=True, text=True, check=True)
    return int(out.stdout.strip())


def test_a_freed_block_is_reused_without_new_page_faults():
    pages = (64 << 20) // 4096
    kept, default = faults("kept"), faults("default")
    assert kept < 2 * pages  # the first allocation's pages, once
    assert default > 10 * pages  # every allocation's pages, again

"""Keep memory a process frees for its own reuse instead of handing it back to the kernel (glibc's malloc).

Generation allocates a new key/value cache, attention and logits tensors of a few to hundreds of MiB at every step
and frees the old ones. glibc serves a large block with its own `mmap` (unmapped again on free) or trims it off the
heap, as adaptive thresholds decide from the process's history, so the same work can fault in tens of GB of fresh
pages in one process and almost none in another: one stage's cost then depends on what its process ran before
(`benchmarks/perf/allocator_faults.py` measures it side by side; docs/results/performance.md has the numbers).

Here no block gets its own mmap and the heap's free top is never trimmed, so freed memory is reused. The price: a
process's resident size stays at its high-water mark, which each stage reaches anyway.
"""

from __future__ import annotations

import ctypes
import sys

# glibc's mallopt parameters (malloc.h)
M_TRIM_THRESHOLD = -1
M_MMAP_MAX = -4


def keep_freed_memory() -> bool:
    """Turn off malloc's per-block mmap and heap trimming in this process; False where the C library is not glibc
    (nothing changes)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL("libc.so.6").mallopt
    except (OSError, AttributeError):  # musl and other C libraries have no mallopt
        return False
    # no block is served by its own mmap, and the heap's free top is never trimmed (-1): freed memory is reused
    return bool(mallopt(M_MMAP_MAX, 0)) and bool(mallopt(M_TRIM_THRESHOLD, -1))


__all__ = ["keep_freed_memory"]

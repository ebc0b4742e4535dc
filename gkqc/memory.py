"""Memory a finished stage freed, handed back to the system before the next stage begins.

Allocators keep freed memory for reuse: Arrow's pool and the C heap hold what the check stage freed
while the site draws its pages with other allocations, so the two would add up (measured in
docs/benchmarks.md)."""

from __future__ import annotations

import ctypes
import gc
import sys

import pyarrow as pa

_trim = ctypes.CDLL(None).malloc_trim if sys.platform.startswith("linux") else None  # glibc only


def release() -> None:
    """Collect Python's cycles, then `hand_back`: between a run's stages."""
    gc.collect()
    hand_back()


def hand_back() -> None:
    """Return Arrow's unused pool memory and trim the C heap (no cycle collection, which in a
    long-lived process with a large heap takes longer than the checks it would run between)."""
    pa.default_memory_pool().release_unused()
    if _trim is not None:
        _trim(0)

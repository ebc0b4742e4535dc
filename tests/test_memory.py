"""Between stages a run hands back to the system what the stage before freed (gkqc.memory)."""

from __future__ import annotations

import sys

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from gkqc import memory


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_what_arrow_freed_is_handed_back():
    arrays = [pc.add(pa.array(range(1_000_000)), 1) for _ in range(40)]  # 320 MB through Arrow's pool
    assert pa.total_allocated_bytes() >= 320e6
    del arrays
    kept = _rss()  # freed, and still held by the pool for reuse
    memory.release()
    assert kept - _rss() > 200e6

"""Allocator set-up done by `import gkqc` (see gkqc/__init__.py), observed in fresh processes."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

# touch a 64 MB Arrow buffer, then print the transparent huge pages of the mapping holding it (kB);
# first undo a "no huge pages" inherited from the test process (it too may have imported gkqc)
PROBE = """
import ctypes
ctypes.CDLL(None).prctl(41, 0, 0, 0, 0)  # PR_SET_THP_DISABLE, 0
import {entry}  # noqa: F401
import pyarrow as pa
n = 64 << 20
buf = pa.allocate_buffer(n)
ctypes.memset(buf.address, 1, n)
inside = False
for line in open("/proc/self/smaps"):
    head = line.split()[0]
    if "-" in head and ":" not in head:
        lo, hi = (int(x, 16) for x in head.split("-"))
        inside = lo <= buf.address < hi
    elif inside and line.startswith("AnonHugePages:"):
        print(int(line.split()[1]))
        break
"""
THP = Path("/sys/kernel/mm/transparent_hugepage/enabled")


def huge_kb(entry: str = "gkqc", **env: str) -> int:
    """Huge pages under Arrow's buffer in a fresh process; `env` on top of ours without a
    MIMALLOC_ALLOW_THP of its own (so gkqc's default applies unless `env` sets one)."""
    inherited = {k: v for k, v in os.environ.items() if k != "MIMALLOC_ALLOW_THP"}
    out = subprocess.run([sys.executable, "-c", PROBE.format(entry=entry)], env=inherited | env, capture_output=True, text=True,
                         check=True)
    return int(out.stdout.strip() or 0)


@pytest.mark.skipif(not THP.exists() or "[never]" in THP.read_text(), reason="no transparent huge pages here")
@pytest.mark.parametrize("entry", ["gkqc", "flows.pipeline", "checks.engine"])
def test_arrow_buffers_get_no_huge_pages(entry):
    """Whichever of our packages a process imports first (the CLI, Prefect's flow entry point,
    the engine alone), Arrow's buffers are not backed by huge pages, unless allowed."""
    if huge_kb(entry, MIMALLOC_ALLOW_THP="1") == 0:
        pytest.skip("the kernel gives no huge pages here even when they are allowed")
    assert huge_kb(entry) == 0

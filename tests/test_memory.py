"""Between stages a run hands back to the system what the stage before freed (gkqc.memory)."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pytest

from gkqc import memory


def _rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * 4096


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_what_arrow_freed_is_handed_back():
    base = pa.array(np.arange(1_000_000))  # numpy's memory, not the pool's
    arrays = [pc.add(base, i) for i in range(40)]  # 320 MB through Arrow's pool
    assert pa.total_allocated_bytes() >= 320e6
    del arrays
    kept = _rss()  # freed, and still held by the pool for reuse
    memory.release()
    assert kept - _rss() > 200e6


_FREE_POLARS = """
import os, sys
if sys.argv[1] == "cli":
    import gkqc.cli  # noqa: F401  (the command line's entry sets the allocators' defaults)
import polars as pl

def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

frames = [pl.DataFrame({"n": pl.int_range(0, 1_000_000, eager=True) + i}) for i in range(40)]  # 320 MB
held = rss()
del frames
print(held - rss())
"""


def _bytes_printed(tmp_path, code: str, setting: str, entry: str, **env: str) -> int:
    """The number of bytes `code` prints, run in a fresh process through `entry` ("cli": the command
    line's module first; "plain") with the allocator variable `setting` only as `env` gives it."""
    script = tmp_path / "probe.py"
    script.write_text(code, encoding="utf-8")
    base = {k: v for k, v in os.environ.items() if k != setting}
    out = subprocess.run([sys.executable, str(script), entry], env={**base, **env}, capture_output=True,
                         text=True, check=True)
    return int(out.stdout.split()[-1])


def _freed_by_polars(tmp_path, entry: str, **env: str) -> int:
    """Bytes a fresh process hands back once it drops 320 MB of polars frames."""
    return _bytes_printed(tmp_path, _FREE_POLARS, "_RJEM_MALLOC_CONF", entry, **env)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_what_polars_freed_is_handed_back_in_the_command_lines_processes(tmp_path):
    assert _freed_by_polars(tmp_path, "cli") > 250e6
    assert _freed_by_polars(tmp_path, "plain") < 100e6  # without it, jemalloc keeps them for reuse


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_an_allocator_setting_of_the_users_wins(tmp_path):
    assert _freed_by_polars(tmp_path, "cli", _RJEM_MALLOC_CONF="dirty_decay_ms:-1") < 100e6


_KEPT_BY_DUCKDB = """
import os, sys
if sys.argv[1] == "cli":
    import gkqc.cli  # noqa: F401  (the command line's entry sets the allocators' defaults)
import duckdb

def rss():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

con = duckdb.connect()
con.execute("select 1").fetchall()
before = rss()
con.execute("select count(distinct range::varchar) from range(5000000)").fetchall()  # a hash table of ~250 MB
print(rss() - before)
"""


def _kept_by_duckdb(tmp_path, entry: str, **env: str) -> int:
    """Bytes a fresh process still holds after one DuckDB query whose hash table it no longer needs."""
    return _bytes_printed(tmp_path, _KEPT_BY_DUCKDB, "DUCKDB_JE_MALLOC_CONF", entry, **env)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_what_duckdb_freed_is_handed_back_in_the_command_lines_processes(tmp_path):
    assert _kept_by_duckdb(tmp_path, "cli") < 50e6
    assert _kept_by_duckdb(tmp_path, "plain") > 150e6  # without it, DuckDB's jemalloc keeps its pages
    assert _kept_by_duckdb(tmp_path, "cli", DUCKDB_JE_MALLOC_CONF="dirty_decay_ms:-1") > 150e6  # yours wins

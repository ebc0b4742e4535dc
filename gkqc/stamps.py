"""File stamps: a file of a local inbox is not read again while it keeps the stamp it had when its
bytes were last hashed (size, modification and change times, inode, device), as git's index
does. A night's run then reads the night's files, not the whole collection.

A stamp is recorded only once the file has been left alone for SETTLE_NS: a change within the same
clock tick as the stamp could leave it equal. The change time cannot be set back by a program, so a
file rewritten with its old size and modification time still shows as changed. A stamp is trusted
only for a path whose newest document still has the content it was recorded with (a repair, a
re-reading or a new copy of the file make it read again). The stamps are a lake table of their own
(`file_stamps`), replaced by a run that changes the lake and committed with it.
"""

from __future__ import annotations

import os
import struct
import time

import numpy as np
import polars as pl
import pyarrow as pa

from gkqc.storage import read_frame

TABLE = "file_stamps"  # the lake table (gkqc.lake names it beside its own)

SETTLE_NS = 2_000_000_000  # a file changed less than this before it was stamped gets no stamp
Stamp = tuple[int, int, int, int, int]  # size, mtime_ns, ctime_ns, inode, device
SCHEMA = pa.schema([("source_path", pa.string()), ("doc_id", pa.string()), ("size", pa.int64()),
                    ("mtime_ns", pa.int64()), ("ctime_ns", pa.int64()), ("inode", pa.uint64()), ("device", pa.uint64())])


def stamp_of(st: os.stat_result) -> Stamp | None:
    """The stamp of a file's `os.stat` result, or None while it may still be changing."""
    if time.time_ns() - max(st.st_mtime_ns, st.st_ctime_ns) < SETTLE_NS:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


_ROW = np.dtype([(c, "<i8") for c in ("size", "mtime_ns", "ctime_ns")] + [(c, "<u8") for c in ("inode", "device")])
_PACK = struct.Struct("<qqqQQ")  # one stamp as `_ROW` lays it out


class Recorded:
    """The stamps a run may trust, by path: 40 bytes a file, looked up by the path objects `latest`
    (path -> newest doc id) already holds (a night's run at 1M looks up a million)."""

    def __init__(self, latest: dict[str, str], row: dict[str, int], packed: bytes, stored: int = 0):
        self._latest, self._row, self._packed = latest, row, packed
        self.stored = stored  # stamps in the lake, trusted or not

    def __len__(self) -> int:
        return len(self._row)

    def unchanged(self, path: str, stamp: Stamp) -> str | None:
        """The doc id recorded with this stamp for `path`, or None (not recorded, or another stamp)."""
        i = self._row.get(path)
        if i is None or self._packed[i * _PACK.size:(i + 1) * _PACK.size] != _PACK.pack(*stamp):
            return None
        return self._latest[path]


def trusted(parts: list[str], latest: dict[str, str]) -> Recorded:
    """The stamps in the lake's `parts` whose path's newest document (`latest`: path -> doc id) is
    the one they were recorded with."""
    if not parts:
        return Recorded(latest, {}, b"")
    paths = list(latest)  # each stamp is found by its path's position here: no path is held twice
    newest = pl.DataFrame({"source_path": paths, "doc_id": list(latest.values())},
                          schema={"source_path": pl.Utf8, "doc_id": pl.Utf8}).with_row_index("at")
    stored = read_frame(parts)
    df = stored.join(newest, on=["source_path", "doc_id"])  # paths are unique on both sides
    rows = np.empty(df.height, dtype=_ROW)
    for c in _ROW.names:
        rows[c] = df[c].to_numpy()
    row = dict(zip(map(paths.__getitem__, df["at"].to_list()), range(df.height), strict=True))
    return Recorded(latest, row, rows.tobytes(), stored.height)


class Seen:
    """The stamps of the files a run saw, gathered in Arrow batches (a run at 1M sees a million)."""

    BATCH = 50_000

    def __init__(self) -> None:
        self._rows: list[tuple] = []
        self._batches: list[pa.RecordBatch] = []
        self.count = 0
        self.fresh = 0  # stamps not found recorded

    def add(self, path: str, doc_id: str, stamp: Stamp, recorded: bool = False) -> None:
        """A file's stamp; `recorded`: the one the lake holds for it (`Recorded.unchanged`)."""
        self.count += 1
        self.fresh += not recorded
        self._rows.append((path, doc_id, *stamp))
        if len(self._rows) >= self.BATCH:
            self._flush()

    def _flush(self) -> None:
        if self._rows:
            self._batches.append(pa.record_batch(list(map(list, zip(*self._rows, strict=True))), schema=SCHEMA))
            self._rows = []

    def table(self) -> pa.Table:
        """Every stamp seen, by path."""
        self._flush()
        return pa.Table.from_batches(self._batches, schema=SCHEMA).sort_by("source_path")


def replacement(seen: Seen, recorded: Recorded) -> pa.Table | None:
    """The stamps seen, to replace those the lake holds; None when they are the same: every stamp
    seen was found recorded, and the lake holds no other (paths are unique on both sides)."""
    if seen.fresh == 0 and seen.count == recorded.stored:
        return None
    return seen.table()

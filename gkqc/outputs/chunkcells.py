"""The cells of the site's office chunks, copied once into Parquet files a chunk each.

A chunk of offices reads the cells of its reports several times: the digests that decide which
pages are drawn again, what changed between versions, the tables as printed. Read from the lake,
each of those reads scanned every cell table in full, for every chunk: a cost that grows with the
square of the province. The copy is one pass over the lake, and each chunk then reads its own files.
It is written in the warehouse folder (`SCRATCH_DIR`, which a read-only connection may read; a
folder per process writing a site) and removed when the site is written; where that folder cannot
be written, each chunk reads the lake as before.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from gkqc.lake import sql_list
from gkqc.memory import hand_back
from gkqc.outputs.data import warehouse_of
from gkqc.outputs.tables import KEYS, TABLES
from gkqc.runlock import alive
from warehouse.access import SCRATCH_DIR

FETCH_ROWS = 100_000  # rows handed from DuckDB to the Parquet writer at a time (more: more memory)
# chunks written in one pass over the lake: a batch's rows are shared among them, each share a row
# group; more chunks make the row groups smaller and the writers' metadata, held until closed, larger
PASS_CHUNKS = 16
VIEWS = tuple(f"_chunk_cells_{t}" for t in TABLES)  # dropped when the site is written


def _lake(table: str) -> str:
    """The cells of lake table `table`, each with its key."""
    return f"select c.report_id, {KEYS[table]} as key, c.raw, c.status, c.reason, c.line from stg_{table} c"


def _remove_leftovers(root: Path) -> None:
    """Copies whose process is gone (a killed run's), and this process's own."""
    for left in root.glob("*"):
        if not left.name.isdigit() or int(left.name) == os.getpid() or not alive(int(left.name)):
            shutil.rmtree(left, ignore_errors=True)


@contextmanager
def cells_folder(con: duckdb.DuckDBPyConnection) -> Iterator[Path | None]:
    """An empty folder for the copy (`copy_cells`), removed at the end; None (read the lake) for an
    in-memory warehouse or a warehouse folder that cannot be written."""
    wh = warehouse_of(con)
    if wh is None:
        yield None
        return
    folder = wh / SCRATCH_DIR / str(os.getpid())
    try:
        _remove_leftovers(folder.parent)
        folder.mkdir(parents=True)
    except OSError:
        yield None
        return
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def copy_cells(con: duckdb.DuckDBPyConnection, folder: Path, chunks: list[int]) -> None:
    """Copy the cells of every version of the offices in office chunks `chunks` (temp table
    _office_chunks) to `<folder>/<table>/<chunk>/`."""
    con.register("_wanted", pa.table({"chunk": pa.array(chunks, pa.int32())}))
    try:
        con.execute("""create or replace temp table _copy_chunks as
                       select v.report_id, o.chunk::int as chunk from report_versions v
                       join _office_chunks o using (office) where o.chunk in (select chunk from _wanted)""")
    finally:
        con.unregister("_wanted")
    chunks = sorted(chunks)
    try:
        for t in TABLES:
            for at in range(0, len(chunks), PASS_CHUNKS):
                first, last = chunks[at], chunks[min(at + PASS_CHUNKS, len(chunks)) - 1]
                rows = con.sql(f"""select k.chunk, c.* from ({_lake(t)}) c join _copy_chunks k using (report_id)
                                   where k.chunk between {int(first)} and {int(last)}""").to_arrow_reader(FETCH_ROWS)
                _write_by_chunk(rows, folder / t)
    finally:
        con.execute("drop table if exists _copy_chunks")
        hand_back()


def _write_by_chunk(rows: pa.RecordBatchReader, folder: Path) -> None:
    """Each batch's rows sorted by chunk, each chunk's run a row group of `<folder>/<chunk>/part-0.parquet`.
    All in this thread: the allocator hands back what it used (a writer's threads kept theirs)."""
    writers: dict[int, pq.ParquetWriter] = {}
    try:
        for batch in rows:
            table = pa.Table.from_batches([batch]).sort_by("chunk")
            start = 0
            runs = sorted((r["values"].as_py(), r["counts"].as_py()) for r in pc.value_counts(table.column("chunk")))
            for chunk, n in runs:  # in the order the sorted rows hold them
                part = table.slice(start, n).drop_columns(["chunk"])
                start += n
                if chunk not in writers:
                    (folder / str(chunk)).mkdir(parents=True)
                    writers[chunk] = pq.ParquetWriter(folder / str(chunk) / "part-0.parquet", part.schema,
                                                      compression="lz4")
                writers[chunk].write_table(part)
    finally:
        for w in writers.values():
            w.close()


def use_chunk(con: duckdb.DuckDBPyConnection, folder: Path | None, chunk: int) -> None:
    """Temp views `_chunk_cells_<table>` (report_id, key, raw, status, reason, line): the cells of the
    office chunk `chunk` (its offices in temp table _chunk), from the copy in `folder` or, without
    one, from the lake."""
    for t, view in zip(TABLES, VIEWS, strict=True):
        if folder is None:
            source = f"{_lake(t)} where c.report_id in (select report_id from report_versions join _chunk using (office))"
        elif files := sorted(str(p) for p in (folder / t / str(chunk)).glob("*.parquet")):
            source = f"select report_id, key, raw, status, reason, line from read_parquet({sql_list(files)})"
        else:  # no cell in this chunk
            source = f"{_lake(t)} where false"
        con.execute(f"create or replace temp view {view} as {source}")

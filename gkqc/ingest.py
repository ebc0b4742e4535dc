"""Ingest: every file under an inbox -> documents log, reports and cells in the lake.

Files are identified by content hash. A path whose content is unchanged is skipped;
identical content under a new path gets a document row pointing to the report
already stored; only new content is parsed: in worker processes for large inboxes, or on a
Dask cluster (`cluster=`, see gkqc.cluster) in chunks sized for the network. The inbox may be a
local folder or an s3:// prefix (gkqc.inboxes), the lake local or on object storage.
"""

from __future__ import annotations

import hashlib
from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from gkqc import faults
from gkqc.inbox import Source
from gkqc.inboxes import Inbox, open_inbox
from gkqc.lake import SCHEMAS, Batch, Lake, add_document, doc_id_of, sql_list
from gkqc.lifeline import die_with_parent, start_workers
from gkqc.offices import resolve_lake
from gkqc.parse_worker import OUTCOME_COLS, parse_chunk
from gkqc.settings import DUCKDB_CONFIG
from gkqc.storage import attach
from schemas import validate_tables

if TYPE_CHECKING:
    from gkqc.cluster import ClusterParser


@dataclass
class IngestSummary:
    seen: int = 0
    unchanged: int = 0
    new: int = 0
    duplicates: int = 0  # new paths whose bytes were already known
    statuses: Counter = field(default_factory=Counter)
    reports_new: int = 0
    schema_problems: list[dict] = field(default_factory=list)
    offices: int | None = None  # rows of the office registry, when the inbox has one
    offices_changed: bool = False
    office_proposals: int = 0  # printed office names near a registry office, proposed and not applied (gkqc.offices)


def load_offices(inbox: Path | str | Inbox, lake: Lake) -> tuple[int | None, bool]:
    """Copy the inbox's office registry (offices.csv: office, region, office_kind) into the lake.

    Returns (rows, whether it changed since the last run)."""
    found = open_inbox(inbox).offices()
    if found is None:
        return None, False
    data, table = found
    digest = hashlib.sha256(data).hexdigest()
    if lake.state.get("offices_sha256") == digest:
        return table.num_rows, False
    lake.replace("offices", [table.cast(SCHEMAS["offices"])], f"registry-{digest[:12]}")
    lake.state["offices_sha256"] = digest
    return table.num_rows, True


def load_known(lake: Lake) -> tuple[dict[str, str], set[str], set[str]]:
    """(path -> latest doc_id, known doc ids, known report ids) from the lake."""
    con = duckdb.connect(config=DUCKDB_CONFIG)
    attach(con, lake.paths("documents"))
    docs = con.sql(f"""
        SELECT source_path, doc_id FROM read_parquet({sql_list(lake.paths('documents'))})
        QUALIFY row_number() OVER (PARTITION BY source_path ORDER BY ingested_at DESC) = 1""").to_arrow_table()
    paths = dict(zip(docs["source_path"].to_pylist(), docs["doc_id"].to_pylist(), strict=True))
    reports = {r[0] for r in con.execute(f"SELECT report_id FROM read_parquet({sql_list(lake.paths('reports'))})").fetchall()}
    con.close()
    return paths, set(paths.values()), reports


def outcomes_of(lake: Lake, doc_ids: set[str]) -> dict[str, dict]:
    """The parse outcome stored for each of some doc ids (for files whose bytes were seen before)."""
    con = duckdb.connect(config=DUCKDB_CONFIG)
    attach(con, lake.paths("documents"))
    con.register("wanted", pa.table({"doc_id": sorted(doc_ids)}))
    rows = con.sql(f"""
        SELECT doc_id, {', '.join(OUTCOME_COLS)} FROM read_parquet({sql_list(lake.paths('documents'))}) d
        SEMI JOIN wanted USING (doc_id)
        QUALIFY row_number() OVER (PARTITION BY doc_id ORDER BY ingested_at) = 1""").fetchall()
    con.close()
    return {r[0]: dict(zip(OUTCOME_COLS, r[1:], strict=True)) for r in rows}


def _dedupe_reports(tables: dict[str, pa.Table], known: set[str]) -> dict[str, pa.Table]:
    """Drop report and cell rows whose report was stored before or earlier in this batch."""
    reps = tables["reports"]
    if reps.num_rows == 0:
        return tables
    ids = reps["report_id"].to_pylist()
    keep_idx, fresh = [], set()
    for i, rid in enumerate(ids):
        if rid not in known and rid not in fresh:
            fresh.add(rid)
            keep_idx.append(i)
    if len(keep_idx) == len(ids):
        known.update(fresh)
        return tables
    out = dict(tables)
    out["reports"] = reps.take(pa.array(keep_idx, pa.int64()))
    copies = {r: n for r, n in Counter(ids).items() if n > 1 and r in fresh}  # a report twice in this batch
    for t in ("sections", "active_disclosure", "applications", "reviews"):
        rows = tables[t].filter(pc.is_in(tables[t]["report_id"], value_set=pa.array(list(fresh), pa.string())))
        out[t] = _first_copy(rows, copies) if copies else rows
    known.update(fresh)
    return out


def _first_copy(tbl: pa.Table, copies: dict[str, int]) -> pa.Table:
    """Keep one copy of the rows of reports read from several files (every copy has the same rows)."""
    df = pl.from_arrow(tbl)
    n = pl.col("report_id").replace_strict(copies, default=1, return_dtype=pl.Int64)
    df = df.filter(pl.int_range(pl.len()).over("report_id") < pl.len().over("report_id") // n)
    return df.to_arrow().cast(tbl.schema)


def _merge(parts: list[dict[str, pa.Table]]) -> dict[str, pa.Table]:
    return {t: pa.concat_tables([p[t] for p in parts]) for t in parts[0]}


def _parser(workers: int, cluster: str | ClusterParser | None, files: int, chunk: int):
    """Where chunks are parsed: a Dask cluster, local worker processes, or None (in this process)."""
    if cluster:
        from gkqc.cluster import ClusterParser

        parser = ClusterParser(cluster) if isinstance(cluster, str) else cluster
        return parser.__enter__()
    if workers > 1 and files > 2 * chunk:
        return start_workers(ProcessPoolExecutor(workers, mp_context=get_context("spawn"), initializer=die_with_parent),
                             workers)
    return None


def ingest(inbox: Path | str | Inbox, lake: Lake, run_id: str, *, workers: int = 2, chunk: int = 200,
           flush_every: int = 5000, progress: Callable[[int, int], None] | None = None,
           cluster: str | ClusterParser | None = None) -> IngestSummary:
    """Ingest every new or changed file of the inbox into the lake (uncommitted). `cluster`: a Dask
    scheduler address (or a `ClusterParser`) to parse on, instead of `workers` local processes."""
    inbox = open_inbox(inbox)
    lake.init()
    summary = IngestSummary()
    summary.offices, summary.offices_changed = load_offices(inbox, lake)
    known_paths, known_docs, known_reports = load_known(lake)
    files = inbox.scan()
    at = datetime.now().replace(microsecond=0)
    pending_dups: list[tuple[str, str, int]] = []  # (path, doc_id, size) waiting for a doc parsed this run
    run_docs: set[str] = set()
    parts: list[dict[str, pa.Table]] = []
    parts_docs = 0
    flushes = 0
    pool = _parser(workers, cluster, len(files), chunk)
    slots = getattr(pool, "slots", workers)  # chunks kept in flight: twice the parsers
    inflight: deque[Future] = deque()
    done_files = 0

    def collect(tables: dict[str, pa.Table]) -> None:
        nonlocal parts_docs
        parts.append(tables)
        parts_docs += tables["documents"].num_rows

    def flush(final: bool = False) -> None:
        nonlocal parts_docs, flushes
        if not parts:
            return
        merged = _dedupe_reports(_merge(parts), known_reports)
        summary.reports_new += merged["reports"].num_rows
        summary.statuses.update(merged["documents"]["parse_status"].to_pylist())
        summary.schema_problems += validate_tables(merged)
        for t, tbl in merged.items():
            lake.write(t, tbl, f"{run_id}-{flushes:05d}")
            faults.point("ingest-write")
        flushes += 1
        parts.clear()
        parts_docs = 0

    items: list[tuple[str, Source]] = []  # (doc_id, the file) to parse
    items_bytes = 0

    def submit(final: bool = False) -> None:
        nonlocal items, items_bytes
        if items:
            if pool is None:
                collect(parse_chunk(items, run_id, at))
            elif cluster:
                inflight.append(pool.submit(items, run_id, at))
            else:
                inflight.append(pool.submit(parse_chunk, items, run_id, at))
            items, items_bytes = [], 0
        while inflight and (final or len(inflight) > 2 * slots or inflight[0].done()):
            collect(inflight.popleft().result())
        if parts_docs >= flush_every or final:
            flush(final)

    try:
        for src in inbox.sources(files):
            summary.seen += 1
            done_files += 1
            source_path = src.path
            # a file that cannot be read is identified by its problem: the same problem is the same outcome
            doc_id = doc_id_of(src.data if src.data is not None else f"\x00{src.problem}".encode())
            if known_paths.get(source_path) == doc_id:
                summary.unchanged += 1
            elif doc_id in known_docs or doc_id in run_docs:
                summary.new += 1
                summary.duplicates += 1
                pending_dups.append((source_path, doc_id, src.size))
            else:
                summary.new += 1
                run_docs.add(doc_id)
                items.append((doc_id, src))
                items_bytes += len(src.data) if src.data is not None else 0
                if pool.full(len(items), items_bytes) if cluster else len(items) >= chunk:
                    submit()
            if progress and (done_files % 50 == 0):
                progress(done_files, len(files))
        submit(final=True)
    finally:
        if pool is not None:
            pool.shutdown(cancel_futures=True)  # on Ctrl-C: queued chunks are dropped, not parsed
    if pending_dups:  # identical bytes under new paths: reuse the stored outcome, parse nothing
        outcomes = outcomes_of(lake, {d for _, d, _ in pending_dups})
        batch = Batch()
        for source_path, doc_id, size in pending_dups:
            add_document(batch, source_path=source_path, doc_id=doc_id, size=size, result=None,
                         known=outcomes[doc_id], ingested_at=at, run_id=run_id, write_report=False)
        tables = batch.tables()
        summary.statuses.update(tables["documents"]["parse_status"].to_pylist())
        lake.write("documents", tables["documents"], f"{run_id}-dups")
    summary.office_proposals = resolve_lake(lake)
    if progress:
        progress(len(files), len(files))
    return summary

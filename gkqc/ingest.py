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
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from gkqc import faults, reread, stamps
from gkqc.inboxes import Inbox, open_inbox
from gkqc.lake import REPORT_TABLES, SCHEMAS, STAMPS, Lake, doc_id_of, sql_list
from gkqc.offices import resolve_lake
from gkqc.parse_pool import InProcess, LocalPool, Stalled
from gkqc.parse_worker import OUTCOME_COLS, file_key, merge_rows
from gkqc.readers.errors import AGAIN
from gkqc.rows import Batch, add_copy
from gkqc.settings import DUCKDB_CONFIG
from gkqc.source import Source
from gkqc.storage import attach, read_frame

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
    reread: bool = False  # every file read again: the registry or the readers changed (gkqc.reread)
    read_again: int = 0  # files of the inbox read before and read again
    retried: int = 0  # files the last reading left to read again (a reason not theirs: `errors.AGAIN`), read
    versions_replaced: int = 0  # report versions the earlier reading gave and the new one does not


def load_offices(inbox: Path | str | Inbox, lake: Lake) -> tuple[int | None, bool]:
    """Copy the inbox's office registry (offices.csv: office, region, office_kind, aliases, paths) into the lake.

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


def load_known(lake: Lake) -> tuple[dict[str, str], set[str], set[str], pl.DataFrame]:
    """(path -> latest doc_id, known doc ids, known report ids, the paths left to read again: source_path,
    doc_id and when that path and content were first seen, `first`) from the lake. A path whose newest
    reading failed for a reason not the file's (its reason ends with `errors.AGAIN`: a full disk, a
    program killed) is not known, nor its content: it is left to read again."""
    with duckdb.connect(config=DUCKDB_CONFIG) as con:
        attach(con, lake.paths("documents"))
        docs = con.sql(f"""
            SELECT source_path, doc_id, ingested_at, coalesce(ends_with(parse_error, $again), false) AS again
            FROM read_parquet({sql_list(lake.paths('documents'))})
            QUALIFY row_number() OVER (PARTITION BY source_path ORDER BY ingested_at DESC) = 1""", params={"again": AGAIN}).to_arrow_table()
        reports = {r[0] for r in con.execute(
            f"SELECT report_id FROM read_parquet({sql_list(lake.paths('reports'))})").fetchall()}
    docs = pl.from_arrow(docs)
    again = docs.filter(pl.col("again")).select("source_path", "doc_id", pl.col("ingested_at").alias("first"))
    paths = dict(docs.filter(~pl.col("again")).select("source_path", "doc_id").iter_rows())
    return paths, set(paths.values()), reports, again


def drop_read_again(lake: Lake, pairs: set[tuple[str, str]], before: list[str], run_id: str) -> None:
    """Leave out of the documents parts from before the run (`before`) the rows of these (path, doc id)
    pairs that failed for a reason not the file's (`errors.AGAIN`): the run read them again, and its
    rows take their place (one row a path and content)."""
    if not pairs:
        return
    files = {lake.file("documents", n): n for n in before}
    wanted = pl.DataFrame(sorted(pairs), schema={"source_path": pl.Utf8, "doc_id": pl.Utf8}, orient="row")
    with duckdb.connect(config=DUCKDB_CONFIG) as con:
        attach(con, list(files))
        con.register("wanted", wanted.to_arrow())
        hit = con.execute(f"""
            SELECT DISTINCT filename FROM read_parquet({sql_list(list(files))}, filename = true)
            SEMI JOIN wanted USING (source_path, doc_id) WHERE ends_with(parse_error, ?)""", [AGAIN]).fetchall()
    for (file,) in sorted(hit):
        old = read_frame([file]).with_row_index("_row")
        gone = old.join(wanted, on=["source_path", "doc_id"], how="semi").filter(
            pl.col("parse_error").str.ends_with(AGAIN)).select("_row")
        reread.rewrite(lake, "documents", files[file], old.join(gone, on="_row", how="anti").drop("_row"),
                       run_id, "again")


def outcomes_of(lake: Lake, doc_ids: set[str]) -> dict[str, dict]:
    """The parse outcome stored for each of some doc ids (for files whose bytes were seen before): the
    first, but one that failed for a reason not the file's (`errors.AGAIN`) where there is another."""
    with duckdb.connect(config=DUCKDB_CONFIG) as con:
        attach(con, lake.paths("documents"))
        con.register("wanted", pa.table({"doc_id": sorted(doc_ids)}))
        rows = con.execute(f"""
            SELECT doc_id, {', '.join(OUTCOME_COLS)} FROM read_parquet({sql_list(lake.paths('documents'))}) d
            SEMI JOIN wanted USING (doc_id)
            QUALIFY row_number() OVER (PARTITION BY doc_id
                ORDER BY coalesce(ends_with(parse_error, ?), false), ingested_at) = 1""", [AGAIN]).fetchall()
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
    for t in REPORT_TABLES:
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


def _parser(workers: int, cluster: str | ClusterParser | None, files: int, chunk: int):
    """Where chunks are parsed: a Dask cluster, local worker processes (`parse_pool.LocalPool`) or this
    process (`parse_pool.InProcess`, `workers=0`). Each says how many chunks it parses at once
    (`slots`) and when a chunk is full (`full`), parses it (`submit`, a future; `result`) and stops
    (`shutdown`). A file that hangs or kills its worker is an unreadable row either way: the local
    pool raises and is read one file at a time here (`restart`, `alone`); the cluster's `result`
    finds the file itself (`cluster`)."""
    if cluster:
        from gkqc.cluster import ClusterParser

        parser = ClusterParser(cluster) if isinstance(cluster, str) else cluster
        return parser.__enter__()
    if workers == 0:
        return InProcess(chunk)
    return LocalPool(chunk, workers if files > 2 * chunk else 1)  # (a small batch: one worker is enough)


class _Writer:
    """Parsed chunks, gathered and written to the lake (uncommitted) in parts of about `flush_every`
    documents, each part deduplicated and validated whole."""

    def __init__(self, lake: Lake, run_id: str, known_reports: set[str], summary: IngestSummary, flush_every: int,
                 rr: reread.Reread | reread.Restamps | None = None):  # `rr`: when files read again were first seen
        self.lake, self.run_id, self.known_reports, self.summary, self.rr = lake, run_id, known_reports, summary, rr
        self.flush_every = flush_every
        self.parts: list[dict[str, pa.Table]] = []
        self.docs = 0  # documents gathered since the last part was written
        self.written = 0  # parts written

    def add(self, tables: dict[str, pa.Table]) -> None:
        self.parts.append(tables)
        self.docs += tables["documents"].num_rows
        if self.docs >= self.flush_every:
            self.flush()

    def flush(self) -> None:
        if not self.parts:
            return
        merged = _dedupe_reports(merge_rows(self.parts), self.known_reports)
        if self.rr is not None:
            merged = self.rr.restamp(merged)
        self.summary.reports_new += merged["reports"].num_rows
        self.summary.statuses.update(merged["documents"]["parse_status"].to_pylist())
        for t, tbl in merged.items():
            self.lake.write(t, tbl, f"{self.run_id}-{self.written:05d}")
            faults.point("ingest-write")
        self.written += 1
        self.parts.clear()
        self.docs = 0


class _Parsing:
    """New files parsed in chunks by `parser` (`_parser`), at most twice as many chunks in flight
    as it has parsers (`slots`); results go to `writer` in the order the chunks were submitted. When
    a local worker hangs on a file or dies, the files of the chunks not parsed yet are read one at a
    time (`parse_pool`): the one to blame gets an unreadable row, and the run goes on."""

    def __init__(self, parser, run_id: str, at: datetime, writer: _Writer):
        self.parser, self.run_id, self.at, self.writer = parser, run_id, at, writer
        self.items: list[tuple[str, Source]] = []  # (doc_id, the file) of the next chunk
        self.bytes = 0
        self.inflight: deque[tuple[Future, list[tuple[str, Source]]]] = deque()

    def add(self, doc_id: str, src: Source) -> None:
        self.items.append((doc_id, src))
        self.bytes += len(src.data) if src.data is not None else 0
        if self.parser.full(len(self.items), self.bytes):
            self.submit()

    def submit(self, final: bool = False) -> None:
        if self.items:
            self.inflight.append((self.parser.submit(self.items, self.run_id, self.at), self.items))
            self.items, self.bytes = [], 0
        while self.inflight and (final or len(self.inflight) > 2 * self.parser.slots or self.inflight[0][0].done()):
            fut, items = self.inflight.popleft()
            try:
                self.writer.add(self.parser.result(fut))
            except Stalled as e:
                self._one_at_a_time([(fut, items), *self.inflight], e.hung)
            except BrokenProcessPool:
                self._one_at_a_time([(fut, items), *self.inflight])

    def _one_at_a_time(self, chunks: list[tuple[Future, list[tuple[str, Source]]]], hung: frozenset[int] = frozenset()) -> None:
        """After a worker hung or died: the chunks parsed already are kept, the files of the others
        each read on its own, but for those a worker was stuck on (`hung`, by `file_key`): unreadable,
        not read again for as long once more."""
        self.inflight.clear()
        self.parser.restart()
        for fut, items in chunks:
            if fut.done() and not fut.cancelled() and fut.exception(timeout=0) is None:  # parsed before the end
                self.writer.add(fut.result())
                continue
            for item in items:
                stuck = bool(hung) and file_key(item[0]) in hung
                self.writer.add((self.parser.hung if stuck else self.parser.alone)(item, self.run_id, self.at))

    def finish(self) -> None:
        """Parse what is left, wait for every chunk and write the last part."""
        self.submit(final=True)
        self.writer.flush()

    def close(self) -> None:
        self.parser.shutdown(cancel_futures=True)  # on Ctrl-C: queued chunks are dropped, not parsed


def _write_copies(lake: Lake, copies: list[tuple[str, str, int]], at: datetime, run_id: str,
                  summary: IngestSummary, restamper: reread.Reread | reread.Restamps | None = None) -> None:
    """Document rows for known bytes under new paths (path, doc_id, size): the stored outcome, nothing
    parsed; `restamper`: when files read again were first seen."""
    if not copies:
        return
    outcomes = outcomes_of(lake, {d for _, d, _ in copies})
    batch = Batch()
    for source_path, doc_id, size in copies:
        add_copy(batch, source_path=source_path, doc_id=doc_id, size=size, known=outcomes[doc_id], ingested_at=at,
                 run_id=run_id)
    tables = batch.tables()
    if restamper is not None:
        tables = restamper.restamp(tables)
    summary.statuses.update(tables["documents"]["parse_status"].to_pylist())
    lake.write("documents", tables["documents"], f"{run_id}-dups")


def ingest(inbox: Path | str | Inbox, lake: Lake, run_id: str, *, workers: int = 2, chunk: int = 200,
           flush_every: int = 5000, progress: Callable[[int, int], None] | None = None,
           cluster: str | ClusterParser | None = None) -> IngestSummary:
    """Ingest every new or changed file of the inbox into the lake (uncommitted). `cluster`: a Dask
    scheduler address (or a `ClusterParser`) to parse on, instead of `workers` local processes (0:
    this process, `parse_pool.InProcess`)."""
    inbox = open_inbox(inbox)
    lake.init()
    summary = IngestSummary()
    first = len(lake.schema_problems)
    summary.offices, summary.offices_changed = load_offices(inbox, lake)
    repaired = reread.left_by_repair(lake)  # files a repair left out, read again: when they were first seen
    rr = reread.start(lake)
    if rr is not None and repaired is not None:
        rr.first_seen = pl.concat([rr.first_seen, repaired.first_seen]).group_by("source_path", "doc_id").agg(
            pl.col("first").min())
    known_paths, known_docs, known_reports, left = load_known(lake) if rr is None else ({}, set(), set(), None)
    to_retry = dict(left.select("source_path", "doc_id").iter_rows()) if left is not None else {}
    # a file read again keeps when its path and content were first seen, its report when its content was
    retrying = reread.Reread({}, left, own_paths=True) if to_retry else None
    restamper = rr or (reread.Restamps(repaired, retrying) if repaired or retrying else None)
    before = lake.part_names("documents")
    retried: set[tuple[str, str]] = set()  # (path, doc id) left to read again by the last reading, read
    recorded = stamps.trusted(lake.files(STAMPS), known_paths)  # (none when every file is read again)
    seen_stamps = stamps.Seen()
    files = inbox.scan(lake.root.rsplit("/", 1)[0])  # (its warehouse, the lake's folder, when inside it is skipped)
    at = datetime.now().replace(microsecond=0)
    writer = _Writer(lake, run_id, known_reports, summary, flush_every, restamper)
    parsing = _Parsing(_parser(workers, cluster, len(files), chunk), run_id, at, writer)
    run_docs: set[str] = set()  # doc ids sent to parsing this run
    copies: list[tuple[str, str, int]] = []  # (path, doc_id, size): bytes already known, under a new path
    try:
        for n, src in enumerate(inbox.sources(files, recorded), 1):
            summary.seen += 1
            if progress and n % 50 == 0:
                progress(n, len(files))
            if src.known is not None:  # its stamp as when its bytes were hashed: not read (gkqc.stamps)
                summary.unchanged += 1
                seen_stamps.add(src.path, src.known, src.stamp, recorded=True)
                continue
            # a file that cannot be read is identified by its problem: the same problem is the same outcome
            doc_id = doc_id_of(src.data if src.data is not None else f"\x00{src.problem}".encode())
            if src.stamp is not None:
                seen_stamps.add(src.path, doc_id, src.stamp)
            again = rr is not None and rr.seen(src.path, doc_id)
            summary.read_again += again
            if to_retry.get(src.path) == doc_id:  # the last reading failed for a reason not the file's
                retried.add((src.path, doc_id))
                again = True
            if known_paths.get(src.path) == doc_id:
                summary.unchanged += 1
            elif doc_id in known_docs or doc_id in run_docs:
                summary.new += not again
                summary.duplicates += not again
                copies.append((src.path, doc_id, src.size))
            else:
                summary.new += not again
                run_docs.add(doc_id)
                parsing.add(doc_id, src)
        parsing.finish()
    finally:
        parsing.close()
    if rr is not None:
        summary.reread = True
        summary.versions_replaced, summary.reports_new = reread.finish(rr, lake, run_id)
        copies = [c for c in copies if not rr.seen(c[0], c[1])]  # an earlier row of that path and content stays
    drop_read_again(lake, retried, before, run_id)  # (before the copies take the outcome their content has)
    summary.retried = len(retried)
    _write_copies(lake, copies, at, run_id, summary, restamper)
    summary.office_proposals = resolve_lake(lake, lambda: inbox.listed(files))  # (a copy of a file counts as its other paths do)
    # the stamps go with a commit that changes the lake: a run with nothing new commits nothing
    if lake.changed and (table := stamps.replacement(seen_stamps, recorded)) is not None:
        lake.replace(STAMPS, [table], run_id)
    summary.schema_problems = lake.schema_problems[first:]  # what the lake's models refused of the parts written
    if progress:
        progress(len(files), len(files))
    return summary

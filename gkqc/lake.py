"""The Parquet lake: explicit Arrow schemas, one folder per table, one file per batch.

Layout: ``<warehouse>/lake/<table>/part-<run>-<batch>.parquet``. Every table folder
always holds at least an empty file with its schema, so views never break.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from operator import attrgetter
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from gkqc.record import ParseResult, Report

S, F, INT = pa.string(), pa.float64(), pa.int32()

SCHEMAS: dict[str, pa.Schema] = {
    "documents": pa.schema([
        ("source_path", S), ("doc_id", S), ("size_bytes", pa.int64()), ("format", S), ("encoding", S),
        ("template", S), ("parse_status", S), ("parse_error", S), ("report_id", S),
        ("ingested_at", pa.timestamp("us")), ("run_id", S)]),
    "reports": pa.schema([
        ("report_id", S), ("doc_id", S), ("office", S), ("office_source", S), ("region", S), ("office_kind", S),
        ("report_year", INT), ("year_source", S), ("template", S), ("template_source", S), ("title", S),
        ("published_at", pa.date32()), ("published_source", S), ("publisher", S), ("index_no", S),
        ("issuer_meta", S), ("notes", S), ("ingested_at", pa.timestamp("us")), ("run_id", S)]),
    "sections": pa.schema([
        ("report_id", S), ("section_no", S), ("heading", S), ("position", INT), ("line", INT), ("text", S)]),
    "active_disclosure": pa.schema([
        ("report_id", S), ("block_id", S), ("row_id", S), ("metric_id", S), ("value", F), ("unit", S),
        ("raw", S), ("status", S), ("reason", S), ("line", INT)]),
    "applications": pa.schema([
        ("report_id", S), ("row_id", S), ("column_id", S), ("value", F), ("raw", S), ("status", S),
        ("reason", S), ("line", INT)]),
    "reviews": pa.schema([
        ("report_id", S), ("group_id", S), ("metric_id", S), ("value", F), ("raw", S), ("status", S),
        ("reason", S), ("line", INT)]),
    "offices": pa.schema([("office", S), ("region", S), ("office_kind", S)]),
    "check_results": pa.schema([
        ("report_id", S), ("check_id", S), ("severity", S), ("status", S), ("subject", S), ("expected", F),
        ("actual", F), ("difference", F), ("cells", S), ("message", S), ("run_id", S)]),
}
DERIVED = {"check_results", "offices"}  # tables not filled from parsed files
CELL_TABLES = {"active": "active_disclosure", "applications": "applications", "reviews": "reviews"}


def frame_of(table: str, df: pl.DataFrame) -> pl.DataFrame:
    """`df` with exactly the table's columns, in order and of its types. Columns are taken as
    they are (a frame concatenated from pieces stays in pieces: no copy before writing)."""
    schema, have = pl.from_arrow(SCHEMAS[table].empty_table()).schema, df.schema
    return pl.DataFrame([df[c] if have[c] == t else df[c].cast(t) for c, t in schema.items()])


def doc_id_of(data: bytes) -> str:
    """Content hash of a collected file: identical files share it."""
    return hashlib.sha256(data).hexdigest()[:32]


def report_id_of(rep: Report) -> str:
    """Hash of the parsed content: the same report collected twice gets one id."""
    parts = [f"{rep.title}\x1f{rep.report_year}\x1f{rep.office}\x1f{rep.published_at}\x1f{rep.template}"]
    parts += [f"{c.table}\x1f{c.block_id}\x1f{c.row_id}\x1f{c.col_id}\x1f{c.raw}\x1f{c.status}" for c in rep.cells]
    parts += [f"{s.no}\x1f{s.text}" for s in rep.sections]
    return hashlib.sha256("\x1e".join(parts).encode()).hexdigest()[:32]


@dataclass
class Batch:
    """Columns of every lake table for one batch of files, filled row by row."""

    cols: dict[str, dict[str, list]] = field(
        default_factory=lambda: {t: {f.name: [] for f in s} for t, s in SCHEMAS.items() if t not in DERIVED})

    def add(self, table: str, **row) -> None:
        cols = self.cols[table]
        for name, values in cols.items():
            values.append(row.get(name))

    def __len__(self) -> int:
        return len(self.cols["documents"]["doc_id"])

    def tables(self) -> dict[str, pa.Table]:
        return {t: pa.Table.from_pydict(c, schema=SCHEMAS[t]) for t, c in self.cols.items()}


def add_document(batch: Batch, *, source_path: str, doc_id: str, size: int, result: ParseResult | None,
                 known: dict | None, ingested_at: datetime, run_id: str, write_report: bool) -> str | None:
    """Append one collected file (and, if new, its report and cells) to the batch; return report_id."""
    if known is not None:  # identical bytes seen before under another path: reuse the outcome
        batch.add("documents", source_path=source_path, doc_id=doc_id, size_bytes=size, ingested_at=ingested_at,
                  run_id=run_id, **known)
        return known.get("report_id")
    rep = result.report
    report_id = report_id_of(rep) if rep is not None and result.status in ("parsed", "partial") else None
    batch.add("documents", source_path=source_path, doc_id=doc_id, size_bytes=size, format=result.format,
              encoding=result.encoding, template=rep.template if rep else None, parse_status=result.status,
              parse_error=result.reason, report_id=report_id, ingested_at=ingested_at, run_id=run_id)
    if report_id is None or not write_report:
        return report_id
    batch.add("reports", report_id=report_id, doc_id=doc_id, office=rep.office, office_source=rep.office_source,
              region=rep.region, office_kind=rep.office_kind, report_year=rep.report_year,
              year_source=rep.year_source, template=rep.template, template_source=rep.template_source,
              title=rep.title, published_at=rep.published_at, published_source=rep.published_source,
              publisher=rep.publisher, index_no=rep.meta.get("索引号"),
              issuer_meta=rep.meta.get("发文机构") or rep.meta.get("发布机构"),
              notes="\n".join(rep.notes) or None, ingested_at=ingested_at, run_id=run_id)
    for s in rep.sections:
        batch.add("sections", report_id=report_id, section_no=s.no, heading=s.heading, position=s.position,
                  line=s.line, text=s.text)
    _extend_cells(batch, report_id, rep.cells)
    return report_id


_CELL_FIELDS = {  # lake column -> Cell attribute, per cell table
    "applications": {"row_id": "row_id", "column_id": "col_id"},
    "reviews": {"group_id": "block_id", "metric_id": "col_id"},
    "active_disclosure": {"block_id": "block_id", "row_id": "row_id", "metric_id": "col_id", "unit": "unit"},
}


_CELL_TABLE_KEY = {v: k for k, v in CELL_TABLES.items()}


def _extend_cells(batch: Batch, report_id: str, cells: list) -> None:
    """Append a report's cells column by column (no per-cell dicts)."""
    for table, fields in _CELL_FIELDS.items():
        mine = [c for c in cells if c.table == _CELL_TABLE_KEY[table]]
        if not mine:
            continue
        cols = batch.cols[table]
        names = ["value", "raw", "status", "reason", "line", *fields]
        get = attrgetter("value", "raw", "status", "reason", "line", *fields.values())
        for name, column in zip(names, zip(*map(get, mine), strict=True), strict=True):
            cols[name].extend(column)
        cols["report_id"].extend([report_id] * len(mine))


class Lake:
    def __init__(self, root: Path):
        self.root = Path(root)

    def dir(self, table: str) -> Path:
        return self.root / table

    def init(self) -> None:
        for table, schema in SCHEMAS.items():
            d = self.dir(table)
            d.mkdir(parents=True, exist_ok=True)
            empty = d / "part-empty.parquet"
            if not empty.exists():
                pq.write_table(schema.empty_table(), empty)

    def write(self, table: str, data: pa.Table, name: str) -> Path | None:
        if data.num_rows == 0:
            return None
        path = self.dir(table) / f"part-{name}.parquet"
        tmp = path.with_suffix(".tmp")
        pq.write_table(data, tmp, compression="lz4")
        tmp.replace(path)
        return path

    def write_frame(self, table: str, data: pl.DataFrame, name: str) -> Path | None:
        """Write a polars frame already in the table's columns and types (see `frame_of`)."""
        if data.height == 0:
            return None
        path = self.dir(table) / f"part-{name}.parquet"
        tmp = path.with_suffix(".tmp")
        data.write_parquet(tmp, compression="lz4")
        tmp.replace(path)
        return path

    def replace(self, table: str, parts: Iterable[pa.Table], name: str) -> None:
        """Replace a derived table (check results) with new parts, atomically per file."""
        d = self.dir(table)
        old = [p for p in d.glob("part-*.parquet") if p.name != "part-empty.parquet"]
        written = {self.write(table, t, f"{name}-{k:05d}") for k, t in enumerate(parts)}
        for p in old:
            if p not in written:
                p.unlink()

    def glob(self, table: str) -> str:
        return str(self.dir(table) / "*.parquet")

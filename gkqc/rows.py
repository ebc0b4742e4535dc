"""A collected file as the lake's rows: its `documents` row and, for a report, its report, section
and cell rows, gathered a batch at a time in columns (one Arrow table per lake table)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from operator import attrgetter

import pyarrow as pa

from gkqc.record import PARSED, PARTIAL, ParseResult, Report


@dataclass(frozen=True)
class Layout:
    """What a batch's rows take from the lake's models: the Arrow schema of each table filled from
    parsed files, and each cell table's columns with the `Cell` attribute each is filled from."""

    schemas: dict[str, pa.Schema]
    cells: dict[str, tuple[str, dict[str, str]]]  # lake cell table -> (the registry's table kind, column -> attribute)


_layout: Layout | None = None


def layout() -> Layout:
    """The layout, from the lake's models on first use. A local parse worker is handed it by its pool
    instead (`LocalPool`), and never imports the models, pandera or polars, the larger part of its start;
    a Dask worker builds it here, on its first chunk."""
    global _layout
    if _layout is None:
        from gkqc.lake import DERIVED, SCHEMAS
        from schemas.lake import CELL_KINDS, CELL_TABLES, cell_fields

        _layout = Layout({t: s for t, s in SCHEMAS.items() if t not in DERIVED},
                         {t: (CELL_KINDS[t], cell_fields(t)) for t in CELL_TABLES.values()})
    return _layout


def use_layout(given: Layout) -> None:
    """In a parse worker: the layout its pool handed it."""
    global _layout
    _layout = given


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
        default_factory=lambda: {t: {f.name: [] for f in s} for t, s in layout().schemas.items()})

    def add(self, table: str, **row) -> None:
        cols = self.cols[table]
        for name, values in cols.items():
            values.append(row.get(name))

    def __len__(self) -> int:
        return len(self.cols["documents"]["doc_id"])

    def tables(self) -> dict[str, pa.Table]:
        schemas = layout().schemas
        return {t: pa.Table.from_pydict(c, schema=schemas[t]) for t, c in self.cols.items()}


def add_parsed(batch: Batch, *, source_path: str, doc_id: str, size: int, result: ParseResult,
               ingested_at: datetime, run_id: str) -> None:
    """Append a file just read: its document row and, when it is a report, its report, sections and cells."""
    rep = result.report
    report_id = report_id_of(rep) if rep is not None and result.status in (PARSED, PARTIAL) else None
    batch.add("documents", source_path=source_path, doc_id=doc_id, size_bytes=size, format=result.format,
              encoding=result.encoding, template=rep.template if rep else None, parse_status=result.status,
              parse_error=result.reason, report_id=report_id, ingested_at=ingested_at, run_id=run_id)
    if report_id is None:
        return
    batch.add("reports", report_id=report_id, doc_id=doc_id, office=rep.office, office_source=rep.office_source,
              region=rep.region, office_kind=rep.office_kind, report_year=rep.report_year,
              year_source=rep.year_source, template=rep.template, template_source=rep.template_source,
              template_variant=rep.template_variant,
              title=rep.title, published_at=rep.published_at, published_source=rep.published_source,
              publisher=rep.publisher, index_no=rep.meta.get("索引号"),
              issuer_meta=rep.issuer,
              notes="\n".join(rep.notes) or None, ingested_at=ingested_at, run_id=run_id)
    for s in rep.sections:
        batch.add("sections", report_id=report_id, section_no=s.no, heading=s.heading, position=s.position,
                  line=s.line, text=s.text)
    _extend_cells(batch, report_id, rep.cells)


def add_copy(batch: Batch, *, source_path: str, doc_id: str, size: int, known: dict, ingested_at: datetime,
             run_id: str) -> None:
    """Append a file whose bytes were read before under another path: a document row with the stored outcome."""
    batch.add("documents", source_path=source_path, doc_id=doc_id, size_bytes=size, ingested_at=ingested_at,
              run_id=run_id, **known)


def _extend_cells(batch: Batch, report_id: str, cells: list) -> None:
    """Append a report's cells column by column (no per-cell dicts)."""
    for table, (kind, fields) in layout().cells.items():
        mine = [c for c in cells if c.table == kind]
        if not mine:
            continue
        cols = batch.cols[table]
        for name, column in zip(fields, zip(*map(attrgetter(*fields.values()), mine), strict=True), strict=True):
            cols[name].extend(column)
        cols["report_id"].extend([report_id] * len(mine))

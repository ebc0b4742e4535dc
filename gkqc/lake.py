"""The Parquet lake: explicit Arrow schemas, one folder per table, one file per batch, and
one manifest that says which files are the lake.

Layout: ``<warehouse>/lake/<table>/part-<run>-<batch>.parquet`` and ``<warehouse>/lake/_manifest.json``.
A run writes its parts under new names, invisible to readers, and publishes them all at once by
replacing the manifest (written to a temporary file, flushed to disk, renamed over the old one).
A file the manifest does not name is a leftover of an interrupted run and is removed by the next
run; a file a commit drops stays one more commit, so a reader of the previous snapshot keeps working.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from operator import attrgetter
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from gkqc import faults
from gkqc.record import ParseResult, Report
from schemas.lake import MODELS, arrow_schema

SCHEMAS: dict[str, pa.Schema] = {t: arrow_schema(m) for t, m in MODELS.items()}  # declared in schemas/lake.py
DERIVED = {"check_results", "offices"}  # tables not filled from parsed files
CELL_TABLES = {"active": "active_disclosure", "applications": "applications", "reviews": "reviews"}


def frame_of(table: str, df: pl.DataFrame) -> pl.DataFrame:
    """`df` with exactly the table's columns, in order and of its types. Columns are taken as
    they are (a frame concatenated from pieces stays in pieces: no copy before writing)."""
    schema, have = pl.from_arrow(SCHEMAS[table].empty_table()).schema, df.schema
    return pl.DataFrame([df[c] if have[c] == t else df[c].cast(t) for c, t in schema.items()])


def sql_list(paths: list[str]) -> str:
    """Paths as a DuckDB list literal: ['a', 'b']."""
    return "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in paths) + "]"


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
              template_variant=rep.template_variant,
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
        names = ["value", "raw", "status", "reason", "line", "confidence", *fields]
        get = attrgetter("value", "raw", "status", "reason", "line", "confidence", *fields.values())
        for name, column in zip(names, zip(*map(get, mine), strict=True), strict=True):
            cols[name].extend(column)
        cols["report_id"].extend([report_id] * len(mine))


MANIFEST = "_manifest.json"
COMMITS = "_commits"  # the last few commit records, newest last: what `repair` falls back on
KEEP_COMMITS = 5
SCHEMA_FILE = "_schema.parquet"  # an empty file with the table's columns, so a table of no parts still reads
INGEST_TABLES = ("documents", "reports", "sections", "active_disclosure", "applications", "reviews")
CARRY = "check_carry"  # per check batch: the cells cross-year checks read (columns vary with the suite)
TABLES = (*SCHEMAS, CARRY)


class LakeDamaged(RuntimeError):
    """The lake does not match its manifest (a part missing or truncated, the manifest unreadable)."""


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _publish(tmp: Path, path: Path) -> None:
    """Flush a finished file to disk and move it to its name."""
    with open(tmp, "rb+") as f:
        os.fsync(f.fileno())
    tmp.replace(path)


class Lake:
    """A lake folder and the snapshot a run sees: the last commit plus what this run wrote and dropped.

    Readers ask for `files(table)`; writers `write` parts, `drop` parts and change `state`;
    nothing is visible to other processes until `commit`."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self._committed: dict | None = None
        self._parts: dict[str, dict[str, dict]] = {}  # table -> part name -> {"rows", "bytes"}
        self.state: dict = {}  # check state, office registry digest: committed with the parts

    # ------------------------------------------------------------------ reading the snapshot
    def dir(self, table: str) -> Path:
        return self.root / table

    def init(self) -> None:
        """Create the folders and schema files; read the manifest. A lake written before manifests
        existed (it has `part-empty.parquet` schema files) has its ingested parts adopted as commit 1."""
        old_layout = not (self.root / MANIFEST).exists() and (self.dir("documents") / "part-empty.parquet").exists()
        for table in TABLES:
            self.dir(table).mkdir(parents=True, exist_ok=True)
            if table in SCHEMAS and not (self.dir(table) / SCHEMA_FILE).exists():
                tmp = self.dir(table) / f"{SCHEMA_FILE}.tmp"
                pq.write_table(SCHEMAS[table].empty_table(), tmp)
                _publish(tmp, self.dir(table) / SCHEMA_FILE)
        if self._committed is None:
            self._load(old_layout)

    def _load(self, old_layout: bool = False) -> None:
        path = self.root / MANIFEST
        if path.exists():
            try:
                manifest = json.loads(path.read_text(encoding="utf-8"))
                parts = {t: dict(manifest["tables"].get(t, {})) for t in TABLES}
            except (ValueError, KeyError, AttributeError) as e:
                raise LakeDamaged(f"湖清单无法读取 {path}（{e}）：请运行 gkqc repair (lake manifest unreadable)") from e
        else:
            manifest = {"commit": 0, "tables": {}, "retired": [], "state": {}}
            parts = {t: {} for t in TABLES}
            if old_layout:
                parts.update(self._adoptable())
        self._committed = manifest
        self._parts = parts
        self.state = json.loads(json.dumps(manifest.get("state", {})))
        if old_layout:
            self.commit("adopted")

    def _adoptable(self) -> dict[str, dict[str, dict]]:
        """The readable parts of the ingest tables and the office registry, as manifest entries."""
        out: dict[str, dict[str, dict]] = {}
        for table in (*INGEST_TABLES, "offices"):
            found = {}
            for p in sorted(self.dir(table).glob("part-*.parquet")):
                if p.name == "part-empty.parquet":
                    continue
                try:
                    found[p.name] = {"rows": pq.ParquetFile(p).metadata.num_rows, "bytes": p.stat().st_size}
                except Exception:  # noqa: BLE001 - an unreadable part is left out, its files re-read
                    continue
            out[table] = found
        return out

    def files(self, table: str) -> list[str]:
        """The table's parts in this snapshot, in name order (may be empty)."""
        return [str(self.dir(table) / n) for n in sorted(self._parts[table])]

    def paths(self, table: str) -> list[str]:
        """The table's parts, or its schema file when it has none (for readers that need a file)."""
        return self.files(table) or [str(self.dir(table) / SCHEMA_FILE)]

    def part_names(self, table: str) -> list[str]:
        return sorted(self._parts[table])

    def rows(self, table: str, name: str) -> int:
        return self._parts[table][name]["rows"]

    @property
    def commit_no(self) -> int:
        return (self._committed or {}).get("commit", 0)

    def fingerprint(self) -> str:
        """Identifies the committed snapshot: what derived outputs were built from."""
        c = self._committed or {}
        return hashlib.sha256(json.dumps([c.get("tables"), c.get("state")], sort_keys=True).encode()).hexdigest()[:24]

    # ------------------------------------------------------------------ writing
    def _add(self, table: str, name: str, path: Path, rows: int) -> Path:
        self._parts[table][path.name] = {"rows": rows, "bytes": path.stat().st_size}
        return path

    def _target(self, table: str, name: str) -> Path:
        path = self.dir(table) / f"part-{name}.parquet"
        if path.name in self._parts[table]:
            raise ValueError(f"lake part written twice: {table}/{path.name}")
        return path

    def write(self, table: str, data: pa.Table, name: str) -> Path | None:
        if data.num_rows == 0:
            return None
        path = self._target(table, name)
        tmp = path.with_suffix(".tmp")
        pq.write_table(data, tmp, compression="lz4")
        _publish(tmp, path)
        return self._add(table, name, path, data.num_rows)

    def write_frame(self, table: str, data: pl.DataFrame, name: str) -> Path | None:
        """Write a polars frame already in the table's columns and types (see `frame_of`)."""
        if data.height == 0:
            return None
        path = self._target(table, name)
        tmp = path.with_suffix(".tmp")
        data.write_parquet(tmp, compression="lz4")
        _publish(tmp, path)
        return self._add(table, name, path, data.height)

    def drop(self, table: str, names: Iterable[str]) -> None:
        """Leave parts out of this snapshot (their files go after the next commit but one)."""
        for n in list(names):
            self._parts[table].pop(n, None)

    def replace(self, table: str, parts: Iterable[pa.Table], name: str) -> None:
        """Replace a derived table (the office registry) with new parts."""
        self.drop(table, self.part_names(table))
        for k, t in enumerate(parts):
            self.write(table, t, f"{name}-{k:05d}")

    @property
    def changed(self) -> bool:
        c = self._committed or {}
        return (any(self._parts[t] != c.get("tables", {}).get(t, {}) for t in TABLES)
                or self.state != c.get("state", {}))

    def commit(self, run_id: str) -> bool:
        """Publish this snapshot as the lake (one atomic rename); False when nothing changed."""
        if not self.changed:
            return False
        old = self._committed or {}
        live = {f"{t}/{n}" for t in TABLES for n in self._parts[t]}
        was = {f"{t}/{n}" for t, ps in old.get("tables", {}).items() for n in ps}
        manifest = {"commit": old.get("commit", 0) + 1, "run_id": run_id,
                    "committed_at": datetime.now().isoformat(timespec="seconds"),
                    "tables": {t: self._parts[t] for t in TABLES}, "retired": sorted(was - live),
                    "state": self.state}
        text = json.dumps(manifest, ensure_ascii=False, sort_keys=True)
        log = self.root / COMMITS
        log.mkdir(exist_ok=True)
        for path in (log / f"{manifest['commit']:08d}.json", self.root / MANIFEST):
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_text(text, encoding="utf-8")
            _publish(tmp, path)
            faults.point("commit")
        _fsync_dir(self.root)
        for old_record in sorted(log.glob("*.json"))[:-KEEP_COMMITS]:
            old_record.unlink(missing_ok=True)
        self._committed = json.loads(json.dumps(manifest))
        for rel in set(old.get("retired", [])) - live:  # dropped two commits ago: no snapshot names them
            (self.root / rel).unlink(missing_ok=True)
        return True

    # ------------------------------------------------------------------ damage and leftovers
    def leftovers(self) -> list[Path]:
        """Files in the table folders that no commit names (an interrupted run's writes)."""
        keep = {f"{t}/{n}" for t in TABLES for n in (self._committed or {}).get("tables", {}).get(t, {})}
        keep |= set((self._committed or {}).get("retired", []))
        out = []
        for table in TABLES:
            for p in sorted(self.dir(table).iterdir()) if self.dir(table).is_dir() else ():
                if p.name != SCHEMA_FILE and f"{table}/{p.name}" not in keep:
                    out.append(p)
        return out

    def clean(self) -> int:
        """Remove what an interrupted run left behind (call only while holding the warehouse lock)."""
        gone = self.leftovers()
        for p in gone:
            if p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
            else:
                p.unlink(missing_ok=True)
        for tmp in (*self.root.glob("*.tmp"), *(self.root / COMMITS).glob("*.tmp")):
            tmp.unlink(missing_ok=True)
        for record in (self.root / COMMITS).glob("*.json"):  # written by a commit that did not finish
            if record.stem.isdigit() and int(record.stem) > self.commit_no:
                record.unlink()
        return len(gone)

    def damaged(self) -> list[tuple[str, str, str]]:
        """(table, part, what is wrong) for each committed part that is missing, truncated or not Parquet."""
        out = []
        for table, parts in (self._committed or {}).get("tables", {}).items():
            for name, entry in parts.items():
                path = self.dir(table) / name
                try:
                    size = path.stat().st_size
                    with open(path, "rb") as f:
                        f.seek(max(size - 4, 0))
                        tail = f.read(4)
                except OSError:
                    out.append((table, name, "文件缺失 (missing)"))
                    continue
                if size != entry["bytes"]:
                    out.append((table, name, f"大小 {size} 字节，应为 {entry['bytes']} (truncated or changed)"))
                elif tail != b"PAR1":
                    out.append((table, name, "不是完整的 Parquet 文件 (no Parquet footer)"))
        return out

    def verify(self) -> None:
        """Raise LakeDamaged naming the first damaged part and the repair command."""
        bad = self.damaged()
        if bad:
            table, name, why = bad[0]
            more = f"（另有 {len(bad) - 1} 处）" if len(bad) > 1 else ""
            raise LakeDamaged(f"湖文件损坏：{self.dir(table) / name}：{why}{more}；请运行 gkqc repair 修复 "
                              f"(lake part damaged; run `gkqc repair`)")

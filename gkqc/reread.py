"""Reading again what other readers, or another template registry, read.

The lake keeps the key of what read its files (`reading_key`: the registry's digest, the readers'
source, and the versions of the libraries and programs they read with). When a run finds another
key, it reads every file of the inbox again, as if new; then the rows the earlier reading wrote for
those files leave the lake and the new reading takes their place.
Each file keeps the time it was first seen, so the versions of an office-year keep their order. Files
no longer in the inbox keep what was read of them. Everything happens inside the run's transaction.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import metadata
from pathlib import Path

import polars as pl
import pyarrow as pa

from gkqc.lake import INGEST_TABLES, Lake, frame_of, rewritten_name
from gkqc.parse_worker import OUTCOME_COLS
from gkqc.readers import pdf as pdf_reader
from gkqc.readers.errors import Unreadable
from gkqc.readers.ocr import TESSERACT, tesseract_version
from gkqc.readers.word import find_soffice
from gkqc.storage import read_frame
from gkqc.templates import registry_digest

STATE = "reading_key"
_PACKAGE = Path(__file__).resolve().parent
# the code a file's rows depend on: the readers, the label matching they ask the registry for, the
# records they fill and how a record becomes the lake's rows
READER_CODE = ("readers", "templates.py", "record.py", "cells.py", "limits.py", "parse_worker.py", "rows.py")
# the libraries the readers read with (PDF, Word, HTML, encodings, images for OCR)
READER_PACKAGES = ("pypdfium2", "python-docx", "lxml", "charset-normalizer", "pillow")


@cache
def _code_digest() -> str:
    h = hashlib.sha256()
    for name in READER_CODE:
        path = _PACKAGE / name
        for f in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            h.update(f.relative_to(_PACKAGE).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


@cache
def _tools() -> str:
    """The versions of the readers' libraries and programs on this machine, and whether a system font
    stands in for a CJK font a PDF does not embed (a program or that font absent: its absence, so
    installing it reads the files it could not read)."""
    found = [f"{name} {_package_version(name)}" for name in READER_PACKAGES]
    exe = shutil.which(TESSERACT)
    try:
        found.append(tesseract_version(exe) if exe else "tesseract absent")
    except Unreadable:
        found.append("tesseract no answer")
    soffice = find_soffice()  # asking LibreOffice its version starts it: its program file instead
    st = os.stat(soffice) if soffice else None
    found.append(f"soffice {st.st_size}:{st.st_mtime_ns}" if st else "soffice absent")
    found.append(f"CJK font {'present' if pdf_reader.system_cjk_font() else 'absent'}")
    return "; ".join(found)


def _package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "absent"


def reading_key() -> str:
    """What a file's rows in the lake were read with: the registry in force, the readers' code and the
    libraries and programs they use."""
    return hashlib.sha256(f"{registry_digest()}:{_code_digest()}:{_tools()}".encode()).hexdigest()[:16]


@dataclass
class Reread:
    """A run that reads the inbox again: the ingest tables' parts before it, and when each file was first seen."""

    before: dict[str, list[str]]
    first_seen: pl.DataFrame  # source_path, doc_id, first (the earliest ingested_at of that path and content)
    own_paths: bool = False  # a document only by its own path and content's first sight (files read again, `ingest`)

    @cached_property
    def _pairs(self) -> set[tuple[str, str]]:
        return set(self.first_seen.select("source_path", "doc_id").iter_rows())

    @cached_property
    def _first_of_doc(self) -> pl.DataFrame:
        return self.first_seen.group_by("doc_id").agg(pl.col("first").min().alias("first_doc"))

    def seen(self, source_path: str, doc_id: str) -> bool:
        """Whether the lake had this path with this content before the run."""
        return (source_path, doc_id) in self._pairs

    def restamp(self, tables: dict[str, pa.Table]) -> dict[str, pa.Table]:
        """A part of the new reading with each document stamped with when its file was first seen (a
        content first seen under another path: that time; never seen: as read), and each report with
        when its content was first seen under any path: a copy collected later, or a file moved, read
        in its place does not make the report newer than a version published after it. `own_paths`: a
        document by its own path's first sight only (a path is never stamped before its earlier rows)."""
        docs = pl.from_arrow(tables["documents"])
        own = ("first",) if self.own_paths else ("first", "first_doc")
        docs = (docs.join(self.first_seen, on=["source_path", "doc_id"], how="left")
                .join(self._first_of_doc, on="doc_id", how="left")
                .with_columns(pl.coalesce("first_doc", "ingested_at").alias("content_first"),
                              pl.coalesce(*own, "ingested_at").alias("ingested_at")))
        reports = pl.from_arrow(tables["reports"])
        first_of_report = (docs.filter(pl.col("report_id").is_not_null()).group_by("report_id")
                           .agg(pl.col("content_first").min().alias("first")))
        reports = (reports.join(first_of_report, on="report_id", how="left")  # (never later than a stamp before)
                   .with_columns(pl.min_horizontal("first", "ingested_at").alias("ingested_at")))
        return {**tables, "documents": frame_of("documents", docs).to_arrow(),
                "reports": frame_of("reports", reports).to_arrow()}


class Restamps:
    """Restampers one after another (a repair's, then the files read again's)."""

    def __init__(self, *each: Reread | None):
        self.each = [r for r in each if r is not None]

    def restamp(self, tables: dict[str, pa.Table]) -> dict[str, pa.Table]:
        for r in self.each:
            tables = r.restamp(tables)
        return tables


FIRST_SEEN = "first_seen"  # lake state: when the files of batches a repair left out were first seen


def keep_first_seen(lake: Lake, docs: pl.DataFrame) -> None:
    """Note in the lake's state when these files (source_path, doc_id, ingested_at) were first seen:
    the documents rows of batches a repair leaves out, whose files the next run reads as new."""
    if docs.is_empty():
        return
    had = lake.state.get(FIRST_SEEN) or []
    rows = [[p, d, t.isoformat()] for p, d, t in docs.select("source_path", "doc_id", "ingested_at").iter_rows()]
    lake.state[FIRST_SEEN] = had + rows


def left_by_repair(lake: Lake) -> Reread | None:
    """The first-seen times a repair kept (see `keep_first_seen`), to stamp the files it left out
    when they are read again; they are taken from the state (the run commits without them)."""
    rows = lake.state.pop(FIRST_SEEN, None)
    if not rows:
        return None
    seen = pl.DataFrame(rows, schema={"source_path": pl.Utf8, "doc_id": pl.Utf8, "first": pl.Utf8}, orient="row")
    seen = seen.with_columns(pl.col("first").str.to_datetime()).group_by("source_path", "doc_id").agg(pl.col("first").min())
    return Reread({}, seen)


def start(lake: Lake) -> Reread | None:
    """Record the reading key in force; a `Reread` when the lake's files were read with another."""
    key, had = reading_key(), lake.state.get(STATE)
    lake.state[STATE] = key
    if had in (None, key) or not lake.part_names("documents"):
        return None
    docs = read_frame(lake.files("documents"), ["source_path", "doc_id", "ingested_at"])
    first = docs.group_by("source_path", "doc_id").agg(pl.col("ingested_at").min().alias("first"))
    return Reread({t: lake.part_names(t) for t in INGEST_TABLES}, first)


def finish(rr: Reread, lake: Lake, run_id: str) -> tuple[int, int]:
    """Leave out of the parts from before the run the rows the new reading replaced. Returns (report
    versions the earlier reading had and the new one does not give, versions the lake did not have)."""
    new_parts = [lake.file("documents", n) for n in lake.part_names("documents") if n not in rr.before["documents"]]
    new = read_frame(new_parts, ["source_path", "doc_id", *OUTCOME_COLS]) if new_parts else None
    if new is None or new.is_empty():
        return 0, 0
    pairs = new.select("source_path", "doc_id").unique()
    outcome = new.unique("doc_id", keep="first").select("doc_id", *OUTCOME_COLS)
    kept_reports: set[str] = set()
    for part in rr.before["documents"]:
        old = read_frame([lake.file("documents", part)])
        stays = old.join(pairs, on=["source_path", "doc_id"], how="anti")
        kept = stays.join(outcome, on="doc_id", how="anti")  # not read again: as it was
        # the same content under a path it no longer has: what the new reading gave it
        fresh = stays.join(outcome, on="doc_id", how="semi").drop(*OUTCOME_COLS).join(outcome, on="doc_id")
        kept_reports.update(kept["report_id"].drop_nulls().to_list())
        if kept.height < old.height:
            rewrite(lake, "documents", part, pl.concat([kept, fresh], how="diagonal_relaxed"), run_id, "kept")
    new_ids = set(new["report_id"].drop_nulls().to_list())
    kept_reports -= new_ids
    old_ids: set[str] = set()
    for table in INGEST_TABLES[1:]:
        for part in rr.before[table]:
            old = read_frame([lake.file(table, part)])
            if table == "reports":
                old_ids.update(old["report_id"].to_list())
            stays = old.filter(pl.col("report_id").is_in(sorted(kept_reports)))
            if stays.height < old.height:
                rewrite(lake, table, part, stays, run_id, "kept")
    return len(old_ids - kept_reports - new_ids), len(new_ids - old_ids)


def rewrite(lake: Lake, table: str, part: str, rows: pl.DataFrame, run_id: str, why: str) -> None:
    """Part `part` of `table` is replaced by one of `rows` (none when there are none), named as its
    batch's (`lake.rewritten_name`)."""
    lake.drop(table, [part])
    lake.write_frame(table, frame_of(table, rows), rewritten_name(part, run_id, why))

"""The parsing worker: new files -> lake rows. Kept light to import (no DuckDB or Prefect), since
each worker process imports it."""

from __future__ import annotations

import gc
from datetime import datetime

import pyarrow as pa

from gkqc.inbox import Source
from gkqc.readers import read_document
from gkqc.record import UNREADABLE, ParseResult
from gkqc.rows import Batch, add_parsed

OUTCOME_COLS = ("format", "encoding", "template", "parse_status", "parse_error", "report_id")


def parse_chunk(items: list[tuple[str, Source]], run_id: str, at: datetime) -> dict[str, pa.Table]:
    """Worker: parse new files; return their lake rows, table by table."""
    gc_was_on = gc.isenabled()
    gc.disable()  # many short-lived objects and no cycles: reference counting frees them
    try:
        return _parse_chunk(items, run_id, at)
    finally:
        if gc_was_on:
            gc.enable()


def _parse_chunk(items: list[tuple[str, Source]], run_id: str, at: datetime) -> dict[str, pa.Table]:
    batch = Batch()
    for doc_id, src in items:
        if src.data is None:  # the inbox could not give its bytes: the reason is the outcome
            res = ParseResult("unknown", None, UNREADABLE, src.problem)
        else:
            res = read_document(src.path, src.data)
        add_parsed(batch, source_path=src.path, doc_id=doc_id, size=src.size, result=res, ingested_at=at,
                   run_id=run_id)
    return batch.tables()

"""The parsing worker: new files -> lake rows. Kept light to import (no DuckDB or Prefect), since
each worker process imports it."""

from __future__ import annotations

import gc
import hashlib
import threading
import time
from datetime import datetime

import pyarrow as pa

from gkqc import faults
from gkqc.lifeline import die_with_parent
from gkqc.readers import read_document
from gkqc.record import UNREADABLE, ParseResult
from gkqc.rows import Batch, Layout, add_parsed, use_layout
from gkqc.source import Source

OUTCOME_COLS = ("format", "encoding", "template", "parse_status", "parse_error", "report_id")

_beats = None  # a worker process: the pool's shared array of when each worker began its current file
_current = None  # …and of which file that is (`file_key`)
_slot = 0  # this worker's place in them
reading: dict[int, tuple[str, float]] = {}  # thread -> (doc id, time.monotonic() it began) of the file it reads


def file_key(doc_id: str) -> int:
    """A file's number in a pool's shared array of the files its workers read (never 0: idle)."""
    return int.from_bytes(hashlib.blake2b(doc_id.encode(), digest_size=7).digest(), "big") + 1


def start_worker(beats, claimed, layout: Layout, current=None) -> None:
    """Initializer of a pool's worker: dies with its parent, takes a place in `beats` (and `current`),
    and fills its rows by the `layout` its parent handed it."""
    global _beats, _current, _slot
    faults.point("worker start")
    die_with_parent()
    use_layout(layout)
    with claimed.get_lock():
        _slot = claimed.value % len(beats)
        claimed.value += 1
    _beats, _current = beats, current


def _beat(doc_id: str | None) -> None:
    """Note the file this thread begins reading (None: it has finished), for whoever watches for hung files:
    the local pool (`parse_pool`) through `_beats`, a Dask cluster's run through `reading` (`cluster`)."""
    began = time.monotonic() if doc_id is not None else 0.0
    if doc_id is None:
        reading.pop(threading.get_ident(), None)
    else:
        reading[threading.get_ident()] = (doc_id, began)
    if _beats is not None:
        if _current is not None:
            _current[_slot] = file_key(doc_id) if doc_id is not None else 0
        _beats[_slot] = began


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
    try:
        for doc_id, src in items:
            if src.data is None:  # the inbox could not give its bytes: the reason is the outcome
                res = ParseResult("unknown", None, UNREADABLE, src.problem)
            else:
                _beat(doc_id)
                faults.point(f"read {src.path}")
                res = read_document(src.path, src.data)
            add_parsed(batch, source_path=src.path, doc_id=doc_id, size=src.size, result=res, ingested_at=at,
                       run_id=run_id)
    finally:
        _beat(None)
    return batch.tables()


def failed_chunk(items: list[tuple[str, Source]], run_id: str, at: datetime, why: str) -> dict[str, pa.Table]:
    """Lake rows of files no worker could read (it hung on them, or died): unreadable, for `why`."""
    batch = Batch()
    for doc_id, src in items:
        add_parsed(batch, source_path=src.path, doc_id=doc_id, size=src.size,
                   result=ParseResult("unknown", None, UNREADABLE, why), ingested_at=at, run_id=run_id)
    return batch.tables()


def merge_rows(parts: list[dict[str, pa.Table]]) -> dict[str, pa.Table]:
    """The lake rows of several chunks as one (each table's parts one after the other)."""
    return {t: pa.concat_tables([p[t] for p in parts]) for t in parts[0]}

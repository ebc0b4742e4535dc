"""Repairing a damaged lake: leave out what is damaged, so that the next run reads it again.

A damaged part of an ingest batch takes its whole batch out of the lake (documents, reports,
sections, cells): the batch's files are then new to the next run and parsed again from the inbox.
So do the parts of re-collected copies (`…-dups`: files whose bytes were seen before) with a row
pointing at a report of such a batch, which are cheap to take again; the others stay (their files
may have left the inbox). The files left out keep when they were first seen (`reread.keep_first_seen`).
Check results and the office registry are derived: they are dropped and recomputed. An unreadable
manifest is replaced by the newest commit record whose parts are all intact, else by the newest
readable one (its damaged batches then left out as above), else the readable parts are adopted,
a batch whole or not at all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from gkqc.lake import CARRY, COMMITS, DUPS, INGEST_TABLES, MANIFEST, Lake, LakeDamaged, batch_of
from gkqc.offices import STATE as OFFICE_STATE
from gkqc.offices import TABLE as OFFICE_TABLE
from gkqc.reread import keep_first_seen
from gkqc.storage import place, read_frame


@dataclass
class RepairReport:
    damaged: list[tuple[str, str, str]] = field(default_factory=list)  # (table, part, what)
    batches_dropped: list[str] = field(default_factory=list)
    documents_dropped: int = 0
    manifest_restored_from: str | None = None
    checks_reset: bool = False


def _restore_manifest(lake: Lake) -> str | None:
    """Put the newest intact commit record in place of an unreadable manifest, else the newest
    readable one (repair then leaves its damaged parts out); its name, or None when no record can be
    read (the manifest is then removed, and the readable parts are adopted)."""
    st = lake.store
    readable: tuple[str, bytes] | None = None
    for name in sorted((n for n in st.list(COMMITS) if n.endswith(".json")), reverse=True):
        try:
            record = st.read_bytes(f"{COMMITS}/{name}")
            json.loads(record.decode("utf-8"))
        except (OSError, ValueError):
            continue
        candidate = Lake(st)
        st.write_bytes(MANIFEST, record)
        try:
            candidate.init()
        except LakeDamaged:
            continue
        if not candidate.damaged():
            return name
        readable = readable or (name, record)
    if readable is not None:
        st.write_bytes(MANIFEST, readable[1])
        return readable[0]
    st.delete(MANIFEST)
    return None


def _parts_of(lake: Lake, table: str, batches: set[str]) -> list[str]:
    """The parts of `table` written by these batches, or written again from theirs (`batch_of`)."""
    return [n for n in lake.part_names(table) if batch_of(n) in batches]


def _copies_of(lake: Lake, batches: list[str], damaged: set[tuple[str, str]]) -> list[str]:
    """The parts of re-collected copies (`…-dups`: rows pointing at reports of other batches) to
    leave out with `batches`: those damaged, and those with a row pointing at a report of theirs;
    every one when the reports of some batch cannot be told (neither its documents nor its reports
    parts can all be read). An intact copy of another batch's report is kept: its file may be gone."""
    dups = [n for n in lake.part_names("documents") if n.endswith(DUPS) and batch_of(n) not in batches]
    if not batches or not dups:
        return []
    ids: set[str] = set()
    for name in batches:
        found = next((ps for t in ("documents", "reports") if (ps := [(t, n) for n in _parts_of(lake, t, {name})])
                      and not any(p in damaged for p in ps)), None)
        if found is None:
            return dups
        ids |= set(read_frame([lake.file(t, n) for t, n in found], ["report_id"])["report_id"].drop_nulls())
    return [n for n in dups if ("documents", n) in damaged
            or read_frame([lake.file("documents", n)], ["report_id"])["report_id"].is_in(list(ids)).any()]


def repair(warehouse: Path | str, run_id: str) -> RepairReport:
    """Make the lake consistent with its files again and commit that (call while holding the lock).
    `warehouse`: a local folder or an s3:// URL."""
    report = RepairReport()
    lake_at = place(warehouse).child("lake")
    lake = Lake(lake_at)
    try:
        lake.init()
    except LakeDamaged:
        restored = _restore_manifest(lake)
        report.manifest_restored_from = restored or "（无可读记录，已收编可读文件）"
        lake = Lake(lake_at)
        lake.init(adopt=restored is None)  # never an empty snapshot: `clean` would take every part for a leftover
    report.damaged = lake.damaged(deep=True)  # every part read whole: a byte flipped inside is damage too
    batches = sorted({batch_of(name) for table, name, _ in report.damaged if table in INGEST_TABLES})
    batches += [batch_of(n) for n in _copies_of(lake, batches, {(t, n) for t, n, _ in report.damaged})]
    broken = {name for table, name, _ in report.damaged if table == "documents"}
    documents = _parts_of(lake, "documents", set(batches))
    readable = [n for n in documents if n not in broken]
    if readable:  # the next run reads their files as new: it stamps them with when they were first seen
        keep_first_seen(lake, read_frame([lake.file("documents", n) for n in readable],
                                         ["source_path", "doc_id", "ingested_at"]))
    report.documents_dropped += sum(lake.rows("documents", n) for n in documents)
    for table in INGEST_TABLES:
        lake.drop(table, _parts_of(lake, table, set(batches)))
    report.batches_dropped = batches
    if any(t == "offices" for t, _, _ in report.damaged):
        lake.drop("offices", lake.part_names("offices"))
        lake.state.pop("offices_sha256", None)
    if report.damaged or report.manifest_restored_from:  # derived from what was dropped: recompute all
        lake.drop("check_results", lake.part_names("check_results"))
        lake.drop(CARRY, lake.part_names(CARRY))
        lake.drop(OFFICE_TABLE, lake.part_names(OFFICE_TABLE))  # resolved again by the next run (gkqc.offices)
        lake.state.pop(OFFICE_STATE, None)
        report.checks_reset = lake.state.pop("checks", None) is not None
    lake.commit(run_id)
    lake.clean()
    return report

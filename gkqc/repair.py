"""Repairing a damaged lake: leave out what is damaged, so that the next run reads it again.

A damaged part of an ingest batch takes its whole batch out of the lake (documents, reports,
sections, cells): the batch's files are then new to the next run and parsed again from the inbox.
Check results and the office registry are derived: they are dropped and recomputed. An unreadable
manifest is replaced by the newest commit record whose parts are all intact.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from gkqc.lake import CARRY, COMMITS, INGEST_TABLES, MANIFEST, Lake, LakeDamaged


@dataclass
class RepairReport:
    damaged: list[tuple[str, str, str]] = field(default_factory=list)  # (table, part, what)
    batches_dropped: list[str] = field(default_factory=list)
    documents_dropped: int = 0
    manifest_restored_from: str | None = None
    checks_reset: bool = False


def _restore_manifest(lake: Lake) -> str | None:
    """Put the newest intact commit record in place of an unreadable manifest; its name, or None."""
    for record in sorted((lake.root / COMMITS).glob("*.json"), reverse=True):
        try:
            json.loads(record.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        candidate = Lake(lake.root)
        (lake.root / MANIFEST).write_bytes(record.read_bytes())
        candidate.init()
        if not candidate.damaged():
            return record.name
    (lake.root / MANIFEST).unlink(missing_ok=True)  # nothing intact: adopt the readable parts
    return None


def repair(warehouse: Path, run_id: str) -> RepairReport:
    """Make the lake consistent with its files again and commit that (call while holding the lock)."""
    report = RepairReport()
    lake = Lake(warehouse / "lake")
    try:
        lake.init()
    except LakeDamaged:
        report.manifest_restored_from = _restore_manifest(lake) or "（无完好记录，已收编可读文件）"
        lake = Lake(warehouse / "lake")
        lake.init()
    report.damaged = lake.damaged()
    batches = sorted({name for table, name, _ in report.damaged if table in INGEST_TABLES})
    for name in batches:
        if name in lake.part_names("documents"):
            report.documents_dropped += lake.rows("documents", name)
    for table in INGEST_TABLES:
        lake.drop(table, batches)
    report.batches_dropped = batches
    if any(t == "offices" for t, _, _ in report.damaged):
        lake.drop("offices", lake.part_names("offices"))
        lake.state.pop("offices_sha256", None)
    if report.damaged or report.manifest_restored_from:  # derived from what was dropped: recompute all
        lake.drop("check_results", lake.part_names("check_results"))
        lake.drop(CARRY, lake.part_names(CARRY))
        report.checks_reset = lake.state.pop("checks", None) is not None
    lake.commit(run_id)
    lake.clean()
    return report

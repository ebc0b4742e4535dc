"""Helpers for tests that run `gkqc` as a user does (a subprocess) and compare what runs leave behind."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, SAMPLES

# what every run writes differently (its id and clock); everything else must be equal row for row
VOLATILE = {"run_id", "ingested_at", "built_at"}
VIEWS = ("documents", "reports", "sections", "active_disclosure", "applications", "reviews", "check_results",
         "scorecard_office", "scorecard_region", "offices")


def gkqc(*args: str, env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    full = {**os.environ, "COLUMNS": "200", **(env or {})}
    return subprocess.run([sys.executable, "-m", "gkqc.cli", *args], cwd=ROOT, env=full, capture_output=True,
                          text=True, timeout=timeout)


def sample_inbox(root: Path) -> Path:
    """The bundled samples with an office registry: three reports, two years of one office."""
    inbox = root / "inbox"
    inbox.mkdir()
    for f in SAMPLES.iterdir():
        shutil.copy(f, inbox / f.name)
    (inbox / "offices.csv").write_text("office,region,office_kind\n阿里地区,阿里地区,government\n", encoding="utf-8")
    return inbox


def snapshot(warehouse: Path) -> dict[str, list[tuple]]:
    """Every row of every view, sorted, without the columns that name the run."""
    from warehouse.access import connect_readonly

    con = connect_readonly(warehouse)
    try:
        out = {}
        for view in VIEWS:
            cols = [c for c in con.sql(f"select * from {view} limit 0").columns if c not in VOLATILE]
            out[view] = con.sql(f"select {', '.join(cols)} from {view} order by all").fetchall()
        return out
    finally:
        con.close()


def stray_files(warehouse: Path) -> list[Path]:
    """Temporary files, and lake files no commit names."""
    from gkqc.lake import Lake

    lake = Lake(warehouse / "lake")
    lake.init()
    tmp = [p for p in warehouse.rglob("*.tmp*") if ".prefect" not in p.parts]
    return tmp + lake.leftovers()

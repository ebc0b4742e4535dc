"""Helpers: run files through ingest and the check suite into a temporary lake."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from checks.engine import check_lake
from gkqc.ingest import ingest
from gkqc.lake import Lake


def check_files(tmp: Path, files: dict[str, bytes], **kw) -> pl.DataFrame:
    """Write files to an inbox, ingest and check them; return results with office, year and path."""
    inbox = tmp / "inbox"
    inbox.mkdir(exist_ok=True)
    for name, data in files.items():
        (inbox / name).parent.mkdir(parents=True, exist_ok=True)
        (inbox / name).write_bytes(data)
    lake = Lake(tmp / "lake")
    ingest(inbox, lake, "t1", workers=0)
    check_lake(lake, "t1", **kw)
    docs = pl.read_parquet(lake.paths("documents")).select("source_path", "report_id")
    res = pl.read_parquet(lake.paths("check_results"))
    return res.join(docs, on="report_id", how="left")


def findings(res: pl.DataFrame, path: str | None = None, status: str = "fail") -> set[tuple[str, str]]:
    df = res if path is None else res.filter(pl.col("source_path") == path)
    return {(c, s) for c, s in df.filter(pl.col("status") == status).select("check_id", "subject").iter_rows()}


def status_of(res: pl.DataFrame, check: str, subject: str = "", path: str | None = None) -> str:
    df = res.filter((pl.col("check_id") == check) & (pl.col("subject") == subject))
    if path is not None:
        df = df.filter(pl.col("source_path") == path)
    vals = set(df["status"].to_list())
    assert len(vals) == 1, (check, subject, vals)
    return vals.pop()

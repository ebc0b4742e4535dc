"""Loading one lake part as polars frames, and pivoting cells into the wide frames rules read."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from checks.linear import sql_list
from gkqc.templates import registry

CELL_COLS = {"applications": ("row_id", "column_id"), "reviews": ("group_id", "metric_id"),
             "active_disclosure": ("row_id", "metric_id")}
REPORT_COLS = ["report_id", "template", "report_year", "published_at", "office", "office_kind", "region"]


@dataclass
class PartData:
    """One batch of lake parts: reports numbered by `rid`, their sections, the cells procedural
    checks read (those not read as numbers, and amounts) and the cell files for SQL."""

    reports: pl.DataFrame
    sections: pl.DataFrame
    cells: dict[str, pl.DataFrame]  # table -> cells not read as numbers (and amounts), with rid and template
    files: dict[str, list[str]]  # table -> Parquet files of the batch
    con: duckdb.DuckDBPyConnection


def _read(paths: list[Path], columns: list[str] | None = None) -> pl.DataFrame | None:
    paths = [p for p in paths if p.exists()]
    return pl.read_parquet(paths, columns=columns) if paths else None


def cell_id_expr(table: str) -> pl.Expr:
    if table == "applications":
        return pl.concat_str([pl.col("row_id"), pl.col("column_id")], separator=".")
    if table == "reviews":
        return pl.concat_str([pl.col("group_id"), pl.col("metric_id")], separator=".")
    return pl.concat_str([pl.col("block_id"), pl.col("row_id"), pl.col("metric_id")], separator=".")


def with_rid(cells: pl.DataFrame, reports: pl.DataFrame) -> pl.DataFrame:
    """Cells with their report's row number `rid` in `reports` and its `template`.

    A report's cells are stored together, so only the first cell of each run of one report_id
    is looked up (a join over runs, not over every cell); cells of reports not in `reports`
    get null."""
    if cells.height == 0:
        return cells.with_columns(pl.lit(None, dtype=pl.UInt32).alias("rid"), pl.lit(None, dtype=pl.Utf8).alias("template"))
    starts = (pl.col("report_id") != pl.col("report_id").shift()).fill_null(True)
    run = cells.select(starts.cum_sum().cast(pl.UInt32).alias("run") - 1)["run"]
    firsts = cells.filter(starts).select("report_id")
    ids = reports.select("report_id", "rid").unique("report_id", keep="first")  # one rid per id, whatever happens
    rid_of_run = firsts.join(ids, on="report_id", how="left", maintain_order="left")["rid"]
    rid = rid_of_run.gather(run)
    return cells.with_columns(rid.alias("rid"), reports["template"].gather(rid).alias("template"))


def with_cell_id(cells: pl.DataFrame, table: str) -> pl.DataFrame:
    """Add `cell_id` (row.column, group.metric or block.row.metric) to a few cells of one table."""
    return cells.with_columns(cell_id_expr(table).alias("cell_id"))


def amount_metrics() -> list[str]:
    """Metric ids of active-disclosure cells that are amounts (carry a unit)."""
    return sorted({m.id for t in ("gov2019", "gov2021") for b in registry().blocks_for(t) for m in b.metrics if m.unit})


def load_parts(con: duckdb.DuckDBPyConnection, lake_root: Path, parts: list[str], empty: dict[str, pl.DataFrame],
               tables: set[str] | None = None) -> PartData:
    """The reports of some lake parts with their sections and the cells procedural checks read
    (a part is one ingest batch). Only the `tables` asked for are read (all when None)."""
    reports = pl.read_parquet([lake_root / "reports" / p for p in parts], columns=REPORT_COLS).with_row_index("rid")
    wanted = (lambda t: tables is None or t in tables)  # noqa: E731
    sections = _read([lake_root / "sections" / p for p in parts], ["report_id", "section_no", "position", "text"]) \
        if wanted("sections") else None
    files, cells = {}, {}
    for t in CELL_COLS:
        files[t] = [str(p) for p in (lake_root / t / x for x in parts) if p.exists()] \
            or [str(lake_root / t / "part-empty.parquet")]
        keep = "status <> 'ok'" + (f" or metric_id in {sql_list(amount_metrics())}" if t == "active_disclosure" else "")
        df = con.sql(f"select * from read_parquet({files[t]}) where {keep}").pl() if wanted(t) else empty[t]
        cells[t] = with_rid(df, reports)
    return PartData(reports, sections if sections is not None else empty["sections"], cells, files, con)


def labels(kind: str) -> dict[str, str]:
    """id -> printed label, across both templates (gov2021 wins ties)."""
    out: dict[str, str] = {}
    for rec in registry().labels():
        if rec["table"] == kind:
            out[rec["id"]] = rec["label"]
    return out


def cell_labels() -> dict[str, str]:
    """cell_id -> 'row label / column label' for messages."""
    reg = registry()
    out = {}
    for t in ("gov2019", "gov2021"):
        for r in reg.app_rows_for(t):
            for c in reg.app_columns:
                out[f"{r.id}.{c.id}"] = f"{r.label} / {c.label}"
        for b in reg.blocks_for(t):
            for r in b.rows:
                for m in b.metrics:
                    out[f"{b.id}.{r.id}.{m.id}"] = f"{b.label} / {r.label} / {m.label}"
    for g in reg.review_groups:
        for m in reg.review_metrics:
            out[f"{g.id}.{m.id}"] = f"{g.label} / {m.label}"
    return out

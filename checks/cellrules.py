"""Cell rules (every cell of a table obeys a condition, e.g. a non-negative whole number) over a
whole batch: DuckDB counts readable and failing cells per report for every rule in one pass and
returns the failing cells with their raw text; a report passes when it has readable cells and
none fails, and is not assessable when it has none."""

from __future__ import annotations

import duckdb
import polars as pl

from checks.expr import compile_sql
from checks.frames import cell_id_expr, cell_labels
from checks.linear import sql_list
from checks.results import PASSED, finish, fmt_num, render, report_rows
from checks.spec import CheckSpec

CELL_KEYS = {"applications": ["row_id", "column_id"], "reviews": ["group_id", "metric_id"],
             "active_disclosure": ["block_id", "row_id", "metric_id"]}


def _mask(spec: CheckSpec) -> str:
    m = "status = 'ok'"
    if spec.exclude_metrics:
        m += f" and metric_id not in {sql_list(spec.exclude_metrics)}"
    return m


def run_cell_rules(con: duckdb.DuckDBPyConnection, source: str, table: str, specs: list[CheckSpec],
                   reports: pl.DataFrame) -> list[pl.DataFrame]:
    """`source`: SQL of one cell table's rows for the batch; `reports`: report_id, template."""
    if not specs:
        return []
    masks = [_mask(s) for s in specs]
    bad = [f"({m} and not coalesce({compile_sql(s.rule, {'value'})}, true))" for s, m in zip(specs, masks, strict=True)]
    counts = con.sql(
        "select report_id, " + ", ".join(f"count(*) filter (where {m}) as read{k}, count(*) filter (where {b}) as bad{k}"
                                         for k, (m, b) in enumerate(zip(masks, bad, strict=True)))
        + f" from ({source}) group by report_id").pl()
    failing = con.sql(
        f"select report_id, {', '.join(CELL_KEYS[table])}, value, raw, "
        + ", ".join(f"{b} as bad{k}" for k, b in enumerate(bad)) + f" from ({source}) where {' or '.join(bad)}").pl()
    failing = failing.with_columns(cell_id_expr(table).alias("cell_id"))
    names = cell_labels()
    counts = reports.select("report_id", "template").join(counts, on="report_id", how="left")
    out = []
    for k, s in enumerate(specs):
        scoped = counts.filter(pl.col("template").is_in(list(s.templates)))
        if scoped.height == 0:
            continue
        failed = failing.filter(pl.col(f"bad{k}") & pl.col("report_id").is_in(scoped["report_id"].implode()))
        fields = {"subject_label": pl.col("cell_id").replace_strict(names, default=pl.col("cell_id")),
                  "raw": pl.col("raw"), "actual": fmt_num(pl.col("value"))}
        fail_rows = failed.select(
            "report_id", pl.col("cell_id").alias("subject"), pl.lit("fail").alias("status"),
            pl.lit(None, dtype=pl.Float64).alias("expected"), pl.col("value").alias("actual"),
            pl.lit(None, dtype=pl.Float64).alias("difference"),
            pl.concat_str([pl.col("cell_id"), pl.lit("="), pl.col("raw")]).alias("cells"),
            render(s.message or s.title, fields).alias("message"))
        read = pl.col(f"read{k}").fill_null(0) > 0
        out.append(finish(fail_rows, s))
        out.append(finish(report_rows(scoped.filter(read & (pl.col(f"bad{k}") == 0)), "pass", PASSED), s))
        out.append(finish(report_rows(scoped.filter(~read), "not_assessable", "无法判断：没有可读取的单元格"), s))
    return out

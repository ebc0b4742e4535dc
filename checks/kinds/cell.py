"""Cell rules: every cell of a table obeys a condition (A4: a non-negative whole number), over a
whole batch at once: readable and failing cells are counted per report in one group-by, and the
failing cells come back with their raw text. A report passes when it has readable cells and none
fails, and is not assessable when it has none."""

from __future__ import annotations

import polars as pl

from checks.expr import RuleError, compile_rule
from checks.frames import PartData, cell_id_expr, cell_label_expr
from checks.grid import CellTable, cell_ids
from checks.kinds.base import Bad, Kind, need_rule, need_table, register
from checks.results import PASSED, finish, fmt_num, render, report_rows
from checks.spec import CheckSpec
from schemas.lake import CELL_IDS

METRIC = "metric_id"  # the lake column `exclude_metrics` names values of


def _judged(cells: CellTable, spec: CheckSpec) -> tuple[pl.Expr, pl.Expr]:
    """(the cell is read for this rule, the cell is read and breaks it) as expressions over `long`."""
    read = pl.col("value").is_not_null()  # ok, inferred, and OCR values no equation disproved
    if spec.exclude_metrics:
        read = read & ~pl.col("key").is_in(cells.keys_where(METRIC, spec.exclude_metrics)).fill_null(False)
    return read, read & ~compile_rule(spec.rule, {"value"}).cond.fill_null(True)


def run_cell_rules(cells: CellTable, specs: list[CheckSpec], reports: pl.DataFrame) -> list[pl.DataFrame]:
    """`reports`: report_id, rid, template of the batch the cells belong to."""
    judged = [_judged(cells, s) for s in specs]
    flags = cells.long.select("rid", *[e.alias(f"{name}{k}") for k, (r, b) in enumerate(judged)
                                       for name, e in (("read", r), ("bad", b))])
    placed = flags.filter(pl.col("rid").is_not_null())
    if placed["rid"].is_sorted():  # a report's cells are stored together: group runs, not hashes
        placed = placed.with_columns(pl.col("rid").set_sorted())
    counts = placed.group_by("rid").agg(pl.exclude("rid").sum())
    counts = reports.select("report_id", "rid", "template").join(counts, on="rid", how="left")
    out = []
    for k, s in enumerate(specs):
        scoped = counts.filter(pl.col("template").is_in(list(s.templates)))
        if scoped.height == 0:
            continue
        failed = cells.rows(flags[f"bad{k}"]).filter(pl.col("template").is_in(list(s.templates)))
        failed = failed.with_columns(cell_id_expr(cells.table).alias("cell_id"))
        fields = {"subject_label": cell_label_expr(pl.col("cell_id"), pl.col("template")),
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


@register
class CellRule(Kind):
    name = "cell"
    fields = frozenset({"table", "rule", "message", "exclude_metrics"})

    def validate(self, spec: CheckSpec, bad: Bad) -> None:
        need_table(spec.table, bad)
        need_rule(spec.rule, bad)
        try:
            compile_rule(spec.rule, {"value"})
        except RuleError as e:
            raise bad(str(e)) from None
        if spec.exclude_metrics:
            if METRIC not in CELL_IDS[spec.table]:
                raise bad(f"表 '{spec.table}' 没有指标列，不能用 exclude_metrics (the table has no metrics)")
            k = CELL_IDS[spec.table].index(METRIC)
            unknown = set(spec.exclude_metrics) - {c.split(".")[k] for c in cell_ids(spec.table)}
            if unknown:
                raise bad(f"exclude_metrics 中的指标 {sorted(unknown)} 不在表 '{spec.table}' 中 (unknown metrics)")

    def tables(self, spec: CheckSpec) -> set[str]:
        return {spec.table}

    def evaluate(self, data: PartData, specs: list[CheckSpec], settings: dict) -> list[pl.DataFrame]:
        return [d for table, cells in data.grids.items()
                for d in run_cell_rules(cells, [s for s in specs if s.table == table], data.reports)
                if any(s.table == table for s in specs)]

"""Cell rules: every cell of a table obeys a condition (A4: a non-negative whole number), over a
whole batch at once: readable, failing and unjudged cells are counted per report in one group-by,
and the failing cells come back with their raw text. A report fails on any failing cell; else it
passes when every cell in scope could be judged, and is not assessable when a cell could not be
read (or, under the `strict` blank policy, was left blank) or none could. Cells not judged are named
in a row of the whole report (subject '') beside failing cells too: a cell with no row of its own then
held the rule (the findings' rectification reads so)."""

from __future__ import annotations

import polars as pl

from checks.blanks import blank_policy
from checks.expr import RuleError, compile_rule
from checks.frames import PartData, cell_id_expr, cell_label_expr
from checks.grid import BLANK_CODE, CellTable, cell_ids
from checks.kinds.base import Bad, Kind, need_rule, need_table, register
from checks.results import PASSED, finish, fmt_num, render, report_rows
from checks.spec import CheckSpec
from schemas.lake import CELL_IDS

METRIC = "metric_id"  # the lake column `exclude_metrics` names values of


def _judged(cells: CellTable, spec: CheckSpec, strict: bool) -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    """(the cell is read for this rule, the cell is read and breaks it, the cell cannot be judged: a
    template cell with no value, unreadable or missing, or blank under `strict`) over `long`. Under
    `zero` a blank cell is 0, which no cell rule refuses."""
    scope = ~pl.col("key").is_in(cells.keys_where(METRIC, spec.exclude_metrics)).fill_null(False) \
        if spec.exclude_metrics else pl.lit(True)
    has = pl.col("value").is_not_null()  # ok, inferred, and OCR values no equation disproved
    read = has & scope
    unjudged = ~has & scope & pl.col("key").is_not_null() & (pl.lit(True) if strict else pl.col("status") != BLANK_CODE)
    return read, read & ~compile_rule(spec.rule, {"value"}).fill_null(True), unjudged


def run_cell_rules(cells: CellTable, specs: list[CheckSpec], reports: pl.DataFrame,
                   strict: bool = False) -> list[pl.DataFrame]:
    """`reports`: report_id, rid, template of the batch the cells belong to; `strict`: the blank policy."""
    judged = [_judged(cells, s, strict) for s in specs]
    flags = cells.long.select("rid", "key", *[e.alias(f"{name}{k}") for k, exprs in enumerate(judged)
                                              for name, e in zip(("read", "bad", "unjudged"), exprs, strict=True)])
    placed = flags.filter(pl.col("rid").is_not_null())
    if placed["rid"].is_sorted():  # a report's cells are stored together: group runs, not hashes
        placed = placed.with_columns(pl.col("rid").set_sorted())
    counts = placed.group_by("rid").agg(pl.exclude("rid", "key").sum())
    ids = dict(enumerate(cell_ids(cells.table)))  # a cell's key -> its id
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
        held = pl.col(f"bad{k}").fill_null(0) == 0
        judged_all = pl.col(f"unjudged{k}").fill_null(0) == 0
        out.append(finish(fail_rows, s))
        out.append(finish(report_rows(scoped.filter(read & held & judged_all), "pass", PASSED), s))
        out.append(finish(report_rows(scoped.filter(~read & held & judged_all), "not_assessable",
                                      "无法判断：没有可读取的单元格"), s))
        unsure = scoped.filter(~judged_all)
        labels = (placed.filter(pl.col(f"unjudged{k}")).join(unsure.select("rid", "template"), on="rid")
                  .with_columns(cell_label_expr(pl.col("key").replace_strict(ids, return_dtype=pl.Utf8),
                                                pl.col("template")).alias("label")))
        named = unsure.join(labels.group_by("rid").agg(pl.len().alias("n"), pl.col("label").head(3).str.join("、")
                                                       .alias("named")), on="rid")
        what = "未能读取或为空白（strict）" if strict else "未能读取"
        message = pl.concat_str([pl.lit("无法判断："), pl.col("n").cast(pl.Utf8), pl.lit(f" 个单元格{what}（"),
                                 pl.col("named"), pl.when(pl.col("n") > 3).then(pl.lit("等")).otherwise(pl.lit("")),
                                 pl.lit("），不能断定各单元格均符合")])
        out.append(finish(report_rows(named, "not_assessable", message), s))
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
        strict = blank_policy(settings) == "strict"
        return [d for table, cells in data.grids.items()
                for d in run_cell_rules(cells, [s for s in specs if s.table == table], data.reports, strict)
                if any(s.table == table for s in specs)]

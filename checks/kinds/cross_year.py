"""Cross-year checks (A5, P3): a linear rule between a report and its office's previous year's
report (`prev.x`). Each batch keeps the cells these rules read; after every batch, each report is
paired with the latest report of the same office for the year before, a few years at a time."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from functools import partial

import polars as pl

from checks.expr import PREV
from checks.frames import PartData, cell_id_expr, paired_reports, subject_labels
from checks.kinds.base import register
from checks.kinds.equation import Equation
from checks.linear import Rule, grid_columns, rules_for, run_linear
from checks.spec import CheckSpec
from gkqc.lake import Lake
from gkqc.versions import COLUMNS, newest

CHUNK = 50_000  # reports whose cross-year checks are evaluated together (bounded memory)
NO_PREV = "无法判断：缺少同一机关上一年度的报告，无法比对"
PREV_LACKS = "无法判断：同一机关上一年度的报告没有可比对的单元格（其模板不同，或其表格未能读取），无法比对"
NO_OFFICE = "无法判断：未能确定报告机关，无法找到上一年度的报告"
NO_YEAR = "无法判断：未能确定报告年度，无法找到上一年度的报告"


def _rules(specs: list[CheckSpec]) -> list[Rule]:
    return [r for n, s in enumerate(specs) for r in rules_for(s, n)]


def carry_columns(rules: list[Rule]) -> dict[str, list[str]]:
    """table -> the grid columns cross-year rules read, this year's and last year's alike."""
    out: dict[str, set[str]] = defaultdict(set)
    for r in rules:
        out[r.spec.table] |= {c.removeprefix(PREV) for c in grid_columns([r])}
    return {t: sorted(cs) for t, cs in out.items()}


def _newest_of_each_year(reports: pl.LazyFrame) -> pl.DataFrame:
    """office, prev_year, prev_id: the newest version (`gkqc.versions`, as the warehouse's `is_latest`)
    of each office's report of each year."""
    known = reports.filter(pl.col("office").is_not_null() & pl.col("report_year").is_not_null())
    return (newest(known.select("office", "report_year", *COLUMNS).collect(), ["office", "report_year"])
            .select("office", pl.col("report_year").alias("prev_year"), pl.col("report_id").alias("prev_id")))


def latest_prev(reports: pl.LazyFrame) -> pl.LazyFrame:
    """For each report: the newest version of the same office's report for the previous year (or null)."""
    latest = _newest_of_each_year(reports).select("office", (pl.col("prev_year") + 1).alias("report_year"), "prev_id")
    return reports.join(latest.lazy(), on=["office", "report_year"], how="left").select(
        "report_id", "template", "report_year", "prev_id")


def latest_before(reports: pl.LazyFrame) -> pl.DataFrame:
    """For each report: the newest version of the same office's latest report of an earlier year (or
    null): 2019's for a 2021 report when the office has none for 2020."""
    latest = _newest_of_each_year(reports).sort("prev_year")
    mine = reports.select("report_id", "template", "report_year", "office").collect()
    known = pl.col("office").is_not_null() & pl.col("report_year").is_not_null()
    paired = (mine.filter(known).sort("report_year")
              .join_asof(latest, left_on="report_year", right_on="prev_year", by="office", strategy="backward",
                         allow_exact_matches=False, check_sortedness=False))  # (both sorted by year above)
    return pl.concat([paired.select("report_id", "template", "report_year", "prev_id"),
                      mine.filter(~known).select("report_id", "template", "report_year",
                                                 pl.lit(None, dtype=pl.Utf8).alias("prev_id"))])


def year_groups(pairs: pl.DataFrame) -> list[list[int]]:
    """Report years in order, grouped while a group holds at most `CHUNK` reports
    (a single larger year is a group of its own)."""
    groups: list[list[int]] = []
    size = 0
    for year, n in pairs.group_by("report_year").len().sort("report_year").iter_rows():
        if not groups or size + n > CHUNK:
            groups.append([])
            size = 0
        groups[-1].append(year)
        size += n
    return groups


def _why_no_pair(results: pl.DataFrame, pairs: pl.DataFrame) -> pl.DataFrame:
    """Results whose previous year's cells are missing say why: no office or no year to pair by, a
    previous report without such cells (another template, tables not read), or none at all."""
    why = pairs.select("report_id", pl.when(pl.col("no_office")).then(pl.lit(NO_OFFICE))
                       .when(pl.col("report_year").is_null()).then(pl.lit(NO_YEAR))
                       .when(pl.col("prev_id").is_not_null()).then(pl.lit(PREV_LACKS)).otherwise(pl.lit(NO_PREV))
                       .alias("why"))
    return (results.join(why, on="report_id", how="left", maintain_order="left")
            .with_columns(pl.when(pl.col("message") == NO_PREV).then(pl.col("why")).otherwise(pl.col("message"))
                          .alias("message")).drop("why"))


def raw_text(lake: Lake, pairs: pl.DataFrame, asked: pl.DataFrame) -> pl.DataFrame:
    """`asked` (report_id, table, column) with the raw text of each cell, read back from the lake: a
    `prev__` column's from the report's previous one (`pairs`: report_id, prev_id)."""
    last_year = pl.col("column").str.starts_with(PREV)
    owned = (asked.join(pairs.select("report_id", "prev_id"), on="report_id", how="left", maintain_order="left")
             .with_columns(pl.when(last_year).then(pl.col("prev_id")).otherwise(pl.col("report_id")).alias("owner"),
                           pl.col("column").str.replace(f"^{PREV}", "").alias("cell_id")))
    found = [pl.scan_parquet(lake.paths(table))
             .filter(pl.col("report_id").is_in(owned["owner"].drop_nulls().unique().implode()))
             .select(pl.col("report_id").alias("owner"), pl.lit(table).alias("table"), cell_id_expr(table).alias("cell_id"),
                     "raw").collect()
             for table in owned["table"].unique().sort()]
    return owned.join(pl.concat(found), on=["owner", "table", "cell_id"], how="left", maintain_order="left").select(
        "report_id", "table", "column", "raw")


@register
class CrossYear(Equation):
    """Entries as equations take them; nothing within a batch, everything `across` batches."""

    name = "cross_year"

    def evaluate(self, data: PartData, specs: list[CheckSpec], settings: dict) -> list[pl.DataFrame]:
        return []

    def report_rules(self, spec: CheckSpec, n: int) -> list[Rule]:
        return []  # they compare a report with last year's: no proof of one report's own values

    def carry(self, data: PartData, specs: list[CheckSpec]) -> list[pl.DataFrame]:
        return [data.grids[t].grid.select(cs) for t, cs in carry_columns(_rules(specs)).items()]

    def across(self, lake: Lake, specs: list[CheckSpec], carried: list[str], settings: dict) -> Iterator[pl.DataFrame]:
        """Each report's carried cells beside its previous report's as `prev__…` columns, a few
        report years and at most `CHUNK` reports at a time (bounded memory)."""
        rules = _rules(specs)
        if not rules or not carried:
            return
        columns = sorted({c for cs in carry_columns(rules).values() for c in cs})
        reports = paired_reports(lake)
        pairs = (latest_prev(reports).join(reports.select("report_id", pl.col("office").is_null().alias("no_office")),
                                           on="report_id")
                 .filter(pl.col("template").is_in(list({r.template for r in rules})))
                 .collect())
        dated = pairs.filter(pl.col("report_year").is_not_null())
        for years in year_groups(dated):  # those years and the ones before are in memory at a time
            cells = pl.scan_parquet(carried).select("report_id", "report_year", *columns).filter(  # only its own
                pl.col("report_year").is_in(sorted({y - 1 for y in years} | set(years)))).collect()
            yield from _compared(lake, rules, dated.filter(pl.col("report_year").is_in(years)), cells)
        undated = pairs.filter(pl.col("report_year").is_null())  # no previous year: each rule not assessable, saying so
        if undated.height:
            cells = pl.scan_parquet(carried).select("report_id", "report_year", *columns).filter(
                pl.col("report_year").is_null()).collect()
            yield from _compared(lake, rules, undated, cells)


def _compared(lake: Lake, rules: list[Rule], pairs: pl.DataFrame, cells: pl.DataFrame) -> Iterator[pl.DataFrame]:
    """The rules' results for `pairs` (report_id, template, report_year, prev_id, no_office), their own
    and previous reports' cells found in `cells`, at most `CHUNK` reports at a time."""
    at = cells.select("report_id").with_row_index("at")  # each report's row, found once
    pairs = (pairs.join(at, on="report_id")
             .join(at.rename({"report_id": "prev_id", "at": "prev_at"}), on="prev_id", how="left")
             .select("report_id", "template", "report_year", "at", "prev_at", "prev_id", "no_office"))
    cells = cells.drop("report_id", "report_year")
    for start in range(0, pairs.height, CHUNK):
        chunk = pairs.slice(start, CHUNK)
        wide = pl.concat([chunk.select("report_id", "template"), cells[chunk["at"]],
                          cells[chunk["prev_at"]].select(pl.all().name.prefix(PREV))], how="horizontal")
        found = [d for d in run_linear(wide, rules, partial(subject_labels, None), missing_message=pl.lit(NO_PREV),
                                       raw_text=partial(raw_text, lake, chunk)) if d.height]
        if found:
            yield _why_no_pair(pl.concat(found), chunk)

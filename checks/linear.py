"""Linear rules (equations, cross-year) over a whole batch at once.

DuckDB sums both sides of every rule per report and subject in one pass over the cells (one
group-by per table and scope, whatever the number of rules); pandera judges every comparison
on that residual frame; findings then get their evidence (the cells read) and a message.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import duckdb
import pandera.polars as pa
import polars as pl
import pyarrow as pa_arrow
from pandera.config import ValidationDepth, config_context

from checks.expr import Linear, linear
from checks.results import finish, fmt_num, render
from checks.spec import CheckSpec, scope_ids

# (term column, subject column) of the cell table, per table and scope
KEYS = {("applications", "per_column"): ("row_id", "column_id"), ("applications", "per_row"): ("column_id", "row_id"),
        ("reviews", "per_group"): ("metric_id", "group_id"), ("active_disclosure", "per_row"): ("metric_id", "row_id")}


@dataclass
class Rule:
    """One check on one template, in linear form."""

    n: int  # the check's position in the suite
    spec: CheckSpec
    template: str
    lin: Linear


def rules_for(spec: CheckSpec, n: int) -> list[Rule]:
    out = []
    for t in spec.templates:
        ids, _ = scope_ids(spec.table, spec.scope, t, spec.block)
        out.append(Rule(n, spec, t, linear(spec.rule, ids)))
    return out


def sql_str(s: str) -> str:
    return "'" + s.replace("'", "''") + "'"


def sql_list(items) -> str:
    return "(" + ", ".join(sql_str(i) for i in items) + ")"


def cells_sql(files: list[str], table: str, scope: str, block: str | None, terms: set[str]) -> str:
    """The cells of some lake files as (report_id, term, subject, value), only the terms named."""
    term, subject = KEYS[(table, scope)]
    where = f"{term} in {sql_list(sorted(terms))}" + (f" and block_id = {sql_str(block)}" if block else "")
    return (f"select report_id, {term} as term, {subject} as subject, value "
            f"from read_parquet({[str(f) for f in files]}) where {where}")


def _coefficients(rules: list[Rule]) -> tuple[dict[str, float], dict[str, float]]:
    """Both sides' coefficients of one check, merged over its templates (they never differ per term)."""
    cl: dict[str, float] = {}
    cr: dict[str, float] = {}
    for r in rules:
        for side, out in ((r.lin.lhs, cl), (r.lin.rhs, cr)):
            for term in r.lin.ids:
                c = side.get(term, 0.0)
                if out.setdefault(term, c) != c:
                    raise ValueError(f"检查 {r.spec.id}：{term} 的系数因模板而异 (coefficient differs by template)")
    return cl, cr


def coefficient_table(groups: list[list[Rule]]) -> pa_arrow.Table:
    """One row per term: for each check g its coefficient on either side (cl{g}, cr{g}) and
    whether it names the term at all (m{g})."""
    coefs = [_coefficients(rules) for rules in groups]
    terms = sorted({t for cl, _ in coefs for t in cl})
    cols: dict[str, list] = {"term": terms}
    for g, (cl, cr) in enumerate(coefs):
        cols[f"cl{g}"] = [cl.get(t, 0.0) for t in terms]
        cols[f"cr{g}"] = [cr.get(t, 0.0) for t in terms]
        cols[f"m{g}"] = [int(t in cl) for t in terms]
    return pa_arrow.table(cols)


def residuals_sql(source: str, groups: list[list[Rule]], coef: str = "_coef") -> str:
    """Per report × subject × check: lhs, rhs, blanks among its cells, cells found — one join with
    the coefficient table (`coefficient_table`, registered as `coef`) and one group-by. A report's
    cells carry only its own template's ids, so the union of the templates' terms counts the same
    cells as its template's terms; arity is compared per template afterwards."""
    aggs, longs = [], []
    for g in range(len(groups)):
        aggs += [f"sum(value * cl{g}) as l{g}", f"sum(value * cr{g}) as r{g}", f"sum(m{g}) as n{g}",
                 f"sum(case when value is null then m{g} else 0 end) as z{g}"]
        longs.append(f"select report_id, subject, {g} as grp, coalesce(l{g}, 0.0) as lhs, coalesce(r{g}, 0.0) as rhs, "
                     f"z{g} as nulls, n{g} as n from g where n{g} > 0")
    return (f"with g as (select report_id, subject, {', '.join(aggs)} from ({source}) c join {coef} using (term) "
            f"group by report_id, subject) " + " union all ".join(longs))


def holds(op: pl.Expr, diff: pl.Expr) -> pl.Expr:
    return (pl.when(op == "==").then(diff.abs() < 1e-6).when(op == ">=").then(diff > -1e-6)
            .when(op == "<=").then(diff < 1e-6).when(op == ">").then(diff > 1e-6).otherwise(diff < -1e-6))


def failures_by_pandera(frame: pl.DataFrame, checks: dict[str, pl.Expr]) -> dict[str, set[int]]:
    """Validate `frame` against one pandera check per entry; return failing row indices per entry."""
    schema = pa.DataFrameSchema(checks=[
        pa.Check(lambda d, e=expr: d.lazyframe.select(e.fill_null(True)), name=key, error=key)
        for key, expr in checks.items()])
    out: dict[str, set[int]] = defaultdict(set)
    with config_context(validation_depth=ValidationDepth.SCHEMA_AND_DATA):
        try:
            schema.validate(frame, lazy=True)
        except pa.errors.SchemaErrors as e:
            fc = e.failure_cases.select("check", "index")
            for key, idx in fc.group_by("check").agg(pl.col("index")).iter_rows():
                out[key].update(idx)
    return out


def _tables(rules: list[Rule]) -> tuple[list[list[Rule]], pl.DataFrame, pl.DataFrame]:
    """(rules grouped by check; per rule its group, template, constants, arity, operator and subjects;
    per rule its terms)."""
    groups: dict[int, list[Rule]] = {}
    for r in rules:
        groups.setdefault(r.n, []).append(r)
    grp = {n: g for g, n in enumerate(groups)}
    meta = pl.DataFrame(
        [(k, grp[r.n], r.template, r.lin.lhs.get("", 0.0), r.lin.rhs.get("", 0.0), len(r.lin.ids), r.lin.op,
          list(r.spec.subjects) or None, r.spec.id, r.spec.severity) for k, r in enumerate(rules)],
        schema={"rule": pl.UInt32, "grp": pl.Int32, "template": pl.Utf8, "kl": pl.Float64, "kr": pl.Float64,
                "arity": pl.Int64, "op": pl.Utf8, "subjects": pl.List(pl.Utf8), "check_id": pl.Utf8,
                "severity": pl.Utf8}, orient="row")
    terms = pl.DataFrame([(k, t) for k, r in enumerate(rules) for t in r.lin.ids],
                         schema={"rule": pl.UInt32, "term": pl.Utf8}, orient="row")
    return list(groups.values()), meta, terms


def residuals(con: duckdb.DuckDBPyConnection, source: str, rules: list[Rule], reports: pl.DataFrame) -> pl.DataFrame:
    """Per rule × report × subject: actual (lhs), expected (rhs), blanks, cells found, arity and
    operator; each report's rules are those of its template. `reports`: report_id, template."""
    groups, meta, _ = _tables(rules)
    con.register("_rules", meta.drop("check_id", "severity").to_arrow())
    con.register("_coef", coefficient_table(groups))
    con.register("_reports", reports.select("report_id", "template").to_arrow())
    try:
        return con.sql(
            f"select m.rule, s.report_id, s.subject, s.lhs + m.kl as actual, s.rhs + m.kr as expected, "
            f"s.nulls, s.n, m.arity, m.op, s.nulls = 0 and s.n = m.arity as assessable "
            f"from ({residuals_sql(source, groups)}) s join _reports r using (report_id) "
            f"join _rules m on m.grp = s.grp and m.template = r.template "
            f"where m.subjects is null or list_contains(m.subjects, s.subject)").pl()
    finally:
        for name in ("_rules", "_reports", "_coef"):
            con.unregister(name)


def run_linear(con: duckdb.DuckDBPyConnection, source: str, rules: list[Rule], subject_labels: dict[str, str],
               reports: pl.DataFrame, missing_message: pl.Expr | None = None) -> list[pl.DataFrame]:
    """Evaluate linear rules over the cells `source` (SQL: report_id, term, subject, value) for
    `reports` (report_id, template). Evidence and messages are built for findings only."""
    if not rules or reports.height == 0:
        return []
    _, meta, terms = _tables(rules)
    agg = residuals(con, source, rules, reports)
    if agg.height == 0:
        return []
    ok = pl.when(pl.col("assessable")).then(holds(pl.col("op"), pl.col("actual") - pl.col("expected")))
    failed_idx = failures_by_pandera(agg, {"linear rules": ok}).get("linear rules", set())
    failed = pl.zeros(agg.height, dtype=pl.Boolean, eager=True)
    if failed_idx:
        failed = failed.scatter(sorted(failed_idx), True)
    agg = agg.with_columns(pl.when(~pl.col("assessable")).then(pl.lit("not_assessable"))
                           .when(failed).then(pl.lit("fail")).otherwise(pl.lit("pass")).alias("status"))
    passed = agg.filter(pl.col("status") == "pass").join(meta.select("rule", "check_id", "severity"), on="rule").select(
        "report_id", "check_id", "severity", "status", "subject", "expected", "actual",  # the view says 符合：…
        (pl.col("actual") - pl.col("expected")).alias("difference"), pl.lit(None, dtype=pl.Utf8).alias("cells"),
        pl.lit(None, dtype=pl.Utf8).alias("message"))
    findings = agg.filter(pl.col("status") != "pass")
    return [passed, *_findings(con, source, rules, findings, terms, subject_labels, missing_message)]


def _findings(con: duckdb.DuckDBPyConnection, source: str, rules: list[Rule], findings: pl.DataFrame,
              terms: pl.DataFrame, subject_labels: dict[str, str], missing_message: pl.Expr | None) -> list[pl.DataFrame]:
    if findings.height == 0:
        return []
    keys = ["rule", "report_id", "subject"]
    con.register("_found", findings.select("report_id").unique().to_arrow())
    try:
        read = con.sql(f"select * from ({source}) where report_id in (select report_id from _found)").pl()
    finally:
        con.unregister("_found")
    evidence = (read.join(findings.select(keys), on=["report_id", "subject"]).join(terms, on=["rule", "term"])
                .sort("term").group_by(keys)
                .agg(pl.concat_str([pl.col("term"), pl.lit("="), fmt_num(pl.col("value"))]).str.join("; ").alias("cells")))
    findings = findings.join(evidence, on=keys, how="left")
    out = []
    na = pl.col("status") == "not_assessable"
    for k, r in enumerate(rules):
        rest = findings.filter(pl.col("rule") == k)
        if rest.height == 0:
            continue
        fields = {"subject": pl.col("subject"),
                  "subject_label": pl.col("subject").replace_strict(subject_labels, default=pl.col("subject")),
                  "expected": fmt_num(pl.col("expected")), "actual": fmt_num(pl.col("actual")),
                  "difference": fmt_num(pl.col("actual") - pl.col("expected")), "cells": pl.col("cells").fill_null("")}
        incomplete = pl.col("n") < pl.col("arity")
        na_message = render("无法判断：涉及的单元格有空白或无法读取（{cells}）", fields)
        if missing_message is not None:
            na_message = pl.when(incomplete).then(missing_message).otherwise(na_message)
        found = rest.select(
            "report_id", "subject", "status",
            pl.when(na).then(None).otherwise(pl.col("expected")).alias("expected"),
            pl.when(na).then(None).otherwise(pl.col("actual")).alias("actual"),
            pl.when(na).then(None).otherwise(pl.col("actual") - pl.col("expected")).alias("difference"),
            "cells",
            pl.when(na).then(na_message).otherwise(render(r.spec.message or r.spec.title, fields)).alias("message"))
        out.append(finish(found, r.spec))
    return out

"""Shaping `check_results` rows: number formatting, message templates, the column order."""

from __future__ import annotations

import re

import polars as pl

from checks.spec import CheckSpec
from gkqc.cells import MAX_EXACT
from gkqc.lake import SCHEMAS

RESULT_COLS = [c for c in SCHEMAS["check_results"].names if c != "run_id"]  # a check's rows; the run stamps its id
PASSED = pl.lit(None, dtype=pl.Utf8)  # a plain pass: the check_results view says 符合：<title>
_FIELD = re.compile(r"\{(\w+)\}")


def fmt_num(e: pl.Expr) -> pl.Expr:
    """A number as a report would print it; null as 空 (a whole number too large for an integer as a float)."""
    return (pl.when(e.is_null()).then(pl.lit("空"))
            .when((e == e.floor()) & (e.abs() < MAX_EXACT)).then(e.cast(pl.Int64, strict=False).cast(pl.Utf8))
            .otherwise(e.round(4).cast(pl.Utf8)))


def render(template: str, fields: dict[str, pl.Expr]) -> pl.Expr:
    """A message template with {field} placeholders as one vectorised string expression."""
    parts = _FIELD.split(template)
    exprs = []
    for k, p in enumerate(parts):
        if k % 2 == 0:
            if p:
                exprs.append(pl.lit(p))
        else:
            exprs.append(fields.get(p, pl.lit("{" + p + "}")))
    return pl.concat_str(exprs) if exprs else pl.lit("")


def finish(df: pl.DataFrame, spec: CheckSpec) -> pl.DataFrame:
    return df.with_columns(pl.lit(spec.id).alias("check_id"), pl.lit(spec.severity).alias("severity")) \
        .select([pl.col(c).cast(pl.Float64) if c in ("expected", "actual", "difference") else pl.col(c)
                 for c in RESULT_COLS])


NULL_F = pl.lit(None, dtype=pl.Float64)
NULL_S = pl.lit(None, dtype=pl.Utf8)


def rows(df: pl.DataFrame, *, subject: pl.Expr | str = "", status: pl.Expr | str, message: pl.Expr | str,
         expected: pl.Expr = NULL_F, actual: pl.Expr = NULL_F, cells: pl.Expr = NULL_S) -> pl.DataFrame:
    """A result per row of `df` (its report_id), before `finish` names the check."""
    lit = lambda v: pl.lit(v) if isinstance(v, str) else v  # noqa: E731
    return df.select(
        "report_id", lit(subject).alias("subject"), lit(status).alias("status"), expected.alias("expected"),
        actual.alias("actual"), (actual - expected).alias("difference"), cells.alias("cells"),
        lit(message).alias("message"))


def report_rows(report_ids: pl.DataFrame, status: str, message: str | pl.Expr) -> pl.DataFrame:
    """One result per report (no subject, no numbers)."""
    return rows(report_ids, status=status, message=message)


def empty_results() -> pl.DataFrame:
    return pl.DataFrame(schema={c: pl.from_arrow(SCHEMAS["check_results"].empty_table()).schema[c]
                                for c in RESULT_COLS})

"""One DataFrameModel per lake table: types, nullability, allowed ids and statuses.

Value ranges (counts ≥ 0, whole numbers) are *findings* about a report, not type
errors, so they live in the check suite (A4, R4, P4) rather than here.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl
import pyarrow as pa_arrow
from pandera.api.polars.types import PolarsData
from pandera.config import ValidationDepth, config_context

from gkqc.templates import TEMPLATES, registry

_REG = registry()
CELL_STATUSES = ["ok", "blank", "unreadable", "missing"]
PARSE_STATUSES = ["parsed", "partial", "not_a_report", "unreadable"]
FORMATS = ["pagetext", "pdftext", "html", "pdf", "docx", "empty", "binary", "unknown"]
RESULT_STATUSES = ["pass", "fail", "not_assessable"]
SEVERITIES = ["error", "warning", "info"]


def _value_iff_read(data: PolarsData) -> pl.LazyFrame:
    """A value is present exactly when the cell was read as a number."""
    return data.lazyframe.select(pl.col("value").is_not_null() == (pl.col("status") == "ok"))


class Documents(pa.DataFrameModel):
    source_path: str
    doc_id: str = pa.Field(str_length={"min_value": 32, "max_value": 32})
    size_bytes: pl.Int64 = pa.Field(ge=0)
    format: str = pa.Field(isin=FORMATS)
    encoding: str = pa.Field(nullable=True)
    template: str = pa.Field(nullable=True, isin=[*TEMPLATES, "legacy"])
    parse_status: str = pa.Field(isin=PARSE_STATUSES)
    parse_error: str = pa.Field(nullable=True)
    report_id: str = pa.Field(nullable=True)
    ingested_at: pl.Datetime("us")
    run_id: str

    class Config:
        strict = True


class Reports(pa.DataFrameModel):
    report_id: str = pa.Field(unique=True)
    doc_id: str
    office: str = pa.Field(nullable=True)
    office_source: str = pa.Field(nullable=True)
    region: str = pa.Field(nullable=True)
    office_kind: str = pa.Field(nullable=True, isin=["government", "department", "township", "other"])
    report_year: pl.Int32 = pa.Field(nullable=True, in_range={"min_value": 1990, "max_value": 2100})
    year_source: str = pa.Field(nullable=True)
    template: str = pa.Field(nullable=True, isin=[*TEMPLATES, "legacy"])
    template_source: str = pa.Field(nullable=True)
    title: str = pa.Field(nullable=True)
    published_at: pl.Date = pa.Field(nullable=True)
    published_source: str = pa.Field(nullable=True)
    publisher: str = pa.Field(nullable=True)
    index_no: str = pa.Field(nullable=True)
    issuer_meta: str = pa.Field(nullable=True)
    notes: str = pa.Field(nullable=True)
    ingested_at: pl.Datetime("us")
    run_id: str

    class Config:
        strict = True


class Sections(pa.DataFrameModel):
    report_id: str
    section_no: str = pa.Field(isin=sorted(_REG.ids("section")))
    heading: str
    position: pl.Int32 = pa.Field(ge=1, le=6)
    line: pl.Int32 = pa.Field(nullable=True)
    text: str

    class Config:
        strict = True


class _Cells(pa.DataFrameModel):
    report_id: str
    value: float = pa.Field(nullable=True)
    raw: str = pa.Field(nullable=True)
    status: str = pa.Field(isin=CELL_STATUSES)
    reason: str = pa.Field(nullable=True)
    line: pl.Int32 = pa.Field(nullable=True)

    @pa.dataframe_check(name="value_iff_read", error="value 非空当且仅当 status=ok（空白不得记为0）")
    @classmethod
    def value_iff_read(cls, data: PolarsData) -> pl.LazyFrame:
        return _value_iff_read(data)


class ActiveDisclosure(_Cells):
    block_id: str = pa.Field(isin=sorted(_REG.ids("block")))
    row_id: str = pa.Field(isin=sorted(_REG.ids("active_row")))
    metric_id: str = pa.Field(isin=sorted(_REG.ids("active_metric")))
    unit: str = pa.Field(nullable=True, isin=["万元", "元"])

    class Config:
        strict = True


class Applications(_Cells):
    row_id: str = pa.Field(isin=sorted(_REG.ids("app_row")))
    column_id: str = pa.Field(isin=sorted(_REG.ids("app_column")))

    class Config:
        strict = True


class Reviews(_Cells):
    group_id: str = pa.Field(isin=sorted(_REG.ids("review_group")))
    metric_id: str = pa.Field(isin=sorted(_REG.ids("review_metric")))

    class Config:
        strict = True


class CheckResults(pa.DataFrameModel):
    report_id: str
    check_id: str
    severity: str = pa.Field(isin=SEVERITIES)
    status: str = pa.Field(isin=RESULT_STATUSES)
    subject: str
    expected: float = pa.Field(nullable=True)
    actual: float = pa.Field(nullable=True)
    difference: float = pa.Field(nullable=True)
    cells: str = pa.Field(nullable=True)
    message: str = pa.Field(nullable=True)  # null for a plain pass: the view reads 符合：<title>
    run_id: str

    class Config:
        strict = True


SCHEMA_BY_TABLE: dict[str, type[pa.DataFrameModel]] = {
    "documents": Documents, "reports": Reports, "sections": Sections, "active_disclosure": ActiveDisclosure,
    "applications": Applications, "reviews": Reviews, "check_results": CheckResults,
}


def validate_tables(tables: dict[str, pa_arrow.Table | pl.DataFrame]) -> list[dict[str, str]]:
    """Validate a whole batch (Arrow tables or polars frames); return schema violations (never
    raises on bad rows)."""
    problems: list[dict[str, str]] = []
    with config_context(validation_depth=ValidationDepth.SCHEMA_AND_DATA):
        for name, table in tables.items():
            frame = table if isinstance(table, pl.DataFrame) else pl.from_arrow(table)
            if frame.height == 0:
                continue
            try:
                SCHEMA_BY_TABLE[name].validate(frame, lazy=True)
            except pa.errors.SchemaErrors as e:
                fc = e.failure_cases
                for rec in fc.head(50).iter_rows(named=True):
                    problems.append({"table": name, "column": str(rec.get("column")), "check": str(rec.get("check")),
                                     "failure_case": str(rec.get("failure_case")), "index": str(rec.get("index"))})
    return problems

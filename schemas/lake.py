"""One DataFrameModel per lake table: each column declared once, with its type, constraints and a
description (Chinese / English). The lake's Arrow schemas and the warehouse's column comments are
generated from these models; the lake validates every part against them as it writes it
(`gkqc.lake.Lake.write`), and keeps what they refuse, listed in the run's summary.

Ids (rows, columns, blocks, sections…) are checked against the template registry in force when
the batch is validated. Value ranges (counts ≥ 0, whole numbers) are *findings* about a report,
not type errors, so they live in the check suite (A4, R4, P4) rather than here.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl
import pyarrow as pa_arrow
from pandera.api.polars.types import PolarsData
from pandera.config import ValidationDepth, config_context

from gkqc.cells import AMOUNT_UNITS, STATUSES, VALUED
from gkqc.record import PARSE_STATUSES
from gkqc.templates import registry

CELL_STATUSES = list(STATUSES)
FORMATS = ["pagetext", "pdftext", "html", "pdf", "scanned_pdf", "docx", "doc", "wps", "rtf", "markdown", "crawl",
           "empty", "binary", "unknown"]
RESULT_STATUSES = ["pass", "fail", "not_assessable"]
SEVERITIES = ["error", "warning", "info"]
OFFICE_KINDS = {"government": "政府本级", "department": "部门", "township": "乡镇", "other": "其他机关"}  # value -> its name
OFFICE_MATCHES = ("normalised", "alias", "path", "proposal", "unmatched", "unknown", "ambiguous")  # see gkqc.offices


def F(description: str, **kw) -> object:  # noqa: N802 - reads as a column declaration
    return pa.Field(description=description, **kw)


def Id(description: str, cell: str) -> object:  # noqa: N802 - reads as a column declaration
    """An id column of a cell table, read from the reader's `Cell.<cell>`. A cell's key joins its table's
    id columns in declaration order; the registry's `axes` of the table say what kind of id each is."""
    return pa.Field(description=description, metadata={"cell": cell, "id": True})


def _known(data: PolarsData, columns: dict[str, str]) -> pl.LazyFrame:
    """Each column's ids are ids of its kind in the registry in force (any template)."""
    reg = registry()
    return data.lazyframe.select(pl.all_horizontal([pl.col(c).is_in(sorted(reg.ids(k))) for c, k in columns.items()]))


class Documents(pa.DataFrameModel):
    source_path: str = F("文件在收件箱中的路径（压缩包内文件为 包!成员） / Path under the inbox (archive!member for zip members)")
    doc_id: str = F("文件内容哈希，内容相同的文件共用 / Content hash; identical files share it",
                    str_length={"min_value": 32, "max_value": 32})
    size_bytes: pl.Int64 = F("文件大小（字节） / File size in bytes", ge=0)
    format: str = F("识别出的格式 / Detected form", isin=FORMATS)
    encoding: str = F("识别出的文字编码 / Detected text encoding", nullable=True)
    template: str = F("报告模板（见 template_labels） / Template of the report", nullable=True)
    parse_status: str = F("解析状态：parsed/partial/not_a_report/unreadable / Parse status", isin=list(PARSE_STATUSES))
    parse_error: str = F("未完全读取的原因（指明部分、行、列） / Why it was not fully read (section, row, cell)",
                         nullable=True)
    report_id: str = F("对应的报告版本 / The report version this file holds", nullable=True)
    ingested_at: pl.Datetime("us") = F("入库时间 / When it was ingested")
    run_id: str = F("入库批次 / Run that ingested it")

    class Config:
        strict = True


class Reports(pa.DataFrameModel):
    report_id: str = F("报告版本标识（解析内容哈希） / Report version id (hash of parsed content)", unique=True)
    doc_id: str = F("首次读到该版本的文件 / First file this version was read from")
    office: str = F("报告机关 / Issuing office", nullable=True)
    office_source: str = F("机关名称的来源（标题/落款/元数据） / Where the office name came from", nullable=True)
    region: str = F("所属地区 / Region of the office", nullable=True)
    office_kind: str = F("机关类别：government 政府本级 / department 部门 / township 乡镇 / other / Office kind",
                         nullable=True, isin=list(OFFICE_KINDS))
    report_year: pl.Int32 = F("报告年度 / Report year", nullable=True, in_range={"min_value": 1990, "max_value": 2100})
    year_source: str = F("年度的来源 / Where the year came from", nullable=True)
    template: str = F("模板 / Template", nullable=True)
    template_source: str = F("判断模板的依据 / How the template was told", nullable=True)
    template_variant: str = F("报告印出的模板变体（如（六）其他处理印作一行），无则为空 / Printed variant of the template",
                              nullable=True)
    title: str = F("标题 / Title", nullable=True)
    published_at: pl.Date = F("发布日期 / Publication date", nullable=True)
    published_source: str = F("发布日期的来源（元数据/PubDate/页面/落款；页面印有发布日期而无法确定时为 发布日期无法确定） / Where the date "
                              "came from (发布日期无法确定: printed but not told apart)", nullable=True)
    publisher: str = F("发布单位（落款或发文机构） / Publishing body (signature or issuer)", nullable=True)
    index_no: str = F("索引号 / Index number", nullable=True)
    issuer_meta: str = F("元数据中的发文机构 / Issuer in the page metadata", nullable=True)
    notes: str = F("解析备注 / Parser notes", nullable=True)
    ingested_at: pl.Datetime("us") = F("入库时间 / When it was ingested")
    run_id: str = F("入库批次 / Run that ingested it")

    class Config:
        strict = True

    @pa.dataframe_check(name="known_template", error="模板不在模板登记表中 (template not in the registry)")
    @classmethod
    def known_template(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("template").is_in(registry().all_templates) | pl.col("template").is_null())


class Sections(pa.DataFrameModel):
    report_id: str = F("报告版本 / Report version")
    section_no: str = F("部分序号（一、二……） / Section numeral")
    heading: str = F("印刷的标题 / Heading as printed")
    position: pl.Int32 = F("出现顺序 / Order of appearance", ge=1, le=len(registry().sections))
    line: pl.Int32 = F("标题所在行 / Source line of the heading", nullable=True)
    text: str = F("正文 / Text")

    class Config:
        strict = True

    @pa.dataframe_check(name="known_section", error="部分序号不在模板登记表中")
    @classmethod
    def known_section(cls, data: PolarsData) -> pl.LazyFrame:
        return _known(data, {"section_no": "section"})


class _Cells(pa.DataFrameModel):
    report_id: str = F("报告版本 / Report version")
    value: float = F("数值（空白为 NULL，不记为 0） / Value (blank is NULL, never 0)", nullable=True)
    raw: str = F("原文 / Raw text as printed", nullable=True)
    status: str = F("单元格状态：ok/blank/unreadable/missing，ocr（OCR 读数）/inferred（按本行合计推定拆分） / Cell status",
                    isin=CELL_STATUSES)
    reason: str = F("空白或无法读取的原因；ocr/inferred/按列序读取时说明如何读出 / Why blank or unreadable, or how it was read",
                    nullable=True)
    line: pl.Int32 = F("原文所在行 / Source line", nullable=True)
    confidence: float = F("OCR 置信度（0–1，仅 status=ocr） / OCR confidence (status ocr only)", nullable=True,
                          in_range={"min_value": 0.0, "max_value": 1.0})

    @pa.dataframe_check(name="value_iff_read", error="value 非空当且仅当 status 为 ok/ocr/inferred（空白不得记为0）")
    @classmethod
    def value_iff_read(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("value").is_not_null() == pl.col("status").is_in(list(VALUED)))

    @pa.dataframe_check(name="confidence_iff_ocr", error="confidence 非空当且仅当 status=ocr")
    @classmethod
    def confidence_iff_ocr(cls, data: PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("confidence").is_not_null() == (pl.col("status") == "ocr"))

    @pa.dataframe_check(name="known_ids", error="表块、行、组、列或指标标识不在模板登记表中")
    @classmethod
    def known_ids(cls, data: PolarsData) -> pl.LazyFrame:
        table = next(t for t, m in CELL_MODELS.items() if m is cls)
        return _known(data, dict(zip(CELL_IDS[table], registry().axes(table), strict=True)))


class ActiveDisclosure(_Cells):
    block_id: str = Id("表块（第二十条第x项） / Block (article 20 item)", cell="block_id")
    row_id: str = Id("行标识 / Row id", cell="row_id")
    metric_id: str = Id("列标识 / Metric id", cell="col_id")
    unit: str = F("金额印出时所用的单位（value 换算为模板登记表所定的单位，国家模板为万元） / The unit the amount was printed in "
                  "(value is in the registry's unit: 万元 in the national templates)",
                  nullable=True, isin=list(AMOUNT_UNITS))

    class Config:
        strict = True


class Applications(_Cells):
    row_id: str = Id("行标识 / Row id", cell="row_id")
    column_id: str = Id("列标识（申请人类别） / Column id (applicant kind)", cell="col_id")

    class Config:
        strict = True


class Reviews(_Cells):
    group_id: str = Id("组标识（名称见 template_labels 的 review_group） / Group id (labels: template_labels)", cell="block_id")
    metric_id: str = Id("指标标识（名称见 template_labels 的 review_metric） / Metric id (labels: template_labels)",
                        cell="col_id")

    class Config:
        strict = True


def _id_columns(model: type[pa.DataFrameModel]) -> dict[str, dict]:
    """A cell table's id columns (name -> metadata), in the order a cell's key joins them."""
    return {n: c.metadata for n, c in model.to_schema().columns.items() if (c.metadata or {}).get("id")}


# the registry's table kinds -> the lake's cell tables, in the order a report prints them
CELL_TABLES = {"active": "active_disclosure", "applications": "applications", "reviews": "reviews"}
CELL_KINDS = {lake: kind for kind, lake in CELL_TABLES.items()}  # lake table -> the registry's table kind
CELL_MODELS: dict[str, type[_Cells]] = {"active_disclosure": ActiveDisclosure, "applications": Applications,
                                        "reviews": Reviews}
# lake table -> the id columns that name a cell, in the order its key joins them ("row.column")
CELL_IDS: dict[str, tuple[str, ...]] = {t: tuple(_id_columns(m)) for t, m in CELL_MODELS.items()}


def cell_fields(table: str) -> dict[str, str]:
    """Each column of a cell table but report_id -> the reader's `Cell` attribute it is filled from."""
    cols = CELL_MODELS[table].to_schema().columns
    return {n: (c.metadata or {}).get("cell", n) for n, c in cols.items() if n != "report_id"}


def cell_key_sql(table: str, alias: str = "") -> str:
    """SQL of a cell's key ("block.row.metric", "row.column", "group.metric") in lake table `table`."""
    return " || '.' || ".join(f"{alias}{c}" for c in CELL_IDS[table])


class Offices(pa.DataFrameModel):
    office: str = F("机关名称 / Office")
    region: str = F("所属地区 / Region", nullable=True)
    office_kind: str = F("机关类别 / Office kind", nullable=True)
    aliases: str = F("别名（报告上可能印的其他名称，以 | 分隔） / Other names reports print, separated by |",
                     nullable=True)
    paths: str = F("未印机关名称的报告按文件路径归属（收件箱内路径的通配模式，以 | 分隔） / Path patterns "
                   "giving reports that print no office this office", nullable=True)

    class Config:
        strict = True


class ReportOffices(pa.DataFrameModel):
    report_id: str = F("报告版本（报告上所印名称与名录机关名称完全一致的不在此表） / Report version "
                       "(reports printing a registry name exactly have no row)", unique=True)
    office_printed: str = F("报告上印的机关名称（未印为空） / Office name as printed", nullable=True)
    office: str = F("名录中的机关（未能确定为空，仍按所印名称） / The registry office it is, when found", nullable=True)
    office_match: str = F("如何确定：normalised 规范化后一致 / alias 别名 / path 按路径 / proposal 近似待确认（未合并） / "
                          "unmatched 名录中无 / unknown 未印名称 / ambiguous 可能是名录中多个机关（机关留空） / How the office was found", isin=list(OFFICE_MATCHES))
    office_proposed: str = F("近似的名录机关，待用户确认，未合并 / Near registry office proposed, not applied",
                             nullable=True)
    office_note: str = F("说明 / Why", nullable=True)

    class Config:
        strict = True


class CheckResults(pa.DataFrameModel):
    report_id: str = F("报告版本 / Report version")
    check_id: str = F("检查编号（A1、R2、D1…） / Check id of the catalogue")
    severity: str = F("严重程度：error/warning/info / Severity", isin=SEVERITIES)
    status: str = F("结果：pass/fail/not_assessable / Result", isin=RESULT_STATUSES)
    subject: str = F("检查对象（列、行、组、部分；整份报告为空） / Subject (column, row, group, section; empty for the whole report)")
    expected: float = F("期望值 / Expected value", nullable=True)
    actual: float = F("实际值 / Actual value", nullable=True)
    difference: float = F("差额（实际 − 期望） / Difference (actual − expected)", nullable=True)
    cells: str = F("涉及的单元格及其数值 / Cells involved and their values", nullable=True)
    message: str = F("中文说明（单纯通过为空，视图读作 符合：<检查名称>） / Message in Chinese", nullable=True)
    run_id: str = F("检查批次 / Run that evaluated it")

    class Config:
        strict = True


MODELS: dict[str, type[pa.DataFrameModel]] = {
    "documents": Documents, "reports": Reports, "sections": Sections, "active_disclosure": ActiveDisclosure,
    "applications": Applications, "reviews": Reviews, "offices": Offices, "check_results": CheckResults,
    "report_offices": ReportOffices,
}

_ARROW = {pl.Utf8: pa_arrow.string(), pl.Float64: pa_arrow.float64(), pl.Int32: pa_arrow.int32(),
          pl.Int64: pa_arrow.int64(), pl.Date: pa_arrow.date32(), pl.Datetime("us"): pa_arrow.timestamp("us")}


def arrow_schema(model: type[pa.DataFrameModel]) -> pa_arrow.Schema:
    """The Arrow schema the lake stores a table in, from its model (columns in declaration order)."""
    cols = model.to_schema().columns
    return pa_arrow.schema([(name, _ARROW[col.dtype.type]) for name, col in cols.items()])


def descriptions() -> dict[str, dict[str, str]]:
    """table -> column -> description, for the warehouse's column comments."""
    return {t: {n: c.description for n, c in m.to_schema().columns.items() if c.description}
            for t, m in MODELS.items()}


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
                MODELS[name].validate(frame, lazy=True)
            except pa.errors.SchemaErrors as e:
                fc = e.failure_cases
                for rec in fc.head(50).iter_rows(named=True):
                    problems.append({"table": name, "column": str(rec.get("column")), "check": str(rec.get("check")),
                                     "failure_case": str(rec.get("failure_case")), "index": str(rec.get("index"))})
    return problems

"""The report record every reader produces: metadata, sections and every cell."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

# Parse statuses of a collected file.
PARSED, PARTIAL, NOT_A_REPORT, UNREADABLE = PARSE_STATUSES = ("parsed", "partial", "not_a_report", "unreadable")


@dataclass(slots=True)
class Cell:
    table: str  # active | applications | reviews
    block_id: str | None  # active: block id; reviews: group id; applications: None
    row_id: str  # applications/active: row id; reviews: group id
    col_id: str  # applications: column id; active/reviews: metric id
    raw: str | None
    value: float | None
    status: str  # ok | blank | unreadable | missing | ocr | inferred (gkqc.cells)
    reason: str | None = None  # why blank/unreadable, or how an ocr/inferred/by-position value was read
    unit: str | None = None
    line: int | None = None
    confidence: float | None = None  # status ocr: the OCR engine's confidence, 0–1


@dataclass(slots=True)
class Section:
    no: str
    heading: str
    text: str
    line: int
    position: int  # order of appearance, 1-based


TEMPLATE_PRESUMED = "按报告年度推定"  # template_source of a report whose tables told no template: the year's
# a report's published_source when its page prints a publication date the reader cannot tell apart (published_at
# is then NULL): D2 is not assessable, not failed
PUBLISHED_UNKNOWN = "发布日期无法确定"


@dataclass(slots=True)
class Report:
    title: str | None = None
    report_year: int | None = None
    year_source: str | None = None
    template: str | None = None
    template_source: str | None = None
    template_variant: str | None = None  # a printed variant of the template (registry `variants`)
    published_at: date | None = None
    published_source: str | None = None
    office: str | None = None
    office_source: str | None = None
    office_kind: str | None = None
    region: str | None = None
    publisher: str | None = None
    issuer: str | None = None  # the issuing body the page's metadata names (发文机构, 发布机构 or 发文单位)
    meta: dict[str, str] = field(default_factory=dict)
    sections: list[Section] = field(default_factory=list)
    cells: list[Cell] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def printed_form(self) -> str | None:
        """The form its tables are printed in: the variant, else the template (the warehouse's
        `reports.printed_form`; the checks' `frames.PRINTED_FORM`)."""
        return self.template_variant or self.template


@dataclass(slots=True)
class ParseResult:
    format: str
    encoding: str | None
    status: str
    reason: str | None
    report: Report | None = None

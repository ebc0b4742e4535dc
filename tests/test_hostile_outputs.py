"""Hostile text from collected files stays inert in the scorecard outputs: escaped in HTML, plain text in Excel."""

from __future__ import annotations

import re
from datetime import date

import lxml.html
import openpyxl
import pytest

from gkqc.outputs.scorecard import ScorecardData, write_outputs

HOSTILE = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "javascript:alert(1)",
           '=HYPERLINK("http://x","y")', "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1", "\n@SUM(A1)",
           "http://evil.example/x", "mailto:a@b.c", "external:c:\\x.xlsx", "' onmouseover='alert(1)"]
LONG = "长" * 40_000
EXCEL_MAX_CHARS = 32_767  # Excel's limit for one cell


def hostile_data() -> ScorecardData:
    """One region, office, finding and unread file per payload, every text field holding it."""
    regions, offices, findings, files = [], [], [], []
    for i, h in enumerate(HOSTILE):
        regions.append(dict(region=h, report_year=2020, offices_expected=1, reports_found=1, on_time_rate=1.0,
                            error_free_rate=0.0, mean_score=90.0))
        offices.append(dict(office=h, region=h, office_kind=h, report_year=2020, score=90, grade=h, on_time=True,
                            errors=1, warnings=0, rank_in_region=1, published_at=date(2021, 1, 31), report_id=h))
        findings.append(dict(region=h, office=h, report_year=2020, check_id=h, check_title=h, severity=h,
                             subject=h, expected=1.0, actual=2.0, difference=1.0,
                             message=LONG if i == 0 else h, cells=h, report_id=h))
        files.append(dict(source_path=f"{h}.txt", format=h, encoding=h, parse_status=h, parse_error=h))
    return ScorecardData(regions, offices, findings, files, len(findings))


def ooxml_text(v: str) -> str:
    """A cell string with OOXML's _xHHHH_ escapes decoded (Excel decodes them; openpyxl leaves some)."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m[1], 16)), v)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    site, workbook = write_outputs(hostile_data(), tmp_path_factory.mktemp("hostile"))
    return sorted(site.parent.glob("*.html")), workbook


def test_html_escapes_every_field(outputs):
    pages, _ = outputs
    assert len(pages) == len(HOSTILE) + 1 and all(re.fullmatch(r"index|region-[0-9a-f]{10}", p.stem) for p in pages)
    text = ""
    for page in pages:
        raw = page.read_text(encoding="utf-8")
        assert "<script" not in raw and "<img" not in raw
        doc = lxml.html.document_fromstring(raw)
        assert not doc.xpath("//script | //img | //iframe | //object | //embed")
        assert not [a for el in doc.iter() if isinstance(el.tag, str) for a in el.attrib if a.startswith("on")]
        assert all(re.fullmatch(r"index\.html|region-[0-9a-f]{10}\.html", h) for h in doc.xpath("//a/@href"))
        text += doc.text_content()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[0].read_text(encoding="utf-8")
    for h in HOSTILE:
        assert h.strip() in text


def test_excel_cells_are_plain_text(outputs):
    _, workbook = outputs
    wb = openpyxl.load_workbook(workbook)
    cells = [c for ws in wb for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f" or c.hyperlink is not None]
    strings = {ooxml_text(c.value) for c in cells if c.data_type == "s"}
    assert set(HOSTILE) <= strings and {f"{h}.txt" for h in HOSTILE} <= strings
    offices = wb["机关评分"]
    assert offices["E2"].data_type == "n" and offices["E2"].value == 90  # numbers stay numbers
    long = next(c.value for c in wb["问题清单"]["K"] if c.value and c.value.startswith("长"))
    assert len(long) <= EXCEL_MAX_CHARS and long.startswith(LONG[:30_000]) and "已截断" in long

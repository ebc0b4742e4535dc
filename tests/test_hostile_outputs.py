"""Hostile text from collected files stays inert in every output: escaped in the site, plain text in
every workbook (the scorecard and each 整改通知), never a formula or a link."""

from __future__ import annotations

import re
import zipfile
from datetime import date

import lxml.html
import openpyxl
import pytest
from workspace import HOSTILE_REGION, MARKERS, make_inbox, run

from gkqc.notices import write_notices
from gkqc.outputs.excel import write_excel
from gkqc.outputs.scorecard import ScorecardData, publish

HOSTILE = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "javascript:alert(1)",
           '=HYPERLINK("http://x","y")', "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1", "\n@SUM(A1)",
           "http://evil.example/x", "mailto:a@b.c", "external:c:\\x.xlsx", "' onmouseover='alert(1)"]
LONG = "长" * 40_000
EXCEL_MAX_CHARS = 32_767  # Excel's limit for one cell
PAGE = re.compile(r"(index|offices|region-[0-9a-f]{10}|office-[0-9a-f]{12}(-\d{4})?)\.html")


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
                             message=LONG if i == 0 else h, cells=h, report_id=h, decision=None,
                             decision_reason=h, decided_by=h))
        files.append(dict(source_path=f"{h}.txt", format=h, encoding=h, parse_status=h, parse_error=h))
    return ScorecardData(regions, offices, findings, files, len(findings))


def ooxml_text(v: str) -> str:
    """A cell string with OOXML's _xHHHH_ escapes decoded (Excel decodes them; openpyxl leaves some)."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m[1], 16)), v)


def inert_cells(path) -> set[str]:
    """Every string of a workbook, after checking that no cell is a formula or a link."""
    wb = openpyxl.load_workbook(path)
    cells = [c for ws in wb for row in ws.iter_rows() for c in row if c.value is not None]
    assert not [c.coordinate for c in cells if c.data_type == "f" or c.hyperlink is not None], path
    return {ooxml_text(c.value) for c in cells if c.data_type == "s"}


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    """A published warehouse whose reports carry hostile office names and titles (and a hostile region)."""
    root = tmp_path_factory.mktemp("hostile")
    wh = root / "wh"
    run(make_inbox(root, offices=8, years=(2021, 2022)), wh, "t1")
    publish(wh)
    from warehouse.access import connect_readonly

    with connect_readonly(wh) as con:
        names = con.execute("""select office, title from reports where office like '%<%' or office like '=%'""").fetchall()
    assert len(names) == len(MARKERS)
    return wh, names


def test_site_escapes_every_hostile_name(published):
    wh, names = published
    pages = sorted((wh / "scorecards" / "site").glob("*.html"))
    assert all(PAGE.fullmatch(p.name) for p in pages) and len(pages) > 20
    text = ""
    for page in pages:
        raw = page.read_text(encoding="utf-8")
        assert "<img" not in raw and "<script>alert" not in raw
        doc = lxml.html.document_fromstring(raw)
        scripts = doc.xpath("//script")
        assert [(s.get("src"), s.text) for s in scripts] == [("site.js", None)]  # the site's own, nothing inline
        assert "default-src 'none'" in doc.xpath('//meta[@http-equiv="Content-Security-Policy"]/@content')[0]
        assert not doc.xpath("//img | //iframe | //object | //embed | //form | //base")
        assert not [a for el in doc.iter() if isinstance(el.tag, str) for a in el.attrib if a.lower().startswith("on")]
        hrefs = doc.xpath("//a/@href")
        assert all(PAGE.fullmatch(h.split("#")[0]) or re.fullmatch(r"#[fc]-[\w.-]+", h) for h in hrefs), page
        text += doc.text_content()
    for office, title in names:
        assert office in text and title in text
    assert HOSTILE_REGION in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in (wh / "scorecards" / "site" / "offices.html").read_text(encoding="utf-8")


def test_every_workbook_holds_hostile_names_as_text(published, tmp_path):
    wh, names = published
    strings = inert_cells(wh / "scorecards" / "scorecard.xlsx")
    assert {o for o, _ in names} <= strings and HOSTILE_REGION in strings
    summary = write_notices(wh, 2022, tmp_path)
    notified = []
    for path in summary.workbooks:
        assert path.resolve().is_relative_to(tmp_path.resolve())
        assert not set('<>:"\\|?*') & set(path.name)
        strings = inert_cells(path)
        for office, title in names:
            if office in strings:
                assert title in strings
                notified.append(office)
    assert sorted(notified) == sorted(o for o, _ in names)
    for z in summary.zips:
        with zipfile.ZipFile(z) as f:
            assert all("/" not in n and ".." not in n for n in f.namelist())


def test_excel_cells_are_plain_text(tmp_path):
    workbook = write_excel(hostile_data(), tmp_path / "scorecard.xlsx")
    strings = inert_cells(workbook)
    assert set(HOSTILE) <= strings and {f"{h}.txt" for h in HOSTILE} <= strings
    wb = openpyxl.load_workbook(workbook)
    offices = wb["机关评分"]
    assert offices["E2"].data_type == "n" and offices["E2"].value == 90  # numbers stay numbers
    long = next(c.value for c in wb["问题清单"]["K"] if c.value and c.value.startswith("长"))
    assert len(long) <= EXCEL_MAX_CHARS and long.startswith(LONG[:30_000]) and "已截断" in long


@pytest.mark.parametrize("text", ["[/b]教育局", "[red]教育局[/red]", "[link=http://evil.example]x[/link]"])
def test_the_terminal_shows_markup_in_a_report_as_text(text):
    """Rich's markup in an office name or a finding crashed the terminal scorecard ('[/b]': no tag to
    close) or was silently applied ('[red]…' printed without its brackets)."""
    import io

    from rich.console import Console

    from gkqc.outputs.scorecard import print_terminal

    data = hostile_data()
    for rows in (data.regions, data.offices, data.findings):
        for r in rows:
            r.update({k: text for k in ("region", "office", "subject", "message") if k in r})
    data.findings[0]["severity"] = "error"  # (the lake's model allows no other values)
    del data.offices[1:], data.regions[1:], data.findings[1:]
    out = io.StringIO()
    print_terminal(data, Console(file=out, width=300, color_system=None))
    assert out.getvalue().count(text) >= 3  # region, office and finding, each as printed


def test_control_characters_of_offices_csv_reach_no_terminal(tmp_path):
    """An office name in offices.csv carrying ESC sequences (set the title, clear the screen, red) was
    stored as it was and printed raw by `gkqc scorecard`; the same characters in a report read U+FFFD."""
    import io

    from rich.console import Console

    from gkqc.inbox import read_offices
    from gkqc.outputs.scorecard import print_terminal

    name = "阿里地区\x1b]0;owned\x07\x1b[2J\x1b[31m"
    (tmp_path / "offices.csv").write_text(f'office,region,office_kind,aliases\n"{name}",阿里地区,government,阿里地区\n',
                                          encoding="utf-8")
    read = read_offices(tmp_path / "offices.csv").column("office").to_pylist()
    assert read == ["阿里地区\ufffd]0;owned\ufffd\ufffd[2J\ufffd[31m"]
    stored = dict(office=name, region=name, office_kind="government", report_year=2020, score=77, grade="B",
                  on_time=True, errors=7, warnings=1, rank_in_region=1, report_id="r1")  # (as a registry read before)
    region = dict(region=name, report_year=2020, offices_expected=1, reports_found=1, on_time_rate=1.0,
                  error_free_rate=0.0, mean_score=77.0)
    out = io.StringIO()
    print_terminal(ScorecardData([region], [stored], [], [], 0), Console(file=out, width=140, force_terminal=True))
    assert "\x1b]" not in out.getvalue() and "[2J" in out.getvalue() and "\x1b[2J" not in out.getvalue()

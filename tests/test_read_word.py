"""Word attachments: .docx generated here from the HTML layout of both templates (merged header
cells, the vertical 三、本年度办理结果 label, numbers split across runs, labels with line breaks, blank
cells), read cell for cell; .doc and .wps made from them by LibreOffice; Word files that cannot be
read (other Office files, damaged, encrypted, zip bombs, a converter that hangs)."""

from __future__ import annotations

import errno
import io
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import unicodedata
import zipfile
from collections.abc import Callable
from datetime import date
from functools import cache
from pathlib import Path

import docx
import polars as pl
import psutil
import pytest
from builders import spec
from conftest import emptied
from docx.oxml.ns import qn
from test_read_generated import _spare_column, printed
from worddocs import (
    alt_chunk_docx,
    body_xml,
    docx_from_html,
    have_soffice,
    ole_file,
    report_docx,
    set_part,
    soffice_convert,
    word_fib,
)

from gkqc.ingest import ingest
from gkqc.lake import Lake
from gkqc.readers import read_document, tokens_of, word, word_numbering
from gkqc.simulate.render import ReportSpec, render_html
from gkqc.simulate.truth import cell_values
from gkqc.templates import registry

needs_soffice = pytest.mark.skipif(
    not have_soffice(), reason="LibreOffice not installed (apt-get install libreoffice-writer-nogui): .doc/.wps not tested")
TEMPLATES = [("gov2021", 2023), ("gov2019", 2020)]
ORGS = ("commercial", "research", "social_org", "legal_service", "other_org")


def busy(template: str, year: int, seed: int = 1) -> ReportSpec:
    """A report with many applications, so that section 三 holds more than zeros."""
    for k in range(seed, seed + 200):
        s = spec(template, year, seed=k, office="青山市交通运输局")
        if int(s.applications[("new_received", "total")]) > 20:
            return s
    raise AssertionError("no busy seed")


def expected(s: ReportSpec) -> dict[tuple[str, ...], float | None]:
    return {k: v.value for k, v in cell_values(s.template, s.applications, s.active, s.reviews).items()}


def read_back(name: str, data: bytes):
    r = read_document(name, data)
    got = {(c.table, *((c.block_id, c.row_id, c.col_id) if c.table == "active" else (c.row_id, c.col_id))): c
           for c in r.report.cells} if r.report else {}
    return r, got


def assert_every_cell(r, got, s: ReportSpec, fmt: str) -> None:
    assert (r.format, r.status) == (fmt, "parsed"), r.reason
    assert {k: c.value for k, c in got.items()} == expected(s)
    rep = r.report
    assert (rep.office, rep.report_year, rep.template, rep.published_at) == (
        s.office, s.year, s.template, s.published_at)
    assert [x.no for x in rep.sections] == list("一二三四五六")


@cache
def generated(template: str, year: int, **kw) -> tuple[ReportSpec, bytes]:
    s = busy(template, year)
    return s, report_docx(s, **kw)


# ---------------------------------------------------------------- .docx


@pytest.mark.parametrize("layout", ["plain", "numbered", "frame", "sdt"])
@pytest.mark.parametrize("template,year", TEMPLATES)
def test_docx_every_cell(template, year, layout):
    """Plain; section headings numbered by Word (一、 not in the text); the whole report inside a
    layout table's cell (nested tables); section 三's table inside a content control."""
    kw = {"plain": {}, "numbered": {"numbered": True}, "frame": {"frame": True}, "sdt": {"sdt_table": 1}}[layout]
    s, data = generated(template, year, **kw)
    r, got = read_back("r.docx", data)
    assert_every_cell(r, got, s, "docx")


def test_docx_layout_is_what_word_writes():
    """The generated files hold what the reader has to deal with: merged cells both ways, a
    number split across runs, a line break inside a label cell, a vertical label."""
    _, data = generated("gov2021", 2023)
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert '<w:gridSpan w:val="7"/>' in xml and '<w:vMerge w:val="restart"/>' in xml
    assert re.search(r"<w:vMerge/>|<w:vMerge w:val=\"continue\"/>", xml)
    assert re.search(r"<w:t>\d</w:t></w:r><w:r><w:t>\d</w:t>", xml)  # one digit per run
    assert re.search(r"<w:t>本年制</w:t><w:br/></w:r><w:r><w:t>发件数</w:t>", xml)
    assert 'w:val="tbRlV"' in xml


@pytest.mark.parametrize("template,year", TEMPLATES)
def test_docx_tokens_are_those_of_the_same_page_as_html(template, year):
    """One token per distinct grid cell, in the order html.py gives the <td>s: tables.py reads both alike."""
    s, data = generated(template, year)
    toks, _ = word.docx_tokens(data)
    _, html_toks, _, _ = tokens_of("r.html", render_html(s))
    assert [(t.text, t.cell) for t in toks] == [(t.text, t.cell) for t in html_toks]
    broken = {unicodedata.normalize("NFKC", m.label) for b in registry().blocks_for(template) for m in b.metrics
              if m.label.startswith("本年")}
    assert broken and broken <= {t.text for t in toks}  # printed with a line break inside


def test_line_is_the_running_paragraph_and_row_number():
    s, data = generated("gov2021", 2023)
    r, got = read_back("r.docx", data)
    numbers: dict[str, int] = {}  # first cell text of a row / paragraph text -> its running number
    n = 0
    for block in docx.Document(io.BytesIO(data)).iter_inner_content():
        if isinstance(block, docx.text.paragraph.Paragraph):
            n += 1
            numbers.setdefault(block.text, n)
        else:
            for row in block.rows:
                n += 1
                numbers.setdefault(row._tr.xpath("string(.)"), n)
    granted = got[("applications", "granted", "total")]
    row_text = next(k for k in numbers if "（一）予以公开" in k)
    assert granted.line == numbers[row_text]
    assert got[("applications", "partial", "total")].line == granted.line + 1
    assert r.report.sections[0].line == numbers["一、总体情况"]


def test_blank_cells_stay_blank():
    s = busy("gov2021", 2023, seed=5)
    for row in registry().app_rows_for(s.template):
        for col in ORGS:
            s.applications[(row.id, col)] = ""
    r, got = read_back("r.docx", report_docx(s))
    assert r.status == "parsed" and {k: c.value for k, c in got.items()} == expected(s)
    blanks = [c for k, c in got.items() if k[0] == "applications" and k[2] in ORGS]
    assert len(blanks) == 25 * 5 and all(c.status == "blank" and c.raw == "" for c in blanks)


def _reading(r) -> list[tuple]:
    return [(c.table, c.block_id, c.row_id, c.col_id, c.raw, c.status, c.reason) for c in r.report.cells]


_SPARE_IN = {"s3+s4": ("申请人情况", ">行政复议</td>"), "s3": ("申请人情况",), "s4": (">行政复议</td>",)}


@pytest.mark.parametrize("remark", [None, "含转办件"], ids=["empty", "remarks"])
@pytest.mark.parametrize("where", _SPARE_IN)
def test_docx_spare_last_column_is_no_column_as_in_html(where, remark):
    """A table's spare last column (备注 over empty cells, or over remarks in a few) is read as the
    same page's HTML reads it: no column. Rows whose first value is blank read too (not doubted for
    an empty cell at each end of a row a cell too wide)."""
    s = spec("gov2021", 2023, seed=2)
    s.applications = {k: ("" if k[1] == "natural_person" or v == "0" else v) for k, v in s.applications.items()}
    s.reviews = {k: ("" if v == "0" else v) for k, v in s.reviews.items()}
    html = render_html(s).decode()
    for table in _SPARE_IN[where]:
        html = _spare_column(html, table=table, remark=remark)
    page, doc = read_document("r.html", html.encode()), read_document("r.docx", docx_from_html(html.encode()))
    assert page.status == "parsed" and [c.raw for c in page.report.cells] == [printed(s, c) for c in page.report.cells]
    assert (doc.status, doc.reason) == (page.status, page.reason)
    assert _reading(doc) == _reading(page)


def test_docx_row_that_lost_a_cell_beside_a_spare_column_is_refused():
    """A row a cell short (its third value's `w:tc` gone) beside a spare last column is unreadable, as
    in HTML, never shifted; the table's other rows read. (docx_from_html would pad the row out.)"""
    s = spec("gov2021", 2023, seed=2)
    row = next(r for r in registry().app_rows_for("gov2021") if r.id == "new_received")
    data = docx_from_html(_spare_column(render_html(s).decode()).encode())
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    at = xml.index(row.label)
    a, b = xml.rfind("<w:tr", 0, at), xml.index("</w:tr>", at)
    tcs = [m.start() for m in re.finditer("<w:tc>", xml[a:b])]
    tr = xml[a:b][:tcs[-4]] + xml[a:b][tcs[-3]:]
    r = read_document("r.docx", set_part(data, "word/document.xml", (xml[:a] + tr + xml[b:]).encode()))
    lost = [c for c in r.report.cells if c.table == "applications" and c.row_id == row.id]
    assert {c.status for c in lost} == {"unreadable"} and all("少单元格" in c.reason for c in lost)
    assert [c.raw for c in r.report.cells if c not in lost] == [printed(s, c) for c in r.report.cells if c not in lost]


def test_docx_last_template_column_left_blank_is_a_column():
    """A template's own last column (总计) blank in every row but its heading is no spare column."""
    s = spec("gov2021", 2023, seed=2)
    s.applications = {k: ("" if k[1] == "total" else v) for k, v in s.applications.items()}
    s.reviews = {k: ("" if k[1] == "total" else v) for k, v in s.reviews.items()}
    html = render_html(s).decode()
    doc = read_document("r.docx", docx_from_html(html.encode()))
    assert doc.status == "parsed" and [c.raw for c in doc.report.cells] == [printed(s, c) for c in doc.report.cells]
    assert _reading(doc) == _reading(read_document("r.html", html.encode()))
    assert sum(c.col_id == "total" and c.raw == "" for c in doc.report.cells) > 20


def _tbl(*rows: str) -> str:
    return "<w:tbl><w:tblGrid/>" + "".join(f"<w:tr>{r}</w:tr>" for r in rows) + "</w:tbl><w:p/>"


def _tc(*paras: str) -> str:
    return "<w:tc>" + "".join(f"<w:p>{p}</w:p>" for p in paras) + "</w:tc>"


def _r(text: str) -> str:
    return f'<w:r><w:t xml:space="preserve">{text}</w:t></w:r>'


def test_cell_text_joins_runs_lines_and_paragraphs():
    data = body_xml(_tbl(_tc(_r("本年新") + "<w:r><w:br/></w:r>" + _r("制作数量")) + _tc(_r("1") + _r("2") + _r("3"))
                         + _tc(_r("5"), _r("3")) + _tc("") + _tc(_r("4.无正当理由大量反复"), _r("申请"))))
    toks, meta = word.docx_tokens(data)
    assert [(t.text, t.cell, t.line) for t in toks] == [("本年新制作数量", True, 1), ("123", True, 1), ("5<br>3", True, 1),
                                                       ("", True, 1), ("4.无正当理由大量反复申请", True, 1)]
    assert toks[2].note == "单元格内分行书写：5／3" and toks[1].note is None
    assert meta == {}


def test_paragraph_text_as_word_shows_it():
    """Inserted text, fields' results, hyperlinks, smart tags, content controls, text boxes are read;
    deleted text, field codes, hidden runs and a shape's fallback copy are not; a line break splits."""
    box = ('<w:r><mc:AlternateContent><mc:Choice Requires="wps"><w:drawing><w:txbxContent><w:p>' + _r("框内标题")
           + '</w:p></w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict><w:txbxContent><w:p>'
           + _r("框内标题") + "</w:p></w:txbxContent></w:pict></mc:Fallback></mc:AlternateContent></w:r>")
    p = ("<w:p>" + _r("共") + "<w:ins>" + _r("12") + "</w:ins><w:del><w:r><w:delText>99</w:delText></w:r></w:del>"
         + '<w:r><w:rPr><w:vanish/></w:rPr><w:t>隐藏</w:t></w:r>' + _r("件")
         + '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>'
         + '<w:r><w:fldChar w:fldCharType="separate"/></w:r>' + _r("，第7页") + '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
         + "<w:hyperlink>" + _r("，见网站") + "</w:hyperlink><w:smartTag>" + _r("2024年1月") + "</w:smartTag>"
         + "<w:r><w:br/></w:r>" + _r("下一行 3 4") + box + "</w:p>")
    sdt = "<w:sdt><w:sdtPr/><w:sdtContent><w:p>" + _r("控件内容") + "</w:p></w:sdtContent></w:sdt>"
    toks, _ = word.docx_tokens(body_xml(p + sdt))
    assert [(t.text, t.line, t.cell) for t in toks] == [
        ("共12件,第7页,见网站2024年1月", 1, False), ("下一行", 1, False), ("3", 1, False), ("4", 1, False),
        ("框内标题", 2, False), ("控件内容", 3, False)]


_FIELD = ('<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> = </w:instrText></w:r>{inner}'
          '<w:r><w:instrText> + 4 </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>'
          '<w:r><w:t>9</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>')
_REF = ('<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> REF a </w:instrText></w:r>'
        '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>5</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>')


@pytest.mark.parametrize("cell, shown", [
    (_FIELD.format(inner=_REF), "9"),  # { = { REF a } + 4 }: the inner field's result is in the outer's code
    (_FIELD.format(inner='<w:fldSimple w:instr=" REF a ">' + _r("5") + "</w:fldSimple>"), "9"),
    (_r("9") + '<w:r><w:rPr><w:specVanish/></w:rPr><w:t>7</w:t></w:r>', "9"),  # always hidden
    ('<w:r><w:t>-</w:t><w:br/><w:t>9</w:t></w:r>', "-<br>9"),  # a sign alone over a number: no −9
    ('<m:oMath xmlns:m="http://schemas.openxmlformats.org/officeDocument/2006/math"><m:r><m:t>9</m:t></m:r></m:oMath>',
     ""),  # (unreadable, saying so: below)
    ('<w:r><w:ruby><w:rubyPr><w:hps w:val="10"/></w:rubyPr><w:rt><w:r><w:t>1</w:t></w:r></w:rt>'
     '<w:rubyBase><w:r><w:t>28</w:t></w:r></w:rubyBase></w:ruby></w:r>', "28¹"),  # 拼音指南: a mark over 28
])
def test_a_cells_text_as_word_prints_it(cell, shown):
    """What the code before read: 59 (the nested field's result with the outer's), 97 (a run set
    always hidden), −9, an equation's 9 as a blank cell, and 128 (a ruby's annotation before its text)."""
    toks, _ = word.docx_tokens(body_xml(_tbl(_tc(_r("（一）予以公开")) + f"<w:tc><w:p>{cell}</w:p></w:tc>")))
    assert [t.raw for t in toks] == ["（一）予以公开", shown]
    assert toks[1].refused == ("oMath" in cell) and (not toks[1].refused or "单元格中有公式（公式文字：9）" in toks[1].note)


def test_a_ruby_annotation_over_a_number_leaves_the_cell_unreadable_as_in_html():
    """Word's 拼音指南 prints `1` small over `28` (w:ruby: w:rt, then w:rubyBase): the annotation is no
    digit of the number, and the cell reads as the same page's HTML reads <ruby>28<rt>1</rt></ruby>,
    unreadable with the mark. The code before read 128 (ok)."""
    s = spec("gov2021", 2023, seed=2)
    s.applications[("new_received", "natural_person")] = "QQQ"
    ruby = ('<w:r><w:ruby><w:rubyPr><w:hps w:val="10"/><w:hpsRaise w:val="18"/></w:rubyPr>'
            '<w:rt><w:r><w:rPr><w:sz w:val="10"/></w:rPr><w:t>1</w:t></w:r></w:rt>'
            '<w:rubyBase><w:r><w:t>28</w:t></w:r></w:rubyBase></w:ruby></w:r>')
    data = report_docx(s, split_runs=False)
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml").decode()
    assert xml.count("<w:r><w:t>QQQ</w:t></w:r>") == 1
    _, got = read_back("r.docx", set_part(data, "word/document.xml", xml.replace("<w:r><w:t>QQQ</w:t></w:r>", ruby).encode()))
    _, page = read_back("r.html", render_html(s).decode().replace("QQQ", "<ruby>28<rt>1</rt></ruby>").encode())
    key = ("applications", "new_received", "natural_person")
    c = got[key]
    assert (c.value, c.status, c.raw) == (None, "unreadable", "28¹") and "上标" in c.reason
    assert (c.raw, c.reason) == (page[key].raw, page[key].reason)


_CELL = ("new_received", "natural_person")  # the cell the tests below print their own way: 三 / 一、本年新收… / 自然人


def _report_with(runs: str, styles: str = "", parts: dict[str, Callable[[bytes], bytes]] | None = None,
                 ) -> tuple[ReportSpec, dict]:
    """A gov2021 report as .docx whose cell `_CELL` holds the WordprocessingML `runs` (the document's
    namespaces declared), `styles` added to its styles, its `parts` made anew (from the old content); read back."""
    s = spec("gov2021", 2023, seed=2, office="青山市交通运输局")
    s.applications[_CELL] = "QQQ"
    data = report_docx(s, split_runs=False)
    z = zipfile.ZipFile(io.BytesIO(data))
    xml = z.read("word/document.xml").decode()
    assert xml.count("<w:r><w:t>QQQ</w:t></w:r>") == 1
    data = set_part(data, "word/document.xml", xml.replace("<w:r><w:t>QQQ</w:t></w:r>", runs).encode())
    if styles:
        data = set_part(data, "word/styles.xml", z.read("word/styles.xml").decode().replace("</w:styles>", styles + "</w:styles>").encode())
    for name, made in (parts or {}).items():
        data = set_part(data, name, made(z.read(name)))
    return s, read_back("r.docx", data)[1]


def _others_as_written(s: ReportSpec, got: dict) -> bool:
    """Every cell but `_CELL` read as the report was written."""
    key = ("applications", *_CELL)
    return {k: c.value for k, c in got.items() if k != key} == {k: v for k, v in expected(s).items() if k != key}


_ALT = ('<mc:AlternateContent {ns}><mc:Choice Requires="{needs}"><w:r><w:t>99</w:t></w:r></mc:Choice>'
        "<mc:Fallback><w:r><w:t>28</w:t></w:r></mc:Fallback></mc:AlternateContent>")


@pytest.mark.parametrize("needs, ns, shown", [
    ("zzz", "", 28.0),  # a prefix declared nowhere
    ("x", 'xmlns:x="urn:not-known-to-word"', 28.0),  # a namespace Word does not know
    ("wps x", 'xmlns:x="urn:not-known-to-word"', 28.0),  # one of two
    ("wps", "", 99.0), ("w14 wp14", "", 99.0),  # (declared on the document)
    ("w16du", 'xmlns:w16du="http://schemas.microsoft.com/office/word/2023/wordml/word16du"', 99.0),
])
def test_alternate_content_is_read_as_word_chooses_it(needs, ns, shown):
    """Markup compatibility (ECMA-376 Part 3, 10.2): Word shows the first mc:Choice whose Requires
    names only namespaces it understands, else the mc:Fallback. The code before always read the
    Choice (99 where Word shows 28)."""
    s, got = _report_with(_ALT.format(ns=ns, needs=needs))
    c = got[("applications", *_CELL)]
    assert (c.value, c.status) == (shown, "ok") and _others_as_written(s, got)


def test_alternate_content_around_paragraphs_and_rows_is_read_as_chosen():
    """mc:AlternateContent may stand anywhere: around a table's rows, a cell's paragraphs, the body's
    paragraphs. The chosen branch is read in its place, the other never."""
    choose = '<mc:AlternateContent><mc:Choice Requires="zzz">{}</mc:Choice><mc:Fallback>{}</mc:Fallback></mc:AlternateContent>'
    body = (choose.format("<w:p>" + _r("甲") + "</w:p>", "<w:p>" + _r("乙") + "</w:p>")
            + _tbl(_tc(_r("（一）予以公开")) + "<w:tc>" + choose.format("<w:p>" + _r("7") + "</w:p>", "<w:p>" + _r("9") + "</w:p>")
                   + "</w:tc>", choose.format("<w:tc><w:p>" + _r("5") + "</w:p></w:tc>", "<w:tc><w:p>" + _r("6") + "</w:p></w:tc>")))
    toks, _ = word.docx_tokens(body_xml(body))
    assert [t.raw for t in toks] == ["乙", "（一）予以公开", "9", "6"]


_BOX = ('<w:r><w:pict><v:shape><v:textbox><w:txbxContent><w:p><w:r><w:t>{}</w:t></w:r></w:p></w:txbxContent></v:textbox>'
        "</v:shape></w:pict></w:r>")
_MATH_28 = "<m:oMath><m:r><m:t>28</m:t></m:r></m:oMath>"
_OPEN_FIELD = '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> = 20 + 8 </w:instrText></w:r>' + _r("28")


@pytest.mark.parametrize("runs, why", [
    (_r("28") + _BOX.format("注：含补正后受理的申请"), "文本框"), (_BOX.format("28"), "文本框"),
    (_r("28") + _BOX.format("注"), "文本框"), (_MATH_28, "公式"), (_OPEN_FIELD, "域代码")],
    ids=["28-and-box-of-words", "box-of-28", "28-and-box-of-one-word", "equation", "open-field"])
def test_a_text_box_or_equation_in_a_rows_first_value_cell_leaves_that_cell_alone_unreadable(runs, why):
    """A text box, an equation or a field's code never ended in the first value cell of a row: that
    cell is unreadable, saying why, the row's other cells read. The code before wrote its note into
    the cell's text (`28（单元格中有公式）`), which the row's reading took for more of the row's label,
    and left all seven cells unreadable ("label runs on")."""
    s, got = _report_with(runs)
    c = got[("applications", *_CELL)]
    assert (c.value, c.status) == (None, "unreadable") and why in c.reason and "标签" not in c.reason
    assert _others_as_written(s, got)


_SYM = '<w:r><w:sym w:font="{}" w:char="{}"/></w:r>'


@pytest.mark.parametrize("font, char", [("Symbol", "F038"), ("Times New Roman", "0038"), ("Wingdings", "F0FC")])
def test_a_character_inserted_as_a_symbol_leaves_its_cell_unreadable(font, char):
    """Word's Insert ▸ Symbol writes w:sym, the character by its code in a font (Symbol's F038 prints
    8): what it shows is not told here, so the cell is unreadable, saying so. The code before dropped
    it (`2` and a symbol 8 read 2, ok; a check mark alone read blank)."""
    s, got = _report_with(_r("2") + _SYM.format(font, char))
    c = got[("applications", *_CELL)]
    assert (c.value, c.status, c.raw) == (None, "unreadable", "2") and "插入符号" in c.reason
    assert _others_as_written(s, got)


def test_a_symbol_beside_a_label_or_in_a_line_of_text_leaves_only_a_value_holding_it_unreadable():
    """A symbol before a row's label (a bullet) is no part of the label; on a text line, the value
    holding one is unreadable, the others are read."""
    bullet = _SYM.format("Wingdings", "F06C")
    body = ("<w:p>" + bullet + _r("本年新收申请 12 3") + _SYM.format("Symbol", "F038") + _r(" 5") + "</w:p>"
            + _tbl(_tc(bullet + _r("（一）予以公开")) + _tc(_r("9"))))
    toks, _ = word.docx_tokens(body_xml(body))
    assert [(t.raw, t.refused) for t in toks] == [("本年新收申请", False), ("12", False), ("3", True), ("5", False),
                                                  ("（一）予以公开", False), ("9", False)]
    assert "插入符号" in toks[2].note


def _sized(text: str, size: int | None = None, style: str | None = None) -> str:
    """A run of `text` in `size` half-points, or of character style `style`."""
    props = (f'<w:rStyle w:val="{style}"/>' if style else "") + (f'<w:sz w:val="{size}"/>' if size else "")
    return f"<w:r><w:rPr>{props}</w:rPr><w:t>{text}</w:t></w:r>"


_SMALL_STYLE = '<w:style w:type="character" w:styleId="Tiny"><w:name w:val="Tiny"/><w:rPr><w:sz w:val="8"/></w:rPr></w:style>'


@pytest.mark.parametrize("runs, styles", [
    (_r("28") + _sized("1", 8), ""),  # a 4 pt 1 after 28 in the document's 11 pt
    (_r("2") + _sized("9", 2) + _r("8"), ""),  # a 1 pt 9 (a dot) between 2 and 8
    (_sized("28", 28) + _r("1"), ""),  # 28 in 14 pt, 1 in the document's 11 pt
    (_r("28") + _sized("1", style="Tiny"), _SMALL_STYLE),  # by its character style
    (_r("28") + _sized("1", 14), '<w:style w:type="paragraph" w:default="1" w:styleId="Big"><w:name w:val="Big"/>'
     '<w:rPr><w:sz w:val="28"/></w:rPr></w:style>'),  # 28 in the default paragraph style's 14 pt, 1 in 7 pt
], ids=["4pt-after", "1pt-between", "11pt-after-14pt", "character-style", "default-paragraph-style"])
def test_a_digit_much_smaller_than_its_numbers_others_leaves_the_cell_unreadable(runs, styles):
    """A digit set on the number's line under 0.85 of the size of its number's largest digits is a
    mark (a footnote's, set small, not raised): the cell is unreadable, saying so, as the same page's
    PDF is. The code before never read w:sz: 28 and a 4 pt 1 read 281 (ok)."""
    s, got = _report_with(runs, styles=styles)
    c = got[("applications", *_CELL)]
    assert (c.value, c.status) == (None, "unreadable") and "小得多" in c.reason and _others_as_written(s, got)


@pytest.mark.parametrize("runs, styles", [
    (_sized("28", 8), ""),  # the whole number small
    (_sized("2", 24) + _sized("81", 21), ""),  # 12 pt and 10.5 pt: one number
    (_r("28") + _sized("1", 14), '<w:style w:type="paragraph" w:default="1" w:styleId="Small"><w:name w:val="Small"/>'
     '<w:rPr><w:sz w:val="14"/></w:rPr></w:style>'),  # the default paragraph style's 7 pt, as the 1's
    (_r("28") + _sized("1", 28) + _sized("注", 8), ""),  # a small word after the number
    (_r("28") + _sized("1", 14), '<w:style w:type="table" w:default="1" w:styleId="SmallTable"><w:name w:val="S"/>'
     '<w:rPr><w:sz w:val="14"/></w:rPr></w:style>'),  # the table's style's 7 pt (the table names none: the default)
], ids=["all-small", "12-and-10.5pt", "default-paragraph-style", "small-word", "table-style"])
def test_digits_of_one_size_or_nearly_are_one_number(runs, styles):
    s, got = _report_with(runs, styles=styles)
    c = got[("applications", *_CELL)]
    want = {"28": 28.0, "281": 281.0, "281注": None}[c.raw]
    assert c.value == want and (want is None or c.status == "ok") and _others_as_written(s, got)


def test_a_small_digit_on_a_line_of_text_leaves_only_its_value_unreadable():
    toks, _ = word.docx_tokens(body_xml("<w:p>" + _r("本年新收申请 12 28") + _sized("1", 8) + _r(" 5") + "</w:p>"))
    assert [(t.raw, t.refused) for t in toks] == [("本年新收申请", False), ("12", False), ("281", True), ("5", False)]
    assert "小得多" in toks[2].note


def _coloured(text: str, colour: str, ground: str = "") -> str:
    """A run of `text` whose w:color has the attributes `colour`, its own shading those of `ground`."""
    shd = f'<w:shd w:val="clear" w:color="auto" {ground}/>' if ground else ""
    return f"<w:r><w:rPr>{shd}<w:color {colour}/></w:rPr><w:t>{text}</w:t></w:r>"


_DAMAGED_THEME = {"word/theme/theme1.xml": lambda old: old[:200]}
_DARK_BACKGROUND = {"word/settings.xml": lambda old: old.replace(b'w:bg1="light1"', b'w:bg1="dark1"')}
_NO_THEME = {"word/_rels/document.xml.rels": lambda old: re.sub(rb"<Relationship [^>]*/theme\"[^>]*/>", b"", old)}


def _dark1(colour: bytes) -> dict:
    """The theme's dark1 written as `colour`."""
    return {"word/theme/theme1.xml": lambda old: re.sub(rb"<a:dk1>.*?</a:dk1>", b"<a:dk1>" + colour + b"</a:dk1>", old,
                                                        flags=re.S)}


@pytest.mark.parametrize("runs, parts, shown", [
    (_r("2") + _coloured("9", 'w:val="000000" w:themeColor="background1"') + _r("8"), None, "2⟦9⟧8"),  # python-docx's white
    (_r("2") + _coloured("9", 'w:val="FFFFFF" w:themeColor="text1"') + _r("8"), None, 298.0),  # the value set aside
    (_r("2") + _coloured("9", 'w:val="000000" w:themeColor="text1" w:themeTint="03"') + _r("8"), None, "2⟦9⟧8"),
    (_r("2") + _coloured("9", 'w:val="000000" w:themeColor="background1" w:themeShade="80"') + _r("8"), None, 298.0),
    (_r("2") + _coloured("9", 'w:val="000000" w:themeColor="background1"') + _r("8"), _DARK_BACKGROUND, 298.0),
    (_coloured("129", 'w:val="FFFFFF"', 'w:fill="000000" w:themeFill="background1"'), None, "⟦129⟧"),  # a white ground
    (_coloured("129", 'w:val="FFFFFF"', 'w:fill="FFFFFF" w:themeFill="text1"'), None, 129.0),  # a black one
    (_r("2") + _coloured("9", 'w:val="000000" w:themeColor="text1"') + _r("8"), _DAMAGED_THEME, "298"),
    (_coloured("129", 'w:val="FFFFFF"', 'w:fill="000000" w:themeFill="text1"'), _DAMAGED_THEME, "⟦129⟧"),
    (_r("2") + _coloured("9", 'w:val="000000" w:themeColor="text1"') + _r("8"), _NO_THEME, 298.0),  # Word's own theme
    (_r("2") + _coloured("9", 'w:val="000000" w:themeColor="background1"') + _r("8"), _NO_THEME, "2⟦9⟧8"),
    (_r("2") + _coloured("9", 'w:val="000000" w:themeColor="text1"') + _r("8"), _dark1(b'<a:prstClr val="black"/>'), 298.0),
    (_r("2") + _coloured("9", 'w:val="000000" w:themeColor="text1"') + _r("8"),
     _dark1(b'<a:srgbClr val="FFFFFF"><a:lumMod val="50000"/></a:srgbClr>'), 298.0),  # (a grey: shown)
    (_r("2") + _coloured("9", 'w:val="000000" w:themeColor="text1"') + _r("8"),
     _dark1(b'<a:srgbClr val="000000"><a:lumOff val="100000"/></a:srgbClr>'), "2⟦9⟧8"),  # (offset to white)
], ids=["background1", "text1-over-white", "text1-lightened", "background1-darkened", "background1-mapped-dark",
        "white-ground", "dark-ground", "damaged-theme", "damaged-theme-ground", "no-theme", "no-theme-white",
        "dark1-preset", "dark1-modulated", "dark1-offset"])
def test_a_theme_colour_is_the_themes(runs, parts, shown):
    """A theme colour (w:themeColor, w:themeFill) is the document's theme's (word/theme/theme1.xml, as its
    settings map it: background1 is light1 unless w:clrSchemeMapping says otherwise), lightened or
    darkened by its tint or shade; the colour value beside it is not used (ECMA-376 17.3.2.6). Without a
    theme part, Word's own: text1 black (the code of b364c76 left every such cell unreadable, as for a
    preset or modulated dark1). A damaged theme leaves text so coloured unreadable, a ground not dark.
    The code before read the values beside: python-docx's white 9 (`000000` and background1) read 298."""
    s, got = _report_with(runs, parts=parts)
    c = got[("applications", *_CELL)]
    if isinstance(shown, float):
        assert (c.value, c.status) == (shown, "ok")
    else:
        assert (c.value, c.status, c.raw) == (None, "unreadable", shown)
        assert ("白色" if "⟦" in shown else "主题") in c.reason
    assert _others_as_written(s, got)


@pytest.mark.parametrize("closing", ['<w:r><w:rPr><w:vanish/></w:rPr><w:fldChar w:fldCharType="{}"/></w:r>',
                                     '<w:del w:id="1" w:author="a"><w:r><w:fldChar w:fldCharType="{}"/></w:r></w:del>'],
                         ids=["hidden", "deleted"])
def test_a_fields_marks_bound_it_where_hidden_or_deleted(closing):
    """A field before the table, its separate and end marks in hidden or deleted runs: the code before
    never saw them, took everything after for the field's code, and read every later cell blank."""
    field = ('<w:p><w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> DOCPROPERTY x </w:instrText></w:r>'
             + closing.format("separate") + closing.format("end") + "</w:p>")
    toks, _ = word.docx_tokens(body_xml(field + _tbl(_tc(_r("（一）予以公开")) + _tc(_r("9")) + _tc(_r("12")))))
    assert [t.raw for t in toks] == ["（一）予以公开", "9", "12"]


def test_a_cell_whose_field_code_never_ends_is_unreadable():
    code_only = '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> = 4 + 5 </w:instrText></w:r>' + _r("9")
    toks, _ = word.docx_tokens(body_xml(_tbl(_tc(_r("（一）予以公开")) + f"<w:tc><w:p>{code_only}</w:p></w:tc>"
                                                + _tc(_r("12")))))
    assert [(t.raw, t.refused) for t in toks] == [("（一）予以公开", False), ("", True), ("12", False)]
    assert toks[1].note.startswith("单元格中的域代码未结束")


_STORE = "{11111111-2222-3333-4444-555555555555}"


def _bound(cells: str) -> bytes:
    """A .docx whose table row is `（一）予以公开` and `cells`, with a custom XML part (store `_STORE`)
    holding <root xmlns='urn:r'><total>9</total></root>."""
    from docx.opc.constants import RELATIONSHIP_TYPE as RT
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    d = docx.Document(io.BytesIO(body_xml(_tbl(_tc(_r("（一）予以公开")) + cells))))
    package = d.part.package
    item = Part(PackURI("/customXml/item9.xml"), "application/xml",
                b"<root xmlns='urn:r'><total>9</total></root>", package)
    props = Part(PackURI("/customXml/itemProps9.xml"),
                 "application/vnd.openxmlformats-officedocument.customXmlProperties+xml",
                 f'<ds:datastoreItem ds:itemID="{_STORE}" xmlns:ds="http://schemas.openxmlformats.org/officeDocument/'
                 '2006/customXml"/>'.encode(), package)
    item.relate_to(props, RT.CUSTOM_XML_PROPS)
    d.part.relate_to(item, RT.CUSTOM_XML)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _control(content: str, xpath: str = "/x:root[1]/x:total[1]", store: str = _STORE,
             prefixes: str = "xmlns:x='urn:r'") -> str:
    return (f'<w:sdt><w:sdtPr><w:dataBinding w:prefixMappings="{prefixes}" w:xpath="{xpath}" '
            f'w:storeItemID="{store}"/><w:text/></w:sdtPr><w:sdtContent>{content}</w:sdtContent></w:sdt>')


def test_a_content_control_bound_to_custom_xml_shows_the_bound_value():
    """A generator fills a report by writing its custom XML; the controls bound to it keep their old
    text until Word opens the file and refreshes them. The code before read that text (0 for 9)."""
    bound = _control(_r("0"))
    unbound = _control(_r("0"), store="{00000000-0000-0000-0000-000000000000}")
    toks, _ = word.docx_tokens(_bound(f"<w:tc><w:p>{bound}</w:p></w:tc><w:tc><w:p>{unbound}</w:p></w:tc>"))
    assert [t.raw for t in toks] == ["（一）予以公开", "9", "0"]  # (a binding to no store: the text as cached)


@pytest.mark.parametrize("xpath, prefixes", [
    ("/*/namespace::x", "xmlns:x='urn:r'"),  # (a namespace node: no text)
    ("/x:root[re:test(string(x:total),'^(a+)+$')]", "xmlns:x='urn:r' xmlns:re='http://exslt.org/regular-expressions'"),
    ("//x:total[count(//*)>0]", "xmlns:x='urn:r'")])
def test_a_binding_word_would_not_write_leaves_the_cached_text(xpath, prefixes):
    """The file's own XPath, beyond the plain path Word writes: the code before evaluated it (a
    namespace node ended the file's reading; a regular expression or nested counts could run for
    minutes)."""
    toks, _ = word.docx_tokens(_bound(f"<w:tc><w:p>{_control(_r('0'), xpath, prefixes=prefixes)}</w:p></w:tc>"))
    assert [t.raw for t in toks] == ["（一）予以公开", "0"]


def test_a_bound_control_around_cells_leaves_them_as_cached():
    """A control wrapping two cells, bound: the code before put the bound value in the first and
    emptied the second (read blank)."""
    cells = _control("<w:tc><w:p>" + _r("3") + "</w:p></w:tc><w:tc><w:p>" + _r("5") + "</w:p></w:tc>")
    toks, _ = word.docx_tokens(_bound(cells))
    assert [t.raw for t in toks] == ["（一）予以公开", "3", "5"]


def test_list_numbers_as_printed():
    assert [word_numbering.list_number(n, "chineseCounting") for n in (1, 6, 10, 11, 23)] == ["一", "六", "十", "十一", "二十三"]
    assert [word_numbering.list_number(n, f) for n, f in ((3, "decimalEnclosedCircle"), (2, "ideographTraditional"), (14, "upperRoman"),
                                         (28, "lowerLetter"), (12, "chineseLegalSimplified"), (7, "bullet"))] == [
        "③", "乙", "XIV", "bb", "壹拾贰", None]
    # a list started past Word's largest start: a letter label of n/26 letters, a roman one of n/1000 Ms
    # (a file's start of 260,000,000 took 1.6 GB for 40 paragraphs); decimal numbers stay as printed
    assert [word_numbering.list_number(n, f) for n, f in ((32_767, "upperRoman"), (260_000_000, "upperLetter"),
                                         (10 ** 9, "lowerRoman"), (10 ** 9, "decimal"))] == [
        "M" * 32 + "DCCLXVII", None, None, "1000000000"]
    d = docx.Document()
    numbering = d.part.numbering_part.element
    ns = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    numbering.insert(0, docx.oxml.parse_xml(
        f'<w:abstractNum {ns} w:abstractNumId="97"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
        '<w:lvlText w:val="（%1）"/><w:suff w:val="nothing"/></w:lvl><w:lvl w:ilvl="1"><w:start w:val="1"/>'
        '<w:numFmt w:val="decimal"/><w:lvlText w:val="%1.%2"/></w:lvl><w:lvl w:ilvl="2"><w:start w:val="1"/><w:isLgl/>'
        '<w:numFmt w:val="decimal"/><w:lvlText w:val="%1.%2.%3、"/><w:suff w:val="space"/></w:lvl></w:abstractNum>'))
    numbering.append(docx.oxml.parse_xml(f'<w:num {ns} w:numId="97"><w:abstractNumId w:val="97"/></w:num>'))
    numbering.append(docx.oxml.parse_xml(f'<w:num {ns} w:numId="98"><w:abstractNumId w:val="97"/><w:lvlOverride w:ilvl="0">'
                                         '<w:startOverride w:val="1"/></w:lvlOverride></w:num>'))
    for num, lvl, text in ((97, 0, "予以公开"), (97, 0, "部分公开"), (97, 1, "国家秘密"), (97, 2, "甲"), (97, 1, "其他"),
                           (97, 0, "无法提供"), (98, 0, "重新开始")):
        p = d.add_paragraph(text)
        p._p.get_or_add_pPr().append(docx.oxml.parse_xml(
            f'<w:numPr {ns}><w:ilvl w:val="{lvl}"/><w:numId w:val="{num}"/></w:numPr>'))
    buf = io.BytesIO()
    d.save(buf)
    toks, _ = word.docx_tokens(buf.getvalue())
    # a level's number in its own format (二.1), all in decimal where isLgl (2.1.1); a new list restarts
    assert [t.raw for t in toks] == ["（一）予以公开", "（二）部分公开", "二.1 国家秘密", "2.1.1、 甲", "二.2 其他",
                                     "（三）无法提供", "（一）重新开始"]


def test_core_title_is_weak_evidence():
    s = busy("gov2021", 2023)
    data = report_docx(s, core_title="政府信息公开工作年度报告")
    toks, meta = word.docx_tokens(data)
    assert meta == {word.WORD_TITLE: "政府信息公开工作年度报告"}
    r = read_document("r.docx", data)
    assert r.report.title == s.full_title() and r.report.office == s.office
    assert word.docx_tokens(generated("gov2021", 2023)[1])[1] == {}


@pytest.mark.parametrize("core", ["青山市财政局2021年政府信息公开工作年度报告", "青山市卫生健康委员会2022年政府信息公开工作年度报告"])
def test_a_core_title_left_from_another_file_is_not_taken(core):
    """The body prints no title line; the Title property names another year than section 一 opens
    with, or another office than the signature: it is left from the file the document was copied
    from, and gives the report neither."""
    s = spec("gov2021", 2022, office="青山市财政局", seed=2)
    s.overview = "2022年，我局认真贯彻落实《中华人民共和国政府信息公开条例》，政府信息公开工作有序推进。"
    html = render_html(s).decode()
    for pat in (r"<h1>.*?</h1>", r'<div class="nav">.*?</div>', r'<div class="info">.*?</div>'):
        html = re.sub(pat, "", html)
    rep = read_document("r.docx", docx_from_html(html.encode(), core_title=core)).report
    assert (rep.title, rep.report_year, rep.office) == (None, 2022, "青山市财政局")
    rep = read_document("r.docx", docx_from_html(html.encode(), core_title=s.full_title())).report
    assert (rep.title, rep.report_year, rep.office) == (s.full_title(), 2022, "青山市财政局")


@pytest.mark.parametrize(("core", "name", "year"), [
    ("青山市财政局2021年政府信息公开工作年度报告", "r.docx", None),
    ("青山市财政局2021年政府信息公开工作年度报告", "青山市财政局2022年报.docx", 2022),
    ("青山市财政局二〇二〇年政府信息公开工作年度报告", "r.docx", None),
])
def test_a_core_title_of_the_same_office_and_another_year_is_not_taken(core, name, year):
    """Section 一 names no year; the Title property names the same office and a year the report, signed
    2023-01-20, cannot be of (it was signed the year after the year it reports on): the Title was left
    from last year's file, and gives no year (the file's name may)."""
    s = spec("gov2021", 2022, office="青山市财政局", seed=2)
    s.overview = "我局认真贯彻落实《中华人民共和国政府信息公开条例》，政府信息公开工作有序推进。"
    html = render_html(s).decode()
    for pat in (r"<h1>.*?</h1>", r'<div class="nav">.*?</div>', r'<div class="info">.*?</div>'):
        html = re.sub(pat, "", html)
    assert "2023年1月20日" in html
    rep = read_document(name, docx_from_html(html.encode(), core_title=core)).report
    assert (rep.title, rep.report_year, rep.office) == (None, year, "青山市财政局")
    rep = read_document(name, docx_from_html(html.encode(), core_title=s.full_title())).report
    assert (rep.title, rep.report_year, rep.office) == (s.full_title(), 2022, "青山市财政局")


@pytest.mark.parametrize("signed", [date(2024, 3, 1), date(2022, 12, 28)])
def test_a_core_title_whose_year_section_one_opens_with_is_taken_whenever_signed(signed):
    """Section 一 opens with 2022, the year the Title property names: the Title is the report's, also
    when the report was signed late (2024) or before its year ended (the code before dropped it when
    the 落款 was not dated the year after)."""
    s = spec("gov2021", 2022, office="青山市财政局", seed=2, published=signed)
    s.overview = "2022年，我局认真贯彻落实《中华人民共和国政府信息公开条例》，政府信息公开工作有序推进。"
    html = render_html(s).decode()
    for pat in (r"<h1>.*?</h1>", r'<div class="nav">.*?</div>', r'<div class="info">.*?</div>'):
        html = re.sub(pat, "", html)
    assert f"{signed.year}年{signed.month}月{signed.day}日" in html
    rep = read_document("r.docx", docx_from_html(html.encode(), core_title=s.full_title())).report
    assert (rep.title, rep.report_year, rep.office) == (s.full_title(), 2022, "青山市财政局")


def test_alt_chunk_html_is_read():
    s = busy("gov2019", 2020)
    r, got = read_back("r.docx", alt_chunk_docx(render_html(s)))
    assert_every_cell(r, got, s, "docx")


def test_macro_enabled_document_is_read():
    s, data = generated("gov2021", 2023)
    types = zipfile.ZipFile(io.BytesIO(data)).read("[Content_Types].xml")
    docm = types.replace(b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml",
                         b"application/vnd.ms-word.document.macroEnabled.main+xml")
    assert docm != types
    r, got = read_back("r.docm", set_part(data, "[Content_Types].xml", docm))
    assert_every_cell(r, got, s, "docx")


# ---------------------------------------------------------------- .docx that cannot be read


def _zip(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as z:
        for name, blob in members.items():
            z.writestr(name, blob)
    return buf.getvalue()


def _xlsx() -> bytes:
    ct = ('<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
          '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
          '<Override PartName="/xl/workbook.xml" '
          'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>')
    rels = ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="xl/workbook.xml"/></Relationships>')
    wb = ('<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
          "<sheets/></workbook>")
    return _zip({"[Content_Types].xml": ct.encode(), "_rels/.rels": rels.encode(), "xl/workbook.xml": wb.encode()})


def _bomb(data: bytes) -> bytes:
    xml = zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
    return set_part(data, "word/document.xml", xml.replace(b"<w:body>", b"<w:body>" + b" " * (20 << 20)))


def _encrypted_member(data: bytes, name: str = "word/document.xml") -> bytes:
    """The package with `name` flagged as encrypted, in its local header and the central directory."""
    out = bytearray(data)
    z = zipfile.ZipFile(io.BytesIO(data))
    out[z.getinfo(name).header_offset + 6] |= 0x1
    at = z.start_dir
    for _ in z.infolist():
        n, extra, comment = (int.from_bytes(data[k:k + 2], "little") for k in (at + 28, at + 30, at + 32))
        if data[at + 46:at + 46 + n] == name.encode():
            out[at + 8] |= 0x1
        at += 46 + n + extra + comment
    return bytes(out)


def _bad_docx() -> dict[str, tuple[bytes, str]]:
    good = generated("gov2021", 2023)[1]
    return {
        "images.docx": (_zip({"a.png": b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40}, zipfile.ZIP_STORED),
                        "缺少 [Content_Types].xml"),
        "sheet.docx": (_xlsx(), "这是Excel 工作簿（.xlsx），不是 Word 文档"),
        "junk.docx": (b"PK\x03\x04" + os.urandom(3000), "Word 文件已损坏"),
        "truncated.docx": (good[: len(good) // 2], "Word 文件已损坏"),
        "bomb.docx": (_bomb(good), "疑似压缩炸弹"),
        "no-document.docx": (set_part(good, "word/document.xml", None), "缺少部件"),
        "bad-xml.docx": (set_part(good, "word/document.xml", b"<w:document><w:body>"), "Word 文件已损坏"),
        "locked.docx": (_encrypted_member(good), "已加密"),
    }


@pytest.mark.parametrize("name", list(_bad_docx()))
def test_unreadable_docx_never_raises(name):
    data, why = _bad_docx()[name]
    r = read_document(name, data)
    assert (r.format, r.status) == ("docx", "unreadable") and why in r.reason, r.reason


def test_unpacked_size_limit(monkeypatch):
    monkeypatch.setattr(word, "MAX_UNPACKED", 20_000)
    r = read_document("big.docx", generated("gov2021", 2023)[1])
    assert r.status == "unreadable" and re.fullmatch(r"Word 文件解压后共 \d+ 字节，超过上限 20000 字节，未读取", r.reason), r.reason


@pytest.mark.parametrize("part, end", [("word/document.xml", b"</w:body>"),
                                       ("word/_rels/document.xml.rels", b"</Relationships>")])
def test_a_document_part_too_long_to_hold_is_not_read(part, end):
    """A 1.6 MB .docx whose document.xml unpacks to 58 MB (1.7 million short paragraphs, not a bomb by
    its ratio) took 1.15 GB and 47 s to be found no report; a part over MAX_XML_PART (python-docx parses
    every XML and .rels part) is refused from its declared size, before anything is parsed."""
    good = generated("gov2021", 2023)[1]
    xml = zipfile.ZipFile(io.BytesIO(good)).read(part)
    rnd = random.Random(0)
    paras = b"".join(b"<w:p><w:r><w:t>%d</w:t></w:r></w:p>" % rnd.randint(0, 9) for _ in range(560_000))
    big = set_part(good, part, xml.replace(end, paras + end))
    assert len(xml) + len(paras) > 16 << 20 and len(big) < len(paras) / 20  # (over the limit; no zip bomb)
    r = read_document("long.docx", big)
    assert (r.format, r.status) == ("docx", "unreadable")
    assert re.fullmatch(rf"Word 文件部件 {re.escape(part)} 解压后 1\d\.\d MB，超过上限 16\.0 MB（正文过长，读取需要的内存过多），未读取",
                        r.reason), r.reason


def test_html_named_doc_is_read_as_html():
    s = busy("gov2021", 2023)
    r, got = read_back("r.doc", render_html(s))
    assert_every_cell(r, got, s, "html")


# ---------------------------------------------------------------- OLE2: .doc / .wps that are not Word


@pytest.mark.parametrize("name,streams,why", [
    ("r.docx", {"EncryptionInfo": b"\x04\x00\x04\x00", "EncryptedPackage": b"\x10" * 64}, "文件已加密"),
    ("r.doc", {"WordDocument": word_fib(encrypted=True), "1Table": b""}, "Word 文档已加密"),
    ("r.doc", {"Workbook": b"\x09\x08"}, "这是Excel 工作簿（.xls），不是 Word 文档"),
    ("r.wps", {"PowerPoint Document": b""}, "这是PowerPoint 演示文稿（.ppt），不是 Word 文档"),
    ("r.doc", {"Contents": b"x"}, "没有 Word 正文（WordDocument 流）"),
])
def test_ole_files_that_are_not_word_documents(name, streams, why, monkeypatch):
    monkeypatch.setattr(word, "find_soffice", lambda: pytest.fail("LibreOffice must not be started"))
    data = ole_file(streams)
    assert set(word.ole_streams(data)) == set(streams)
    r = read_document(name, data)
    assert r.status == "unreadable" and why in r.reason, r.reason
    assert r.format == ("wps" if name.endswith(".wps") else "doc")


def test_without_libreoffice_the_hint_names_what_to_install(monkeypatch):
    monkeypatch.setattr(word.shutil, "which", lambda name: None)
    assert word.find_soffice() is None
    for name, fmt in (("r.doc", "doc"), ("r.wps", "wps")):
        r = read_document(name, ole_file({"WordDocument": word_fib(encrypted=False)}))
        assert (r.format, r.status, r.reason) == (fmt, "unreadable", word.NO_OFFICE)
    assert "libreoffice-writer-nogui" in word.NO_OFFICE


def _fake_soffice(tmp_path: Path, spawn: bool) -> tuple[Path, Path]:
    """A 'LibreOffice' that never ends: writes its pids, then sleeps (after starting a child if `spawn`)."""
    pids = tmp_path / "pids"
    script = tmp_path / "fake-soffice"
    script.write_text("#!/bin/sh\n" + (f"sleep 300 &\necho $! >> {pids}\n" if spawn else "")
                      + f"echo $$ >> {pids}\nexec sleep 300\n")
    script.chmod(0o755)
    return script, pids


def _pids(path: Path, n: int, timeout: float = 10) -> list[int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists() and len(path.read_text().split()) >= n:
            return [int(x) for x in path.read_text().split()]
        time.sleep(0.02)
    raise AssertionError("the fake converter did not start")


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_a_hanging_converter_is_killed_with_its_children(tmp_path, monkeypatch):
    script, pids = _fake_soffice(tmp_path, spawn=True)
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(word, "find_soffice", lambda: str(script))
    monkeypatch.setattr(word, "CONVERT_TIMEOUT_S", 1)
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    t = time.monotonic()
    r = read_document("r.doc", ole_file({"WordDocument": word_fib(encrypted=False)}))
    assert time.monotonic() - t < 5
    assert (r.format, r.status) == ("doc", "unreadable")
    assert r.reason == "转换 Word 文件超过时限（1 秒），已终止 LibreOffice，未读取"
    started = _pids(pids, 2)
    time.sleep(0.2)
    assert not [p for p in started if _alive(p)]
    assert not list(temp.iterdir())  # the input copy, profile and output folder are gone


def test_the_converter_dies_with_the_process_that_started_it(tmp_path):
    script, pids = _fake_soffice(tmp_path, spawn=False)
    code = ("import sys; sys.path.insert(0, 'tests'); from worddocs import ole_file, word_fib; from gkqc.readers import word;"
            f"word.find_soffice = lambda: {str(script)!r};"
            "word.convert_to_docx(ole_file({'WordDocument': word_fib(False)}), 'doc')")
    parent = subprocess.Popen([sys.executable, "-c", code], cwd=Path(__file__).parents[1],
                              env={**os.environ, "TMPDIR": str(tmp_path)})  # its temporary folder is left behind
    try:
        child, = _pids(pids, 1, timeout=30)
        assert _alive(child)
        parent.kill()
        parent.wait()
        deadline = time.monotonic() + 5
        while _alive(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(child)
    finally:
        parent.kill()
        parent.wait()


def _escaping_soffice(tmp_path: Path, then: str) -> tuple[Path, Path]:
    """A 'LibreOffice' that starts a child in its own group and one that leaves its session (setsid), writes
    the three pids, then runs `then` (shell)."""
    pids = tmp_path / "pids"
    script = tmp_path / "fake-soffice"
    script.write_text(f"#!/bin/sh\nsleep 300 &\necho $! >> {pids}\n"
                      f"setsid sh -c 'echo $$ >> {pids}; exec sleep 300' &\n"
                      f"echo $$ >> {pids}\nsleep 0.5\n{then}\n")
    script.chmod(0o755)
    return script, pids


def _all_end(pids: list[int], within: float = 5.0) -> list[int]:
    """Those of `pids` still running after `within` seconds."""
    deadline = time.monotonic() + within
    while (left := [p for p in pids if _alive(p)]) and time.monotonic() < deadline:
        time.sleep(0.05)
    return left


def test_what_the_converter_started_ends_when_the_process_that_started_it_is_killed(tmp_path):
    """A worker killed by SIGKILL (the memory's killer) while LibreOffice converts: LibreOffice, its children
    and one that left its session (setsid) all end, and the conversion's temporary folder is removed."""
    script, pids = _escaping_soffice(tmp_path, "exec sleep 300")
    temp = tmp_path / "temp"
    temp.mkdir()
    code = ("import sys; sys.path.insert(0, 'tests'); from worddocs import ole_file, word_fib; from gkqc.readers import word;"
            f"word.find_soffice = lambda: {str(script)!r};"
            "word.convert_to_docx(ole_file({'WordDocument': word_fib(False)}), 'doc')")
    parent = subprocess.Popen([sys.executable, "-c", code], cwd=Path(__file__).parents[1],
                              env={**os.environ, "TMPDIR": str(temp)})
    started: list[int] = []
    try:
        started = _pids(pids, 3, timeout=30)
        assert all(_alive(p) for p in started)
        assert [d.name for d in temp.iterdir()][0].startswith("gkqc-word-")
        parent.kill()
        parent.wait()
        assert not _all_end(started)
        assert emptied(temp)
    finally:
        parent.kill()
        parent.wait()
        for p in started:
            if _alive(p):
                os.kill(p, 9)


def test_a_process_the_converter_left_behind_is_ended_when_it_exits(tmp_path, monkeypatch):
    """LibreOffice exits (with an error here), leaving a child that left its session: the child ends too."""
    script, pids = _escaping_soffice(tmp_path, "echo 'Error: source file could not be loaded'\nexit 1")
    monkeypatch.setattr(word, "find_soffice", lambda: str(script))
    started: list[int] = []
    try:
        r = read_document("r.doc", ole_file({"WordDocument": word_fib(encrypted=False)}))
        started = _pids(pids, 3)
        assert r.reason == ("LibreOffice 无法转换该 doc 文件（Error: source file could not be loaded）："
                            "文件可能已损坏或不是 Word 文档")
        assert not [p for p in started if _alive(p)]
    finally:
        for p in started:
            if _alive(p):
                os.kill(p, 9)


@pytest.mark.parametrize("body,reason", [
    ("kill -KILL $$", "LibreOffice 转换 doc 文件时被信号 SIGKILL 终止，转换未完成，未读取；下次运行重新读取"),
    ('while [ $# -gt 0 ]; do [ "$1" = --outdir ] && { o=$2; shift; }; shift; done\nmkdir -p "$o"; : > "$o/in.docx"',
     "LibreOffice 转换 doc 文件的结果不是 .docx（0 字节，退出码 0），转换失败，未读取"),
    ('while [ $# -gt 0 ]; do [ "$1" = --outdir ] && { o=$2; shift; }; shift; done\nmkdir -p "$o"; echo x > "$o/in.docx"',
     "LibreOffice 转换 doc 文件的结果不是 .docx（2 字节，退出码 0），转换失败，未读取"),
], ids=["killed", "empty-output", "garbage-output"])
def test_a_converter_that_fails_is_blamed_not_the_file(body, reason, tmp_path, monkeypatch):
    """LibreOffice killed (the memory's killer) or writing what is not a .docx: the reason names LibreOffice's
    failure, not a damaged report."""
    script = tmp_path / "soffice"
    script.write_text(f"#!/bin/bash\n{body}\n")
    script.chmod(0o755)
    monkeypatch.setattr(word, "find_soffice", lambda: str(script))
    r = read_document("r.doc", ole_file({"WordDocument": word_fib(encrypted=False)}))
    assert (r.format, r.status, r.reason) == ("doc", "unreadable", reason)


def test_what_the_converter_prints_reaches_the_reason_as_one_printable_line(tmp_path, monkeypatch):
    script = tmp_path / "soffice"
    script.write_text('#!/bin/bash\nprintf "\\x1b]0;pwned\\x07\\x1b[31mERR\\x01\\x00\\x7f\\xc2\\x9b\\t end\\n"\nexit 1\n')
    script.chmod(0o755)
    monkeypatch.setattr(word, "find_soffice", lambda: str(script))
    r = read_document("r.doc", ole_file({"WordDocument": word_fib(encrypted=False)}))
    assert r.reason == ("LibreOffice 无法转换该 doc 文件（\ufffd]0;pwned\ufffd\ufffd[31mERR\ufffd\ufffd\ufffd\ufffd\ufffd end）："
                        "文件可能已损坏或不是 Word 文档")


def _no_space(*args, **kwargs):
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("how", ["copy", "converter"])
def test_a_full_disk_is_named_not_the_file(how, tmp_path, monkeypatch):
    """The temporary folder's disk full, when the file is copied into it or while LibreOffice converts (it
    says so and writes nothing): the reason names the full folder, not a damaged file."""
    script = tmp_path / "soffice"
    script.write_text("#!/bin/sh\necho 'Error: Please verify input parameters... (SfxBaseModel::impl_store: "
                      "0x51a(Error Area:Io Class:Write Code:26)) No space left on device'\nexit 1\n")
    script.chmod(0o755)
    monkeypatch.setattr(word, "find_soffice", lambda: str(script))
    if how == "copy":
        monkeypatch.setattr(Path, "write_bytes", _no_space)
    r = read_document("r.doc", ole_file({"WordDocument": word_fib(encrypted=False)}))
    assert (r.format, r.status) == ("doc", "unreadable")
    assert r.reason.startswith(f"临时文件夹 {tempfile.gettempdir()} 所在的磁盘已满（No space left on device），"
                               "LibreOffice 转换 doc 文件未完成，未读取：问题在本机，而非文件"), r.reason


# ---------------------------------------------------------------- .doc / .wps by LibreOffice


@cache
def doc_of(template: str, year: int) -> tuple[ReportSpec, bytes]:
    s, data = generated(template, year)
    return s, soffice_convert(data, ".docx", "doc")


@needs_soffice
@pytest.mark.component
@pytest.mark.parametrize("ext", ["doc", "wps"])
@pytest.mark.parametrize("template,year", TEMPLATES)
def test_doc_and_wps_every_cell(template, year, ext):
    s, data = doc_of(template, year)
    assert data.startswith(b"\xd0\xcf\x11\xe0")
    r, got = read_back(f"r.{ext}", data)
    assert_every_cell(r, got, s, ext)


@needs_soffice
@pytest.mark.component
def test_ole_directory_of_a_real_doc():
    streams = word.ole_streams(doc_of("gov2021", 2023)[1])
    assert streams["WordDocument"][:2] == b"\xec\xa5"  # wIdent of a Word 97 FIB, not encrypted
    assert not streams["WordDocument"][11] & 0x01
    assert streams["\x05SummaryInformation"][:2] == b"\xfe\xff"  # a small stream, read from the mini stream


@needs_soffice
@pytest.mark.component
def test_odt_is_converted_and_read():
    s, data = generated("gov2019", 2020)
    r, got = read_back("r.odt", soffice_convert(data, ".docx", "odt"))
    assert r.status == "parsed" and {k: c.value for k, c in got.items()} == expected(s)


@needs_soffice
@pytest.mark.component
def test_rtf_saved_as_doc_is_converted_and_read():
    """RTF saved under a .doc name is common: sniffed by its first bytes, converted, read."""
    s, data = generated("gov2021", 2023)
    r, got = read_back("r.doc", soffice_convert(data, ".docx", "rtf"))
    assert (r.format, r.status) == ("rtf", "parsed") and r.report.office == s.office
    assert {k: c.value for k, c in got.items()} == expected(s)


@needs_soffice
@pytest.mark.component
def test_damaged_doc_never_raises():
    data = doc_of("gov2021", 2023)[1]
    for cut in (600, len(data) // 2):
        r = read_document("r.doc", data[:cut])
        assert r.format == "doc" and r.status in ("unreadable", "not_a_report", "partial", "parsed") and r.reason


# ---------------------------------------------------------------- through the whole ingest


def test_ingest_docx_and_doc_into_the_lake(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    s21, docx21 = generated("gov2021", 2023)
    (inbox / "a.docx").write_bytes(docx21)
    files = {"a.docx": (s21, "docx")}
    if have_soffice():
        s19, doc19 = doc_of("gov2019", 2020)
        (inbox / "b.doc").write_bytes(doc19)
        files["b.doc"] = (s19, "doc")
    lake = Lake(tmp_path / "lake")
    ingest(inbox, lake, "t1", workers=0)
    docs = pl.read_parquet(lake.paths("documents"))
    apps = pl.read_parquet(lake.paths("applications"))
    for name, (s, fmt) in files.items():
        row = docs.filter(pl.col("source_path") == name).row(0, named=True)
        assert (row["format"], row["parse_status"], row["template"]) == (fmt, "parsed", s.template)
        mine = apps.filter(pl.col("report_id") == row["report_id"])
        assert {("applications", r["row_id"], r["column_id"]): r["value"] for r in mine.iter_rows(named=True)} == {
            k: v for k, v in expected(s).items() if k[0] == "applications"}
        assert mine["line"].null_count() == 0


@pytest.mark.parametrize("template,year,label,at,key", [
    ("gov2021", 2023, "行政许可", 1, ("item_5", "licensing", "decisions")),
    ("gov2019", 2020, "政府集中采购", 2, ("item_9", "procurement", "procurement_amount"))])
def test_docx_row_that_lost_its_value_cell_is_refused(template, year, label, at, key):
    # section 二's one-value rows end in empty padding cells: without its value cell, the row is one
    # cell narrower on the grid than the rows around it and the padding would be read as a blank value
    s = spec(template, year, seed=3, office="青山市交通运输局")
    d = docx.Document(io.BytesIO(report_docx(s)))
    cells = next(tcs for tr in d.element.body.iter(qn("w:tr"))
                 if label in "".join((tcs := tr.findall(qn("w:tc")))[0].itertext()))
    cells[at].getparent().remove(cells[at])  # the cell of `key`
    buf = io.BytesIO()
    d.save(buf)
    r, got = read_back("r.docx", buf.getvalue())
    row = [k for k in got if k[:3] == ("active", *key[:2])]  # which of the row's cells is gone cannot be told
    assert ("active", *key) in row and all(got[k].status == "unreadable" and "少单元格" in got[k].reason for k in row)
    assert {k: c.value for k, c in got.items() if k not in row} == {k: v for k, v in expected(s).items() if k not in row}


@needs_soffice
@pytest.mark.component
def test_a_doc_with_section_headings_numbered_by_word_keeps_them():
    """LibreOffice writes Word's 一、 list numbers as `taiwaneseCountingThousand` when it converts a
    .doc: the headings lost their numbers and the report was not_a_report, no cell read."""
    s, data = generated("gov2021", 2023, numbered=True)
    r, got = read_back("r.doc", soffice_convert(data, ".docx", "doc:MS Word 97"))
    assert_every_cell(r, got, s, "doc")

"""The row reader (readers/label_rows.read_rows) on hand-made token streams: a row whose label was not
read, or read only partly (OCR), never gives its values to a neighbouring row; section headings
ending in `。` still start their sections."""

from __future__ import annotations

import dataclasses
from unittest import mock

import pytest
from builders import spec
from crawls import crawl_of_pagetext
from mddocs import render_markdown
from pdfdocs import needs_cjk_font

from gkqc.readers import read_document
from gkqc.readers.label_rows import read_rows
from gkqc.readers.tables import read_active, read_applications
from gkqc.readers.tokens import Tok
from gkqc.simulate import pdf as draw
from gkqc.simulate.pdf import render_pdf
from gkqc.simulate.render import kangxi_text, render_html, render_pagetext, render_pdftext
from gkqc.simulate.word import docx_from_html
from gkqc.templates import registry

N = len(registry().app_columns)


def row(label: str, line: int, *values: int) -> list[Tok]:
    """One printed table row as pdf.py and ocr.py give it: its label cell, then a cell per column."""
    vals = values or (line,) * N
    return [Tok(label, label, line, True)] + [Tok(str(v), str(v), line, True) for v in vals]


def cells(toks: list[Tok], template: str = "gov2021") -> dict[str, tuple[float | None, ...]]:
    got: dict[str, list] = {}
    for c in read_applications(toks, template, False, "未找到")[0]:
        got.setdefault(c.row_id, []).append(c.value if c.status == "ok" else c.status)
    return {k: tuple(v) for k, v in got.items()}


GRANTED = "(一)予以公开"
PARTIAL = "(二)部分公开(区分处理的,只计这一情形,不计其他情形)"
SECRET = "1.属于国家秘密"
LAW = "2.其他法律行政法规禁止公开"


def test_clean_rows_are_read_with_their_own_values():
    toks = [*row(GRANTED, 10), *row(PARTIAL, 11), Tok("(三)不予公开", "(三)不予公开", 12, True), *row(SECRET, 12),
            *row(LAW, 13)]
    got = cells(toks)
    assert [got[r] for r in ("granted", "partial", "denied_state_secret", "denied_law_forbidden")] == \
        [(float(n),) * N for n in (10, 11, 12, 13)]


def test_a_wrapped_label_and_a_group_heading_in_the_label_cell_are_the_rows_own():
    toks = [*row(GRANTED, 10), *row("(二)部分公开(区分处理的,只计这一情形,", 11)[:1],
            *row("不计其他情形)", 11), *row("(三)不予公开1.属于国家秘密", 13)]
    got = cells(toks)
    assert (got["partial"], got["denied_state_secret"]) == ((11.0,) * N, (13.0,) * N)


def test_the_next_rows_values_are_not_claimed_by_a_label_whose_own_values_were_lost():
    """OCR lost the values of （二）部分公开 and garbled the next label (属于国家秘密 as 属于国豕秘蜜):
    before, 部分公开 was the last label read and took row 1.'s values."""
    toks = [*row(GRANTED, 10), Tok(PARTIAL, PARTIAL, 11, True), *row("1.属于国豕秘蜜", 12), *row(LAW, 13)]
    got = cells(toks)
    assert got["partial"] == ("unreadable",) * N and got["denied_state_secret"] == ("missing",) * N
    assert (got["granted"], got["denied_law_forbidden"]) == ((10.0,) * N, (13.0,) * N)
    tr = read_rows(toks, registry().app_rows_for("gov2021"), N, False)
    assert "之后还有不属于它的文字" in tr.rows["partial"].reason and "属于国豕秘蜜" in tr.rows["partial"].reason


def test_a_group_heading_after_a_short_row_is_not_taken_for_its_last_cell():
    """A PDF row whose empty column was not found has one value too few; the group heading cell
    printed next (（三）不予公开) must not fill the row up and shift its total into another column."""
    short = row(PARTIAL, 11, 6, 1, 0, 0, 0, 7)  # six cells of seven
    toks = [*row(GRANTED, 10), *short, Tok("(三)不予公开", "(三)不予公开", 12, True), *row(SECRET, 12)]
    got = cells(toks)
    assert got["partial"] == ("unreadable",) * N
    assert (got["granted"], got["denied_state_secret"]) == ((10.0,) * N, (12.0,) * N)


def test_a_label_cell_holding_two_rows_labels_gives_the_values_to_neither():
    """A line whose values OCR lost is attached to the row above: one label cell, the upper row's
    values. The lower label ended last and used to take them."""
    toks = [*row(GRANTED + PARTIAL, 10), *row(SECRET, 12)]
    got = cells(toks)
    assert got["partial"] == ("unreadable",) * N and got["granted"] == ("missing",) * N
    assert got["denied_state_secret"] == (12.0,) * N
    # the upper label read only partly (予以公幵): still not the lower row's values
    got = cells([*row("(一)予以公幵" + PARTIAL, 10), *row(SECRET, 12)])
    assert got["partial"] == ("unreadable",) * N


def test_a_short_label_before_the_matched_one_in_its_cell():
    """规章 (a two-character label) merged into the next row's cell: 规范性文件 must not take its values."""
    toks = [Tok("第二十条第(一)项", "", 1), *[Tok(t, t, 2, True) for t in ("信息内容", "本年制发件数", "本年废止件数", "现行有效件数")],
            *row("规章行政规范性文件", 3, 5, 1, 20)]
    got = {(c.row_id, c.col_id): c for c in read_active(toks, "gov2021", False, "未找到")[0] if c.block_id == "item_1"}
    assert {c.status for (r, _), c in got.items() if r == "normative_docs"} == {"unreadable"}
    assert {c.status for (r, _), c in got.items() if r == "regulations"} == {"missing"}


def test_a_label_out_of_the_printed_order_is_not_given_values():
    """A row label printed after a later row's (a garbled label that happens to hold an earlier
    row's words) is not trusted: the rows are printed in the template's order."""
    toks = [*row(SECRET, 12), *row(LAW, 13), *row("予以公开内部事", 14), *row("6.属于四类过程性信息", 15)]
    got = cells(toks)
    assert got["granted"] == ("unreadable",) * N
    assert (got["denied_law_forbidden"], got["denied_process"]) == ((13.0,) * N, (15.0,) * N)


DOTTED = {f"{x.no}、{x.label}": f"{x.no}、{x.label}。" for x in registry().sections}


def _dotted(text: str) -> str:
    for plain, dotted in DOTTED.items():
        for printed in {plain, kangxi_text(plain)}:  # (PDF text prints some characters as Kangxi radicals)
            text = text.replace(printed, kangxi_text(dotted) if printed != plain else dotted)
    return text


def _pdf(s, dot) -> bytes:
    """The report drawn as a PDF, its headings (drawn from the registry's section labels) through `dot`."""
    reg = registry()
    labels = tuple(dataclasses.replace(x, label=dot(f"{x.no}、{x.label}").split("、", 1)[1]) for x in reg.sections)
    with mock.patch.object(draw, "registry", lambda: dataclasses.replace(reg, sections=labels)):
        return render_pdf(s)


FORMS = {  # (name, bytes) of a report, its section headings passed through `dot`
    "pagetext": lambda s, dot: ("r.txt", dot(render_pagetext(s)).encode()),
    "pdftext": lambda s, dot: ("r.txt", dot(render_pdftext(s)).encode()),
    "html": lambda s, dot: ("r.html", dot(render_html(s).decode()).encode()),
    "markdown": lambda s, dot: ("r.md", dot(render_markdown(s)).encode()),
    "crawl": lambda s, dot: ("r.txt", crawl_of_pagetext(dot(render_pagetext(s))).encode()),
    "docx": lambda s, dot: ("r.docx", docx_from_html(dot(render_html(s).decode()).encode(), numbered=True)),
    "pdf": lambda s, dot: ("r.pdf", _pdf(s, dot)),
}


@pytest.mark.parametrize("form", [pytest.param(f, marks=needs_cjk_font) if f == "pdf" else f for f in FORMS])
def test_headings_ending_in_a_full_stop_start_their_sections(form):
    s = spec("gov2021", 2023, seed=3)
    plain = read_document(*FORMS[form](s, str))
    r = read_document(*FORMS[form](s, _dotted))
    assert r.format == plain.format
    assert len(plain.report.sections) == 6
    assert [(x.no, x.heading) for x in r.report.sections] == [(x.no, x.heading + ("" if form == "crawl" else "。"))
                                                              for x in plain.report.sections]  # (a crawl cuts at 情况)
    assert [(c.row_id, c.col_id, c.value, c.status) for c in r.report.cells] == \
        [(c.row_id, c.col_id, c.value, c.status) for c in plain.report.cells]
    assert sum(c.value is not None for c in r.report.cells) >= 190


def _fee(header: str, amount: str, conf: float | None):
    toks = [Tok("第二十条第(八)项", "", 1), Tok("信息内容", "信息内容", 2, True), Tok(header, header, 2, True, conf),
            Tok("行政事业性收费", "行政事业性收费", 3, True, conf), Tok(amount, amount, 3, True, conf)]
    return next(c for c in read_active(toks, "gov2021", False, "未找到")[0] if c.col_id == "fee_amount")


@pytest.mark.parametrize(("header", "amount"), [("本年收费金额(单位:元)", "35"), ("本年收费金额(单位:万元)", "35元")])
def test_an_ocr_amount_in_yuan_is_not_taken(header, amount):
    """The template prints 万元; an OCR reading of 元 (header or cell) may have lost 万: unreadable, not
    10⁴ too small. The same text from a text layer is taken as printed."""
    ocr = _fee(header, amount, 0.93)
    assert (ocr.value, ocr.status) == (None, "unreadable") and "万" in ocr.reason
    printed = _fee(header, amount, None)
    assert (printed.value, printed.status, printed.unit) == (0.0035, "ok", "元")
    assert _fee("本年收费金额(单位:万元)", "35", 0.93).value == 35


@pytest.mark.parametrize("after", ["(四)无", "续表", "无法提供"])
def test_text_printed_after_a_short_row_is_not_taken_for_its_last_cell(after):
    """A row one value short, then text that is no cell of it (a label cut by a page break, a
    continuation note): the text starts what follows; the row is unreadable, not filled up by it."""
    short = row(PARTIAL, 11, 36, 9, 1, 3, 4, 53)  # six cells of seven
    toks = [*row(GRANTED, 10), *short, Tok(after, after, 12, True), *row(SECRET, 13)]
    got = cells(toks)
    assert got["partial"] == ("unreadable",) * N
    assert (got["granted"], got["denied_state_secret"]) == ((10.0,) * N, (13.0,) * N)


def test_an_unreadable_cell_inside_a_row_keeps_its_place():
    toks = [*row(GRANTED, 10, 1, 2, 3, 4, 5, 6, 21)]
    toks[3] = Tok("约3", "约3", 10, True)
    assert cells(toks)["granted"] == (1.0, 2.0, "unreadable", 4.0, 5.0, 6.0, 21.0)


def test_a_row_with_a_cell_too_many_says_how_many_cells_it_has():
    toks = row(GRANTED, 10, 1, 2, 3, 4, 5, 6, 21)
    toks.insert(4, Tok("", "", 10, True))  # an empty cell among the values: eight cells for seven
    got = [c for c in read_applications(toks, "gov2021", False, "未找到")[0] if c.row_id == "granted"]
    assert {c.status for c in got} == {"unreadable"}
    assert "读到8个单元格（1 2 3 空 4 5 6 21），多于应有的7个" in got[0].reason


def test_a_cell_ocr_could_not_read_holds_its_place_in_the_row():
    """OCR found a column too many on a row (a cut with no ink, blank) and could not read its last
    cell (□, with its reason). The □ was dropped as padding, so the row's seven other cells were
    read one place out: the blank a value, 1 the total. The row is unreadable."""
    toks = row("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", 9, 4, 8, 0, 0, 0, 0, 1)
    toks.insert(4, Tok("", "", 9, True))  # the spurious column's cut
    toks[-1] = Tok("\ufffd", "□", 9, True, note="OCR 读数不一致（整页 '4783:'），不作取舍")
    got = cells(toks)["other_no_correction"]
    assert set(got) == {"unreadable"}


def test_a_rows_label_going_on_after_its_values_with_more_values_after_it_is_unreadable():
    """A number wrapped in its cell, the row's values at the bottom of their cells (`一、本年新收政府
    信息公开申请` with 101 … 101, then `数量` with 5 0 0 0 0 0 1: 1015 and 1011 wrapped): the code
    before read 101 … 101 and gave up the rest. Two full lines of values stay two rows' (the next
    row's label not read)."""
    def cells_of(*values: str, line: int) -> list[Tok]:
        return [Tok(v, v, line, True) for v in values]

    first = [Tok("一、本年新收政府信息公开申请", "一、本年新收政府信息公开申请", 1, True),
             *cells_of("101", "", "", "", "", "", "101", line=1)]
    rest = [Tok("数量", "数量", 2, True), *cells_of("5", "0", "0", "0", "0", "0", "1", line=2)]
    carried = row("二、上年结转政府信息公开申请数量", 3)
    assert cells(first + rest + carried)["new_received"] == ("unreadable",) * N
    full = [Tok("一、本年新收政府信息公开申请", "一、本年新收政府信息公开申请", 1, True),
            *cells_of("3", "0", "0", "0", "0", "0", "3", line=1)]
    assert cells(full + rest + carried)["new_received"] == (3.0, 0.0, 0.0, 0.0, 0.0, 0.0, 3.0)

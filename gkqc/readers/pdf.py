"""PDF attachments with a text layer: characters with positions -> lines -> table rows -> tokens.

Four modules do the steps, this one reads a file through them: `pdf_page` (what pdfium gives for a
page), `pdf_lines` (lines, chunks, rows and tables), `pdf_wrapped` (numbers wrapped in their narrow
cells, joined to their rows) and `pdf_cells` (columns, and the rows' tokens).

pdfium gives every character with its box. Characters on one line and close together form a
chunk (a word, or the text of one cell); a stack of single characters is a vertical label
(`三、本年度办理结果`). A line holding a value (number, blank mark) is a table row: label text
printed around it (wrapped, cut by a page break, spanning rows) is attached to the nearest row,
and its values are put in the table's columns, found from the x-positions of the values and of
the lowest column headings, so a blank cell is an empty token, as an empty <td> is. The page's
drawn horizontal rules tell what text shares a cell: a line holding only a label and ruled off from
the rows beside it is a row of its own with blank cells (not a wrapped label), and a number wrapped
inside its narrow cell is joined. Its vertical rules draw each row's cells: a value is in the cell
around it, wherever it stands in it (centred, or at a side under a centred heading). The tokens are
the HTML reader's: one per cell, rows in order, label cells first; other lines are text.

Every token's `line` is a running number over the rebuilt page text (`pdf_text` prints it);
`PdfDoc.where` maps it to the page and the line on that page.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from gkqc.readers import metadata as md
from gkqc.readers.errors import Unreadable
from gkqc.readers.pdf_cells import line_tokens
from gkqc.readers.pdf_lines import Line, Rules, page_lines
from gkqc.readers.pdf_page import (
    CJK_FONT_PACKAGE,
    lost_text,
    open_pdf,
    page_chars,
    page_count,
    page_objects,
    system_cjk_font,
)
from gkqc.readers.tokens import Tok
from gkqc.record import Report

MAX_PAGES = 200
TIME_BUDGET_S = 20.0
DRAWN_GLYPHS = 10  # small curved shapes in a file that may be numbers drawn as outlines (a seal has fewer)
MAX_PAGE_CHARS = 100_000  # characters on one page (a dense page of small print has about 5,000)
_COMPILED_BY = re.compile(r"本报告由(.{2,40}?)(?:根据|依据|按照|负责|编制)")


class NoTextLayer(Unreadable):
    """A PDF whose pages hold no text (a scan): only OCR can read it."""


@dataclass
class PdfDoc:
    tokens: list[Tok]
    lines: list[Line]
    pages: int
    meta: dict[str, str]
    where: dict[int, tuple[int, int]]  # line -> (page, line on the page)
    shapes: int = 0  # small filled shapes with curves the pages draw (glyphs drawn as outlines, a seal)

    @property
    def drawn_glyphs(self) -> bool:
        """Whether the pages draw shapes enough to be numbers drawn as outlines (text turned into
        curves): a table with no value in the text layer may then print its values so."""
        return self.shapes >= DRAWN_GLYPHS

    def annotate(self, rep: Report) -> None:
        """The report's PDF facts: the office that compiled it (本报告由…编制) as publisher, and as
        office when the title names none; the PDF's own metadata (`pdf_title`…, in the record only:
        weak, often a generic title and a clerk's name); what read a scanned report (the OCR engine,
        its languages and the pages, as a note the lake keeps); which lines each page holds; and the
        page and line in the reason of every cell that has one."""
        head = "".join(t.raw for t in self.tokens[:60])
        m = _COMPILED_BY.search(head)
        if m:
            compiled = m.group(1).strip("，,。 ")
            rep.publisher = rep.publisher or compiled
            if rep.office is None and not md.government_office(compiled):  # (a government's office: whose
                rep.office, rep.office_source = compiled, "正文 本报告由…编制"  # report, its or the government's?)
                rep.office_kind, rep.region = md.office_kind(compiled), md.region_of(compiled)
        rep.meta.update({f"pdf_{k.lower()}": v for k, v in self.meta.items() if v})
        if self.meta.get("OCR"):
            rep.notes.append(f"OCR 识读：{self.meta['OCR']}")
        spans: dict[int, list[int]] = {}
        for ln in self.lines:
            spans.setdefault(ln.page, []).append(ln.no)
        rep.notes.append("PDF 行号：" + "，".join(f"第{p}页 {min(n)}–{max(n)}" for p, n in spans.items()))
        for c in rep.cells:
            if c.reason and c.line in self.where:
                page, k = self.where[c.line]
                c.reason += f"（PDF 第{page}页第{k}行）"


def read_pdf(data: bytes, max_pages: int | None = None, budget_s: float | None = None) -> PdfDoc:
    """The tokens of a PDF with a text layer (at most MAX_PAGES pages, read within
    TIME_BUDGET_S seconds). Raises Unreadable with the reason."""
    start = time.monotonic()
    max_pages, budget_s = max_pages or MAX_PAGES, TIME_BUDGET_S if budget_s is None else budget_s
    doc = open_pdf(data)
    try:
        n = page_count(doc, max_pages, "PDF", "单个文件")
        lines: list[Line] = []
        rules: Rules = {}
        starts = {1: 1}  # page -> its first line number
        shapes = 0  # small curved shapes drawn: numbers drawn as outlines, perhaps
        for i in range(n):
            if time.monotonic() - start > budget_s:
                raise Unreadable(f"读取 PDF 超过时限（{budget_s:g} 秒，已读 {i}/{n} 页）")
            page = doc[i]
            textpage = page.get_textpage()
            try:
                if (k := textpage.count_chars()) > MAX_PAGE_CHARS:
                    raise Unreadable(f"PDF 第{i + 1}页有 {k:,} 个字符，超过一页的上限（{MAX_PAGE_CHARS:,}），不是年度报告的页面，未读取")
                if not system_cjk_font() and (lost := lost_text(page, textpage))[0]:
                    raise Unreadable(f"PDF 第{i + 1}页有 {lost[0]} 处文字读不出：所用字体（{lost[1]}）未嵌入文件，本机没有"
                                     f"可代替的中文字体（安装 {CJK_FONT_PACKAGE} 后重新读取）")
                try:
                    rules[i + 1], look = page_objects(page)
                except Unreadable as e:
                    raise Unreadable(f"PDF 第{i + 1}页{e}") from None
                shapes += look.shapes
                # a page whose text is all unseen (a scanner's OCR layer over the page's image) has none
                chars = page_chars(textpage, look) if look.shown or not look.unseen else []
                more, starts[i + 2] = page_lines(chars, i + 1, starts[i + 1], page.get_cropbox(),
                                                  rules[i + 1].ys, rules[i + 1].upright)
                lines += more
            finally:
                textpage.close()
                page.close()
        meta = {k: str(v) for k, v in doc.get_metadata_dict(skip_empty=True).items()}
    finally:
        doc.close()
    if sum(len(c.raw) for ln in lines for c in ln.chunks) < 10:
        raise NoTextLayer(f"PDF 没有文本层（{n} 页均无文字，可能是扫描件，需要 OCR）")
    where = {ln.no: (ln.page, ln.no - starts[ln.page] + 1) for ln in lines}
    return PdfDoc(line_tokens(lines, rules), lines, n, meta, where, shapes)


def pdf_text(data: bytes) -> str:
    """The rebuilt page text, one numbered line per printed line (what `line` refers to)."""
    d = read_pdf(data)
    return "\n".join(f"{ln.no:5d} p{ln.page} {'  '.join(c.raw for c in ln.chunks)}" for ln in d.lines)

"""Reports as PDF files with a text layer, as WPS exports them (reportlab), for the benchmark and
the tests: a two-line title, 本报告由…编制, ruled tables with spanning cells split across pages, the
vertical label of section 三, headings off their columns, page numbers."""

from __future__ import annotations

import io
from dataclasses import dataclass

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from gkqc.cells import is_value_like
from gkqc.simulate.font import FAMILY, embeddable_font
from gkqc.simulate.render import ReportSpec
from gkqc.templates import registry

FONT = "STSong-Light"  # reportlab's built-in CID font: named, not embedded (readers load a system font)
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
W, H, M = 595.0, 842.0, 59.0


def default_font() -> str:
    """The font generated reports print in: a subset of it embedded in each file, as Word and WPS
    exports do, when a CJK font is installed; else the named, non-embedded FONT."""
    path = embeddable_font()
    if path is None:
        return FONT
    if FAMILY not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FAMILY, str(path)))
    return FAMILY


@dataclass
class Span:
    """A cell over several rows (and columns): drawn once per page its rows are on, its text
    shared out between the parts (`（四）无` on one page, `法提供` on the next)."""

    col: int
    ncols: int
    first: int
    last: int
    text: str
    vertical: bool = False


class Writer:
    """A small page-flow layout on a reportlab canvas: text lines, ruled tables with spanning
    cells, page numbers `- n -` at the foot of each page. Pages are drawn at the end, so a
    spanning cell can be drawn on every page its rows reached."""

    def __init__(self, title: str = "政府信息公开工作年度报告", author: str = "王某", font: str | None = None,
                 top: bool = False, ruled: bool = True, align: str = "center", folio: tuple[str, float] = ("- {} -", 40)):
        self.folio = folio  # the page number's text (`{}`: the number) and its height above the page's foot
        self.foot = max(M, folio[1] + 15)  # the body's bottom margin, above the page number
        self.font = font or default_font()
        self.align = align  # where a table's numbers stand in their cells: center, left or right
        self.top = top  # cells' text at their top, as Word's default; else in their middle
        self.ruled = ruled  # cells drawn with borders
        self.page, self.y = 1, H - M
        self.ops: dict[int, list[tuple]] = {1: []}
        self.meta = (title, author)

    def new_page(self) -> None:
        self.page, self.y = self.page + 1, H - M
        self.ops[self.page] = []

    def save(self) -> bytes:
        buf = io.BytesIO()
        c = canvas.Canvas(buf, pagesize=(W, H))
        c.setTitle(self.meta[0])
        c.setAuthor(self.meta[1])
        for page, ops in self.ops.items():
            for op in ops + [("text", W / 2, self.folio[1], self.folio[0].format(page), 10.5, True)]:
                if op[0] == "rect":
                    if self.ruled:
                        c.setFillGray(1)
                        c.rect(*op[1:], fill=1)
                        c.setFillGray(0)
                    continue
                _, x, y, text, size, center = op
                c.setFont(self.font, size)
                c.drawString(x - (pdfmetrics.stringWidth(text, self.font, size) / 2 if center else 0), y, text)
            c.showPage()
        c.save()
        return buf.getvalue()

    def _lines(self, page: int, y: float, ls: list[str], size: float, lh: float, cx: float) -> None:
        for s in ls:
            self.ops[page].append(("text", cx, y, s, size, True))
            y -= lh

    def _aligned(self, page: int, y: float, t: str, size: float, x0: float, x1: float) -> None:
        """A number at its cell's left or right edge (3 pt in), as a table formatted so prints it."""
        width = pdfmetrics.stringWidth(t, self.font, size)
        self.ops[page].append(("text", x0 + 3 if self.align == "left" else x1 - 3 - width, y, t, size, False))

    def text(self, s: str, size: float = 12, center: bool = False, per_line: int = 36) -> None:
        for k in range(0, len(s), per_line):
            if self.y - size * 1.8 < self.foot:
                self.new_page()
            self.y -= size * 1.8
            self.ops[self.page].append(("text", W / 2 if center else M, self.y, s[k:k + per_line], size, center))

    def table(self, widths: list[float], rows: list[list[tuple[int, int, str]]], spans: list[Span] = (),
              header: int = 0, repeat_header: bool = False, break_before: int | None = None,
              size: float = 9, offsets: dict[str, float] | None = None) -> None:
        """rows: (first column, columns, text) per cell; spans: cells over several rows."""
        xs = [M + sum(widths[:k]) for k in range(len(widths) + 1)]
        lh, offsets = size * 1.3, offsets or {}
        heights = [max([len(_wrap(t, xs[a + n] - xs[a], size, self.font)) for a, n, t in r] + [1]) * lh + 8 for r in rows]
        placed: dict[int, list[tuple[int, float]]] = {}  # row -> (page, top) of each time it is drawn
        if self.y - sum(heights[:header + 1]) < self.foot + 20:  # headings stay with the first row
            self.new_page()

        def draw_row(i: int) -> None:
            top = self.y
            placed.setdefault(i, []).append((self.page, top))
            for a, n, t in rows[i]:
                self.ops[self.page].append(("rect", xs[a], top - heights[i], xs[a + n] - xs[a], heights[i]))
                ls = _wrap(t, xs[a + n] - xs[a], size, self.font)
                y = top - 4 - size if self.top else top - (heights[i] - len(ls) * lh) / 2 - size
                if self.align != "center" and is_value_like(t):
                    self._aligned(self.page, y, t, size, xs[a], xs[a + n])
                else:
                    self._lines(self.page, y, ls, size, lh, (xs[a] + xs[a + n]) / 2 + offsets.get(t, 0))
            self.y -= heights[i]

        for i in range(len(rows)):
            if i == break_before or self.y - heights[i] < self.foot + 20:
                self.new_page()
                if repeat_header and i >= header:
                    for j in range(header):
                        draw_row(j)
            draw_row(i)
        for sp in spans:
            parts: dict[int, list[float]] = {}
            for i in range(sp.first, sp.last + 1):
                for page, top in placed[i]:
                    parts.setdefault(page, []).extend([top, top - heights[i]])
            share = len(sp.text) if sp.last < header else -(-len(sp.text) // len(parts))  # repeated headings: whole
            for k, (page, ys) in enumerate(sorted(parts.items())):
                top, bottom = max(ys), min(ys)
                text = sp.text if sp.last < header else sp.text[k * share:(k + 1) * share]
                x0, x1 = xs[sp.col], xs[sp.col + sp.ncols]
                self.ops[page].append(("rect", x0, bottom, x1 - x0, top - bottom))
                ls, sh = (list(text), size * 1.1) if sp.vertical else (_wrap(text, x1 - x0, size, self.font), lh)
                self._lines(page, (top + bottom) / 2 + len(ls) * sh / 2 - size, ls, size, sh, (x0 + x1) / 2)


def _wrap(text: str, width: float, size: float, font: str) -> list[str]:
    out = [""]
    for ch in text:
        if out[-1] and pdfmetrics.stringWidth(out[-1] + ch, font, size) > width - 4:
            out.append("")
        out[-1] += ch
    return out


def render_pdf(s: ReportSpec, *, repeat_header: bool = False, break_before: str | None = "unable_need_create",
               blank: tuple[str, ...] = (), signed: bool = True, page_before: str = "", overview_times: int = 6,
               font: str | None = None, top: bool = False, ruled: bool = True, align: str = "center",
               folio: tuple[str, float] = ("- {} -", 40)) -> bytes:
    """A report as WPS exports it: a two-line title, 本报告由…编制, ruled tables with spanning
    cells and a vertical label, page numbers; `break_before` starts a page inside section 三,
    `page_before` before the sections named; `blank` leaves those applicant columns empty;
    `overview_times`: the overview printed that many times (a paragraph wrapped over lines);
    `font`: FONT for a file that names its font without embedding it; `top`: each cell's text at
    its top (Word's default) rather than in its middle; `ruled`: False for tables drawn without borders;
    `align`: the tables' numbers centred in their cells, or at their left or right edge; `folio`:
    the page numbers' text (`{}`: the number) and height above the page's foot."""
    reg = registry()
    w = Writer(font=font, top=top, ruled=ruled, align=align, folio=folio)
    w.text(s.office, 18, center=True)
    w.text(f"{s.year}年政府信息公开工作年度报告", 18, center=True)
    w.text(f"本报告由{s.publisher}根据《中华人民共和国政府信息公开条例》要求编制。报告中所列数据统计期限自"
           f"{s.year}年1月1日起至{s.year}年12月31日止。")
    heads = {x.no: f"{x.no}、{x.label}" for x in reg.sections}
    w.text(heads["一"])
    w.text(s.overview * overview_times)
    w.text(heads["二"])
    for b in reg.blocks_for(s.template):
        w.text(b.label, center=True)
        n = len(b.metrics)
        rows = [[(0, 1, "信息内容")] + [(k + 1, 1, m.label) for k, m in enumerate(b.metrics)]]
        rows += [[(0, 1, r.label)] + [(k + 1, 1, s.active.get((b.id, r.id, m.id), "")) for k, m in enumerate(b.metrics)]
                 for r in b.rows]
        w.table([130] + [346 / n] * n, rows, header=1, size=10.5)
    if "三" in page_before:
        w.new_page()
    w.text(heads["三"])
    _applications(w, s, repeat_header, break_before, blank)
    w.text(heads["四"])
    _reviews(w, s)
    for no, body in (("五", s.problems), ("六", s.other_matters)):
        if no not in s.sections:  # a report that leaves the section out
            continue
        if no in page_before:
            w.new_page()
        w.text(heads[no])
        w.text(body)
    if signed:
        w.text(s.publisher, center=True)
        d = s.published_at
        if d is not None:  # a report without a date prints none
            w.text(f"{d.year}年{d.month}月{d.day}日", center=True)
    return w.save()


def _applications(w: Writer, s: ReportSpec, repeat_header: bool, break_before: str | None,
                  blank: tuple[str, ...]) -> None:
    reg = registry()
    rows: list[list[tuple[int, int, str]]] = [
        [(3, 7, "申请人情况")], [(4, 5, "法人或其他组织")],
        [(4, 1, "商业企业"), (5, 1, "科研机构"), (6, 1, "社会公益组织"), (7, 1, "法律服务机构"), (8, 1, "其他")]]
    spans = [Span(0, 3, 0, 2, "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"),
             Span(3, 1, 1, 2, "自然人"), Span(9, 1, 1, 2, "总计")]
    parents: dict[str, list[int]] = {}
    results: list[int] = []
    brk = None
    for r in reg.app_rows_for(s.template):
        i = len(rows)
        brk = i if r.id == break_before else brk
        vals = [(3 + k, 1, "" if c.id in blank else s.applications.get((r.id, c.id), ""))
                for k, c in enumerate(reg.app_columns)]
        if r.id in ("new_received", "carried_over", "carried_forward"):
            rows.append([(0, 3, r.label)] + vals)
            continue
        results.append(i)
        if r.parent and r.parent.startswith("（"):
            parents.setdefault(r.parent, []).append(i)
            rows.append([(2, 1, r.label)] + vals)
        else:
            rows.append([(1, 2, r.label)] + vals)
    spans.append(Span(0, 1, results[0], results[-1], "三、本年度办理结果", vertical=True))
    spans += [Span(1, 1, ix[0], ix[-1], p) for p, ix in parents.items()]
    w.table([24, 72, 136] + [35] * 7, rows, spans, header=3, repeat_header=repeat_header, break_before=brk)


def _reviews(w: Writer, s: ReportSpec) -> None:
    reg = registry()
    metrics = reg.review_metrics
    rows = [[(0, 5, "行政复议"), (5, 10, "行政诉讼")],
            [(5, 5, "未经复议直接起诉"), (10, 5, "复议后起诉")],
            [(5 + 5 * g + k, 1, m.label) for g in range(2) for k, m in enumerate(metrics)],
            [(5 * g + k, 1, s.reviews.get((grp.id, m.id), "")) for g, grp in enumerate(reg.review_groups)
             for k, m in enumerate(metrics)]]
    spans = [Span(k, 1, 1, 2, m.label) for k, m in enumerate(metrics)]
    # the 行政诉讼 heading sits off its columns, as in the 洪泽 sample
    w.table([31.6] * 15, rows, spans, header=3, offsets={"行政诉讼": -70})

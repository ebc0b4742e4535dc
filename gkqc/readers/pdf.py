"""PDF attachments with a text layer: characters with positions -> lines -> table rows -> tokens.

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

import ctypes
import io
import math
import re
import statistics
import struct
import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from operator import attrgetter, itemgetter
from typing import TYPE_CHECKING

from gkqc.cells import DAMAGED, is_value_like
from gkqc.readers import metadata as md
from gkqc.readers.decode import Unreadable
from gkqc.readers.sections import find_headings
from gkqc.readers.tokens import _PAGE_NO, Tok, _nfkc
from gkqc.record import Report
from gkqc.templates import registry

if TYPE_CHECKING:  # pypdfium2 is imported when a PDF is read: batches without PDFs skip its import
    import pypdfium2 as pdfium

MAX_PAGES = 200
TIME_BUDGET_S = 20.0
_OPEN_ERRORS = {3: "不是有效的 PDF 或文件已损坏", 4: "PDF 已加密，需要密码才能打开", 5: "PDF 使用了不支持的加密方式",
                2: "PDF 文件无法打开", 6: "PDF 页面损坏"}
_STOP = r"{}|[。；;]$"  # block headings (the registry's words) and body text end a table
_COMPILED_BY = re.compile(r"本报告由(.{2,40}?)(?:根据|依据|按照|负责|编制)")
_SPACES = " \u3000\xa0\t"
_SPACE = re.compile(r"[ \u3000\xa0\t]+")
_LEFT = itemgetter(1)  # a character's left edge


class NoTextLayer(Unreadable):
    """A PDF whose pages hold no text (a scan): only OCR can read it."""


CJK_FONT_PACKAGE = "fonts-noto-cjk"


@cache
def system_cjk_font() -> bool:
    """Whether pdfium finds a system font for a CJK font a PDF names without embedding it. Without
    one it loses every text object of a single CJK character (a full-width digit wrapped in its
    cell, a vertical label drawn character by character), so those files are not read."""
    import pypdfium2 as pdfium
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setFont("STSong-Light", 12)
    c.drawString(72, 700, "字")  # one CJK character on its own
    c.save()
    doc = pdfium.PdfDocument(buf.getvalue())
    try:
        return doc[0].get_textpage().count_chars() > 0
    finally:
        doc.close()


def _lost_text(page: pdfium.PdfPage, textpage: pdfium.PdfTextPage) -> tuple[int, str]:
    """The text objects of a page drawn in a font the file does not embed whose text pdfium could
    not read, having no face for the font (their number, and the font of the first)."""
    import pypdfium2.raw as pdfium_c

    lost, font = 0, ""
    for i in range(pdfium_c.FPDFPage_CountObjects(page.raw)):
        obj = pdfium_c.FPDFPage_GetObject(page.raw, i)
        if pdfium_c.FPDFPageObj_GetType(obj) != pdfium_c.FPDF_PAGEOBJ_TEXT:
            continue
        handle = pdfium_c.FPDFTextObj_GetFont(obj)
        if not handle or pdfium_c.FPDFFont_GetIsEmbedded(handle):
            continue
        if pdfium_c.FPDFTextObj_GetText(obj, textpage.raw, None, 0) > 2:  # bytes, with the terminator: 2 if none
            continue
        if not lost:
            n = pdfium_c.FPDFFont_GetBaseFontName(handle, None, 0)
            name = ctypes.create_string_buffer(n)
            pdfium_c.FPDFFont_GetBaseFontName(handle, name, n)
            font = name.value.decode("utf-8", "replace")
        lost += 1
    return lost, font


@dataclass(slots=True, eq=False)
class Chunk:
    """Text printed close together on one line (PDF points, y upwards)."""

    raw: str
    x0: float
    y0: float
    x1: float
    y1: float
    page: int
    line: int
    top: float = 0.0  # y of the first line (a vertical stack: of its top character)
    value: bool = False
    overprinted: bool = False  # holds a digit printed over another one

    @property
    def h(self) -> float:
        return self.y1 - self.y0

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass(slots=True, eq=False)
class Line:
    no: int
    page: int
    cy: float
    h: float
    chunks: list[Chunk]
    data: bool = False  # holds a value: a table row
    blank: bool = False  # a table row of its own, ruled off from its neighbours, with nothing but its label
    stop: bool = False  # a heading or body text: no table goes on across it
    furniture: bool = False  # a page number
    taken: bool = False  # attached to a table row
    attached: list[Chunk] = field(default_factory=list)  # a row's label text from other lines

    def first_value_x(self) -> float:
        return min(c.x0 for c in self.chunks if c.value)


@dataclass
class PdfDoc:
    tokens: list[Tok]
    lines: list[Line]
    pages: int
    meta: dict[str, str]
    where: dict[int, tuple[int, int]]  # line -> (page, line on the page)

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
            if rep.office is None:
                rep.office, rep.office_source = compiled, "正文 本报告由…编制"
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


_RECT = struct.Struct("4f").unpack_from  # an FS_RECTF's fields at once


@cache
def _per_char() -> tuple:
    """FPDFText_IsGenerated, _GetUnicode and _GetLooseCharBox without argument conversion (the
    calls made for every character; their arguments are a text page, an int and a box pointer)."""
    import pypdfium2.raw as pdfium_c

    return (_bare(pdfium_c.FPDFText_IsGenerated, ctypes.c_int), _bare(pdfium_c.FPDFText_GetUnicode, ctypes.c_uint),
            _bare(pdfium_c.FPDFText_GetLooseCharBox, ctypes.c_int))


@cache
def _per_object() -> tuple:
    """FPDFPage_GetObject, FPDFPageObj_GetType and _GetBounds on bare addresses (a call per
    object of every page: the wrappers' conversions would cost more than the calls)."""
    import pypdfium2.raw as pdfium_c

    return (_bare(pdfium_c.FPDFPage_GetObject, ctypes.c_void_p),
            _bare(pdfium_c.FPDFPageObj_GetType, ctypes.c_int, [ctypes.c_void_p]),
            _bare(pdfium_c.FPDFPageObj_GetBounds, ctypes.c_int, [ctypes.c_void_p] * 5))


def _bare(f, restype, argtypes: list | None = None):
    """A pdfium function called at its address, with this result type (and these argument types)."""
    bare = type(f)(ctypes.cast(f, ctypes.c_void_p).value)
    bare.restype = restype
    if argtypes:
        bare.argtypes = argtypes
    return bare


def _rules(page: pdfium.PdfPage) -> tuple[list[float], list[tuple[float, float, float]], list[tuple[float, float, float]]]:
    """The page's horizontal rules, by height: every flat path, and the top and bottom edges of
    every box (a cell drawn as a rectangle). Returns (their y, sorted; (y, left, right) of each;
    (x, bottom, top) of each vertical rule: every upright path, and the sides of every box)."""
    import pypdfium2.raw as pdfium_c

    get_object, get_type, get_bounds = _per_object()
    handle, path = page.raw, pdfium_c.FPDF_PAGEOBJ_PATH
    box = (ctypes.c_float * 4)()
    at = [ctypes.addressof(box) + 4 * k for k in range(4)]
    out, upright = [], []
    for i in range(pdfium_c.FPDFPage_CountObjects(handle)):
        obj = get_object(handle, i)
        if get_type(obj) != path or not get_bounds(obj, *at):
            continue
        x0, y0, x1, y1 = box
        if x1 - x0 < 2:  # a vertical rule
            if y1 - y0 > 2:
                upright.append(((x0 + x1) / 2, y0, y1))
            continue
        out += [((y0 + y1) / 2, x0, x1)] if y1 - y0 <= 2 else [(y0, x0, x1), (y1, x0, x1)]
        if y1 - y0 > 2:
            upright += [(x0, y0, y1), (x1, y0, y1)]
    out.sort()
    return [r[0] for r in out], out, upright


def _chars(textpage: pdfium.PdfTextPage) -> list[tuple[str, float, float, float, float]]:
    """(character, left, bottom, right, top) of every printed character of a page: its font
    box, or an em square at its origin where the font's box is implausible (vertical fonts)."""
    import pypdfium2.raw as pdfium_c
    tp = textpage.raw  # the bare handle: no wrapper lookup per call
    out = []
    append = out.append
    generated, unicode, loose_box = _per_char()
    rect, matrix = pdfium_c.FS_RECTF(), pdfium_c.FS_MATRIX()
    at = ctypes.byref(rect)
    left, right, bottom, top = (ctypes.c_double() for _ in range(4))
    pending_high = None
    for i in range(pdfium_c.FPDFText_CountChars(tp)):
        if generated(tp, i) == 1:
            continue
        u = unicode(tp, i)
        if 0xD800 <= u < 0xDC00:  # a character beyond the BMP comes as two halves
            pending_high = u
            continue
        if 0xDC00 <= u < 0xE000:
            u, pending_high = (0x10000 + ((pending_high - 0xD800) << 10) + (u - 0xDC00) if pending_high else 0xFFFD), None
        if u < 0x20 or u in (0xFFFE, 0xFFFF):
            continue
        found = loose_box(tp, i, at)
        x0, y1, x1, y0 = _RECT(rect)  # (left, top, right, bottom; the last box's, if none was found)
        loose = found and y1 - y0 > 0.5
        size = max(y1 - y0, x1 - x0)
        if loose and size <= 30:  # the common case: text up to 30 pt
            append((chr(u), x0, y0, x1, y1))
            continue
        if not pdfium_c.FPDFText_GetCharBox(tp, i, left, right, bottom, top):
            continue
        tight = max(right.value - left.value, top.value - bottom.value)
        if loose and size <= 4 * tight + 12:
            append((chr(u), x0, y0, x1, y1))
            continue
        pdfium_c.FPDFText_GetMatrix(tp, i, matrix)
        em = pdfium_c.FPDFText_GetFontSize(tp, i) * abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5
        em = em if 0.5 < em < 4 * tight + 12 else tight
        pdfium_c.FPDFText_GetCharOrigin(tp, i, left, bottom)
        out.append((chr(u), left.value, bottom.value - 0.1 * em, left.value + em, bottom.value + 0.9 * em))
    return out


def _page_lines(chars: list[tuple[str, float, float, float, float]], page: int, first_no: int,
                box: tuple[float, float, float, float], ruled: list[float] | None = None) -> tuple[list[Line], int]:
    """Characters -> lines (by their vertical middle) -> chunks (split at gaps wider than 0.4 em).
    Returns the lines and the number the next page's lines start from."""
    rows: list[list[tuple[str, float, float, float, float]]] = []
    row_cy = row_h = 0.0  # the middle and height of the current row's first character
    for ch in sorted(chars, key=lambda c: -(c[2] + c[4])):
        cy, h = (ch[2] + ch[4]) / 2, ch[4] - ch[2]
        if rows and abs(row_cy - cy) <= 0.35 * (row_h if row_h < h else h):  # (min(h, row_h))
            rows[-1].append(ch)
            continue
        rows.append([ch])
        row_cy, row_h = cy, h
    lines = []
    for k, row in enumerate(rows):
        no = first_no + k
        chunks: list[list[tuple[str, float, float, float, float]]] = []
        over: set[int] = set()  # the chunks with a digit printed over another one
        prev = None  # the last character kept
        for ch in sorted(row, key=_LEFT):
            if prev is not None:
                h, ph = ch[4] - ch[2], prev[4] - prev[2]
                if ch[0] == prev[0] and abs(ch[1] - prev[1]) < 0.3 * h:
                    continue  # the same character drawn twice (bold by overprinting)
                if ch[1] - prev[3] <= 0.4 * (ph if ph < h else h):  # (min(h, ph); CJK-Latin space: 0.25)
                    if ch[0].isdigit() and prev[0].isdigit() and prev[3] - ch[1] > 0.6 * min(ch[3] - ch[1], prev[3] - prev[1]):
                        chunks[-1].append((DAMAGED, *ch[1:]))  # a digit printed over another one: unreadable
                        over.add(len(chunks) - 1)
                    chunks[-1].append(ch)
                    prev = ch
                    continue
            chunks.append([ch])
            prev = ch
        made = []
        for i, cs in enumerate(chunks):
            text, x0s, y0s, x1s, y1s = zip(*cs, strict=True)
            raw = "".join(text)
            if _SPACE.search(raw):
                raw = _SPACE.sub(" ", raw).strip(_SPACES)
            if raw:
                c = Chunk(raw, min(x0s), min(y0s), max(x1s), max(y1s), page, no, overprinted=i in over)
                c.top, c.value = (c.y0 + c.y1) / 2, is_value_like(_nfkc(raw))
                made.append(c)
        if made:
            lines.append(Line(no, page, made[0].top, max(c.h for c in made), made))
    _stack_vertical(lines)
    lines = [ln for ln in lines if ln.chunks]
    for k, ln in enumerate(lines):
        ln.furniture = _page_number(ln, k == 0, k == len(lines) - 1, page, box, ruled)
    return lines, first_no + len(rows)


def _page_number(ln: Line, first: bool, last: bool, page: int, box: tuple[float, float, float, float],
                 ruled: list[float] | None) -> bool:
    """A page number: `- 3 -`, `第3页`, or a bare number in the top or bottom 8% of the page (`box`:
    left, bottom, right, top). Further in, a bare number is one only as the page's last line (or
    first) within its bottom (or top) 15%, outside its ruled tables, centred across the page, and
    the page's own number or up to two less (pages before the numbering starts)."""
    text = _nfkc(ln.chunks[0].raw) if len(ln.chunks) == 1 else ""
    if _PAGE_NO.match(text):
        return True
    if not (text.isdecimal() and len(text) <= 4):
        return False
    left, bottom, right, top = box
    at = (ln.cy - bottom) / (top - bottom)  # 0 at the page's foot, 1 at its top
    if not 0.08 < at < 0.92:
        return True
    number = int(text)
    edge = (last and at < 0.15) or (first and at > 0.85)
    inside = bool(ruled) and ruled[0] < ln.cy < ruled[-1]
    return (edge and not inside and abs(ln.chunks[0].cx - (left + right) / 2) < 0.05 * (right - left)
            and number >= 1 and 0 <= page - number <= 2)


def _stack_vertical(lines: list[Line]) -> None:
    """Single characters stacked one under another (a vertical label) become one chunk, on
    its own line at the top character's place."""
    stacks: list[list[tuple[Line, Chunk]]] = []
    for ln in lines:
        for c in ln.chunks:
            if len(c.raw) != 1 or c.value:
                continue
            for s in stacks:
                last = s[-1][1]
                if abs(last.cx - c.cx) < 0.3 * c.h and 0 < last.top - c.top <= 1.6 * c.h:
                    s.append((ln, c))
                    break
            else:
                stacks.append([(ln, c)])
    for s in stacks:
        if len(s) < 3:
            continue
        for ln, c in s:
            ln.chunks.remove(c)
        cs = [c for _, c in s]
        v = Chunk("".join(c.raw for c in cs), min(c.x0 for c in cs), min(c.y0 for c in cs),
                  max(c.x1 for c in cs), max(c.y1 for c in cs), cs[0].page, cs[0].line, cs[0].top)
        lines.append(Line(v.line, v.page, v.top, cs[0].h, [v]))
    lines.sort(key=lambda ln: ln.no)


def _classify(lines: list[Line]) -> None:
    stop = re.compile(_STOP.format(registry().block_lead))
    for ln in lines:
        ln.chunks.sort(key=lambda c: c.x0)
        text = "".join(c.raw for c in ln.chunks)
        ln.data = not ln.furniture and any(c.value for c in ln.chunks)
        ln.stop = not ln.data and (bool(stop.search(_nfkc(text))) or bool(find_headings([Tok(_nfkc(text), text, 0)])))


def _label_side(ln: Line, boundary: float) -> bool:
    """Every chunk of a free line ends left of the table's first value column."""
    return not ln.stop and all(c.x1 <= boundary + 0.3 * c.h for c in ln.chunks)


def _near(free: Line, row: Line) -> bool:
    """A free line close enough above or below a row to be the rest of its label."""
    return free.page == row.page and abs(free.cy - row.cy) <= 1.6 * free.h and _label_side(free, row.first_value_x())


def _attach(free: Line, row: Line) -> None:
    row.attached += free.chunks
    free.taken = True


Rules = dict[int, tuple[list[float], list[tuple[float, float, float]], list[tuple[float, float, float]]]]  # page -> _rules


def _fenced(p: Line, other: Line | None, rules: Rules, below: bool = False) -> bool:
    """A rule crosses p's text between p and `other` (on another page, or None: between p and
    the side of p's page towards it; `below` says which side None is)."""
    x0, x1 = min(c.x0 for c in p.chunks), max(c.x1 for c in p.chunks)
    if other is not None and other.page == p.page:
        lo, hi = sorted((p.cy, other.cy))
    elif (other.page > p.page) if other is not None else below:
        lo, hi = float("-inf"), p.cy
    else:
        lo, hi = p.cy, float("inf")
    near, half = 0.3 * p.h, 0.5 * (x1 - x0)
    ys, found, _ = rules.get(p.page, ((), (), ()))
    return any(abs(y - p.cy) > near and min(b, x1) - max(a, x0) >= half
               for y, a, b in found[bisect_right(ys, lo):bisect_left(ys, hi)])


def _same_cell(p: Line, q: Line, rules: Rules) -> bool:
    """Two lines printed one over the other with no rule between them."""
    overlap = min(p.chunks[-1].x1, q.chunks[-1].x1) - max(p.chunks[0].x0, q.chunks[0].x0)
    return p.page == q.page and overlap > 0 and not _fenced(p, q, rules) and not _fenced(q, p, rules)


_DIGIT = re.compile(r"\d")
_NUMBER_PART = re.compile(r"[-+]?[\d,.]*\d[\d,.]*")  # a value, or a piece of one cut at a separator ('36,10' / '8')


def _number_part(c: Chunk) -> bool:
    return c.value or _NUMBER_PART.fullmatch(_nfkc(c.raw)) is not None


def _fills_cell(c: Chunk, edges: list[float]) -> bool:
    """c, printed in a ruled cell of its row (`edges`: the row's vertical rules), takes up most of
    the cell's width: what is printed after it wraps to the next line."""
    k = bisect_left(edges, c.cx)
    return 0 < k < len(edges) and c.x1 - c.x0 >= 0.6 * (edges[k] - edges[k - 1])


def _join_wrapped_values(lines: list[Line], rules: Rules) -> list[Line]:
    """A value too long for its narrow column is printed over lines of its own, above and below its
    row's line (`２６８` / `６`). A line of values only, beside a row on the same page (the next row
    up or down, over lines of label text only; within 2.5 lines: a row made taller by a label beside
    it has the rest printed lower) and not ruled off from it, goes into that row: each of its values
    joins the row's value in the same column (top to bottom), or takes that column (a row without
    labels, as section 四's, has many more values than such a line). A line under a row that holds
    label text (the rest of the row's label, or a group's label printed beside its rows) and, right
    of it, number parts gives each part to the row's number in the same ruled cell, when that number
    fills its cell (it wrapped there), one part a cell. A column is a cell between the row's
    vertical rules, where it has them. Without rules on the page nothing is joined."""
    def row_of(r: Line | None, ln: Line) -> bool:  # a row: a label, or many more values (section 四)
        return (r is not None and r.data and r.page == ln.page and abs(r.cy - ln.cy) <= 2.5 * ln.h
                and (any(not c.value for c in r.chunks) or len(r.chunks) >= 3 * len(ln.chunks)))

    def beside(k: int, step: int) -> Line | None:  # the next line up or down, over label text only (a group's label)
        k += step
        while 0 <= k < len(lines) and not (lines[k].data or lines[k].stop or lines[k].furniture):
            k += step
        return lines[k] if 0 <= k < len(lines) else None

    def under(c: Chunk, row: Line, edges: list[float]) -> Chunk | None:  # the row's number in c's cell (column)
        if len(edges) >= 2:
            k = bisect_left(edges, c.cx)
            return next((o for o in row.chunks if _number_part(o) and bisect_left(edges, o.cx) == k), None)
        return next((o for o in row.chunks if _number_part(o) and o.x0 < c.x1 and c.x0 < o.x1), None)

    def join(c: Chunk, same: Chunk, row: Line) -> None:
        top, low = (c, same) if c.top > same.top else (same, c)
        row.chunks[row.chunks.index(same)] = Chunk(top.raw + low.raw, min(c.x0, same.x0), min(c.y0, same.y0),
                                                   max(c.x1, same.x1), max(c.y1, same.y1), row.page, row.no, top.top, True,
                                                   c.overprinted or same.overprinted)

    gone: set[int] = set()
    for k, ln in enumerate(lines):
        if ln.furniture or not ln.chunks or not rules.get(ln.page, ((), (), ()))[0]:
            continue
        nums = [c for c in ln.chunks if _number_part(c)]
        label = [c for c in ln.chunks if not _number_part(c)]
        if not nums or (label and min(c.x0 for c in nums) < max(c.x1 for c in label)):
            continue
        near = [r for r in (beside(k, -1), beside(k, 1)) if row_of(r, ln)]
        row = min(near, key=lambda r: abs(r.cy - ln.cy), default=None)
        if row is None or _fenced(Line(ln.no, ln.page, ln.cy, ln.h, nums), row, rules):
            continue
        edges = _cell_edges(row, rules)
        if label:  # the row's label wrapped beside the last piece of a number that filled its cell
            pairs = [(c, under(c, row, edges)) for c in nums]
            if ln.cy < row.cy and all(same is not None and _fills_cell(same, edges) for _, same in pairs) \
                    and len({id(same) for _, same in pairs}) == len(pairs):
                for c, same in pairs:
                    join(c, same, row)
                ln.chunks, ln.data = label, False  # the rest of the row's label
            continue
        for c in ln.chunks:
            same = under(c, row, edges)
            if same is None:
                row.chunks.append(c)
            else:
                join(c, same, row)
        row.chunks.sort(key=lambda c: c.x0)
        gone.add(id(ln))
    return [ln for ln in lines if id(ln) not in gone]


def _blank_rows(run: list[Line], above: Line | None, below: Line | None, rules: Rules) -> list[Line]:
    """Lines of `run` (lines between the rows `above` and `below`; None: the page's side) that are
    rows of their own with nothing printed but the label: the text of a cell (lines not ruled off
    from each other) ruled off from both rows; a wrapped label or a label spanning rows shares its
    cell with a row. Each such row's first line is returned, the others attached to it."""
    groups: list[list[Line]] = []
    for p in run:
        if groups and _same_cell(p, groups[-1][-1], rules):
            groups[-1].append(p)
        else:
            groups.append([p])
    out = []
    for g in groups:
        if _fenced(g[0], above, rules) and _fenced(g[-1], below, rules, below=True):
            g[0].blank = True
            for p in g[1:]:
                _attach(p, g[0])
            out.append(g[0])
    return out


def _tables(lines: list[Line], rules: Rules | None = None) -> list[tuple[list[Line], list[Line]]]:
    """(heading lines, rows) of each table. A table goes on, across page breaks too, while
    only label text (left of its values) lies between two rows; that text is attached to the
    nearer row, and so is label text just above its first or below its last row, unless the
    page's rules (`rules`) fence it off from both rows: then it is a row with blank cells."""
    tables: list[tuple[list[Line], list[Line]]] = []
    pending: list[Line] = []
    last: Line | None = None  # the last row with values
    for ln in lines:
        if ln.furniture:
            continue
        if not ln.data:
            pending.append(ln)
            continue
        rows = tables[-1][1] if tables else []
        if rows and all(_label_side(p, min(last.first_value_x(), ln.first_value_x())) for p in pending):
            blank = _blank_rows(pending, last, ln, rules) if rules else []
            head = _numbered_label(ln)
            if not blank and head is not None and rules is not None:  # a text layer (OCR text is not trusted so)
                blank = _numbered_rows(pending, head)
            for p in pending:  # to the row whose cell it is in, else the nearer; halfway: the upper one
                if p.taken or p.blank:
                    continue
                same = [r for r in (last, ln) if r.page == p.page] or [last]
                same = [r for r in same if not (rules and _fenced(p, r, rules))] or same
                if head is not None and ln in same and p.page == ln.page and p.cy > ln.cy and _over(p, head):
                    same = [last]  # ln's label begins on its line: text above it in its column (this page) is not ln's
                _attach(p, min(same, key=lambda r: abs(r.cy - p.cy) - (0.25 * p.h if r.cy > p.cy else 0)))
            rows += [*blank, ln]
        else:
            if rows:
                pending = _close(rows, last, pending, rules)
            for p in reversed(pending):  # the first row's label, wrapped above it (in its cell)
                if p.taken or not _near(p, ln) or (rules and _fenced(p, ln, rules)):
                    break
                _attach(p, ln)
            lead = _leading(pending, ln, rules) if rules else []
            free = [p for p in pending if not p.taken and not p.blank]
            stops = [i for i, p in enumerate(free) if p.stop]
            tables.append((free[stops[-1] + 1:] if stops else free, [*lead, ln]))
        pending, last = [], ln
    if tables:
        _close(tables[-1][1], last, pending, rules)
    return tables


_NUMBERED = re.compile(r"(?:\d{1,2}[.．、]|[(（][一二三四五六七八九十]{1,3}[)）]|[一二三四五六七八九十]{1,3}、)")


def _numbered_label(row: Line) -> Chunk | None:
    """The row's label chunk on its own line when it begins with a row number (`1.`, `（三）`, `二、`):
    the label starts there, so no line above it is its label (cells aligned to the top)."""
    own = [c for c in row.chunks if not c.value and c.x1 <= row.first_value_x()]
    return own[-1] if own and _NUMBERED.match(_nfkc(own[-1].raw)) else None  # the last: a parent's label is left of it


def _numbered_rows(pending: list[Line], head: Chunk) -> list[Line]:
    """Without rules to tell: between two rows, the row under beginning its label with its number on its
    own line, a label line in that column that begins with a row number too is a row of its own with
    nothing printed but its label (a label's continuation never begins so); the lines under it, up to
    the next such line, are the rest of its label."""
    out: list[Line] = []
    for p in pending:
        if p.taken or not _over(p, head):
            continue
        own = [c for c in p.chunks if _over_chunk(c, head)]
        if own and _NUMBERED.match(_nfkc(own[0].raw)):
            p.blank = True
            out.append(p)
        elif out:
            _attach(p, out[-1])
    return out


def _over_chunk(c: Chunk, chunk: Chunk) -> bool:
    return min(c.x1, chunk.x1) > max(c.x0, chunk.x0)


def _over(p: Line, chunk: Chunk) -> bool:
    """p's text is printed over or under the chunk (their x-ranges overlap)."""
    return min(max(c.x1 for c in p.chunks), chunk.x1) > max(min(c.x0 for c in p.chunks), chunk.x0)


def _close(rows: list[Line], last: Line, pending: list[Line], rules: Rules | None) -> list[Line]:
    """The end of a table: its last label, wrapped under its last row, and rows after it with
    nothing printed but their label (the run of label-side lines ruled off from it). Returns
    the lines that do not belong to it."""
    k = 0
    while k < len(pending) and _near(pending[k], last) and not (rules and _fenced(pending[k], last, rules)):
        _attach(pending[k], last)
        k += 1
    if not rules:
        return pending[k:]
    run = []
    for p in pending[k:]:
        if not _label_side(p, last.first_value_x()):
            break
        run.append(p)
    blank = _blank_rows(run, last, None, rules)
    rows += blank
    return [p for p in pending[k:] if not p.taken and not p.blank]


def _leading(pending: list[Line], first: Line, rules: Rules) -> list[Line]:
    """Rows before a table's first row with values, with nothing printed but their label: the
    label-side lines just above it, ruled off from it and from each other."""
    run: list[Line] = []
    for p in reversed(pending):
        if p.taken or not _label_side(p, first.first_value_x()):
            break
        run.insert(0, p)
    blank = _blank_rows(run, None, first, rules) if run else []
    return [p for p in blank if _fenced(p, first, rules)]


_MIDDLE = attrgetter("cx")
_SIDES = (attrgetter("x0"), attrgetter("x1"))  # values printed at their cells' left or right side


def _lined_up(cells: list[Chunk], key: Callable[[Chunk], float], h: float) -> list[list[Chunk]]:
    """The values in columns: sorted by `key` (where each stands), a new column after a gap over h."""
    groups: list[list[Chunk]] = []
    for c in sorted(cells, key=key):
        if groups and key(c) - key(groups[-1][-1]) <= h:
            groups[-1].append(c)
        else:
            groups.append([c])
    return groups


def _value_cells(rows: list[Line], boundary: float) -> list[Chunk]:
    return [c for r in rows if r.data for c in r.chunks if c.cx > boundary]


def _label_edge(rows: list[Line]) -> tuple[float, list[float]]:
    """The right edge of a table's label side (its labels' right edge, at most its first value's
    left), and the right edge of each label."""
    first = min(r.first_value_x() for r in rows if r.data)
    labels = [c.x1 for r in rows for c in r.chunks + r.attached  # (rows without values: all label)
              if not c.value and len(c.raw) > 3 and c.x1 <= (r.first_value_x() if r.data else first)]
    return min(max(labels, default=first), first), labels


def _alignment(rows: list[Line]) -> Callable[[Chunk], float]:
    """Where a table's values stand in their columns, as the key that places them: their middles,
    unless their left (or right) edges line up, each column within a third of a character, in fewer
    columns than the middles make (numbers of different widths at a side of their cells: their
    middles scatter into columns that are not there)."""
    cells = _value_cells(rows, _label_edge(rows)[0])
    h = statistics.median(c.h for c in cells)

    def columns(key) -> float:
        groups = _lined_up(cells, key, h)
        return len(groups) if key is _MIDDLE or all(key(g[-1]) - key(g[0]) <= h / 3 for g in groups) else math.inf

    side = min(_SIDES, key=columns)
    return side if columns(side) < columns(_MIDDLE) else _MIDDLE


def _columns(header: list[Line], rows: list[Line], ruled: bool = False,
             key: Callable[[Chunk], float] = _MIDDLE) -> tuple[float, list[float]]:
    """(right edge of the label side, x of each value column): the values' own places (their middles,
    or the side `key` gives), plus the lowest heading over a column where no value is printed at all.
    A heading left of every value (leading blank columns) counts only at the values' column pitch: the
    labels' own heading (信息内容) is not a column. In a table without rules (`ruled` False) whose
    values stand at a side of their cells, not under their headings' middles, no heading is a column:
    nothing tells which column a heading is over (a row with a blank column comes out short)."""
    boundary, labels = _label_edge(rows)
    cells = _value_cells(rows, boundary)
    h = statistics.median(c.h for c in cells)
    groups = _lined_up(cells, key, h)
    cols = [sum(key(c) for c in g) / len(g) for g in groups]
    spans = [(min(c.x0 for c in g) - 0.3 * h, max(c.x1 for c in g) + 0.3 * h) for g in groups]
    heads = [c for ln in header for c in ln.chunks if c.x0 >= (max(labels) if labels else 0.0)]
    lowest = sorted((c for c in heads if not any(o is not c and _under(o, c) and o.x0 < c.x1 and c.x0 < o.x1
                                                 for o in heads)), key=lambda c: c.cx)
    known = sorted(cols + [c.cx for c in lowest if c.cx > cols[0]])
    pitch = min((b - a for a, b in zip(known, known[1:], strict=False) if b - a > h), default=0.0)
    if len(groups) >= len(lowest) or (not ruled and (key is not _MIDDLE or _off_centre(cols, lowest, h))):
        lowest = []  # as many columns of values as headings (all found), or headings not over their values
    for c in lowest:
        k = (cols[0] - c.cx) / pitch if pitch else 0.0
        regular = c.cx > cols[0] or (k > 0.5 and abs(k - round(k)) <= 0.2)
        if regular and not any(a < c.x1 and c.x0 < b for a, b in spans):
            cols.append(c.cx)
            spans.append((c.x0, c.x1))
    return boundary, sorted(cols)


def _off_centre(cols: list[float], heads: list[Chunk], h: float) -> bool:
    """Most columns of values stand further than a character's height from every heading's middle."""
    far = sum(min(abs(c.cx - x) for c in heads) > h for x in cols) if heads else 0
    return far * 2 > len(cols)


def _under(o: Chunk, c: Chunk) -> bool:
    """o is printed under c: lower on the same page, or on a later page (headings cut by a page break)."""
    return o.page > c.page or (o.page == c.page and o.y1 <= c.y0 + 0.1)


def _nearest(cols: list[float], x: float) -> int:
    """The column (sorted middles) nearest to x; on a tie the leftmost, as min() over them gives."""
    j = bisect_left(cols, x)
    if j == len(cols) or (j > 0 and x - cols[j - 1] <= cols[j] - x):
        j -= 1
    return bisect_left(cols, cols[j])  # the first of equal middles


def _cell_tok(chunks: list[Chunk]) -> Tok:
    chunks = sorted(chunks, key=lambda c: -c.top)
    raw = "".join(c.raw for c in chunks)
    return Tok(_nfkc(raw), raw, chunks[0].line, True)


def _cell_edges(row: Line, rules: Rules | None) -> list[float]:
    """x of the vertical rules that cross a table row's line (its cells' sides), left to right."""
    xs = sorted(x for x, y0, y1 in (rules or {}).get(row.page, ((), (), ()))[2] if y0 - 0.5 <= row.cy <= y1 + 0.5)
    edges: list[float] = []
    for x in xs:
        if not edges or x - edges[-1] > 1.0:  # two cells' shared side, drawn twice
            edges.append(x)
    return edges


def _ruled_cells(values: list[Chunk], cols: list[float], edges: list[float]) -> tuple[int, list[int]] | None:
    """The row's value cells as its rules draw them, each stretch between two sides with a column of
    the table in it (a column's values and headings stand anywhere in their cell: centred, or at its
    left or right): (how many, the cell of each value). None when the rules do not hold the row's
    values, each inside a cell of its own (pieces of one number wrapped over lines share theirs)."""
    cells = [(a, b) for a, b in zip(edges, edges[1:], strict=False) if any(a < x < b for x in cols)]
    where: list[int] = []
    for c in values:
        k = next((k for k, (a, b) in enumerate(cells) if a - 0.5 <= c.x0 and c.x1 <= b + 0.5), None)
        if k is None or any(where[j] == k and values[j].line == c.line for j in range(len(where))):
            return None
        where.append(k)
    return (len(cells), where) if cells else None


def _row_tokens(row: Line, boundary: float, cols: list[float], rules: Rules | None = None,
                key: Callable[[Chunk], float] = _MIDDLE,
                doubt: str | None = None) -> list[Tok]:
    """A table row as cells: label cells (text grouped by column, top to bottom), then one
    cell per value column, empty where nothing is printed. In a ruled table a value is in the
    cell its rules draw around it; else in the column nearest to it (`key`: the place of a value
    its columns are found by, `_alignment`). `doubt`: why no value cell can be read (each is
    unreadable, with that reason); digits printed across one of the row's vertical rules, on its
    line or a line of its label, are one."""
    labels: list[Chunk] = []
    for c in sorted([c for c in row.chunks + row.attached if c.cx <= boundary], key=lambda c: (c.line, c.x0)):
        prev = labels[-1] if labels else None
        if prev and prev.line == c.line and c.x0 - prev.x1 <= c.h:  # a gap inside a label: `反复 申请`
            labels[-1] = Chunk(f"{prev.raw} {c.raw}", prev.x0, min(prev.y0, c.y0), c.x1, max(prev.y1, c.y1),
                               c.page, c.line, prev.top)
        else:
            labels.append(c)
    labels.sort(key=lambda c: c.x0)
    groups: list[list[Chunk]] = []
    for c in labels:
        if groups and c.x0 < max(o.x1 for o in groups[-1]):
            groups[-1].append(c)
        else:
            groups.append([c])
    out = [_cell_tok(g) for g in groups]
    values = [c for c in row.chunks if c.cx > boundary]
    edges = _cell_edges(row, rules) if rules else []
    ruled = _ruled_cells(values, cols, edges) if edges else None
    n, where = ruled if ruled else (len(cols), [_nearest(cols, key(c)) for c in values])
    digits = [c for c in row.chunks + row.attached if _DIGIT.search(c.raw)]
    if doubt is None and any(c.x0 < x - 0.5 and x + 0.5 < c.x1 for c in digits for x in edges):
        doubt = CROSSING
    if doubt is None and not ruled and _overflows(values, where, cols):
        doubt = OVERFLOW
    by_col: dict[int, list[Chunk]] = {}
    for c, k in zip(values, where, strict=True):
        by_col.setdefault(k, []).append(c)
    for k in range(n):
        raw = " ".join(c.raw for c in by_col.get(k, ()))
        out.append(Tok(_nfkc(raw), raw, row.no, True, note=doubt, refused=doubt is not None))
    return out


STACKED = "本行上下紧贴着一行只有数值的文字（本行的数值分在两行，或一个数字折行），无法确定各单元格的值"
OVERPRINTED = "本行有数字叠印在另一数字上（数字超出单元格），无法确定各单元格的值"
CROSSING = "本行有数字跨过单元格的竖线（数字超出单元格，或与标签连在一起），无法确定各单元格的值"
OVERFLOW = "本行有数字伸到相邻空白列的位置（数字超出单元格，或与相邻单元格的数字连在一起），无法确定各单元格的值"


def _overflows(values: list[Chunk], where: list[int], cols: list[float]) -> bool:
    """In a table without rules, a value reaching over the place of a neighbouring column that holds
    nothing in its row: the two cells' numbers may be printed together as one (`1` beside `3167944`,
    read `13167944`)."""
    taken = set(where)
    return any((k > 0 and k - 1 not in taken and c.x0 < cols[k - 1])
               or (k + 1 < len(cols) and k + 1 not in taken and c.x1 > cols[k + 1])
               for c, k in zip(values, where, strict=True))


def _stacked(rows: list[Line], rules: Rules | None) -> set[int]:
    """The rows of a table printed right over or under a line that prints values only (its label,
    if any, on other lines; in a ruled table, one its rules did not join to the row): that line may
    hold some of the row's values (cells of different heights) or the rest of a number wrapped in
    its cell; nothing tells which, nor which column each stands in. So too a row right over or under
    a line of label text with a few values, each printed under one of the row's values and not ruled
    off from it: the row's label wrapped there beside the rest of a number (`470590` / `1`); and two
    rows with values less than a line apart, one printed half over the other (a group's label beside
    a number printed higher than its row). The line numbers (`Line.no`) of both. In a table without rules, so too a line of values only and the
    nearer of the rows beside it, when that row lies closer to it than the table's rows lie to each
    other (the rest of a number wrapped at a wide line spacing, a group's label beside it:
    `678602` / `76`)."""
    out: set[int] = set()
    for a, b in zip(rows, rows[1:], strict=False):
        if a.page != b.page or abs(a.cy - b.cy) > 1.5 * min(a.h, b.h):
            continue
        alone = [_values_only(ln) for ln in (a, b)]
        if alone[0] != alone[1] or (abs(a.cy - b.cy) < 0.6 * min(a.h, b.h) and a.data and b.data) \
                or (not any(alone) and (_pieces_of(a, b) or _pieces_of(b, a)) and not (rules and _fenced(a, b, rules))):
            out |= {a.no, b.no}
    pitch = None if rules and _cell_edges(rows[0], rules) else _pitch(rows)
    if pitch is None:
        return out
    for k, ln in enumerate(rows):
        beside = [rows[j] for j in (k - 1, k + 1) if 0 <= j < len(rows) and rows[j].page == ln.page]
        if not _values_only(ln) or not beside:
            continue
        row = min(beside, key=lambda r: abs(r.cy - ln.cy))
        if not _values_only(row) and 1.5 * min(row.h, ln.h) < abs(row.cy - ln.cy) < 0.85 * pitch:
            out |= {row.no, ln.no}
    return out


def _values_only(ln: Line) -> bool:
    return all(c.value for c in ln.chunks)


def _pitch(rows: list[Line]) -> float | None:
    """How far apart a table's neighbouring rows with labels lie, the median (None: fewer than
    three such pairs)."""
    gaps = [abs(a.cy - b.cy) for a, b in zip(rows, rows[1:], strict=False)
            if a.page == b.page and not _values_only(a) and not _values_only(b)]
    return statistics.median(gaps) if len(gaps) >= 3 else None


def _pieces_of(row: Line, ln: Line) -> bool:
    """ln prints fewer values than row, each under or over one of row's values."""
    mine, theirs = [c for c in ln.chunks if c.value], [c for c in row.chunks if c.value]
    return 0 < len(mine) < len(theirs) and all(any(o.x0 < c.x1 and c.x0 < o.x1 for o in theirs) for c in mine)


def _title(lines: list[Line]) -> set[int]:
    """The title lines at the top of page 1: up to four lines printed larger than what follows."""
    head = [ln for ln in lines if ln.page == 1 and not ln.furniture][:5]
    out: list[Line] = []
    for ln in head[:4]:
        if ln.data or (out and ln.h < 0.9 * out[0].h):
            break
        out.append(ln)
    body = head[len(out)] if len(out) < len(head) else None
    return {ln.no for ln in out} if out and body and out[0].h >= 1.15 * body.h else set()


def add_title_line(out: list[Tok], ln: Line, title: set[int]) -> None:
    """A line of the title (wrapped over lines): joined to the token of its first line."""
    raw = "".join(c.raw for c in ln.chunks)
    if out and out[-1].line in title:
        raw = out[-1].raw + raw
        out[-1] = Tok(_nfkc(raw), raw, out[-1].line)
    else:
        out.append(Tok(_nfkc(raw), raw, ln.no))


def _tokens(lines: list[Line], rules: Rules | None = None) -> list[Tok]:
    """The document as tokens: the title as one line, each table row as cells, other lines as text
    (`lines` loses the lines of wrapped numbers, joined to their rows)."""
    _classify(lines)
    if rules:
        lines[:] = _join_wrapped_values(lines, rules)
    layout: dict[int, tuple[float, list[float], Callable[[Chunk], float]]] = {}
    stacked: set[int] = set()
    for header, rows in _tables(lines, rules):
        ruled = bool(rules) and bool(_cell_edges(rows[0], rules))
        key = _MIDDLE if ruled else _alignment(rows)
        boundary, cols = _columns(header, rows, ruled=ruled, key=key)
        for r in rows:
            layout[r.no] = (boundary, cols, key)
        stacked |= _stacked(rows, rules)  # (in a ruled table, what the rules could not join to its row)
    title = _title(lines)
    out: list[Tok] = []
    for ln in lines:
        if ln.furniture or ln.taken:
            continue
        if ln.no in title:
            add_title_line(out, ln, title)
        elif ln.data or ln.blank:
            boundary, cols, key = layout[ln.no]
            doubt = STACKED if ln.no in stacked else OVERPRINTED if any(c.overprinted and c.value for c in ln.chunks) else None
            out += _row_tokens(ln, boundary, cols, rules, key, doubt=doubt)
        else:
            out += [Tok(_nfkc(c.raw), c.raw, ln.no) for c in ln.chunks]
    return out


def _open(data: bytes) -> pdfium.PdfDocument:
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as e:
        raise Unreadable(_OPEN_ERRORS.get(getattr(e, "err_code", None), f"PDF 无法打开（{e}）")) from None


def page_count(doc: pdfium.PdfDocument, limit: int, what: str, per: str) -> int:
    """The document's pages; Unreadable when it has none or more than `limit`."""
    n = len(doc)
    if n == 0:
        raise Unreadable("PDF 没有页面")
    if n > limit:
        raise Unreadable(f"{what} 共 {n} 页，超过{per} {limit} 页的上限，未读取")
    return n


def read_pdf(data: bytes, max_pages: int | None = None, budget_s: float | None = None) -> PdfDoc:
    """The tokens of a PDF with a text layer (at most MAX_PAGES pages, read within
    TIME_BUDGET_S seconds). Raises Unreadable with the reason."""
    start = time.monotonic()
    max_pages, budget_s = max_pages or MAX_PAGES, TIME_BUDGET_S if budget_s is None else budget_s
    doc = _open(data)
    try:
        n = page_count(doc, max_pages, "PDF", "单个文件")
        lines: list[Line] = []
        rules: Rules = {}
        starts = {1: 1}  # page -> its first line number
        for i in range(n):
            if time.monotonic() - start > budget_s:
                raise Unreadable(f"读取 PDF 超过时限（{budget_s:g} 秒，已读 {i}/{n} 页）")
            page = doc[i]
            textpage = page.get_textpage()
            try:
                if not system_cjk_font() and (lost := _lost_text(page, textpage))[0]:
                    raise Unreadable(f"PDF 第{i + 1}页有 {lost[0]} 处文字读不出：所用字体（{lost[1]}）未嵌入文件，本机没有"
                                     f"可代替的中文字体（安装 {CJK_FONT_PACKAGE} 后重新读取）")
                rules[i + 1] = _rules(page)
                more, starts[i + 2] = _page_lines(_chars(textpage), i + 1, starts[i + 1], page.get_cropbox(),
                                                  rules[i + 1][0])
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
    return PdfDoc(_tokens(lines, rules), lines, n, meta, where)


def pdf_text(data: bytes) -> str:
    """The rebuilt page text, one numbered line per printed line (what `line` refers to)."""
    d = read_pdf(data)
    return "\n".join(f"{ln.no:5d} p{ln.page} {'  '.join(c.raw for c in ln.chunks)}" for ln in d.lines)

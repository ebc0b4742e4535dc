"""A PDF opened with pdfium, and what a page gives the reader: each character with its box, the
drawn rules, and the text pdfium could not read for want of a font."""

from __future__ import annotations

import ctypes
import io
import struct
from functools import cache
from typing import TYPE_CHECKING, NamedTuple

from gkqc.readers.errors import Unreadable

if TYPE_CHECKING:  # pypdfium2 is imported when a PDF is read: batches without PDFs skip its import
    import pypdfium2 as pdfium

_OPEN_ERRORS = {3: "不是有效的 PDF 或文件已损坏", 4: "PDF 已加密，需要密码才能打开", 5: "PDF 使用了不支持的加密方式",
                2: "PDF 文件无法打开", 6: "PDF 页面损坏"}
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


def lost_text(page: pdfium.PdfPage, textpage: pdfium.PdfTextPage) -> tuple[int, str]:
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


class PageRules(NamedTuple):
    """The rules drawn on a page."""

    ys: list[float]  # the horizontal rules' heights, sorted
    flat: list[tuple[float, float, float]]  # each horizontal rule: (y, left, right), in the order of `ys`
    upright: list[tuple[float, float, float]]  # each vertical rule: (x, bottom, top)


NO_RULES = PageRules([], [], [])


def page_rules(page: pdfium.PdfPage) -> PageRules:
    """The page's rules: every flat path, and the top and bottom edges of every box (a cell drawn
    as a rectangle), as horizontal rules; every upright path, and the sides of every box, as
    vertical ones."""
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
    out = _joined(out)
    return PageRules([r[0] for r in out], out, upright)


def _joined(flat: list[tuple[float, float, float]]) -> list[tuple[float, float, float]]:
    """Horizontal rules drawn in pieces (a browser draws each cell's border on its own) as one rule:
    pieces at one height (within 0.6 pt) that meet or nearly meet (3 pt) joined; sorted by height."""
    out: list[tuple[float, float, float]] = []
    level: list[tuple[float, float, float]] = []  # the pieces at the current height
    for r in [*sorted(flat), None]:
        if level and (r is None or r[0] - level[0][0] > 0.6):
            y = level[0][0]
            for _, a, b in sorted(level, key=lambda p: p[1]):
                if out and out[-1][0] == y and a <= out[-1][2] + 3:
                    out[-1] = (y, out[-1][1], max(out[-1][2], b))
                else:
                    out.append((y, a, b))
            level = []
        if r is not None:
            level.append(r)
    return out


def page_chars(textpage: pdfium.PdfTextPage) -> list[tuple[str, float, float, float, float]]:
    """(character, left, bottom, right, top) of every printed character of a page: its font
    box, or an em square at its origin where the font's box is implausible (vertical fonts). A glyph
    the file gives no text for is U+FFFD: what holds it is unreadable, not read without it."""
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
        if u == 0:  # a glyph drawn whose text the file does not give (a sign missing from its font)
            u = 0xFFFD  # (cells.DAMAGED: what holds it cannot be read)
        elif u < 0x20 or u in (0xFFFE, 0xFFFF):
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


def open_pdf(data: bytes) -> pdfium.PdfDocument:
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

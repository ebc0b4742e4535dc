"""A PDF opened with pdfium, and what a page gives the reader: each character with its box, the
drawn rules, and the text pdfium could not read for want of a font."""

from __future__ import annotations

import ctypes
import io
import struct
from functools import cache
from types import SimpleNamespace
from typing import TYPE_CHECKING, NamedTuple

from gkqc.readers.errors import Unreadable

if TYPE_CHECKING:  # pypdfium2 is imported when a PDF is read: batches without PDFs skip its import
    import numpy as np
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


class PageLook(NamedTuple):
    """What a page does not show of its text, and the shapes it draws."""

    unseen: dict[int, tuple[float, float, float, float] | None]  # text object -> the box it shows
    # through (its clip), or None where it shows nothing (invisible, clipped to nothing elsewhere)
    white: set[int]  # text objects filled white: seen only on a dark ground, if at all
    covers: list[tuple[int, float, float, float, float]]  # white areas painted: (object's place, box)
    order: dict[int, int]  # text object -> its place in the page's painting order (when covers)
    boxes: np.ndarray | None  # text objects shown, where the page hides some text: rows of (object,
    # place, left, bottom, right, top) in order of left (`_shown_boxes`)
    shown: int  # text objects shown (and form objects, which may hold text)
    shapes: int  # small filled shapes with curves (a number drawn as outlines, a seal, a logo)

    def hides(self) -> bool:
        return bool(self.unseen or self.white or self.covers)


_WHITE = 245  # a fill whose red, green and blue are all at least this is white on paper
_OPAQUE = 250  # …and whose alpha is at least this hides what is under it
_MAX_COVER_CHECKS = 4_000_000  # white areas × text objects a page may ask to compare
_MAX_COVERS = 200  # white areas painted over text on one page (a handful in real reports)
_SHAPE = 30.0  # a filled shape with curves at most this wide and high (pt) may be a glyph


@cache
def _per_look() -> SimpleNamespace:
    """The pdfium calls `page_objects` and `page_chars` make for the look, on bare addresses (as
    `_per_object`'s)."""
    import pypdfium2.raw as pdfium_c

    vp, i = ctypes.c_void_p, ctypes.c_int
    return SimpleNamespace(
        render_mode=_bare(pdfium_c.FPDFTextObj_GetTextRenderMode, i, [vp]),
        fill_color=_bare(pdfium_c.FPDFPageObj_GetFillColor, i, [vp] * 5),
        draw_mode=_bare(pdfium_c.FPDFPath_GetDrawMode, i, [vp] * 3),
        clip=_bare(pdfium_c.FPDFPageObj_GetClipPath, vp, [vp]),
        clip_paths=_bare(pdfium_c.FPDFClipPath_CountPaths, i, [vp]),
        clip_segments=_bare(pdfium_c.FPDFClipPath_CountPathSegments, i, [vp, i]),
        clip_segment=_bare(pdfium_c.FPDFClipPath_GetPathSegment, vp, [vp, i, i]),
        path_segments=_bare(pdfium_c.FPDFPath_CountSegments, i, [vp]),
        path_segment=_bare(pdfium_c.FPDFPath_GetPathSegment, vp, [vp, i]),
        segment_type=_bare(pdfium_c.FPDFPathSegment_GetType, i, [vp]),
        segment_point=_bare(pdfium_c.FPDFPathSegment_GetPoint, i, [vp] * 3),
        text_object=_bare(pdfium_c.FPDFText_GetTextObject, vp, [vp, i]),
    )


def page_objects(page: pdfium.PdfPage) -> tuple[PageRules, PageLook]:
    """One pass over a page's objects: its rules, and what it does not show of its text.

    Rules: every flat path, and the top and bottom edges of every box (a cell drawn as a
    rectangle), as horizontal rules; every upright path, and the sides of every box, as vertical
    ones. The look: which text objects the page leaves unseen (render mode invisible or clip only;
    clipped), which it fills white, what white it paints over text painted before, and its small
    curved shapes."""
    import pypdfium2.raw as pdfium_c

    get_object, get_type, get_bounds = _per_object()
    f = _per_look()
    handle = page.raw
    box = (ctypes.c_float * 4)()
    at = [ctypes.addressof(box) + 4 * k for k in range(4)]
    rgba = (ctypes.c_uint * 4)()
    color = [ctypes.addressof(rgba) + 4 * k for k in range(4)]
    modes = (ctypes.c_int * 2)()
    fill_at, stroke_at = ctypes.addressof(modes), ctypes.addressof(modes) + 4
    flat: list[tuple[float, float, float]] = []
    upright: list[tuple[float, float, float]] = []
    unseen: dict[int, tuple[float, float, float, float] | None] = {}
    white: set[int] = set()
    covers: list[tuple[int, float, float, float, float]] = []
    cover_objects: list[int] = []  # each white area's path object
    order: dict[int, int] = {}
    boxes: list[tuple[int, int, float, float, float, float]] = []
    shown = shapes = 0
    text, path, form = pdfium_c.FPDF_PAGEOBJ_TEXT, pdfium_c.FPDF_PAGEOBJ_PATH, pdfium_c.FPDF_PAGEOBJ_FORM
    invisible = (pdfium_c.FPDF_TEXTRENDERMODE_INVISIBLE, pdfium_c.FPDF_TEXTRENDERMODE_CLIP)
    filled = (pdfium_c.FPDF_TEXTRENDERMODE_FILL, pdfium_c.FPDF_TEXTRENDERMODE_FILL_CLIP)

    render_mode, fill_color, draw_mode, clip_of, clip_paths = f.render_mode, f.fill_color, f.draw_mode, f.clip, f.clip_paths
    for i in range(pdfium_c.FPDFPage_CountObjects(handle)):
        obj = get_object(handle, i)
        kind = get_type(obj)
        if kind == path:
            if not get_bounds(obj, *at):
                continue
            x0, y0, x1, y1 = box
            if x1 - x0 < 2:  # a vertical rule
                if y1 - y0 > 2:
                    upright.append(((x0 + x1) / 2, y0, y1))
                continue
            if y1 - y0 <= 2:  # a horizontal rule
                flat.append(((y0 + y1) / 2, x0, x1))
                continue
            flat += [(y0, x0, x1), (y1, x0, x1)]  # a box
            upright += [(x0, y0, y1), (x1, y0, y1)]
            if draw_mode(obj, fill_at, stroke_at) and modes[0]:
                if fill_color(obj, *color) and rgba[3] >= _OPAQUE and min(rgba[0], rgba[1], rgba[2]) >= _WHITE:
                    covers.append((i, x0, y0, x1, y1))
                    cover_objects.append(obj)
                elif x1 - x0 <= _SHAPE and y1 - y0 <= _SHAPE and _curved(f, obj):
                    shapes += 1
        elif kind == text:
            order[obj] = i
            mode = render_mode(obj)
            if mode in invisible:
                unseen[obj] = None
                continue
            if (clip := clip_of(obj)) and clip_paths(clip) > 0 and (seen := _clip_box(f, clip)) is not None:
                unseen[obj] = seen
            shown += 1
            if get_bounds(obj, *at):
                boxes.append((obj, i, box[0], box[1], box[2], box[3]))
            if mode in filled and fill_color(obj, *color) and rgba[3] and min(rgba[0], rgba[1], rgba[2]) >= _WHITE:
                white.add(obj)
        elif kind == form:  # (text drawn inside a form XObject: shown, as far as this look goes)
            shown += 1
    flat = _joined(flat)
    over = set(_over_text(covers, boxes))  # (most white is a page's or a cell's ground, under its text)
    covers = [c for c, o in zip(covers, cover_objects, strict=True) if c in over and _hides(f, o, c)]
    hides = unseen or white or covers
    look = PageLook(unseen, white, covers, order if covers else {}, _shown_boxes(boxes, unseen) if hides else None,
                    shown, shapes)
    return PageRules([r[0] for r in flat], flat, upright), look


def _over_text(covers: list[tuple[int, float, float, float, float]],
               boxes: list[tuple[int, int, float, float, float, float]]) -> list[tuple[int, float, float, float, float]]:
    """The white areas painted over some text drawn before them: across the middle of its line, and
    more than half a point of it."""
    if not covers or not boxes:
        return []
    if len(covers) * len(boxes) > _MAX_COVER_CHECKS:
        raise Unreadable(f"有 {len(covers):,} 处白色填充、{len(boxes):,} 段文字，无法判断哪些文字被遮盖，未读取")
    import numpy as np

    c = np.array(covers)[:, None, :]  # (place, left, bottom, right, top) a cover, against each text box
    t = np.array([b[1:] for b in boxes])[None, :, :]  # (place, left, bottom, right, top)
    mid = (t[..., 2] + t[..., 4]) / 2
    over = ((c[..., 0] > t[..., 0]) & (c[..., 1] < t[..., 3] - 0.5) & (t[..., 1] + 0.5 < c[..., 3])
            & (c[..., 2] <= mid) & (mid <= c[..., 4])).any(axis=1)
    hits = [cover for cover, hit in zip(covers, over.tolist(), strict=True) if hit]
    if len(hits) > _MAX_COVERS:
        raise Unreadable(f"有 {len(hits):,} 处白色填充盖在文字上，无法逐字判断，未读取")
    return hits


def _clip_box(f: SimpleNamespace, clip: int) -> tuple[float, float, float, float] | None:
    """The box a clip lets through (its paths' boxes intersected), or None if it has no points."""
    xy = (ctypes.c_float * 2)()
    x_at, y_at = ctypes.addressof(xy), ctypes.addressof(xy) + 4
    inf = float("inf")
    left, bottom, right, top = -inf, -inf, inf, inf
    for k in range(f.clip_paths(clip)):
        xs, ys = [], []
        for s in range(f.clip_segments(clip, k)):
            if f.segment_point(f.clip_segment(clip, k, s), x_at, y_at):
                xs.append(xy[0])
                ys.append(xy[1])
        if xs:
            left, bottom, right, top = max(left, min(xs)), max(bottom, min(ys)), min(right, max(xs)), min(top, max(ys))
    return None if left == -inf else (left, bottom, right, top)


def _hides(f: SimpleNamespace, obj: int, cover: tuple[int, float, float, float, float]) -> bool:
    """Whether a white area covers its bounds: a box (not a frame, a shape), not clipped away."""
    clip = f.clip(obj)
    shows = _clip_box(f, clip) if clip and f.clip_paths(clip) > 0 else None
    x, y = (cover[1] + cover[3]) / 2, (cover[2] + cover[4]) / 2
    return _rectangle(f, obj) and (shows is None or (shows[0] <= x <= shows[2] and shows[1] <= y <= shows[3]))


def _rectangle(f: SimpleNamespace, obj: int) -> bool:
    """Whether a path is one box of straight sides (a rectangle, as `re` draws it)."""
    import pypdfium2.raw as pdfium_c

    n = f.path_segments(obj)
    kinds = [f.segment_type(f.path_segment(obj, s)) for s in range(n)] if n <= 6 else []
    return bool(kinds) and kinds.count(pdfium_c.FPDF_SEGMENT_MOVETO) == 1 and pdfium_c.FPDF_SEGMENT_BEZIERTO not in kinds


def _curved(f: SimpleNamespace, obj: int) -> bool:
    import pypdfium2.raw as pdfium_c

    bezier = pdfium_c.FPDF_SEGMENT_BEZIERTO
    return any(f.segment_type(f.path_segment(obj, s)) == bezier for s in range(f.path_segments(obj)))


def _hidden(look: PageLook, obj: int, x: float, y: float) -> str | None:
    """Whether a character at (x, y) of a text object is unseen ("unseen": invisible), clipped away or
    painted over in white ("covered"), or filled white ("white"). One unseen or covered where a shown
    text object drawn later (after the white painted over it) prints is not: pdfium keeps one of two
    characters drawn the same at one place, the first."""
    if obj in look.unseen:
        clip = look.unseen[obj]  # (None: invisible; else the box its clip shows)
        outside = clip is None or not (clip[0] <= x <= clip[2] and clip[1] <= y <= clip[3])
        if outside and not _shown_at(look, obj, -1, x, y):
            return "unseen" if clip is None else "covered"  # (clipped away: cut, where the rest shows)
    if look.covers and (k := look.order.get(obj)) is not None:  # (text in a form object: its place unknown)
        over = [i for i, x0, y0, x1, y1 in look.covers if i > k and x0 <= x <= x1 and y0 <= y <= y1]
        if over and not _shown_at(look, obj, max(over), x, y):
            return "covered"
    return "white" if obj in look.white else None


def _shown_boxes(boxes: list[tuple[int, int, float, float, float, float]],
                 unseen: dict[int, tuple[float, float, float, float] | None]) -> np.ndarray:
    """The boxes of the text objects shown (not `unseen`), as rows (object, place, left, bottom, right,
    top) in order of left: each hidden character compared with them at once, not one by one."""
    import numpy as np

    rows = np.array([b for b in boxes if b[0] not in unseen], dtype=float).reshape(-1, 6)
    return rows[np.argsort(rows[:, 2], kind="stable")]


def _shown_at(look: PageLook, obj: int, after: int, x: float, y: float) -> bool:
    """Whether another text object, shown and drawn after place `after`, has (x, y) in its box."""
    import numpy as np

    if look.boxes is None:
        return False
    b = look.boxes[:np.searchsorted(look.boxes[:, 2], x, side="right")]  # (those whose left is at x or before)
    return bool(((b[:, 1] > after) & (b[:, 0] != obj) & (x <= b[:, 4]) & (b[:, 3] <= y) & (y <= b[:, 5])).any())


def page_chars(textpage: pdfium.PdfTextPage, look: PageLook | None = None) -> list[tuple]:
    """(character, left, bottom, right, top) of every printed character of a page: its font
    box, or an em square at its origin where the font's box is implausible (vertical fonts); a digit
    set upright has its size and baseline after them (`_digit_reader`). A glyph
    the file gives no text for (none, or a control code) is U+FFFD: what holds it is unreadable, not
    read without it. What the page does not show (`look`) is no character; one filled white, or clipped
    or painted over where the rest of its text object shows (cut at a cell's side), is U+FFFD."""
    import pypdfium2.raw as pdfium_c
    tp = textpage.raw  # the bare handle: no wrapper lookup per call
    out = []
    append = out.append
    generated, unicode, loose_box = _per_char()
    hides = look is not None and look.hides()
    covered: list[tuple[int, int]] = []  # characters painted over: (place in `out`, text object)
    seen: set[int] = set()  # the text objects with a character shown
    rect, matrix = pdfium_c.FS_RECTF(), pdfium_c.FS_MATRIX()
    at = ctypes.byref(rect)
    digit = _digit_reader(tp)
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
        if u in _SPACES:  # a space, or a glyph drawn whose code a font without its Unicode map gives
            if _inked(tp, i, left, right, bottom, top):
                u = 0xFFFD  # (cells.DAMAGED: what holds it cannot be read)
            elif u != 0x20:
                continue
        elif u < 0x20:  # a glyph drawn whose text the file does not give (a sign missing from its font,
            u = 0xFFFD  # a font without its Unicode map)
        elif u in (0xFFFE, 0xFFFF):
            continue
        found = loose_box(tp, i, at)
        x0, y1, x1, y0 = _RECT(rect)  # (left, top, right, bottom; the last box's, if none was found)
        loose = found and y1 - y0 > 0.5
        size = max(y1 - y0, x1 - x0)
        if loose and (size <= 30 or size <= 4 * _tight(tp, i, left, right, bottom, top) + 12):
            ch = (chr(u), x0, y0, x1, y1)  # the common case: text up to 30 pt
            if 0x30 <= u <= 0x39 or 0xFF10 <= u <= 0xFF19:  # a digit: its size and baseline too
                ch += digit(i)
        elif (ch := _em_square(tp, i, u, matrix, left, right, bottom, top)) is None:
            continue
        if hides:
            obj = _per_look().text_object(tp, i)
            how = _hidden(look, obj, (ch[1] + ch[3]) / 2, (ch[2] + ch[4]) / 2)
            if how == "unseen":
                continue
            if how == "covered":
                covered.append((len(out), obj))
            elif how == "white":
                ch = ("\ufffd", *ch[1:])
            else:
                seen.add(obj)
        append(ch)
    if covered:  # a text object clipped or painted over in part is a number cut at its cell's side: unreadable
        cut = {k for k, obj in covered if obj in seen}
        gone = {k for k, _ in covered} - cut
        out = [("\ufffd", *ch[1:]) if k in cut else ch for k, ch in enumerate(out) if k not in gone]
    return out


_SPACES = frozenset((0x09, 0x0A, 0x0D, 0x20))


def _digit_reader(tp):
    """A character's size (its font's as printed, the em's height) and its baseline's height, where it
    is set upright; else nothing (for a character of text page `tp`, by its index). Its box cannot
    tell them: its height is its font's ascent and descent, which differ from font to font. A
    footnote's mark beside a number is told by these (`pdf_lines`)."""
    import pypdfium2.raw as pdfium_c

    get_matrix, font_size, origin = _per_digit()
    matrix, x, y = pdfium_c.FS_MATRIX(), ctypes.c_double(), ctypes.c_double()
    m, xy = ctypes.byref(matrix), (ctypes.byref(x), ctypes.byref(y))

    def digit(i: int) -> tuple[float, float] | tuple[()]:
        if not get_matrix(tp, i, m):
            return ()
        a, b, c, d, _, _ = _MATRIX(matrix)
        if a <= 0 or d <= 0 or abs(b) + abs(c) > 0.01 * (a + d):
            return ()
        size = font_size(tp, i) * d
        return (size, y.value) if size > 0.5 and origin(tp, i, *xy) else ()
    return digit


_MATRIX = struct.Struct("6f").unpack_from  # an FS_MATRIX's fields at once


@cache
def _per_digit() -> tuple:
    """FPDFText_GetMatrix, _GetFontSize and _GetCharOrigin without argument conversion (`_digit_reader`)."""
    import pypdfium2.raw as pdfium_c

    return (_bare(pdfium_c.FPDFText_GetMatrix, ctypes.c_int), _bare(pdfium_c.FPDFText_GetFontSize, ctypes.c_double),
            _bare(pdfium_c.FPDFText_GetCharOrigin, ctypes.c_int))


def _inked(tp, i: int, left, right, bottom, top) -> bool:
    """Whether a character pdfium gives as a space or a line's end draws ink (its tight box has width
    and height): a glyph whose code a font without its Unicode map gives, not a space."""
    import pypdfium2.raw as pdfium_c

    return bool(pdfium_c.FPDFText_GetCharBox(tp, i, left, right, bottom, top)) \
        and right.value - left.value > 0.5 and top.value - bottom.value > 0.5


def _tight(tp, i: int, left, right, bottom, top) -> float:
    """The larger side of a character's tight box (negative when pdfium has none)."""
    import pypdfium2.raw as pdfium_c

    if not pdfium_c.FPDFText_GetCharBox(tp, i, left, right, bottom, top):
        return -1e9
    return max(right.value - left.value, top.value - bottom.value)


def _em_square(tp, i: int, u: int, matrix, left, right, bottom, top):
    """An em square at a character's origin, for a font whose box is implausible (vertical fonts)."""
    import pypdfium2.raw as pdfium_c

    tight = _tight(tp, i, left, right, bottom, top)
    if tight < 0:
        return None
    pdfium_c.FPDFText_GetMatrix(tp, i, matrix)
    em = pdfium_c.FPDFText_GetFontSize(tp, i) * abs(matrix.a * matrix.d - matrix.b * matrix.c) ** 0.5
    em = em if 0.5 < em < 4 * tight + 12 else tight
    pdfium_c.FPDFText_GetCharOrigin(tp, i, left, bottom)
    return (chr(u), left.value, bottom.value - 0.1 * em, left.value + em, bottom.value + 0.9 * em)


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

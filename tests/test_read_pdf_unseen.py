"""A PDF's text layer against what its page shows: text left unseen (invisible, clipped away,
painted over in white) is no character, text filled white is unreadable, a glyph whose text is a
control code is unreadable, a repeated digit is told from bold by overprinting by its width, and
numbers drawn as outlines keep a table from being read blank."""

from __future__ import annotations

import io
import shutil

import pypdfium2 as pdfium
import pytest
from pdfdocs import needs_cjk_font, raw_pdf
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas

from gkqc.readers import pdf as pdfreader
from gkqc.readers.errors import Unreadable
from gkqc.readers.pdf_lines import page_lines
from gkqc.readers.pdf_page import page_chars, page_objects
from gkqc.simulate.font import embeddable_font

_FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def _pdf(content: bytes) -> bytes:
    """A one-page PDF drawing `content` (Helvetica as /F)."""
    return raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 5 0 R"
                    b" /Resources << /Font << /F 4 0 R >> >> >>", _FONT,
                    b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content)])


def _chars(content: bytes) -> str:
    return _shown(_pdf(content))


def _shown(data: bytes) -> str:
    """The characters the first page of a PDF shows, as the reader takes them."""
    doc = pdfium.PdfDocument(data)
    page = doc[0]
    textpage = page.get_textpage()
    try:
        return "".join(ch[0] for ch in page_chars(textpage, page_objects(page)[1]))
    finally:
        textpage.close()
        page.close()
        doc.close()


def _text(x: float, s: bytes, mode: int = 0) -> bytes:
    return b"BT /F 12 Tf %d Tr %g 700 Td (%s) Tj ET " % (mode, x, s)


OLD_8 = _text(100, b"8")  # an old figure left in the file, beside the one the page shows
SHOWN_0 = _text(107, b"0")


@pytest.mark.parametrize("content", [
    _text(100, b"8", mode=3) + SHOWN_0,  # render mode 3: invisible (a scanner's OCR layer)
    _text(100, b"8", mode=7) + SHOWN_0,  # clip only: never painted
    b"q 0 0 1 1 re W n " + OLD_8 + b"Q " + SHOWN_0,  # clipped to a square far from it
    OLD_8 + b"1 1 1 rg 99 697 7 12 re f 0 g " + SHOWN_0,  # painted over in white afterwards
], ids=["invisible", "clip-only", "clipped-away", "painted-over"])
def test_unseen_text_is_no_character(content):
    assert _chars(content) == "0"  # not 80


def test_a_figure_typed_over_the_same_figure_painted_over_is_shown():
    # (pdfium keeps the first of two 3s drawn at one place: the one painted over stands for the other)
    assert _chars(_text(100, b"3") + b"1 1 1 rg 99 697 20 12 re f 0 g " + _text(100, b"30")) == "30"


def test_a_number_painted_over_in_part_is_unreadable():
    # (a number running past its cell's side, the next cell's ground painted over its last figures:
    # the page shows 656946 of 65694625)
    assert _chars(_text(100, b"65694625") + b"1 1 1 rg 140 697 30 12 re f 0 g ") == "656946\ufffd\ufffd"


def test_a_number_clipped_in_part_is_unreadable():
    # (a cell's content clipped to the cell, as overflow:hidden prints it: 656946 of 65694625 shows)
    assert _chars(b"q 90 690 50 30 re W n " + _text(100, b"65694625") + b"Q ") == "656946\ufffd\ufffd"


@pytest.mark.parametrize("white", [
    b"q /GA gs 1 1 1 rg 99 697 7 12 re f Q ",  # 90% transparent
    b"q 0 0 1 1 re W n 1 1 1 rg 99 697 7 12 re f Q ",  # clipped away
    b"1 1 1 rg 90 690 m 120 690 l 120 720 l 90 720 h 95 695 m 115 695 l 115 715 l 95 715 h f* 0 g ",  # a frame
], ids=["translucent", "clipped-away", "frame"])
def test_white_that_does_not_hide_the_text_hides_nothing(white):
    gs = b" /ExtGState << /GA << /ca 0.1 >> >>"
    data = _pdf(OLD_8 + white + b"0 g " + _text(200, b"7")).replace(b"/Font << /F 4 0 R >>", b"/Font << /F 4 0 R >>" + gs)
    assert _shown(data) == "87"


def test_a_page_of_thousands_of_white_boxes_over_text_is_refused_quickly():
    boxes = b"".join(_text(20 + (k % 40) * 13, b"1").replace(b" 700 Td", b" %d Td" % (50 + (k // 40) * 14))
                     + b"1 1 1 rg %d %d 8 12 re f 0 g " % (19 + (k % 40) * 13, 47 + (k // 40) * 14) for k in range(2400))
    with pytest.raises(Unreadable, match="第1页.*白色填充"):
        pdfreader.read_pdf(_pdf(boxes))


def test_white_ground_painted_before_the_text_hides_nothing():
    assert _chars(b"1 1 1 rg 0 0 595 842 re f 0 g " + OLD_8 + SHOWN_0) == "80"


def test_text_filled_white_is_unreadable_not_read():
    # (a zero an office hid by colouring it white: the page shows nothing there, the text layer 0)
    assert _chars(b"1 1 1 rg " + _text(100, b"0") + b"0 g " + _text(200, b"7")) == "\ufffd7"


def test_a_glyph_whose_text_is_a_control_code_is_unreadable():
    # (a font without its Unicode map: pdfium gives the codes; the digits must not vanish)
    assert _chars(_text(100, b"\\001\\0025")) == "\ufffd\ufffd5"


@needs_cjk_font
def test_glyphs_of_a_font_without_its_unicode_map_are_unreadable_never_dropped(tmp_path):
    # (an embedded subset font numbers its glyphs 1, 2, 3… in order of use; without its ToUnicode map
    # pdfium gives those codes: the 10th, 9, comes as a line's end, yet it draws ink. The font is
    # copied first: reportlab shares a file's subsets between the names it is registered under)
    if "GkqcCodes" not in pdfmetrics.getRegisteredFontNames():
        shutil.copyfile(embeddable_font(), tmp_path / "codes.ttf")
        pdfmetrics.registerFont(TTFont("GkqcCodes", str(tmp_path / "codes.ttf"), asciiReadable=False))
    buf = io.BytesIO()
    c = canvas.Canvas(buf)
    c.setFont("GkqcCodes", 12)
    c.drawString(100, 700, "12345678 90")
    c.save()
    # (renamed, with no ToUnicode)
    got = _shown(buf.getvalue().replace(b"/ToUnicode", b"/ToUnicodX").replace(b"AAAAAA+", b"QQCODE+"))
    # (in a process where pdfium has loaded other fonts before, it may find the figures' own text:
    # then each is read right; what must never be is a figure dropped or read as another)
    figures = got.replace(" ", "")
    assert len(figures) == 10 and all(ch in ("\ufffd", want) for ch, want in zip(figures, "1234567890", strict=True))


def test_a_page_whose_text_is_all_unseen_has_no_text_layer():
    data = _pdf(_text(100, b"2023 report text, every character unseen", mode=3))
    with pytest.raises(pdfreader.NoTextLayer):
        pdfreader.read_pdf(data)


def _line(content: bytes) -> str:
    doc = pdfium.PdfDocument(_pdf(content))
    page = doc[0]
    textpage = page.get_textpage()
    try:
        lines, _ = page_lines(page_chars(textpage, page_objects(page)[1]), 1, 1, page.get_cropbox())
        return " ".join(c.raw for ln in lines for c in ln.chunks)
    finally:
        textpage.close()
        page.close()
        doc.close()


def test_bold_by_overprinting_is_one_figure():
    assert _line(_text(100, b"5") + _text(100.4, b"5") + _text(106.7, b"7")) == "57"


def test_digits_scaled_narrow_are_read_whole():
    # (Word's character scale at 50%: each figure half as wide, the figures a width apart)
    assert _line(b"BT /F 12 Tf 50 Tz 100 700 Td (1100) Tj ET") == "1100"


def test_digits_set_closer_than_their_width_are_unreadable():
    # (spacing condensed by 2.5 pt: a 5 repeated 4.2 pt on, its box 6.7 pt wide; bold by
    # overprinting shifted that far would read the same, so the number is not read)
    got = _line(b"BT /F 12 Tf -2.5 Tc 100 700 Td (55) Tj ET")
    assert "\ufffd" in got and got.replace("\ufffd", "") != "5"


def test_small_curved_shapes_are_counted_as_drawn_glyphs():
    curves = b" ".join(b"%d 100 m %d 110 %d 110 %d 100 c f" % (x, x + 3, x + 6, x + 8) for x in range(100, 400, 20))
    doc = pdfium.PdfDocument(_pdf(_text(100, b"x") + curves + b" 50 50 m 500 50 l S"))
    try:
        assert page_objects(doc[0])[1].shapes == 15  # (the rule is no shape)
    finally:
        doc.close()


def test_numbers_drawn_as_outlines_keep_a_table_from_being_read_blank():
    labels = "".join(f"({t}) Tj 0 -20 Td " for t in ("new_received", "carried_over", "granted"))
    digits = b" ".join(b"%d %d m %d %d %d %d %d %d c f" % (x, y, x + 2, y + 8, x + 4, y + 8, x + 6, y)
                       for x in range(300, 420, 12) for y in (700, 680, 660))
    doc = pdfreader.read_pdf(_pdf(b"BT /F 12 Tf 60 700 Td " + labels.encode() + b"ET " + digits))
    assert doc.shapes == 30 and doc.drawn_glyphs


def test_a_table_whose_figures_have_no_text_is_not_read_blank():
    # (figures of a font without its Unicode map come as □: the table printed values, unreadable ones)
    from gkqc.readers.table_doubts import SILENT
    from gkqc.readers.tables import read_reviews
    from gkqc.readers.tokens import Tok
    from gkqc.templates import registry

    reg = registry()
    words = [g.label for g in reg.review_groups] + [m.label for m in reg.review_metrics]
    toks = [Tok(w, w, 1, True) for w in words] + [Tok("\ufffd\ufffd", "\ufffd\ufffd", 2, True)]
    cells, _ = read_reviews(toks, reg.default_template, False, "未找到", silent_blank=True)
    assert cells and not any(SILENT in (c.reason or "") for c in cells)
    cells, _ = read_reviews(toks[:-1], reg.default_template, False, "未找到", silent_blank=True)
    assert all(c.status == "blank" and SILENT in c.reason for c in cells)  # (printed empty: blank, as before)


def test_text_of_a_form_object_over_a_white_ground_is_shown():
    # (a table's text drawn by a form object over white painted after other text: its place in the
    # painting order is not the page's to say, so the white does not hide it)
    form_body = _text(100, b"64") + _text(140, b"12")
    content = _text(100, b"DRAFT") + b"1 1 1 rg 90 690 100 30 re f 0 g /X Do " + _text(300, b"ok")
    data = raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                    b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 5 0 R"
                    b" /Resources << /Font << /F 4 0 R >> /XObject << /X 6 0 R >> >> >>", _FONT,
                    b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
                    b"<< /Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << /Font << /F 4 0 R >> >>"
                    b" /Length %d >>\nstream\n%s\nendstream" % (len(form_body), form_body)])
    got = _shown(data)
    assert "6412" in got and "ok" in got

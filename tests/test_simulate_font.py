"""The font generated PDFs embed: built from the installed CJK font, cached, and really embedded."""

from __future__ import annotations

import pypdfium2 as pdfium
import pytest
from builders import spec

from gkqc.simulate import font
from gkqc.simulate.pdf import FONT, render_pdf

needs_cjk = pytest.mark.skipif(font.embeddable_font() is None, reason="no CJK font installed (fonts-noto-cjk)")


@needs_cjk
def test_font_covers_gb2312_and_is_truetype():
    from fontTools.ttLib import TTFont

    f = TTFont(font.embeddable_font())
    cmap = f.getBestCmap()
    assert "glyf" in f and "CFF " not in f
    missing = [c for c in font.charset() if ord(c) not in cmap]
    assert len(missing) < 20, missing  # GB 2312 has a few code points no font draws


@needs_cjk
def test_generated_pdf_embeds_its_font_and_names_it_otherwise():
    s = spec("gov2021", 2023, seed=1, office="青山市交通运输局")
    embedded, named = render_pdf(s), render_pdf(s, font=FONT)
    assert b"/FontFile2" in embedded and b"/FontFile" not in named
    doc = pdfium.PdfDocument(embedded)
    assert s.office in doc[0].get_textpage().get_text_range()


def test_no_cjk_font_means_the_named_font(monkeypatch, tmp_path):
    monkeypatch.setattr(font, "SOURCES", (str(tmp_path / "absent.ttc"),))
    font.embeddable_font.cache_clear()
    try:
        assert font.embeddable_font() is None
        pdf = render_pdf(spec("gov2019", 2020, seed=2, office="青山市交通运输局"))
        assert b"/FontFile" not in pdf and b"STSong-Light" in pdf
    finally:
        font.embeddable_font.cache_clear()

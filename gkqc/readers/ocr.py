"""Scanned PDFs (page images, no text layer): OCR, every value with its confidence."""

from __future__ import annotations

from gkqc.readers.decode import Unreadable
from gkqc.readers.pdf import PdfDoc


def ocr_pdf(data: bytes) -> PdfDoc:
    """The tokens of a scanned PDF read by OCR. Raises Unreadable with the reason."""
    raise Unreadable("PDF 没有文本层（可能是扫描件），OCR 暂不支持")

"""Sniffing a collected file's format and decoding its bytes to text."""

from __future__ import annotations

import codecs
import re
from itertools import islice

from charset_normalizer import from_bytes

from gkqc.cells import controls_damaged
from gkqc.readers.crawl import is_crawl
from gkqc.readers.errors import Unreadable
from gkqc.readers.markdown import is_markdown

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_-]+)""", re.I)
_COMMON = frozenset("的年政公信息报告工作开府作和是在了有")


def sniff_binary(data: bytes) -> str | None:
    """The kind of a file that is not text at all (empty, pdf, docx, binary), else None."""
    head = data[:4096]
    if not data.strip():
        return "empty"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE2 compound file: .doc, .wps (and .xls…)
        return "ole"
    if head.startswith(b"{\\rtf"):  # RTF, often saved as .doc
        return "rtf"
    utf16 = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    # a stray NUL or two is damage in a text file (decode() marks it); more means binary
    if not utf16 and head.count(b"\x00") > max(1, len(head) // 1000):
        return "binary"
    return None


_TEXT_NAMES = (".txt", ".md", ".markdown", ".text")  # text forms: a table tag they mention is no page's


def looks_like_html(name: str, data: bytes) -> bool:
    """Named .html/.htm, or a page by its start (after any blank lines: `<html`, `<!doctype html`, a
    `<table`), or, named as no text form is, a page's fragment holding a table in its first 64 KB (a
    saved article, `.shtml`, `.jsp`: its section 一 before it)."""
    if name.lower().endswith((".html", ".htm")):
        return True
    lower = data.lstrip()[:65536].lower().replace(b"\x00", b"")
    if any(t in lower[:4096] for t in (b"<html", b"<table", b"<!doctype html")):
        return True
    return b"<table" in lower and not name.lower().endswith(_TEXT_NAMES)


_CELL_END = re.compile(r"\| ?\r?\n")


def sniff_text(text: str) -> str:
    """markdown (a converter's), crawl (a page's text on a few long lines), pagetext (cells
    ending in `|`) or pdftext (rows on lines)."""
    if is_markdown(text):
        return "markdown"
    if next(islice(_CELL_END.finditer(text), 4, None), None) is not None:  # five cells ending a line, anywhere
        return "pagetext"
    return "crawl" if is_crawl(text) else "pdftext"


def declared_charset(data: bytes) -> str | None:
    m = _META_CHARSET.search(data[:8192])
    if not m:
        return None
    name = m.group(1).decode("ascii").lower()
    return "gb18030" if name in {"gbk", "gb2312", "gb18030", "x-gbk"} else name


_BAD = re.compile("[\ufffd\x00-\x08\x0b\x0c\x0e-\x1f]")
_DAMAGED = re.compile("[\ufffd\x00-\x08\x0e-\x1f]")  # what a stray byte leaves in decoded text
_CJK = re.compile("[\u4e00-\u9fff]")
_LATIN_EXT = re.compile("[\u0080-\u009f\u00a1-\u02ff]")  # but the no-break space (&nbsp;: a page's empty cells)


def _plausible(text: str) -> bool:
    """Decoded text looks like Chinese or plain text, not mojibake or junk."""
    sample = text[:4000]
    if not sample:
        return False
    if _BAD.search(sample) and len(_BAD.findall(sample)) > len(sample) * 0.02:
        return False
    if _LATIN_EXT.search(sample) and len(_LATIN_EXT.findall(sample)) > len(sample) * 0.05:
        return False  # CJK bytes read as a single-byte code page
    return any(c in sample for c in _COMMON) or len(_CJK.findall(sample)) < 50


def _stray_limit(text: str) -> int:
    """How many damaged characters (U+FFFD, controls) a text may have and still be read:
    a few stray bytes, not a wrong encoding (8, or 1 in 500 characters in longer texts)."""
    return max(8, len(text) // 500)


_CONTROL_BYTES = bytes(range(0x09)) + bytes(range(0x0E, 0x20))


def _clean(text: str, data: bytes, enc: str) -> str:
    """Control characters (NUL …) become U+FFFD: they reach no lake column, HTML or CSV raw.
    (In UTF-8 and GB18030 only control bytes decode to them: a quick look at the bytes first.)"""
    if enc in ("utf-8", "gb18030") and len(data.translate(None, _CONTROL_BYTES)) == len(data):
        return text
    return controls_damaged(text)


def decode(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Return (text, encoding). Raises Unreadable with a reason.

    A few stray bytes (0xFF, a broken sequence) in an otherwise valid file spoil only the
    characters they touch: those read as U+FFFD, the rest of the text as in a clean file."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return _clean(data.decode(enc, errors="replace"), data, enc), enc
    tried = [e for e in dict.fromkeys((declared, "utf-8", "gb18030")) if e]
    for enc in tried:
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        if _plausible(text):
            return _clean(text, data, enc), enc
    readable: list[tuple[int, str, str]] = []  # (damaged characters, text, encoding)
    for enc in tried:
        try:
            text = data.decode(enc, errors="replace")
        except LookupError:
            continue
        bad = len(_DAMAGED.findall(text))
        if bad <= _stray_limit(text) and _plausible(text):
            readable.append((bad, text, enc))
    if readable:
        _, text, enc = min(readable, key=lambda r: r[0])  # the least damaged, declared first on a tie
        return _clean(text, data, enc), enc
    best = from_bytes(data[:200_000]).best()
    if best is not None and best.encoding:
        text = data.decode(best.encoding, errors="replace")
        if _plausible(text):
            return _clean(text, data, best.encoding), best.encoding
    raise Unreadable("无法识别文件编码（已尝试 " + "、".join(tried) + " 及自动检测）")

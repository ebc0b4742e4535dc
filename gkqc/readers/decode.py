"""Sniffing a collected file's format and decoding its bytes to text."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_-]+)""", re.I)
_COMMON = frozenset("的年政公信息报告工作开府作和是在了有")


class Unreadable(Exception):
    """The file cannot be read as text; the message says why (Chinese)."""


def sniff_binary(data: bytes) -> str | None:
    """The kind of a file that is not text at all (empty, pdf, docx, binary), else None."""
    head = data[:4096]
    if not data.strip():
        return "empty"
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        return "docx"
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "binary"
    return None


def looks_like_html(name: str, data: bytes) -> bool:
    lower = data[:4096].lower().replace(b"\x00", b"")
    return name.lower().endswith((".html", ".htm")) or any(t in lower for t in (b"<html", b"<table", b"<!doctype html"))


def sniff_text(text: str) -> str:
    """pagetext (cells ending in `|`) or pdftext (rows on lines)."""
    head = text[:200_000].replace(" \n", "\n").replace("\r\n", "\n")
    return "pagetext" if head.count("|\n") >= 5 else "pdftext"


def declared_charset(data: bytes) -> str | None:
    m = _META_CHARSET.search(data[:8192])
    if not m:
        return None
    name = m.group(1).decode("ascii").lower()
    return "gb18030" if name in {"gbk", "gb2312", "gb18030", "x-gbk"} else name


_BAD = re.compile("[\ufffd\x00-\x08\x0b\x0c\x0e-\x1f]")
_CJK = re.compile("[\u4e00-\u9fff]")
_LATIN_EXT = re.compile("[\u0080-\u02ff]")


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


def decode(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Return (text, encoding). Raises Unreadable with a reason."""
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return data.decode(enc, errors="replace"), enc
    tried = [e for e in (declared, "utf-8", "gb18030") if e]
    for enc in dict.fromkeys(tried):
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        if _plausible(text):
            return text, enc
    best = from_bytes(data[:200_000]).best()
    if best is not None and best.encoding:
        text = data.decode(best.encoding, errors="replace")
        if _plausible(text):
            return text, best.encoding
    raise Unreadable("无法识别文件编码（已尝试 " + "、".join(dict.fromkeys(tried)) + " 及自动检测）")

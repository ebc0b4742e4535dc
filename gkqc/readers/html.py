"""Saved HTML pages: page chrome, <meta> tags, tables with spanning cells."""

from __future__ import annotations

import lxml.html

from gkqc.readers.tokens import Tok, _tok, split_trailing_values

_SKIP = {"script", "style", "noscript", "head", "title", "select", "option", "button", "iframe"}
_BLOCK = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "table", "tr", "section",
          "article", "header", "footer", "nav", "dl", "dt", "dd", "blockquote", "pre", "form", "center"}


def html_meta(root) -> dict[str, str]:
    """<meta name=…> tags and <title>, keyed by lower-case name."""
    out: dict[str, str] = {}
    for m in root.iter("meta"):
        name = (m.get("name") or m.get("property") or "").strip().lower()
        if name and m.get("content") is not None:
            out.setdefault(name, m.get("content").strip())
    t = root.find(".//title")
    if t is not None and t.text_content().strip():
        out.setdefault("title", t.text_content().strip())
    return out


def _cell_text(el) -> str:
    # <br> inside a label joins its parts (本年新<br/>制作数量)
    return "".join(el.itertext())


def html_tokens(text: str) -> tuple[dict[str, str], list[Tok]]:
    if text.startswith("<?xml"):
        text = text.split("?>", 1)[-1]
    root = lxml.html.document_fromstring(text)
    meta = html_meta(root)
    out: list[Tok] = []
    buf: list[str] = []
    buf_line = [1]

    def flush() -> None:
        if not buf:
            return
        s = "".join(buf).strip()
        if s:
            out.extend(split_trailing_values(s, buf_line[0]))
        buf.clear()

    def walk(el) -> None:
        if not isinstance(el.tag, str):  # comments, processing instructions
            if el.tail:
                buf.append(el.tail)
            return
        tag = el.tag.lower()
        if tag in _SKIP:
            pass
        elif tag in ("td", "th"):
            flush()
            out.append(_tok(_cell_text(el), el.sourceline or 0, True))
        elif tag == "br":
            flush()
        else:
            block = tag in _BLOCK
            if block:
                flush()
            if el.text:
                if not buf:
                    buf_line[0] = el.sourceline or 0
                buf.append(el.text)
            for child in el:
                walk(child)
            if block:
                flush()
        if el.tail:
            if not buf:
                buf_line[0] = el.sourceline or 0
            buf.append(el.tail)

    body = root.find("body")
    walk(body if body is not None else root)
    flush()
    return meta, out


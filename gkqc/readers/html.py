"""Saved HTML pages: page chrome, <meta> tags, tables with spanning cells."""

from __future__ import annotations

import re

from lxml import etree

from gkqc.limits import MAX_TEXT_CHARS
from gkqc.readers.errors import Unreadable
from gkqc.readers.shown import cell_text, cell_token, shown
from gkqc.readers.tokens import (
    Tok,
    mark_merged,
    mark_short,
    nfkc,
    place,
    spans_of,
    spare_cells,
    split_trailing_values,
)

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
    title = "".join(t.itertext()).strip() if t is not None else ""
    if title:
        out.setdefault("title", title)
    return out


_ROW_GROUPS = {"thead", "tbody", "tfoot"}


def _plain_table_cells(table) -> list[Tok] | None:
    """The cells of a table made only of rows of <td>/<th> (the common case), read without
    walking every element; None when anything else is inside (then the table is walked)."""
    out: list[Tok] = []
    grid_rows: list[tuple[int, int, int, etree._Element]] = []  # each row: width, its last cell's place and token
    placed: list[tuple[int, int, int, int]] = []  # each cell: its token, place on the grid, places it spans, row
    carry: dict[int, int] = {}
    for part in table:
        rows = part if part.tag in _ROW_GROUPS else (part,)
        if (part.tail and part.tail.strip()) or (rows is part and part.text and part.text.strip()):
            return None
        for tr in rows:
            if tr.tag != "tr" or (tr.text and tr.text.strip()) or (tr.tail and tr.tail.strip()):
                return None
            first = len(out)
            for td in tr:
                if (td.tag != "td" and td.tag != "th") or (td.tail and td.tail.strip()):
                    return None
                out.append(cell_token(td, text_line(td)))
            if len(tr):
                spans = spans_of(tr)
                starts, width = place(carry, spans)
                grid_rows.append((width, starts[-1], len(out) - 1, tr))
                placed += [(first + k, at, across, len(grid_rows))
                           for k, (at, (across, _)) in enumerate(zip(starts, spans, strict=True))]
    mark_short(grid_rows, out, _text_before_last)
    mark_merged(out, placed)
    return _without(out, spare_cells(grid_rows, out))


def text_line(td) -> int:
    """The source line a cell's text is printed on: the line of its first text that is not blank (`<td>`
    then `<p><span>12</span></p>` on lines of their own print 12 on the span's line; `<!-- -->` or `<br>`
    then 12 on a line below, on that line), the cell's own when it holds none. Walked only as far as
    that text."""
    if not len(td):
        return _inked_line(td.sourceline, td.text) or td.sourceline or 0
    el = td
    while True:  # (the common case: down the first children, to a text before any other)
        if (at := _inked_line(el.sourceline, el.text)) is not None:
            return at or td.sourceline or 0
        if not len(el):
            return _walked_text_line(td)
        el = el[0]
        if not isinstance(el.tag, str) or el.tag in _SKIP:
            return _walked_text_line(td)


def _inked_line(start: int | None, text: str | None) -> int | None:
    """The line of `text`'s first character that is not blank, the text starting on line `start`
    (0 where unknown); None for a text all blank."""
    if not text or text.isspace():
        return None
    return (start or 0) and start + text.count("\n", 0, len(text) - len(text.lstrip()))


def end_line(el) -> int:
    """The source line where an element's content ends (lxml's `sourceline` is where its start tag ends,
    a comment's where the comment ends): after its last child's tail, else after its own text."""
    ends = 0
    while isinstance(el.tag, str) and len(el):
        el = el[-1]
        ends += (el.tail or "").count("\n")
    text = el.text if isinstance(el.tag, str) else ""
    return (el.sourceline or 0) and el.sourceline + (text or "").count("\n") + ends


def tail_line(el) -> int | None:
    """The line of the first character not blank of the text after an element or comment (its tail);
    None for a tail all blank (found without walking down to where the element ends)."""
    if not el.tail or el.tail.isspace():
        return None
    return _inked_line(end_line(el), el.tail)


def _walked_text_line(td) -> int:
    """`text_line` past the first children: their tails, the siblings after them."""
    stack = [(td, iter(td))]
    while stack:
        node, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if stack and (at := tail_line(node)) is not None:
                return at or td.sourceline or 0
            continue
        if isinstance(child.tag, str) and child.tag not in _SKIP:
            if (at := _inked_line(child.sourceline, child.text)) is not None:
                return at or td.sourceline or 0
            if len(child):
                stack.append((child, iter(child)))
                continue
        if (at := tail_line(child)) is not None:
            return at or td.sourceline or 0
    return td.sourceline or 0


def _walked_row(tr, table: tuple, last_cell, last: int) -> None:
    """A row of a table read by the walker: its width on the grid and its last cell's token (`last`,
    when that cell was the one read last), and each cell's place on the grid (for `mark_merged`)."""
    cells = [td for td in tr if td.tag == "td" or td.tag == "th"]
    if cells:
        spans = spans_of(cells)
        starts, width = place(table[1], spans)
        table[2].append((width, starts[-1], last if cells[-1] is last_cell else -1, tr))
        table[3].extend((table[4].get(td, -1), at, across, len(table[2]))
                        for td, at, (across, _) in zip(cells, starts, spans, strict=True))


def _text_before_last(row: tuple[int, int, int, etree._Element]) -> bool:
    return any(nfkc(cell_text(td)) for td in row[3][:-1] if td.tag == "td" or td.tag == "th")


def _without(cells: list[Tok | None], drop: set[int]) -> list[Tok]:
    return [t for k, t in enumerate(cells) if k not in drop] if drop else cells


# kept by _flatten: what the walker reads (tables, cells, <br>, <meta>) or skips
_KEEP = _SKIP | {"html", "body", "meta", "br", "table", "caption", "colgroup", "col", "thead", "tbody", "tfoot",
                 "tr", "td", "th"}
_TAG = re.compile(r"""</?([A-Za-z][A-Za-z0-9]*)(?:"[^"]*"|'[^']*'|[^'">])*>""")


def _flatten(text: str) -> str:
    """The page without its layout containers (div, span, p, …): block ones become <br>, so
    text still breaks where it did; newlines inside tags are kept, so are source lines."""
    def plain(m: re.Match[str]) -> str:
        tag = m.group(1).lower()
        if tag in _KEEP:
            return m.group(0)
        return ("<br>" if tag in _BLOCK else "") + "\n" * m.group(0).count("\n")
    return _TAG.sub(plain, text)


def _tree(text: str) -> tuple[etree._Element | None, str | None]:
    """(the page's tree, the parser's resource-limit message or None). huge_tree: no limit on
    a text node's size (inline scripts, data: URIs), and 2048 nested elements instead of 256."""
    parser = etree.HTMLParser(huge_tree=True)  # plain etree elements: no per-element class lookup
    root = etree.fromstring(text, parser)
    limits = [e.message for e in parser.error_log if e.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT]
    return root, (limits[0].strip() if limits else None)


def _parse(text: str) -> etree._Element | None:
    root, limit = _tree(text)
    if limit is not None:  # nested deeper than libxml2 goes: read the page again flattened
        root, limit = _tree(_flatten(text))
    if limit is not None:
        raise Unreadable(f"网页结构超出解析器限制（{limit.split(',')[0]}）")
    return root


def _text_chars(root: etree._Element) -> int:
    """The characters of a page's text: not of its scripts, styles (an embedded font) or comments."""
    return sum(len(el.tail or "") + (len(el.text or "") if isinstance(el.tag, str) and el.tag not in _SKIP else 0)
               for el in root.iter())


def html_tokens(text: str, keep_hidden: bool = False) -> tuple[dict[str, str], list[Tok], bool]:
    """Cells (<td>/<th>) and text lines of a page, in document order, with source lines; and whether
    the page hid text outside its tables' cells (`shown.shown`: with `keep_hidden`, read)."""
    if text.startswith("<?xml"):
        text = text.split("?>", 1)[-1]
    root = _parse(text) if text.strip() else None
    if root is None:
        return {}, [], False
    hid = shown(root, text, keep_hidden)
    if (chars := _text_chars(root)) > MAX_TEXT_CHARS:
        raise Unreadable(f"网页文字过长（{chars:,} 个字符，上限 {MAX_TEXT_CHARS:,}），不是一份年度报告，未读取")
    meta = html_meta(root)
    out: list[Tok] = []
    buf: list[str] = []
    line = 1
    inked = False  # the text gathered holds more than blanks: its line is known

    def flush() -> None:
        nonlocal inked
        inked = False
        if buf:  # text lines: label, then trailing values
            s = "".join(buf).strip()
            buf.clear()
            if s:
                out.extend(split_trailing_values(s, line))

    tables: list[tuple] = []  # tables being walked: the table, carry, rows, cells' places, cells' tokens
    last_cell = None  # the <td>/<th> read last
    body = root.find("body")
    walker = etree.iterwalk(body if body is not None else root, events=("start", "end", "comment", "pi"))
    for event, el in walker:
        if event == "start":
            tag = el.tag
            if tag in _SKIP:
                walker.skip_subtree()
                continue
            if (tag == "td" or tag == "th") and el.find(".//table") is None:
                flush()
                out.append(cell_token(el, text_line(el)))
                if tables:
                    tables[-1][4][el] = len(out) - 1  # (the element held: lxml keeps its one proxy)
                last_cell = el
                walker.skip_subtree()
                continue
            if tag == "td" or tag == "th":  # a layout table's cell around the report's own tables: walked as a block
                flush()
            if tag == "table":
                plain = not (el.text and el.text.strip()) and el.find(".//table") is None
                cells = _plain_table_cells(el) if plain else None
                if cells is not None:
                    flush()
                    out += cells
                    walker.skip_subtree()
                    continue
                tables.append((el, {}, [], [], {}))  # table, carry, rows, cells' places, cells' tokens
            if tag == "br" or tag in _BLOCK:
                flush()
            if el.text:
                if not inked and (not buf or el.text.strip()):  # (a blank text before it on a line of its own)
                    line = _inked_line(el.sourceline, el.text) or el.sourceline or 0
                    inked = bool(el.text.strip())
                buf.append(el.text)
            continue
        if event == "end" and tables:  # a walked table: its rows' widths, as in _plain_table_cells
            if el.tag == "tr" and next(el.iterancestors("table"), None) is tables[-1][0]:
                _walked_row(el, tables[-1], last_cell, len(out) - 1)
            elif el is tables[-1][0]:
                _, _, rows, placed, _ = tables.pop()
                mark_short(rows, out, _text_before_last)
                mark_merged(out, placed)
                for k in spare_cells(rows, out):
                    out[k] = None  # (dropped at the end: the indexes of the tables around it stay)
        if event == "end" and (el.tag in _BLOCK or el.tag == "td" or el.tag == "th"):
            flush()
        if el.tail:  # text after an element (or comment) belongs to its parent, printed where it ends
            if not inked and (not buf or el.tail.strip()):
                line = tail_line(el) or end_line(el)
                inked = bool(el.tail.strip())
            buf.append(el.tail)
    flush()
    return meta, [t for t in out if t is not None], hid

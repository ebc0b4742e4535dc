"""What a page shows of its HTML: elements it hides dropped, text it raises, lowers or strikes through
marked, the rows Word draws zero high dropped (for the HTML reader and Markdown's HTML tables)."""

from __future__ import annotations

import re

_INLINE = {"span", "font", "sup", "sub", "small", "big", "b", "i", "em", "strong", "u", "s", "a", "ins", "mark"}
_SET_WORDS = ("isplay", "ISPLAY", "ertical-align", "ERTICAL-ALIGN", "ine-through", "INE-THROUGH")  # in what _SET finds
_SET = re.compile(r"display\s*:\s*none|vertical-align\s*:\s*(?:super|sub)\b|text-decoration[\w-]*\s*:[^;\"']*line-through",
                  re.IGNORECASE)
_RULE = re.compile(r"([^{}]+)\{([^{}]*)\}")
_CLASS_SELECTOR = re.compile(r"\s*[A-Za-z0-9]*\.([\w-]+)\s*")


_HIDEABLE = ("td", "th", "tr")  # a table's cells and rows, which a page hides but neither raises nor strikes


def _drop_zero_height_rows(root) -> None:
    """A row of empty cells zero high is not printed (Word's HTML ends its tables with one, for columns
    that do not line up): dropped, or its empty cells would read as the table's blank values."""
    for tr in root.xpath("//tr[@height='0']"):
        if not "".join(tr.itertext()).strip():
            _drop(tr)


def _hide_hidden(root) -> None:
    """Elements with the `hidden` attribute are not shown: dropped, text and all (a hidden <td> is no cell)."""
    for el in root.xpath("//*[@hidden]"):
        _drop(el)


def _set_as(style: str) -> str | None:
    """What a CSS declaration block does to its text: hide it, raise or lower it (a footnote's mark), or
    strike it through."""
    m = _SET.search(style)
    if m is None:
        return None
    t = m.group(0).lower()
    return ("hidden" if "none" in t else "s" if t.endswith("line-through") else "sup" if t.rstrip().endswith("super")
            else "sub")


def _apply_styles(root) -> None:
    """Text an inline element, or a table's cell or row, hides (display:none) is dropped, and text an
    inline element raises, lowers or strikes through (vertical-align: super/sub, line-through)
    becomes <sup>/<sub>/<s>: by its own style attribute, or by a class a <style> block sets so
    (LibreOffice's exports write Word's hidden and raised runs this way)."""
    classes: dict[str, str] = {}
    for block in root.iter("style"):
        for selectors, body in _RULE.findall("".join(block.itertext())):
            if (what := _set_as(body)) is not None:
                for sel in selectors.split(","):
                    if m := _CLASS_SELECTOR.fullmatch(sel):
                        classes[m.group(1)] = what
    for el in list(root.iter(*_INLINE, *_HIDEABLE)):
        what = _set_as(el.get("style") or "")
        if what is None and classes:
            what = next((classes[c] for c in (el.get("class") or "").split() if c in classes), None)
        if what == "hidden":
            _drop(el)
        elif what is not None and el.tag not in _HIDEABLE:
            el.tag = what


def _drop(el) -> None:
    """el and its text out of the tree; the text after it stays."""
    parent, prev = el.getparent(), el.getprevious()
    if parent is None:
        return
    if el.tail:
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def shown(root, text: str) -> None:
    """`root` (the tree parsed from `text`) as the page shows it (the cheap looks at `text` first)."""
    if any(w in text for w in _SET_WORDS) and _SET.search(text):
        _apply_styles(root)
    if "hidden" in text:
        _hide_hidden(root)
    if 'height="0"' in text or "height=0" in text:
        _drop_zero_height_rows(root)

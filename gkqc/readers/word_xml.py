"""WordprocessingML's names, and reading a number a child element sets: what word.py and its helpers share."""

from __future__ import annotations

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
VAL = W + "val"


def int_of(el, tag: str, default: int | None = None) -> int | None:
    """The whole number child `tag` of `el` sets in its w:val; `default` when there is none or it is no number."""
    found = el.find(W + tag) if el is not None else None
    try:
        return int(found.get(VAL)) if found is not None else default
    except (TypeError, ValueError):
        return default

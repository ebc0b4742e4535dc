"""Whether a row's values are given to it: the label text printed beside its matched label is plainly
the row's own (its numbering, the rest of its label, its group heading) and the row is in order."""


from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from gkqc.readers.tokens import RowRead
from gkqc.templates import Item

_NOT_WORDING = re.compile(r"[^\u4e00-\u9fff]+|[一二三四五六七八九十]")  # numbering is often displaced (PDF, OCR)


MIN_DOUBT = 2  # characters of another wording beside a row's label that put its values in doubt


@lru_cache(maxsize=65536)
def wording(text: str) -> str:
    """The Chinese characters of label text, numerals left out."""
    return _NOT_WORDING.sub("", text)


@lru_cache(maxsize=4096)
def _spellings(item: Item) -> tuple[str, ...]:
    """The wording of an item's printed label and of each of its variants."""
    return tuple(dict.fromkeys(w for w in (wording(item.label), *map(wording, item.variants)) if w))


@lru_cache(maxsize=65536)
def _around(context: tuple[str, ...], row: Item) -> tuple[int, str, str]:
    """(the piece of `context` in which `row`'s label starts — the variant match_label chose: it
    ends last, the longest —, the text before the label in that piece, the text after the label)."""
    ctx = "".join(context)
    end, _, start = max(((i + len(v), len(v), i) for v in row.variants if (i := ctx.rfind(v)) >= 0),
                        default=(0, 0, 0))
    k, at = 0, 0
    while k < len(context) - 1 and at + len(context[k]) <= start:
        at += len(context[k])
        k += 1
    return k, ctx[at:start], ctx[end:]


@lru_cache(maxsize=4096)
def _headed(item: Item) -> tuple[str, ...]:
    """The item's spellings after its group heading (（三）不予公开), which may share its label's cell."""
    return tuple(wording(item.parent or "") + sp for sp in _spellings(item))


class RowSet:
    """A table's rows, their printed order, and the label text seen beside each row's label."""

    def __init__(self, rows: tuple[Item, ...]):
        self.rows = rows
        self.order = {r.id: k for k, r in enumerate(rows)}
        self.headings = tuple({w for r in rows if r.parent if (w := wording(r.parent))})  # row groups' labels
        self.seen: dict[tuple, tuple[int, bool]] = {}  # (label pieces…, row id) -> what `look` says

    def heading(self, text: str) -> bool:
        """The text is (part of) a row group's printed label (`（三）不予公开`), not a cell's."""
        w = wording(text)
        return len(w) >= 2 and any(w in h or h in w for h in self.headings)

    def look(self, context: Sequence[str], row: Item) -> tuple[int, bool]:
        """(the piece of `context` `row`'s label starts in, whether the text beside the label is
        plainly the row's own: its numbering, the rest of its printed label, its group heading,
        and no other row's label)."""
        key = (*context, row.id)
        got = self.seen.get(key)
        if got is None:
            k, before, after = _around(tuple(context), row)
            got = (k, _plain(before, after, row, self.rows))
            if len(self.seen) < 65536:
                self.seen[key] = got
        return got


@lru_cache(maxsize=64)
def row_set(rows: tuple[Item, ...]) -> RowSet:
    return RowSet(rows)


def _plain(before: str, after: str, row: Item, rows: tuple[Item, ...]) -> bool:
    """The text before and after `row`'s label holds no other row's label and no wording
    (MIN_DOUBT characters or more) that the row's own label does not hold."""
    for part, own in ((after, _spellings(row)), (before, _headed(row))):
        w = wording(part)
        if not w:
            continue
        if any(r is not row for r in _named(part, rows)) or (len(w) >= MIN_DOUBT and not any(w in o for o in own)):
            return False
    return True


@lru_cache(maxsize=65536)
def _common(part: str, label: str) -> int:
    """How many of `part`'s characters `label` holds in the same order (longest common subsequence)."""
    if part in label:
        return len(part)
    prev = [0] * (len(label) + 1)
    for a in part:
        cur = [0]
        for j, b in enumerate(label):
            cur.append(prev[j] + 1 if a == b else max(prev[j + 1], cur[j]))
        prev = cur
    return prev[-1]


@lru_cache(maxsize=65536)
def _named(part: str, rows: tuple[Item, ...]) -> tuple[Item, ...]:
    """The rows one of whose label variants `part` holds."""
    return tuple(r for r in rows if any(v in part for v in r.variants))


def _foreign(part: str, own: Sequence[str], row: Item, rows: tuple[Item, ...],
             read: dict[str, RowRead]) -> tuple[bool, Item | None]:
    """Whether label text beside `row`'s matched label belongs to another row: it holds an
    unread row's whole label, or MIN_DOUBT characters of wording that the row's own label
    (`own`) does not hold, or an unread row's label holds more of it. With that row, if known."""
    named = next((r for r in _named(part, rows) if r is not row and r.id not in read), None)
    if named is not None:
        return True, named
    w = wording(part)
    if len(w) < MIN_DOUBT or any(w in o for o in own):
        return False, None
    unread = [r for r in rows if r is not row and r.id not in read]
    mine = max((_common(w, o) for o in own), default=0)
    like, k = max(((_common(w, sp), k) for k, r in enumerate(unread) for sp in _spellings(r)), default=(0, 0))
    return len(w) - mine >= MIN_DOUBT or like > mine, unread[k] if like > mine else None


def out_of_order(row: Item, furthest: Item) -> str:
    """Rows are printed in the template's order: a label after a later row's is not trusted."""
    return (f"行标签“{row.label}”印在“{furthest.label}”之后，与表格的行序不符：其后的数值可能属于标签"
            "未能识别的另一行，不作归属")


def label_doubt(context: Sequence[str], lines: Sequence[int], vline: int, row: Item, rs: RowSet,
                 read: dict[str, RowRead]) -> str | None:
    """Why the values after `row`'s label may be another row's, whose label was not read or read
    only partly (OCR; a label cell holding two rows' labels), or None: label text beside the
    matched label — after it, before it in its cell, or (the label printed off the values' line
    `vline`) on the values' line — that is not the row's own."""
    k, before, after = _around(tuple(context), row)
    if lines[k] != vline:
        before += "".join([c for c, ln in zip(context[:k], lines[:k], strict=True) if ln == vline])
    ctx = "".join(context)
    for where, part, own in (("之后", after, _spellings(row)), ("之前", before, _headed(row))):
        foreign, other = _foreign(part, own, row, rs.rows, read)
        if foreign:
            like = f"，像是“{other.label}”" if other else ""
            return (f"行标签“{ctx[-60:]}”中，“{row.label}”{where}还有不属于它的文字“{part}”{like}：该行的数值"
                    "可能属于标签未能完整识别的另一行，不作归属")
    return None

"""Reading the tables of sections 二, 三 and 四 from a token stream, by their labels.

A row is found by the last known label printed before its values (so a missing or
extra row never shifts the rows after it); its values are the value tokens that
follow, up to the template's column count. Values are never guessed: a row whose
cells cannot be told apart is marked unreadable with the reason. The one split made
is of a crawl's glued run of values (crawl.GluedRun), and only when it is provably
unique (see `_split_glued`). Nor are they given to a row whose label may not be theirs
(`_label_doubt`): label text beside the matched label that is not the row's own (another
row's label read only partly by OCR; two rows' labels in one cell), or a label printed
out of the table's row order, leaves the row unreadable with the reason.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from operator import attrgetter

from gkqc.cells import (
    DAMAGED,
    INFERRED,
    LOOKALIKES,
    MISSING,
    OCR,
    UNREADABLE,
    is_value_like,
    read_amount,
    read_count,
    unit_in_label,
)
from gkqc.readers.crawl import GluedRun
from gkqc.readers.tokens import SHORT, SPAN, Tok
from gkqc.record import Cell
from gkqc.templates import Block, Item, Variant, drawn_from_registry, match_label, norm_label, registry

_GLUED = re.compile(r"^(.*?[^\d,.\s+-])\s*(\d[\d,]*)$")  # a label, then digits (a trailing comma is the label's)


def _block() -> re.Pattern[str]:
    """A block heading of section 二 (第二十条第（x）项), its item numeral the first group."""
    return re.compile(registry().block_heading)  # re caches the compiled pattern
TRUNCATED = "文件在此处中断（疑似截断），之后的单元格未找到"
CUT = "文件在此数值处结束（疑似截断），该数值可能不完整，不予读取"  # the note of a text's last token when it ends in a digit


@dataclass
class RowRead:
    """Raw value tokens of one row (None where not found) and why, if unreadable."""

    toks: list[Tok | None]
    reason: str | None = None  # set: every cell of the row is unreadable for this reason
    missing_reason: str | None = None  # set: cells that are None are missing for this reason


@dataclass
class TableRead:
    rows: dict[str, RowRead] = field(default_factory=dict)
    header: str = ""  # label text printed before the first row (column headings)
    notes: list[str] = field(default_factory=list)
    widths: dict[str, int] = field(default_factory=dict)  # row id -> cells printed for it, label to the next label
    surplus: dict[str, str] = field(default_factory=dict)  # row id -> why its cells beyond its values are in doubt
    extra: dict[str, int] = field(default_factory=dict)  # row id -> cells printed beyond its values
    inner: dict[str, str] = field(default_factory=dict)  # row id -> why its extra cell may be one among its values
    glued: int = 0  # rows of a crawl whose glued runs made fewer tokens than cells
    whole: dict[str, str | None] = field(default_factory=dict)  # rows of a crawl read whole from as many tokens
    # as cells, a glued run among them -> why they may not be its cells, were the table's cells glued
    padded: bool = False  # flattened page text: padding runs (`|||`) fill its rows to the table's width


def _digits_run(tok: Tok) -> bool:
    return tok.text.replace(",", "").isdigit() and len(tok.text) >= 2


class _Norms(dict):
    """norm_label of texts seen (label texts repeat across rows and files), up to a bound."""

    def __missing__(self, text: str) -> str:
        out = norm_label(text)
        if len(self) < 65536:
            self[text] = out
        return out


_norm = _Norms().__getitem__
_TEXT = attrgetter("text")


def _norm_text(toks: Sequence[Tok]) -> str:
    """A stretch of tokens as one normalised text (label cues are looked for in it)."""
    return "".join(map(_norm, map(_TEXT, toks)))


def _value_like(tok: Tok) -> bool:
    """A value's token: it reads as a value, or it is a crawl's glued run of them ('1245-19')."""
    return isinstance(tok, GluedRun) or is_value_like(tok.text)


def _padding(tok: Tok) -> bool:
    """An empty cell, or one holding only a stray byte's U+FFFD: dropped where padding is."""
    return not tok.text.strip(DAMAGED)


# ------------------------------------------------------------------ a crawl's glued values
Sums = tuple[tuple[int, tuple[int, ...]], ...]  # (the total's position in the row, the positions it sums)
MAX_GLUED = 40  # characters of glued values a row may hold and still be split
_BUDGET = 100_000  # pieces tried per row before a split is given up
_PIECE = re.compile(r"[-—–―/]{1,2}|-?(?:0|[1-9]\d{0,2}(?:,\d{3})+|[1-9]\d*)(?:\.\d+)?(?:万元|万|元)?")
_WHOLE = re.compile(r"0|[1-9]\d{0,2}(?:,\d{3})+|[1-9]\d*")
DIGIT_NOTE = "数字连写，位数与单元格数相同，逐位拆分"
COUNT_NOTE = "数字连写，按单元格数唯一拆分（多位数不以0开头）"
TOTAL_NOTE = "数字连写，按本行合计唯一拆分（总计=各列之和）"


def row_sums(cols: Sequence[Item]) -> Sums:
    """The totals a row (or review group) prints, by column position: the registry's `sums`."""
    return _row_sums(tuple(cols))


@lru_cache(maxsize=256)
def _row_sums(cols: tuple[Item, ...]) -> Sums:  # registry items: hashed by identity
    ids = [c.id for c in cols]
    return tuple((ids.index(c.id), tuple(ids.index(p) for p in c.sums)) for c in cols
                 if c.sums and all(p in ids for p in c.sums))


class _Exhausted(Exception):
    pass


Pick = tuple[tuple[int, int, int], ...]  # one (part, start, end) per column


class _Splits:
    """The ways a row's value tokens make n pieces: a glued run cut between any two valid
    pieces (a number, which never starts with 0 unless it is 0, or a blank mark), every other
    token one piece."""

    def __init__(self, vals: list[Tok], n: int):
        self.vals, self.n = vals, n
        self.parts = [v.text for v in vals]
        self.ends = [[[j for j in range(i + 1, len(t) + 1) if _PIECE.fullmatch(t, i, j)] for i in range(len(t))]
                     if isinstance(v, GluedRun) else [[len(t)]] for v, t in zip(vals, self.parts, strict=True)]
        self.suffix = [sum(map(len, self.parts[p:])) for p in range(len(self.parts) + 1)]
        self.plain = all(t.isdigit() for t in self.parts)  # digits only: the bounds of _summands hold
        self.digit_sums = [0]  # of the row's characters so far (plain rows)
        for ch in "".join(self.parts) if self.plain else "":
            self.digit_sums.append(self.digit_sums[-1] + int(ch))
        self.memo: dict[tuple[int, int, int], int] = {}
        self.steps = 0

    def _next(self, p: int, j: int) -> tuple[int, int]:
        return (p + 1, 0) if j == len(self.parts[p]) else (p, j)

    def _step(self) -> None:
        self.steps += 1
        if self.steps > _BUDGET:
            raise _Exhausted

    def count(self, p: int = 0, i: int = 0, c: int = 0) -> int:
        """How many ways the rest (from part p, offset i) fills columns c…n-1."""
        if p == len(self.parts) or c == self.n:
            return int(p == len(self.parts) and c == self.n)
        key = (p, i, c)
        if key not in self.memo:
            self.memo[key] = sum(self.count(*self._next(p, j), c + 1) for j in self.ends[p][i])
        return self.memo[key]

    def only(self) -> Pick:
        """The pick, when count() is 1."""
        out, p, i = [], 0, 0
        for c in range(self.n):
            j = next(j for j in self.ends[p][i] if self.count(*self._next(p, j), c + 1))
            out.append((p, i, j))
            p, i = self._next(p, j)
        return tuple(out)

    def _int(self, p: int, i: int, j: int) -> int | None:
        piece = self.parts[p][i:j]
        return int(piece.replace(",", "")) if _WHOLE.fullmatch(piece) else None

    def by_totals(self, groups: dict[int, int], limit: int = 2) -> list[Pick]:
        """Up to `limit` picks in which each group's total (column t, summing columns c…t-1 for
        groups[c] == t) equals the sum of its summands. Raises _Exhausted past the budget."""
        memo: dict[tuple[int, int, int], list[Pick]] = {}

        def rest(p: int, i: int, c: int) -> list[Pick]:
            if c == self.n or p == len(self.parts):
                return [()] if (c == self.n and p == len(self.parts)) else []
            if (p, i, c) in memo:
                return memo[(p, i, c)]
            out: list[Pick] = []
            t = groups.get(c)
            for q, x, y in self._spans(p, i, c, t):
                self._step()
                head = [((p, i, y),)] if t is None else (
                    [(*a, (q, x, y)) for a in self._summands(p, i, t - c, total, q, x, limit)]
                    if (total := self._int(q, x, y)) is not None else [])
                for a in head:
                    out += [a + b for b in rest(*self._next(q, y), (t if t is not None else c) + 1)][:limit - len(out)]
                if len(out) >= limit:
                    break
            memo[(p, i, c)] = out
            return out

        return rest(0, 0, 0) if self.count() else []

    def _spans(self, p: int, i: int, c: int, t: int | None):
        """Where column c's piece lies (no group at c), or where the total of the group c…t may."""
        if t is None:
            yield from ((p, i, j) for j in self.ends[p][i])
            return
        for q in range(p, len(self.parts)):
            glued = isinstance(self.vals[q], GluedRun)  # any other token is one piece, read whole
            for x in range(i if q == p else 0, len(self.parts[q])) if glued else (0,):
                for y in self.ends[q][x]:
                    if self.count(*self._next(q, y), t + 1):
                        yield q, x, y

    def _summands(self, p: int, i: int, k: int, total: int, q: int, x: int, limit: int) -> list[Pick]:
        """Up to `limit` ways k numbers fill exactly (p, i)…(q, x) and add up to `total`."""
        if k == 0:
            return [()] if (p, i) == (q, x) and total == 0 else []
        if p > q or (p == q and i >= x):
            return []
        start, end = self.suffix[0] - self.suffix[p] + i, self.suffix[0] - self.suffix[q] + x
        if self.plain and ((total - self.digit_sums[end] + self.digit_sums[start]) % 9
                           or not _reachable(end - start, k, total)):
            return []  # a number is its digit sum mod 9, so however they are cut the k add up to that
        out: list[Pick] = []
        for j in self.ends[p][i]:
            if p == q and j > x:
                break
            self._step()
            v = self._int(p, i, j)
            if v is None or v > total:
                continue
            for b in self._summands(*self._next(p, j), k - 1, total - v, q, x, limit - len(out)):
                out.append(((p, i, j), *b))
            if len(out) >= limit:
                break
        return out

    def contradicts(self, pick: Pick, sums: Sums) -> bool:
        """Some total equation fails on the pick's values (all whole numbers)."""
        vals = [self._int(*at) for at in pick]
        return any(None not in (xs := [vals[k] for k in (t, *cols)]) and xs[0] != sum(xs[1:]) for t, cols in sums)

    def one_digit_each(self, pick: Pick) -> bool:
        return all(j - i == 1 for p, i, j in pick if isinstance(self.vals[p], GluedRun))

    def row(self, pick: Pick, note: str, inferred: bool) -> RowRead:
        out: list[Tok | None] = []
        for p, i, j in pick:
            v = self.vals[p]
            whole = (i, j) == (0, len(v.text))
            if whole and not inferred:
                out.append(v)
                continue
            text = v.text[i:j]
            raw = v.raw[i:j] if len(v.raw) == len(v.text) else text
            where = f"（原文'{v.raw}'，第{v.line}行第{v.at}字起）" if isinstance(v, GluedRun) else ""
            out.append(Tok(text, raw, v.line, note=note + where, inferred=inferred))
        return RowRead(out)


def _groups(sums: Sums) -> dict[int, int] | None:
    """Each total equation as a group first summand -> total column, when every group is a run
    of summands followed by its total and no two groups share a column (else None)."""
    out: dict[int, int] = {}
    used: set[int] = set()
    for t, cols in sums:
        span = set(range(min(cols), t + 1))
        if sorted(cols) != list(range(min(cols), t)) or span & used:
            return None
        used |= span
        out[min(cols)] = t
    return out


def _reachable(chars: int, k: int, total: int) -> bool:
    """Whether k numbers written with `chars` digits (no leading 0) can add up to `total`."""
    if k == 0:
        return chars == 0 and total == 0
    if chars < k or total < 0:
        return False
    longest = -(-chars // k)  # the longest of the k has at least this many digits
    low = 10 ** (longest - 1) if longest > 1 else 0
    return low <= total <= 10 ** (chars - k + 1) - 1 + 9 * (k - 1)


def _unspaced(vals: list[Tok]) -> list[Tok] | None:
    """A crawl's row tokens with every space that may be inside a number taken out (digits but a
    lone 0, a space, three digits or more: `58 234` may be 58234), each such pair one glued run;
    None when there is none."""
    out, joined = [vals[0]], False
    for b in vals[1:]:
        a = out[-1]
        if a.text[-1:].isdigit() and a.text != "0" and len(b.text) >= 3 and b.text[:3].isdigit():
            out[-1] = GluedRun(a.text + b.text, a.raw + b.raw, a.line, at=getattr(a, "at", 0))
            joined = True
        else:
            out.append(b)
    return out if joined else None


def _spaced_number(vals: list[Tok], n: int, sums: Sums) -> str | None:
    """Why a crawl's row of exactly n tokens, in a table whose other rows glue their cells, is no
    row of n cells: a space between them may be inside a number (`_unspaced`), and read as n cells
    its total does not hold. None otherwise."""
    if not sums or _unspaced(vals) is None:
        return None
    if not _Splits(vals, n).contradicts(tuple((p, 0, len(v.text)) for p, v in enumerate(vals)), sums):
        return None
    shown = " ".join(v.raw for v in vals)
    return (f"本表其他行的单元格之间无分隔，本行的{n}段数字（'{shown}'）按单元格读则合计不符："
            "其间的空格可能在一个数字之内（千位分隔），无法确定各单元格的值，不作归属")


def _vanished_blank(vals: list[Tok], n: int, groups: dict[int, int]) -> int | None:
    """A summand column that, were it a blank cell printed as nothing, would leave a split of the
    rest (n - 1 numbers) whose totals hold: the first such column, else None."""
    for b in range(n):
        if b in groups.values():
            continue  # a total: its row would have nothing to check
        fewer: dict[int, int] = {}
        for c, t in groups.items():
            if t < b:
                fewer[c] = t
            elif c < b or (c == b and t - 1 > c):
                fewer[c] = t - 1
            elif c > b:
                fewer[c - 1] = t - 1
            else:
                break  # the group's only summand: its total must be 0, not a split to find
        else:
            try:
                if _Splits(vals, n - 1).by_totals(fewer, limit=1):
                    return b
            except _Exhausted:
                return b
    return None


def _split_glued(vals: list[Tok], n: int, sums: Sums) -> RowRead:
    """A row of a crawl with fewer value tokens than cells, some of them glued runs: split only
    when the split is provably unique — (a) one digit per cell: `ok` (unless the row's total
    contradicts it: a blank cell may have vanished); (b) the only split that makes the row's
    printed total(s) hold, no number written with a leading 0, and no split of one number fewer (a
    blank cell that vanished) that makes them hold too: `inferred`. A row without a total is split
    only when there is one way and its tokens make no fewer numbers (a blank cell that left no
    trace would leave fewer: '16' is 1, 6 or 16 and a blank): (a) `ok`, else `inferred`. A space
    that may be inside a number (`58 234`, `_unspaced`) must decide nothing. Anything else is
    unreadable."""
    shown = " ".join(v.raw for v in vals)
    head = f"数字连在一起、单元格之间无分隔（'{shown}'）"

    def unreadable(why: str) -> RowRead:
        return RowRead([None] * n, f"{head}，{why}，无法确定各单元格的值，不作猜测拆分")

    chars = sum(len(v.text) for v in vals if isinstance(v, GluedRun))
    if chars > MAX_GLUED:
        return unreadable(f"共{chars}个字符，超过可拆分的上限{MAX_GLUED}个")
    sp = _Splits(vals, n)
    ways = sp.count()
    if ways == 0:
        return unreadable(f"无法拆成{n}个数值（可能有空白单元格未显示）")
    if not sums:
        if ways > 1:
            return unreadable(f"可能的拆分有{ways}种")
        fewer = next((k for k in range(len(vals), n) if _Splits(vals, k).count()), None)
        if fewer is not None:
            return unreadable(f"也能拆成{fewer}个数值（可能有空白单元格未显示），本行没有合计可核对")
        if (other := _unspaced(vals)) is not None and _Splits(other, n).count() > 1:
            return unreadable("数字之间的空格可能在一个数字之内（千位分隔），如此则拆分不止一种")
        pick = sp.only()
        digits = sp.one_digit_each(pick)
        return sp.row(pick, DIGIT_NOTE if digits else COUNT_NOTE, inferred=not digits)
    if ways == 1:
        pick = sp.only()
        if sp.one_digit_each(pick):
            if sp.contradicts(pick, sums):  # a blank cell that left no trace would shift every digit after it
                return unreadable("逐位拆分与本行合计不符（可能有空白单元格未显示）")
            return sp.row(pick, DIGIT_NOTE, inferred=False)
    groups = _groups(sums)
    if groups is None:
        return unreadable(f"可能的拆分有{ways}种，本行合计关系无法用于拆分")
    try:
        found = sp.by_totals(groups)
    except _Exhausted:
        return unreadable(f"可能的拆分有{ways}种，逐一核对超出计算上限")
    if len(found) == 1 and (b := _vanished_blank(vals, n, groups)) is not None:
        return unreadable(f"其中与本行合计相符的只有一种，但若第{b + 1}个单元格空白且未显示，"
                          "也有与本行合计相符的拆分")
    if len(found) == 1:
        if (other := _unspaced(vals)) is not None:
            try:
                doubt = len(_Splits(other, n).by_totals(groups)) > 1
            except _Exhausted:
                doubt = True
            if doubt:
                return unreadable("其中与本行合计相符的只有一种，但数字之间的空格可能在一个数字之内（千位分隔），"
                                  "如此则与本行合计相符的不止一种")
        return sp.row(found[0], TOTAL_NOTE, inferred=True)
    return unreadable(f"可能的拆分有{ways}种，" + ("其中与本行合计相符的不止一种" if found
                                                  else "无一与本行合计相符（可能有空白单元格未显示）"))


def _finish_row(vals: list[Tok], n: int, at_end: bool, sums: Sums = ()) -> RowRead:
    vals = [v for v in vals if v.note is not SPAN]  # a padding run is never one of the row's cells
    if len(vals) >= n and any(v.note is SHORT for v in vals):
        shown = " ".join(v.raw or "空" for v in vals)
        return RowRead([None] * n, f"{SHORT}（{shown}）：缺的是哪一格、末尾的空格是空白数值还是多出的一列，无法确定，不作归属")
    extra = [v for v in vals[n:] if not _padding(v)]
    if extra:
        shown = " ".join(v.raw or "空" for v in vals)
        return RowRead([None] * n, f"该行读到{len(vals)}个单元格（{shown}），多于应有的{n}个，"
                                   "可能有数字被拆开或多出一格，不作猜测")
    if at_end and vals and vals[-1].note == CUT:  # the file ends inside this value, perhaps
        kept = vals[:-1]  # at most n - 1: a value past the n-th is an extra one, refused above
        return RowRead(kept + [None] * (n - len(kept)), missing_reason=CUT if len(vals) == n else f"{CUT}；其后的单元格未找到")
    if len(vals) >= n:
        return RowRead(list(vals[:n]))
    if at_end:
        return RowRead(list(vals) + [None] * (n - len(vals)), missing_reason=TRUNCATED)
    if any(isinstance(v, GluedRun) for v in vals):
        return _split_glued(vals, n, sums)
    runs = [v for v in vals if _digits_run(v)]
    if runs:
        return RowRead([None] * n, f"数字连在一起、单元格之间无分隔（'{runs[0].raw}'），无法确定各单元格的值，不作猜测拆分")
    shown = " ".join(v.raw or "空" for v in vals)
    return RowRead([None] * n, f"该行只有{len(vals)}个值（{shown}），应有{n}个，无法确定对应的列")


def read_rows(toks: Sequence[Tok], rows: Sequence[Item], ncols: int, doc_ends_here: bool,
              sums: dict[str, Sums] | None = None) -> TableRead:
    """Read labelled rows of `ncols` values each from a section's tokens (`sums`: each row's
    total equations, used only to split a crawl's glued values)."""
    out = TableRead()
    context: list[str] = []
    lines: list[int] = []  # the source line of each context piece
    furthest, far = None, -1  # the row furthest down the table read so far, its place
    rs = _row_set(tuple(rows))
    order, seen = rs.order, rs.seen
    row: Item | None = None
    skip = False
    vals: list[Tok] = []
    seen_first = False
    labels = 0  # label cells printed before the current row's values
    widths = out.widths
    out.padded = any(t.note is SPAN for t in toks)
    split: str | None = None  # the row just read, when its glued digits were split into its cells

    def finish(at_end: bool) -> None:
        nonlocal row, split
        if row is None:
            return
        if not at_end:
            widths[row.id] = labels + len(vals)
            cells = [v for v in vals if v.note is not SPAN]
            out.extra[row.id] = len(cells) - ncols
            if doubt := _ends_doubt(cells, ncols):
                out.surplus[row.id] = doubt
            elif doubt := _inner_doubt(cells, ncols):
                out.inner[row.id] = doubt
        read = _finish_row(vals, ncols, at_end, (sums or {}).get(row.id, ()))
        split = row.id if len(vals) < ncols and any(isinstance(v, GluedRun) for v in vals) else None
        if split:
            out.glued += 1
        elif len(vals) == ncols and not read.reason and any(isinstance(v, GluedRun) for v in vals):
            out.whole[row.id] = _spaced_number(vals, ncols, (sums or {}).get(row.id, ()))
        prev = out.rows.get(row.id)
        if prev is None:
            out.rows[row.id] = read
        elif [t.raw if t else None for t in prev.toks] != [t.raw if t else None for t in read.toks]:
            line = vals[0].line if vals else "?"
            out.rows[row.id] = RowRead([None] * ncols, f"该行出现两次且数值不同（第{line}行为重复行），不作取舍")
        else:
            out.notes.append(f"{row.label}：重复行（数值相同），已忽略")
        row = None

    for i, tok in enumerate(toks):
        value_like = is_value_like(tok.text) if tok.__class__ is Tok else _value_like(tok)  # the common case inline
        if row is not None and not value_like and tok.cell and len(vals) < ncols and len(tok.text) <= 20 \
                and _cell_of_row(tok, toks[i + 1] if i + 1 < len(toks) else None) \
                and match_label(_norm(tok.text), rows) is None and not rs.heading(tok.text):
            vals.append(tok)  # an unreadable cell inside a row (e.g. '约3'), not a label nor a group's heading
            continue
        if not value_like and _first_cell(tok, row, skip, context, rows, rs):
            value_like = True  # the row's first cell, unreadable ('5人', '约3'): not more of its label
        if not value_like:
            if row is not None or skip:
                finish(False)
                skip = False
            glued = tok.text[-1:].isdigit() or tok.text.endswith(",")  # cheap pre-test of _GLUED
            m = _GLUED.match(tok.text) if glued else None  # a label with digits glued on
            if m and _ends_in_label(_norm(m.group(1)), rows):
                context.append(_norm(m.group(1)))
                lines.append(tok.line)
                tok = Tok(m.group(2), m.group(2), tok.line)
            else:
                context.append(_norm(tok.text))
                lines.append(tok.line)
                continue
        if row is None and not skip:
            if not context:
                continue  # padding cells between rows
            ctx = "".join(context)
            row = match_label(ctx, rows)
            if row is None and not tok.text:
                continue  # an empty heading cell: the row label is still to come
            first = not seen_first and row is not None
            if first:
                out.header = ctx
                seen_first = True
            doubt = None
            if row is not None:  # is it plainly this row's label (the common case), and in order?
                pos = order[row.id]
                k, plain = seen.get((*context, row.id)) or rs.look(context, row)
                labels = len(context) - (k if first else 0)  # the first row: its own label, no headings
                if pos < far and row.id not in out.rows:
                    doubt = _out_of_order(row, furthest)
                elif not plain or (lines[k] != tok.line and tok.line in lines):
                    doubt = _label_doubt(context, lines, tok.line, row, rs, out.rows)
                if pos > far:
                    far, furthest = pos, row
            context.clear()
            lines.clear()
            vals = []
            if doubt:  # the values may be another row's: that row's label was not (fully) read
                out.rows.setdefault(row.id, RowRead([None] * ncols, doubt))
                row = None
            if row is None:
                if not doubt:
                    out.notes.append(f"无法识别的行标签：'{ctx[-40:]}'，其后数值未读取")
                if split is not None and not doubt:  # text, then more values: the split row's digits may not all be its
                    out.rows[split] = RowRead([None] * ncols, f"该行连写的数字之后是无法识别的文字（'{ctx[-20:]}'）和更多"
                                                              "数值：该行的数值可能未读全，不作拆分")
                skip = True
                continue
            split = None  # the next row's label follows: the split row's values ended there
        if skip:
            continue
        vals.append(tok)
        if i == len(toks) - 1:
            finish(doc_ends_here)
    finish(doc_ends_here)
    return out


def check_widths(tables: Sequence[tuple[TableRead, int]]) -> None:
    """Each row against the width most rows of its table print (`tables`: the parts of one printed
    table, section 二's blocks, each with its number of values per row). Flattened page text prints
    every row as wide as the table (labels, values, then padding up to the width; a blank value and
    a padding cell are both an empty `|`): a row a cell narrower whose values end in an empty cell
    lost a value, and which cannot be told; a row a cell wider with empty cells among its values
    gained one, and which cannot be told either. Elsewhere a row wider than most with empty cells at
    both ends (`_ends_doubt`) holds an extra cell, and which one cannot be told; so does a row with
    more cells beyond its values than most rows print and empty cells among its values too
    (`_inner_doubt`).
    In a crawl whose rows mostly glue their cells, a row read whole from as many tokens as cells is
    refused when a space between them may be inside a number and its total does not hold."""
    if sum(tr.glued for tr, _ in tables) > sum(len(tr.whole) for tr, _ in tables):  # a crawl whose cells are glued
        for tr, n in tables:
            for rid, doubt in tr.whole.items():
                if doubt and tr.rows.get(rid) is not None and not tr.rows[rid].reason:
                    tr.rows[rid] = RowRead([None] * n, doubt)
    width = _usual(Counter(w for tr, _ in tables for w in tr.widths.values()))
    extra = _usual(Counter(e for tr, _ in tables for e in tr.extra.values()))
    padded = any(tr.padded for tr, _ in tables)
    for tr, n in tables:
        for rid, w in tr.widths.items():
            read = tr.rows.get(rid)
            if read is None or read.reason:
                continue
            if width is not None and padded and w < width and any(t is not None and _padding(t) for t in read.toks):
                shown = " ".join(t.raw or "空" for t in read.toks if t is not None)
                tr.rows[rid] = RowRead([None] * n, f"该行比表格其他行少{width - w}个单元格（{shown}），可能缺了一个数值，"
                                                  "末尾的空单元格可能只是表格填充，无法确定对应的列")
            elif width is not None and w > width and rid in tr.surplus:
                tr.rows[rid] = RowRead([None] * n, tr.surplus[rid])
            elif rid in tr.inner and (w > width if padded and width is not None
                                      else not padded and extra is not None and tr.extra[rid] > extra):
                tr.rows[rid] = RowRead([None] * n, tr.inner[rid])  # a cell gained among its values, perhaps


def _empty_ends(vals: list[Tok]) -> tuple[int, int]:
    """How many empty cells a row's cells start with, and end with."""
    lead = next((k for k, v in enumerate(vals) if not _padding(v)), len(vals))
    trail = next((k for k, v in enumerate(reversed(vals)) if not _padding(v)), len(vals))
    return lead, trail


def _ends_doubt(vals: list[Tok], n: int) -> str | None:
    """Why a row's cells beyond its n values cannot be told from them, or None: empty cells at
    both ends, and more of them than the surplus (an empty cell after the label and a blank last
    value, or a blank first value and padding after the last)."""
    surplus = len(vals) - n
    if surplus <= 0:
        return None
    lead, trail = _empty_ends(vals)
    if min(lead, surplus) - max(0, surplus - trail) < 1:
        return None  # one way only: the extra cells are padding at one end
    shown = " ".join(v.raw or "空" for v in vals)
    return (f"该行读到{len(vals)}个单元格（{shown}），多于应有的{n}个；首尾都有空单元格，"
            "无法确定哪些是空白数值、哪些是多出的一格，不作归属")


def _inner_doubt(vals: list[Tok], n: int) -> str | None:
    """Why a row's cells beyond its n values, empty and at one end, may not be the extra ones: an
    empty cell among its values too (a cell gained there, the row's last value cell empty); or None."""
    if len(vals) <= n:
        return None
    lead, trail = _empty_ends(vals)
    if not any(_padding(v) for v in vals[lead:len(vals) - trail]):
        return None
    shown = " ".join(v.raw or "空" for v in vals)
    return (f"该行读到{len(vals)}个单元格（{shown}），多于应有的{n}个，比表格其他行多；数值之间也有空单元格，"
            "无法确定哪一格是多出的，不作归属")


def _usual(counts: Counter) -> int | None:
    """The count most rows of a table have (of cells printed, of cells beyond their values), when
    most rows (three at least) agree."""
    if not counts:
        return None
    value, rows = counts.most_common(1)[0]
    return value if rows >= 3 and rows * 2 > counts.total() else None


def _cell_of_row(tok: Tok, after: Tok | None) -> bool:
    """An unreadable cell is the row's own when it holds a digit or a number's lookalike ('约3', 'O')
    or more of the row's values follow it; text alone at the row's end ('（四）无', '续表') is what
    follows the row (a label cut short), and the row is a value short."""
    return (any(ch.isdigit() for ch in tok.text) or tok.text in LOOKALIKES
            or (after is not None and is_value_like(after.text)))


_LABEL_END = re.compile(r"[\s)）\]】」』:：,，。、]*")  # what may follow a label before its glued digits


def _ends_in_label(text: str, rows: Sequence[Item]) -> bool:
    """Whether `text` ends in a row's label (brackets and punctuation after it aside): only then are
    the digits glued to it the row's first value ('予以公开28'), not the end of something else printed
    there ('予以公开1/2', '约5', '1e3')."""
    row = match_label(text, rows)
    if row is None:
        return False
    end = max(text.rfind(v) + len(v) for v in row.variants if v in text)
    return _LABEL_END.fullmatch(text, end) is not None


def _first_cell(tok: Tok, row: Item | None, skip: bool, context: list[str], rows: Sequence[Item],
                rs: _RowSet) -> bool:
    """A cell with a digit and at most one other character of wording in it ('5人', '约3'), or a
    number's lookalike ('O', a Chinese numeral), printed after a whole row label and before any
    value: the row's first value, unreadable as printed, not a piece of the label (else the row's
    values would shift one column to the left)."""
    return (row is None and not skip and tok.cell and bool(context) and len(tok.text) <= 20
            and (any(ch.isdigit() for ch in tok.text) and len(_wording(tok.text)) <= 1 or tok.text in LOOKALIKES)
            and not rs.heading(tok.text)
            and match_label(_norm(tok.text), rows) is None and match_label("".join(context), rows) is not None)


# ------------------------------------------------------------------ whose label is it
_NOT_WORDING = re.compile(r"[^\u4e00-\u9fff]+|[一二三四五六七八九十]")  # numbering is often displaced (PDF, OCR)
MIN_DOUBT = 2  # characters of another wording beside a row's label that put its values in doubt


@lru_cache(maxsize=65536)
def _wording(text: str) -> str:
    """The Chinese characters of label text, numerals left out."""
    return _NOT_WORDING.sub("", text)


@lru_cache(maxsize=4096)
def _spellings(item: Item) -> tuple[str, ...]:
    """The wording of an item's printed label and of each of its variants."""
    return tuple(dict.fromkeys(w for w in (_wording(item.label), *map(_wording, item.variants)) if w))


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
    return tuple(_wording(item.parent or "") + sp for sp in _spellings(item))


class _RowSet:
    """A table's rows, their printed order, and the label text seen beside each row's label."""

    def __init__(self, rows: tuple[Item, ...]):
        self.rows = rows
        self.order = {r.id: k for k, r in enumerate(rows)}
        self.headings = tuple({w for r in rows if r.parent if (w := _wording(r.parent))})  # row groups' labels
        self.seen: dict[tuple, tuple[int, bool]] = {}  # (label pieces…, row id) -> what `look` says

    def heading(self, text: str) -> bool:
        """The text is (part of) a row group's printed label (`（三）不予公开`), not a cell's."""
        w = _wording(text)
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
def _row_set(rows: tuple[Item, ...]) -> _RowSet:
    return _RowSet(rows)


def _plain(before: str, after: str, row: Item, rows: tuple[Item, ...]) -> bool:
    """The text before and after `row`'s label holds no other row's label and no wording
    (MIN_DOUBT characters or more) that the row's own label does not hold."""
    for part, own in ((after, _spellings(row)), (before, _headed(row))):
        w = _wording(part)
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
    w = _wording(part)
    if len(w) < MIN_DOUBT or any(w in o for o in own):
        return False, None
    unread = [r for r in rows if r is not row and r.id not in read]
    mine = max((_common(w, o) for o in own), default=0)
    like, k = max(((_common(w, sp), k) for k, r in enumerate(unread) for sp in _spellings(r)), default=(0, 0))
    return len(w) - mine >= MIN_DOUBT or like > mine, unread[k] if like > mine else None


def _out_of_order(row: Item, furthest: Item) -> str:
    """Rows are printed in the template's order: a label after a later row's is not trusted."""
    return (f"行标签“{row.label}”印在“{furthest.label}”之后，与表格的行序不符：其后的数值可能属于标签"
            "未能识别的另一行，不作归属")


def _label_doubt(context: Sequence[str], lines: Sequence[int], vline: int, row: Item, rs: _RowSet,
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


def _cells_from_row(table: str, block: str | None, row_id: str, cols: Sequence[Item], read: RowRead | None,
                    missing: str, header_unit: str | None = None, amounts: bool = False) -> list[Cell]:
    if read is None or read.reason:
        status, reason = (UNREADABLE, read.reason) if read else (MISSING, missing)
        return [Cell(table, block, row_id, col.id, None, None, status, reason) for col in cols]
    out: list[Cell] = []
    append = out.append
    absent = read.missing_reason or missing
    for col, tok in zip(cols, read.toks, strict=True):
        if tok is None:
            append(Cell(table, block, row_id, col.id, None, None, MISSING, absent))
            continue
        raw = tok.raw
        cv = read_amount(raw, header_unit) if amounts and col.unit else read_count(raw)
        cell = Cell(table, block, row_id, col.id, raw, cv.value, cv.status, cv.reason, cv.unit, tok.line)
        if tok.note or tok.inferred or tok.conf is not None:
            cell = _cell(cell, tok)
        append(cell)
    return out


def _cell(cell: Cell, tok: Tok) -> Cell:
    """A cell read from a token that was read by OCR, split by rule or placed by position: its
    status (ocr / inferred) and how it was read, beside any reason the value already has."""
    if tok.refused:
        cell.value, cell.status, cell.reason, cell.unit = None, UNREADABLE, tok.note, None
        return cell
    if tok.note:
        cell.reason = f"{cell.reason}；{tok.note}" if cell.reason else tok.note
    if cell.value is None:
        return cell
    if tok.conf is not None:
        if cell.unit == "元":  # the templates print amounts in 万元: OCR losing 万 makes one 10⁴ too small
            cell.value, cell.status = None, UNREADABLE
            cell.reason = "OCR 读出的金额单位为“元”（模板为“万元”，可能漏识“万”字），不采用"
            return cell
        cell.status, cell.confidence = OCR, round(min(max(tok.conf, 0.0), 1.0), 4)
    elif tok.inferred:
        cell.status = INFERRED
    return cell


SILENT = "整张表没有一个数值（PDF 文本层中只有行标签），各单元格按空白读取"


def silent_rows(toks: Sequence[Tok], rows: Sequence[Item], ncols: int) -> TableRead | None:
    """A table printed with every cell empty, as a PDF's text layer shows it: every row's label in
    printed order and no value anywhere. Each row then reads as `ncols` blank cells."""
    if any(_value_like(t) and not _padding(t) for t in toks):
        return None
    text, ends, at = "", [], 0
    for t in toks:  # the normalised text, and where each token's part of it ends
        text += _norm(t.text)
        ends.append(len(text))
    out = TableRead()
    for r in rows:
        found = [i for v in r.variants if (i := text.find(v, at)) >= 0]
        if not found:
            return None
        at = min(found)
        line = toks[bisect_right(ends, at)].line
        out.rows[r.id] = RowRead([Tok("", "", line, True, note=SILENT)] * ncols)
    return out


def read_applications(toks: Sequence[Tok], template: str, doc_ends_here: bool, missing: str,
                      silent_blank: bool = False) -> tuple[list[Cell], list[str]]:
    """Section 三, rows by their labels (`silent_blank`: a table printed without any value is blank)."""
    reg = registry()
    rows = reg.app_rows_for(template)
    sums = dict.fromkeys((r.id for r in rows), row_sums(reg.app_columns))
    tr = read_rows(toks, rows, len(reg.app_columns), doc_ends_here, sums)
    check_widths([(tr, len(reg.app_columns))])
    if silent_blank and not tr.rows:
        tr = silent_rows(toks, rows, len(reg.app_columns)) or tr
    cells = []
    for r in rows:
        cells += _cells_from_row("applications", None, r.id, reg.app_columns, tr.rows.get(r.id), missing)
    return cells, tr.notes


def read_reviews(toks: Sequence[Tok], template: str, doc_ends_here: bool, missing: str,
                 silent_blank: bool = False) -> tuple[list[Cell], list[str]]:
    """Section 四: one run of values after the headings, groups × metrics in registry order, the
    same in every template (`silent_blank`: the headings printed without any value are a blank table)."""
    reg = registry()
    n = len(reg.review_groups) * len(reg.review_metrics)
    headings = {_norm(w) for g in reg.review_groups for w in g.label.split("/")}  # (narrow metric headings wrap)
    text = _norm_text(toks) if silent_blank else ""
    if text and all(h in text for h in headings) and not any(_value_like(t) and not _padding(t) for t in toks):
        line = toks[0].line
        blank = RowRead([Tok("", "", line, True, note=SILENT)] * len(reg.review_metrics))
        return [c for g in reg.review_groups
                for c in _cells_from_row("reviews", g.id, g.id, reg.review_metrics, blank, missing)], []
    run: list[Tok] = []
    started = False
    for tok in toks:
        if is_value_like(tok.text) if tok.__class__ is Tok else _value_like(tok):  # the common case inline
            run.append(tok)
            started = started or not _padding(tok)
        elif started and tok.cell and len(tok.text) <= 20 and (any(ch.isdigit() for ch in tok.text)
                                                               or tok.text in LOOKALIKES):
            run.append(tok)  # a value cell printed unreadably ('约3', 'O') keeps its place in the run
        elif started:
            break
        else:
            run.clear()
    # padding cells precede the numbers (end of the heading rows) or follow them; drop only
    # as many as exceed the count, so a genuinely blank first or last number is kept
    run = [t for t in run if t.note is not SPAN]  # a padding run is never one of the values
    doubt = _surplus_doubt(run, n)
    while len(run) > n and _padding(run[0]):
        run.pop(0)
    while len(run) > n and _padding(run[-1]):
        run.pop()
    if len(run) < n:
        while run and _padding(run[0]):
            run.pop(0)
        while run and _padding(run[-1]):
            run.pop()
    at_end = doc_ends_here and bool(run) and run[-1] is toks[-1]
    m = len(reg.review_metrics)
    if doubt:
        read = RowRead([None] * n, doubt)
    else:
        read = _finish_row(run, n, at_end, _review_sums(reg.review_groups, reg.review_metrics)) if run else None
    cells = []
    for g, group in enumerate(reg.review_groups):
        part = RowRead(read.toks[g * m:(g + 1) * m], read.reason, read.missing_reason) if read else None
        cells += _cells_from_row("reviews", group.id, group.id, reg.review_metrics, part, missing)
    return cells, []


def _surplus_doubt(run: list[Tok], n: int) -> str | None:
    """Why a run of more than `n` cells cannot be cut to its `n` values, or None. The surplus must be
    empty cells; when empty cells stand in more than one place (a blank first value and padding
    after the last, an empty spacer between the groups and a blank last value) and not all of them
    are surplus, which ones are values cannot be told."""
    surplus = len(run) - n
    if surplus <= 0:
        return None
    empty = [k for k, t in enumerate(run) if _padding(t)]
    places = sum(1 for j, k in enumerate(empty) if j == 0 or empty[j - 1] != k - 1)
    if len(empty) <= surplus or places <= 1:
        return None  # every empty cell is surplus, or they stand together: any of them will do
    shown = " ".join(t.raw or "空" for t in run)
    return (f"读到{len(run)}个单元格（{shown}），多于应有的{n}个；空单元格不止一处，"
            "无法确定哪些是空白数值、哪些是表格填充，不作归属")


@lru_cache(maxsize=16)
def _review_sums(groups: tuple[Item, ...], metrics: tuple[Item, ...]) -> Sums:
    """The total equations of section 四's run of values, by position in the run."""
    m = len(metrics)
    return tuple((g * m + t, tuple(g * m + c for c in cs)) for g in range(len(groups)) for t, cs in row_sums(metrics))


def _order_doubt(header: str, metrics: Sequence[Item]) -> str | None:
    """Why a block's values cannot be placed by the template's column order, or None: its heading
    names every column, but in another order — columns printed in another order, or a heading
    over two rows ('本年' over 制发件数 and 废止件数, 现行有效件数 beside it) that reads out of order
    when flattened; which one cannot be told."""
    pos = {}
    for m in metrics:
        found = [header.find(v) for v in m.variants if v in header]
        if found:
            pos[m.id] = min(found)
    if len(pos) < len(metrics) or len(set(pos.values())) < len(metrics):
        return None
    printed = sorted(metrics, key=lambda m: pos[m.id])
    if printed == list(metrics):
        return None
    return (f"表头各列的顺序（{'、'.join(m.label for m in printed)}）与模板不同：可能是列序不同，也可能是"
            "两行表头展开后的顺序，无法确定各列，不作归属")


@drawn_from_registry()
def _items_of(template: str) -> dict[str, str]:
    """The item numeral of each of the template's blocks (from its label 第二十条第（x）项) -> the block id."""
    found = ((_block().search(norm_label(b.label)), b.id) for b in registry().blocks_for(template))
    return {m.group(1): bid for m, bid in found if m}


def read_active(toks: Sequence[Tok], template: str, doc_ends_here: bool, missing: str,
                silent_blank: bool = False) -> tuple[list[Cell], list[str]]:
    """Section 二: blocks 第二十条第（x）项, each a small table read by labels (`silent_blank`: a
    block printed without any value is blank)."""
    blocks: dict[str, Block] = {b.id: b for b in registry().blocks_for(template)}
    item = _items_of(template)  # 第二十条第（x）项 -> its block
    starts: list[tuple[str, int]] = []
    heading = _block()
    for i, t in enumerate(toks):
        m = heading.search(t.text)
        if m and m.group(1) in item:
            starts.append((item[m.group(1)], i))
    bounds = [i for _, i in starts] + [len(toks)]
    found: dict[str, tuple[int, int]] = {}
    for k, (bid, s) in enumerate(starts):
        found.setdefault(bid, (s + 1, bounds[k + 1]))
    reads = {bid: read_rows(toks[s:e], blocks[bid].rows, len(blocks[bid].metrics), doc_ends_here and e == len(toks))
             for bid, (s, e) in found.items()}
    check_widths([(tr, len(blocks[bid].metrics)) for bid, tr in reads.items()])  # the blocks print as one table
    cells, notes = [], []
    for bid, block in blocks.items():
        if bid not in found:
            for r in block.rows:
                cells += _cells_from_row("active", bid, r.id, block.metrics, None, f"未找到{block.label}表格；{missing}")
            continue
        s, e = found[bid]
        tr = reads[bid]
        if silent_blank and not tr.rows:
            tr = silent_rows(toks[s:e], block.rows, len(block.metrics)) or tr
        doubt = _order_doubt(tr.header, block.metrics)
        unit = unit_in_label(tr.header) if any(m.unit for m in block.metrics) else None
        notes += tr.notes
        for r in block.rows:
            read = RowRead([None] * len(block.metrics), doubt) if doubt and r.id in tr.rows else tr.rows.get(r.id)
            cells += _cells_from_row("active", bid, r.id, block.metrics, read, missing, unit, amounts=True)
    return cells, notes


def detect_variant(template: str | None, sections: dict[str, Sequence[Tok]]) -> Variant | None:
    """The printed variant of `template` the report's sections show, if any (from the registry)."""
    reg = registry()
    cued = {v.section for v in reg.variants if v.template == template}  # only the sections a variant is told by
    text = {no: _norm_text(sections.get(no, ())) for no in cued}
    return reg.variant_for(template, text)


def detect_template(toks: dict[str, Sequence[Tok]]) -> tuple[str | None, str | None]:
    """(template, how it was told) from printed column headings and sub-rows (`toks`: each section's
    tokens, by numeral; the registry's cues say which sections they look in)."""
    text: dict[str, str] = {}  # each section's text, made when a cue first looks in it
    for cue in registry().cues:  # the registry's cues, in order: the first found names the template
        if cue.section in toks and cue.section not in text:
            text[cue.section] = _norm_text(toks[cue.section])
        if any(v in text.get(cue.section, "") for v in cue.texts):
            return cue.template, cue.how
    return None, None




# how each table kind of the registry is read from its section's tokens
READERS = {"active": read_active, "applications": read_applications, "reviews": read_reviews}

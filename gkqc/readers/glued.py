"""A crawl's glued run of values split into a row's cells, only when the split is provably unique:
by the number of cells, the digits' count, or the row's printed total (the registry's `sums`)."""


from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from gkqc.cells import AMOUNT_UNIT_WORDS, has_folded_digits
from gkqc.readers.crawl import BLANK_MARK, GluedRun, SplitWork
from gkqc.readers.tokens import RowRead, Tok
from gkqc.templates import Item

Sums = tuple[tuple[int, tuple[int, ...]], ...]  # (the total's position in the row, the positions it sums)


MAX_GLUED = 40  # characters of glued values a row may hold and still be split
_BUDGET = 100_000  # pieces tried per row before a split is given up
_DOC_BUDGET = 1_000_000  # …and per document, all its rows together (far more than any report's rows take)
_MARK = re.compile(rf"{BLANK_MARK}|无")  # a piece printed for a blank cell
# (ASCII digits only: another script's digit, ٠, is no digit of a split, and its run is not split; a sign
# before a lone 0 ('-0') makes no number: '12-028' is no 12 | -0 | 28)
_SIGN = r"(?!0(?!\.))"  # after a sign: not a lone 0
_NUMBER = rf"(?:0|[1-9][0-9]{{0,2}}(?:,[0-9]{{3}})+|[1-9][0-9]*)(?:\.[0-9]+)?(?:{AMOUNT_UNIT_WORDS})?"
_PIECE = re.compile(rf"{_MARK.pattern}|(?:-{_SIGN})?{_NUMBER}")
# a number after a dash printed for its minus sign ('—3'): a piece only in a column that may be negative
_DASHED = re.compile(rf"[—–―]{_SIGN}{_NUMBER}")
_SLASHED = re.compile(r"[0-9]+/+[0-9]+")  # one cell printed with a slash between digits (12/13: a fraction, a date)
_WHOLE = re.compile(r"0|[1-9][0-9]{0,2}(?:,[0-9]{3})+|[1-9][0-9]*")
DIGIT_NOTE = "数字连写，位数与单元格数相同，逐位拆分"
COUNT_NOTE = "数字连写，按单元格数唯一拆分（多位数不以0开头）"
TOTAL_NOTE = "数字连写，按本行合计唯一拆分（总计=各列之和）"


def signed_columns(cols: Sequence[Item]) -> frozenset[int]:
    """The positions of the columns that may be negative (the registry's `signed`)."""
    return frozenset(k for k, c in enumerate(cols) if c.signed)


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


class _Spent(Exception):
    """The document's budget (`_DOC_BUDGET`) is spent."""


Pick = tuple[tuple[int, int, int], ...]  # one (part, start, end) per column


class _Splits:
    """The ways a row's value tokens make n pieces: a glued run cut between any two valid
    pieces (a number, which never starts with 0 unless it is 0, or a blank mark; in a column that
    may be negative, `signed`, a number after a dash too: '—3'), every other token one piece."""

    def __init__(self, vals: list[Tok], n: int, work: SplitWork | None = None, signed: frozenset[int] = frozenset(),
                 slashed: bool = False):
        self.vals, self.n, self.signed = vals, n, signed
        self.work = work or SplitWork()
        self.parts = [v.text for v in vals]
        self.ends = [[[j for j in range(i + 1, len(t) + 1)
                       if _PIECE.fullmatch(t, i, j) or (slashed and _SLASHED.fullmatch(t, i, j))] for i in range(len(t))]
                     if isinstance(v, GluedRun) else [[len(t)]] for v, t in zip(vals, self.parts, strict=True)]
        self.dashed = [[[j for j in range(i + 2, len(t) + 1) if _DASHED.fullmatch(t, i, j)] if signed and t[i] in "—–―"
                        else [] for i in range(len(t))] if isinstance(v, GluedRun) else [[]]
                       for v, t in zip(vals, self.parts, strict=True)]
        self.suffix = [sum(map(len, self.parts[p:])) for p in range(len(self.parts) + 1)]
        self.plain = all(t.isdigit() for t in self.parts)  # digits only: the bounds of _summands hold
        self.digit_sums = [0]  # of the row's characters so far (plain rows)
        for ch in "".join(self.parts) if self.plain else "":
            self.digit_sums.append(self.digit_sums[-1] + int(ch))
        self.memo: dict[tuple[int, int, int], int] = {}
        self.steps = 0
        self.work.steps += sum(len(t) * (len(t) + 1) // 2 for t in self.parts)  # the pieces tried for `ends`

    def _ends(self, p: int, i: int, c: int) -> list[int]:
        """Where column c's piece may end, from part p, offset i."""
        return self.ends[p][i] + self.dashed[p][i] if c in self.signed else self.ends[p][i]

    def _next(self, p: int, j: int) -> tuple[int, int]:
        return (p + 1, 0) if j == len(self.parts[p]) else (p, j)

    def _step(self) -> None:
        self.steps += 1
        self.work.steps += 1
        if self.steps > _BUDGET:
            raise _Exhausted
        if self.work.steps > _DOC_BUDGET:
            raise _Spent

    def count(self, p: int = 0, i: int = 0, c: int = 0) -> int:
        """How many ways the rest (from part p, offset i) fills columns c…n-1."""
        if p == len(self.parts) or c == self.n:
            return int(p == len(self.parts) and c == self.n)
        key = (p, i, c)
        if key not in self.memo:
            ends = self._ends(p, i, c)
            self.work.steps += len(ends)
            self.memo[key] = sum(self.count(*self._next(p, j), c + 1) for j in ends)
        return self.memo[key]

    def only(self) -> Pick:
        """The pick, when count() is 1."""
        out, p, i = [], 0, 0
        for c in range(self.n):
            j = next(j for j in self._ends(p, i, c) if self.count(*self._next(p, j), c + 1))
            out.append((p, i, j))
            p, i = self._next(p, j)
        return tuple(out)

    def _int(self, p: int, i: int, j: int) -> int | None:
        """The piece as a whole number in a total: a blank mark adds nothing (0); None for a piece no
        total can use ('5件', '-3')."""
        piece = self.parts[p][i:j]
        if _MARK.fullmatch(piece):
            return 0
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
        """Where column c's piece lies from (p, i) (`t` None: the column is in no group), or
        where the total of its group, the columns c…`t`, may lie."""
        if t is None:
            yield from ((p, i, j) for j in self._ends(p, i, c))
            return
        for q in range(p, len(self.parts)):
            glued = isinstance(self.vals[q], GluedRun)  # any other token is one piece, read whole
            for x in range(i if q == p else 0, len(self.parts[q])) if glued else (0,):
                for y in self._ends(q, x, t):
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

    def blanks_vanish(self, groups: dict[int, int]) -> bool:
        """Whether the tokens also fill the row with one cell or more printed as nothing (a blank
        that left no trace: a summand, or a column in no group), every group's total holding. Which
        summands of a group are blank changes no sum, so a group is tried with each smaller number
        of summands. Raises _Exhausted past the budget."""
        if all(js == [i + 1] and not self.dashed[p][i] for p, v in enumerate(self.vals) if isinstance(v, GluedRun)
               for i, js in enumerate(self.ends[p])):
            return False  # each character a piece ('0000'): never fewer numbers
        totals = set(groups.values())
        memo: dict[tuple[int, int, int, bool], bool] = {}

        def rest(p: int, i: int, c: int, fewer: bool) -> bool:
            if p == len(self.parts):  # the columns left must all be blank: none may be a group's
                return (fewer or c < self.n) and all(k not in groups and k not in totals for k in range(c, self.n))
            if c == self.n:
                return False
            key = (p, i, c, fewer)
            if key not in memo:
                memo[key] = self._vanish_from(p, i, c, fewer, groups, rest)
            return memo[key]

        return rest(0, 0, 0, False)

    def _vanish_from(self, p: int, i: int, c: int, fewer: bool, groups: dict[int, int], rest) -> bool:
        """blanks_vanish's step at column c (from part p, offset i)."""
        t = groups.get(c)
        if t is None:  # a column in no group: blank, or the next piece
            self._step()
            return rest(p, i, c + 1, True) or any(rest(*self._next(p, j), c + 1, fewer) for j in self._ends(p, i, c))
        start = self.suffix[0] - self.suffix[p] + i
        for q in range(p, len(self.parts)):  # where the group's total lies, then its summands before it
            for x in range(i if q == p else 0, len(self.parts[q])):
                end = self.suffix[0] - self.suffix[q] + x
                for y in self._ends(q, x, t):
                    self._step()
                    if (total := self._int(q, x, y)) is None or (
                            self.plain and (total - self.digit_sums[end] + self.digit_sums[start]) % 9):
                        continue  # (however the summands are cut, they add up to their digits' sum mod 9)
                    for k in range(t - c + 1):  # (none: every summand blank, its total 0)
                        if self._summands(p, i, k, total, q, x, 1) and rest(*self._next(q, y), t + 1, fewer or k < t - c):
                            return True
        return False

    def contradicts(self, pick: Pick, sums: Sums) -> bool:
        """Some total equation fails on the pick's values (all whole numbers)."""
        vals = [self._int(*at) for at in pick]
        return any(None not in (xs := [vals[k] for k in (t, *cols)]) and xs[0] != sum(xs[1:]) for t, cols in sums)

    def unchecked(self, pick: Pick, sums: Sums) -> bool:
        """No total equation can be checked on the pick's values: each has a value that is not a
        whole number ('5件', '3*'), so none could tell a blank cell that vanished."""
        vals = [self._int(*at) for at in pick]
        return all(None in [vals[k] for k in (t, *cols)] for t, cols in sums)

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
            same = len(v.raw) == len(v.text)  # (else a piece's offset is its run's)
            raw = v.raw[i:j] if same else text
            where = f"（连写的原文'{v.raw}'）" if isinstance(v, GluedRun) else ""
            out.append(Tok(text, raw, v.line, note=note + where, inferred=inferred, at=v.at + i if v.at and same else v.at))
        return RowRead(out)


def _slash_cell(vals: list[Tok], n: int, work: SplitWork, signed: frozenset[int]) -> bool:
    """Whether the row's n cells may also be filled with a cell printed with a slash between digits
    (`12/1300025`: 12, a blank's `/`, 13…, or 1, `2/1`, 3…)."""
    if not any(isinstance(v, GluedRun) and _SLASHED.search(v.text) for v in vals):
        return False
    return _Splits(vals, n, work, signed, slashed=True).count() > _Splits(vals, n, work, signed).count()


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
            out[-1] = GluedRun(a.text + b.text, a.raw + b.raw, a.line, at=a.at)
            joined = True
        else:
            out.append(b)
    return out if joined else None


def spaced_number(vals: list[Tok], n: int, sums: Sums) -> str | None:
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


def _vanished(vals: list[Tok], n: int, sums: Sums, work: SplitWork, signed: frozenset[int]) -> str | None:
    """Why a split whose totals hold is not the only one: with some cells blank and printed as
    nothing, the tokens split another way whose totals hold too (or the search ran out); else None."""
    groups = _groups(sums)
    if groups is None:
        return None
    try:
        if not _Splits(vals, n, work, signed).blanks_vanish(groups):
            return None
    except _Exhausted:
        return "核对有无空白单元格未显示时超出计算上限"
    return "若有单元格空白且未显示，也有与本行合计相符的拆分"


def split_glued(vals: list[Tok], n: int, sums: Sums, signed: frozenset[int] = frozenset()) -> RowRead:
    """A row of a crawl with fewer value tokens than cells, some of them glued runs: split only
    when the split is provably unique — (a) one digit per cell: `ok` (unless the row's total
    contradicts it, or would hold on fewer numbers too: blank cells may have vanished); (b) the only split that makes the row's
    printed total(s) hold, no number written with a leading 0, and no split into fewer numbers (blank
    cells that vanished, one or more) that makes them hold too: `inferred`. A row without a total is split
    only when there is one way and its tokens make no fewer numbers (a blank cell that left no
    trace would leave fewer: '16' is 1, 6 or 16 and a blank): (a) `ok`, else `inferred`. A space
    that may be inside a number (`58 234`, `_unspaced`) must decide nothing. Anything else is
    unreadable, and so is every row once the document's rows have spent `_DOC_BUDGET`."""
    shown = " ".join(v.raw for v in vals)
    head = f"数字连在一起、单元格之间无分隔（'{shown}'）"

    def unreadable(why: str) -> RowRead:
        return RowRead([None] * n, f"{head}，{why}，无法确定各单元格的值，不作猜测拆分")

    work = next((v.work for v in vals if isinstance(v, GluedRun) and v.work is not None), None) or SplitWork()
    if work.steps < _DOC_BUDGET:
        try:
            read = _split(vals, n, sums, work, unreadable, signed)
            if read.reason is None and _slash_cell(vals, n, work, signed):
                return unreadable("其中'/'夹在数字之间：可能是空白单元格的标记，也可能在一个单元格之内（如'2/1'：分数、"
                                  "日期），两种读法都能排满本行")
            return read
        except _Spent:
            pass
    return unreadable("本文件中数字连写的行太多，拆分核对已超出全文件的计算上限")


def _split(vals: list[Tok], n: int, sums: Sums, work: SplitWork, unreadable, signed: frozenset[int]) -> RowRead:
    """split_glued's work (raises _Spent past the document's budget)."""
    if any(has_folded_digits(v.raw) for v in vals):  # '12①' reads 121: its mark's digit is no cell's
        return unreadable("其中有上标、下标或带圈的数字（可能是注释标记）")
    chars = sum(len(v.text) for v in vals if isinstance(v, GluedRun))
    if chars > MAX_GLUED:
        return unreadable(f"共{chars}个字符，超过可拆分的上限{MAX_GLUED}个")
    sp = _Splits(vals, n, work, signed)
    ways = sp.count()
    if ways == 0:
        return unreadable(f"无法拆成{n}个数值（可能有空白单元格未显示）")
    if not sums:
        if ways > 1:
            return unreadable(f"可能的拆分有{ways}种")
        # (a blank cell that left no trace shifts the columns after it: any of the k may be a signed one)
        fewer = next((k for k in range(len(vals), n) if _Splits(vals, k, work, frozenset(range(k)) if signed else signed).count()),
                     None)
        if fewer is not None:
            return unreadable(f"也能拆成{fewer}个数值（可能有空白单元格未显示），本行没有合计可核对")
        if (other := _unspaced(vals)) is not None and _Splits(other, n, work, signed).count() > 1:
            return unreadable("数字之间的空格可能在一个数字之内（千位分隔），如此则拆分不止一种")
        pick = sp.only()
        digits = sp.one_digit_each(pick)
        return sp.row(pick, DIGIT_NOTE if digits else COUNT_NOTE, inferred=not digits)
    if ways == 1:
        pick = sp.only()
        if sp.one_digit_each(pick):
            if sp.contradicts(pick, sums):  # a blank cell that left no trace would shift every digit after it
                return unreadable("逐位拆分与本行合计不符（可能有空白单元格未显示）")
            if sp.unchecked(pick, sums):
                return unreadable("逐位拆分，但合计所涉单元格有非整数的写法，无法核对（可能有空白单元格未显示）")
            if (doubt := _vanished(vals, n, sums, work, signed)) is not None:
                return unreadable(f"逐位拆分与本行合计相符，但{doubt}")
            return sp.row(pick, DIGIT_NOTE, inferred=False)
    groups = _groups(sums)
    if groups is None:
        return unreadable(f"可能的拆分有{ways}种，本行合计关系无法用于拆分")
    try:
        found = sp.by_totals(groups)
    except _Exhausted:
        return unreadable(f"可能的拆分有{ways}种，逐一核对超出计算上限")
    if len(found) == 1 and (doubt := _vanished(vals, n, sums, work, signed)) is not None:
        return unreadable(f"其中与本行合计相符的只有一种，但{doubt}")
    if len(found) == 1:
        if (other := _unspaced(vals)) is not None:
            try:
                doubt = len(_Splits(other, n, work, signed).by_totals(groups)) > 1
            except _Exhausted:
                doubt = True
            if doubt:
                return unreadable("其中与本行合计相符的只有一种，但数字之间的空格可能在一个数字之内（千位分隔），"
                                  "如此则与本行合计相符的不止一种")
        return sp.row(found[0], TOTAL_NOTE, inferred=True)
    return unreadable(f"可能的拆分有{ways}种，" + ("其中与本行合计相符的不止一种" if found
                                                  else "无一与本行合计相符（可能有空白单元格未显示）"))

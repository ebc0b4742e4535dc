"""A PDF page's characters -> lines of chunks -> tables of rows.

Characters on one line and close together form a chunk (a word, or the text of one cell); a stack of
single characters is a vertical label. A line holding a value is a table row; label text printed
around it is attached to the nearest row. The drawn horizontal rules tell what text shares a cell:
a line holding only a label and ruled off from the rows beside it is a row of its own with blank
cells (a number wrapped inside its narrow cell is joined by `pdf_wrapped`)."""

from __future__ import annotations

import re
import statistics
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from operator import itemgetter

from gkqc.cells import BLANK_MARKS, DAMAGED, as_raised, is_value_like
from gkqc.readers.pdf_page import NO_RULES, PageRules
from gkqc.readers.sections import find_headings
from gkqc.readers.tokens import _PAGE_NO, IN_NUMBER, SMALLER, Tok, nfkc
from gkqc.templates import registry

_STOP = r"{}|[。；;]$"  # block headings (the registry's words) and body text end a table
_SPACES = " \u3000\xa0\t"
_SPACE = re.compile(r"[ \u3000\xa0\t]+")
_LEFT = itemgetter(1)  # a character's left edge
_EDGE = 1.0  # points from the page's side within which text may have been cut off by it
_NUMBER_CHARS = re.compile(r"[\d,.，．０-９]+")  # digits and separators, as printed


@dataclass(slots=True, eq=False)
class Chunk:
    """Text printed close together on one line (PDF points, y upwards)."""

    raw: str
    x0: float
    y0: float
    x1: float
    y1: float
    page: int
    line: int
    top: float = 0.0  # y of the first line (a vertical stack: of its top character)
    value: bool = False
    overprinted: bool = False  # holds a digit printed over another one
    cut: bool = False  # a number's piece a vertical rule parts from the rest, as close as its own characters
    edge: bool = False  # printed up to the page's left or right edge: what the page cut off is lost
    small: bool = False  # holds a digit much smaller than its number's others, on their line (a footnote's mark)
    size: float = 0.0  # the size of its largest digit set upright (0: none, or not known)

    @property
    def h(self) -> float:
        return self.y1 - self.y0

    @property
    def cx(self) -> float:
        return (self.x0 + self.x1) / 2


@dataclass(slots=True, eq=False)
class Line:
    no: int
    page: int
    cy: float
    h: float
    chunks: list[Chunk]
    data: bool = False  # holds a value: a table row
    blank: bool = False  # a table row of its own, ruled off from its neighbours, with nothing but its label
    stop: bool = False  # a heading or body text: no table goes on across it
    furniture: bool = False  # a page number
    taken: bool = False  # attached to a table row
    against: bool = False  # a table row beside label text that runs into its values with a number at its end
    attached: list[Chunk] = field(default_factory=list)  # a row's label text from other lines

    def first_value_x(self) -> float:
        return min(c.x0 for c in self.chunks if c.value)


def _size(ch: tuple[str, float, float, float, float]) -> float:
    """A character's size: its height, or its width where that is larger (a flat 一, one point high)."""
    h, w = ch[4] - ch[2], ch[3] - ch[1]
    return h if h > w else w


def _on_rule(ch: tuple[str, float, float, float, float], xs: list[float], size: float) -> bool:
    """ch is printed on a vertical rule (`xs`: the rules across its line): over one, or between the two
    sides of a thick one."""
    j = bisect_left(xs, ch[1])
    over = j < len(xs) and xs[j] < ch[3]
    inside = 0 < j < len(xs) and xs[j] - xs[j - 1] < size and ch[3] <= xs[j] + 0.1
    return over or inside


_OVER, _DOUBT = "over", "doubt"


def _drawn_twice(ch: tuple, prev: tuple, h: float) -> str | None:
    """Whether a character the same as the one before, a little to its right, is that one drawn again
    (`_OVER`: bold by overprinting, shifted less than a third of its width), or a digit that may be
    either that or the next figure of a number set condensed (`_DOUBT`: shifted less than 3/4 of
    its width; a number scaled narrower, its figures a width apart, is read)."""
    shift = abs(ch[1] - prev[1])
    if not ch[0].isdigit():
        return _OVER if shift < 0.3 * h else None
    width = min(ch[3] - ch[1], prev[3] - prev[1])
    if shift < 0.3 * width:
        return _OVER
    return _DOUBT if shift < 0.75 * width else None


def page_lines(chars: list[tuple[str, float, float, float, float]], page: int, first_no: int,
                box: tuple[float, float, float, float], ruled: list[float] | None = None,
                upright: list[tuple[float, float, float]] | None = None) -> tuple[list[Line], int]:
    """Characters -> lines (by their vertical middle: each within 0.35 em of the one above it on
    its line, so a character of a vertical label beside it does not set the line's place) ->
    chunks (split at gaps wider than 0.4 em, and at vertical rules, `upright`: text either side of
    a cell's border is in two cells however close). A footnote's mark after a number stays on the
    number's line (`_beside_numbers`) and is told from its digits (`_marks`). Returns the lines and
    the number the next page's lines start from."""
    walls = upright or []
    rows: list[list[tuple[str, float, float, float, float]]] = []
    row_cy = row_h = 0.0  # the middle and height of the character last put in the current row
    beside = _beside_numbers(chars, walls)  # (a footnote's mark: on its number's line, wherever it is moved)
    at = (lambda c: beside.get(id(c), (c[2] + c[4]) / 2)) if beside else (lambda c: (c[2] + c[4]) / 2)
    for ch in sorted(chars, key=lambda c: -at(c)) if beside else sorted(chars, key=lambda c: -(c[2] + c[4])):
        cy, h = at(ch), _size(ch)
        if not (rows and abs(row_cy - cy) <= 0.35 * (row_h if row_h < h else h)):  # (min(h, row_h))
            rows.append([])
        rows[-1].append(ch)
        row_cy, row_h = cy, h
    lines = []
    for k, row in enumerate(rows):
        no = first_no + k
        chunks: list[list[tuple[str, float, float, float, float]]] = []
        over: set[int] = set()  # the chunks with a digit printed over another one
        uneven: set[int] = set()  # the chunks with digits of different sizes or baselines
        big: dict[int, float] = {}  # a chunk's largest digit's size, where known
        cut: set[int] = set()  # the chunks a vertical rule parts from a number's other piece
        mid = at(row[0])
        xs = sorted(x for x, b, t in walls if b <= mid <= t)  # the vertical rules across the line
        prev, ph, sized = None, 0.0, None  # the last character kept, its size, and the chunk's last digit set upright
        for ch in sorted(row, key=_LEFT):
            h = _size(ch)
            if prev is not None:
                if ch[0] == prev[0] and (twice := _drawn_twice(ch, prev, h)):
                    if twice is _OVER:
                        continue  # the same character drawn twice (bold by overprinting)
                    chunks[-1].append((DAMAGED, *ch[1:]))  # overprinted or condensed: unreadable
                    over.add(len(chunks) - 1)
                j = bisect_left(xs, prev[3] - 0.5) if xs else 0
                gap, size = ch[1] - prev[3], (ph if ph < h else h)
                if gap <= 0.4 * size and not (j < len(xs) and xs[j] <= ch[1] + 0.5):
                    if ch[0].isdigit() and prev[0].isdigit() and prev[3] - ch[1] > 0.6 * min(ch[3] - ch[1], prev[3] - prev[1]):
                        chunks[-1].append((DAMAGED, *ch[1:]))  # a digit printed over another one: unreadable
                        over.add(len(chunks) - 1)
                    chunks[-1].append(ch)
                    if len(ch) > 5:
                        if sized is None:
                            big[len(chunks) - 1] = ch[5]
                        elif ch[5] != sized[5] or ch[6] != sized[6]:
                            uneven.add(len(chunks) - 1)
                            big[len(chunks) - 1] = max(big[len(chunks) - 1], ch[5])
                        sized = ch
                    prev, ph = ch, h
                    continue
                if (gap <= 0.25 * size and _NUMBER_CHARS.fullmatch(prev[0] + ch[0])
                        and (_on_rule(prev, xs, size) or _on_rule(ch, xs, size))):  # a number running across
                    cut |= {len(chunks) - 1, len(chunks)}  # a cell's border, a character printed on it
            chunks.append([ch])
            prev, ph, sized = ch, h, ch if len(ch) > 5 else None
            if sized is not None:
                big[len(chunks) - 1] = ch[5]
        made = []
        for i, cs in enumerate(chunks):
            small = False
            if i in uneven:
                cs, small = _marks(cs)
            text, x0s, y0s, x1s, y1s, *_ = zip(*cs, strict=False)  # (a digit's size and baseline after its box: not kept)
            raw = "".join(text)
            if _SPACE.search(raw):
                raw = _SPACE.sub(" ", raw).strip(_SPACES)
            if raw:
                c = Chunk(raw, min(x0s), min(y0s), max(x1s), max(y1s), page, no, overprinted=i in over, cut=i in cut,
                          edge=min(x0s) <= box[0] + _EDGE or max(x1s) >= box[2] - _EDGE, small=small,
                          size=big.get(i, 0.0))
                c.top, c.value = (c.y0 + c.y1) / 2, is_value_like(nfkc(raw))
                made.append(c)
        if made:
            lines.append(Line(no, page, made[0].top, max(c.h for c in made), made))
    _stack_vertical(lines)
    lines = [ln for ln in lines if ln.chunks]
    for k, ln in enumerate(lines):
        ln.furniture = _page_number(ln, k == 0, k == len(lines) - 1, page, box, ruled) and not _in_cell(ln, walls)
    return lines, first_no + len(rows)


def _beside_numbers(chars: list[tuple], walls: list[tuple[float, float, float]]) -> dict[int, float]:
    """The digits set upright that are a footnote's mark after a number, by `id`, with the middle of
    the number's last digit: a digit touching a larger one on its left (their gap at most a chunk's),
    or one of its size with its baseline elsewhere, from 0.6 of that digit's size below its baseline
    to 0.75 above, no vertical rule between them; and the next digits of a mark of more than one
    (`28¹²`). A mark raised or lowered however far stays on its number's line so, for `_marks` to
    tell (on a line of its own it would be taken for a piece of a wrapped number: `128`)."""
    digits = sorted((c for c in chars if len(c) > 5), key=_LEFT)
    if len(digits) < 2:
        return {}
    by_right = sorted(digits, key=itemgetter(3))
    rights = [c[3] for c in by_right]
    out: dict[int, float] = {}
    for d in digits:
        x, size, base = d[1], d[5], d[6]
        k = bisect_left(rights, x - 0.4 * size)
        while k < len(rights) and rights[k] <= x + 0.4 * size:
            e = by_right[k]
            k += 1
            if e[5] == size and e[6] == base:  # (the digit before it in its number, or in its mark)
                if id(e) in out:
                    out[id(d)] = out[id(e)]
                    break
                continue
            rise = (base - e[6]) / e[5]
            if (size < 0.95 * e[5] or (abs(rise) > _MOVED and size <= 1.05 * e[5])) and -0.6 < rise < 0.75 \
                    and not any(e[3] - 0.5 <= w <= x + 0.5 and b <= d[2] <= t for w, b, t in walls):
                out[id(d)] = (e[2] + e[4]) / 2
                break
    return out


_MOVED = 0.15  # of a number's size: a digit's baseline further above or below its other digits' is a mark's


def _marks(cs: list[tuple]) -> tuple[list[tuple], bool]:
    """A chunk's characters with a footnote's mark set beside a number told from the number's digits,
    by the sizes and baselines of the digits set upright (`page_chars`; each run of a number's
    characters on its own, against its largest digits: their baseline, the first's of two). A digit
    raised or lowered by more than _MOVED of their size is written as the superscript or subscript
    it prints (`28¹`: cells.py reads no number with one, as HTML's <sup>1</sup>); one on their line
    smaller than SMALLER of their size makes the chunk `small` (True). Baselines a fraction of a
    point apart, and fonts of other heights at one size, are no marks."""
    out, small, k = list(cs), False, 0
    while k < len(out):
        j = k
        while j < len(out) and out[j][0] in IN_NUMBER:
            j += 1
        digits = [out[m] for m in range(k, j) if len(out[m]) > 5]
        if len(digits) >= 2:
            size = max(d[5] for d in digits)
            bases = [d[6] for d in digits if d[5] >= 0.95 * size]
            base = bases[0] if len(bases) < 3 else statistics.median(bases)
            for m in range(k, j):
                if len(ch := out[m]) <= 5:
                    continue
                rise = (ch[6] - base) / size
                if abs(rise) > _MOVED:
                    out[m] = (as_raised(str(int(ch[0])), "superscript" if rise > 0 else "subscript"), *ch[1:])
                elif ch[5] < SMALLER * size:
                    small = True
        k = max(j, k + 1)
    return out, small


def _in_cell(ln: Line, walls: list[tuple[float, float, float]]) -> bool:
    """ln's text stands between two vertical rules that span its height: in a table's cell (a number
    there is a value, wherever on the page the cell is)."""
    x0, x1 = ln.chunks[0].x0, ln.chunks[-1].x1
    spans = [x for x, b, t in walls if b <= ln.cy <= t]
    return any(x <= x0 for x in spans) and any(x >= x1 for x in spans)


def _page_number(ln: Line, first: bool, last: bool, page: int, box: tuple[float, float, float, float],
                 ruled: list[float] | None) -> bool:
    """A page number: `- 3 -`, `第3页`, or a bare number in the top or bottom 8% of the page (`box`:
    left, bottom, right, top). Further in, a bare number is one only as the page's last line (or
    first) within its bottom (or top) 15%, outside its ruled tables, centred across the page, and
    the page's own number or up to two less (pages before the numbering starts)."""
    text = nfkc(ln.chunks[0].raw) if len(ln.chunks) == 1 else ""
    if _PAGE_NO.match(text):
        return True
    if not (text.isdecimal() and len(text) <= 4):
        return False
    left, bottom, right, top = box
    at = (ln.cy - bottom) / (top - bottom)  # 0 at the page's foot, 1 at its top
    if not 0.08 < at < 0.92:
        return True
    number = int(text)
    edge = (last and at < 0.15) or (first and at > 0.85)
    inside = bool(ruled) and ruled[0] < ln.cy < ruled[-1]
    return (edge and not inside and abs(ln.chunks[0].cx - (left + right) / 2) < 0.05 * (right - left)
            and number >= 1 and 0 <= page - number <= 2)


_GRID = 6.0  # pt: the squares the stacks' last characters are filed under


def _square_of(x: float, y: float) -> tuple[int, int]:
    return int(x // _GRID), int(y // _GRID)


def _square(c: Chunk) -> tuple[int, int]:
    return _square_of(c.cx, c.top)


def _right_above(last: Chunk, c: Chunk) -> bool:
    return abs(last.cx - c.cx) < 0.3 * c.h and 0 < last.top - c.top <= 1.6 * c.h


def _stack_vertical(lines: list[Line]) -> None:
    """Single characters stacked one under another (a vertical label) become one chunk, on
    its own line at the top character's place. A character goes to the first stack whose last
    character is right above it; the stacks are filed by where their last character is, so each
    character looks only at the stacks near it (a page of scattered letters: no longer each at all)."""
    stacks: list[list[tuple[Line, Chunk]]] = []
    filed: dict[tuple[int, int], set[int]] = {}
    for ln in lines:
        for c in ln.chunks:
            if len(c.raw) != 1 or c.value:
                continue
            (x0, y0), (x1, y1) = _square_of(c.cx - 0.3 * c.h, c.top), _square_of(c.cx + 0.3 * c.h, c.top + 1.6 * c.h)
            if (x1 - x0 + 1) * (y1 - y0 + 1) < len(stacks):
                near = sorted(k for x in range(x0, x1 + 1) for y in range(y0, y1 + 1) for k in filed.get((x, y), ()))
            else:
                near = range(len(stacks))
            k = next((k for k in near if _right_above(stacks[k][-1][1], c)), None)
            if k is None:
                k = len(stacks)
                stacks.append([(ln, c)])
            else:
                filed[_square(stacks[k][-1][1])].discard(k)
                stacks[k].append((ln, c))
            filed.setdefault(_square(c), set()).add(k)
    for s in stacks:
        if len(s) < 3:
            continue
        for ln, c in s:
            ln.chunks.remove(c)
        cs = [c for _, c in s]
        v = Chunk("".join(c.raw for c in cs), min(c.x0 for c in cs), min(c.y0 for c in cs),
                  max(c.x1 for c in cs), max(c.y1 for c in cs), cs[0].page, cs[0].line, cs[0].top)
        lines.append(Line(v.line, v.page, v.top, cs[0].h, [v]))
    lines.sort(key=lambda ln: ln.no)


def classify(lines: list[Line]) -> None:
    stop = re.compile(_STOP.format(registry().block_lead))
    for ln in lines:
        ln.chunks.sort(key=lambda c: c.x0)
        text = "".join(c.raw for c in ln.chunks)
        ln.data = not ln.furniture and any(c.value for c in ln.chunks)
        ln.stop = not ln.data and (bool(stop.search(nfkc(text))) or bool(find_headings([Tok(nfkc(text), text, 0)])))


_WORD_MARKS = frozenset(m for m in BLANK_MARKS if len(m) == 1 and "\u4e00" <= m <= "\u9fff")  # 无, 空


def _word_marks_in_labels(ln: Line, last: Line) -> bool:
    """ln's only values are words that mark a blank (无) printed under or over the label of the table's
    last row on its page, left of its values: a character of a wrapped label (`申请人无正当理由…` a
    character a line), no value; they are made label text."""
    values = [c for c in ln.chunks if c.value]
    labels = [o for o in last.chunks if not o.value]
    if last.page != ln.page or not all(c.raw in _WORD_MARKS and c.x1 <= last.first_value_x()
                                       and any(o.x0 < c.x1 and c.x0 < o.x1 for o in labels) for c in values):
        return False
    for c in values:
        c.value = False
    return True


def _label_side(ln: Line, boundary: float) -> bool:
    """Every chunk of a free line ends left of the table's first value column, or is a piece of a
    number, no value of its own (`49,97`: the middle of a number wrapped over three lines), which
    does not end the table."""
    return not ln.stop and all(c.x1 <= boundary + 0.3 * c.h or (not c.value and number_part(c)) for c in ln.chunks)


def _near(free: Line, row: Line) -> bool:
    """A free line close enough above or below a row to be the rest of its label."""
    return free.page == row.page and abs(free.cy - row.cy) <= 1.6 * free.h and _label_side(free, row.first_value_x())


def _attach(free: Line, row: Line) -> None:
    row.attached += free.chunks
    free.taken = True


Rules = dict[int, PageRules]  # page -> the rules drawn on it


def fenced(p: Line, other: Line | None, rules: Rules, below: bool = False) -> bool:
    """A rule crosses p's text between p and `other` (on another page, or None: between p and
    the side of p's page towards it; `below` says which side None is)."""
    x0, x1 = min(c.x0 for c in p.chunks), max(c.x1 for c in p.chunks)
    if other is not None and other.page == p.page:
        lo, hi = sorted((p.cy, other.cy))
    elif (other.page > p.page) if other is not None else below:
        lo, hi = float("-inf"), p.cy
    else:
        lo, hi = p.cy, float("inf")
    near, half = 0.3 * p.h, 0.5 * (x1 - x0)
    ys, found, _ = rules.get(p.page, NO_RULES)
    return any(abs(y - p.cy) > near and min(b, x1) - max(a, x0) >= half
               for y, a, b in found[bisect_right(ys, lo):bisect_left(ys, hi)])


def same_cell(p: Line, q: Line, rules: Rules) -> bool:
    """Two lines printed one over the other with no rule between them."""
    overlap = min(p.chunks[-1].x1, q.chunks[-1].x1) - max(p.chunks[0].x0, q.chunks[0].x0)
    return p.page == q.page and overlap > 0 and not fenced(p, q, rules) and not fenced(q, p, rules)


DIGIT = re.compile(r"\d")
_NUMBER_PART = re.compile(r"[-+]?(?=[,.]*\d)[\d,.]*")  # a value, or a piece of one cut at a separator ('36,10' / '8')


def number_part(c: Chunk) -> bool:
    """A value, or a piece of one: cut at a separator, or with a digit printed over another (`1,234,5��`:
    a number run on past its cell, printed over itself)."""
    return c.value or _NUMBER_PART.fullmatch(nfkc(c.raw).replace(DAMAGED, "0")) is not None


def _blank_rows(run: list[Line], above: Line | None, below: Line | None, rules: Rules) -> list[Line]:
    """Lines of `run` (lines between the rows `above` and `below`; None: the page's side) that are
    rows of their own with nothing printed but the label: the text of a cell (lines not ruled off
    from each other) ruled off from both rows; a wrapped label or a label spanning rows shares its
    cell with a row. Each such row's first line is returned, the others attached to it."""
    groups: list[list[Line]] = []
    for p in run:
        if groups and same_cell(p, groups[-1][-1], rules):
            groups[-1].append(p)
        else:
            groups.append([p])
    out = []
    for g in groups:
        if fenced(g[0], above, rules) and fenced(g[-1], below, rules, below=True):
            g[0].blank = True
            for p in g[1:]:
                _attach(p, g[0])
            out.append(g[0])
    return out


def find_tables(lines: list[Line], rules: Rules | None = None) -> list[tuple[list[Line], list[Line]]]:
    """(heading lines, rows) of each table. A table goes on, across page breaks too, while
    only label text (left of its values) lies between two rows; that text is attached to the
    nearer row, and so is label text just above its first or below its last row, unless the
    page's rules (`rules`) fence it off from both rows: then it is a row with blank cells."""
    tables: list[tuple[list[Line], list[Line]]] = []
    pending: list[Line] = []
    last: Line | None = None  # the last row with values
    for ln in lines:
        if ln.furniture:
            continue
        if ln.data and last is not None and _word_marks_in_labels(ln, last):
            ln.data = False
        if not ln.data:
            pending.append(ln)
            continue
        rows = tables[-1][1] if tables else []
        if rows and all(_label_side(p, min(last.first_value_x(), ln.first_value_x())) for p in pending):
            blank = _blank_rows(pending, last, ln, rules) if rules else []
            head = _numbered_label(ln)
            if not blank and head is not None and rules is not None:  # a text layer (OCR text is not trusted so)
                blank = _numbered_rows(pending, head)
            for p in pending:  # to the row whose cell it is in, else the nearer; halfway: the upper one
                if p.taken or p.blank:
                    continue
                same = [r for r in (last, ln) if r.page == p.page] or [last]
                same = [r for r in same if not (rules and fenced(p, r, rules))] or same
                if head is not None and ln in same and p.page == ln.page and p.cy > ln.cy and _over(p, head):
                    same = [last]  # ln's label begins on its line: text above it in its column (this page) is not ln's
                _attach(p, min(same, key=lambda r: abs(r.cy - p.cy) - (0.25 * p.h if r.cy > p.cy else 0)))
            rows += [*blank, ln]
        else:
            if rows:
                _mark_numbers_against_labels(pending, last, ln, rules)
                pending = _close(rows, last, pending, rules)
            for p in reversed(pending):  # the first row's label, wrapped above it (in its cell)
                if p.taken or not _near(p, ln) or (rules and fenced(p, ln, rules)):
                    break
                _attach(p, ln)
            lead = _leading(pending, ln, rules) if rules else []
            free = [p for p in pending if not p.taken and not p.blank]
            stops = [i for i, p in enumerate(free) if p.stop]
            tables.append((free[stops[-1] + 1:] if stops else free, [*lead, ln]))
        pending, last = [], ln
    if tables:
        _close(tables[-1][1], last, pending, rules)
    return tables


def _mark_numbers_against_labels(pending: list[Line], last: Line, ln: Line, rules: Rules | None) -> None:
    """Label text between two rows of a table without vertical rules that runs on into the table's
    values and ends in digits: a number printed against the label (`…不75189409`), one of the
    nearer row's values. That row is marked `against`: which of its cells the number is cannot be
    told. (With vertical rules, the number crosses one: `row_tokens` refuses the row.)"""
    if cell_edges(ln, rules) or cell_edges(last, rules):
        return
    edge = min(last.first_value_x(), ln.first_value_x())
    for p in pending:
        if p.stop or not p.chunks or not number_against_label(p.chunks[-1], edge):
            continue
        near = [r for r in (last, ln) if r.page == p.page and abs(r.cy - p.cy) <= 1.6 * p.h]
        if near:
            min(near, key=lambda r: abs(r.cy - p.cy)).against = True


def number_against_label(c: Chunk, edge: float) -> bool:
    """c is label text running on past `edge`, where a table's values begin, that ends in a digit:
    a number printed against the label."""
    return not c.value and c.cx <= edge < c.x1 - 0.3 * c.h and DIGIT.search(nfkc(c.raw)[-1:]) is not None


_NUMBERED = re.compile(r"(?:\d{1,2}[.．、]|[(（][一二三四五六七八九十]{1,3}[)）]|[一二三四五六七八九十]{1,3}、)")


def _numbered_label(row: Line) -> Chunk | None:
    """The row's label chunk on its own line when it begins with a row number (`1.`, `（三）`, `二、`):
    the label starts there, so no line above it is its label (cells aligned to the top)."""
    own = [c for c in row.chunks if not c.value and c.x1 <= row.first_value_x()]
    return own[-1] if own and _NUMBERED.match(nfkc(own[-1].raw)) else None  # the last: a parent's label is left of it


def _numbered_rows(pending: list[Line], head: Chunk) -> list[Line]:
    """Without rules to tell: between two rows, the row under beginning its label with its number on its
    own line, a label line in that column that begins with a row number too is a row of its own with
    nothing printed but its label (a label's continuation never begins so); the lines under it, up to
    the next such line, are the rest of its label."""
    out: list[Line] = []
    for p in pending:
        if p.taken or not _over(p, head):
            continue
        own = [c for c in p.chunks if _over_chunk(c, head)]
        if own and _NUMBERED.match(nfkc(own[0].raw)):
            p.blank = True
            out.append(p)
        elif out:
            _attach(p, out[-1])
    return out


def _over_chunk(c: Chunk, chunk: Chunk) -> bool:
    return min(c.x1, chunk.x1) > max(c.x0, chunk.x0)


def _over(p: Line, chunk: Chunk) -> bool:
    """p's text is printed over or under the chunk (their x-ranges overlap)."""
    return min(max(c.x1 for c in p.chunks), chunk.x1) > max(min(c.x0 for c in p.chunks), chunk.x0)


def _close(rows: list[Line], last: Line, pending: list[Line], rules: Rules | None) -> list[Line]:
    """The end of a table: its last label, wrapped under its last row, and rows after it with
    nothing printed but their label (the run of label-side lines ruled off from it). Returns
    the lines that do not belong to it."""
    k = 0
    while k < len(pending) and _near(pending[k], last) and not (rules and fenced(pending[k], last, rules)):
        _attach(pending[k], last)
        k += 1
    if not rules:
        return pending[k:]
    run = []
    for p in pending[k:]:
        if not _label_side(p, last.first_value_x()):
            break
        run.append(p)
    blank = _blank_rows(run, last, None, rules)
    rows += blank
    return [p for p in pending[k:] if not p.taken and not p.blank]


def _leading(pending: list[Line], first: Line, rules: Rules) -> list[Line]:
    """Rows before a table's first row with values, with nothing printed but their label: the
    label-side lines just above it, ruled off from it and from each other."""
    run: list[Line] = []
    for p in reversed(pending):
        if p.taken or not _label_side(p, first.first_value_x()):
            break
        run.insert(0, p)
    blank = _blank_rows(run, None, first, rules) if run else []
    return [p for p in blank if fenced(p, first, rules)]


def cell_edges(row: Line, rules: Rules | None) -> list[float]:
    """x of the vertical rules that cross a table row's line (its cells' sides), left to right."""
    xs = sorted(x for x, y0, y1 in (rules or {}).get(row.page, NO_RULES).upright if y0 - 0.5 <= row.cy <= y1 + 0.5)
    edges: list[float] = []
    for x in xs:
        if not edges or x - edges[-1] > 1.0:  # two cells' shared side, drawn twice
            edges.append(x)
    return edges

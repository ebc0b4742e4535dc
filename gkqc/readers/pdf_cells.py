"""A PDF table's rows -> tokens: the table's columns, found from the x-positions of its values and
of its lowest column headings (or its vertical rules), each row's values put in them, so a blank
cell is an empty token, as an empty <td> is; rows whose values cannot be placed are refused."""

from __future__ import annotations

import math
import re
import statistics
from bisect import bisect_left
from collections.abc import Callable
from itertools import takewhile
from operator import attrgetter

from gkqc.cells import DAMAGED
from gkqc.readers.errors import Unreadable
from gkqc.readers.pdf_lines import (
    DIGIT,
    Chunk,
    Line,
    Rules,
    cell_edges,
    classify,
    fenced,
    find_tables,
    number_against_label,
    number_part,
    same_cell,
)
from gkqc.readers.pdf_wrapped import join_wrapped_values
from gkqc.readers.tokens import SMALL_MARK, Tok, nfkc

_MIDDLE = attrgetter("cx")
_SIDES = (attrgetter("x0"), attrgetter("x1"))  # values printed at their cells' left or right side


def _lined_up(cells: list[Chunk], key: Callable[[Chunk], float], h: float) -> list[list[Chunk]]:
    """The values in columns: sorted by `key` (where each stands), a new column after a gap over h."""
    groups: list[list[Chunk]] = []
    for c in sorted(cells, key=key):
        if groups and key(c) - key(groups[-1][-1]) <= h:
            groups[-1].append(c)
        else:
            groups.append([c])
    return groups


def _value_cells(rows: list[Line], boundary: float) -> list[Chunk]:
    return [c for r in rows if r.data for c in r.chunks if c.cx > boundary]


def _label_edge(rows: list[Line]) -> tuple[float, list[float]]:
    """The right edge of a table's label side (its labels' right edge, at most its first value's
    left), and the right edge of each label."""
    first = min(r.first_value_x() for r in rows if r.data)
    labels = [c.x1 for r in rows for c in r.chunks + r.attached  # (rows without values: all label)
              if not c.value and len(c.raw) > 3 and c.x1 <= (r.first_value_x() if r.data else first)]
    return min(max(labels, default=first), first), labels


def _alignment(rows: list[Line]) -> Callable[[Chunk], float]:
    """Where a table's values stand in their columns, as the key that places them: their middles,
    unless their left (or right) edges line up, each column within a third of a character, in fewer
    columns than the middles make (numbers of different widths at a side of their cells: their
    middles scatter into columns that are not there), or in as many where the middles' columns are
    wider than a character (their middles chained into columns astray). Only values read whole
    count: text in a value's cell (`增36`) is printed as wide as it is, not as numbers are, and a
    glyph without text (�) may be drawn wider or narrower than its box."""
    cells = [c for c in _value_cells(rows, _label_edge(rows)[0]) if c.value and DAMAGED not in c.raw]
    if not cells:  # (no value read whole: nothing to line up)
        return _MIDDLE
    h = statistics.median(c.h for c in cells)

    def columns(key) -> float:
        groups = _lined_up(cells, key, h)
        return len(groups) if all(key(g[-1]) - key(g[0]) <= h / 3 for g in groups) else math.inf

    side = min(_SIDES, key=columns)
    middles = _lined_up(cells, _MIDDLE, h)
    loose = any(_MIDDLE(g[-1]) - _MIDDLE(g[0]) > h for g in middles)  # chained into columns wider than a character
    n = columns(side)
    return side if n < len(middles) or (n == len(middles) and loose) else _MIDDLE


MAX_HEADINGS = 1_000  # pieces of text over a table's columns (a real heading has tens)


def find_columns(header: list[Line], rows: list[Line], ruled: bool = False,
             key: Callable[[Chunk], float] = _MIDDLE) -> tuple[float, list[float]]:
    """(right edge of the label side, x of each value column): the values' own places (their middles,
    or the side `key` gives), plus the lowest heading over a column where no value is printed at all.
    A heading left of every value (leading blank columns) counts only at the values' column pitch: the
    labels' own heading (信息内容) is not a column. In a table without rules (`ruled` False) whose
    values stand at a side of their cells, not under their headings' middles, no heading is a column:
    nothing tells which column a heading is over (a row with a blank column comes out short)."""
    boundary, labels = _label_edge(rows)
    cells = _value_cells(rows, boundary)
    h = statistics.median(c.h for c in cells)
    groups = _lined_up(cells, key, h)
    cols = [sum(key(c) for c in g) / len(g) for g in groups]
    spans = [(min(c.x0 for c in g) - 0.3 * h, max(c.x1 for c in g) + 0.3 * h) for g in groups]
    heads = [c for ln in header for c in ln.chunks if c.x0 >= (max(labels) if labels else 0.0)]
    if len(heads) > MAX_HEADINGS:  # (each heading is compared with each)
        raise Unreadable(f"表格的表头有 {len(heads):,} 段文字，超过上限（{MAX_HEADINGS:,}），不是年度报告的表格，未读取")
    lowest = sorted((c for c in heads if not any(o is not c and _under(o, c) and o.x0 < c.x1 and c.x0 < o.x1
                                                 for o in heads)), key=lambda c: c.cx)
    known = sorted(cols + [c.cx for c in lowest if c.cx > cols[0]])
    pitch = min((b - a for a, b in zip(known, known[1:], strict=False) if b - a > h), default=0.0)
    if len(groups) >= len(lowest) or (not ruled and (key is not _MIDDLE or _off_centre(cols, lowest, h))):
        lowest = []  # as many columns of values as headings (all found), or headings not over their values
    for c in lowest:
        k = (cols[0] - c.cx) / pitch if pitch else 0.0
        regular = c.cx > cols[0] or (k > 0.5 and abs(k - round(k)) <= 0.2)
        if regular and not any(a < c.x1 and c.x0 < b for a, b in spans):
            cols.append(c.cx)
            spans.append((c.x0, c.x1))
    return boundary, sorted(cols)


def _off_centre(cols: list[float], heads: list[Chunk], h: float) -> bool:
    """Most columns of values stand further than a character's height from every heading's middle."""
    far = sum(min(abs(c.cx - x) for c in heads) > h for x in cols) if heads else 0
    return far * 2 > len(cols)


def _under(o: Chunk, c: Chunk) -> bool:
    """o is printed under c: lower on the same page, or on a later page (headings cut by a page break)."""
    return o.page > c.page or (o.page == c.page and o.y1 <= c.y0 + 0.1)


def _nearest(cols: list[float], x: float) -> int:
    """The column (sorted middles) nearest to x; on a tie the leftmost, as min() over them gives."""
    j = bisect_left(cols, x)
    if j == len(cols) or (j > 0 and x - cols[j - 1] <= cols[j] - x):
        j -= 1
    return bisect_left(cols, cols[j])  # the first of equal middles


def _cell_tok(chunks: list[Chunk]) -> Tok:
    chunks = sorted(chunks, key=lambda c: -c.top)
    raw = "".join(c.raw for c in chunks)
    return Tok(nfkc(raw), raw, chunks[0].line, True)


def _ruled_cells(values: list[Chunk], cols: list[float], edges: list[float]) -> tuple[int, list[int]] | None:
    """The row's value cells as its rules draw them, each stretch between two sides with a column of
    the table in it (a column's values and headings stand anywhere in their cell: centred, or at its
    left or right): (how many, the cell of each value). None when the rules do not hold the row's
    values, each inside a cell of its own (pieces of one number wrapped over lines share theirs)."""
    cells = [(a, b) for a, b in zip(edges, edges[1:], strict=False) if any(a < x < b for x in cols)]
    where: list[int] = []
    for c in values:
        k = next((k for k, (a, b) in enumerate(cells) if a - 0.5 <= c.x0 and c.x1 <= b + 0.5), None)
        if k is None or any(where[j] == k and values[j].line == c.line for j in range(len(where))):
            return None
        where.append(k)
    return (len(cells), where) if cells else None


def row_tokens(row: Line, boundary: float, cols: list[float], rules: Rules | None = None,
                key: Callable[[Chunk], float] = _MIDDLE,
                doubt: str | None = None) -> list[Tok]:
    """A table row as cells: label cells (text grouped by column, top to bottom), then one
    cell per value column, empty where nothing is printed. In a ruled table a value is in the
    cell its rules draw around it; else in the column nearest to it (`key`: the place of a value
    its columns are found by, `_alignment`). `doubt`: why no value cell can be read (each is
    unreadable, with that reason); digits printed across one of the row's vertical rules, on its
    line or a line of its label, are one, and so are digits right of the labels on a line of its
    label (a piece of a wrapped number) and label text running into the values with a number at
    its end."""
    edges = cell_edges(row, rules) if rules else []
    lead = {id(c): k for c in row.chunks if c.cx <= boundary and (k := _lead_column(c, cols, boundary, edges)) is not None}
    labels: list[Chunk] = []
    for c in sorted([c for c in row.chunks + row.attached if c.cx <= boundary and id(c) not in lead],
                    key=lambda c: (c.line, c.x0)):
        prev = labels[-1] if labels else None
        if prev and prev.line == c.line and c.x0 - prev.x1 <= c.h:  # a gap inside a label: `反复 申请`
            labels[-1] = Chunk(f"{prev.raw} {c.raw}", prev.x0, min(prev.y0, c.y0), c.x1, max(prev.y1, c.y1),
                               c.page, c.line, prev.top)
        else:
            labels.append(c)
    labels.sort(key=lambda c: c.x0)
    groups: list[list[Chunk]] = []
    for c in labels:
        if groups and c.x0 < max(o.x1 for o in groups[-1]):
            groups[-1].append(c)
        else:
            groups.append([c])
    out = [_cell_tok(g) for g in groups]
    values = [c for c in row.chunks if c.cx > boundary or id(c) in lead]
    ruled = _ruled_cells(values, cols, edges) if edges else None
    n, where = ruled if ruled else (len(cols), [lead.get(id(c), _nearest(cols, key(c))) for c in values])
    digits = [c for c in row.chunks + row.attached if DIGIT.search(c.raw)]
    if doubt is None and any(c.cx > boundary for c in row.attached if DIGIT.search(c.raw)):
        doubt = STACKED  # a piece of a number on a line of the row's label, joined to no value
    if doubt is None and any(c.cut or any(c.x0 < x - 0.5 and x + 0.5 < c.x1 for x in edges) for c in digits):
        doubt = CROSSING
    if doubt is None and any(number_against_label(c, boundary) for c in digits):
        doubt = AGAINST
    if doubt is None and not ruled and _overflows(values, where, cols):
        doubt = OVERFLOW
    if doubt is None and edges and not ruled and _off_columns(values, cols, edges):
        doubt = OFF_COLUMNS
    by_col: dict[int, list[Chunk]] = {}
    for c, k in zip(values, where, strict=True):
        by_col.setdefault(k, []).append(c)
    for k in range(n):
        raw = " ".join(c.raw for c in by_col.get(k, ()))
        note = doubt if doubt is not None else SMALL_MARK if any(c.small for c in by_col.get(k, ())) else None
        out.append(Tok(nfkc(raw), raw, row.no, True, note=note, refused=note is not None, placed=True))
    return out


def _lead_column(c: Chunk, cols: list[float], boundary: float, edges: list[float]) -> int | None:
    """The value column left of the labels' edge (found by its heading: a table without labels, as
    section 四's row) that text on the label side is printed in (`不详` in the first cell, where the
    table's labels' edge is its first number's), or None: in a ruled row, the one column in the cell its
    rules draw around the text; else the one column whose place the text covers."""
    if edges:
        cell = next(((a, b) for a, b in zip(edges, edges[1:], strict=False) if a - 0.5 <= c.x0 and c.x1 <= b + 0.5), None)
        inside = [k for k, x in enumerate(cols) if x <= boundary and cell and cell[0] < x < cell[1]]
    else:
        inside = [k for k, x in enumerate(cols) if x <= boundary and c.x0 <= x <= c.x1]
    return inside[0] if len(inside) == 1 else None


STACKED = "本行上下紧贴着一行只有数值的文字（本行的数值分在两行，或一个数字折行），无法确定各单元格的值"
OVERPRINTED = "本行有数字叠印在另一数字上（数字超出单元格），无法确定各单元格的值"
AT_EDGE = "本行有数字印到页面边缘（表格超出页面，数字可能被截去一部分），无法确定各单元格的值"
CROSSING = "本行有数字跨过单元格的竖线（数字超出单元格，或与标签连在一起），无法确定各单元格的值"
AGAINST = "本行旁的标签文字伸入数值各列、末尾连着一个数字（数字与标签连在一起），无法确定各单元格的值"
OVERFLOW = "本行有数字伸到相邻空白列的位置（数字超出单元格，或与相邻单元格的数字连在一起），无法确定各单元格的值"
OFF_COLUMNS = "本行有数值所在的单元格（按表格竖线）不在表格任何一列之下（数字超出单元格使各列位置偏移），无法确定各单元格的值"


def _off_columns(values: list[Chunk], cols: list[float], edges: list[float]) -> bool:
    """In a ruled table, a value inside a cell its rules draw that holds none of the table's columns:
    the columns (found from where the values stand, which numbers too wide for their cells put
    astray) disagree with the rules, and the column nearest to a value may be its neighbour's."""
    for c in values:
        inside = [(a, b) for a, b in zip(edges, edges[1:], strict=False) if a - 0.5 <= c.x0 and c.x1 <= b + 0.5]
        if inside and not any(a < x < b for a, b in inside for x in cols):
            return True
    return False


def _overflows(values: list[Chunk], where: list[int], cols: list[float]) -> bool:
    """In a table without rules, a value reaching over the place of a neighbouring column that holds
    nothing in its row: the two cells' numbers may be printed together as one (`1` beside `3167944`,
    read `13167944`)."""
    taken = set(where)
    return any((k > 0 and k - 1 not in taken and c.x0 < cols[k - 1])
               or (k + 1 < len(cols) and k + 1 not in taken and c.x1 > cols[k + 1])
               for c, k in zip(values, where, strict=True))


def stacked_rows(rows: list[Line], rules: Rules | None) -> set[int]:
    """The line numbers (`Line.no`) of a table's rows whose values cannot be told from a line beside
    them, and of that line: nothing tells whether it holds some of the row's values (cells of
    different heights) or the rest of a number wrapped in its cell, nor which column each stands in.
    - A row right over or under a line of values only (its label, if any, on other lines; in a
      ruled table, one its rules did not join to the row). Two lines of values only, as section 四's
      row and a number printed over it, are such a pair unless a rule parts them.
    - A row right over or under a line of label text with a few values, each under one of the row's
      and not ruled off from it: the row's label wrapped beside the rest of a number (`470590` / `1`).
    - In a ruled table, two lines with values and no rule between them, up to three lines apart: one
      tall row whose pieces the rules could not join (its label over two lines, the first pieces of
      wrapped numbers on the first, the values and the pieces' rests on the next).
    - Two rows with values less than a line apart, one printed half over the other (a number printed
      higher than its row, beside a group's label).
    - A row right under two such (a number wrapped over three lines: `３６` / `５７` / `７`), printing
      as many values as the one over it, each under one of its.
    - The last row of a page and the first of the next, when the second's values each stand under a
      number of the first's as wide as its cell, or under one of the first's numbers when those are
      already pieces of numbers wrapped over lines (the rest of a number cut by the page break).
    - Without rules: a line of values only, or of a few values each under a wide one of the row's,
      and the nearer row beside it, when they lie closer than the table's rows lie to each other (a
      number wrapped at a wide line spacing, a group's label beside its rest: `678602` / `76`)."""
    out: set[int] = set()
    ruled = bool(rules) and bool(cell_edges(rows[0], rules))
    for a, b in zip(rows, rows[1:], strict=False):
        if a.page + 1 == b.page and (_pieces_of(a, b, wide=True) or (a.no in out and _pieces_of(a, b, fewer=False))):
            out |= {a.no, b.no}  # the rest of a's wide number on the next page, or of one wrapped over a's lines
        apart = abs(a.cy - b.cy) / min(a.h, b.h)
        if a.page != b.page or apart > 3 or (apart > 1.5 and not (ruled and same_cell(a, b, rules))):
            continue  # (in a ruled table, lines further apart with no rule between them: one tall row's)
        alone = [_values_only(ln) for ln in (a, b)]
        over = abs(a.cy - b.cy) < 0.6 * min(a.h, b.h) and a.data and b.data
        pieces = not any(alone) and (_pieces_of(a, b) or _pieces_of(b, a) or (a.no in out and _pieces_of(a, b, fewer=False))) \
            and not (rules and fenced(a, b, rules))
        one_row = ruled and all(any(number_part(c) for c in ln.chunks) for ln in (a, b)) and same_cell(a, b, rules)
        if alone[0] != alone[1] or (all(alone) and not (rules and fenced(a, b, rules))) or over or pieces or one_row:
            out |= {a.no, b.no}
    pitch = None if ruled else _pitch(rows)
    if pitch is None:
        return out
    for k, ln in enumerate(rows):
        beside = [rows[j] for j in (k - 1, k + 1) if 0 <= j < len(rows) and rows[j].page == ln.page]
        if not beside:
            continue
        row = min(beside, key=lambda r: abs(r.cy - ln.cy))
        if _values_only(row) or not 1.5 * min(row.h, ln.h) < abs(row.cy - ln.cy) < 0.85 * pitch:
            continue
        if _values_only(ln) or _pieces_of(row, ln, wide=True):
            out |= {row.no, ln.no}
    return out


def _values_only(ln: Line) -> bool:
    return all(c.value for c in ln.chunks)


def _pitch(rows: list[Line]) -> float | None:
    """How far apart a table's neighbouring rows with labels lie, the median (None: fewer than
    three such pairs)."""
    gaps = [abs(a.cy - b.cy) for a, b in zip(rows, rows[1:], strict=False)
            if a.page == b.page and not _values_only(a) and not _values_only(b)]
    return statistics.median(gaps) if len(gaps) >= 3 else None


def _pieces_of(row: Line, ln: Line, wide: bool = False, fewer: bool = True) -> bool:
    """ln prints fewer values than row (`fewer` False: no more), each under or over one of row's
    numbers or pieces of one (`72,16`) (`wide`: one about as wide as the row's values lie apart, a
    number too wide for its cell, which wraps)."""
    mine, theirs = [c for c in ln.chunks if number_part(c)], sorted((c for c in row.chunks if number_part(c)), key=lambda c: c.cx)
    least = 0.0
    if wide:
        apart = [b.cx - a.cx for a, b in zip(theirs, theirs[1:], strict=False)]
        if not apart:
            return False
        least = 0.6 * min(apart)
    return bool(mine) and (len(mine) < len(theirs) if fewer else len(mine) <= len(theirs)) and all(
        any(o.x0 < c.x1 and c.x0 < o.x1 and o.x1 - o.x0 >= least for o in theirs) for c in mine)


def title_lines(lines: list[Line]) -> set[int]:
    """The title's lines near the top of page 1: a run of up to four lines of one size printed larger
    than the line after it. The first run that names the report (not a red head's 文件, a document
    number or an 附件 line, nor the notice that issues the report); else the first line's run."""
    head = list(takewhile(lambda ln: not ln.data, (ln for ln in lines if ln.page == 1 and not ln.furniture)))[:12]
    runs: list[list[Line]] = []
    for ln in head:
        if runs and len(runs[-1]) < 4 and 0.9 * runs[-1][0].h <= ln.h <= runs[-1][0].h / 0.9:
            runs[-1].append(ln)
        else:
            runs.append([ln])
    big = [r for r, after in zip(runs, runs[1:], strict=False) if r[0].h >= 1.15 * after[0].h]
    named = [r for r in big if _NAMES_REPORT.search(_text(r)) and not _text(r).endswith("通知")]
    run = named[0] if named else big[0] if big and big[0] is runs[0] else []
    return {ln.no for ln in run}


_NAMES_REPORT = re.compile(r"年度报告|政府信息公开(?:工作)?(?:年度)?报告")


def _text(run: list[Line]) -> str:
    return "".join(c.raw for ln in run for c in ln.chunks)


def add_title_line(out: list[Tok], ln: Line, title: set[int]) -> None:
    """A line of the title (wrapped over lines): joined to the token of its first line."""
    raw = "".join(c.raw for c in ln.chunks)
    if out and out[-1].line in title:
        raw = out[-1].raw + raw
        out[-1] = Tok(nfkc(raw), raw, out[-1].line)
    else:
        out.append(Tok(nfkc(raw), raw, ln.no))


def line_tokens(lines: list[Line], rules: Rules | None = None) -> list[Tok]:
    """The document as tokens: the title as one line, each table row as cells, other lines as text
    (`lines` loses the lines of wrapped numbers, joined to their rows)."""
    classify(lines)
    if rules:
        lines[:] = join_wrapped_values(lines, rules)
    layout: dict[int, tuple[float, list[float], Callable[[Chunk], float]]] = {}
    stacked: set[int] = set()
    for header, rows in find_tables(lines, rules):
        ruled = bool(rules) and bool(cell_edges(rows[0], rules))
        key = _MIDDLE if ruled else _alignment(rows)
        boundary, cols = find_columns(header, rows, ruled=ruled, key=key)
        for r in rows:
            layout[r.no] = (boundary, cols, key)
        stacked |= stacked_rows(rows, rules)  # (in a ruled table, what the rules could not join to its row)
    title = title_lines(lines)
    out: list[Tok] = []
    for ln in lines:
        if ln.furniture or ln.taken:
            continue
        if ln.no in title:
            add_title_line(out, ln, title)
        elif ln.data or (ln.blank and ln.no in layout):  # (a label-only row left out of its table: text)
            boundary, cols, key = layout[ln.no]
            doubt = (STACKED if ln.no in stacked else AGAINST if ln.against
                     else OVERPRINTED if any(c.overprinted and c.value for c in ln.chunks)
                     else AT_EDGE if any(c.edge and DIGIT.search(c.raw) for c in ln.chunks) else None)
            out += row_tokens(ln, boundary, cols, rules, key, doubt=doubt)
        else:
            out += [Tok(nfkc(c.raw), c.raw, ln.no) for c in ln.chunks]
    return out

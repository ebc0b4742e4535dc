"""Numbers too long for their narrow ruled cells, printed over several lines (`２６８` / `６`), joined to
their rows: `join_wrapped_values`. Without rules on a page nothing is joined.

The row of a line holding such pieces is the next row up or down on its page (over lines of label
text only, such as a block's vertical label), within 2.5 lines (a row made taller by a label beside
it has the rest printed lower), or right under or over pieces of the row's numbers joined already (a
number wrapped over three lines or more), and not ruled off from it. A column is a cell between the
row's vertical rules, where it has them.

Lines of values only are joined first, the nearest to a row first and again while any joins, so a
row is whole when lines with label text are placed; the pieces on a line with label text go to the
nearer row, else to the other, as they fit.
- A line of values only: each value joins the row's value in its column (top to bottom), or takes
  that column (a row without labels, as section 四's, has many more values than the line).
- A line under the row with label text (the rest of the row's label, or a group's label printed
  beside its rows) and, right of it, number parts: each part joins the row's number in its ruled
  cell when that number fills the cell (it wrapped there), one part a cell.
- A line over the row with label text (the first line of the row's wrapped label) and, right of it,
  first pieces of numbers, no value of their own (`10,556,`), filling their ruled cells: each piece
  is the start of the row's number in its cell, printed lower (`883`).
- A line with label text left of where the row's label is printed (a group's label) and, right of
  it, numbers in cells where the row on its own line prints nothing, one number a cell between the
  row's vertical rules: each number is the row's, in its cell (a number too wide for its cell
  printed higher, on the group label's line).
- A piece of another size than the number it would join (a footnote's mark moved off the number's
  line) joins nothing.
Before any of these (and again once lines of values are joined), a row's ruled cell whose text runs
over lines beside the row, a rule closing it above and below, and is not all pieces of numbers but a
value printed with wording (`约120` / `0`, `12人` / `次`, `一百零` / `五`, also over five lines), becomes one
cell of the row holding that text, top to bottom: read as printed, unreadable (neither its last line's digits nor
blank)."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable

from gkqc.cells import spelled_number
from gkqc.readers.pdf_lines import DIGIT, Chunk, Line, Rules, cell_edges, fenced, number_part, same_cell
from gkqc.readers.pdf_page import NO_RULES
from gkqc.readers.row_labels import wording
from gkqc.readers.tokens import nfkc


def join_wrapped_values(lines: list[Line], rules: Rules) -> list[Line]:
    """`lines` with the pieces of wrapped numbers joined to their rows; lines of values only that
    joined a row are left out."""
    return _Joiner(lines, rules).run()


def _continues(row: Line, ln: Line) -> bool:
    """Each number of ln is printed right under or over a number of row that spans lines (its pieces
    joined)."""
    return all(any(o.h > 1.5 * ln.h and o.x0 < c.x1 and c.x0 < o.x1
                   and (0 <= o.y0 - c.y1 <= 0.5 * ln.h or 0 <= c.y0 - o.y1 <= 0.5 * ln.h)
                   for o in row.chunks) for c in ln.chunks if number_part(c))


def _number_start(c: Chunk) -> bool:
    """c is the first piece of a number cut at the end of its line, no value of its own (`10,556,`)."""
    return not c.value and number_part(c) and nfkc(c.raw).lstrip("+-")[:1].isdigit()


def _fills_cell(c: Chunk, edges: list[float]) -> bool:
    """c, printed in a ruled cell of its row (`edges`: the row's vertical rules), takes up most of
    the cell's width: what is printed after it wraps to the next line."""
    k = bisect_left(edges, c.cx)
    return 0 < k < len(edges) and c.x1 - c.x0 >= 0.6 * (edges[k] - edges[k - 1])


def _row_of(r: Line | None, ln: Line) -> bool:
    """r is a row ln's pieces may belong to: on its page, near it or continued by it, with a label or
    many more values than ln (section 四's rows)."""
    return (r is not None and r.data and r.page == ln.page and (abs(r.cy - ln.cy) <= 2.5 * ln.h or _continues(r, ln))
            and (any(not c.value for c in r.chunks) or len(r.chunks) >= 3 * len(ln.chunks)))


def _under(c: Chunk, row: Line, edges: list[float]) -> Chunk | None:
    """The row's number in c's cell (between the row's vertical rules `edges`), else in c's column
    (also where the rules hold more than one of the row's numbers in that cell: a table with an outer
    border only)."""
    if len(edges) >= 2:
        k = bisect_left(edges, c.cx)
        mates = [o for o in row.chunks if number_part(o) and bisect_left(edges, o.cx) == k]
        if len(mates) <= 1:
            return mates[0] if mates else None
    return next((o for o in row.chunks if number_part(o) and o.x0 < c.x1 and c.x0 < o.x1), None)


def _join(c: Chunk, same: Chunk, row: Line) -> None:
    """c and the row's chunk `same` become one chunk of the row, the upper one's text first."""
    top, low = (c, same) if c.top > same.top else (same, c)
    row.chunks[row.chunks.index(same)] = Chunk(top.raw + low.raw, min(c.x0, same.x0), min(c.y0, same.y0),
                                               max(c.x1, same.x1), max(c.y1, same.y1), row.page, row.no, top.top, True,
                                               c.overprinted or same.overprinted, c.cut or same.cut,
                                               small=c.small or same.small, size=max(c.size, same.size))


def _alike(pairs: list[tuple[Chunk, Chunk | None]]) -> bool:
    """Each piece is of the size of the number it would join, where both sizes are known, and no mark
    beside it: a digit much smaller than a number, or one right of its end less than a line above or
    below it (a footnote's mark moved off the number's line), is no rest of it."""
    return all(same is None or ((not (c.size and same.size) or 0.8 < c.size / same.size < 1.25) and not _beside_end(c, same))
               for c, same in pairs)


def _beside_end(c: Chunk, same: Chunk) -> bool:
    """Of two pieces, one starts where the other ends or further right (to a third of a line's height:
    glyphs' boxes), their middles less than a line apart: a mark raised or lowered beside a number's
    end. A number's lines are a line or more apart, and its first, however indented, reaches over the
    start of the next (`1,23` / `4,567`)."""
    slack, h = 0.35 * min(c.h, same.h), min(c.h, same.h)
    return abs(c.top - same.top) < h and (c.x0 >= same.x1 - slack or same.x0 >= c.x1 - slack)


def _put(pairs: Iterable[tuple[Chunk, Chunk | None]], row: Line) -> None:
    """Each chunk joins the row's number it pairs with, or takes its cell (pairs made as they are
    taken see the row as the ones before left it)."""
    for c, same in pairs:
        if same is None:
            row.chunks.append(c)
        else:
            _join(c, same, row)
    row.chunks.sort(key=lambda c: c.x0)


def _value_text(raw: str) -> bool:
    """Text a value cell prints, not a label: digits with at most two characters of wording ('约1200',
    '12人次', '12（注）', '10～12'), or a number spelled without a digit ('一百零五'); a label's text
    has more wording."""
    text = nfkc(raw)
    return (DIGIT.search(text) is not None and len(wording(text)) <= 2) or spelled_number(text)


def _worded_value(own: list[Chunk], pieces: list[Chunk], row: Line) -> bool:
    """The pieces of one of row's ruled cells (`own`: those on the row's line) are a value printed with
    wording (`_value_text`) over lines: not a box round the row's cells (more than one of its pieces in
    it), nor its label's cell, nor a number wrapped in its cell (joined later), nor the row's one value
    (a row it stays)."""
    return (len(own) <= 1 and not any(len(wording(nfkc(c.raw))) > 1 for c in own)
            and not all(number_part(c) for c in pieces) and _value_text("".join(c.raw for c in pieces))
            and any(c.value for c in row.chunks if c not in own))


def _in_cell(c: Chunk, edges: list[float]) -> int:
    """The ruled cell (between the row's vertical rules `edges`) c is printed inside, else 0."""
    k = bisect_left(edges, c.cx)
    return k if 0 < k < len(edges) and edges[k - 1] - 0.5 <= c.x0 and c.x1 <= edges[k] + 0.5 else 0


def _reach(ln: Line, rows: dict[int, list[float]]) -> float:
    """How far a line lies from the nearest row with a label on its page (`rows`: their heights by page,
    in order; the two either side of the line looked at, not every row)."""
    ys = rows.get(ln.page, [])
    i = bisect_left(ys, ln.cy)
    return min((abs(ys[j] - ln.cy) for j in (i - 1, i) if 0 <= j < len(ys)), default=float("inf"))


class _Joiner:
    """One page sequence's lines, the rules drawn on their pages, and the lines gone into rows."""

    def __init__(self, lines: list[Line], rules: Rules) -> None:
        self.lines, self.rules = lines, rules
        self.gone: set[int] = set()
        self.labelled: list[bool] = []

    def run(self) -> list[Line]:
        """Cells of a value printed with wording first (`text_cell`); then lines of values, the nearest
        to their rows first, again while any joins (a number wrapped over five lines joins outwards from
        its row); such cells again (of rows given their values by a line beside them); then lines with
        label text, in order."""
        lines = self.lines
        for k in range(len(lines)):
            self.text_cell(k)
        self.labelled = [any(not number_part(c) for c in ln.chunks) for ln in lines]
        rows: dict[int, list[float]] = {}  # page -> the heights of its rows with a label, in order
        for j, r in enumerate(lines):
            if r.data and self.labelled[j]:
                rows.setdefault(r.page, []).append(r.cy)
        for ys in rows.values():
            ys.sort()
        values = sorted((k for k in range(len(lines)) if not self.labelled[k]), key=lambda k: (_reach(lines[k], rows), k))
        while any([self.place(k) for k in values if id(lines[k]) not in self.gone]):
            pass
        for k in range(len(lines)):
            self.text_cell(k)
        for k in range(len(lines)):
            if self.labelled[k]:
                self.place(k)
        return [ln for ln in lines if id(ln) not in self.gone]

    def text_cell(self, k: int) -> None:
        """Each ruled cell of row k whose text runs onto lines beside the row (`beside_cells`), a value
        printed with wording (`_worded_value`): one chunk of the row, no value, its text top to
        bottom; the lines beside lose their pieces of it."""
        row = self.lines[k]
        if not row.data or id(row) in self.gone or not self.rules.get(row.page, NO_RULES).ys:
            return
        edges = cell_edges(row, self.rules)
        for j, found in self.beside_cells(k, edges).items():
            own = [c for c in row.chunks if bisect_left(edges, c.cx) == j]
            pieces = sorted(own + [c for _, c in found], key=lambda c: -c.y1)
            if not _worded_value(own, pieces, row):
                continue
            row.chunks = sorted([c for c in row.chunks if c not in own] + [Chunk(
                "".join(c.raw for c in pieces), min(c.x0 for c in pieces), min(c.y0 for c in pieces),
                max(c.x1 for c in pieces), max(c.y1 for c in pieces), row.page, row.no, pieces[0].top, False,
                any(c.overprinted for c in pieces), any(c.cut for c in pieces),
                small=any(c.small for c in pieces), size=max(c.size for c in pieces))], key=lambda c: c.x0)
            for ln, c in found:
                ln.chunks = [o for o in ln.chunks if o is not c]
                ln.data = ln.data and any(o.value for o in ln.chunks)
                if not ln.chunks:
                    self.gone.add(id(ln))

    def beside_cells(self, k: int, edges: list[float]) -> dict[int, list[tuple[Line, Chunk]]]:
        """What lines next to row k print inside its ruled cells (`edges`: its vertical rules), by cell:
        on its page, within 2.5 lines or each under or over the one before (`_near`), up to another row's
        line, no rule between them and the row, a rule between them and the next line beyond; none unless
        a rule closes the row's other side too (without rules across rows, or between headings and
        values, whose text it is cannot be told)."""
        row = self.lines[k]
        (over, above), (under, below) = self._near(k, -1), self._near(k, 1)  # (lines run down the page)
        out: dict[int, list[tuple[Line, Chunk]]] = {}
        for near, beyond, other in ((over, above, below), (under, below, above)):
            if not near or not fenced(row, other, self.rules, below=near is over):  # (None: the page's side)
                continue
            for ln in near:
                for c in ln.chunks:
                    alone = Line(ln.no, ln.page, ln.cy, ln.h, [c])
                    if (cell := _in_cell(c, edges)) and not fenced(alone, row, self.rules) \
                            and fenced(alone, beyond, self.rules, below=ln.cy < row.cy):
                        out.setdefault(cell, []).append((ln, c))
        return out

    def _near(self, k: int, step: int) -> tuple[list[Line], Line | None]:
        """The lines next to row k on one side (`step`), on its page, within 2.5 lines of it or, holding
        no value, 1.5 lines of the one before them (a value wrapped over more lines), up to another row's
        (with a label, or as many values) or a rule across them, and the next line beyond them (None:
        none on the page)."""
        row, lines, near, j = self.lines[k], self.lines, [], k + step
        last = row.cy
        while 0 <= j < len(lines) and lines[j].page == row.page:
            ln = lines[j]
            j += step
            if id(ln) in self.gone or not ln.chunks:
                continue
            far = abs(ln.cy - row.cy) > 2.5 * row.h and (ln.data or abs(ln.cy - last) > 1.5 * row.h)
            if (ln.data and (any(len(wording(nfkc(c.raw))) > 1 for c in ln.chunks if not number_part(c))
                             or not _row_of(row, ln))) \
                    or ln.furniture or ln.stop or far or fenced(ln, row, self.rules):
                return near, ln
            near.append(ln)
            last = ln.cy
        return near, None

    def beside(self, k: int, step: int) -> Line | None:
        """The next line up or down from line k, over label text only (a group's label)."""
        lines = self.lines
        k += step
        while 0 <= k < len(lines) and (id(lines[k]) in self.gone
                                       or not (lines[k].data or lines[k].stop or lines[k].furniture)):
            k += step
        return lines[k] if 0 <= k < len(lines) else None

    def place(self, k: int) -> bool:
        """Line k's numbers put in their row: True when the line is gone into it (a line of values)."""
        ln, rules = self.lines[k], self.rules
        if ln.furniture or not ln.chunks or not rules.get(ln.page, NO_RULES).ys:
            return False
        nums = [c for c in ln.chunks if number_part(c)]
        label = [c for c in ln.chunks if not number_part(c)]
        if not any(DIGIT.search(c.raw) for c in nums) or (label and min(c.x0 for c in nums) < max(c.x1 for c in label)):
            return False  # (a mark for a blank, 无, is no piece of a number)
        near = sorted((r for r in (self.beside(k, -1), self.beside(k, 1)) if _row_of(r, ln)),
                      key=lambda r: abs(r.cy - ln.cy))
        printed = Line(ln.no, ln.page, ln.cy, ln.h, nums)
        if label:  # the nearer row's pieces, else the other's (a number wrapped over three lines)
            for r in near:
                if not fenced(printed, r, rules) and self.placed(ln, r, nums, label):
                    break
            return False
        if not near or fenced(printed, near[0], rules) or self._between_label_lines(k):
            return False
        row = near[0]
        beyond = self.beside(k, 1 if ln.cy < row.cy else -1)  # the next line away from the row
        if beyond is not None and beyond.data and beyond.page == ln.page and not fenced(printed, beyond, rules) \
                and any(not number_part(c) for c in beyond.chunks):
            return False  # (another row as near, no rule between: whose number's rest, it cannot tell)
        edges = cell_edges(row, rules)
        if not _alike([(c, _under(c, row, edges)) for c in ln.chunks]):
            return False
        _put(((c, _under(c, row, edges)) for c in ln.chunks), row)
        self.gone.add(id(ln))
        return True

    def _between_label_lines(self, k: int) -> bool:
        """Line k (values only) stands between two lines of one label, left of it, with no rule between
        them: a tall row's values, set midway down its cell (`5.要求…出具` / values / `已获取信息`), no
        number's rest."""
        lines, ln = self.lines, self.lines[k]
        if not (0 < k < len(lines) - 1):
            return False
        above, below = lines[k - 1], lines[k + 1]
        left = min(c.x0 for c in ln.chunks)
        return all(p.page == ln.page and not p.data and p.chunks and not any(number_part(c) for c in p.chunks)
                   and max(c.x1 for c in p.chunks) <= left and abs(p.cy - ln.cy) <= 1.6 * ln.h for p in (above, below)) \
            and same_cell(above, below, self.rules)

    def placed(self, ln: Line, row: Line, nums: list[Chunk], label: list[Chunk]) -> bool:
        """The numbers of a line with label text (the row's wrapped label, a group's label beside its
        rows) put in `row`, when they are pieces of its numbers or its empty cells' numbers."""
        edges = cell_edges(row, self.rules)
        pairs = [(c, _under(c, row, edges)) for c in nums]
        wrapped = all(same is not None for _, same in pairs) and len({id(same) for _, same in pairs}) == len(pairs) \
            and (all(_fills_cell(same, edges) for _, same in pairs) if ln.cy < row.cy  # the rest under the row
                 else all(_number_start(c) and _fills_cell(c, edges) for c, _ in pairs))  # the start over it
        cells = [bisect_left(edges, c.cx) for c in nums]
        heads = [c for c in row.chunks if not c.value]  # the row's label: in cells left of the numbers'
        alone = all(same is None for _, same in pairs) and len(edges) >= 2 and bool(heads) \
            and all(0 < j < len(edges) for j in cells) and len(set(cells)) == len(cells) \
            and max(bisect_left(edges, c.cx) for c in heads) < min(cells) \
            and max(c.x1 for c in label) <= min(c.x0 for c in heads)  # label text left of the row's labels only: a group's
        if not (wrapped or alone) or not _alike(pairs):
            return False
        _put(pairs, row)  # the last piece of the row's number, or the whole number of an empty cell
        ln.chunks, ln.data = label, False  # label text only
        return True

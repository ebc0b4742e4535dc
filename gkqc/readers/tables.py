"""Reading the tables of sections 二, 三 and 四 from a token stream, by their labels.

A row is found by the last known label printed before its values (so a missing or
extra row never shifts the rows after it); its values are the value tokens that
follow, up to the template's column count. Values are never guessed: a row whose
cells cannot be told apart is marked unreadable with the reason. The one split made
is of a crawl's glued run of values (crawl.GluedRun), and only when it is provably
unique (`glued.split_glued`). Nor are they given to a row whose label may not be theirs
(`row_labels.label_doubt`): label text beside the matched label that is not the row's own (another
row's label read only partly by OCR; two rows' labels in one cell), or a label printed
out of the table's row order, leaves the row unreadable with the reason. Nor where PDF text does
not show which row or cell a value is: a row label printed around values (`_straddle`), a table
printing values before labels (`_values_first`), a number wrapped inside its cell (tokens.PIECE, WRAPPED).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from operator import attrgetter

from gkqc.cells import DAMAGED, LOOKALIKES, is_value_like, unit_in_label
from gkqc.readers.crawl import GluedRun
from gkqc.readers.glued import Sums, row_sums, spaced_number, split_glued
from gkqc.readers.row_cells import _cells_from_row
from gkqc.readers.row_labels import RowSet, label_doubt, out_of_order, row_set, wording
from gkqc.readers.tokens import MERGED, PIECE, SHORT, SPAN, WRAPPED, RowRead, Tok, number_piece
from gkqc.record import Cell
from gkqc.templates import Block, Item, Variant, drawn_from_registry, match_label, norm_label, registry

_CUT_NUMBER = re.compile(r"(?:^|[^\d,.+-])([+-]?\d[\d,.]*[,.])$")  # text ending in a number cut after its separator ('请 43,' of '43, 344')
_GLUED = re.compile(r"^(.*?[^\d,.\s+-])\s*(\d[\d,]*)$")  # a label, then digits (a trailing comma is the label's)


def _block() -> re.Pattern[str]:
    """A block heading of section 二 (第二十条第（x）项), its item numeral the first group."""
    return re.compile(registry().block_heading)  # re caches the compiled pattern


TRUNCATED = "文件在此处中断（疑似截断），之后的单元格未找到"
CUT = "文件在此数值处结束（疑似截断），该数值可能不完整，不予读取"  # the note of a text's last token when it ends in a digit


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
    leading: int = 0  # rows with cells beyond their values whose last cell holds text: the extra cells come first
    trailing: int = 0  # …whose first cell holds text: the extra cells come last


def _digits_run(tok: Tok) -> bool:
    return tok.text.replace(",", "").isdigit() and len(tok.text) >= 2


_TEXT = attrgetter("text")
_NOTE = attrgetter("note")


def _norm_text(toks: Sequence[Tok]) -> str:
    """A stretch of tokens as one normalised text (label cues are looked for in it)."""
    return "".join(map(norm_label, map(_TEXT, toks)))


def _value_like(tok: Tok) -> bool:
    """A value's token: it reads as a value, or it is a crawl's glued run of them ('1245-19'), or a
    piece of a number wrapped in its cell, printed among values (`PIECE`)."""
    return isinstance(tok, GluedRun) or is_value_like(tok.text) or tok.note is PIECE


def _padding(tok: Tok) -> bool:
    """An empty cell, or one holding only a stray byte's U+FFFD: dropped where padding is. A cell
    printed with a mark that could not be read (OCR's □, a misreading kept as read) is no padding:
    it holds its place in the row."""
    return not tok.text.strip(DAMAGED) and not tok.raw.strip(DAMAGED + " \u3000")


def _shown(toks: Iterable[Tok]) -> str:
    """Cells as a reason shows them: their text, 空 for an empty one."""
    return " ".join(t.raw or "空" for t in toks)


def _finish_row(vals: list[Tok], n: int, at_end: bool, sums: Sums = ()) -> RowRead:
    if any(map(_NOTE, vals)):  # (most rows: no cell has a note)
        vals = [v for v in vals if v.note is not SPAN]  # a padding run is never one of the row's cells
        if cut := [v for v in vals if v.note is WRAPPED or v.note is PIECE]:
            shown = _shown(vals)
            why = WRAPPED if cut[0].note is WRAPPED else f"{PIECE}（'{cut[0].raw}'）"
            return RowRead([None] * n, f"{why}（{shown}）：无法确定各单元格的值，不作归属")
        if merged := [v for v in vals if v.note is MERGED]:
            return RowRead([None] * n, f"{MERGED}（'{merged[0].raw}'，{_shown(vals)}）：无法确定它属于哪一列，"
                                       "其后各格的列也随之不定，不作归属")
        if len(vals) >= n and any(v.note is SHORT for v in vals):
            shown = _shown(vals)
            return RowRead([None] * n, f"{SHORT}（{shown}）：缺的是哪一格、末尾的空格是空白数值还是多出的一列，无法确定，不作归属")
    extra = [v for v in vals[n:] if not _padding(v)]
    if extra:
        shown = _shown(vals)
        return RowRead([None] * n, f"该行读到{len(vals)}个单元格（{shown}），多于应有的{n}个，"
                                   "可能有数字被拆开或多出一格，不作猜测")
    if len(vals) > n and vals[0].placed and any(_padding(v) for v in vals[:n]) and not any(v.refused for v in vals):
        shown = _shown(vals)
        return RowRead([None] * n, f"该行按位置分出{len(vals)}列（{shown}），多于应有的{n}列：空单元格是空白数值"
                                   "还是多出的一列，无法确定，不作归属")
    if at_end and vals and vals[-1].note == CUT:  # the file ends inside this value, perhaps
        kept = vals[:-1]  # at most n - 1: a value past the n-th is an extra one, refused above
        return RowRead(kept + [None] * (n - len(kept)), missing_reason=CUT if len(vals) == n else f"{CUT}；其后的单元格未找到")
    if len(vals) >= n:
        return RowRead(list(vals[:n]))
    if at_end:
        return RowRead(list(vals) + [None] * (n - len(vals)), missing_reason=TRUNCATED)
    if any(isinstance(v, GluedRun) for v in vals):
        return split_glued(vals, n, sums)
    runs = [v for v in vals if _digits_run(v)]
    if runs:
        return RowRead([None] * n, f"数字连在一起、单元格之间无分隔（'{runs[0].raw}'），无法确定各单元格的值，不作猜测拆分")
    shown = _shown(vals)
    return RowRead([None] * n, f"该行只有{len(vals)}个值（{shown}），应有{n}个，无法确定对应的列")


def read_rows(toks: Sequence[Tok], rows: Sequence[Item], ncols: int, doc_ends_here: bool,
              sums: dict[str, Sums] | None = None) -> TableRead:
    """Read labelled rows of `ncols` values each from a section's tokens (`sums`: each row's
    total equations, used only to split a crawl's glued values)."""
    return _RowReader(toks, rows, ncols, sums or {}).read(doc_ends_here)


class _RowReader:
    """One pass over a section's tokens: label text gathers until a value follows it (`_label_text`);
    the first value starts the row that text names (`_start_row`); the row's values gather until
    the next label text, when the row is judged (`_finish`)."""

    def __init__(self, toks: Sequence[Tok], rows: Sequence[Item], ncols: int, sums: dict[str, Sums]) -> None:
        self.toks, self.rows, self.ncols, self.sums = toks, rows, ncols, sums
        self.out = TableRead()
        self.out.padded = any(t.note is SPAN for t in toks)
        self.rs = row_set(tuple(rows))
        self.context: list[str] = []  # the label text since the last value
        self.lines: list[int] = []  # the source line of each context piece
        self.furthest: Item | None = None  # the row furthest down the table read so far
        self.far = -1  # …its place
        self.row: Item | None = None  # the row whose values are being read
        self.skip = False  # values follow label text no row matched: no row takes them
        self.vals: list[Tok] = []
        self.unclaimed: list[Tok] = []  # the last run of values no row took (its label not read, or in doubt)
        self.before = ""  # the label text printed before the last run of values, since the last row read
        self.piece: str | None = None  # the last label text is a piece of a number ('73,87'): what is printed
        self.loose = False  # some of the label text is on text lines, not in cells (PDF text; Markdown's lines)
        self.pre: list[Tok] = []  # the values no row took printed right before the current row's label
        self.last_row: Item | None = None  # the row read last
        self.label_line = 0  # the line the current row's label ends on
        self.lead = False  # values no row took stand before the table's first row label
        # rows read, each (id, whether its values follow its label's line and stand right after the row
        # before's values); cleared where a run of values no row took stands
        self.read_in_turn: list[tuple[str, bool]] = []
        self.seen_first = False
        self.labels = 0  # label cells printed before the current row's values
        self.split: str | None = None  # the row just read, when its glued digits were split into its cells
        self.held: tuple[str, list[Tok]] | None = None  # the row just read with all its values on one text line, and them
        self.stray: Tok | None = None  # a value alone on the text line under the others of the row just read, one too many

    def read(self, doc_ends_here: bool) -> TableRead:
        toks, rows, rs = self.toks, self.rows, self.rs
        label_text, start_row, last = self._label_text, self._start_row, len(toks) - 1
        for i, tok in enumerate(toks):
            value_like = (is_value_like(tok.text) or tok.note is PIECE) if tok.__class__ is Tok else _value_like(tok)
            if not value_like:
                nxt = toks[i + 1] if i < last else None
                if self.row is not None and tok.cell and len(tok.text) <= 20 \
                        and (_cell_of_row(tok, nxt) if len(self.vals) < self.ncols else _cell_too_many(tok, self.vals)) \
                        and match_label(norm_label(tok.text), rows) is None and not rs.heading(tok.text):
                    self.vals.append(tok)  # an unreadable cell inside a row (e.g. '约3'), not a label nor a group's heading
                    continue
                if self.row is None and not self.skip and _first_cell(tok, nxt, self.context, rows, rs):
                    value_like = True  # the row's first cell, unreadable ('5人', '约3'): not more of its label
            if not value_like:
                tok = label_text(tok)
                if tok is None:
                    continue
            if self.row is None and not self.skip and not start_row(i, tok):
                continue
            if self.skip:
                self.unclaimed.append(tok)
                continue
            self.vals.append(tok)
            if i == last:
                self._finish(doc_ends_here)
        self._finish(doc_ends_here)
        if self.skip:
            self._refuse_held()
        out, context = self.out, self.context
        if self.lead and context and not self.skip and (last := match_label("".join(context), rows)) is not None \
                and last.id not in out.rows:
            _values_first(out, self.read_in_turn, last, self.ncols)
        return out

    def _label_text(self, tok: Tok) -> Tok | None:
        """Label text ends the row being read and gathers in `context`; a label with digits glued
        on gives its digits back as a value token (None when it is label text only)."""
        if self.row is not None and self.vals and number_piece(tok.text):  # '６９' / '９，１' / '９３': the row's last value wrapped, perhaps
            self.vals.append(replace(tok, note=PIECE))
        if self.skip:
            self._refuse_held()
        if self.row is not None or self.skip:
            self._finish(False)
            self.skip = False
        glued = tok.text[-1:].isdigit() or tok.text.endswith(",")  # cheap pre-test of _GLUED
        m = _GLUED.match(tok.text) if glued else None  # a label with digits glued on
        if m and _ends_in_label(norm_label(m.group(1)), self.rows):
            self.context.append(norm_label(m.group(1)))
            self.lines.append(tok.line)
            self.loose = self.loose or not tok.cell
            self.piece = None
            return Tok(m.group(2), m.group(2), tok.line)
        self.context.append(norm_label(tok.text))
        self.lines.append(tok.line)
        self.loose = self.loose or not tok.cell
        self.piece = tok.raw if number_piece(tok.text) else None
        return None

    def _start_row(self, i: int, tok: Tok) -> bool:
        """The first value after label text: the row that text names starts, or the values are no
        row's (`skip`), or the row is in doubt (unreadable, with the reason). Whether `tok` is the
        started row's first value."""
        out, context, lines, rows, rs = self.out, self.context, self.lines, self.rows, self.rs
        if not context:
            if not _padding(tok):
                self.unclaimed.append(tok)  # values before any label text
            return False  # padding cells between rows
        ctx = "".join(context)
        row = self.row = match_label(ctx, rows)
        if row is None and not tok.text:
            return False  # an empty heading cell: the row label is still to come
        first = not self.seen_first and row is not None
        if first:
            out.header = ctx
            self.seen_first = True
            self.lead = bool(self.unclaimed)
        if row is None or self.unclaimed:
            self.read_in_turn.clear()
        doubt = None
        if row is not None:  # is it plainly this row's label (the common case), and in order?
            pos = rs.order[row.id]
            k, plain = rs.seen.get((*context, row.id)) or rs.look(context, row)
            self.labels = len(context) - (k if first else 0)  # the first row: its own label, no headings
            if self.lead and k and self.read_in_turn and (last := match_label("".join(context[:k]), rows)) is not None \
                    and last.id not in out.rows and last is not row:  # a row label printed with no values
                _values_first(out, self.read_in_turn, last, self.ncols)
                self.read_in_turn.clear()
            if pos < self.far and row.id not in out.rows:
                doubt = out_of_order(row, self.furthest)
            elif not plain or (lines[k] != tok.line and tok.line in lines):
                doubt = label_doubt(context, lines, tok.line, row, rs, out.rows)
            if doubt is None and self.loose and self.before and _straddle(self.before, ctx, row):  # (label text on lines: PDF text)
                doubt = _across_doubt(self.before, ctx, self.unclaimed)
            if doubt is None and self.piece is not None:
                doubt = (f"该行标签之后、数值之前有一段不成整数的数字（'{self.piece}'）：可能是第一个数值在单元格内折行的"
                         "前一段，无法确定各单元格的值")
            if doubt is None and context[-1][-1:] in ",." and (cut := _CUT_NUMBER.search(context[-1])):
                doubt = (f"该行标签之后、数值之前有一段以分隔符结尾的数字（'{cut.group(1)}'）："
                         "第一个数值可能被拆开，无法确定各单元格的值")
            if pos > self.far:
                self.far, self.furthest = pos, row
        self.pre, self.label_line = self.unclaimed, lines[-1]
        context.clear()
        lines.clear()
        self.loose = False
        self.vals = []
        self.unclaimed = []
        self.piece = None
        last_row = self.last_row
        rest_of = last_row if row is None and last_row is not None and _goes_on(self.before, ctx, last_row) else None
        self.before = ctx if row is not None and not doubt else (self.before + ctx)[-64:]
        if row is not None and not doubt:
            self.last_row = row
        if doubt:  # the values may be another row's: that row's label was not (fully) read
            out.rows.setdefault(row.id, RowRead([None] * self.ncols, doubt))
            row = self.row = None
        if row is None:
            if not doubt:
                out.notes.append(f"无法识别的行标签：'{ctx[-40:]}'，其后数值未读取")
            if rest_of is not None and (prev := out.rows.get(rest_of.id)) is not None and not prev.reason \
                    and not any(t.note for t in prev.toks if t is not None) \
                    and any(t is not None and _padding(t) for t in (*prev.toks, *self.toks[i:i + self.ncols])):
                # (the row's cells or those after its label's rest partly empty: the rests of numbers
                # wrapped in their cells, perhaps, the row's on two lines)
                out.rows[rest_of.id] = RowRead([None] * self.ncols, _label_after_doubt(ctx, tok))
            if self.split is not None and not doubt:  # text, then more values: the split row's digits may not all be its
                out.rows[self.split] = RowRead([None] * self.ncols, f"该行连写的数字之后是无法识别的文字（'{ctx[-20:]}'）和更多"
                                                                   "数值：该行的数值可能未读全，不作拆分")
            self.skip = True
            self.unclaimed.append(tok)
            return False
        self.split = None  # the next row's label follows: the split row's values ended there
        return True

    def _finish(self, at_end: bool) -> None:
        """The row being read is judged from its values, and recorded."""
        row, vals, ncols, out = self.row, self.vals, self.ncols, self.out
        if row is None:
            return
        sums = self.sums.get(row.id, ())
        if not at_end:
            out.widths[row.id] = self.labels + len(vals)
            cells = [v for v in vals if v.note is not SPAN] if out.padded else vals
            out.extra[row.id] = len(cells) - ncols
            if len(cells) > ncols:  # cells beyond its values: in doubt, perhaps
                lead, trail = _empty_ends(cells)
                out.leading += lead > 0 and trail == 0
                out.trailing += trail > 0 and lead == 0
                if doubt := _ends_doubt(cells, ncols):
                    out.surplus[row.id] = doubt
                elif doubt := _inner_doubt(cells, ncols):
                    out.inner[row.id] = doubt
        read = _finish_row(vals, ncols, at_end, sums)
        pre = self.pre
        if pre and not read.reason and (doubt := _split_doubt(vals[:ncols], self.label_line, pre) or _above_doubt(vals, pre, ncols)):
            read = RowRead([None] * ncols, doubt)
        self.split = row.id if len(vals) < ncols and any(isinstance(v, GluedRun) for v in vals) else None
        if self.split:
            out.glued += 1
        elif len(vals) == ncols and not read.reason and any(isinstance(v, GluedRun) for v in vals):
            out.whole[row.id] = spaced_number(vals, ncols, sums)
        prev = out.rows.get(row.id)
        if not read.reason and len(vals) == ncols:
            self.read_in_turn.append((row.id, not vals[0].cell and vals[0].line != self.label_line))
        else:
            self.read_in_turn.clear()
        # (kept among the rows read in turn: where values print before labels, `_values_first` says so instead)
        if not read.reason and (doubt := _uneven_doubt(vals[:ncols])):
            read = RowRead([None] * ncols, doubt)
        stray = self.stray
        if not read.reason and stray is not None and vals and not vals[0].cell and vals[0].line == stray.line + 1:
            read = RowRead([None] * ncols, _wrap_doubt(stray, "上", vals))
        # (a table of one column: a line of label text and one number is a row, not a number's piece)
        one_line = not read.reason and len(vals) == ncols > 1 and not vals[0].cell and vals[0].line == vals[-1].line
        self.held = (row.id, vals) if one_line else None
        self.stray = vals[-1] if len(vals) > ncols > 1 and _lone(vals[-1], vals[-2]) and vals[0].line == vals[-2].line \
            else None
        if prev is None:
            out.rows[row.id] = read
        elif [t.raw if t else None for t in prev.toks] != [t.raw if t else None for t in read.toks]:
            line = vals[0].line if vals else "?"
            out.rows[row.id] = RowRead([None] * ncols, f"该行出现两次且数值不同（第{line}行为重复行），不作取舍")
        else:
            out.notes.append(f"{row.label}：重复行（数值相同），已忽略")
        self.row = None

    def _refuse_held(self) -> None:
        """At the end of a run of values no row took: is it a number's rest under the row just read?"""
        if self.held is not None and (doubt := _below_doubt(self.held[1], self.unclaimed, self.label_line)):
            self.out.rows[self.held[0]] = RowRead([None] * self.ncols, doubt)


def _values_first(out: TableRead, read: list[tuple[str, bool]], last: Item, ncols: int) -> None:
    """A table whose first row label follows values no row took, and where a row label (`last`) is
    followed by none, prints each row's values before its label (plain pdftotext of a Chromium PDF):
    the rows read in turn up to that label, each from the values on the lines after its label, may
    hold the next row's values. They are refused, back to a row whose values share its label's line."""
    for rid, apart in reversed(read):
        if not apart:
            break
        out.rows[rid] = RowRead([None] * ncols, f"表格首行标签之前有未归属的数值，行标签“{last.label}”之后没有数值：该表格的"
                                               "数值可能印在各自标签之前，该行标签之后的数值可能属于下一行，不作归属")


def _straddle(before: str, after: str, row: Item) -> bool:
    """Whether `row`'s label starts in the label text printed before a run of values (`before`) and
    ends in the text printed after it (`after`): PDF text of a narrow label column printing a row's
    values on its label's first line ('2.其 0 0 …', then '他法律…禁止公开'), so the values after it
    may be the next row's. Told by a spelling across the run, or by the printed label's first
    characters (two at least, wording among them: '1.申') ending the text before it."""
    label = norm_label(row.label)
    for v in (label, *row.variants):
        if len(v) < 2:
            continue
        head = before[-(len(v) - 1):]
        k = head.find(v[0])
        while k >= 0:  # v begins at k in head and goes on in `after`
            if v.startswith(head[k:]) and after.startswith(v[len(head) - k:]):
                return True
            k = head.find(v[0], k + 1)
    tail = before[-len(label):]
    k = tail.find(label[0])
    while k >= 0:  # the text before ends in the label's first characters
        if len(tail) - k >= 2 and label.startswith(tail[k:]) and wording(tail[k:]):
            return True
        k = tail.find(label[0], k + 1)
    return False


def _split_doubt(vals: list[Tok], line: int, before: list[Tok]) -> str | None:
    """Why a row whose values start on its label's line and go on over later lines is not read when
    values no row took stand right before its label: those may be its own, the ones on later lines
    the next row's (PDF text printing a row's cells in two runs)."""
    if not vals or vals[0].cell or vals[0].line != line or vals[-1].line == line:
        return None
    shown = _shown(t for t in before if t.note is not SPAN)
    return (f"该行的数值从标签所在行延续到其后各行，而标签之前紧挨着未归属的数值（{shown}）：该行的数值可能一部分印在"
            "标签之前，无法确定哪些数值属于该行，不作归属")


def _above_doubt(vals: list[Tok], before: list[Tok], n: int) -> str | None:
    """Why a row of cells is not read when a line of cells no row took (after a label not known: a
    group's) stands right before its label with a value over a cell the row leaves empty: a number
    raised out of a cell too narrow for it is this row's, which would read blank there."""
    above = [t for t in before if t.note is not SPAN]
    if len(above) != n or len(vals) < n or not all(t.cell for t in (*above, *vals[:n])):
        return None
    if not any(a.text and is_value_like(a.text) and not v.text for a, v in zip(above, vals, strict=False)):
        return None
    return (f"该行标签之前紧挨着一行未归属的数值（{_shown(above)}），其中有数值印在本行空着的单元格之上：可能是本行的"
            "数值，无法确定各单元格的值，不作归属")


def _uneven_doubt(vals: list[Tok]) -> str | None:
    """Why a row whose values stand on text lines, one line holding a single value and another several,
    is not read: the single one may be a number wrapped in its cell, printed above or below the row's
    other values (pdftotext -layout: '1840' over '2 0 0 0 0 0', '次' under them)."""
    if not vals or vals[0].cell:
        return None
    per_line: dict[int, int] = {}
    for v in vals:
        per_line[v.line] = per_line.get(v.line, 0) + 1
    if len(per_line) < 2 or 1 not in per_line.values() or max(per_line.values()) < 2:
        return None
    return (f"该行的数值分印在{len(per_line)}行，有的行只有一个数值、有的行有多个（{_shown(vals)}）：单独一行的数值"
            "可能是某个数值在单元格内折行的一段，无法确定各单元格的值，不作归属")


def _lone(tok: Tok, before: Tok) -> bool:
    """Whether `tok` is a number on a text line below `before`'s, the value read before it: perhaps a
    piece of a number wrapped inside its cell."""
    return not tok.cell and tok.line != before.line and any(ch.isdigit() for ch in tok.text)


def _below_doubt(vals: list[Tok], run: list[Tok], label_line: int) -> str | None:
    """Why a row whose values (`vals`) stand on one text line is not read when the next line holds
    text no row label matches and a single number (`run`): that number may be the rest of one of the
    row's values, wrapped inside its cell (pdftotext -layout: '1.信访举报投诉类 5 8 …', then
    '予处理 申请 9561' of '8 9561')."""
    if len(run) != 1 or run[0].line != vals[-1].line + 1 or label_line != run[0].line or not _lone(run[0], vals[-1]):
        return None
    return _wrap_doubt(run[0], "下", vals)


def _wrap_doubt(piece: Tok, where: str, vals: list[Tok]) -> str:
    """Why a row with a number alone on the line right above or below its values is not read."""
    return (f"该行数值的{where}一行单独印有一个无法归属的数字（'{piece.raw}'）：可能是该行某个数值在单元格内折行的"
            f"一段（该行：{_shown(vals)}），无法确定各单元格的值，不作归属")


def _goes_on(before: str, after: str, row: Item) -> bool:
    """Whether the text printed after `row`'s values (`after`) is the rest of its label, a spelling of
    it running on from the text before them (`before`): `…公开申请` / values / `数量` and more values."""
    for v in {norm_label(row.label), *row.variants}:
        for j in range(1, len(v)):
            if before.endswith(v[:j]) and after.startswith(v[j:]):
                return True
    return False


def _label_after_doubt(after: str, first: Tok) -> str:
    """Why a row is not read whose label goes on after its values, with more values after that."""
    return (f"该行标签在其数值之后的行上延续（“{after[:40]}”），其后又有一行数值（'{first.raw}'…）：数值分在两行，"
            "可能是数字折行，无法确定各单元格的值，不作归属")


def _across_doubt(before: str, after: str, run: list[Tok]) -> str:
    """Why a row whose label is printed around a run of values is not read."""
    shown = _shown(t for t in run if t.note is not SPAN)
    return (f"行标签被一行数值隔开（“{before[-20:]}”、数值 {shown}、“{after[:40]}”）：该行标签印在数值前后两处，"
            "无法确定哪一行数值属于该行，不作归属")


def check_widths(tables: Sequence[tuple[TableRead, int]]) -> None:
    """Each row against the width most rows of its table print (`tables`: the parts of one printed
    table, section 二's blocks, each with its number of values per row). Flattened page text prints
    every row as wide as the table (labels, values, then padding up to the width; a blank value and
    a padding cell are both an empty `|`): a row a cell narrower whose values end in an empty cell
    lost a value, and which cannot be told; a row a cell wider with empty cells among its values
    gained one, and which cannot be told either. Elsewhere a row wider than most with empty cells at
    both ends (`_ends_doubt`) holds an extra cell, and which one cannot be told, as does such a row
    as wide as most unless other rows show their extra cells at the end and none at the start (an
    empty cell after every row's label, and a row's last value blank); so does a row with
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
    # rows with empty cells at both ends beyond their values hold a spare column at the end only where
    # other rows show it there and none before the values (an empty cell after every label); page text
    # pads every row to the table's width, which tells
    at_end = sum(tr.trailing for tr, _ in tables) > 0 and not any(tr.leading for tr, _ in tables)
    for tr, n in tables:
        for rid, w in tr.widths.items():
            read = tr.rows.get(rid)
            if read is None or read.reason:
                continue
            if width is not None and padded and w < width and any(t is not None and _padding(t) for t in read.toks):
                shown = _shown(t for t in read.toks if t is not None)
                tr.rows[rid] = RowRead([None] * n, f"该行比表格其他行少{width - w}个单元格（{shown}），可能缺了一个数值，"
                                                  "末尾的空单元格可能只是表格填充，无法确定对应的列")
            elif rid in tr.surplus and ((width is not None and w > width) or not (padded or at_end)):
                tr.rows[rid] = RowRead([None] * n, tr.surplus[rid])  # (wider than most, or no row shows the extra last)
            elif rid in tr.inner and (w > width if padded and width is not None
                                      else not padded and extra is not None and tr.extra[rid] > extra):
                tr.rows[rid] = RowRead([None] * n, tr.inner[rid])  # a cell gained among its values, perhaps


_NUMBER_REST = re.compile(r"\d[\d,.]*[^\w\s、。，；：,.;:()\[\]]{1,2}")  # digits, then a mark no value carries ('1※', '7#')

READ_FEW = 0.2  # at most this share of a table's rows read, ...
UNFOUND = 0.25  # ... this share or more not read at all (no label found, or no values after it), ...
REFUSED_PER_READ = 2  # ... and at least this many rows refused per row read: the table's order is scrambled


def few_placed(tr: TableRead, nrows: int, ncols: int) -> None:
    """A table whose order is scrambled keeps none of its rows: of its `nrows` rows READ_FEW or fewer
    read, UNFOUND or more not read at all (no label found, or no values after it), and REFUSED_PER_READ
    times as many refused as read (their values could not be told from other rows'). Its rows print
    their labels in pieces around other rows' values (plain pdftotext of a Chromium PDF, a converter's
    text lines); the few rows read came out of that order by the same rules and were found mostly
    wrong. (A table printed in part, its rows in order, has few refused.)"""
    read = [rid for rid, r in tr.rows.items() if not r.reason]
    refused = len(tr.rows) - len(read)
    unfound = nrows - len(tr.rows)
    if not read or len(read) > READ_FEW * nrows or unfound < UNFOUND * nrows or refused < REFUSED_PER_READ * len(read):
        return
    why = (f"本表{nrows}行中只读出{len(read)}行，{refused}行的数值无法确定归属，{unfound}行未找到行标签或数值：表格的"
           "印刷顺序错乱，读出的行的数值也可能属于别的行，不作归属")
    for rid in read:
        tr.rows[rid] = RowRead([None] * ncols, why)


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
    shown = _shown(vals)
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
    shown = _shown(vals)
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


def _cell_too_many(tok: Tok, vals: list[Tok]) -> bool:
    """A cell with digits printed on the line of a row's values after all of them (`271#` where a
    column too many was found): one of the row's cells, one too many, not the start of the next
    row's label; the row cannot be read."""
    return bool(vals) and tok.line == vals[-1].line and any(ch.isdigit() for ch in tok.text)


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


_MARK_WORDS = "无空两"  # the wording a mark for none or a spelled number may hold


def _unread_value(tok: Tok, after: Tok | None) -> bool:
    """A cell that stands where a value does and is one, unreadable as printed: a digit with at most
    one other character of wording ('5人', '约3', '5*'), a number's lookalike ('O', a Chinese numeral),
    or, with a value after it, a short mark with no wording ('–', '○', '〃', '…', 'N/A', '十四', '无。')."""
    text = tok.text
    if not tok.cell or len(text) > 20:
        return False
    if any(ch.isdigit() for ch in text):
        return len(wording(text)) <= 1
    return text in LOOKALIKES or (len(text) <= 4 and not wording(text).strip(_MARK_WORDS)
                                  and after is not None and _value_like(after))


def _first_cell(tok: Tok, after: Tok | None, context: list[str], rows: Sequence[Item], rs: RowSet) -> bool:
    """An unreadable value (`_unread_value`) printed after a whole row label and before any value (the
    caller: no row is being read, none skipped): the row's first value, not a piece of the label
    (else the row's values would shift one column to the left)."""
    return (bool(context) and _unread_value(tok, after) and not rs.heading(tok.text)
            and match_label(norm_label(tok.text), rows) is None and match_label("".join(context), rows) is not None)


SILENT = "整张表没有一个数值（PDF 文本层中只有行标签），各单元格按空白读取"


_ROW_NUMBER = re.compile(r"(?<![\d.,])\d{1,2}[.、．](?!\d)")  # a row label's number ('1.属于国家秘密')


def _digit_beside_row_number(t: Tok) -> bool:
    """A digit other than a row label's number, or a glyph the file gives no text for (□: a figure
    of a font without its Unicode map, perhaps): a table holding one was not printed empty."""
    return DAMAGED in t.raw or any(ch.isdigit() for ch in _ROW_NUMBER.sub("", t.text))


def silent_rows(toks: Sequence[Tok], rows: Sequence[Item], cols: Sequence[Item]) -> TableRead | None:
    """A table printed with every cell empty, as a PDF's text layer shows it: every row's label in
    printed order, every column's heading before them (each of its characters: headings wrap), and
    no value anywhere, nor a digit other than a row's number (a value printed against its label,
    `行政事业性收费453.0969`). Each row then reads as blank cells. A table whose values run off the
    page shows its labels alone, and its headings only in part: not blank."""
    if any((_value_like(t) and not _padding(t)) or _digit_beside_row_number(t) for t in toks):
        return None
    text, ends, at = "", [], 0
    for t in toks:  # the normalised text, and where each token's part of it ends
        text += norm_label(t.text)
        ends.append(len(text))
    out = TableRead()
    for r in rows:
        found = [i for v in r.variants if (i := text.find(v, at)) >= 0]
        if not found:
            return None
        if r is rows[0]:
            header = text[:min(found)]
            if not all(any(all(ch in header for ch in v) for v in c.variants) for c in cols):
                return None
        at = min(found)
        line = toks[bisect_right(ends, at)].line
        out.rows[r.id] = RowRead([Tok("", "", line, True, note=SILENT)] * len(cols))
    return out


def read_applications(toks: Sequence[Tok], template: str, doc_ends_here: bool, missing: str,
                      silent_blank: bool = False) -> tuple[list[Cell], list[str]]:
    """Section 三, rows by their labels (`silent_blank`: a table printed without any value is blank)."""
    reg = registry()
    rows = reg.app_rows_for(template)
    sums = dict.fromkeys((r.id for r in rows), row_sums(reg.app_columns))
    tr = read_rows(toks, rows, len(reg.app_columns), doc_ends_here, sums)
    check_widths([(tr, len(reg.app_columns))])
    few_placed(tr, len(rows), len(reg.app_columns))
    if doubt := _grouped_order_doubt(tr.header, reg.app_columns):
        tr.rows = {rid: RowRead([None] * len(reg.app_columns), doubt) for rid in tr.rows}
    if silent_blank and not tr.rows:
        tr = silent_rows(toks, rows, reg.app_columns) or tr
    cells = []
    for r in rows:
        cells += _cells_from_row("applications", None, r.id, reg.app_columns, tr.rows.get(r.id), missing)
    return cells, tr.notes


def read_reviews(toks: Sequence[Tok], template: str, doc_ends_here: bool, missing: str,
                 silent_blank: bool = False) -> tuple[list[Cell], list[str]]:
    """Section 四: one run of values after the headings, groups × metrics in registry order, the
    same in every template, or a run per table of its own (`_grouped_runs`) (`silent_blank`: the
    headings printed without any value are a blank table)."""
    reg = registry()
    n = len(reg.review_groups) * len(reg.review_metrics)
    headings = {norm_label(w) for g in reg.review_groups for w in g.label.split("/")}  # (narrow metric headings wrap)
    text = _norm_text(toks) if silent_blank else ""
    if text and all(h in text for h in headings) \
            and not any((_value_like(t) and not _padding(t)) or DAMAGED in t.raw for t in toks):
        line = toks[0].line
        blank = RowRead([Tok("", "", line, True, note=SILENT)] * len(reg.review_metrics))
        return [c for g in reg.review_groups
                for c in _cells_from_row("reviews", g.id, g.id, reg.review_metrics, blank, missing)], []
    runs = _value_runs(toks) or [_Run([], [])]
    run, lead, tail = runs[0].run, runs[0].lead, runs[0].tail
    if len(runs) > 1 and sum(t.note is not SPAN for t in run) < n and (
            grouped := _grouped_runs(runs, reg.review_groups, reg.review_metrics, toks, doc_ends_here, missing)):
        return grouped, []
    # padding cells precede the numbers (end of the heading rows) or follow them; drop only
    # as many as exceed the count, so a genuinely blank first or last number is kept
    run = [t for t in run if t.note is not SPAN]  # a padding run is never one of the values
    doubt = _surplus_doubt(run, n)
    if lead is not None and run and number_piece(lead.text):  # '８７６，' then the values: a number wrapped in its cell
        shown = _shown(run)
        doubt = (f"数值之前紧接着一段不成整数的数字（'{lead.raw}'）：可能是某个数值在单元格内折行的一段"
                 f"（{shown}），无法确定各单元格的值，不作归属")
    if tail is not None and run:  # '18' on the values' line, '1※' under it: 181※ wrapped in its cell
        doubt = (f"数值之后的下一行以数字开头（'{tail.raw}'）：可能是某个数值在单元格内折行的后一段"
                 f"（{_shown(run)}），无法确定各单元格的值，不作归属")
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


@dataclass
class _Run:
    """A run of section 四's values and what was printed before it (since the run before)."""
    before: list[Tok]
    run: list[Tok]
    lead: Tok | None = None  # the text printed right before the run
    tail: Tok | None = None  # a number's rest on a line below the run ('1※'), where the run ends


def _value_runs(toks: Sequence[Tok]) -> list[_Run]:
    """Section 四's runs of values in print order; a value cell printed unreadably ('约3', 'O', '5*')
    keeps its place in its run, the first one too."""
    out: list[_Run] = []
    cur = _Run([], [])
    started = False
    follow: dict[int, bool] = {}  # _values_follow's answers so far
    for i, tok in enumerate(toks):
        if (is_value_like(tok.text) or tok.note is PIECE) if tok.__class__ is Tok else _value_like(tok):
            cur.run.append(tok)
            started = started or not _padding(tok)
        elif not started and _unread_value(tok, toks[i + 1] if i + 1 < len(toks) else None) \
                and _values_follow(toks, i + 1, follow):
            cur.run.append(tok)  # the first value, printed unreadably ('5*', '–'): not the headings' end
            started = True
        elif started and tok.cell and len(tok.text) <= 20 and (any(ch.isdigit() for ch in tok.text)
                                                               or tok.text in LOOKALIKES):
            cur.run.append(tok)
        elif started:
            if not tok.cell and tok.line > cur.run[-1].line and _NUMBER_REST.fullmatch(tok.text):
                cur.tail = tok
            out.append(cur)
            cur, started = _Run([tok], [], lead=tok), False
        else:
            cur.before += cur.run
            cur.before.append(tok)
            cur.run.clear()
            cur.lead = tok
    if cur.run:
        out.append(cur)
    return out


def _values_follow(toks: Sequence[Tok], i: int, known: dict[int, bool]) -> bool:
    """Whether the cells from `i` on are values, a printed one among them before any text (a stray cell
    before the headings, `2022年` over empty cells, starts no run). `known`: the answers found before,
    by where they start; each cell walked over is given its answer, so none is walked twice."""
    walked, k, follows = [], i, False
    while k < len(toks):
        if k in known:
            follows = known[k]
            break
        walked.append(k)
        if not _value_like(toks[k]):
            break
        if not _padding(toks[k]):
            follows = True
            break
        k += 1
    known.update(dict.fromkeys(walked, follows))
    return follows


def _grouped_runs(runs: list[_Run], groups: tuple[Item, ...], metrics: tuple[Item, ...], toks: Sequence[Tok],
                  doc_ends_here: bool, missing: str) -> list[Cell] | None:
    """Section 四 printed as tables of their own (行政复议 in one, 行政诉讼's two groups in the next):
    each run of values read as the groups that the text before it names, and only those (by the
    label's own part: 行政复议, 未经复议直接起诉, 复议后起诉), printed in the template's order, five
    values a group, every cell counted. None when the runs are not so printed."""
    own = [norm_label(g.label.split("/")[-1]) for g in groups]
    m = len(metrics)
    cells: list[Cell] = []
    at = 0  # the next group
    for r in runs:
        if r.tail is not None or (r.lead is not None and number_piece(r.lead.text)):
            return None
        before = _norm_text(r.before)
        named = [k for k, label in enumerate(own) if label in before]
        printed = [before.rfind(own[k]) for k in named]  # (the section's title names 行政复议 too)
        vals = [t for t in r.run if t.note is not SPAN]
        if (not named or named != list(range(at, at + len(named))) or printed != sorted(printed)
                or len(vals) != m * len(named)):
            return None
        at_end = doc_ends_here and r.run[-1] is toks[-1]
        read = _finish_row(vals, len(vals), at_end, _review_sums(tuple(groups[k] for k in named), metrics))
        for j, k in enumerate(named):
            part = RowRead(read.toks[j * m:(j + 1) * m], read.reason, read.missing_reason)
            cells += _cells_from_row("reviews", groups[k].id, groups[k].id, metrics, part, missing)
        at += len(named)
        if at == len(groups):
            return cells
    return None


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
    shown = _shown(run)
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


def _grouped_order_doubt(header: str, cols: Sequence[Item]) -> str | None:
    """`_order_doubt` for the columns printed under one group heading (法人或其他组织's five, a row of
    the heading of their own): the group's words taken out, as their 其他 is in them. The others
    (自然人, 总计) stand in the heading's rows above and cannot be ordered by the flattened text."""
    grouped = [c for c in cols if c.group]
    for group in {c.group for c in grouped}:
        header = header.replace(norm_label(group), "")
    return _order_doubt(header, grouped)


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
            tr = silent_rows(toks[s:e], block.rows, block.metrics) or tr
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


def detect_template(toks: dict[str, Sequence[Tok]], year_template: str | None = None) -> tuple[str | None, str | None]:
    """(template, how it was told) from printed column headings and sub-rows (`toks`: each section's
    tokens, by numeral; the registry's cues say which sections they look in). A cue that a printed
    variant of `year_template` (the report year's) shows as well tells nothing against the year: a
    2023 report printing （六）其他处理 as one row, as 2019's template does, is the year's template."""
    text: dict[str, str] = {}  # each section's text, made when a cue first looks in it
    for cue in registry().cues:  # the registry's cues, in order: the first found names the template
        if cue.section in toks and cue.section not in text:
            text[cue.section] = _norm_text(toks[cue.section])
        if any(v in text.get(cue.section, "") for v in cue.texts):
            if year_template not in (None, cue.template):
                variant = detect_variant(year_template, toks)
                if variant is not None and variant.section == cue.section:
                    return year_template, f"{cue.how}，按报告年度"
            return cue.template, cue.how
    return None, None


# how each table kind of the registry is read from its section's tokens
READERS = {"active": read_active, "applications": read_applications, "reviews": read_reviews}

"""Rows read by their labels, from a section's tokens (`read_rows`).

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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from operator import attrgetter

from gkqc.cells import DAMAGED, LOOKALIKES, is_value_like, spelled_number
from gkqc.readers.crawl import GluedRun
from gkqc.readers.glued import Sums, spaced_number, split_glued
from gkqc.readers.row_labels import RowSet, label_doubt, out_of_order, row_set, wording
from gkqc.readers.tokens import MERGED, OFF_GRID, PIECE, SHORT, SPAN, WRAPPED, RowRead, Tok, number_piece
from gkqc.templates import Item, match_label, norm_label

_CUT_NUMBER = re.compile(r"(?:^|[^\d,.+-])([+-]?\d[\d,.]*[,.])$")  # text ending in a number cut after its separator ('请 43,' of '43, 344')
_GLUED = re.compile(r"^(.*?[^\d,.\s+-])\s*(\d[\d,]*)$")  # a label, then digits (a trailing comma is the label's)


TRUNCATED = "文件在此处中断（疑似截断），之后的单元格未找到"
CUT = "文件在此数值处结束（疑似截断），该数值可能不完整，不予读取"  # the note of a text's last token when it ends in a digit


@dataclass
class TableRead:
    rows: dict[str, RowRead] = field(default_factory=dict)
    firsts: dict[str, Tok] = field(default_factory=dict)  # row id -> its first value (where it is printed)
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


def _finish_row(vals: list[Tok], n: int, at_end: bool, sums: Sums = (), signed: frozenset[int] = frozenset()) -> RowRead:
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
    if (len(vals) == n or at_end) and any(v.note is OFF_GRID for v in vals):  # (other counts: refused below)
        return RowRead([None] * n, f"{OFF_GRID}（空单元格之外印出的数值：{_shown(vals)}）：空单元格是空白数值还是多出的一格、"
                                   "各数值属于哪一列，无法确定，不作归属")
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
        return split_glued(vals, n, sums, signed)
    runs = [v for v in vals if _digits_run(v)]
    if runs:
        return RowRead([None] * n, f"数字连在一起、单元格之间无分隔（'{runs[0].raw}'），无法确定各单元格的值，不作猜测拆分")
    shown = _shown(vals)
    return RowRead([None] * n, f"该行只有{len(vals)}个值（{shown}），应有{n}个，无法确定对应的列")


def read_rows(toks: Sequence[Tok], rows: Sequence[Item], ncols: int, doc_ends_here: bool,
              sums: dict[str, Sums] | None = None, signed: frozenset[int] = frozenset()) -> TableRead:
    """Read labelled rows of `ncols` values each from a section's tokens (`sums`: each row's
    total equations, and `signed`: the columns that may be negative, used only to split a crawl's
    glued values)."""
    return _RowReader(toks, rows, ncols, sums or {}, signed).read(doc_ends_here)


class _RowReader:
    """One pass over a section's tokens: label text gathers until a value follows it (`_label_text`);
    the first value starts the row that text names (`_start_row`); the row's values gather until
    the next label text, when the row is judged (`_finish`)."""

    def __init__(self, toks: Sequence[Tok], rows: Sequence[Item], ncols: int, sums: dict[str, Sums],
                 signed: frozenset[int] = frozenset()) -> None:
        self.toks, self.rows, self.ncols, self.sums, self.signed = toks, rows, ncols, sums, signed
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
                if self.row is None and not self.skip and _first_cell(tok, nxt, self.context, rows, rs,
                                                                           self.lines[-1] if self.lines else None):
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
            return Tok(m.group(2), m.group(2), tok.line, at=tok.at + m.start(2) if tok.at and len(tok.raw) == len(tok.text) else 0)
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
        if row is not None:
            out.firsts.setdefault(row.id, tok)  # (where its cells are kept, should the row be refused)
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
        read = _finish_row(vals, ncols, at_end, sums, self.signed)
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
    one other character of wording ('5人', '约3', '5*'), a number's lookalike ('O', a Chinese numeral) or a
    number spelled without a digit ('十万', '壹拾贰'),
    or, with a value after it, a short mark with no wording ('–', '○', '〃', '…', 'N/A', '十四', '无。')."""
    text = tok.text
    if not tok.cell or len(text) > 20:
        return False
    if any(ch.isdigit() for ch in text):
        return len(wording(text)) <= 1
    return text in LOOKALIKES or (len(text) <= 4 and not wording(text).strip(_MARK_WORDS)
                                  and after is not None and _value_like(after)) or spelled_number(text)


def _first_cell(tok: Tok, after: Tok | None, context: list[str], rows: Sequence[Item], rs: RowSet,
                label_line: int | None = None) -> bool:
    """An unreadable value (`_unread_value`) printed after a whole row label and before any value (the
    caller: no row is being read, none skipped): the row's first value, not a piece of the label
    (else the row's values would shift one column to the left). So is text beside the label on its own
    line (`label_line`) of text, its last, with at most two characters of wording, or a number spelled: a PDF row
    printing no value read whole ('行政许可  约3', '行政许可  不详') is a line of text, not a table's
    row, and its value no cell (else the cell read as not found, or blank); more wording is a label's
    (`（六）其他处理  2.申请人逾期未按…`)."""
    beside = not tok.cell and tok.line == label_line and (after is None or after.line != tok.line) \
        and len(tok.text) <= 20 and (len(wording(tok.text)) <= 2 or spelled_number(tok.text))
    return (bool(context) and (beside or _unread_value(tok, after)) and not rs.heading(tok.text)
            and match_label(norm_label(tok.text), rows) is None and match_label("".join(context), rows) is not None)

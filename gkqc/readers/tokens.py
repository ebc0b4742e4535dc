"""Turning each collected form into one stream of tokens (cell or line texts).

All three forms end up as the same thing: an ordered list of short texts, each
with the source line it came from. Tables are then read from labels in
``label_rows.py``; nothing here knows the template but the words of its column headings, which tell a
table's spare last column (备注, `spare_cells`) from one of its own.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from gkqc.cells import is_value_like, normalize
from gkqc.limits import cached_when_short
from gkqc.readers.errors import Unreadable
from gkqc.templates import drawn_from_registry, norm_label, registry


@dataclass(slots=True)
class Tok:
    text: str  # NFKC-normalised, stripped
    raw: str  # as printed, stripped
    line: int  # 1-based source line
    cell: bool = False  # a table cell of its own (page-text `|` cell, HTML <td>), not a text line
    conf: float | None = None  # read by OCR: the engine's confidence (0–1); the cell's status is `ocr`
    note: str | None = None  # how the value was told apart (a split rule, columns by position): the cell's reason
    inferred: bool = False  # the value comes from a split fixed only by the row's printed total (status `inferred`)
    refused: bool = False  # the reader cannot tell this cell's value from its neighbours': unreadable, `note` says why
    placed: bool = False  # put in its column by where it is printed (PDF, OCR): a column too many moves it
    at: int = 0  # a crawl's: its 1-based character offset in its source line, in its cell's reason (0: none kept)


@dataclass
class RowRead:
    """Raw value tokens of one row (None where not found) and why, if unreadable."""

    toks: list[Tok | None]
    reason: str | None = None  # set: every cell of the row is unreadable for this reason
    missing_reason: str | None = None  # set: cells that are None are missing for this reason


nfkc = cached_when_short(maxsize=131072)(normalize)  # a token's text from its raw text


def _tok(raw: str, line: int, cell: bool = False) -> Tok:
    raw = raw.strip()
    return Tok(nfkc(raw), raw, line, cell)


SPAN = "跨列表头的填充（一行只有竖线），不是数值单元格"  # the note of a page-text padding run's cells
SHORT = "表格中该行比上下两行都少单元格，且以空单元格结尾"  # the note of such a row's last cell (mark_short)
OFF_GRID = "该行单元格数与表格其他行不同（转换时多了或少了单元格），且数值之间有空单元格"  # a Markdown row's values (markdown.py)
MERGED = "数值单元格跨列合并"  # the note of a value cell spanning columns (colspan, gridSpan): whose column is it?
SMALL_MARK = "单元格中有数字比同一数字的其他数字小得多（可能是注释标记，印在数字旁），无法确定单元格的值，不作猜测"
SMALLER = 0.85  # of a number's size: a digit smaller than this beside its other digits is a mark's (SMALL_MARK)
IN_NUMBER = frozenset("0123456789,.，．０１２３４５６７８９")  # a number's characters, as printed
MAX_SPAN = 64  # a colspan / rowspan beyond this is damage, not a table
MAX_COVERED = 1000  # grid places covered at once by cells from rows above (a report's table: a few dozen)
_PLACEHOLDER = re.compile(r"^(?:数据|列|字段|栏目?|column|col|field|unnamed:?)_?\d{1,3}$", re.I)  # a converter's heading
_GENERIC = frozenset({"类别", "项目", "类型", "分类", "序号", "名称", "内容", "信息内容", "指标", "总计", "合计",
                      "备注", "单位"})  # generic column headings


def mark_short(rows: Sequence[tuple], cells: list[Tok], text_before_last: Callable[[tuple], bool]) -> None:
    """A row narrower on the grid than the rows above and below it lost a cell or never had one:
    when its last cell is empty and another holds text (`text_before_last`), that cell may be a blank
    value or a spare column's (备注), and which value went missing cannot be told. Its last cell says
    so (`SHORT`); label_rows.py refuses the row. (A row of empty cells alone, as a page cut inside it, is
    no row.) `rows`: (width, place of the last cell, its token index or -1 when it was not read last, …)."""
    for k, row in enumerate(rows):
        width, _, last = row[:3]
        if k > 0 and width < rows[k - 1][0] and (k + 1 == len(rows) or width < rows[k + 1][0]) \
                and last >= 0 and not cells[last].text and text_before_last(row):
            cells[last] = replace(cells[last], note=SHORT)


@drawn_from_registry()
def _column_words() -> tuple[frozenset[str], tuple[str, ...]]:
    """Printed column headings of every table (exact words; prefixes for long ones)."""
    reg = registry()
    words = {c.label for c in reg.app_columns} | {c.group for c in reg.app_columns if c.group}
    words |= {m.label for m in reg.review_metrics} | {p for g in reg.review_groups for p in g.label.split("/")}
    long: set[str] = set()
    for t in reg.templates:
        for b in reg.blocks_for(t):
            for m in b.metrics:
                words |= {m.label, *m.variants}
                long |= {v for v in m.variants if len(v) >= 4}
    return frozenset(norm_label(w) for w in words), tuple(sorted(long))


def heading_word(cell: str) -> bool:
    """A column heading printed in some template's table (本年新收政府信息公开申请数量, 自然人…)."""
    words, prefixes = _column_words()
    n = norm_label(cell)
    return n in words or n.startswith(prefixes)


def spare_column(texts: list[str]) -> bool:
    """A table's last column, its cells' texts, is spare (such as 备注): nothing in it but empty
    cells and words that are neither a value, a heading of the templates nor a column's name
    (数据3, 总计), and not every cell filled. Read with it, a row's blank first value and its empty
    spare cell could not be told from a cell too many at either end. (The HTML and Word readers,
    which have the table's grid, drop an empty last column too, `spare_cells`; the Markdown reader
    only one with a word in it.)"""
    return not all(texts) and not any(t and (is_value_like(t) or heading_word(t) or _column_name(t)) for t in texts)


def _column_name(cell: str) -> bool:
    """A converter's placeholder heading (数据3) or a generic one (总计, 合计) but 备注: the name of a
    column that may hold values."""
    n = norm_label(cell)
    return bool(_PLACEHOLDER.match(n)) or (n in _GENERIC and n != "备注")


def spare_cells(rows: Sequence[tuple], cells: list[Tok]) -> set[int]:
    """The cells (token indexes) of a table's spare last column, such as 备注, which no template
    has: the table's last place on the grid, three rows at least, spare by `spare_column`. The HTML
    and Word readers drop them, after `mark_short`; `rows` as it takes them. Every row as wide as
    the table ends in a cell of its own there, read last, or the column stays (a cell merged across
    into the last place, or down into it from the row above: whose column is it?)."""
    width = max((row[0] for row in rows), default=0)
    last = [row[2] for row in rows if row[0] == width and row[1] == width - 1]
    if len(last) < 3 or len(last) < sum(row[0] == width for row in rows) or min(last) < 0:
        return set()  # (a row whose last cell was not read last: the walker cannot tell)
    return set(last) if spare_column([cells[k].text for k in last]) else set()


def span_of(v: str | None) -> int:
    """A `colspan` or `rowspan` attribute as a count of grid cells (1 when absent or damaged)."""
    try:
        return min(max(int(v or 1), 1), MAX_SPAN)
    except ValueError:
        return 1


def spans_of(cells) -> list[tuple[int, int]]:
    """Each HTML cell's (colspan, rowspan), 1 where it has none."""
    return [(span_of(c) if (c := td.get("colspan")) else 1, span_of(r) if (r := td.get("rowspan")) else 1)
            for td in cells]


def place(carry: dict[int, int], spans: list[tuple[int, int]]) -> tuple[list[int], int]:
    """Where each cell of a table row starts on the table's grid, and the row's width: each cell
    (colspan, rowspan) takes the next positions no cell above still covers. `carry` (position ->
    rows a cell above still covers) is updated for the row below."""
    if not carry and spans.count((1, 1)) == len(spans):  # the common row: a cell a place, none covered
        return list(range(len(spans))), len(spans)
    starts: list[int] = []
    pos = 0
    for across, down in [*spans, (0, 0)]:  # the sentinel: positions still covered after the last cell
        while pos in carry:
            carry[pos] -= 1
            if not carry[pos]:
                del carry[pos]
            pos += 1
        if not across:
            break
        starts.append(pos)
        if down > 1:
            carry.update({k: down - 1 for k in range(pos, pos + across)})
        pos += across
    if len(carry) > MAX_COVERED:  # each row walks them: a file of such rows would take hours
        raise Unreadable(f"表格中跨行合并的单元格同时覆盖超过 {MAX_COVERED} 格，不是年度报告的表格（可能是损坏或恶意构造的文件），未读取")
    return starts, pos


_PAGE_NO = re.compile(r"^[-—–]\s*\d+\s*[-—–]$|^第\s*\d+\s*页(\s*共\s*\d+\s*页)?$")


def mark_merged(cells: list[Tok], placed: list[tuple[int, int, int, int]], any_row: bool = False) -> None:
    """A table's values merged across columns that its other rows of values print apart get `MERGED`
    (label_rows.py refuses their rows: whose column is the value?). `placed`: each cell's token index (-1:
    none), place on the table's grid, the places it spans and its row. A cell spanning places no row
    of values divides (a grid drawn finer than the table's columns, as for a heading above) is one
    column's. `any_row`: a heading's row divides too (a converter's table, drawn on no finer grid)."""
    def valued(k: int) -> bool:
        return k >= 0 and cells[k] is not None and bool(cells[k].text) and is_value_like(cells[k].text)

    rows = {row for k, _, _, row in placed if valued(k)}
    edges = sorted({at for _, at, _, row in placed if any_row or row in rows})
    for k, at, across, _ in placed:
        if across > 1 and valued(k) and (j := bisect_right(edges, at)) < len(edges) and edges[j] < at + across:
            cells[k].note = MERGED  # (an edge strictly inside the places it spans)


PIECE = "数值之间有一段不成整数的数字，可能是某个数值在单元格内折行的一段"  # the note of such a piece among values
_PIECE = re.compile(r"[+-]?\d(?=[\d,]*,)[\d,]*")  # digits and commas


def number_piece(text: str) -> bool:
    """Digits and commas that no number is ('73,87', '9,1', '546,'): a piece of a number wrapped
    inside its narrow cell. `text` is NFKC-normalised."""
    return "," in text and _PIECE.fullmatch(text) is not None and not is_value_like(text)


def split_trailing_values(raw: str, line: int, pieces: bool = False) -> list[Tok]:
    """A text line as `label v1 v2 …`: the label, then each trailing value token. With `pieces`, a
    piece of a wrapped number among the values ('3.要 1 0 46,42 0 0 0 1') is one of them, its note
    saying so (`PIECE`), not the end of the label."""
    parts = raw.split()
    values: list[Tok] = []  # from the line's end
    while parts:
        t = nfkc(parts[-1])
        if is_value_like(t):
            values.append(Tok(t, parts.pop(), line))
        elif pieces and number_piece(t):
            values.append(Tok(t, parts.pop(), line, note=PIECE))
        else:
            break
    values.reverse()
    if not parts:
        return values
    label = Tok(t, parts[0], line) if len(parts) == 1 else _tok(" ".join(parts), line)  # (one part: its text is t)
    return [label, *values]


_ESCAPED = re.compile(r"\\([*\-+_#.!()\[\]{}<>`~])")  # Markdown's escapes (not of `|`: that one is a cell's edge)


def pagetext_tokens(text: str) -> list[Tok]:
    """Flattened page text: `cell |` per cell, runs of `|` for padding cells."""
    out: list[Tok] = []
    append = out.append
    for n, line in enumerate(text.splitlines(), 1):
        if "\\" in line:  # a converter's Markdown escapes ('\\*', '\\-'), printed as the mark itself
            line = _ESCAPED.sub(r"\1", line)
        bars = line.count("|")
        if bars == 1 and line[-1] == "|":  # the common line: one cell
            c = line[:-1].strip()
            append(Tok(nfkc(c), c, n, True) if c else Tok("", "", n, True))
            continue
        if not bars:
            if line.strip():
                out.extend(split_trailing_values(line, n))
            continue
        if not line.strip(" |"):  # a run of padding cells (a spanning header row): one shared token,
            pad = Tok("", "", n, True, note=SPAN if bars > 1 else None)  # never a value (a blank cell: `|` alone)
            out.extend([pad] * bars)
            continue
        cells = line.split("|")
        if not cells[-1].strip():
            cells.pop()
        for c in cells:
            c = c.strip()
            append(Tok(nfkc(c), c, n, True) if c else Tok("", "", n, True))
    return out


WRAPPED = "相邻几行都只有一个数字、其间没有空行，而前后单元格之间都有空行：可能是一个数值在单元格内折行"  # such a piece's note


def pdftext_tokens(text: str) -> list[Tok]:
    """PDF-extracted text: rows on lines, values separated by spaces. Where each cell stands between
    blank lines (pdfium, pdftotext of a LibreOffice PDF), lines of one number each with no blank line
    between them, beside a cell standing alone, may be one number wrapped inside its narrow cell
    ('7598' / '6478' / '0' of 759864780): their tokens say so (`WRAPPED`), and label_rows.py refuses the row."""
    blocks: list[list[list[Tok]]] = [[]]  # runs of non-blank lines, each line's tokens
    for n, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        if not s:
            if blocks[-1]:
                blocks.append([])
            continue
        if _PAGE_NO.match(unicodedata.normalize("NFKC", s)):
            continue
        blocks[-1].append(split_trailing_values(s, n, pieces=True))
    one = [all(len(ln) == 1 and is_value_like(ln[0].text) for ln in b) for b in blocks]  # lines of one number
    out: list[Tok] = []
    for k, b in enumerate(blocks):
        if len(b) > 1 and one[k] and any(0 <= j < len(blocks) and len(blocks[j]) == 1 and one[j] for j in (k - 1, k + 1)):
            out.extend(replace(ln[0], note=WRAPPED) for ln in b)
            continue
        for ln in b:
            out.extend(ln)
    return _lone_separators(out)


def _lone_separators(toks: list[Tok]) -> list[Tok]:
    """A separator alone on its line between digits ('６' / '，' / '５' of ５４６，５４８, its cell one
    figure wide) is a piece of the number wrapped around it (`PIECE`): the values it stands among
    cannot be told apart, and the row or run holding it is refused."""
    for k in range(1, len(toks) - 1):
        t = toks[k]
        if (t.text == "," or t.text == ".") and toks[k - 1].line != t.line != toks[k + 1].line \
                and toks[k - 1].text[-1:].isdigit() and toks[k + 1].text[:1].isdigit():
            toks[k] = replace(t, note=PIECE)
    return toks

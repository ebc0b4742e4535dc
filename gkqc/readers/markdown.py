"""Converter Markdown: `#` headings, pipe tables, converter noise rows.

PDF-to-Markdown tools write sections as `#` headings and tables as pipe rows (or HTML <table>
fragments); merged cells come out repeated or left empty, and heading rows the tool could not
read come out as placeholders (`| 类别 | 数据1 | … | 总计 |`). Each table row becomes its label
cells (empty merged-cell remnants dropped; the first label ends any row before it, as a new
<tr> does) and then one cell token per value column, blanks included, so a row that lost or
gained a cell is refused by label_rows.py, never shifted. Values under placeholder headings, with no
real heading row in the section (or block of section 二), carry a note: their columns come from
the template's order alone.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

from lxml import etree

from gkqc.cells import TWO_NUMBERS, is_value_like
from gkqc.readers.sections import find_headings
from gkqc.readers.shown import beside_controls, cell_text, shown
from gkqc.readers.tokens import (
    _GENERIC,
    _PAGE_NO,
    _PLACEHOLDER,
    OFF_GRID,
    Tok,
    _tok,
    heading_word,
    mark_merged,
    nfkc,
    place,
    spans_of,
    spare_column,
    split_trailing_values,
)
from gkqc.readers.tokens import MERGED as SPANNED
from gkqc.templates import drawn_from_registry, norm_label, registry

NOTE = "列标题缺失（转换噪声），按模板列序读取"
_HEAD = 200_000  # characters looked at by is_markdown
# ([ \t]*+: a run of spaces is never given back, where two runs meet around an optional `|`; what
# follows each is never a space, so nothing is lost, and a long run is no longer split every way)
_SEP_LINE = re.compile(r"^[ \t]*+\|?[ \t]*+:?-{3,}:?[ \t]*+(?:\|[ \t]*+:?-{3,}:?[ \t]*+)+\|?[ \t]*+$", re.M)
_ATX_LINE = re.compile(r"^ {0,3}#{1,6}[ \t]+\S.*$", re.M)
_GRID_LINE = re.compile(r"^[ \t]*\+(?:[-=:]{3,}\+){2,}[ \t]*$", re.M)  # a grid table's border, two cells at least
_GRID_BORDER = re.compile(r"\+(?:[-=:]+\+)+")
_HTML_PAGE = re.compile(r"<html|<body|<!doctype", re.I)
_CJK = re.compile("[\u4e00-\u9fff]")
_DIGIT = re.compile(r"\d")
_ATX_OPEN = re.compile(r"#{1,6}(?=[ \t]|$)")
_SEP_CELL = re.compile(r"^:?-+:?$")
_PIPE = re.compile(r"(?<!\\)\|")
_MARKUP = re.compile(r"[<&\\]|\*\*|__")  # what _clean has to look at
_BR = re.compile(r"<br\s*/?>", re.I)
# (\d?)\s*<br…: the spaces are taken only from the start of their run (the lookbehind), else a long
# run would be scanned again from each of its spaces; it never matches from inside a run anyway.
# A run of breaks (`3<br><br>5`, an empty line between) is one break: each alone would drop both.
# A number's piece on either side (a digit, a separator, a sign before: `-<br>3`, `1,<br>234`) is kept apart.
_BR_AROUND = re.compile(r"([\d.,．+\-－−]?)(?:(?<!\s)\s+)?(?:<br\s*/?>\s*)+([\d.,，．]?)", re.I)
_TAG = re.compile(r"</?(?!br\b)[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>", re.I)  # any tag but <br>
_EMPH = re.compile(r"(\*\*|__)(.+?)\1")
_ESC = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|<>~])")
_SKIP_LINE = re.compile(r"^(?:-{3,}|\*{3,}|_{3,}|={3,}|`{3,}.*|~{3,}.*|<!--.*-->|!\[[^\]]*\]\([^)]*\))$")


_BOLD_HEADING = re.compile(r"^\*\*[一二三四五六七八九十]{1,3}[、.．]", re.MULTILINE)  # '**一、总体情况**' on its own line


def _atx_text(s: str) -> str | None:
    """The text of `s` (a stripped line) as an ATX heading, its closing #s gone ('' when none); None
    when `s` is no heading. By string steps: the pattern it replaces scanned a long run of spaces
    inside a heading once for each of its characters."""
    m = _ATX_OPEN.match(s)
    if m is None:
        return None
    text = s[m.end():].lstrip(" \t").rstrip(" \t")
    unclosed = text.rstrip("#")
    if len(unclosed) < len(text) and unclosed[-1:] in (" ", "\t"):  # `## 标题 ##`: a closing sequence
        text = unclosed.rstrip(" \t")
    return text


def is_markdown(text: str) -> bool:
    """True when the text is a converter's Markdown: a pipe table with its `|---|` separator row, or
    at least two `#` headings in Chinese, or two section headings in bold (looks at a bounded head)."""
    head = text[:_HEAD]
    if "|" not in head and "#" not in head:
        return False
    if _HTML_PAGE.search(head[:4096]):
        return False
    if "+-" in head and len(_GRID_LINE.findall(head)) >= 2:  # pandoc's grid tables: `+---+---+` borders
        return True
    for m in _SEP_LINE.finditer(head) if "---" in head else ():  # a separator row has a `---`
        end = m.start() - 1  # the line break before the separator row
        above = head[head.rfind("\n", 0, max(end, 0)) + 1:max(end, 0)]
        if "|" in above and above.strip(" \t\r|-:"):
            return True
    found = 0
    for m in _ATX_LINE.finditer(head) if "#" in head else ():
        found += bool(_CJK.search(m.group(0)))
        if found >= 2:
            return True
    return "**" in head and len(_BOLD_HEADING.findall(head)) >= 2  # pandoc's: section headings in bold


_TABLE_BLOCK = re.compile(r"<table\b.*?(?:</table\s*>|\Z)", re.I | re.S)
_PAGE_TAG = re.compile(r"<(?:p|div|span|br|h[1-6]|li|ul|ol|section|article|font|b|strong|center|body)\b", re.I)


def is_text_with_tables(text: str) -> bool:
    """True for plain text with HTML <table> fragments in it (pandoc's Markdown of a Word file, its
    tables written as HTML): paragraphs apart by blank lines, and no HTML outside the tables that
    lays out a page (<p>, <div>, <br>…). Such text is read line by line, as Markdown is, not as a
    page, where its lines would run together."""
    head = text[:_HEAD]
    rest = _TABLE_BLOCK.sub("", head)
    return len(rest) < len(head) and not _PAGE_TAG.search(rest) and rest.count("\n\n") >= 3


@dataclass
class _Scope:
    """What the tables of one section (or block of section 二) have shown so far."""

    headed: bool = False  # a real column-heading row was seen
    noise: bool = False  # a placeholder heading row was seen
    vstart: dict[int, int] = field(default_factory=dict)  # table width -> first value column
    spare: set[int] = field(default_factory=set)  # widths of tables whose last column was spare

    def boundary(self, text: str) -> None:
        """A section heading starts a new scope; a block label of section 二 needs its own
        heading row again (placeholders seen above still count, as does the grid)."""
        kind = _boundary(text) if text and ("第" in text or text[0] in registry().numerals) else None
        if kind:
            self.headed = False
        if kind == "section":
            self.noise = False
            self.vstart.clear()
        if kind:
            self.spare.clear()


@drawn_from_registry(maxsize=4096)
def _boundary(text: str) -> str | None:
    """'block' for a block label of section 二, 'section' for a section heading, else None."""
    reg = registry()
    n = norm_label(text)
    if any(norm_label(b.label) in n for t in reg.templates for b in reg.blocks_for(t)):
        return "block"
    return "section" if find_headings([Tok(text, text, 0)]) else None


def _placeholder(cell: str) -> bool:
    return bool(_PLACEHOLDER.match(norm_label(cell)))


def _noise_row(cells: list[str]) -> bool:
    """A heading row a converter made up: placeholders (数据1, 列2, Column3…) and generic words."""
    if not any(c and c[0] in "数列字栏CcFfUu" for c in cells):
        return False
    filled = [c for c in cells if c]
    marks = sum(_placeholder(c) for c in filled)
    return marks >= 1 and all(_placeholder(c) or norm_label(c) in _GENERIC for c in filled)


@lru_cache(maxsize=65536)
def _labelish(cell: str) -> bool:
    """Text that labels a row (not a damaged value such as '约3')."""
    return bool(cell) and not is_value_like(cell) and (not _DIGIT.search(cell) or len(_CJK.findall(cell)) >= 2)


def _clean(raw: str) -> str:
    """A cell's or line's text: tags and emphasis dropped, `<br>` inside a label joined, entities
    and escapes resolved. A `<br>` between two digits stays as printed (the cell is unreadable).
    Inline HTML is read as an HTML page shows it: a digit it hides is no text, one it raises,
    lowers or strikes through no digit of the number beside it (`12<sup>1</sup>` is not 121)."""
    parsed = "<" in raw and _TAG.search(raw) is not None
    if parsed:
        raw = _inline_html(raw)  # (entities resolved by the parser)
    if "<" in raw:
        raw = _BR_AROUND.sub(_join_br, raw)
    if "&" in raw and not parsed:
        raw = html.unescape(raw)
    if "\\" in raw:
        raw = _ESC.sub(r"\1", raw)
    if "**" in raw or "__" in raw:
        raw = _EMPH.sub(r"\2", raw)
    return raw.strip()


def _inline_html(raw: str) -> str:
    """A Markdown cell's or line's inline HTML as shown (`shown.cell_text`), its tags gone (in an element
    of its own that no stray end tag closes: `12</div>3` shows 123, as a browser shows it)."""
    root = etree.fromstring(f"<gkqc-cell>{raw}</gkqc-cell>", etree.HTMLParser(huge_tree=True))
    cell = None if root is None else root.find(".//gkqc-cell")
    if cell is None:
        return _TAG.sub("", raw)
    shown(root, raw)
    return beside_controls(cell_text(cell))


def _join_br(m: re.Match[str]) -> str:
    """本年<br>制发件数 -> 本年制发件数; 1<br>2 (or 1<br><br>2) is 1<br>2 (two numbers: never glued into 12),
    and so is a number's piece on a line (-<br>3 is not -3, 12.<br>5 not 12.5)."""
    a, b = m.group(1), m.group(2)
    return a + ("<br>" if a and b else "") + b


def _row_cells(line: str, bordered: bool = True) -> list[str]:
    """A pipe row's cells; `bordered`: a `|` at either end is the table's border, not an empty cell's
    edge (`_bordered` tells)."""
    s = line.strip()
    if bordered and s.startswith("|"):
        s = s[1:]
    if bordered and s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    return _PIPE.split(s) if "\\" in s else s.split("|")


def _is_separator(cells: list[str], second: bool) -> bool:
    """`|---|:---:|` (a row of `-` blank marks counts only as a table's second row)."""
    parts = [c.strip() for c in cells]
    return all(_SEP_CELL.match(p) for p in parts) and (second or all(p.strip(":").count("-") >= 3 for p in parts))


@dataclass
class _Later:
    """What `_value_start` needs of the rows (not converter noise) of a table's later parts — the
    tables that follow it with nothing but blank or skipped lines between — as wide as it is:
    summed once for every part, from the last (a run of parts may be long)."""

    first: int | None = None  # the first column holding a value, in any of them
    last_filled: bool = False  # any of them has its last cell filled
    labelled: set[int] = field(default_factory=set)  # the columns where any of them has a label


def _width(rows: list[tuple[int, list[str]]]) -> int:
    return Counter(len(c) for _, c in rows).most_common(1)[0][0]


def _later_parts(parts: list[list[tuple[int, list[str]]]]) -> list[_Later]:
    """For each part of a cut table, its `_Later`."""
    seen: dict[int, _Later] = {}  # width -> the rows of that width seen so far, from the last part
    out: list[_Later] = []
    for rows in reversed(parts):
        had = seen.get(_width(rows)) if rows else None
        out.append(_Later(had.first, had.last_filled, set(had.labelled)) if had else _Later())
        for _, c in rows:
            if _noise_row(c):
                continue
            agg = seen.setdefault(len(c), _Later())
            if (f := _first_value(c)) < len(c) and (agg.first is None or f < agg.first):
                agg.first = f
            agg.last_filled = agg.last_filled or bool(c and c[-1])
            agg.labelled.update(k for k, x in enumerate(c) if _labelish(x))
    return out[::-1]


def _table_tokens(rows: list[tuple[int, list[str]]], scope: _Scope, out: list[Tok], later: _Later | None = None) -> None:
    """One table's rows (source line, cleaned cells) as tokens; `later`: what its later parts show."""
    if not rows:
        return
    width = _width(rows)
    grid = [len(c) == width for _, c in rows]  # rows on the table's grid (a row a cell short stays off it)
    if _spare_in(rows, width, scope):
        rows = [(line, c[:-1] if on else c) for (line, c), on in zip(rows, grid, strict=True)]
    firsts = [_first_value(c) for _, c in rows]
    kinds = ["noise" if _noise_row(c) else "data" if f < len(c) else "heading" if any(heading_word(x) for x in c if x)
             else "data" for (_, c), f in zip(rows, firsts, strict=True)]
    vstart = _value_start(rows, kinds, firsts, grid, width, scope, later or _Later())
    for (line, cells), kind, first, on in zip(rows, kinds, firsts, grid, strict=True):
        if kind == "noise":
            scope.noise = True
            kept = [c for c in cells if c and not _placeholder(c) and norm_label(c) not in _GENERIC]
            _labels(kept, line, scope, out)
            continue
        if kind == "heading":
            scope.headed = True
            _labels([c for c in cells if c], line, scope, out)
            continue
        labels, values, lost = _split_row(cells, first, on, vstart)
        _labels(labels, line, scope, out)
        note = NOTE if scope.noise and not scope.headed else None
        merged = next((c for c in values if TWO_NUMBERS.search(nfkc(c))), None)
        if merged is not None:  # a converter merged two columns: no cell of the row is where it was printed
            note = MERGED.format(merged.strip())
        elif lost:  # off its grid with a blank among its values dropped: label_rows.py refuses the row
            note = OFF_GRID
        refused = merged is not None
        for c in values:
            out.append(Tok(nfkc(c), c, line, True, note=note, refused=refused) if c
                       else Tok("", "", line, True, note=note, refused=refused))


MERGED = "该行有单元格含两个数（'{}'），转换工具合并了相邻的列，各单元格的值与位置无法确定"


def _spare_in(rows: list[tuple[int, list[str]]], width: int, scope: _Scope) -> bool:
    """Whether the table's rows of its width end in a spare column (`spare_column`) with a word in
    it (an empty last column stays: its cells may be blank values), or an earlier part of the
    table, as wide, had one (noted in `scope`)."""
    texts = [c[-1] for _, c in rows if len(c) == width]
    if width < 3 or not spare_column(texts):
        return False
    if width not in scope.spare and (len(texts) < 3 or not any(texts)):
        return False
    scope.spare.add(width)
    return True


def _first_value(cells: list[str]) -> int:
    """Index of the row's first printed value (len(cells) if none)."""
    for i, x in enumerate(cells):
        if x and is_value_like(x):
            return i
    return len(cells)


def _value_start(rows: list[tuple[int, list[str]]], kinds: list[str], firsts: list[int], grid: list[bool],
                 width: int, scope: _Scope, later: _Later) -> int | None:
    """The table's first value column: under its heading words, else as an earlier part of the
    table (as wide, in the section) had it, else where the numbers of its rows and of its `later`
    parts' rows (as wide) start. That column may be blank in every row, the numbers starting one
    column right: when every row's last cell is empty too (a spare column, or blank values) and no
    row labels the column before, the table has no first value column: its rows give only their
    printed values."""
    full = [(c, k, f) for (_, c), k, f, on in zip(rows, kinds, firsts, grid, strict=True) if on]
    heads = [next(i for i, x in enumerate(c) if x and heading_word(x)) for c, k, _ in full if k == "heading"]
    start = min(heads) if heads else scope.vstart.get(width)
    if start is None:
        data = [(c, f) for c, k, f in full if k == "data"]
        start = min([f for c, f in data if f < len(c)] + ([later.first] if later.first is not None else []),
                    default=None)
        if start and not (later.last_filled or any(c[-1] for c, _ in data)) \
                and not (start - 1 in later.labelled or any(_labelish(c[start - 1]) for c, _ in data)):
            start = None
    if start is not None:
        scope.vstart[width] = start
    return start


def _split_row(cells: list[str], first: int, on_grid: bool, vstart: int | None) -> tuple[list[str], list[str], bool]:
    """(label cells, value cells, refused) of a data row. A row on the table's grid has its values
    from the first value column on, blanks included; a row off the grid (a cell lost or gained, or a
    number left of the value columns) only its printed values, which label_rows.py refuses when
    too few or too many. A blank between them marks them (`OFF_GRID`): label_rows.py
    refuses them whatever their count, as a blank value lost beside a cell gained leaves as many
    values as columns, each in the wrong one. No value goes to another column."""
    lab = -1
    for i in range(first):
        if _labelish(cells[i]):
            lab = i
    if lab < 0:
        return [], cells, False  # no label: every cell is a value (section 四's one row)
    if vstart is not None and on_grid and first >= vstart:
        start = max(lab + 1, vstart)
        return [c for c in cells[:start] if c], cells[start:], False
    rest = cells[lab + 1:]
    printed = [k for k, c in enumerate(rest) if c]  # (empty cells before the first value or after the last are no blanks)
    return [c for c in cells[:lab + 1] if c], [c for c in rest if c], bool(printed) and "" in rest[printed[0]:printed[-1]]


def _labels(cells: list[str], line: int, scope: _Scope, out: list[Tok]) -> None:
    """A row's label cells, a spanning cell repeated in each position once; the first ends any
    row before it (cell=False, as a text line does)."""
    for k, c in enumerate(cells):
        if k and c == cells[k - 1]:
            continue
        t = _tok(c, line, k > 0)
        scope.boundary(t.text)
        out.append(t)


def _html_rows(fragment: str, first_line: int) -> list[list[tuple[int, list[str]]]]:
    """The tables of an HTML fragment as grids (see _grid)."""
    root = etree.fromstring(fragment, etree.HTMLParser(huge_tree=True)) if fragment.strip() else None
    if root is not None:
        shown(root, fragment)  # what the page hides is not read (as in the HTML reader)
    return [] if root is None else [_grid(t, first_line) for t in root.iter("table")]


def _grid(table, first_line: int) -> list[tuple[int, list[str]]]:
    """A table's rows with a spanning cell's text in its first position and empty cells in the
    others, as a converter that lost the merge writes them."""
    grid: list[tuple[int, list[str]]] = []
    carry: dict[int, int] = {}  # column -> rows still covered by a rowspan above
    placed: list[tuple[int, int, int]] = []  # each cell: its row in `grid`, where it starts, the places it spans
    for tr in table.xpath("./tr|./thead/tr|./tbody/tr|./tfoot/tr"):
        tds = [td for td in tr if td.tag in ("td", "th")]
        spans = spans_of(tds)
        starts, width = place(carry, spans)
        cells = [""] * width
        for td, at, (across, _) in zip(tds, starts, spans, strict=True):
            cells[at] = _clean(beside_controls(cell_text(td)))
            placed.append((len(grid), at, across))
        grid.append((first_line + (tr.sourceline or 1) - 1, cells))
    # a value merged across columns another row prints apart: whose column is it? each place it
    # covers is unreadable (read as spanning cells are, it would be in the first and the rest blank)
    texts = [grid[r][1][at] for r, at, _ in placed]
    marks = [Tok(nfkc(s), s, 0, True) for s in texts]
    mark_merged(marks, [(k, at, across, r) for k, (r, at, across) in enumerate(placed)], any_row=True)
    for tok, s, (r, at, across) in zip(marks, texts, placed, strict=True):
        if tok.note is SPANNED:
            grid[r][1][at:at + across] = [f"{s}（{SPANNED}）"] * across
    return grid


def _paragraph(raw: str, n: int, scope: _Scope, out: list[Tok]) -> None:
    for part in _BR.split(raw):
        s = _clean(part.lstrip("> \t"))
        if s and not _PAGE_NO.match(nfkc(s)):
            toks = split_trailing_values(s, n)
            if toks:
                scope.boundary(toks[0].text)
            out += toks


def _table_starts(lines: list[str], i: int) -> bool:
    s = lines[i].strip()
    nxt = lines[i + 1] if i + 1 < len(lines) else ""
    return s.startswith("|") or ("|" in s and "|" in nxt and _is_separator(_row_cells(nxt), True))


def _bordered(block: list[str]) -> bool:
    """Whether a pipe table's outer `|` are its border: its separator row has them, or every row
    starts and ends with one (html2text writes neither: a row starting with `|` then starts with an
    empty cell)."""
    sep = block[1] if len(block) > 1 and _is_separator(_row_cells(block[1]), True) and not block[1].strip(" \t|-:") else None
    rows = [ln for ln in block if ln is not sep]
    return (sep is not None and (sep[:1] == "|" or sep[-1:] == "|")) or all(ln[:1] == "|" and ln[-1:] == "|" for ln in rows)


def _pipe_rows(lines: list[str], i: int) -> tuple[list[tuple[int, list[str]]], int]:
    """The rows (source line, cleaned cells) of the pipe table at line `i`, and the line after it."""
    rows: list[tuple[int, list[str]]] = []
    end = next((k for k in range(i, len(lines)) if "|" not in lines[k] or not lines[k].strip()), len(lines))
    bordered = _bordered([ln.strip() for ln in lines[i:end]])
    while i < len(lines) and "|" in lines[i] and lines[i].strip():
        cells = _row_cells(lines[i], bordered)
        if lines[i].strip(" \t|-:") or not _is_separator(cells, len(rows) == 1):
            plain = not _MARKUP.search(lines[i])
            rows.append((i + 1, [c.strip() if plain else _clean(c) for c in cells]))
        i += 1
    return rows, i


def _grid_rows(lines: list[str], i: int) -> tuple[list[tuple[int, list[str]]] | None, int]:
    """The rows (first source line, cleaned cells) of the grid table whose top border is line `i`, and
    the line after the table: pandoc's `+---+` lines between rows, each row's cells over as many lines
    as its longest. A cell's pieces are joined as `<br>` joins them (a label's pieces into one, two
    numbers never into one). None for the rows of a table that cannot be read so: a border in part
    (`|   +----+`: cells merged across rows), or a row's lines split into unequal numbers of cells.
    Such a table is read not at all, never a line a row."""
    rows: list[tuple[int, list[str]]] = []
    piece: list[tuple[int, list[str]]] = []  # the lines of the row being read
    broken = False
    k = i + 1
    while k < len(lines):
        s = lines[k].strip()
        if _GRID_BORDER.fullmatch(s):
            if piece:
                rows.append(_grid_row(piece))
                piece = []
        elif len(s) > 1 and s[0] in "|+" and s[-1] in "|+":
            cells = _row_cells(s)
            if s[0] == "+" or s[-1] == "+" or "+-" in s or (piece and len(cells) != len(piece[0][1])):
                broken = True
            elif not broken:
                piece.append((k + 1, cells))
        else:
            break
        k += 1
    if piece and not broken:  # (a table cut before its last border)
        rows.append(_grid_row(piece))
    return (rows if rows and not broken else None), k


def _grid_row(piece: list[tuple[int, list[str]]]) -> tuple[int, list[str]]:
    cells = zip(*(c for _, c in piece), strict=True)
    return piece[0][0], [_clean("<br>".join(t.strip() for t in texts if t.strip())) for texts in cells]


def markdown_tokens(text: str) -> list[Tok]:
    """Headings and paragraphs as text lines; table rows as label cells, then value cells."""
    lines = text.splitlines()
    out: list[Tok] = []
    scope = _Scope()
    i, n = 0, len(lines)
    while i < n:
        s = lines[i].strip()
        if not s or _SKIP_LINE.match(s):
            i += 1
            continue
        if "<table" in s.lower():
            j = next((k for k in range(i, n) if "</table" in lines[k].lower()), n - 1)
            block = "\n".join(lines[i:j + 1])
            low = block.lower()
            a, b = low.find("<table"), low.rfind("</table>")
            b = len(block) if b < 0 else b + len("</table>")
            _paragraph(block[:a], i + 1, scope, out)
            for grid in _html_rows(block[a:b], i + 1):
                _table_tokens(grid, scope, out)
            _paragraph(block[b:].strip(), j + 1, scope, out)
            i = j + 1
            continue
        if _GRID_BORDER.fullmatch(s):
            grid, i = _grid_rows(lines, i)
            if grid is not None:
                _table_tokens(grid, scope, out)
            continue
        if _table_starts(lines, i):
            parts = []  # the table, and those that follow it with only blank or skipped lines between
            while True:
                rows, i = _pipe_rows(lines, i)
                parts.append(rows)
                k = next((k for k in range(i, n) if lines[k].strip() and not _SKIP_LINE.match(lines[k].strip())), n)
                if k == n or not _table_starts(lines, k):
                    break
                i = k
            for rows, later in zip(parts, _later_parts(parts), strict=True):
                _table_tokens(rows, scope, out, later)
            continue
        heading = _atx_text(s)
        if heading is not None:
            t = _clean(heading)
            if t:
                tok = _tok(t, i + 1)
                scope.boundary(tok.text)
                out.append(tok)
        else:
            _paragraph(s, i + 1, scope, out)
        i += 1
    return out

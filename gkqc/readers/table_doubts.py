"""Checks over a table as a whole, once its rows are read by their labels: rows wider or narrower than
most rows of their table (`check_widths`), and a table printed in scrambled order (`few_placed`), are
refused with the reason; column headings printed in another order than the template's say why a
table's values cannot be placed (`_order_doubt`); a table printed without any value reads as blank
(`silent_rows`), one printing numbers without a digit as unreadable (`spelled_doubt`)."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Sequence

from gkqc.cells import DAMAGED, spelled_number
from gkqc.readers.label_rows import TableRead, _padding, _shown, _value_like
from gkqc.readers.tokens import RowRead, Tok
from gkqc.templates import Item, norm_label, registry


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
            if width is not None and padded and w < width and read.toks and read.toks[-1] is not None \
                    and _padding(read.toks[-1]):  # (padding only ever ends a row: a blank among its values is one)
                shown = _shown(t for t in read.toks if t is not None)
                tr.rows[rid] = RowRead([None] * n, f"该行比表格其他行少{width - w}个单元格（{shown}），可能缺了一个数值，"
                                                  "末尾的空单元格可能只是表格填充，无法确定对应的列")
            elif rid in tr.surplus and ((width is not None and w > width) or not (padded or at_end)):
                tr.rows[rid] = RowRead([None] * n, tr.surplus[rid])  # (wider than most, or no row shows the extra last)
            elif rid in tr.inner and (w > width if padded and width is not None
                                      else not padded and extra is not None and tr.extra[rid] > extra):
                tr.rows[rid] = RowRead([None] * n, tr.inner[rid])  # a cell gained among its values, perhaps


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


def _usual(counts: Counter) -> int | None:
    """The count most rows of a table have (of cells printed, of cells beyond their values), when
    most rows (three at least) agree."""
    if not counts:
        return None
    value, rows = counts.most_common(1)[0]
    return value if rows >= 3 and rows * 2 > counts.total() else None


SILENT = "整张表没有一个数值（PDF 文本层中只有行标签），各单元格按空白读取"


_ROW_NUMBER = re.compile(r"(?<![\d.,])\d{1,2}[.、．](?!\d)")  # a row label's number ('1.属于国家秘密')


def _digit_beside_row_number(t: Tok) -> bool:
    """A digit other than a row label's number, or a glyph the file gives no text for (□: a figure
    of a font without its Unicode map, perhaps): a table holding one was not printed empty."""
    return DAMAGED in t.raw or any(ch.isdigit() for ch in _ROW_NUMBER.sub("", t.text))


def spelled_doubt(toks: Sequence[Tok]) -> str | None:
    """Why a table whose text holds no digit but numbers spelled without one ('〇', 'O', '十二',
    '壹拾贰', '约十万元') is not blank: their cells cannot be told (a PDF's text layer sets such a
    value apart from its row by nothing); or None."""
    spelled = [t.raw for t in toks if spelled_number(t.text)]
    if not spelled:
        return None
    return (f"整张表没有一个阿拉伯数字，但印有不含数字的数值（{' '.join(spelled)}）：无法识别为数字，"
            "也无法确定其所在的单元格，各单元格不作归属")


def silent_rows(toks: Sequence[Tok], rows: Sequence[Item], cols: Sequence[Item]) -> TableRead | None:
    """A table printed with every cell empty, as a PDF's text layer shows it: every row's label in
    printed order, every column's heading before them (each of its characters: headings wrap), and
    no value anywhere, nor a digit other than a row's number (a value printed against its label,
    `行政事业性收费453.0969`). Each row then reads as blank cells; where numbers are spelled without
    a digit among them (`spelled_doubt`), as unreadable cells. A table whose values run off the
    page shows its labels alone, and its headings only in part: not blank."""
    if any((_value_like(t) and not _padding(t)) or _digit_beside_row_number(t) for t in toks):
        return None
    doubt = spelled_doubt(toks)
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
        first = out.firsts[r.id] = toks[bisect_right(ends, at)]
        line = first.line
        out.rows[r.id] = RowRead([Tok("", "", line, True, note=SILENT)] * len(cols)) if doubt is None \
            else RowRead([None] * len(cols), doubt)
    return out


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


def _template_doubt(header: str, template: str, block_id: str, metrics: Sequence[Item]) -> str | None:
    """Why a block's values cannot be placed under `template`'s columns: its heading names every column
    of another template's block (a 2021 report printing 2019's table, its heading wrapped in narrow
    columns or shortened so that its template was told by the year) and not every one of this."""
    reg = registry()
    if _names_all(header, metrics):
        return None
    for other in reg.templates:
        theirs = next((b for b in reg.blocks_for(other) if b.id == block_id), None) if other != template else None
        if theirs is not None and _names_all(header, theirs.metrics):
            return (f"表头各列（{'、'.join(m.label for m in theirs.metrics)}）是{reg.title_of(other)}的列，"
                    "不是本报告模板的：无法确定各列，不作归属")
    return None


def _names_all(header: str, metrics: Sequence[Item]) -> bool:
    """The heading names each column, its characters in any order (a heading wrapped in narrow columns
    prints the columns' first lines, then their second: 本年新/本年新/对外公 over 制作数/公开数/开总数)."""
    return bool(header) and all(any(all(ch in header for ch in v) for v in m.variants) for m in metrics)


def _grouped_order_doubt(header: str, cols: Sequence[Item]) -> str | None:
    """`_order_doubt` for the columns printed under one group heading (法人或其他组织's five, a row of
    the heading of their own): the group's words taken out, as their 其他 is in them. The others
    (自然人, 总计) stand in the heading's rows above and cannot be ordered by the flattened text."""
    grouped = [c for c in cols if c.group]
    for group in {c.group for c in grouped}:
        header = header.replace(norm_label(group), "")
    return _order_doubt(header, grouped)

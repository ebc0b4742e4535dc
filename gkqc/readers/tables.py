"""Reading the tables of sections 二, 三 and 四 from a token stream: one reader per table kind of the
registry (`READERS`). Sections 二 (`read_active`, block by block) and 三 (`read_applications`) are
read by their row labels (`label_rows`), then checked as whole tables
(`table_doubts`); section 四 (`read_reviews`) as runs of values (`review_runs`).
A row read becomes its cells in `row_cells`; which template the tables show is told in `template_detect`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from gkqc.cells import unit_in_label
from gkqc.readers.glued import row_sums, signed_columns
from gkqc.readers.label_rows import read_rows
from gkqc.readers.review_runs import read_reviews
from gkqc.readers.row_cells import _cells_from_row
from gkqc.readers.table_doubts import (
    _grouped_order_doubt,
    _order_doubt,
    _template_doubt,
    check_widths,
    few_placed,
    silent_rows,
)
from gkqc.readers.tokens import MERGED, RowRead, Tok
from gkqc.record import Cell
from gkqc.templates import Block, drawn_from_registry, norm_label, registry


def _block() -> re.Pattern[str]:
    """A block heading of section 二 (第二十条第（x）项), its item numeral the first group."""
    return re.compile(registry().block_heading)  # re caches the compiled pattern


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
        cells += _cells_from_row("applications", None, r.id, reg.app_columns, tr.rows.get(r.id), missing,
                                 first=tr.firsts.get(r.id))
    return cells, tr.notes


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
    reads = {bid: read_rows(_one_column(toks[s:e], blocks[bid]), blocks[bid].rows, len(blocks[bid].metrics),
                            doc_ends_here and e == len(toks), signed=signed_columns(blocks[bid].metrics))
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
        doubt = _order_doubt(tr.header, block.metrics) or _template_doubt(tr.header, template, bid, block.metrics)
        unit = unit_in_label(tr.header) if any(m.unit for m in block.metrics) else None
        notes += tr.notes
        for r in block.rows:
            read = RowRead([None] * len(block.metrics), doubt) if doubt and r.id in tr.rows else tr.rows.get(r.id)
            cells += _cells_from_row("active", bid, r.id, block.metrics, read, missing, unit, amounts=True,
                                     first=tr.firsts.get(r.id))
    return cells, notes


def _one_column(toks: Sequence[Tok], block: Block) -> Sequence[Tok]:
    """A block's tokens; of a block of one column, its values merged across the columns of the blocks
    around it are that column's (the 2021 template prints 第二十条第（五）项's 本年处理决定数量 across the three
    columns of 第二十条第（一）项): no other column they could be in."""
    if len(block.metrics) != 1 or not any(t.note == MERGED for t in toks):
        return toks
    return [replace(t, note=None) if t.note == MERGED else t for t in toks]


# how each table kind of the registry is read from its section's tokens
READERS = {"active": read_active, "applications": read_applications, "reviews": read_reviews}

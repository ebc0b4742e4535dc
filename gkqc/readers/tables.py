"""Reading the tables of sections 二, 三 and 四 from a token stream, by their labels.

A row is found by the last known label printed before its values (so a missing or
extra row never shifts the rows after it); its values are the value tokens that
follow, up to the template's column count. Values are never split or guessed: a
row whose cells cannot be told apart is marked unreadable with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from gkqc.cells import (
    DAMAGED,
    INFERRED,
    MISSING,
    OCR,
    UNREADABLE,
    is_value_like,
    read_amount,
    read_count,
    unit_in_label,
)
from gkqc.readers.tokens import Tok
from gkqc.record import Cell
from gkqc.templates import Block, Item, Variant, match_label, norm_label, registry

_GLUED = re.compile(r"^(.*?[^\d,.\s+-])\s*([\d,]+)$")
_BLOCK = re.compile(r"第二十条第\(?([一二三四五六七八九十]+)\)?项")
_ITEM_NO = {"一": "item_1", "五": "item_5", "六": "item_6", "八": "item_8", "九": "item_9"}
TRUNCATED = "文件在此处中断（疑似截断），之后的单元格未找到"


@dataclass
class RowRead:
    """Raw value tokens of one row (None where not found) and why, if unreadable."""

    toks: list[Tok | None]
    reason: str | None = None  # set: every cell of the row is unreadable for this reason
    missing_reason: str | None = None  # set: cells that are None are missing for this reason


@dataclass
class TableRead:
    rows: dict[str, RowRead] = field(default_factory=dict)
    header: str = ""  # label text printed before the first row (column headings)
    notes: list[str] = field(default_factory=list)


def _digits_run(tok: Tok) -> bool:
    return tok.text.replace(",", "").isdigit() and len(tok.text) >= 2


def _padding(tok: Tok) -> bool:
    """An empty cell, or one holding only a stray byte's U+FFFD: dropped where padding is."""
    return not tok.text.strip(DAMAGED)


def _finish_row(vals: list[Tok], n: int, at_end: bool) -> RowRead:
    extra = [v for v in vals[n:] if not _padding(v)]
    if extra:
        shown = " ".join(v.raw for v in vals if v.text)
        return RowRead([None] * n, f"该行读到{len([v for v in vals if v.text])}个值（{shown}），多于应有的{n}个，"
                                   "可能有数字被拆开，不作猜测")
    if len(vals) >= n:
        return RowRead(list(vals[:n]))
    if at_end:
        return RowRead(list(vals) + [None] * (n - len(vals)), missing_reason=TRUNCATED)
    runs = [v for v in vals if _digits_run(v)]
    if runs:
        return RowRead([None] * n, f"数字连在一起、单元格之间无分隔（'{runs[0].raw}'），无法确定各单元格的值，不作猜测拆分")
    shown = " ".join(v.raw or "空" for v in vals)
    return RowRead([None] * n, f"该行只有{len(vals)}个值（{shown}），应有{n}个，无法确定对应的列")


def read_rows(toks: Sequence[Tok], rows: Sequence[Item], ncols: int, doc_ends_here: bool) -> TableRead:
    """Read labelled rows of `ncols` values each from a section's tokens."""
    out = TableRead()
    context: list[str] = []
    row: Item | None = None
    skip = False
    vals: list[Tok] = []
    seen_first = False

    def finish(at_end: bool) -> None:
        nonlocal row
        if row is None:
            return
        read = _finish_row(vals, ncols, at_end)
        prev = out.rows.get(row.id)
        if prev is None:
            out.rows[row.id] = read
        elif [t.raw if t else None for t in prev.toks] != [t.raw if t else None for t in read.toks]:
            line = vals[0].line if vals else "?"
            out.rows[row.id] = RowRead([None] * ncols, f"该行出现两次且数值不同（第{line}行为重复行），不作取舍")
        else:
            out.notes.append(f"{row.label}：重复行（数值相同），已忽略")
        row = None

    for i, tok in enumerate(toks):
        value_like = is_value_like(tok.text)
        if row is not None and not value_like and tok.cell and len(vals) < ncols \
                and len(tok.text) <= 20 and match_label(norm_label(tok.text), rows) is None:
            vals.append(tok)  # an unreadable cell inside a row (e.g. '约3'), not a label
            continue
        if not value_like:
            if row is not None or skip:
                finish(False)
                skip = False
            glued = tok.text[-1:].isdigit() or tok.text.endswith(",")  # cheap pre-test of _GLUED
            m = _GLUED.match(tok.text) if glued else None  # a label with digits glued on
            if m and match_label(norm_label(m.group(1)), rows):
                context.append(norm_label(m.group(1)))
                tok = Tok(m.group(2), m.group(2), tok.line)
            else:
                context.append(norm_label(tok.text))
                continue
        if row is None and not skip:
            if not context:
                continue  # padding cells between rows
            ctx = "".join(context)
            row = match_label(ctx, rows)
            if row is None and not tok.text:
                continue  # an empty heading cell: the row label is still to come
            if not seen_first and row is not None:
                out.header = ctx
                seen_first = True
            context.clear()
            vals = []
            if row is None:
                out.notes.append(f"无法识别的行标签：'{ctx[-40:]}'，其后数值未读取")
                skip = True
                continue
        if skip:
            continue
        vals.append(tok)
        if i == len(toks) - 1:
            finish(doc_ends_here)
    finish(doc_ends_here)
    return out


def _cells_from_row(table: str, block: str | None, row_id: str, cols: Sequence[Item], read: RowRead | None,
                    missing: str, header_unit: str | None = None, amounts: bool = False) -> list[Cell]:
    if read is None or read.reason:
        status, reason = (UNREADABLE, read.reason) if read else (MISSING, missing)
        return [Cell(table, block, row_id, col.id, None, None, status, reason) for col in cols]
    out = []
    for col, tok in zip(cols, read.toks, strict=True):
        if tok is None:
            out.append(Cell(table, block, row_id, col.id, None, None, MISSING, read.missing_reason or missing))
            continue
        raw = tok.raw
        cv = read_amount(raw, header_unit) if (amounts and col.unit) else read_count(raw)
        out.append(_cell(Cell(table, block, row_id, col.id, raw, cv.value, cv.status, cv.reason, cv.unit, tok.line), tok))
    return out


def _cell(cell: Cell, tok: Tok) -> Cell:
    """A cell read from a token that was read by OCR, split by rule or placed by position: its
    status (ocr / inferred) and how it was read, beside any reason the value already has."""
    if tok.note:
        cell.reason = f"{cell.reason}；{tok.note}" if cell.reason else tok.note
    if cell.value is None:
        return cell
    if tok.conf is not None:
        cell.status, cell.confidence = OCR, round(min(max(tok.conf, 0.0), 1.0), 4)
    elif tok.inferred:
        cell.status = INFERRED
    return cell


def read_applications(toks: Sequence[Tok], template: str, doc_ends_here: bool, missing: str) -> tuple[list[Cell], list[str]]:
    reg = registry()
    rows = reg.app_rows_for(template)
    tr = read_rows(toks, rows, len(reg.app_columns), doc_ends_here)
    cells = []
    for r in rows:
        cells += _cells_from_row("applications", None, r.id, reg.app_columns, tr.rows.get(r.id), missing)
    return cells, tr.notes


def read_reviews(toks: Sequence[Tok], doc_ends_here: bool, missing: str) -> tuple[list[Cell], list[str]]:
    """Section 四: one run of 15 values after the headings, in registry order."""
    reg = registry()
    n = len(reg.review_groups) * len(reg.review_metrics)
    run: list[Tok] = []
    started = False
    for tok in toks:
        if is_value_like(tok.text):
            run.append(tok)
            started = started or not _padding(tok)
        elif started:
            break
        else:
            run.clear()
    # padding cells precede the numbers (end of the heading rows) or follow them; drop only
    # as many as exceed the count, so a genuinely blank first or last number is kept
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
    read = _finish_row(run, n, at_end) if run else None
    cells = []
    m = len(reg.review_metrics)
    for g, group in enumerate(reg.review_groups):
        part = RowRead(read.toks[g * m:(g + 1) * m], read.reason, read.missing_reason) if read else None
        cells += _cells_from_row("reviews", group.id, group.id, reg.review_metrics, part, missing)
    return cells, []


def _metric_order(header: str, metrics: Sequence[Item]) -> list[Item]:
    pos = {}
    for m in metrics:
        found = [header.find(v) for v in m.variants if v in header]
        if found:
            pos[m.id] = min(found)
    if len(pos) == len(metrics) and len(set(pos.values())) == len(metrics):
        return sorted(metrics, key=lambda m: pos[m.id])
    return list(metrics)


def read_active(toks: Sequence[Tok], template: str, doc_ends_here: bool, missing: str) -> tuple[list[Cell], list[str]]:
    """Section 二: blocks 第二十条第（x）项, each a small table read by labels."""
    blocks: dict[str, Block] = {b.id: b for b in registry().blocks_for(template)}
    starts: list[tuple[str, int]] = []
    for i, t in enumerate(toks):
        m = _BLOCK.search(t.text)
        if m and _ITEM_NO.get(m.group(1)) in blocks:
            starts.append((_ITEM_NO[m.group(1)], i))
    bounds = [i for _, i in starts] + [len(toks)]
    found: dict[str, tuple[int, int]] = {}
    for k, (bid, s) in enumerate(starts):
        found.setdefault(bid, (s + 1, bounds[k + 1]))
    cells, notes = [], []
    for bid, block in blocks.items():
        if bid not in found:
            for r in block.rows:
                cells += _cells_from_row("active", bid, r.id, block.metrics, None, f"未找到{block.label}表格；{missing}")
            continue
        s, e = found[bid]
        tr = read_rows(toks[s:e], block.rows, len(block.metrics), doc_ends_here and e == len(toks))
        order = _metric_order(tr.header, block.metrics)
        unit = unit_in_label(tr.header) if any(m.unit for m in block.metrics) else None
        notes += tr.notes
        for r in block.rows:
            cells += _cells_from_row("active", bid, r.id, order, tr.rows.get(r.id), missing, unit, amounts=True)
    return cells, notes


def detect_variant(template: str | None, sections: dict[str, Sequence[Tok]]) -> Variant | None:
    """The printed variant of `template` the report's sections show, if any (from the registry)."""
    reg = registry()
    cued = {v.section for v in reg.variants if v.template == template}  # only the sections a variant is told by
    text = {no: "".join(norm_label(t.text) for t in sections.get(no, ())) for no in cued}
    return reg.variant_for(template, text)


def detect_template(sec2: Sequence[Tok], sec3: Sequence[Tok]) -> tuple[str | None, str | None]:
    """(template, how it was told) from printed column headings and sub-rows."""
    text = {"二": "".join(norm_label(t.text) for t in sec2), "三": "".join(norm_label(t.text) for t in sec3)}
    for cue in registry().cues:  # the registry's cues, in order: the first found names the template
        if any(v in text.get(cue.section, "") for v in cue.texts):
            return cue.template, cue.how
    return None, None



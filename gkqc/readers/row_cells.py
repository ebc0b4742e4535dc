"""A row's tokens, once read, as the report's cells: each value read as a count or an amount, with its
status (ok, blank, unreadable, missing, ocr, inferred) and how it was read; a row not read gives each of
its cells the row's reason (`_cells_from_row`)."""

from __future__ import annotations

from collections.abc import Sequence

from gkqc.cells import INFERRED, MISSING, OCR, UNREADABLE, read_amount, read_count
from gkqc.readers.tokens import RowRead, Tok
from gkqc.record import Cell
from gkqc.templates import Item


def _cells_from_row(table: str, block: str | None, row_id: str, cols: Sequence[Item], read: RowRead | None,
                    missing: str, header_unit: str | None = None, amounts: bool = False,
                    first: Tok | None = None) -> list[Cell]:
    """`first`: the row's first value, where each cell of a row refused whole is kept as printed (its
    line; in a crawl, its offset too), the cells' own texts not being known."""
    if read is None or read.reason:
        if read is None:
            return [Cell(table, block, row_id, col.id, None, None, MISSING, missing) for col in cols]
        reason, line = _placed(read.reason, first), first.line if first else None
        return [Cell(table, block, row_id, col.id, None, None, UNREADABLE, reason, None, line) for col in cols]
    out: list[Cell] = []
    append = out.append
    absent = read.missing_reason or missing
    for col, tok in zip(cols, read.toks, strict=True):
        if tok is None:
            append(Cell(table, block, row_id, col.id, None, None, MISSING, absent))
            continue
        raw = tok.raw
        cv = read_amount(raw, header_unit, col.unit) if amounts and col.unit else read_count(raw)
        cell = Cell(table, block, row_id, col.id, raw, cv.value, cv.status, cv.reason, cv.unit, tok.line)
        if tok.note or tok.inferred or tok.conf is not None:
            cell = _cell(cell, tok, col.unit)
        if tok.at:
            cell.reason = _placed(cell.reason, tok)
        append(cell)
    return out


def _placed(reason: str | None, tok: Tok | None) -> str | None:
    """`reason` with where `tok` is printed in its line, where the form keeps it (a crawl: `at`)."""
    if tok is None or not tok.at:
        return reason
    where = f"原文第{tok.line}行第{tok.at}字起"
    return f"{reason}（{where}）" if reason else where


def _cell(cell: Cell, tok: Tok, unit: str | None) -> Cell:
    """A cell read from a token that was read by OCR, split by rule or placed by position: its
    status (ocr / inferred) and how it was read, beside any reason the value already has.
    `unit` is the template's unit of an amount cell."""
    if tok.refused:
        cell.value, cell.status, cell.reason, cell.unit = None, UNREADABLE, tok.note, None
        return cell
    if tok.note:
        cell.reason = f"{cell.reason}；{tok.note}" if cell.reason else tok.note
    if cell.value is None:
        return cell
    if tok.conf is not None:
        if cell.unit is not None and cell.unit != unit:  # OCR losing 万 of 万元 makes one 10⁴ too small
            cell.value, cell.status = None, UNREADABLE
            cell.reason = f"OCR 读出的金额单位为“{cell.unit}”（模板为“{unit}”，可能漏识），不采用"
            return cell
        cell.status, cell.confidence = OCR, round(min(max(tok.conf, 0.0), 1.0), 4)
    elif tok.inferred:
        cell.status = INFERRED
    return cell

"""Section 四 (行政复议, 行政诉讼) read as runs of values, not by row labels (`read_reviews`): one run
after the headings, groups × metrics in the registry's order, or a run per table of its own, each read
as the groups the text before it names (`_grouped_runs`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from gkqc.cells import DAMAGED, LOOKALIKES, is_value_like
from gkqc.readers.glued import Sums, row_sums
from gkqc.readers.label_rows import _finish_row, _norm_text, _padding, _shown, _unread_value, _value_like
from gkqc.readers.row_cells import _cells_from_row
from gkqc.readers.table_doubts import SILENT, spelled_doubt
from gkqc.readers.tokens import PIECE, SPAN, RowRead, Tok, number_piece
from gkqc.record import Cell
from gkqc.templates import Item, norm_label, registry

_NUMBER_REST = re.compile(r"\d[\d,.]*[^\w\s、。，；：,.;:()\[\]]{1,2}")  # digits, then a mark no value carries ('1※', '7#')


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
        doubt = spelled_doubt(toks)  # ('〇' in every cell: not blank)
        blank = RowRead([Tok("", "", line, True, note=SILENT)] * len(reg.review_metrics)) if doubt is None \
            else RowRead([None] * len(reg.review_metrics), doubt)
        return [c for g in reg.review_groups
                for c in _cells_from_row("reviews", g.id, g.id, reg.review_metrics, blank, missing, first=toks[0])], []
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
        cells += _cells_from_row("reviews", group.id, group.id, reg.review_metrics, part, missing,
                                 first=run[0] if run else None)  # (a run refused whole: where it starts)
    return cells, []


@dataclass
class _Run:
    """A run of section 四's values and what was printed before it (since the run before)."""
    before: list[Tok]
    run: list[Tok]
    lead: Tok | None = None  # the text printed right before the run
    tail: Tok | None = None  # a number's rest on a line below the run ('1※'), where the run ends


def _value_runs(toks: Sequence[Tok]) -> list[_Run]:
    """Section 四's runs of values in print order; a value cell printed unreadably ('约3', 'O', '5*', or
    any text a PDF's value column holds: '不详') keeps its place in its run, the first one too."""
    out: list[_Run] = []
    cur = _Run([], [])
    started = False
    follow: dict[int, bool] = {}  # _values_follow's answers so far
    for i, tok in enumerate(toks):
        if (is_value_like(tok.text) or tok.note is PIECE) if tok.__class__ is Tok else _value_like(tok):
            cur.run.append(tok)
            started = started or not _padding(tok)
        elif not started and (tok.placed or _unread_value(tok, toks[i + 1] if i + 1 < len(toks) else None)) \
                and _values_follow(toks, i + 1, follow):
            cur.run.append(tok)  # the first value, printed unreadably ('5*', '–'): not the headings' end
            started = True
        elif started and tok.cell and len(tok.text) <= 20 and (tok.placed or any(ch.isdigit() for ch in tok.text)
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
            cells += _cells_from_row("reviews", groups[k].id, groups[k].id, metrics, part, missing, first=vals[0])
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

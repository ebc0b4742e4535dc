"""Reference evaluation of the check catalogue on a report's printed values (the ground truth).

Independent of the pipeline's vectorised engine on purpose: plain Python over the values the
generator printed, following checks.md. Used to write truth.jsonl. `blanks` is the blank-cell
policy (`blank_cells` in checks/settings.yaml): under `zero` a blank cell is 0 in every equation
and cross-year rule, under `strict` it leaves them unjudged, like a cell that could not be read.
T3 reads the numbers the generator says section 一 states; C1 follows from where each section's
text was first written: reports sharing a text copied it, every other text is the office's own.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from gkqc.cells import BLANK, MISSING, OK, UNREADABLE, CellValue, read_amount, read_count
from gkqc.templates import registry

DEADLINE = {"department": (1, 31), "government": (3, 31), "township": (3, 31), "other": (3, 31)}
TABLES = {"applications": "applications", "reviews": "reviews", "active": "active_disclosure"}  # key[0] -> lake table
MIN_CHARS = 100  # C1 compares a section of at least this many letters (checks/kinds/similarity.py)


@dataclass
class Printed:
    """What one report file shows, as the generator printed it."""

    office: str
    kind: str
    year: int
    template: str
    published_at: date | None
    sections: tuple[str, ...]
    problems: str
    other_matters: str
    cells: dict[tuple[str, ...], CellValue] = field(default_factory=dict)  # (table, *ids) -> value
    overview: str = ""
    stated: tuple = ()  # prose.Stated: the numbers section 一 states about applications totals
    origins: dict[str, tuple] = field(default_factory=dict)  # section -> where its text was first written


def cell_values(template: str, applications: dict, active: dict, reviews: dict,
                missing: set[tuple[str, ...]] = frozenset(), unreadable: set[tuple[str, ...]] = frozenset()
                ) -> dict[tuple[str, ...], CellValue]:
    reg = registry()
    out: dict[tuple[str, ...], CellValue] = {}

    def put(key, raw, header_unit=None, unit=None):
        if key in missing:
            out[key] = CellValue(None, MISSING)
        elif key in unreadable:
            out[key] = CellValue(None, UNREADABLE)
        else:
            out[key] = read_amount(raw, header_unit, unit) if unit else read_count(raw)

    for r in reg.app_rows_for(template):
        for c in reg.app_columns:
            put(("applications", r.id, c.id), applications.get((r.id, c.id), ""))
    for g in reg.review_groups:
        for m in reg.review_metrics:
            put(("reviews", g.id, m.id), reviews.get((g.id, m.id), ""))
    for b in reg.blocks_for(template):
        for r in b.rows:
            for m in b.metrics:
                header_unit = m.unit if template == "gov2021" else None  # 2021's header prints （单位：万元）
                put(("active", b.id, r.id, m.id), active.get((b.id, r.id, m.id), ""), header_unit, m.unit)
    return out


def _v(p: Printed, blanks: str, *key):
    """A cell's value for an equation: its number, 0 for a blank under `zero`, else None."""
    c = p.cells.get(key)
    if c is not None and c.status == BLANK and blanks == "zero":
        return 0.0
    return c.value if c is not None and c.status == OK else None


def _eq(fails, check, subject, lhs_refs, rhs_refs, op="=="):
    if any(x is None for x in lhs_refs + rhs_refs):
        return
    lhs, rhs = sum(lhs_refs), sum(rhs_refs)
    bad = {"==": abs(lhs - rhs) >= 1e-6, ">=": lhs - rhs <= -1e-6}[op]
    if bad:
        fails.append([check, subject])


def evaluate(p: Printed, prev: Printed | None, blanks: str = "zero") -> list[list[str]]:
    """The [check_id, subject] pairs this report must fail under the blank-cell policy `blanks`."""
    reg = registry()
    fails: list[list[str]] = []
    t = p.template
    rows = [r.id for r in reg.app_rows_for(t)]
    cols = [c.id for c in reg.app_columns]
    results = [r for r in rows if r.startswith(("granted", "partial", "denied_", "unable_", "unprocessed_", "other_"))]
    app = lambda r, c: _v(p, blanks, "applications", r, c)  # noqa: E731
    for c in cols:
        _eq(fails, "A1", c, [app("results_total", c), app("carried_forward", c)],
            [app("new_received", c), app("carried_over", c)])
        _eq(fails, "A2", c, [app("results_total", c)], [app(r, c) for r in results])
    for r in rows:
        _eq(fails, "A3", r, [app(r, "total")], [app(r, c) for c in cols[:6]])
    for table, check in (("applications", "A4"), ("reviews", "R4")):
        for key, cv in p.cells.items():
            if key[0] == table and cv.status == OK and (cv.value < 0 or cv.value != int(cv.value)):
                fails.append([check, ".".join(key[1:])])
    for g, check in (("review", "R1"), ("suit_direct", "R2"), ("suit_after_review", "R3")):
        parts = [_v(p, blanks, "reviews", g, m) for m in ("upheld", "corrected", "other", "pending")]
        _eq(fails, check, g, [_v(p, blanks, "reviews", g, "total")], parts)
    act = lambda r, m: _v(p, blanks, "active", "item_1", r, m)  # noqa: E731
    for r in ("regulations", "normative_docs"):
        if t == "gov2019":
            _eq(fails, "P1", r, [act(r, "total_published")], [act(r, "new_published")], ">=")
        else:
            _eq(fails, "P2", r, [act(r, "in_force")], [act(r, "issued")], ">=")
    for key, cv in p.cells.items():
        if key[0] == "active" and cv.status == OK:
            if key[3] != "change" and cv.value < 0:
                fails.append(["P4", ".".join(key[1:])])
            if key[3] in ("procurement_amount", "fee_amount") and cv.unit is None:
                fails.append(["P5", ".".join(key[1:])])
    if prev is not None:
        for c in cols:
            _eq(fails, "A5", c, [app("carried_over", c)], [_v(prev, blanks, "applications", "carried_forward", c)])
        if t == "gov2021":
            for r in ("regulations", "normative_docs"):
                _eq(fails, "P3", r, [act(r, "in_force")],
                    [_v(prev, blanks, "active", "item_1", r, "in_force"), act(r, "issued"), None if act(r, "repealed") is None
                     else -act(r, "repealed")])
    for no in "一二三四五六":
        if no not in p.sections:
            fails.append(["S1", no])
    if reg.template_for_year(p.year) != t:
        fails.append(["S2", ""])
    for check, statuses in (("S3", (MISSING, UNREADABLE)), ("S4", (BLANK,))):  # one per report and table
        fails += [[check, t] for t in sorted({TABLES[key[0]] for key, cv in p.cells.items() if cv.status in statuses})]
    if p.published_at is None:
        fails.append(["D2", ""])
    else:
        m, d = DEADLINE[p.kind]
        if p.published_at > date(p.year + 1, m, d):
            fails.append(["D1", ""])
    problems = "".join(p.problems.split()) if "五" in p.sections else ""
    if len(problems) < 15 or problems in ("无", "暂无", "没有", "无。", "暂无。"):
        fails.append(["T1", ""])
    if t == "gov2021" and ("六" not in p.sections or not _fee_stated(p.other_matters)):
        fails.append(["T2", ""])
    return sorted(fails + _narrative(p))


def _fee_stated(text: str) -> bool:
    """T2 as the catalogue words it, for the texts the simulator writes: a sentence naming the fee with
    an amount in 元, or saying none was collected."""
    return any("费" in s and (re.search(r"\d+元", s) or "未收取" in s) for s in text.split("。"))


def _narrative(p: Printed) -> list[list[str]]:
    """T3, per applications total section 一 states: fails when the cell holds a number, no
    stated number equals it, one number is stated, not of a wider scope, and (new applications)
    not new and carried over together."""
    if "一" not in p.sections:
        return []
    fails = []
    carried = p.cells.get(("applications", "carried_over", "total"))
    for row in sorted({x.row for x in p.stated}):
        cell = p.cells.get(("applications", row, "total"))
        if cell is None or cell.status != OK:
            continue
        said = [x for x in p.stated if x.row == row]
        ns = {x.n for x in said}
        if cell.value in ns or len(ns) > 1 or any(x.scope for x in said):
            continue
        if row == "new_received" and carried is not None and carried.status == OK and ns == {cell.value + carried.value}:
            continue
        fails.append(["T3", f"{row}.total"])
    return fails


def letters(text: str) -> int:
    """How many characters of a text C1 compares (letters and ideographs)."""
    return sum(c.isalpha() for c in unicodedata.normalize("NFKC", text))


def compared(p: Printed) -> dict[str, tuple]:
    """Where the text of each section C1 compares was first written (sections 一 and 五 printed
    and long enough)."""
    texts = {"一": p.overview, "五": p.problems}
    return {no: o for no, o in p.origins.items() if no in p.sections and letters(texts[no]) >= MIN_CHARS}


def copied_text(reports: list[tuple[str, int, bool, dict[str, tuple]]]) -> list[list[list[str]]]:
    """C1 for every report: (office, year, in C1's scope, `compared`) of each -> the [C1, subject]
    each must fail. Reports sharing a text: the later one of the same office a year apart, both of
    two offices the same year, each naming the other ("<office> <year>年度")."""
    sharing: dict[tuple, list[int]] = defaultdict(list)
    for k, (_, _, _, origins) in enumerate(reports):
        for origin in set(origins.values()):
            sharing[origin].append(k)
    found: list[set[str]] = [set() for _ in reports]
    for ks in sharing.values():
        for k in ks:
            office, year, scoped, _ = reports[k]
            for j in ks:
                other, other_year = reports[j][:2]
                if scoped and ((other == office and other_year == year - 1) or (other != office and other_year == year)):
                    found[k].add(f"{other} {other_year}年度")
    return [[["C1", subject] for subject in sorted(f)] for f in found]

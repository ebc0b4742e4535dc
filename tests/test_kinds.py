"""Each check kind on tiny in-memory batches: section 四 (reviews) of a few made-up reports, built
cell by cell, through the kind's own interface (`KINDS[name].evaluate`) with the suite's entries."""

from __future__ import annotations

from functools import partial

import polars as pl
import pytest

from checks.engine import prepare
from checks.frames import PartData, subject_labels
from checks.grid import cells_in_memory
from checks.kinds import KINDS
from checks.kinds.cross_year import _rules as cross_year_rules
from checks.linear import run_linear
from checks.suite import load_suite
from gkqc.templates import registry

TEMPLATE = "gov2021"
SUITE = {s.id: s for s in load_suite()}
METRICS = ("upheld", "corrected", "other", "pending", "total")
CELL_COLS = {"report_id": pl.Utf8, "group_id": pl.Utf8, "metric_id": pl.Utf8, "value": pl.Float64, "raw": pl.Utf8,
             "status": pl.Utf8, "reason": pl.Utf8, "confidence": pl.Float64}


def cell(raw: str, status: str = "ok", confidence: float | None = None) -> tuple:
    value = float(raw) if status in ("ok", "ocr", "inferred") else None
    return raw, value, status, confidence


def batch(reports: dict[str, dict[str, list]]) -> PartData:
    """reports: report id -> group id -> five cells (upheld, corrected, other, pending, total),
    each a bare number (ok), '' (blank) or `cell(...)`; groups not given are all zeros."""
    rows = []
    for rid, groups in reports.items():
        for g in registry().review_groups:
            for m, c in zip(METRICS, groups.get(g.id, ["0"] * 5), strict=True):
                raw, value, status, conf = (c, None, "blank", None) if c == "" else c if isinstance(c, tuple) else cell(c)
                rows.append((rid, g.id, m, value, raw, status, "空白单元格" if status == "blank" else None, conf))
    cells = pl.DataFrame(rows, schema=CELL_COLS, orient="row")
    reps = pl.DataFrame({"report_id": list(reports), "template": [TEMPLATE] * len(reports)}).with_row_index("rid")
    grid = cells_in_memory("reviews", cells, reps)
    return PartData(reps, pl.DataFrame(), {"reviews": grid}, {"reviews": grid.rows(~grid.long["ok"])})


def results(data: PartData, *ids: str, blanks: str = "zero") -> dict[tuple[str, str, str], tuple[str, str | None]]:
    """(check, report, subject) -> (status, message) from the kinds of the entries `ids`, as the
    engine runs them (blank-cell policy `blanks` applied, OCR values gated first)."""
    specs = [SUITE[i] for i in ids]
    settings = {"blank_cells": blanks}
    prepare(data, list(SUITE.values()), settings)
    out = {}
    for kind in {s.kind for s in specs}:
        for d in KINDS[kind].evaluate(data, [s for s in specs if s.kind == kind], settings):
            for r in d.iter_rows(named=True):
                out[(r["check_id"], r["report_id"], r["subject"])] = (r["status"], r["message"])
    return out


@pytest.mark.parametrize("blanks", ["zero", "strict"])
def test_equation_passes_fails_and_follows_the_blank_policy(blanks):
    got = results(batch({"good": {"review": ["1", "2", "0", "1", "4"]},
                         "bad": {"review": ["1", "2", "0", "1", "5"]},
                         "blank": {"review": ["1", "", "0", "1", "2"]},
                         "unread": {"review": ["1", cell("约2", "unreadable"), "0", "1", "4"]}}), "R1", blanks=blanks)
    assert got[("R1", "good", "review")] == ("pass", None)
    status, message = got[("R1", "bad", "review")]
    assert status == "fail" and "应为 4" in message and "实为 5" in message
    status, message = got[("R1", "blank", "review")]
    if blanks == "zero":  # 1 + 0 + 0 + 1 = 2: it holds, taking the blank as 0, and says so
        assert status == "pass" and message == "按空白为0计算：review.corrected；符合：行政复议 总计 等于各结果之和"
    else:
        assert status == "not_assessable" and "留空" in message and "strict" in message
    status, message = got[("R1", "unread", "review")]
    assert status == "not_assessable" and "corrected=未能读取（约2）" in message  # with the text that could not be read


def test_a_row_split_by_its_own_total_cannot_check_itself():
    split = [cell("1", "inferred"), cell("2", "inferred"), cell("0", "inferred"), cell("1", "inferred"), "4"]
    got = results(batch({"crawl": {"review": split, "suit_direct": ["1", "0", "0", "0", "1"]}}), "R1", "R2")
    status, message = got[("R1", "crawl", "review")]
    assert status == "not_assessable" and "按本行合计拆分" in message
    assert got[("R2", "crawl", "suit_direct")][0] == "pass"  # another row: judged as usual


def test_ocr_values_enter_only_where_their_equations_hold():
    held = [cell("3", "ocr", 0.91), "1", "0", "0", "4"]
    wrong = [cell("8", "ocr", 0.42), "1", "0", "0", "4"]  # OCR read 3 as 8: R1 would fail
    got = results(batch({"held": {"review": held}, "wrong": {"review": wrong}}), "R1", "R4", "S5")
    assert got[("R1", "held", "review")][0] == "pass"
    assert got[("S5", "held", "")][0] == "pass"
    # the disproved value is unreadable for every check: neither the equation nor the cell rule can judge it
    status, message = got[("R1", "wrong", "review")]
    assert status == "not_assessable"
    assert ("R4", "wrong", "review.upheld") not in got and got[("R4", "wrong", "")][0] == "not_assessable"
    status, message = got[("S5", "wrong", "review.upheld")]
    assert status == "fail" and "'8'" in message and "0.42" in message and "R1" in message


def test_an_ocr_value_no_equation_could_judge_is_not_believed():
    """Its one equation not assessable (another cell unreadable): the OCR -3 was judged by R4 (an error
    on a guessed value) and S5 passed it. A cell an equation proves beside it stays."""
    unproven = [cell("-3", "ocr", 0.3), cell("约2", "unreadable"), "0", "0", "4"]
    proven = [cell("1", "ocr", 0.6), "1", "0", "0", "2"]
    got = results(batch({"u": {"review": unproven, "suit_direct": proven}}), "R1", "R2", "R4", "S5")
    assert got[("R1", "u", "review")][0] == "not_assessable" and got[("R2", "u", "suit_direct")][0] == "pass"
    assert ("R4", "u", "review.upheld") not in got and got[("R4", "u", "")][0] == "not_assessable"
    status, message = got[("S5", "u", "review.upheld")]
    assert status == "fail" and message == ("行政复议 / 结果维持：OCR 读数 '-3'（置信度 0.3）无法经 R1 等式核验（其他单元格"
                                            "未能读取或留空），不予采信，按无法读取处理")
    assert ("S5", "u", "suit_direct.upheld") not in got


def test_a_finding_that_uses_an_ocr_value_says_so():
    wrong_total = ["3", "1", "0", "0", cell("5", "ocr", 0.9)]
    data = batch({"r": {"review": ["3", "1", "0", "0", "5"]}, "o": {"review": wrong_total}})
    got = results(data, "R1")
    assert got[("R1", "r", "review")][0] == "fail" and "OCR" not in got[("R1", "r", "review")][1]
    assert got[("R1", "o", "review")][0] == "not_assessable"  # gated: the OCR total is not believed


def test_cell_rule_names_the_cell_and_its_raw_text():
    got = results(batch({"neg": {"review": ["-1", "0", "0", "0", "-1"]}, "fine": {}}), "R4")
    status, message = got[("R4", "neg", "review.upheld")]
    assert status == "fail" and "-1" in message
    assert got[("R4", "fine", "")][0] == "pass"


@pytest.mark.parametrize("blanks", ["zero", "strict"])
def test_cell_rule_cannot_pass_a_table_with_a_cell_it_could_not_judge(blanks):
    """"Every cell is a whole number ≥ 0" cannot hold when a cell was unreadable (it passed, over the
    cells it could read), nor under `strict` over a blank; a cell that breaks it still fails, and the
    cells not judged are named beside it."""
    unread = cell("约2", "unreadable")
    got = results(batch({"unread": {"review": ["1", unread, "0", "1", "4"]}, "blank": {"review": ["1", "", "0", "1", "2"]},
                         "neg": {"review": ["-1", unread, "0", "0", "-1"]}}), "R4", blanks=blanks)
    status, message = got[("R4", "unread", "")]
    assert status == "not_assessable" and "1 个单元格未能读取" in message and "行政复议" in message
    assert got[("R4", "blank", "")][0] == ("pass" if blanks == "zero" else "not_assessable")
    assert got[("R4", "neg", "review.upheld")][0] == "fail"  # …and the cell it could not read is named beside
    assert got[("R4", "neg", "")][0] == "not_assessable" and "1 个单元格未能读取" in got[("R4", "neg", "")][1]


def test_cell_rule_reads_split_and_proven_ocr_values():
    got = results(batch({"r": {"review": [cell("1.5", "inferred"), "0", "0", "0", "1.5"],
                               "suit_direct": [cell("1.5", "ocr", 0.8), "0", "0", "0", "1.5"]}}), "R4")
    assert got[("R4", "r", "review.upheld")][0] == "fail" and got[("R4", "r", "suit_direct.upheld")][0] == "fail"



@pytest.mark.parametrize("blank", [True, False])
def test_procedural_blank_cells(blank):
    got = results(batch({"r": {"review": ["", "0", "0", "0", "0"] if blank else ["0"] * 5}}), "S4")
    status, message = got[("S4", "r", "reviews")]  # one result per report and table
    if blank:
        assert status == "fail" and "1 个单元格留空：review.upheld" in message and "按空白为0计算" in message
    else:
        assert (status, message) == ("pass", None)


@pytest.mark.parametrize("status", ["unreadable", "missing"])
def test_no_blank_cell_is_claimed_where_cells_were_not_read(status):
    """A table with cells not found or not read may hide a blank one (a PDF's text layer drops empty
    cells, and the row beside them is then unreadable): S4 passed there; it is not assessable."""
    got = results(batch({"r": {"review": [cell("约3", status), "0", "0", "0", "3"]},
                         "both": {"review": [cell("约3", status), "", "0", "0", "3"]}}), "S4")
    assert got[("S4", "r", "reviews")] == ("not_assessable", "无法判断：第四部分（政府信息公开行政复议、行政诉讼情况）有 1 个单元格"
                                                              "未找到或无法读取，其中可能有留空的单元格")
    assert got[("S4", "both", "reviews")][0] == "fail"  # a blank printed is a finding whatever else


def test_cross_year_compares_with_last_years_columns():
    """A cross-year rule reads `prev__` columns beside this year's (here: an equation of the same
    shape, made a cross-year entry, over a frame with both years)."""
    spec = SUITE["A5"]
    wide = pl.DataFrame({"report_id": ["same", "differs"], "template": [TEMPLATE] * 2})
    kind = KINDS[spec.kind]
    rules = cross_year_rules([spec])
    cols = sorted({c for r in rules for terms in r.plan.values() for cs in terms.values() for c in cs})
    wide = wide.with_columns([pl.Series(c, [2.0, 2.0 if c.startswith("prev__") else 3.0]) for c in cols])
    got = {(d["report_id"][i], d["status"][i]) for d in run_linear(wide, rules, partial(subject_labels, None)) for i in range(d.height)}
    assert ("same", "pass") in got and ("differs", "fail") in got and kind.name == "cross_year"


def test_a_rule_may_run_along_either_axis_of_its_table():
    """`per_metric` on section 四: one result per metric, the rule naming the groups."""
    from dataclasses import replace

    spec = replace(SUITE["R1"], id="X_AXIS", scope="per_metric", rule="review >= suit_after_review", subjects=(),
                   message="{subject_label}：行政复议 {actual}")
    KINDS["equation"].validate(spec, lambda msg: AssertionError(msg))
    data = batch({"r": {"review": ["1", "2", "0", "1", "4"], "suit_after_review": ["0", "3", "0", "1", "4"]}})
    prepare(data, list(SUITE.values()), {"blank_cells": "zero"})
    rows = {r["subject"]: r["status"] for d in KINDS["equation"].evaluate(data, [spec], {"blank_cells": "zero"})
            for r in d.iter_rows(named=True)}
    assert rows == {"upheld": "pass", "corrected": "fail", "other": "pass", "pending": "pass", "total": "pass"}


def test_a_leap_day_deadline_is_the_end_of_february_in_every_year():
    """`02-29` (end of February, which the settings allow) gave no due date in a year without one,
    and a report three weeks late was 'not assessable: no publication date', though both were known."""
    from datetime import date

    from checks.kinds.procedural import on_time

    reps = pl.DataFrame({"report_id": ["late", "leap", "last-day"], "office_kind": ["department"] * 3,
                         "region": [None] * 3, "report_year": [2022, 2023, 2022],
                         "published_at": [date(2023, 3, 20), date(2024, 2, 29), date(2023, 2, 28)]})
    out = on_time(None, reps, SUITE["D1"], {"deadlines": {"department": "02-29", "other": "03-31"}})
    got = {r["report_id"]: (r["status"], r["actual"]) for r in out.iter_rows(named=True)}
    assert got == {"late": ("fail", 20.0), "leap": ("pass", 0.0), "last-day": ("pass", 0.0)}
    assert "期限 2023-02-28" in out.filter(pl.col("report_id") == "late")["message"][0]

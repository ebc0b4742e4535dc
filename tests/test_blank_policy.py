"""The blank-cell policy (`blank_cells` in checks/settings.yaml) and one finding per problem (S3, S4).

Under `zero` (the default) a blank cell is 0 in every equation and cross-year rule, and each
result that read one says so; under `strict` such a result is not assessable. A cell that could
not be read never becomes 0. Tiny in-memory batches (test_kinds.batch), real report files through
ingest and the engine, and a simulated collection whose truth follows each policy."""

from __future__ import annotations

import json
import random

import polars as pl
import pytest
from builders import spec
from checking import check_files, status_of
from test_kinds import batch, cell, results

from checks.blanks import BLANK_NOTE, blank_policy
from checks.engine import check_lake
from checks.spec import SuiteError
from checks.suite import load_settings
from gkqc.ingest import ingest
from gkqc.lake import Lake
from gkqc.simulate.collection import simulate
from gkqc.simulate.compare import compare
from gkqc.simulate.numbers import OfficeState, make_values, raw
from gkqc.simulate.render import render_pagetext


def settings(blanks: str) -> dict:
    return {**load_settings(), "blank_cells": blanks}


def rows(res: pl.DataFrame, check: str, subject: str, path: str | None = None) -> list[dict]:
    df = res.filter((pl.col("check_id") == check) & (pl.col("subject") == subject))
    return (df if path is None else df.filter(pl.col("source_path") == path)).to_dicts()


# ------------------------------------------------------------------ equations on a tiny batch

def test_a_failure_that_took_a_blank_as_zero_names_the_cells_in_its_evidence():
    data = batch({"r": {"review": ["1", "", "0", "", "5"]}})  # 1 + 0 + 0 + 0 ≠ 5
    got = results(data, "R1")
    status, message = got[("R1", "r", "review")]
    assert status == "fail"
    assert message == f"{BLANK_NOTE}review.corrected、review.pending；行政复议 总计 应为 1（维持+纠正+其他+尚未审结），实为 5，相差 4"


def test_the_same_report_under_strict_is_not_assessable():
    got = results(batch({"r": {"review": ["1", "", "0", "", "5"]}}), "R1", blanks="strict")
    status, message = got[("R1", "r", "review")]
    assert status == "not_assessable" and not message.startswith(BLANK_NOTE)
    assert "corrected=空" in message and "pending=空" in message and "空→0" not in message


@pytest.mark.parametrize("blanks", ["zero", "strict"])
def test_a_cell_that_could_not_be_read_is_never_zero(blanks):
    unread = ["1", cell("约3", "unreadable"), "0", "0", "4"]
    both = ["1", cell("约3", "unreadable"), "", "0", "4"]  # a blank beside it changes nothing
    missing = ["1", cell("", "missing"), "0", "0", "1"]
    got = results(batch({"u": {"review": unread}, "b": {"review": both}, "m": {"review": missing}}), "R1",
                  blanks=blanks)
    for report in ("u", "b", "m"):
        status, message = got[("R1", report, "review")]
        assert status == "not_assessable" and message.startswith("无法判断：涉及的单元格未能读取"), (report, message)
        assert "corrected=未能读取" in message


def test_the_ocr_gate_follows_the_policy():
    """Under zero the equation with a blank is judged, so an OCR value it disproves is rejected; under
    strict it cannot be judged, so the OCR value is not proven and is rejected too."""
    wrong = [cell("8", "ocr", 0.5), "", "0", "0", "3"]  # 8 + 0 + 0 + 0 ≠ 3: the OCR 8 is not believed
    got = results(batch({"o": {"review": wrong}}), "R1", "S5")
    assert got[("R1", "o", "review")][0] == "not_assessable"
    assert got[("S5", "o", "review.upheld")][0] == "fail"
    strict = results(batch({"o": {"review": wrong}}), "R1", "S5", blanks="strict")
    assert strict[("R1", "o", "review")][0] == "not_assessable"  # the blank alone stops it
    status, message = strict[("S5", "o", "review.upheld")]  # and nothing proved the OCR value: not believed
    assert status == "fail" and "无法经 R1 等式核验" in message


# ------------------------------------------------------------------ S4 and S3: one per report and table

def test_s4_is_one_result_per_report_and_table_naming_count_and_cells(tmp_path):
    s = spec("gov2021", 2022, seed=8)
    zeros = [k for k, v in s.applications.items() if v == "0"]
    for k in zeros:  # every 0 of section 三 left blank, as many offices print it
        s.applications[k] = "-"
    s.reviews[("review", "upheld")] = ""
    clean = spec("gov2021", 2022, seed=9, office="青山市民政局")
    res = check_files(tmp_path, {"x.txt": render_pagetext(s).encode(), "y.txt": render_pagetext(clean).encode()})
    s4 = res.filter(pl.col("check_id") == "S4")
    assert s4.height == 6  # two reports × three tables
    assert set(s4.filter(pl.col("source_path") == "y.txt")["status"]) == {"pass"}
    (apps,) = rows(res, "S4", "applications", "x.txt")
    assert len(zeros) > 20 and apps["status"] == "fail"
    assert f"有 {len(zeros)} 个单元格留空" in apps["message"] and " 等；" in apps["message"]  # the message stops at 20
    assert apps["message"].count("、") == 19 and "按空白为0计算" in apps["message"]
    assert apps["cells"].count("=-") == len(zeros)  # the evidence names every one with its raw text
    (revs,) = rows(res, "S4", "reviews", "x.txt")
    assert revs["status"] == "fail" and revs["cells"] == "review.upheld=（空白）"
    assert rows(res, "S4", "active_disclosure", "x.txt")[0]["status"] == "pass"
    # the equations of section 三 are all assessed, and say what they assumed
    a2 = res.filter((pl.col("check_id") == "A2") & (pl.col("source_path") == "x.txt"))
    assert set(a2["status"]) == {"pass"} and a2["message"].str.starts_with(BLANK_NOTE).all()


def test_s3_is_one_result_per_report_and_table(tmp_path):
    s = spec("gov2019", 2020, seed=41)
    s.applications[("partial", "research")] = "约4"
    s.applications[("granted", "research")] = "若干"
    res = check_files(tmp_path, {"x.txt": render_pagetext(s).encode()})
    (s3,) = rows(res, "S3", "applications")
    assert s3["status"] == "fail" and "有 2 个单元格未找到或无法读取" in s3["message"]
    assert s3["cells"] == "granted.research=若干; partial.research=约4"
    assert status_of(res, "S3", "reviews") == "pass" == status_of(res, "S3", "active_disclosure")


# ------------------------------------------------------------------ cross-year, through the engine

@pytest.mark.parametrize("blanks", ["zero", "strict"])
def test_cross_year_rules_take_last_years_blank_as_zero(tmp_path, blanks):
    state, rng = OfficeState(), random.Random(5)
    texts, blanked = {}, None
    for year in (2021, 2022):
        v = make_values(rng, "gov2021", state)
        s = spec("gov2021", year, seed=1, office="青山市统计局")
        s.applications = {k: raw(x) for k, x in v.applications.items()}
        s.active = {k: raw(x) for k, x in v.active.items()}
        if year == 2021:  # last year's 结转下年度 left blank where it was 0
            blanked = next(c for (r, c), x in s.applications.items() if r == "carried_forward" and x == "0")
            s.applications[("carried_forward", blanked)] = "/"
        texts[f"{year}.txt"] = render_pagetext(s).encode()
    res = check_files(tmp_path, texts, settings=settings(blanks))
    (a5,) = rows(res, "A5", blanked, "2022.txt")
    if blanks == "zero":
        assert a5["status"] == "pass"
        assert a5["message"].startswith(f"{BLANK_NOTE}上一年度报告 carried_forward.{blanked}；符合：")
        assert "上一年度报告 carried_forward.natural_person=空→0" in a5["cells"]
    else:
        assert a5["status"] == "not_assessable" and "留空" in a5["message"]


def test_a_cross_year_finding_names_last_years_cells_in_chinese_and_quotes_what_could_not_be_read(tmp_path):
    """Last year's 结转下年度 printed 约3: A5's evidence says 上一年度报告 carried_forward.natural_person=未能读取（约3） (the
    code before showed the grid's column, prev__carried_forward=未能读取, without the text); the cell's
    own report's A1 quotes it too."""
    state, rng = OfficeState(), random.Random(5)
    texts = {}
    for year in (2021, 2022):
        v = make_values(rng, "gov2021", state)
        s = spec("gov2021", year, seed=1, office="青山市统计局")
        s.applications = {k: raw(x) for k, x in v.applications.items()}
        if year == 2021:
            s.applications[("carried_forward", "natural_person")] = "约3"
        texts[f"{year}.txt"] = render_pagetext(s).encode()
    res = check_files(tmp_path, texts, settings=settings("zero"))
    (a5,) = rows(res, "A5", "natural_person", "2022.txt")
    assert a5["status"] == "not_assessable"
    assert "上一年度报告 carried_forward.natural_person=未能读取（约3）" in a5["cells"] and "prev__" not in a5["cells"] + a5["message"]
    (a1,) = rows(res, "A1", "natural_person", "2021.txt")
    assert "carried_forward.natural_person=未能读取（约3）" in a1["cells"]


# ------------------------------------------------------------------ the setting itself

SCORING = "scoring: {error: 10, warning: 3, grades: {A: 90, B: 75, C: 60}}\n"


def test_the_setting_is_checked_and_defaults_to_zero(tmp_path):
    assert load_settings()["blank_cells"] == "zero"
    bad = tmp_path / "settings.yaml"
    bad.write_text(SCORING + "deadlines: {other: '03-31'}\nblank_cells: maybe\n", encoding="utf-8")
    with pytest.raises(SuiteError, match="blank_cells"):
        load_settings(bad)
    bad.write_text(SCORING + "deadlines: {other: '03-31'}\n", encoding="utf-8")
    assert blank_policy(load_settings(bad)) == "zero"  # no setting: zero


DEADLINES = "deadlines: {other: '03-31'}\n"


@pytest.mark.parametrize(("text", "named"), [
    # a deadline that is no date or for no kind: it became no due date, and every D1 'not assessable'
    (SCORING + "deadlines: {department: '02-30', other: '03-31'}", "deadlines.department: '02-30'"),
    (SCORING + "deadlines: {department: '1-31', other: '03-31'}", "deadlines.department: '1-31'"),
    (SCORING + "deadlines: {department: '01-31'}", "other"),
    (SCORING + "deadlines: {ministry: '01-31', other: '03-31'}", "deadlines.ministry"),
    (SCORING + DEADLINES + "provinces: {江苏省: {township: '02-31'}}", "provinces.江苏省.township"),
    # a scoring rule that is no rule
    (DEADLINES + "scoring: {error: 10, warning: 3}", "scoring"),
    (DEADLINES + "scoring: {error: -1, warning: 3, grades: {A: 90, B: 75, C: 60}}", "scoring.error: '-1'"),
    (DEADLINES + "scoring: {error: 10, warning: 2.5, grades: {A: 90, B: 75, C: 60}}", "scoring.warning: '2.5'"),
    (DEADLINES + "scoring: {error: 10, warning: 3, grades: {A: 90, B: 75}}", "scoring.grades.C: 'None'"),
    (DEADLINES + "scoring: {error: 10, warning: 3, grades: {A: 75, B: 90, C: 60}}", "A > B > C"),
])
def test_a_deadline_or_scoring_rule_that_is_none_stops_the_run_naming_it(tmp_path, text, named):
    bad = tmp_path / "settings.yaml"
    bad.write_text(text + "\n", encoding="utf-8")
    with pytest.raises(SuiteError) as e:
        load_settings(bad)
    assert str(bad) in str(e.value) and named in str(e.value)


def test_a_leap_day_is_a_deadline(tmp_path):
    good = tmp_path / "settings.yaml"
    good.write_text(SCORING + "deadlines: {township: '02-29', other: '03-31'}\n", encoding="utf-8")
    assert load_settings(good)["deadlines"]["township"] == "02-29"


# ------------------------------------------------------------------ a simulated collection, both policies

def test_simulated_blank_for_zero_columns_agree_with_truth_under_either_policy(tmp_path):
    zero, strict = tmp_path / "zero", tmp_path / "strict"
    summary = simulate(zero, 40, (2019, 2023), seed=3, defect_rate=0.6, workers=1)
    simulate(strict, 40, (2019, 2023), seed=3, defect_rate=0.6, workers=1, blanks="strict")
    assert summary.defects["blank_for_zero"] >= 5
    truth = [json.loads(x) for x in (zero / "truth.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sum(["S4", "applications"] in t["fails"] for t in truth) >= 5
    lake = Lake(tmp_path / "lake")
    ingest(zero, lake, "t1", workers=0)
    assert check_lake(lake, "t1").changed
    assert compare(zero, lake).mismatches == []
    res = pl.read_parquet(lake.paths("check_results"))
    on_blanks = res.filter(pl.col("message").str.starts_with(BLANK_NOTE))
    assert on_blanks.height > 50 and set(on_blanks["check_id"]) >= {"A1", "A2", "A3"}
    # the same lake under strict: everything is checked again, and those results cannot be judged
    assert check_lake(lake, "t2", settings=settings("strict")).changed
    assert compare(strict, lake).mismatches == []
    again = pl.read_parquet(lake.paths("check_results")).join(
        on_blanks.select("report_id", "check_id", "subject"), on=["report_id", "check_id", "subject"])
    assert again.height == on_blanks.height and set(again["status"]) == {"not_assessable"}


def test_the_scorecard_counts_failures_that_rest_on_blanks(tmp_path):
    """A report that leaves a column blank and whose row total is then wrong: the failure rests on
    blanks counted as 0, and the office's scorecard says how many of its failures do."""
    from gkqc.simulate.render import render_pagetext
    from warehouse.access import connect_readonly
    from warehouse.build import build

    s = spec("gov2021", 2022, office="青山市教育局", seed=4)
    for key in list(s.applications):
        if key[1] == "research":
            s.applications[key] = ""  # no applications from research bodies: the column left blank
    s.applications[("granted", "total")] = str(int(s.applications[("granted", "total")]) + 1)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "r.txt").write_text(render_pagetext(s), encoding="utf-8")
    lake = Lake(tmp_path / "wh" / "lake")
    ingest(inbox, lake, "t1", workers=0)
    check_lake(lake, "t1")
    lake.commit("t1")
    build(tmp_path / "wh", lake)
    con = connect_readonly(tmp_path / "wh")
    try:
        (on_blanks, errors), = con.execute("select on_blanks, errors from scorecard_office").fetchall()
        resting = con.execute("select count(*) from check_results where status = 'fail' "
                              "and starts_with(message, '按空白为0计算：')").fetchall()[0][0]
    finally:
        con.close()
    assert on_blanks == resting >= 1 and errors >= on_blanks

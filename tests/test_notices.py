"""整改通知: one workbook per office with its confirmed and open findings and their evidence, one zip per region."""

from __future__ import annotations

import zipfile

import openpyxl
import pytest
from typer.testing import CliRunner
from workspace import PLANTED, PLANTED_CELL, YEAR, make_inbox, run

from gkqc.cli import app
from gkqc.notices import write_notices
from gkqc.review import record
from warehouse.access import connect_readonly

REGION = "碧水市"


def q(wh, sql: str, *params) -> list[tuple]:
    with connect_readonly(wh) as con:
        return con.execute(sql, list(params)).fetchall()


def sheet(path, name: str) -> list[tuple]:
    return list(openpyxl.load_workbook(path, read_only=True)[name].iter_rows(values_only=True))


@pytest.fixture(scope="module")
def wh(tmp_path_factory):
    root = tmp_path_factory.mktemp("notices")
    wh = root / "wh"
    run(make_inbox(root, offices=10, years=(2021, 2022)), wh, "t1")
    record(wh, "A3", PLANTED, YEAR, "granted", "dismissed", "予以公开行另有说明", by="李四")
    record(wh, "A1", PLANTED, YEAR, "natural_person", "confirmed", "总计多计 7 件，属实", by="李四")
    return wh


def test_one_workbook_per_office_with_its_open_findings(wh, tmp_path):
    s = write_notices(wh, YEAR, tmp_path)
    path = tmp_path / REGION / f"{PLANTED}-{YEAR}整改通知.xlsx"
    assert path in s.workbooks
    rows = sheet(path, "问题清单")
    assert rows[0][:6] == ("序号", "检查", "检查名称", "级别", "对象", "问题说明")
    listed = [(r[1], r[10]) for r in rows[1:]]
    # A3 on （一）予以公开 was dismissed: left out; A1 confirmed; the rest open
    assert sorted(listed) == [("A1", "已确认"), ("A2", "待审核"), ("A2", "待审核"), ("A3", "待审核")]
    a1 = next(r for r in rows[1:] if r[1] == "A1")
    raw, line = q(wh, """select a.raw, a.line from applications a join reports r using (report_id)
                         where r.office = ? and r.report_year = ? and a.row_id = ? and a.column_id = ?""",
                  PLANTED, YEAR, *PLANTED_CELL)[0]
    assert f"（七）总计 / 自然人 = {raw}（第 {line} 行）" in a1[9]  # the evidence: printed text and its line
    assert a1[6] is not None and a1[7] == a1[6] + a1[8] and a1[11] == "总计多计 7 件，属实" and a1[12] == "李四"
    head = dict(r for r in sheet(path, "整改通知")[2:] if r and r[0])
    assert head["机关"] == PLANTED and head["报告年度"] == YEAR and "审核已确认 1 项，待审核 3 项" in head["需整改的问题"]


def test_unpublished_offices_are_told_to_publish_and_clear_ones_get_nothing(wh, tmp_path):
    s = write_notices(wh, YEAR, tmp_path)
    rows = sheet(tmp_path / REGION / f"碧水市审计局-{YEAR}整改通知.xlsx", "问题清单")
    assert rows[1][2] == "未发布年度报告"
    clear = q(wh, """select count(*) from scorecard_office s where report_year = ? and report_id is not null
                     and not exists (select 1 from findings f where f.report_id = s.report_id and not f.dismissed)""", YEAR)[0][0]
    owed = q(wh, "select count(*) from scorecard_office where report_year = ?", YEAR)[0][0] - clear
    assert s.offices_clear == clear > 0 and len(s.workbooks) == owed


def test_one_zip_per_region(wh, tmp_path):
    s = write_notices(wh, YEAR, tmp_path)
    regions = {r[0] for r in q(wh, """select distinct region from scorecard_office s where report_year = ? and (
        report_id is null or exists (select 1 from findings f where f.report_id = s.report_id and not f.dismissed))""", YEAR)}
    assert len(s.zips) == len(regions)
    with zipfile.ZipFile(tmp_path / f"{REGION}-{YEAR}整改通知.zip") as z:
        assert sorted(z.namelist()) == sorted(p.name for p in (tmp_path / REGION).glob("*.xlsx"))
        assert f"{PLANTED}-{YEAR}整改通知.xlsx" in z.namelist()
    one = write_notices(wh, YEAR, tmp_path / "one", region=REGION)
    assert [z.name for z in one.zips] == [f"{REGION}-{YEAR}整改通知.zip"]


def test_cli_notices(wh, tmp_path):
    result = CliRunner().invoke(app, ["notices", "--year", str(YEAR), "--region", REGION, "--out", str(tmp_path),
                                      "-w", str(wh)])
    assert result.exit_code == 0, result.output
    assert "整改通知 3 份" in result.output and (tmp_path / f"{REGION}-{YEAR}整改通知.zip").exists()
    none = CliRunner().invoke(app, ["notices", "--year", "1999", "--out", str(tmp_path), "-w", str(wh)])
    assert none.exit_code == 2
    none = CliRunner().invoke(app, ["notices", "--year", str(YEAR), "--region", "不存在", "--out", str(tmp_path), "-w", str(wh)])
    assert none.exit_code == 2 and f"{YEAR} 年度地区“不存在”没有机关评分" in none.output


def test_notices_written_again_leave_none_of_the_earlier_that_is_no_longer_owed(wh, tmp_path):
    """Written into the folder of an earlier writing, the notices of the year are what is owed now:
    a workbook and a zip no longer owed go; other files, and other years' notices, stay."""
    first = write_notices(wh, YEAR, tmp_path)
    gone = [tmp_path / REGION / f"碧水市已整改局-{YEAR}整改通知.xlsx", tmp_path / f"[旧]地区-{YEAR}整改通知.zip"]
    kept = [tmp_path / REGION / "审核笔记.xlsx", tmp_path / REGION / f"碧水市已整改局-{YEAR - 1}整改通知.xlsx"]
    for p in gone + kept:
        p.write_bytes(first.workbooks[0].read_bytes())
    again = write_notices(wh, YEAR, tmp_path)
    assert not any(p.exists() for p in gone) and all(p.exists() for p in kept)
    on_disk = {*tmp_path.glob(f"*/*-{YEAR}整改通知.xlsx"), *tmp_path.glob(f"*-{YEAR}整改通知.zip")}
    assert on_disk == {*again.workbooks, *again.zips}
    write_notices(wh, YEAR, tmp_path, region=REGION)  # one region: the others' notices are not its to remove
    assert {*tmp_path.glob(f"*/*-{YEAR}整改通知.xlsx")} == set(again.workbooks)
    left = tmp_path / "旧地区" / f"碧水市已整改局-{YEAR}整改通知.xlsx"  # a region whose only notice is no longer owed
    left.parent.mkdir()
    left.write_bytes(first.workbooks[0].read_bytes())
    write_notices(wh, YEAR, tmp_path)
    assert not left.parent.exists() and (tmp_path / REGION / "审核笔记.xlsx").exists()  # (it was left behind, empty)


def test_a_selection_nothing_matches_removes_no_notice(wh, tmp_path):
    """A region with no scorecard wrote nothing, then removed every notice of the year in the folder
    of that name before the CLI said "nothing matches": notices still owed were lost."""
    owed = [tmp_path / "旧地区" / f"碧水市审计局-{YEAR}整改通知.xlsx", tmp_path / f"旧地区-{YEAR}整改通知.zip"]
    owed[0].parent.mkdir()
    for p in owed:
        p.write_bytes(b"owed")
    s = write_notices(wh, YEAR, tmp_path, region="旧地区")
    assert (s.workbooks, s.zips, s.offices_clear) == ([], [], 0)
    assert all(p.read_bytes() == b"owed" for p in owed)
    result = CliRunner().invoke(app, ["notices", "--year", str(YEAR), "--region", "旧地区", "--out", str(tmp_path),
                                      "-w", str(wh)])
    assert result.exit_code == 2 and all(p.exists() for p in owed)


def test_a_workbook_that_cannot_be_created_ends_the_command_in_one_line(wh, tmp_path, monkeypatch):
    """A region's folder the command cannot write: xlsxwriter's FileCreateError is no OSError, and the
    command died with a traceback (exit 1)."""
    import xlsxwriter
    from xlsxwriter.exceptions import FileCreateError

    def refused(self):
        raise FileCreateError(PermissionError(1, "Operation not permitted"))
    monkeypatch.setattr(xlsxwriter.Workbook, "close", refused)
    result = CliRunner().invoke(app, ["notices", "--year", str(YEAR), "--out", str(tmp_path), "-w", str(wh)])
    assert result.exit_code == 2 and "无法写入" in result.output and "Traceback" not in result.output

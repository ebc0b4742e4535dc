"""What the inbox brings into a run: re-collected copies of a known report, and hostile entries,
each one row of `documents`, none stopping the run."""

from __future__ import annotations

import os
import zipfile

import polars as pl
import pytest
from conftest import SAMPLES
from runs import gkqc, snapshot

from checks.engine import check_lake
from gkqc.ingest import ingest
from gkqc.lake import Lake

pytestmark = pytest.mark.usefixtures("prefect_api")

ALI = (SAMPLES / "ali-2020-annual-report.txt").read_bytes()


def _variants() -> dict[str, bytes]:
    """The same report as a crawler saves it again: other line ends, a page counter, another name."""
    return {"ali.txt": ALI, "ali-crlf.txt": ALI.replace(b"\n", b"\r\n"),
            "mirror/ali-counter.txt": ALI.replace("浏览次数:".encode(), "浏览次数:1234".encode())}


def _run(inbox, lake: Lake, run_id: str) -> None:
    ingest(inbox, lake, run_id, workers=0)
    check_lake(lake, run_id)
    lake.commit(run_id)


def test_recollected_bytes_are_one_report_with_a_document_row_each(tmp_path):
    inbox = tmp_path / "inbox"
    for name, data in _variants().items():  # all in one batch
        (inbox / name).parent.mkdir(parents=True, exist_ok=True)
        (inbox / name).write_bytes(data)
    lake = Lake(tmp_path / "lake")
    _run(inbox, lake, "r1")
    docs = pl.read_parquet(lake.paths("documents"))
    assert docs.height == 3 and docs["doc_id"].n_unique() == 3
    assert docs["parse_status"].to_list() == ["parsed"] * 3 and docs["report_id"].n_unique() == 1
    assert pl.read_parquet(lake.paths("reports")).height == 1
    # the next night: yet another copy (new name, CRLF and a new counter)
    again = ALI.replace("浏览次数:".encode(), "浏览次数:99".encode()).replace(b"\n", b"\r\n")
    (inbox / "ali-again.txt").write_bytes(again)
    lake = Lake(tmp_path / "lake")
    lake.init()
    _run(inbox, lake, "r2")
    docs = pl.read_parquet(lake.paths("documents"))
    assert docs.height == 4 and docs["report_id"].n_unique() == 1
    assert pl.read_parquet(lake.paths("reports")).height == 1
    results = pl.read_parquet(lake.paths("check_results"))
    assert results.filter(pl.col("check_id") == "A1").height == results.filter(
        pl.col("check_id") == "A1")["subject"].n_unique()  # checked once, not once per copy


def _encrypted_zip(path) -> None:
    """A zip whose member says it is encrypted (zipfile cannot write one: set the flag bit by hand)."""
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("secret.txt", ALI)
    data = bytearray(path.read_bytes())
    for sig in (b"PK\x03\x04", b"PK\x01\x02"):
        at = data.find(sig)
        flag = at + (6 if sig == b"PK\x03\x04" else 8)
        data[flag] |= 1
    path.write_bytes(bytes(data))


def test_hostile_entries_are_rows_and_the_run_completes(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "ali.txt").write_bytes(ALI)
    with zipfile.ZipFile(inbox / "good.zip", "w") as z:
        z.writestr("inner/suqian.txt", (SAMPLES / "suqian_2024.txt").read_bytes())
    damaged = inbox / "damaged.zip"
    with zipfile.ZipFile(damaged, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.txt", ALI)
    damaged.write_bytes(damaged.read_bytes()[:200])
    _encrypted_zip(inbox / "locked.zip")
    os.mkfifo(inbox / "pipe.txt")
    os.symlink("/dev/zero", inbox / "zero.txt")
    (inbox / os.fsdecode(b"\xb0\xa2-report.txt")).write_bytes(ALI.replace("阿里地区".encode(), "噶尔县".encode()))
    (inbox / "offices.csv").write_bytes("office,region,office_kind\n阿里地区,阿里地区,government\n".encode("gbk"))
    wh = tmp_path / "wh"
    r = gkqc("run", str(inbox), "--warehouse", str(wh), timeout=300)
    assert r.returncode == 0, r.stderr
    docs = {row[0]: row[1:] for row in snapshot(wh)["documents"]}
    status = {p: v[5] for p, v in docs.items()}
    reason = {p: v[6] or "" for p, v in docs.items()}
    assert status["ali.txt"] == "parsed" and status["good.zip!inner/suqian.txt"] in ("parsed", "partial")
    assert status["damaged.zip"] == "unreadable" and "损坏" in reason["damaged.zip"]
    assert status["locked.zip!secret.txt"] == "unreadable" and "加密" in reason["locked.zip!secret.txt"]
    assert status["pipe.txt"] == "unreadable" and "FIFO" in reason["pipe.txt"]
    assert status["zero.txt"] == "unreadable" and "device" in reason["zero.txt"]
    odd = next(p for p in docs if p.endswith("-report.txt"))
    assert status[odd] == "parsed" and "\\xb0" in odd
    assert [row[0] for row in snapshot(wh)["offices"]] == ["阿里地区"]


def test_a_wrong_office_header_stops_the_run_before_anything_is_touched(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "ali.txt").write_bytes(ALI)
    (inbox / "offices.csv").write_text("name,region,kind\n阿里地区,阿里地区,government\n", encoding="utf-8")
    wh = tmp_path / "wh"
    r = gkqc("run", str(inbox), "--warehouse", str(wh))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "offices.csv" in r.stderr and "第1行" in r.stderr and "office" in r.stderr
    assert not (wh / "lake").exists()


def test_json_output_never_prints_bare_infinity(tmp_path):
    import json

    from runs import sample_inbox

    inbox = sample_inbox(tmp_path)
    wh = tmp_path / "wh"
    assert gkqc("run", str(inbox), "--warehouse", str(wh)).returncode == 0
    r = gkqc("sql", "select 'inf'::double as a, 'nan'::double as b, 1.5::double as c", "--warehouse", str(wh), "--format", "json")
    assert r.returncode == 0, r.stderr

    def refuse(name):
        raise ValueError(name)

    assert json.loads(r.stdout, parse_constant=refuse) == [{"a": "inf", "b": "nan", "c": 1.5}]


def test_a_warehouse_inside_the_inbox_is_never_read_as_collected_files(tmp_path):
    """`gkqc run . --warehouse wh`: the second run read the run's own pages as reports, and the
    office-year page, undated, became the newest version of the report and was scored instead of it.
    The warehouse is left out of the inbox; the inbox itself cannot be the warehouse."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "ali.txt").write_bytes(ALI)
    wh = inbox / "wh"
    for _ in range(2):
        r = gkqc("run", str(inbox), "--warehouse", str(wh))
        assert r.returncode == 0, r.stderr
    assert (wh / "scorecards").is_dir()
    views = snapshot(wh)
    assert [row[0] for row in views["documents"]] == ["ali.txt"] and len(views["reports"]) == 1
    r = gkqc("run", str(inbox), "--warehouse", str(inbox))
    assert r.returncode == 2 and "数据仓库不能就是收件箱" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_a_scorecard_page_collected_with_the_reports_is_no_report(tmp_path):
    """`gkqc scorecard --out inbox/published`: the next run read gkqc's own office-year page as the
    newest version of the report and scored it (74 instead of the report's own findings)."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "ali.txt").write_bytes(ALI)
    wh = tmp_path / "wh"
    assert gkqc("run", str(inbox), "--warehouse", str(wh)).returncode == 0
    before = snapshot(wh)["scorecard_office"]
    assert gkqc("scorecard", "--out", str(inbox / "published"), "--warehouse", str(wh)).returncode == 0
    assert gkqc("run", str(inbox), "--warehouse", str(wh)).returncode == 0
    views = snapshot(wh)
    assert len(views["reports"]) == 1 and views["scorecard_office"] == before
    pages = [row for row in views["documents"] if row[0].endswith(".html")]
    assert pages and all("gkqc 生成的评分卡页面" in str(row) for row in pages)

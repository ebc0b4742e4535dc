"""Reviewers' decisions: kept across runs and corrected re-publications, taken out of the score when
dismissed, shown stale when their finding disappears; rectification across three versions."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from datetime import date, datetime, timedelta

import lxml.html
import pytest
from typer.testing import CliRunner
from workspace import PLANTED, REVISED, YEAR, add_version, make_inbox, run

from gkqc import runlock
from gkqc.cli import app
from gkqc.lake import Lake
from gkqc.outputs.html import report_page
from gkqc.outputs.scorecard import publish, published_from, record_published
from gkqc.review import Decision, ReviewError, append, decisions_path, rebuild, record
from warehouse.access import connect_readonly
from warehouse.build import build_fingerprint

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]


def q(wh, sql: str, *params) -> list[tuple]:
    with connect_readonly(wh) as con:
        return con.execute(sql, list(params)).fetchall()


def score(wh, office: str = REVISED) -> tuple:
    return q(wh, "select score, errors, dismissed from scorecard_office where office = ? and report_year = ?",
             office, YEAR)[0]


def findings(wh) -> set[tuple]:
    return set(q(wh, """select check_id, subject from findings where office = ? and report_year = ? and is_latest""",
                 REVISED, YEAR))


def page(wh, office: str = REVISED):
    path = wh / "scorecards" / "site" / report_page(office, YEAR)
    return lxml.html.document_fromstring(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    root = tmp_path_factory.mktemp("review")
    inbox = make_inbox(root, offices=6, years=(2021, 2022))
    wh = root / "wh"
    run(inbox, wh, "t1")
    publish(wh)
    return inbox, wh


def test_decisions_survive_reruns_and_republications(province):
    inbox, wh = province
    assert findings(wh) == {("A1", "natural_person"), ("A2", "natural_person"), ("A3", "results_total"), ("R1", "review")}
    assert score(wh) == (60, 4, 0)

    # a reviewer dismisses R1 (its only subject is found without --subject) and confirms A1
    d = record(wh, "R1", REVISED, YEAR, None, "dismissed", "复议总计含跨年案件，经核实无误", by="李四")
    assert (d.subject, d.decided_by) == ("review", "李四")
    record(wh, "A1", REVISED, YEAR, "natural_person", "confirmed", "与原表核对属实", by="李四")
    assert score(wh) == (70, 3, 1)  # the dismissed finding leaves the score at once
    li = next(li for li in page(wh).xpath("//ol[@class='findings']/li") if "[R1 " in li.text_content())
    assert "dismissed" in li.get("class") and "已排除" in li.text_content() and "复议总计含跨年案件" in li.text_content()
    assert len(decisions_path(wh).read_text(encoding="utf-8").splitlines()) == 2

    # a re-run with nothing new, then one with a new file: the warehouse is rebuilt, the decisions stay
    run(inbox, wh, "t2")
    (inbox / "planted" / "late.txt").write_text((inbox / "planted" / "hostile-0.txt").read_text(encoding="utf-8")
                                                .replace("2023-01-20", "2023-02-02"), encoding="utf-8")
    run(inbox, wh, "t3")
    assert score(wh) == (70, 3, 1)
    assert q(wh, "select check_id, decision, stale from decisions order by check_id") == [
        ("A1", "confirmed", False), ("R1", "dismissed", False)]

    # a corrected re-publication: the applications table fixed, R1 still there, R2 newly broken
    add_version(inbox, 2)
    run(inbox, wh, "t4")
    publish(wh)
    assert findings(wh) == {("R1", "review"), ("R2", "suit_direct")}
    assert score(wh) == (90, 1, 1)  # R1 still dismissed: the decision follows the finding, not the file
    assert q(wh, "select check_id, stale from decisions order by check_id") == [("A1", True), ("R1", False)]
    doc = page(wh)
    stale = doc.xpath("//h2[text()='过期的审核决定']/following-sibling::ul[1]/li")
    assert len(stale) == 1 and "A1" in stale[0].text_content() and "与原表核对属实" in stale[0].text_content()

    # a newer decision on the same finding supersedes the older one; both are kept
    record(wh, "R1", REVISED, YEAR, "review", "confirmed", "再次核对：总计确有错误", by="王五")
    assert score(wh) == (80, 2, 0)
    assert q(wh, """select decision, decided_by, is_current from decisions where check_id = 'R1'
                    order by decided_at, decided_by""") == [("dismissed", "李四", False), ("confirmed", "王五", True)]


def test_rectification_across_three_versions(province):
    inbox, wh = province
    add_version(inbox, 2)
    add_version(inbox, 3)
    run(inbox, wh, "t5")
    publish(wh)
    rows = q(wh, """select version_no, check_id, subject, rectification from findings
                    where office = ? and report_year = ? order by version_no, check_id, subject""", REVISED, YEAR)
    assert rows == [(1, "A1", "natural_person", "已整改"), (1, "A2", "natural_person", "已整改"),
                    (1, "A3", "results_total", "已整改"), (1, "R1", "review", "未整改"),
                    (2, "R1", "review", "未整改"), (2, "R2", "suit_direct", "已整改"),
                    (3, "R1", "review", "未整改")]
    doc = page(wh)
    versions = doc.get_element_by_id("versions").xpath("tbody/tr")
    assert [tr.xpath("td[1]")[0].text_content() for tr in versions] == ["第 1 版", "第 2 版", "第 3 版（最新，计分）"]
    changed = versions[1].xpath("td[6]")[0].text_content()
    assert "2 个单元格不同" in changed and "不再出现 3 项问题" in changed and "新出现 1 项" in changed
    assert "（七）总计 / 自然人" in changed
    rect = [[td.text_content() for td in tr.xpath("td")] for tr in doc.get_element_by_id("rectification").xpath("tbody/tr")]
    assert [(r[0], r[2], r[3][:5]) for r in rect] == [("A1", "已整改", "第 1 版"), ("A2", "已整改", "第 1 版"),
                                                       ("A3", "已整改", "第 1 版"), ("R1", "未整改", "第 1 版"),
                                                       ("R1", "未整改", "第 2 版"), ("R2", "已整改", "第 2 版")]
    assert all(r[4].startswith("第 3 版") for r in rect)


def test_refused_decisions_name_the_problem(province):
    _, wh = province
    before = decisions_path(wh).read_bytes() if decisions_path(wh).exists() else b""
    with pytest.raises(ReviewError, match="--subject 指明其一：commercial、natural_person"):
        record(wh, "A2", PLANTED, YEAR, None, "dismissed", "x")
    with pytest.raises(ReviewError, match="没有对象 nowhere"):
        record(wh, "A1", PLANTED, YEAR, "nowhere", "dismissed", "x")
    with pytest.raises(ReviewError, match="没有不通过的 D1"):
        record(wh, "D1", PLANTED, YEAR, None, "dismissed", "x")
    with pytest.raises(ReviewError, match="不在检查集中"):
        record(wh, "Z9", PLANTED, YEAR, None, "dismissed", "x")
    with pytest.raises(ReviewError, match="理由"):
        record(wh, "A1", PLANTED, YEAR, "natural_person", "dismissed", "  ")
    assert (decisions_path(wh).read_bytes() if decisions_path(wh).exists() else b"") == before


def test_review_waits_for_no_run(province):
    """While a run holds the warehouse, a decision is refused at once and nothing is written."""
    _, wh = province
    before = decisions_path(wh).read_bytes() if decisions_path(wh).exists() else b""
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time\nfrom pathlib import Path\nfrom gkqc import runlock\n"
         "with runlock.hold(Path(sys.argv[1]), 'gkqc run'):\n    print('held', flush=True)\n    time.sleep(120)\n",
         str(wh)], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(runlock.WarehouseBusy, match="gkqc run"):
            record(wh, "A1", PLANTED, YEAR, "natural_person", "confirmed", "属实")
        result = CliRunner().invoke(app, ["review", "A1", "--office", PLANTED, "--year", str(YEAR), "--subject",
                                          "natural_person", "--confirm", "--reason", "属实", "-w", str(wh)])
        assert result.exit_code == 2 and "正被" in result.output
    finally:
        holder.kill()
        holder.wait()
    assert (decisions_path(wh).read_bytes() if decisions_path(wh).exists() else b"") == before


def test_a_damaged_line_is_skipped_not_fatal(province):
    _, wh = province
    path = decisions_path(wh)
    good = q(wh, "select count(*) from decisions")[0][0]
    path.write_bytes(path.read_bytes() + b'{"office": "x", "report_year": \n')
    with runlock.hold(wh, "test"):
        rebuild(wh)
    assert q(wh, "select count(*) from decisions")[0][0] == good


def test_cli_review(province):
    _, wh = province
    runner = CliRunner()
    result = runner.invoke(app, ["review", "A3", "--office", PLANTED, "--year", str(YEAR), "--subject", "results_total",
                                 "--dismiss", "--reason", "行合计按原表说明", "--by", "赵六", "-w", str(wh)])
    assert result.exit_code == 0, result.output
    assert "赵六" in result.output and "排除" in result.output and "results_total" in result.output
    assert q(wh, "select decided_by, subject from decisions where check_id = 'A3' and office = ?", PLANTED) == [
        ("赵六", "results_total")]
    both = runner.invoke(app, ["review", "A3", "--office", PLANTED, "--year", str(YEAR), "--dismiss", "--confirm",
                               "--reason", "x", "-w", str(wh)])
    assert both.exit_code == 2 and "--confirm" in both.output
    unknown = runner.invoke(app, ["review", "A1", "--office", "没有这个机关", "--year", str(YEAR), "--dismiss",
                                  "--reason", "x", "-w", str(wh)])
    assert unknown.exit_code == 2 and "没有不通过的 A1" in unknown.output


def test_a_decision_rewrites_only_the_pages_it_changes(province):
    """After a decision the site is what a full publication would write, though only the pages of
    the office, its region, the index and the office list were written again."""
    _, wh = province
    site = wh / "scorecards" / "site"
    publish(wh)
    before = {p.name: p.stat().st_mtime_ns for p in site.iterdir()}
    listed = (site / "offices.html").read_bytes()
    record(wh, "A2", PLANTED, YEAR, "commercial", "dismissed", "商业企业列另有说明", by="钱七")
    partial = {p.name: p.read_bytes() for p in site.iterdir()}
    rewritten = {n for n, t in before.items() if (site / n).stat().st_mtime_ns != t}
    assert {"index.html", report_page(PLANTED, YEAR)} <= rewritten
    assert ("offices.html" in rewritten) == (partial["offices.html"] != listed)  # the list: only if its rows changed
    assert report_page(REVISED, YEAR) not in rewritten and len(rewritten) < len(before) / 2
    lake = Lake(wh / "lake")
    lake.init()  # a run after the decision finds the site published from what it would build: no publication again
    assert published_from(wh, build_fingerprint(lake, wh)) is not None
    publish(wh)
    assert {p.name: p.read_bytes() for p in site.iterdir()} == partial


def test_scorecards_a_decision_failed_to_upload_are_published_again_by_the_next_run(tmp_path, monkeypatch):
    """On object storage the rebuilt scorecards are put in the bucket after a decision; the code before
    noted them as published first, so when that upload failed the next run published nothing."""
    from gkqc.storage import Warehouse

    inbox = make_inbox(tmp_path, offices=2, years=(2022, 2022))
    wh = tmp_path / "wh"
    run(inbox, wh, "t1")
    publish(wh)

    def upload(self, path, rel, prune=None):
        if rel == "scorecards":
            raise OSError("connection reset")

    monkeypatch.setattr(Warehouse, "upload", upload)
    with runlock.hold(wh, "test"), pytest.raises(OSError, match="connection reset"):
        rebuild(wh)
    lake = Lake(wh / "lake")
    lake.init()
    assert published_from(wh, build_fingerprint(lake, wh)) is None


def test_a_dismissed_lateness_counts_as_on_time(province):
    """The office's report of the year before, its only version, published late (a later correction
    of an on-time report would not make its year late)."""
    inbox, wh = province
    year = YEAR - 1
    late = (inbox / "planted" / "hostile-1.txt").read_text(encoding="utf-8").replace("2023-01-20", f"{year + 1}-03-02")
    (inbox / "planted" / "hostile-1-late.txt").write_text(late.replace(f"{YEAR}年", f"{year}年"), encoding="utf-8")
    run(inbox, wh, "t6")
    office = q(wh, "select office from findings where check_id = 'D1' and is_latest and office like '%onerror%'")[0][0]
    assert q(wh, "select on_time from scorecard_office where office = ? and report_year = ?", office, year) == [(False,)]
    record(wh, "D1", office, year, None, "dismissed", "以落款日期为准，按期发布", by="孙八")
    assert q(wh, "select on_time from scorecard_office where office = ? and report_year = ?", office, year) == [(True,)]


def test_a_decisions_file_with_a_bom_or_a_line_in_another_encoding_loses_that_line_only(province):
    """Saved by Notepad (a byte-order mark) or hand-edited in GBK, the file still reads: a line that
    is not UTF-8 is skipped as a line that is not JSON is, and the first decision is not lost."""
    _, wh = province
    record(wh, "A2", PLANTED, YEAR, "natural_person", "dismissed", "核实无误", by="甲")
    path = decisions_path(wh)
    first = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    decided = q(wh, "select count(*) from decisions")[0][0]
    gbk = json.dumps({**first, "reason": "手工补记"}, ensure_ascii=False).encode("gbk")
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes() + gbk + b"\n")
    with runlock.hold(wh, "test"):
        rebuild(wh)
    assert q(wh, "select count(*) from decisions")[0][0] == decided
    assert q(wh, "select office, check_id, subject from decisions where line_no = 1") == [
        (first["office"], first["check_id"], first["subject"])]


def test_the_decision_written_last_holds_whatever_its_clock_said(province):
    """Decisions are appended: the last line on a finding is the current one, though the reviewer's
    clock (another time zone, a clock set back) stamped it earlier than the one before."""
    _, wh = province
    first = record(wh, "A2", PLANTED, YEAR, "commercial", "dismissed", "甲：核实无误", by="甲")
    behind = datetime.fromisoformat(first.decided_at) - timedelta(hours=8)
    with runlock.hold(wh, "test"):
        append(wh, replace(first, decision="confirmed", reason="乙：确有错误", decided_by="乙",
                           decided_at=behind.isoformat(timespec="seconds")))
        rebuild(wh)
    assert q(wh, """select decided_by, is_current from decisions where office = ? and check_id = 'A2'
                    and subject = 'commercial' order by line_no""", PLANTED)[-2:] == [("甲", False), ("乙", True)]
    assert q(wh, """select dismissed from findings where is_latest and office = ? and check_id = 'A2'
                    and subject = 'commercial'""", PLANTED) == [(False,)]


def test_a_reason_that_is_not_utf8_is_refused_and_leaves_nothing(province):
    """A reason typed in a GBK terminal reaches Python as undecodable bytes: refused in one line,
    with no decision and no temporary file left."""
    _, wh = province
    before = decisions_path(wh).read_bytes()
    reason = "核实".encode("gbk").decode("utf-8", "surrogateescape")
    with pytest.raises(ReviewError, match="不是 UTF-8"):
        record(wh, "A2", PLANTED, YEAR, "natural_person", "dismissed", reason)
    assert decisions_path(wh).read_bytes() == before
    assert [p.name for p in decisions_path(wh).parent.iterdir()] == [decisions_path(wh).name]


@pytest.mark.parametrize(("newest", "status"), [
    ({}, "已整改"),
    ({("granted", "research"): "-2"}, "已整改"),  # the newest fails on another cell only: this one held
    ({("granted", "research"): "-2", ("partial", "research"): "约3"}, "无法判断"),  # …and a cell it could not read
])
def test_a_cell_corrected_in_a_new_version_is_rectified(tmp_path, newest, status):
    """A check that fails per cell (A4: a negative count) passes once for the whole report: the cell
    corrected in the next version is 已整改, not 无法判断; so it is when the next version fails on
    another cell, every other cell read; with a cell not read, whether this one held is not told."""
    from builders import spec

    from gkqc.simulate.render import render_pagetext

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for n in (1, 2):
        s = spec("gov2021", 2022, office="青山市民政局", seed=5, published=date(2023, 1, 5 + 8 * n))
        s.applications.update({("unable_not_held", "social_org"): "-1"} if n == 1 else newest)
        (inbox / f"v{n}.txt").write_text(render_pagetext(s), encoding="utf-8")
    run(inbox, tmp_path / "wh", "t1")
    assert q(tmp_path / "wh", """select check_id, subject, rectification from findings where version_no = 1
                                 and check_id = 'A4'""") == [("A4", "unable_not_held.social_org", status)]


def test_an_equations_finding_on_a_row_the_newest_versions_template_has_not_is_not_told_rectified(tmp_path):
    """v1 printed 2019's table by mistake and failed A3 on 其他处理; v2, in 2021's, fails A3 on the row that
    replaced it. An equation judges only the rows its template has: no row of 其他处理 in v2 tells nothing,
    so v1's finding is 无法判断, not 已整改 (as a cell rule's cell without a row of its own is)."""
    from builders import spec

    from gkqc.simulate.render import render_pagetext

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for n, (template, row) in enumerate((("gov2019", "other_handling"), ("gov2021", "other_else")), 1):
        s = spec(template, 2022, office="青山市民政局", seed=5, published=date(2023, 1, 2 + 8 * n))
        s.applications[(row, "total")] = str(int(s.applications[(row, "total")]) + 7)  # A3 fails on that row
        (inbox / f"v{n}.txt").write_text(render_pagetext(s), encoding="utf-8")
    run(inbox, tmp_path / "wh", "t1")
    assert q(tmp_path / "wh", """select version_no, subject, rectification from findings where check_id = 'A3'
                                 order by version_no""") == [(1, "other_handling", "无法判断"), (2, "other_else", None)]


def test_a_decision_follows_its_office_when_an_alias_maps_the_name_it_was_made_under(tmp_path):
    """Dismissed on a report printed 碧水市财政局办公室 (not in the registry), the finding stays dismissed
    once the name becomes an alias of 碧水市财政局: the decision is that office's now."""
    from builders import spec

    from gkqc.simulate.render import render_pagetext

    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    inbox.mkdir()
    s = spec("gov2021", 2022, office="碧水市财政局办公室", seed=7)
    s.reviews[("review", "total")] = str(int(s.reviews[("review", "total")]) + 2)  # R1 fails
    (inbox / "fin.txt").write_text(render_pagetext(s), encoding="utf-8")
    registry = "office,region,office_kind,aliases\n碧水市财政局,碧水市,department,{}\n"
    (inbox / "offices.csv").write_text(registry.format(""), encoding="utf-8")
    run(inbox, wh, "t1")
    record(wh, "R1", "碧水市财政局办公室", 2022, None, "dismissed", "复议总计含跨年案件", by="r", publish=False)
    (inbox / "offices.csv").write_text(registry.format("碧水市财政局办公室"), encoding="utf-8")
    run(inbox, wh, "t2")
    assert q(wh, "select office, office_as_decided, stale from decisions") == [("碧水市财政局", "碧水市财政局办公室", False)]
    assert q(wh, "select office, dismissed from findings where check_id = 'R1'") == [("碧水市财政局", True)]
    # the alias names its office in a decision made now, too (the code before said it had no such finding)
    d = record(wh, "R1", "碧水市财政局办公室", 2022, None, "confirmed", "复核后确认", by="r", publish=False)
    assert d.office == "碧水市财政局"
    assert q(wh, "select office, decision, stale from decisions where is_current") == [("碧水市财政局", "confirmed", False)]


def test_a_warehouse_built_before_the_decisions_last_changed_is_not_read(province):
    """A review stopped after its decision was written and before the rebuild leaves a warehouse
    that does not know the decision: it is refused, naming `gkqc run`, until it is rebuilt."""
    from warehouse.access import WarehouseError

    _, wh = province
    with runlock.hold(wh, "test"):
        append(wh, Decision(PLANTED, YEAR, "A2", "natural_person", "dismissed", "中断的审核", "x", "2026-12-05T00:00:00"))
    with pytest.raises(WarehouseError, match="gkqc run"):
        q(wh, "select 1")
    with runlock.hold(wh, "test"):
        rebuild(wh)
    assert q(wh, "select count(*) from decisions where reason = '中断的审核'") == [(1,)]


def test_a_decision_after_a_stopped_publication_publishes_the_whole_site(tmp_path):
    """A review killed while it drew its pages (its decision kept, the warehouse rebuilt, the pages not)
    leaves the site behind the warehouse. The next decision drew only its own office's pages and
    recorded the site as current, so that no run published it again: the first office's pages kept
    its finding open for good. It now publishes whole, as the next run would have."""
    inbox = make_inbox(tmp_path, offices=6, years=(2021, 2022))
    wh = tmp_path / "wh"
    lake = run(inbox, wh, "t1")
    record_published(wh, build_fingerprint(lake, wh), publish(wh))  # published and recorded, as a run leaves them
    first = Decision(PLANTED, YEAR, "A2", "commercial", "dismissed", "商业企业列另有说明", "钱七",
                     datetime.now().isoformat(timespec="seconds"))
    append(wh, first)
    with runlock.hold(wh, "test"):
        rebuild(wh, publish=False)  # (the review stopped before its pages)
    check_id, subject = sorted(findings(wh))[0]
    record(wh, check_id, REVISED, YEAR, subject, "confirmed", "确认", by="赵六")
    site = wh / "scorecards" / "site"
    drawn = {p.name: p.read_bytes() for p in site.iterdir()}
    assert published_from(wh, build_fingerprint(lake, wh)) is not None
    publish(wh)  # what a full publication writes
    assert {p.name: p.read_bytes() for p in site.iterdir()} == drawn
    assert "已排除" in page(wh, PLANTED).text_content()


# a decision holds for the finding the reviewer saw: its evidence (expected, actual, cells), not only its key

CIVIL = "碧水市民政局"


def _publish(inbox, version: int, bump: int) -> None:
    """Version `version` of 碧水市民政局 2022: （一）予以公开 / 总计 printed `bump` too large (A2 total
    fails on it, with other numbers for another bump), or right (bump 0)."""
    from builders import spec

    from gkqc.simulate.render import render_pagetext

    s = spec("gov2021", YEAR, office=CIVIL, seed=3, published=date(YEAR + 1, 1, 5 + 8 * version))
    if bump:
        s.applications[("granted", "total")] = str(int(s.applications[("granted", "total")]) + bump)
    (inbox / f"v{version}.txt").write_text(render_pagetext(s), encoding="utf-8")


def _civil(tmp_path, bump: int):
    """A warehouse where a reviewer dismissed A2 total of version 1 (printed `bump` too large)."""
    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    inbox.mkdir()
    (inbox / "offices.csv").write_text(f"office,region,office_kind,aliases\n{CIVIL},碧水市,department,\n",
                                       encoding="utf-8")
    _publish(inbox, 1, bump)
    run(inbox, wh, "t1")
    publish(wh)
    record(wh, "A2", CIVIL, YEAR, "total", "dismissed", "原表另有说明", by="李四")
    return inbox, wh


def _a2(wh) -> list[tuple]:
    """A2 total of each version: version, expected, actual, dismissed, decision."""
    return q(wh, """select version_no, expected, actual, dismissed, decision from findings
                    where office = ? and check_id = 'A2' and subject = 'total' order by version_no""", CIVIL)


def _civil_score(wh) -> tuple:
    return q(wh, "select score, errors, dismissed from scorecard_office where office = ? and report_year = ?",
             CIVIL, YEAR)[0]


def test_a_dismissal_does_not_carry_over_to_a_changed_finding(tmp_path):
    """The hunter's case: A2 total dismissed at expected e, actual a; the office re-publishes and A2
    total fails with other numbers. The new finding is scored and open for review again, the decision
    kept and shown stale; a decision on the new finding applies to it."""
    inbox, wh = _civil(tmp_path, 3)
    (_, expected, actual, *_), = _a2(wh)
    clean = _civil_score(wh)
    assert clean[2] == 1
    assert q(wh, "select expected, actual, stale from decisions") == [(expected, actual, False)]
    _publish(inbox, 2, 8)
    run(inbox, wh, "t2")
    publish(wh)
    assert _a2(wh) == [(1, expected, actual, True, "dismissed"), (2, expected + 5, actual, False, None)]
    assert _civil_score(wh)[2] == 0 and _civil_score(wh)[1] == clean[1] + 1
    assert q(wh, "select decision, is_current, stale from decisions") == [("dismissed", True, True)]
    doc = page(wh, CIVIL)
    li = next(li for li in doc.xpath("//ol[@class='findings']/li") if "[A2 " in li.text_content())
    assert "dismissed" not in (li.get("class") or "") and "已排除" not in li.text_content()
    stale = doc.xpath("//h2[text()='过期的审核决定']/following-sibling::ul[1]")[0].text_content()
    assert "原表另有说明" in stale and f"决定时 期望值 {expected:.0f} 实际值 {actual:.0f}" in stale

    record(wh, "A2", CIVIL, YEAR, "total", "dismissed", "更正版仍另有说明", by="王五")
    assert _a2(wh)[1][3:] == (True, "dismissed")
    assert q(wh, "select reason, is_current, stale from decisions order by line_no") == [
        ("原表另有说明", False, True), ("更正版仍另有说明", True, False)]
    assert _civil_score(wh) == clean


def test_an_identical_republication_keeps_the_decision(tmp_path):
    """A re-published version whose A2 total fails with the same numbers and cells: the same finding,
    still dismissed, not stale."""
    inbox, wh = _civil(tmp_path, 3)
    clean = _civil_score(wh)
    _publish(inbox, 2, 3)
    run(inbox, wh, "t2")
    assert [r[3:] for r in _a2(wh)] == [(True, "dismissed"), (True, "dismissed")]
    assert q(wh, "select stale, report_id = (select min(report_id) from reports where version_no = 1) from decisions") \
        == [(False, True)]
    assert _civil_score(wh) == clean


def test_a_decision_whose_finding_disappears_is_stale_and_holds_again_when_it_returns(tmp_path):
    inbox, wh = _civil(tmp_path, 3)
    clean = _civil_score(wh)
    _publish(inbox, 2, 0)
    run(inbox, wh, "t2")
    assert q(wh, "select decision, stale, expected is not null from decisions") == [("dismissed", True, True)]
    _publish(inbox, 3, 3)  # the same error printed again: the finding the reviewer saw
    run(inbox, wh, "t3")
    assert [r[0] for r in _a2(wh)] == [1, 3] and _a2(wh)[1][3:] == (True, "dismissed")
    assert q(wh, "select stale from decisions") == [(False,)]
    assert _civil_score(wh) == clean


def test_a_decision_recorded_without_its_evidence_applies_as_before(tmp_path):
    """A line written before decisions recorded their finding (no `finding`): it holds for the
    finding of its key whatever its numbers, stale only when that is gone, shown as recorded without
    evidence; a decision recorded again on the finding holds by its evidence."""
    inbox, wh = _civil(tmp_path, 3)
    path = decisions_path(wh)
    line = json.loads(path.read_text(encoding="utf-8"))
    line.pop("finding")
    path.write_text(json.dumps(line, ensure_ascii=False) + "\n", encoding="utf-8")
    _publish(inbox, 2, 8)
    run(inbox, wh, "t2")
    assert [r[3:] for r in _a2(wh)] == [(True, "dismissed"), (True, "dismissed")]
    assert q(wh, "select has_evidence, expected, stale from decisions") == [(False, None, False)]
    record(wh, "A2", CIVIL, YEAR, "total", "confirmed", "核对属实", by="王五", publish=False)
    assert [r[3:] for r in _a2(wh)] == [(False, None), (False, "confirmed")]
    assert q(wh, "select has_evidence, stale from decisions order by line_no") == [(False, False), (True, False)]
    _publish(inbox, 3, 0)
    run(inbox, wh, "t3")
    assert q(wh, "select stale from decisions order by line_no") == [(True,), (True,)]


def test_evidence_that_is_not_a_finite_number_is_kept_readable(province):
    """JSON has no NaN or infinity: such a value is written as text, read back as the number, and the
    line stays one the build reads (a line it cannot read would lose the decision)."""
    from gkqc.review import Evidence

    _, wh = province
    with runlock.hold(wh, "test"):
        append(wh, Decision("无此机关", YEAR, "A1", "x", "dismissed", "非有限数", "x", "2026-12-07T00:00:00",
                            Evidence("r", float("nan"), float("-inf"), None)))
        rebuild(wh, publish=False)
    json.loads(decisions_path(wh).read_bytes().splitlines()[-1])  # (an earlier test left a GBK line)
    assert q(wh, "select isnan(expected), actual, has_evidence, stale from decisions where reason = '非有限数'") == [
        (True, float("-inf"), True, True)]


SHARED = ("本年度，两机关联合推进政务公开标准化规范化建设，围绕城乡低保、特困供养、临时救助、养老服务、殡葬管理等重点领域，"
          "梳理公开事项清单四十三项，逐项明确公开主体、公开时限与公开方式；依托门户网站专栏集中发布政策文件与解读材料，"
          "同步在便民服务大厅设置查阅点，方便群众就近查询；对社会救助资金发放情况按季度公示，接受群众监督；"
          "完善依申请公开受理、登记、审核、答复全流程台账，规范答复文书格式，确保每件申请依法按时办结。")


def test_a_c1_dismissal_holds_when_the_other_office_republishes_the_same_text(tmp_path):
    """C1's evidence names the other report's version: when the other office re-published a table fix
    (sections 一 and 五 unchanged), the first office's dismissal went stale and was scored again."""
    from builders import spec

    from gkqc.simulate.render import render_pagetext

    def report(office: str, version: int, granted: int) -> str:
        s = spec("gov2021", YEAR, office=office, seed=3, published=date(YEAR + 1, 1, 5 + 8 * version))
        s.applications[("granted", "total")] = str(granted)
        s.overview = SHARED  # (the two offices' joint text)
        return render_pagetext(s)

    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    inbox.mkdir()
    other = "碧水市甲局"
    (inbox / "offices.csv").write_text(f"office,region,office_kind\n{CIVIL},碧水市,department\n{other},碧水市,department\n",
                                       encoding="utf-8")
    granted = int(spec("gov2021", YEAR, office=CIVIL, seed=3).applications[("granted", "total")])
    (inbox / "civil.txt").write_text(report(CIVIL, 1, granted), encoding="utf-8")
    (inbox / "other.txt").write_text(report(other, 1, granted), encoding="utf-8")
    run(inbox, wh, "t1")
    subject = f"{other} {YEAR}年度"
    assert q(wh, "select count(*) from findings where office = ? and check_id = 'C1' and subject = ?", CIVIL, subject)[0][0] == 1
    record(wh, "C1", CIVIL, YEAR, subject, "dismissed", "联合编写", by="李四")
    (inbox / "other-v2.txt").write_text(report(other, 2, granted + 1), encoding="utf-8")  # a table fix alone
    run(inbox, wh, "t2")
    assert q(wh, "select dismissed from findings where office = ? and check_id = 'C1' and is_latest", CIVIL) == [(True,)]
    assert q(wh, "select stale from decisions") == [(False,)]


def test_a_review_stopped_in_its_rebuild_is_caught_up_by_the_next_and_readers_are_told_who_updates(tmp_path):
    """A review stopped after its decision was recorded, before the warehouse was rebuilt: every reader
    was then sent to `gkqc run` (which a review in progress refuses, and which without its inbox reads the
    bundled samples), and the next review refused too. The next review now rebuilds first; a reader
    told a review is updating the warehouse names it."""
    inbox = make_inbox(tmp_path, offices=6, years=(2021, 2022))
    wh = tmp_path / "wh"
    run(inbox, wh, "t1")
    append(wh, Decision(PLANTED, YEAR, "A2", "commercial", "dismissed", "商业企业列另有说明", "钱七",
                        datetime.now().isoformat(timespec="seconds")))  # (recorded; the rebuild never came)
    with pytest.raises(Exception, match="下一次 gkqc review"):
        connect_readonly(wh)
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (wh / runlock.LOCK_NAME).write_text(json.dumps({"pid": sleeper.pid, "command": "gkqc review",
                                                        "started": "2026-12-07T10:00:00"}), encoding="utf-8")
        with pytest.raises(Exception, match=f"正由 gkqc review（PID {sleeper.pid}"):
            connect_readonly(wh)
    finally:
        sleeper.kill()
        sleeper.wait()
    d = record(wh, "A2", PLANTED, YEAR, "commercial", "dismissed", "商业企业列另有说明", by="钱七")
    assert d.decision == "dismissed" and q(wh, "select count(*) from decisions")[0][0] >= 1


def test_a_review_on_a_warehouse_it_cannot_write_records_nothing_and_says_so_in_one_line(tmp_path, monkeypatch):
    """A reviewer without write permission on the warehouse's scorecards: the code before recorded the
    decision, then died rebuilding with a traceback (exit 1), every reader then refused."""
    inbox = make_inbox(tmp_path, offices=6, years=(2021, 2022))
    wh = tmp_path / "wh"
    run(inbox, wh, "t1")
    (wh / "scorecards").mkdir(exist_ok=True)
    prepare = runlock.prepare

    def refused(folder):
        if folder.name == "scorecards":
            raise runlock.WarehouseUnusable(f"数据仓库目录无法写入：{folder}（Operation not permitted） (warehouse not writable)")
        return prepare(folder)
    monkeypatch.setattr(runlock, "prepare", refused)
    result = CliRunner().invoke(app, ["review", "A2", "--office", PLANTED, "--year", str(YEAR), "--subject", "commercial",
                                      "--dismiss", "--reason", "另有说明", "-w", str(wh)])
    assert result.exit_code == 2 and "未记录决定" in result.output and "Traceback" not in result.output
    assert not decisions_path(wh).exists() or decisions_path(wh).read_text(encoding="utf-8").strip() == ""

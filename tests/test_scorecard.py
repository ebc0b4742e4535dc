"""Scorecards: marts computed from check results, and the HTML and Excel outputs."""

from datetime import date

import lxml.html
import openpyxl
import pytest
from builders import spec
from conftest import SAMPLES

from checks.engine import check_lake
from gkqc.ingest import ingest
from gkqc.lake import Lake
from gkqc.outputs.excel import RATE
from gkqc.outputs.html import office_page, region_page, report_page
from gkqc.outputs.scorecard import load, write_outputs
from gkqc.simulate.render import render_legacy, render_pagetext
from warehouse.access import connect_readonly
from warehouse.build import build


def _warehouse(root, files: dict[str, str | bytes], offices: str):
    """A warehouse built from report files (text or bytes) and an offices.csv text."""
    inbox = root / "inbox"
    inbox.mkdir()
    for name, data in files.items():
        (inbox / name).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    (inbox / "offices.csv").write_text(offices, encoding="utf-8")
    lake = Lake(root / "wh" / "lake")
    ingest(inbox, lake, "t1", workers=0)
    check_lake(lake, "t1")
    lake.commit("t1")
    build(root / "wh", lake)
    return root / "wh"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    good = spec("gov2019", 2020, office="阿里地区财政局", seed=3)
    return _warehouse(tmp_path_factory.mktemp("sc"),
                      {"ali.txt": (SAMPLES / "ali-2020-annual-report.txt").read_bytes(),
                       "dept.txt": render_pagetext(good)},
                      "office,region,office_kind\n阿里地区,阿里地区,government\n阿里地区财政局,阿里地区,department\n"
                      "阿里地区教育局,阿里地区,department\n")


def test_office_scorecard(warehouse):
    with connect_readonly(warehouse) as con:
        rows = {r[0]: r for r in con.sql("""select office, score, grade, on_time, errors, warnings, rank_in_region
                                            from scorecard_office where report_year = 2020""").fetchall()}
        # 阿里地区 fails two error checks (A1, A2: -20) and one warning check (P1: -3)
        assert rows["阿里地区"][1:6] == (77, "B", True, 7, 1)
        assert rows["阿里地区财政局"][1:3] == (100, "A")
        assert rows["阿里地区教育局"][1:3] == (0, "F")  # in the registry, no report found
        assert rows["阿里地区财政局"][6] == 1 and rows["阿里地区"][6] == 2


def test_the_scoring_rule_is_the_settings(tmp_path, monkeypatch):
    """Points and thresholds come from `scoring` in checks/settings.yaml: the score, the grade and
    the footer of every page follow it."""
    import warehouse.build as build_mod
    from checks.suite import load_settings

    stricter = {**load_settings(), "scoring": {"error": 20, "warning": 5, "grades": {"A": 95, "B": 60, "C": 50}}}
    monkeypatch.setattr(build_mod, "load_settings", lambda: stricter)
    wh = _warehouse(tmp_path, {"ali.txt": (SAMPLES / "ali-2020-annual-report.txt").read_bytes()},
                    "office,region,office_kind\n阿里地区,阿里地区,government\n")
    with connect_readonly(wh) as con:
        ((score, grade),) = con.sql("select score, grade from scorecard_office where office = '阿里地区'").fetchall()
        site, _ = write_outputs(load(con), tmp_path / "out")
    assert (score, grade) == (100 - 2 * 20 - 5, "C")  # A1, A2 and P1 fail, as in test_office_scorecard: 77 and B there
    assert "错误检查扣 20 分、警告检查扣 5 分" in site.read_text(encoding="utf-8")
    assert "95 分以上为 A" in (site.parent / region_page("阿里地区")).read_text(encoding="utf-8")


def test_region_scorecard(warehouse):
    with connect_readonly(warehouse) as con:
        r = con.execute("select * from scorecard_region where region = '阿里地区' and report_year = 2020").fetchone()
        cols = [d[0] for d in con.sql("select * from scorecard_region limit 0").description]
        r = dict(zip(cols, r, strict=True))
        assert (r["offices_expected"], r["reports_found"]) == (3, 2)
        assert r["on_time_rate"] == 1.0 and r["error_free_rate"] == 0.5
        assert r["mean_score"] == round((77 + 100 + 0) / 3, 2)


def test_an_office_outside_the_registry_that_reported_is_expected_too(tmp_path):
    """青山市公安局 is not in offices.csv; its name places it in 青山市. Counted among the reports found,
    it is counted among the offices expected too: 2 of 3, not 2 of 2 with 青山市财政局 missing."""
    wh = _warehouse(tmp_path, {"edu.txt": render_pagetext(spec("gov2021", 2022, office="青山市教育局", seed=11)),
                               "police.txt": render_pagetext(spec("gov2021", 2022, office="青山市公安局", seed=13))},
                    "office,region,office_kind\n青山市教育局,青山市,department\n青山市财政局,青山市,department\n")
    with connect_readonly(wh) as con:
        rows = con.sql("select region, offices_expected, reports_found from scorecard_region").fetchall()
    assert rows == [("青山市", 3, 2)]


def test_every_view_and_column_has_a_comment(warehouse):
    # marts are materialised tables, the rest views (staging ones too); every one and every column carries a comment
    with connect_readonly(warehouse) as con:
        named = {"documents", "reports", "active_disclosure", "applications", "reviews", "check_results",
                 "scorecard_office", "scorecard_region", "decisions", "findings", "failures_by_check",
                 "report_versions", "stg_reports", "_gkqc_build"}
        everything = dict(con.sql("""select view_name, comment from duckdb_views() where not internal
                                     union all select table_name, comment from duckdb_tables()""").fetchall())
        assert named <= set(everything)
        assert [name for name, comment in everything.items() if comment is None] == []
        missing = con.sql(f"""select table_name, column_name from duckdb_columns()
                              where table_name in {tuple(everything)} and comment is null""").fetchall()
        assert missing == []


def test_findings_and_failures_by_check(warehouse):
    with connect_readonly(warehouse) as con:
        rows = con.execute("""select check_id, subject, is_latest, version_no, decision, dismissed, rectification
                              from findings where office = '阿里地区' and report_year = 2020 order by check_id, subject""").fetchall()
        assert [(r[0], r[1]) for r in rows] == [("A1", "natural_person"), ("A1", "other_org"), ("A1", "total"),
                                                ("A2", "legal_service"), ("A2", "natural_person"), ("A2", "other_org"),
                                                ("A2", "total"), ("P1", "regulations")]
        assert {r[2:] for r in rows} == {(True, 1, None, False, None)}  # one version, no decision, nothing rectified
        by_check = dict(con.execute("""select check_id, offices_failing from failures_by_check
                                       where region = '阿里地区' and report_year = 2020""").fetchall())
        assert by_check == {"A1": 1, "A2": 1, "P1": 1}
        assert con.execute("select count(*) from decisions").fetchone() == (0,)


def test_html_and_excel_outputs(warehouse, tmp_path):
    with connect_readonly(warehouse) as con:
        data = load(con, year=2020)
    site, workbook = write_outputs(data, tmp_path)
    index = site.read_text(encoding="utf-8")
    assert "阿里地区" in index and region_page("阿里地区") in index
    region = (site.parent / region_page("阿里地区")).read_text(encoding="utf-8")
    assert report_page("阿里地区", 2020) in region and office_page("阿里地区教育局") in region
    assert not (site.parent / report_page("阿里地区教育局", 2020)).exists()  # no report: no office-year page
    page = (site.parent / report_page("阿里地区", 2020)).read_text(encoding="utf-8")
    assert "（七）总计 自然人列 应为 1（各项办理结果之和），实为 2，相差 1" in page
    doc = lxml.html.document_fromstring(page)
    cell = doc.get_element_by_id("c-applications-results_total.natural_person")  # printed 2 where 1 adds up
    assert cell.get("class") == "f" and cell.text == "2" and "原文第" in cell.get("title")
    links = {a.text: a.get("href") for a in cell.xpath("sup/a")}
    assert set(links) == {"A1", "A2"}
    finding = doc.get_element_by_id(links["A2"][1:])
    assert "自然人列 应为 1" in finding.text_content() and "gkqc review A2 --office" in finding.text_content()
    assert len(doc.xpath('//td[contains(concat(" ", @class, " "), " f ")]')) > 20  # every cell A1 and A2 read
    wb = openpyxl.load_workbook(workbook, read_only=True)
    assert wb.sheetnames == ["地区评分", "机关评分", "问题清单", "未完全读取的文件", "未能确定机关或年度的报告"]
    offices = list(wb["机关评分"].iter_rows(values_only=True))
    assert offices[0][0] == "机关" and any(r[0] == "阿里地区" and r[4] == 77 for r in offices[1:])
    findings = list(wb["问题清单"].iter_rows(values_only=True))
    assert sum(1 for r in findings if r[3] == "A2") == 4
    assert {r[12] for r in findings[1:]} == {"待审核"}
    regions = openpyxl.load_workbook(workbook)["地区评分"]  # (a rate a fraction, shown as a percentage)
    ali = next(r for r in regions.iter_rows(min_row=2) if r[0].value == "阿里地区")
    assert isinstance(ali[4].value, int | float) and 0 <= ali[4].value <= 1 and ali[4].number_format == RATE
    assert ali[5].number_format == RATE and ali[6].number_format == "General"


def test_a_workbook_whose_lists_were_cut_says_how_many_there_are(warehouse, tmp_path, monkeypatch):
    """The code before cut the findings and unread files at a fixed count and said nothing."""
    import gkqc.outputs.data as data_mod
    from gkqc.outputs.excel import write_excel

    with connect_readonly(warehouse) as con:
        whole = load(con, year=2020)
        monkeypatch.setattr(data_mod, "MAX_LISTED", 2)
        cut = load(con, year=2020)
    assert whole.findings_total == len(whole.findings) > 2 and len(cut.findings) == 2
    sheets = {}
    for name, data in (("whole", whole), ("cut", cut)):
        wb = openpyxl.load_workbook(write_excel(data, tmp_path / f"{name}.xlsx"), read_only=True)
        sheets[name] = {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb}
    assert sheets["whole"]["问题清单"][1:] == [r for r in sheets["whole"]["问题清单"][1:] if not str(r[0]).startswith("……")]
    last = sheets["cut"]["问题清单"]
    assert len(last) == 4 and last[-1][0].startswith(f"……仅列出前 2 项，共 {whole.findings_total} 项")
    assert "findings" in last[-1][0] and last[1:3] == sheets["whole"]["问题清单"][1:3]


def test_filters(warehouse):
    with connect_readonly(warehouse) as con:
        data = load(con, office="阿里地区财政局")
        named = load(con, office="阿里地区人民政府")  # another form of the registry's 阿里地区, as `gkqc review` takes it
    assert [o["office"] for o in data.offices] == ["阿里地区财政局"] and data.findings == []
    assert [o["office"] for o in named.offices] == ["阿里地区"] and named.selection["office"] == "阿里地区"


def test_plain_pass_is_stored_without_message_and_read_with_one(warehouse):
    with connect_readonly(warehouse) as con:
        stored = con.execute("select count(*) filter (where message is null), count(*) from stg_check_results "
                             "where status = 'pass' and check_id = 'A3'").fetchall()[0]
        assert stored[0] == stored[1] > 0
        shown = con.sql("""select distinct r.message, k.title from check_results r join check_catalog k on k.id = r.check_id
                           where r.status = 'pass' and r.check_id = 'A3'""").fetchall()
        assert shown == [(f"符合：{shown[0][1]}", shown[0][1])]
        assert con.execute("select count(*) from check_results where message is null").fetchall() == [(0,)]


def test_pages_written_by_two_processes_are_the_pages_one_writes(warehouse, tmp_path, monkeypatch):
    """A big site shares its office chunks with a second process, the two taking them in turn: the
    same files, byte for byte."""
    import time

    from gkqc.outputs import site
    from gkqc.outputs.site import write_site

    one = write_site(warehouse, tmp_path / "one").parent
    monkeypatch.setattr(site, "PARALLEL_FROM", 2)
    monkeypatch.setattr(site, "CHUNK", 1)  # an office-year a chunk: as many chunks as rows
    ours, chunks, take = [], [], site._take

    def after_the_other(taken, n):  # this process waits until the other has taken a chunk
        assert taken is not None  # shared
        chunks.append(n)
        deadline = time.monotonic() + 120
        while taken.value == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        for chunk in take(taken, n):
            ours.append(chunk)
            yield chunk

    monkeypatch.setattr(site, "_take", after_the_other)
    two = write_site(warehouse, tmp_path / "two").parent
    pages = sorted(p.name for p in one.iterdir())
    assert sum(1 for p in pages if p.count("-") == 2) == 2  # two office-years
    assert chunks == [3] and len(ours) < 3  # three offices, three chunks: the other process drew one or more
    assert pages == sorted(p.name for p in two.iterdir())
    assert all((one / p).read_bytes() == (two / p).read_bytes() for p in pages)


def test_years_before_the_national_tables_are_kept_and_not_scored(tmp_path):
    """A 2018 report (the free-form template before the national tables) is read and kept, but no
    check applies to it: it gets no score (it used to get 100, grade A), and an office without one
    gets no F for that year."""
    wh = _warehouse(tmp_path, {"2018.txt": render_legacy(spec("gov2019", 2018, office="阿里地区财政局", seed=4)),
                               "2019.txt": render_pagetext(spec("gov2019", 2019, office="阿里地区财政局", seed=5))},
                    "office,region,office_kind\n阿里地区财政局,阿里地区,department\n阿里地区教育局,阿里地区,department\n")
    with connect_readonly(wh) as con:
        kept = con.sql("select report_year, template from reports order by 1").fetchall()
        scored = con.sql("select report_year, office, grade from scorecard_office order by all").fetchall()
        regions = con.sql("select distinct report_year from scorecard_region").fetchall()
    assert kept == [(2018, "legacy"), (2019, "gov2019")]
    assert scored == [(2019, "阿里地区教育局", "F"), (2019, "阿里地区财政局", "A")]
    assert regions == [(2019,)]


def test_a_collection_with_nothing_to_score_publishes_a_site_that_says_so(tmp_path):
    """Only reports before the national tables: nothing is scored, and the run's publication still
    completes (the index page failed on an empty list of years, and with it the run)."""
    from gkqc.outputs.scorecard import publish

    wh = _warehouse(tmp_path, {"2018.txt": render_legacy(spec("gov2019", 2018, office="阿里地区财政局", seed=4))},
                    "office,region,office_kind\n阿里地区财政局,阿里地区,department\n")
    folder, offices, _ = publish(wh)
    index = lxml.html.fromstring((wh / "scorecards" / "site" / "index.html").read_bytes())
    assert offices == 0 and "尚无可评分的年度" in index.text_content()


def test_a_finding_is_rectified_only_when_the_newest_version_passes_its_check(tmp_path):
    """A correction that makes the failing cell unreadable has not shown the problem fixed: the older
    version's finding reads 无法判断, not 已整改 (as it read when the newest version merely had no failure)."""
    from datetime import date

    def version(carried: str, published: date) -> str:
        s = spec("gov2021", 2022, office="青山市财政局", seed=24, published=published)
        s.applications[("carried_over", "natural_person")] = carried  # 5 breaks A1 for natural persons
        return render_pagetext(s)

    wh = _warehouse(tmp_path, {"v1.txt": version("5", date(2023, 1, 20)), "v2.txt": version("不详", date(2023, 1, 26))},
                    "office,region,office_kind\n青山市财政局,青山市,department\n")
    with connect_readonly(wh) as con:
        found = con.sql("""select version_no, rectification from findings
                           where check_id = 'A1' and subject = 'natural_person'""").fetchall()
        newest = con.sql("""select c.status from check_results c join reports r using (report_id)
                            where r.is_latest and c.check_id = 'A1' and c.subject = 'natural_person'""").fetchall()
    assert newest == [("not_assessable",)]
    assert found == [(1, "无法判断")]


@pytest.mark.parametrize("first, second", [("2023-01-20", "2023-02-20"), ("2023-02-10", "2023-02-20"),
                                           ("2023-01-20", None), ("2023-02-10", None)])
def test_a_correction_published_late_does_not_make_an_on_time_year_late(tmp_path, first, second):
    """青山市财政局 published its 2022 report on 20 January (its deadline: 31 January) and a correction
    on 20 February: the year is on time, and D1 costs nothing. The code before scored the correction
    alone: late by 20 days. A first version itself late leaves the year late, also when the correction
    prints no date (the code before scored that year's D1 unknown: no error, on time NULL)."""
    from datetime import date

    v1 = spec("gov2021", 2022, office="青山市财政局", seed=24, published=date.fromisoformat(first))
    v1.applications[("carried_over", "natural_person")] = "5"  # (A1 fails in the first version only)
    v2 = spec("gov2021", 2022, office="青山市财政局", seed=24, published=date.fromisoformat(second) if second else None)
    v2.title = "青山市财政局2022年政府信息公开工作年度报告（更正）"  # (a correction says so: undated, it is still the newest)
    if second is None:  # (a correction without a date: D1 cannot judge it, the first version can)
        v2.published_at = None
    wh = _warehouse(tmp_path, {"v1.txt": render_pagetext(v1), "v2.txt": render_pagetext(v2)},
                    "office,region,office_kind\n青山市财政局,青山市,department\n")
    with connect_readonly(wh) as con:
        got = con.sql("select on_time, errors, error_checks, score from scorecard_office").fetchall()
        shown = con.sql("select published_at::varchar from scorecard_office").fetchall()
        d1 = con.sql("""select c.status from check_results c join reports r using (report_id)
                        where r.is_latest and c.check_id = 'D1'""").fetchall()
        rate = con.sql("select on_time_rate from scorecard_region").fetchall()
        listed = con.sql("select count(*) from findings where check_id = 'D1' and is_latest").fetchall()[0][0]
        counted = con.sql("select count(*) from failures_by_check where check_id = 'D1'").fetchall()[0][0]
    assert d1 == [("fail",) if second else ("not_assessable",)]  # (the correction itself: late, or undated)
    assert shown == [(first,)]  # the date on time is judged by: the first publication's (it showed the correction's)
    if first == "2023-01-20":
        assert got[0][0] is True and rate == [(1.0,)]
        assert got == [(True, 0, 0, 100)] or second is None  # (undated: D2's warning costs points)
        # one answer everywhere: the lateness the scorecard excuses is no finding, so no 整改通知 asks for it
        assert (listed, counted) == (0, 0)
    else:
        assert got[0][:3] == (False, 1, 1) and got[0][3] < 100 and rate == [(0.0,)]
        assert (listed, counted) == (1, 1)
        with connect_readonly(wh) as con:
            late = con.sql("""select version_no, rectification, message from findings
                              where check_id = 'D1' order by version_no""").fetchall()
        assert [v for v, _, _ in late] == [1, 2] and {r for _, r, _ in late} == {"未整改"}
        assert "2023-02-10" in late[1][2] and "逾期 10 天" in late[1][2]  # (the first publication's lateness)


FINANCE = "office,region,office_kind\n青山市财政局,青山市,department\n"
CORRECTION = "青山市财政局2022年政府信息公开工作年度报告（更正）"


def _finance_page(published: date, title: str | None = None, dated: str = "page") -> str:
    """青山市财政局's 2022 report as its saved page; `dated`: "page" (PubDate, 发布时间 and the 落款) or "signed"
    (the 落款 only)."""
    import re

    from gkqc.simulate.render import render_html

    s = spec("gov2021", 2022, office="青山市财政局", seed=24, published=published)
    s.title = title or s.title
    h = render_html(s).decode()
    return h if dated == "page" else re.sub(r'<div class="(?:nav|info)">.*?</div>', "", h)


def _deadline(tmp_path, files: dict[str, bytes]) -> tuple[list, list, int]:
    """Each version's (published_source, published_at), the scorecard's (on_time, published_at) and how many
    versions have a D1 finding, of 青山市财政局's 2022 report collected as `files`."""
    wh = _warehouse(tmp_path, files, FINANCE)
    with connect_readonly(wh) as con:
        dates = con.sql("select published_source, published_at from reports order by version_no").fetchall()
        got = con.sql("select on_time, published_at from scorecard_office").fetchall()
        late = con.sql("select count(distinct report_id) from findings where check_id = 'D1'").fetchall()[0][0]
    return dates, got, late


def test_an_attachment_signed_before_its_page_was_published_is_not_the_first_publication(tmp_path):
    """青山市财政局's 2022 report, signed 20 January, put on its page on 10 February (its deadline: 31
    January); the page's .docx attachment was collected too, dated only by its 落款. The public could
    see the report on 10 February: the year is late. The code before took the attachment's signing day
    for the first publication: on time."""
    from gkqc.simulate.word import docx_from_html

    page = _finance_page(date(2023, 1, 20)).replace("2023-01-20", "2023-02-10")  # (PubDate, 发布时间; the 落款 stays)
    assert "2023年1月20日" in page
    attachment = docx_from_html(_finance_page(date(2023, 1, 20), dated="signed").encode())
    dates, got, late = _deadline(tmp_path, {"page.html": page.encode(), "attachment.docx": attachment})
    assert dates == [("落款日期", date(2023, 1, 20)), ("<meta PubDate>", date(2023, 2, 10))]
    assert got == [(False, date(2023, 2, 10))]
    assert late == 2  # (the attachment's own D1 too: the year's first publication is the page's)


def test_a_late_correction_page_is_not_the_first_publication_of_an_attachment_signed_on_time(tmp_path):
    """青山市财政局's 2022 report collected as a .docx dated only by its 落款 (20 January, on time), and a
    correction page (（更正）) published 1 June. The correction is no first publication while an earlier
    version exists: the year is on time and D1 has no finding. The code before took the page's date,
    the correction's, for the first publication: late by 121 days."""
    from gkqc.simulate.word import docx_from_html

    original = docx_from_html(_finance_page(date(2023, 1, 20), dated="signed").encode())
    dates, got, late = _deadline(tmp_path, {"original.docx": original,
                                            "correction.html": _finance_page(date(2023, 6, 1), CORRECTION).encode()})
    assert dates == [("落款日期", date(2023, 1, 20)), ("<meta PubDate>", date(2023, 6, 1))]
    assert got == [(True, date(2023, 1, 20))] and late == 0


def test_a_dismissed_lateness_of_a_first_publication_holds_and_is_shown_in_force(tmp_path):
    """A late year corrected later: the findings take D1 from the first version, the decisions view
    judged a decision by the newest version's own D1 (its date, later): a dismissal applied was shown
    stale, and one made on the newest version's lateness was shown in force but not applied."""
    from datetime import date

    from gkqc.review import record

    versions = {}
    for name, day, title in (("v1.txt", "2023-02-10", None), ("v2.txt", "2023-02-20", "（更正）")):
        s = spec("gov2021", 2022, office="青山市财政局", seed=24, published=date.fromisoformat(day))
        if title:
            s.title = f"青山市财政局2022年政府信息公开工作年度报告{title}"
        versions[name] = render_pagetext(s)
    wh = _warehouse(tmp_path, versions, "office,region,office_kind\n青山市财政局,青山市,department\n")
    record(wh, "D1", "青山市财政局", 2022, None, "dismissed", "经核实按期报送", by="甲")
    with connect_readonly(wh) as con:
        decided = con.sql("select stale, actual from decisions").fetchall()
        scored = con.sql("select on_time, errors, dismissed from scorecard_office").fetchall()
        shown = con.sql("select version_no, dismissed from findings where check_id = 'D1' order by 1").fetchall()
    assert decided == [(False, 10.0)]  # the first publication's lateness, in force
    assert scored == [(True, 0, 1)] and shown == [(1, True), (2, True)]


def test_every_output_counts_the_offices_no_region_places_and_the_selection_alone(tmp_path, capsys):
    """An office neither offices.csv nor its name places (region NULL) is in the index's regions and
    failures by check, under 未分地区; an office's selection counts that office only; corrections are
    versions of scored years; a year without a report reads 未发布 and an empty rate blank everywhere."""
    from datetime import date

    from rich.console import Console

    from gkqc.outputs.scorecard import print_terminal

    def report(office: str, seed: int, broken: bool, published: date = date(2023, 1, 20)) -> str:
        s = spec("gov2021", 2022, office=office, seed=seed, published=published)
        if broken:
            s.applications[("carried_over", "natural_person")] = "5"  # breaks A1
        return render_pagetext(s)

    wh = _warehouse(tmp_path, {
        "edu-v1.txt": report("青山市教育局", 11, True), "edu-v2.txt": report("青山市教育局", 11, False, date(2023, 1, 25)),
        "edu-2018.txt": render_legacy(spec("gov2019", 2018, office="青山市教育局", seed=4)),
        "civ.txt": report("青山市民政局", 12, True), "nr.txt": report("自然资源厅", 14, True)},
        "office,region,office_kind\n青山市教育局,青山市,department\n青山市民政局,青山市,department\n"
        "青山市财政局,青山市,department\n绿水县财政局,绿水县,department\n")

    def tables(site) -> dict[str, list[list[str]]]:
        doc = lxml.html.fromstring(site.read_bytes())
        return {t: [[td.text_content().strip() for td in tr.xpath("td")] for tr in doc.xpath(f"//table[@id='{t}']/tbody/tr")]
                for t in ("regions", "failures")} | {"p": doc.xpath("//p")[0].text_content()}

    with connect_readonly(wh) as con:
        data = load(con)
        site, workbook = write_outputs(data, tmp_path / "all")
        one, _ = write_outputs(load(con, office="青山市民政局"), tmp_path / "one")
    province, office = tables(site), tables(one)
    assert [r[0] for r in province["regions"]] == ["未分地区", "青山市", "绿水县"]
    # 民政局 and 自然资源厅 (no region) fail A1 and A3 (their 上年结转 row); 教育局 corrected it
    assert [(r[0], r[-1]) for r in province["failures"]] == [("A1", "2"), ("A3", "2")]
    assert "5 个机关，3 份报告（另有已被更正的早先版本 1 个）" in province["p"]  # not the 2018 report
    assert [(r[0], r[-1]) for r in office["failures"]] == [("A1", "1"), ("A3", "1")]  # 民政局's own, not its region's
    assert "<h1>未分地区</h1>" in (site.parent / region_page(None)).read_text(encoding="utf-8")
    offices = {r[0]: r for r in openpyxl.load_workbook(workbook, read_only=True)["机关评分"].iter_rows(values_only=True)}
    assert offices["青山市财政局"][6] == "未发布" and offices["自然资源厅"][1] == "未分地区"
    print_terminal(data, Console(width=200))
    green = next(line for line in capsys.readouterr().out.splitlines() if "绿水县" in line and "财政局" not in line)
    assert "%" not in green  # no report: no rate, not 0%


def test_the_region_page_names_a_finding_in_the_words_of_its_reports_template(tmp_path):
    old = spec("gov2019", 2020, office="阿里地区财政局", seed=51)  # prints 规范性文件, the 2021 template 行政规范性文件
    old.active[("item_1", "normative_docs", "total_published")] = "0"
    old.active[("item_1", "normative_docs", "new_published")] = "9"
    wh = _warehouse(tmp_path, {"old.txt": render_pagetext(old)},
                    "office,region,office_kind\n阿里地区财政局,阿里地区,department\n")
    with connect_readonly(wh) as con:
        site, _ = write_outputs(load(con, year=2020), tmp_path / "out")
    page = lxml.html.fromstring((site.parent / region_page("阿里地区")).read_bytes())
    subjects = [tr.xpath("td")[3].text_content() for tr in page.xpath("//table[@id='findings']/tbody/tr")
                if tr.xpath("td")[1].text_content() == "P1"]
    assert subjects == ["规范性文件"]


def test_the_provinces_on_time_rate_is_the_regions_when_a_report_has_no_date(tmp_path):
    """A report without a publication date is not shown on time: the index page's trend counts it as
    the region scorecard does (it used to leave it out, so the province read 100% over a region's 50%)."""
    dated = spec("gov2021", 2022, office="青山市教育局", seed=71)
    undated = spec("gov2021", 2022, office="青山市民政局", seed=72)
    undated.published_at = None
    wh = _warehouse(tmp_path, {"dated.txt": render_pagetext(dated), "undated.txt": render_pagetext(undated)},
                    "office,region,office_kind\n青山市教育局,青山市,department\n青山市民政局,青山市,department\n")
    with connect_readonly(wh) as con:
        ((rate,),) = con.sql("select on_time_rate from scorecard_region where report_year = 2022").fetchall()
        site, _ = write_outputs(load(con), tmp_path / "out")
    points = lxml.html.fromstring(site.read_bytes()).xpath("//circle/title/text()")
    assert rate == 0.5
    assert "按期发布率 2022：50%" in points


def test_scorecards_published_before_a_move_are_named_where_they_are_now(tmp_path):
    """A run over a copied or moved warehouse whose scorecards stand named the old folder."""
    import shutil

    from gkqc.outputs.scorecard import published_from, record_published

    old = tmp_path / "old"
    (old / "scorecards").mkdir(parents=True)
    record_published(old, "fp", (str(old / "scorecards"), 3, []))
    shutil.move(old, tmp_path / "new")
    assert published_from(tmp_path / "new", "fp") == (str(tmp_path / "new" / "scorecards"), 3, [])


@pytest.mark.parametrize("width, english", [(80, False), (130, True)])
def test_the_terminal_scorecard_keeps_an_offices_name_on_one_line_at_80_columns(width, english):
    """At 80 columns the nine headers took half their English each and every column the same
    width: 青山市交通运输局 folded over four lines. Narrower than 120 columns the headers are
    Chinese only and the numbers' columns never fold, so a name of up to nine characters stays on
    its line; wider, the English is back."""
    import io
    from datetime import date

    from rich.console import Console

    from gkqc.outputs.scorecard import ScorecardData, print_terminal

    office = dict(office="青山市交通运输局", region="青山市", office_kind="department", report_year=2024, score=87.5,
                  grade="B", on_time=True, errors=2, warnings=11, rank_in_region=12, published_at=date(2025, 1, 20),
                  report_id="r1")
    region = dict(region="青山市", report_year=2024, offices_expected=120, reports_found=118, on_time_rate=0.95,
                  error_free_rate=0.5, mean_score=88.25)
    out = io.StringIO()
    print_terminal(ScorecardData([region], [office] * 6, [], [], 0), Console(file=out, width=width, color_system=None))
    lines = out.getvalue().splitlines()
    assert max(map(len, lines)) <= width
    assert len([ln for ln in lines if "青山市交通运输局" in ln]) == 6  # each on its line, whole
    assert ("warnings" in out.getvalue()) is english and ("error-free" in out.getvalue()) is english


def test_the_pages_read_a_records_fields_by_key_and_nothing_else_changes():
    """`o.name` in a template reads a plain dict's key; a name it lacks is looked up as Jinja does
    (a method), or is an error; a defaultdict's methods stay methods, not keys it would add."""
    from collections import defaultdict

    from jinja2 import UndefinedError

    from gkqc.outputs.html import _ENV

    page = _ENV.from_string("{{ o.office }}|{{ o.get('year', 2024) }}|{{ o.items | list | length }}")
    assert page.render(o={"office": "<甲局>", "items": [1, 2]}) == "&lt;甲局&gt;|2024|2"
    with pytest.raises(UndefinedError):
        _ENV.from_string("{{ o.region }}").render(o={"office": "甲局"})
    grouped = defaultdict(list, office=["甲局"])
    assert _ENV.from_string("{{ o.office[0] }}{{ o.keys() | list | length }}").render(o=grouped) == "甲局1"
    assert dict(grouped) == {"office": ["甲局"]}  # `keys` was the method, not a key added


def test_a_failing_report_whose_year_is_unknown_does_not_stop_the_publication(tmp_path):
    """A report whose year nothing names (title, section 一, file name) and that fails a check, beside
    the office's report of a known year: its finding has no page of its year to link to. Drawing the
    office's page took the year for a number, and every run after stopped there."""
    from gkqc.outputs.scorecard import publish

    nameless = spec("gov2021", 2021, office="阿里地区财政局", seed=5)
    nameless.title = "阿里地区财政局政府信息公开工作年度报告"
    nameless.overview = "本机关认真贯彻落实政府信息公开条例，主动公开政府信息。"
    nameless.applications[("results_total", "natural_person")] = "999"
    wh = _warehouse(tmp_path, {"a.txt": render_pagetext(nameless),
                               "b.txt": render_pagetext(spec("gov2021", 2022, office="阿里地区财政局", seed=6))},
                    "office,region,office_kind\n阿里地区财政局,阿里地区,department\n")
    with connect_readonly(wh) as con:
        unknown = con.execute("""select count(*) from check_results c join reports r using (report_id)
                                 where r.report_year is null and c.status = 'fail'""").fetchone()[0]
    folder, offices, _ = publish(wh)
    page = lxml.html.fromstring((wh / "scorecards" / "site" / office_page("阿里地区财政局")).read_bytes())
    assert unknown > 0 and offices == 1
    assert "2022" in page.text_content()


def test_a_report_no_office_was_found_for_is_listed_on_the_index_in_the_workbook_and_the_summary(tmp_path):
    """A parsed report that prints no office (the sample collection's 宿迁 PDF text) was checked and
    then in no output: the index counted 1 report of 2, the workbook and the run summary said nothing."""
    from gkqc.ingest import IngestSummary
    from gkqc.outputs.scorecard import unattributed_count
    from gkqc.summary import RunSummary, summary_rows

    wh = _warehouse(tmp_path, {"ali.txt": (SAMPLES / "ali-2020-annual-report.txt").read_bytes(),
                               "suqian_2023.txt": (SAMPLES / "suqian_2023.txt").read_bytes()},
                    "office,region,office_kind\n阿里地区,阿里地区,government\n")
    with connect_readonly(wh) as con:
        ((failing,),) = con.execute("""select count(*) from findings f join reports r using (report_id)
                                       where r.office is null and f.is_latest""").fetchall()
        site, workbook = write_outputs(load(con, year=2020), tmp_path / "out")  # (the run's: its latest year)
        # the province's selection lists those of every year; a region's or an office's none (they are in no
        # region), on the site's index as in the workbook
        chosen = [load(con, **k).unattributed for k in ({"year": 2023}, {"year": 2020}, {"region": "阿里地区"},
                                                         {"office": "阿里地区"}, {"region": "未分地区"})]
        region_site, _ = write_outputs(load(con, region="阿里地区"), tmp_path / "region")
    assert [[r["source_path"] for r in c] for c in chosen[:2]] == [["suqian_2023.txt"]] * 2 and chosen[2:] == [[], [], []]
    assert not lxml.html.fromstring(region_site.read_bytes()).xpath("//table[@id='nameless']")
    assert failing > 0
    doc = lxml.html.fromstring(site.read_bytes())
    rows = [[td.text_content() for td in tr.xpath("td")] for tr in doc.xpath("//table[@id='nameless']/tbody/tr")]
    assert rows == [["suqian_2023.txt", "2023", "（未印）", str(failing)]]
    assert "另有未能确定机关或年度的报告 1 份" in doc.xpath("//p")[0].text_content()
    sheet = list(openpyxl.load_workbook(workbook, read_only=True)["未能确定机关或年度的报告"].iter_rows(values_only=True))
    assert sheet[1:] == [("suqian_2023.txt", 2023, "（未印）", failing)]
    n = unattributed_count(wh)
    row = next(r for r in summary_rows(RunSummary("r", "in", "wh", IngestSummary(), unattributed=n)) if "without an office" in r[0])
    assert n == 1 and row[0].startswith("未能确定机关或年度的报告") and row[1].startswith("1（") and "paths" in row[1]


def test_the_region_every_output_names_unassigned_selects_the_offices_without_a_region(tmp_path, capsys):
    """Offices without a region are 未分地区 in every output, but `--region 未分地区` matched nothing
    (the rows' region is NULL): no scorecard, site or notices of them could be had."""
    from gkqc.notices import write_notices

    wh = _warehouse(tmp_path, {"ali.txt": (SAMPLES / "ali-2020-annual-report.txt").read_bytes()},
                    "office,region,office_kind\n阿里地区,,government\n日土县,,government\n")
    with connect_readonly(wh) as con:
        data = load(con, 2020, "未分地区")
        site, _ = write_outputs(data, tmp_path / "out")
    # (阿里地区 prints its place: its region is the one it reads)
    assert [o["office"] for o in data.offices] == ["日土县"] and [r["region"] for r in data.regions] == [None]
    assert "<h1>政府信息公开工作年度报告 质量评分卡：未分地区</h1>" in site.read_text(encoding="utf-8")
    s = write_notices(wh, 2020, tmp_path / "notices", region="未分地区")
    assert [p.name for p in s.workbooks] == ["日土县-2020整改通知.xlsx"]
    with connect_readonly(wh) as con:  # the province's site: the region's page names it so, and 日土县 counts nothing
        whole, _ = write_outputs(load(con, 2020), tmp_path / "all")
    page = (whole.parent / region_page(None)).read_text(encoding="utf-8")
    assert '<a href="region-da39a3ee5e.html">未分地区</a></nav>' in page and "None" not in page
    assert [z.name for z in s.zips] == ["未分地区-2020整改通知.zip"]


def test_a_rate_below_one_never_reads_100_percent_in_the_terminal_the_tables_or_the_charts():
    """Rates were rounded to whole percent: a region where 2 of 571 reports were late (0.9965) read
    按期发布率 100% in the terminal, the site's tables and its trend chart."""
    import io

    from rich.console import Console

    from gkqc.outputs.charts import line_chart
    from gkqc.outputs.data import percent
    from gkqc.outputs.html import _ENV
    from gkqc.outputs.scorecard import ScorecardData, print_terminal

    # (rates as the warehouse holds them, not rounded: 1 late of 20,000 rounded to 4 places was 1.0, 100%)
    assert [percent(v) for v in (569 / 571, 2 / 571, 19_999 / 20_000, 1 / 20_000, 0.5, 1.0, 0.0, None)] == [
        "99.6%", "0.4%", ">99.9%", "<0.1%", "50%", "100%", "0%", ""]
    region = dict(region="大市", report_year=2023, offices_expected=600, reports_found=571, on_time_rate=569 / 571,
                  error_free_rate=2 / 571, mean_score=94.86)
    out = io.StringIO()
    print_terminal(ScorecardData([region], [], [], [], 0), Console(file=out, width=140, color_system=None))
    row = next(line for line in out.getvalue().splitlines() if "大市" in line)
    assert "99.6%" in row and "0.4%" in row and "100%" not in row
    assert f"<td data-v=\"{569 / 571}\">99.6%</td>" in _ENV.from_string(
        '{% import "_macros.html.j2" as m with context %}{{ m.regiontable(regions, [2023], 2023) }}').render(
        regions=[region], region_page=lambda r: "r.html")
    chart = line_chart("大市", [2023], [("按期发布率", [19_999 / 20_000])], y_max=1.0, percent=True)
    assert "按期发布率 2023：>99.9%" in chart and "：100%" not in chart


def test_the_workbook_shows_a_rate_as_every_other_output_prints_it(tmp_path):
    """The workbook's 0.0% showed 19,999 of 20,000 on time as 100.0% and 1 of 20,000 as 0.0%: as
    `percent` prints them, >99.9% and <0.1% (by a number format and, near 1, a conditional format)."""
    import openpyxl

    from gkqc.outputs.excel import write_excel
    from gkqc.outputs.scorecard import ScorecardData

    region = dict(region="大市", report_year=2023, offices_expected=20_000, reports_found=20_000,
                  on_time_rate=19_999 / 20_000, error_free_rate=1 / 20_000, mean_score=90.0)
    ws = openpyxl.load_workbook(write_excel(ScorecardData([region], [], [], [], 0), tmp_path / "s.xlsx"))["地区评分"]
    assert ws["E2"].number_format == ws["F2"].number_format == '[=0]0%;[<0.0005]"<0.1%";0.0%'
    (cf,) = ws.conditional_formatting
    (rule,) = cf.rules
    assert str(cf.sqref) == "E2:F2" and rule.operator == "between" and rule.formula == ["0.9995", "0.999999999999"]
    assert rule.dxf.numFmt.formatCode == '">99.9%"'


def test_the_terminal_says_how_many_findings_it_left_out():
    """`gkqc scorecard --office X` printed 40 findings under 问题清单 as if they were all (134 of 174
    were left out, the only warning among them) and said nothing."""
    import io

    from rich.console import Console

    from gkqc.outputs.scorecard import ScorecardData, print_terminal

    office = dict(office="阿里地区", region="阿里地区", office_kind="government", report_year=2020, score=77, grade="B",
                  on_time=True, errors=173, warnings=1, rank_in_region=1, report_id="r1")
    finding = dict(office="阿里地区", report_year=2020, check_id="A4", severity="error", subject="total", message="应为非负整数")

    def printed(n: int, total: int) -> str:
        out = io.StringIO()
        print_terminal(ScorecardData([], [office], [finding] * n, [], total), Console(file=out, width=160, color_system=None))
        return out.getvalue()

    assert "另有" not in printed(40, 40)
    many = printed(174, 174)
    assert many.count("应为非负整数") == 40 and "另有 134 项问题未列出" in many and "--out" in many
    assert "另有 160 项问题未列出" in printed(40, 200)  # (the list itself cut at MAX_LISTED)


def test_the_workbook_and_the_terminal_name_a_findings_subject_and_cells_as_the_site_does(warehouse, tmp_path):
    """The workbook's 问题清单 and the terminal's findings printed internal ids (natural_person,
    carried_over.natural_person=0) where the site and the notices print the template's labels."""
    import io

    from rich.console import Console

    from gkqc.outputs.excel import write_excel
    from gkqc.outputs.scorecard import print_terminal

    with connect_readonly(warehouse) as con:
        data = load(con, year=2020, office="阿里地区")
    rows = list(openpyxl.load_workbook(write_excel(data, tmp_path / "w.xlsx"), read_only=True)["问题清单"]
                .iter_rows(values_only=True))
    assert rows[0][6] == "对象" and rows[0][11] == "涉及单元格" and rows[0][15:] == ("对象（编号）", "涉及单元格（编号）")
    a1 = next(r for r in rows[1:] if r[3] == "A1" and r[15] == "natural_person")
    assert a1[6] == "自然人" and "二、上年结转政府信息公开申请数量 / 自然人 = 0" in a1[11] and "natural_person" not in a1[11]
    assert "carried_over.natural_person=0" in a1[16]  # the ids, for joins
    p1 = next(r for r in rows[1:] if r[3] == "P1")
    assert p1[6] == "规章" and "本年新公开数量 = 35" in p1[11]
    out = io.StringIO()
    print_terminal(data, Console(file=out, width=200, color_system=None))
    findings = out.getvalue().split("问题清单")[1]
    assert "自然人" in findings and "natural_person" not in findings and "regulations" not in findings


def test_an_offices_selection_shows_its_own_region_in_the_workbook_and_the_terminal(tmp_path):
    """`--office X` listed every region of the province in the workbook's 地区评分 and the terminal,
    where the site for the same selection shows X's region alone."""
    from gkqc.outputs.excel import write_excel

    wh = _warehouse(tmp_path, {"a.txt": render_pagetext(spec("gov2021", 2022, office="青山市教育局", seed=81)),
                               "b.txt": render_pagetext(spec("gov2021", 2022, office="绿水县财政局", seed=82))},
                    "office,region,office_kind\n青山市教育局,青山市,department\n绿水县财政局,绿水县,department\n"
                    "自然资源厅,,department\n")
    with connect_readonly(wh) as con:
        assert len(load(con).regions) == 3
        data = load(con, office="青山市教育局")
        unplaced = load(con, office="自然资源厅")
    assert [r["region"] for r in data.regions] == ["青山市"] and [r["region"] for r in unplaced.regions] == [None]
    sheet = list(openpyxl.load_workbook(write_excel(data, tmp_path / "w.xlsx"), read_only=True)["地区评分"]
                 .iter_rows(values_only=True))
    assert [r[0] for r in sheet[1:]] == ["青山市"]


def test_the_provinces_chart_and_the_regions_table_print_a_rate_alike(tmp_path):
    """The index's trend computed the rate unrounded (6 of 11: 54.5%) where the region table printed
    the mart's 0.5455 (54.6%): one rate read two ways on one page. Both are the exact rate now."""
    files = {}
    for i in range(11):
        s = spec("gov2021", 2022, office=f"青山市第{i}局", seed=90 + i)
        if i < 5:
            s.applications[("carried_over", "natural_person")] = "5"  # breaks A1
        files[f"r{i}.txt"] = render_pagetext(s)
    registry = "".join(f"青山市第{i}局,青山市,department\n" for i in range(11))
    wh = _warehouse(tmp_path, files, "office,region,office_kind\n" + registry)
    with connect_readonly(wh) as con:
        ((rate,),) = con.execute("select error_free_rate from scorecard_region").fetchall()
        site, _ = write_outputs(load(con), tmp_path / "out")
    doc = lxml.html.fromstring(site.read_bytes())
    table = [td.text_content() for td in doc.xpath("//table[@id='regions']/tbody/tr")[0].xpath("td")]
    assert float(rate) == 6 / 11 and table[5] == "54.5%"
    assert "无错误比例 2022：54.5%" in doc.xpath("//circle/title/text()")


def test_a_site_written_leaves_another_writers_site_in_progress_and_removes_a_dead_ones(warehouse, tmp_path):
    """Two writers of one output folder (a run publishing, an analyst's `gkqc scorecard --out`): the code
    before removed every `.site.tmp-<pid>` it found, the other's in progress too, and that writer failed."""
    import subprocess
    import sys

    from gkqc.outputs.site import write_site

    out = tmp_path / "site"
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
        theirs, left = (out.with_name(f".site.tmp-{pid}") for pid in (other.pid, int(dead.stdout)))
        for folder in (theirs, left):
            folder.mkdir(parents=True)
            (folder / "index.html").write_text("…", encoding="utf-8")
        write_site(warehouse, out)
        assert (theirs / "index.html").exists() and not left.exists() and (out / "index.html").exists()
    finally:
        other.kill()
        other.wait()

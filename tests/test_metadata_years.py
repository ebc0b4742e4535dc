"""Report metadata a hunt over several years found read wrong: an office's title without its place."""

from __future__ import annotations

import pytest

from gkqc.readers import metadata as md
from gkqc.readers import read_document

BODY = ("一、总体情况", "2021年，本局主动公开政府信息。", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项", "无。")


def _page(title: str, *tail: str, head: tuple[str, ...] = ()) -> bytes:
    return "\n".join([*head, title, *BODY, *tail]).encode()


def test_two_cities_bureaus_titled_without_their_city_are_two_offices():
    """Both titles read 市教育局2021年…; the 落款 names 青山市教育局 and 绿水市教育局: two offices, not one 市教育局."""
    title = "市教育局2021年政府信息公开工作年度报告"
    offices = []
    for city in ("青山市", "绿水市"):
        rep = read_document("a.txt", _page(title, f"{city}教育局", "2022年1月20日")).report
        offices.append((rep.office, rep.region, rep.office_kind))
        assert rep.office_source.startswith("标题")
    assert offices == [("青山市教育局", "青山市", "department"), ("绿水市教育局", "绿水市", "department")]


def test_the_issuers_metadata_completes_the_titles_office():
    rep = read_document("a.txt", _page("教育局2021年政府信息公开工作年度报告",
                                       head=("- 发文机构:绿水市教育局", "- 发布日期:2022-01-20"))).report
    assert rep.office == "绿水市教育局"


@pytest.mark.parametrize(("short", "full", "completes"), [
    ("市教育局", "青山市教育局", True),
    ("教育局", "青山市教育局", True),
    ("东城区教育局", "青山市东城区教育局", True),
    ("青山市教育局", "青山市教育局", False),
    ("教育局", "青山市人民政府教育局", False),  # more than a place
    ("青山市教育局", "中共青山市教育局", False),
    ("市教育局", "青山市卫生健康委员会", False),
    ("青山市教育局", "江苏省青山市教育局", True),
    ("青山市教育局", "无青山市教育局", False),  # 六、…事项无 glued before the 落款: a name naming its place takes only places
    ("无锡市教育局", "无无锡市教育局", False),
])
def test_a_longer_name_completes_only_the_place(short, full, completes):
    assert md.completes_place(short, full) is completes


def test_a_title_naming_its_office_in_full_keeps_it():
    rep = read_document("a.txt", _page("青山市教育局2021年政府信息公开工作年度报告", "青山市人民政府", "2022年1月20日")).report
    assert (rep.office, rep.office_source) == ("青山市教育局", "标题")


@pytest.mark.parametrize(("title", "corrected"), [
    ("青山市应急管理局2020年政府信息公开工作年度报告（更正）", True),
    ("【修订】青山市应急管理局2020年政府信息公开工作年度报告", True),
    ("青山市应急管理局2020年政府信息公开工作年度报告（2021年5月更新）", True),
    ("青山市应急管理局2020年政府信息公开工作年度报告-更正", True),
    ("青山市应急管理局2020年政府信息公开工作年度报告（重新发布）", True),
    ("青山市应急管理局2020年政府信息公开工作年度报告（附件）", False),
    ("青山市城市更新局2020年政府信息公开工作年度报告", False),  # 更新 in the office's name
    ("2020年政府信息公开工作年度报告（青山市城市更新局）", False),  # …also in brackets
    ("青山市应急管理局2020年政府信息公开工作年度报告（修订版）", True),
    ("青山市应急管理局2020年政府信息公开工作年度报告（已更正）", True),
    ("青山市应急管理局2020年政府信息公开工作年度报告（更新于2021年3月1日）", True),  # the word begins the bracket
    ("青山市应急管理局2020年政府信息公开工作年度报告（更正：第三部分数据）", True),
    ("青山市应急管理局2020年政府信息公开工作年度报告（修订，2021年5月）", True),
    ("青山市应急管理局2020年政府信息公开工作年度报告（\u3000更新于2021年3月1日）", True),
    ("2020年政府信息公开工作年度报告（青山市更新改造办公室）", False),
    ("2020年政府信息公开工作年度报告（更新改造办公室）", False),  # the word begins an office's name
    ("青山市应急管理局2020年政府信息公开工作年度报告（修订草案）", False),
    ("青山市应急管理局2020年政府信息公开工作年度报告（更新时间：2021-01-20）", False),  # a page's field
])
def test_a_title_that_says_it_is_a_correction(title, corrected):
    """…in Python (the readers) and in DuckDB (the versions' rank, gkqc.versions) alike."""
    import duckdb

    assert bool(md.CORRECTED.search(title)) is corrected
    assert duckdb.execute("select regexp_matches(?, ?)", [title, md.CORRECTED.pattern]).fetchall() == [(corrected,)]


@pytest.mark.parametrize(("title", "office"), [
    ("青山市民政局2020年政府信息公开工作年度报告（全文）", "青山市民政局"),
    ("青山市人力资源和社会保障局2020年政府信息公开工作年度报告（文字版）", "青山市人力资源和社会保障局"),
    ("青山市民政局2020年度政府信息公开工作报告(图文版)", "青山市民政局"),
    ("青山市财政局关于2020年度政府信息公开工作年度报告的公告", "青山市财政局"),
    ("青山市财政局关于公布2020年政府信息公开工作年度报告的通知", "青山市财政局"),
    ("【青山市商务局】2020年政府信息公开工作年度报告", "青山市商务局"),
    ("关于印发青山市司法局2020年政府信息公开工作年度报告的通知", "青山市司法局"),
    ("青山市司法局关于印发2020年政府信息公开工作年度报告的通知", "青山市司法局"),
    ("【更正】青山市司法局2020年政府信息公开工作年度报告", "青山市司法局"),
])
def test_what_announces_or_labels_a_report_is_no_part_of_its_office(title, office):
    assert (md.office_from_title(title), md.title_year(title)) == (office, 2020)


@pytest.mark.parametrize("printed", ["青山市民政局（全文）", "青山市民政局(文字版)", "青山市民政局 （图文版）"])
def test_a_label_of_the_reports_form_is_no_other_office(printed):
    from gkqc.offices import normalise

    assert normalise(printed) == normalise("青山市民政局")


@pytest.mark.parametrize("year_text,year", [("二〇二〇", 2020), ("二0二三", 2023), ("二○一九", 2019), ("2022", 2022)])
def test_a_title_names_its_year_in_chinese_numerals_too(year_text, year):
    """青山市卫生健康委员会二〇二〇年…: the year was read from digits only, the report had none, and the
    site's pages failed on it."""
    opening = ("一、总体情况", "本委主动公开政府信息。", *BODY[2:])
    page = "\n".join([f"青山市卫生健康委员会{year_text}年政府信息公开工作年度报告", *opening]).encode()
    rep = read_document("a.txt", page).report
    assert (rep.report_year, rep.year_source) == (year, "标题")


@pytest.mark.parametrize(("name", "year"), [
    ("青山市教育局.txt", None),
    ("2023年采集/青山市教育局.txt", None),  # a collection folder's year
    ("青山市教育局（2023年1月20日发布）.txt", None),  # the day it was published
    ("2024年5月6日下载/青山市教育局2022年报.txt", 2022),  # the file's own name, not its folder's date
    ("青山市教育局2022年报_2023-01-20.txt", 2022),
])
def test_a_year_from_the_path_is_only_the_file_names_own_not_a_date(name, year):
    """Title and section 一 name no year: the file's own name may, but not a date in it nor a folder."""
    body = [BODY[0], "本年度，本局主动公开政府信息。", *BODY[2:]]
    page = "\n".join(["青山市教育局政府信息公开工作年度报告", *body, "青山市教育局", "2023年1月20日"]).encode()
    rep = read_document(name, page).report
    assert (rep.report_year, rep.year_source) == (year, "文件名" if year else None)

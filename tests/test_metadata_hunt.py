"""Report metadata a hunt found read wrong (forty-fifth sitting): a title among a page's list of reports, a title
without 年度报告, the site's name around it, a wrapped PDF title after a small line, offices'
kinds and regions, words a title adds to the office's name, a blank key, a form's labelled date."""

from __future__ import annotations

from datetime import date

import pytest

from gkqc.readers import metadata as md
from gkqc.readers import read_document
from gkqc.readers.pdf_cells import title_lines
from gkqc.readers.pdf_lines import Chunk, Line
from gkqc.readers.tokens import Tok, nfkc


def toks(*lines: str) -> list[Tok]:
    return [Tok(t, t, k) for k, t in enumerate(lines, 1)]


BODY = ("一、总体情况", "2023年，青江县教育局主动公开政府信息。", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况")
REAL = "青江县教育局2023年政府信息公开工作年度报告"


@pytest.mark.parametrize("side", [
    ("最新年报", "青江县财政局2023年政府信息公开工作年度报告", "青江县教育局2022年政府信息公开工作年度报告"),
    ("往年年报", "青江县教育局2022年政府信息公开工作年度报告", "青江县教育局2021年政府信息公开工作年度报告"),
    ("相关信息", "青江县教育局2022年政府信息公开工作年度报告 发布时间:2023-01-18"),
])
def test_a_list_of_other_reports_before_the_title_is_not_the_title(side):
    assert md.find_title(toks("首页 > 年报", *side, REAL, "发布时间:2024-01-20", *BODY), {}) == REAL


def test_a_menu_item_before_a_title_without_nian_du_bao_gao_is_not_the_title():
    title = "青江县教育局2023年度政府信息公开工作报告"
    menu = ("政府信息公开指南", "2022年度报告", "政府信息公开年度报告")
    assert md.find_title(toks(*menu, title, *BODY), {}) == title


def test_candidates_that_disagree_with_section_one_give_no_title():
    """The last candidate names 2022 while section 一 opens with 2023: no title rather than a guess."""
    lines = ("青江县教育局2023年政府信息公开工作年度报告", "青江县教育局2022年政府信息公开工作年度报告", *BODY)
    assert md.find_title(toks(*lines), {}) is None


def test_a_title_without_nian_du_bao_gao_wins_over_word_core_title():
    title = "青江县教育局2023年度政府信息公开工作报告"
    stale = {"title": "青江县财政局2022年政府信息公开工作年度报告"}
    assert md.find_title(toks("首页 > 年报", title, *BODY), stale) == title


@pytest.mark.parametrize(("meta", "title"), [
    ({"articletitle": REAL + "_青江县人民政府"}, REAL),
    ({"title": "青江县人民政府门户网站-" + REAL}, REAL),
    ({"title": REAL + " - 青江县人民政府门户网站"}, REAL),
    ({"title": "青江县人民政府门户网站"}, None),
])
def test_the_sites_name_is_no_part_of_the_title(meta, title):
    assert md.find_title(toks("正文", *BODY), meta) == title


def test_markdown_front_matter_key_is_no_part_of_the_title():
    assert md.find_title(toks("title: " + REAL, "date: 2024-06-01", REAL, *BODY), {}) == REAL


@pytest.mark.parametrize("title", [
    "【更正】" + REAL, REAL + "（重新发布）", REAL + "（附件）", REAL + ".pdf", REAL + "（第二版）",
    REAL + "（2024-01-26）", REAL + "-更正", REAL + "（2024年1月26日）", "附件1" + REAL,
    "青江县教育局二0二三年政府信息公开工作年度报告",
])
def test_words_a_title_adds_are_no_part_of_the_office(title):
    assert md.office_from_title(title) == "青江县教育局"
    assert md.title_year(title) in (2023, None)


@pytest.mark.parametrize(("office", "kind", "region"), [
    ("青江县东湖街道办事处", "township", "青江县东湖街道"),
    ("青山市东城区东城街道办事处", "township", "青山市东城区东城街道"),
    ("青江县人民政府东城街道办事处", "township", "青江县"),
    ("青江县新城镇", "township", "青江县新城镇"),
    ("青江县东城镇人民政府", "township", "青江县东城镇"),
    ("青江县东城乡人民政府", "township", "青江县东城乡"),
    ("青江县人民政府东城镇", "township", "青江县"),
    ("中共青江县委办公室", "department", "青江县"),
    ("中国共产党青江县委员会办公室", "department", "青江县"),
    ("国家税务总局青山市税务局", "department", "青山市"),
    ("青山市公安局东城区分局", "department", "青山市"),
    ("青江县人民政府研究室", "department", "青江县"),
    ("青江县供销合作社", "department", "青江县"),
    ("青江县供销合作社联合社", "department", "青江县"),
    ("青江县气象台", "department", "青江县"),
    ("青江县住房和城乡建设局", "department", "青江县"),
    ("青江县城镇化办公室", "department", "青江县"),
    ("青山市市区公交公司", "department", "青山市"),
    ("青山市县乡公路管理处", "department", "青山市"),
    ("青山市政府", "government", "青山市"),  # 市 before 政府, 民政…: the city's, not the words 市政, 市民
    ("青山市民政局", "department", "青山市"),
    ("青山市民族宗教事务局", "department", "青山市"),
    ("青山市政务服务管理办公室", "department", "青山市"),
    ("青江县农贸市场服务中心", "department", "青江县"),  # 市场, 市政, 市民 as words
    ("青山市市政公用局", "department", "青山市"),
    ("青山市市民服务中心", "department", "青山市"),
])
def test_office_kind_and_region(office, kind, region):
    assert (md.office_kind(office), md.region_of(office)) == (kind, region)


def test_a_blank_issuer_does_not_take_the_title_below_it():
    meta = md.metadata_pairs(toks("发布日期:2024-01-20", "发文机构:", "2023年政府信息公开工作年度报告", *BODY))
    assert "发文机构" not in meta and meta["发布日期"] == "2024-01-20"
    assert md.metadata_pairs(toks("发文机构:", "青江县教育局"))["发文机构"] == "青江县教育局"


@pytest.mark.parametrize(("lines", "pairs"), [
    (("成文日期:", "发布日期:", "2024-01-15", "2024-02-10"), {"成文日期": "2024-01-15", "发布日期": "2024-02-10"}),
    (("发文机构:", "发布日期:", "青江县教育局", "2024-02-10"), {"发文机构": "青江县教育局", "发布日期": "2024-02-10"}),
    (("成文日期:", "发布日期:", "", "2024-02-10"), {}),  # (an empty cell: which is whose cannot be told apart)
    (("索引号:", "发文字号:", REAL, "2024-02-10"), {}),  # nothing tells the row's values are these keys'
])
def test_a_row_of_keys_over_a_row_of_values_pairs_them_in_order(lines, pairs):
    """Labels printed in a row of cells (`成文日期： | 发布日期：`) over a row of their values: the grid pairs them."""
    row = [Tok(t, t, 1, cell=True) for t in lines[:2]] + [Tok(t, t, 2, cell=True) for t in lines[2:]]
    assert md.metadata_pairs([*row, *toks(*BODY)]) == pairs


@pytest.mark.parametrize(("lines", "pairs"), [
    (("成文日期:", "发布日期:", "2024-01-15", "2024-02-10"), None),  # in order, or 成文日期's value dropped
    (("成文日期:", "发布日期:", "2024-02-10", REAL), None),  # 成文日期's value dropped, or 发布日期's
    (("发布日期:", "成文日期:", "2024-02-10", "2024-01-15", REAL), None),
    (("成文日期:", "发布日期:", "2024-02-10", "2024-02-10"), {"成文日期": "2024-02-10", "发布日期": "2024-02-10"}),
    # the same day printed two ways: every reading gives it (the code before compared the strings)
    (("成文日期:", "发布日期:", "2024-02-10", "2024年02月10日"), {"成文日期": "2024-02-10", "发布日期": "2024-02-10"}),
    (("索引号:", "发布日期:", "2024-02-10", "2024年2月10日"), {"发布日期": "2024-02-10"}),
    (("成文日期:", "发布日期:", "2024-01-15", "2024年2月10日"), None),
    (("成文日期:", "发布日期:", "2024-02-10", "2024-02-10 00:00:00"), {"成文日期": "2024-02-10", "发布日期": "2024-02-10"}),
    (("索引号:", "发布日期:", "2024-02-10", "2024-03-01 10:00"), None),  # (a second date, another day: whose?)
    (("发文机构:", "发布日期:", "青江县教育局", "2024-02-10"), {"发文机构": "青江县教育局", "发布日期": "2024-02-10"}),
    (("成文日期:", "发布日期:", "", "2024-02-10"), {}),
    (("索引号:", "发文字号:", REAL, "2024-02-10"), {}),
])
def test_keys_on_lines_of_their_own_take_a_date_only_when_every_layout_gives_it(lines, pairs):
    """Keys on lines of their own, then dates: a column of keys beside a column of values (in order), or
    a key's value dropped (the next key's follows it), or values placed apart from their keys. Which date
    is whose is certain only when every such reading gives it; else none (`pairs` None), with the reason."""
    meta = md.metadata_pairs(toks(*lines, *BODY))
    reason = meta.pop(md.UNPAIRED, None)
    assert meta == (pairs or {})
    assert (reason is not None) == (pairs is None) and (pairs is not None or "无法确定" in reason)


@pytest.mark.parametrize("after", [REAL, "更新时间 2024-03-01", "2024-02-10 更新"])
def test_a_row_of_key_cells_over_values_not_plainly_theirs_pairs_none(after):
    """`成文日期： | 发布日期：` over one date (the other cell blank) or a labelled one: whose is whose cannot be told."""
    row = [Tok("成文日期:", "成文日期:", 1, cell=True), Tok("发布日期:", "发布日期:", 1, cell=True), Tok("2024-02-10", "2024-02-10", 2, cell=True)]
    assert md.metadata_pairs([*row, *toks(after, REAL, *BODY)]) == {}


@pytest.mark.parametrize("after", [(REAL,), ("更新时间 2024-03-01", REAL)])
def test_two_blank_keys_on_their_lines_before_one_date_leave_it_no_ones(after):
    """`成文日期：`, `发布日期：` and one date: 成文日期's value dropped (the date is 发布日期's), or 发布日期's
    (a column of keys beside one of values): whose it is cannot be told, and the reason says so."""
    meta = md.metadata_pairs(toks("索引号:000123", "成文日期:", "发布日期:", "2024-02-10", *after, *BODY))
    assert meta.pop(md.UNPAIRED) and meta == {"索引号": "000123"}


@pytest.mark.parametrize(("tail", "closing"), [
    (("填报单位", "青江县教育局", "统计截止日期", "2023年12月31日"), (None, None)),
    (("填报单位", "青江县教育局", "填报日期", "2024年1月5日"), (None, None)),
    (("青江县教育局", "2024年1月20日", "主办:青江县人民政府办公室", "填报单位", "青江县教育局", "填报日期", "2024年1月5日"),
     ("青江县教育局", "2024-01-20")),
])
def test_a_forms_labelled_date_is_not_the_closing_date(tail, closing):
    sig, d = md.closing_lines(toks("本年度共收取信息处理费500元。", *tail))
    assert (sig, d and d.isoformat()) == closing


def _line(no: int, text: str, h: float) -> Line:
    return Line(no, 1, 800 - 30 * no, h, [Chunk(text, 50, 0, 50 + h * len(text), h, 1, no)])


@pytest.mark.parametrize(("top", "first"), [
    ([("附件", 12)], 2),
    ([("附件1", 16)], 2),
    ([("青江县住房和城乡建设局文件", 26), ("青建发〔2024〕3号", 12)], 3),
    ([("青江县教育局文件", 28), ("青教发〔2024〕3号", 12), ("青江县教育局关于印发2023年政府信息公开工", 18),
      ("作年度报告的通知", 18), ("各股室：", 12)], 6),
    ([], 1),
])
def test_a_wrapped_pdf_title_is_found_after_small_or_red_head_lines(top, first):
    lines = [_line(k, t, h) for k, (t, h) in enumerate(top, 1)]
    lines += [_line(first, "青江县住房和城乡建设局2023年政府信息公开", 20), _line(first + 1, "工作年度报告", 20),
              _line(first + 2, "一、总体情况", 12)]
    assert title_lines(lines) == {first, first + 1}


@pytest.mark.parametrize("signer", ["青江县人民政府办公室", "青山市政府办公室"])
def test_a_government_report_signed_by_its_general_office_has_no_office_kind(signer):
    """Untitled (no office named), signed 青江县人民政府办公室: the government's report or the office's
    own; neither the office nor its kind is guessed (D1's deadline differs), the region is known."""
    page = "\n".join(["2023年政府信息公开工作年度报告", *BODY, "四、政府信息公开行政复议、行政诉讼情况",
                      "五、存在的主要问题及改进情况", "六、其他需要报告的事项", "无。", signer, "2024年3月20日"])
    rep = read_document("a.txt", page.encode()).report
    assert (rep.office, rep.office_kind, rep.region) == (None, None, md.region_prefix(signer))
    assert md.region_prefix(signer) and rep.publisher == signer and any("机关类型留空" in n or "机关及类型留空" in n for n in rep.notes)


FOOTER = ("【打印本页】【关闭窗口】", "扫一扫在手机打开当前页", "主办单位：某县人民政府办公室", "承办单位：某县大数据中心",
          "网站标识码：1234000001", "皖ICP备12345678号")


@pytest.mark.parametrize("tail", [
    ("某县人民政府办公室", "二〇二四年元月二十日"),  # 元月 is January
    ("某县人民政府办公室", "二0二四年一月二十日"),  # a zero typed as a digit among the numerals
    ("某县人民政府办公室", "2024年1月20日发布"),  # published that day
    ("某县人民政府办公室", "2024年1月20日", "某县人民政府办公室", "2024年3月1日印发"),  # printed later (版记)
    ("某县人民政府办公室", "2024年1月20日", *FOOTER),  # a page's footer under the 落款
    ("某县人民政府办公室", "2024年1月20日 星期六"),  # the weekday after it
    ("某县人民政府办公室", "2024年1月20日（星期六）"),
    ("某县人民政府办公室 2024年1月20日",),  # the 落款 and its date on one line
], ids=["yuanyue", "ascii-zero", "published", "printed-later", "footer", "weekday", "weekday-bracketed", "one-line"])
def test_the_closing_date_in_the_ways_reports_print_it(tail):
    assert md.closing_lines(toks("六、其他需要报告的事项", "无。", *tail)) == ("某县人民政府办公室", date(2024, 1, 20))


@pytest.mark.parametrize("after", [
    ("上一篇：关于做好2024年春节期间安全工作的通知", "2024-01-05"),
    ("【打印本页】", "【关闭窗口】", "2024-01-05"),
    ("相关信息", "某县人民政府2022年政府信息公开工作年度报告", "2023-01-25"),
    ("主办单位：某县人民政府办公室", "2024-01-05"),
])
@pytest.mark.parametrize("signed", [True, False])
def test_a_date_after_the_pages_footer_or_navigation_is_no_closing_date(after, signed):
    """A date printed after the report's close, under 上一篇, 相关信息 or 打印本页, is an item's or the page's."""
    sig = ("某县人民政府办公室",) if signed else ()
    got = md.closing_lines(toks("六、其他需要报告的事项", "无。", *sig, "2024年1月20日", *after))
    assert got == (sig[0] if signed else None, date(2024, 1, 20))


@pytest.mark.parametrize("after", [
    ("相关信息", "某县教育局关于开展校园安全检查的通知 2024-05-06"),  # a related list's item with its date
    ("信息来源：某县人民政府办公室 2024-01-21",),  # a labelled line
    ("打印本页", "某县人民政府办公室 2024-01-25"),  # after the page's footer
    ("最新动态", "某县召开全县教育工作会议 2024-02-06"),  # a news list's item
    ("最新动态", "某县召开全县教育工作会议", "2024-02-06"),
    ("某县教育局关于开展校园安全检查的通知 2024-05-06",),  # a notice's title, no office's name alone
])
def test_a_dated_item_on_one_line_after_the_close_is_no_one_line_signature(after):
    """`an office, a space, a date` is the 落款 only when the office's name stands alone, before the page's
    lists and footer: the 落款 before an item of them is the report's."""
    got = md.closing_lines(toks("六、其他需要报告的事项", "无。", "某县人民政府办公室", "2024年1月20日", *after))
    assert got == ("某县人民政府办公室", date(2024, 1, 20))


def test_a_related_item_after_an_untitled_reports_close_gives_it_no_office():
    page = "\n".join(["2023年政府信息公开工作年度报告", *BODY, "六、其他需要报告的事项", "无。", "青江县教育局", "2024年1月20日",
                      "相关信息", "青江县教育局关于开展校园安全检查的通知 2024-05-06"])
    rep = read_document("a.txt", page.encode()).report
    assert (rep.office, rep.publisher, rep.published_at) == ("青江县教育局", "青江县教育局", date(2024, 1, 20))


def test_a_statistics_cut_off_labelled_on_the_line_before_is_no_closing_date():
    assert md.closing_lines(toks("本报告统计期限为2023年1月1日至2023年12月31日。", "（数据统计截至）", "2023年12月31日")) \
        == (None, None)


def test_a_pdf_compiled_by_a_governments_office_leaves_the_office_empty_as_a_signature_does():
    from gkqc.readers.pdf import PdfDoc
    from gkqc.record import Report

    doc = PdfDoc(toks("2023年政府信息公开工作年度报告", "本报告由青江县人民政府办公室根据《条例》编制。"), [], 1, {}, {})
    rep = Report()
    doc.annotate(rep)
    assert rep.office is None and rep.publisher == "青江县人民政府办公室"
    doc = PdfDoc(toks("2023年政府信息公开工作年度报告", "本报告由青江县教育局根据《条例》编制。"), [], 1, {}, {})
    rep = Report()
    doc.annotate(rep)
    assert rep.office == "青江县教育局"


@pytest.mark.parametrize("link_first", [True, False])
def test_a_shorter_line_naming_the_report_does_not_take_the_titles_office(link_first):
    link = "2023年政府信息公开工作年度报告"  # (a sidebar's link, its office left out)
    lines = (link, REAL) if link_first else (REAL, link)
    assert md.find_title(toks(*lines, *BODY), {}) == REAL


YEARLESS = "青江县教育局政府信息公开工作年度报告"


@pytest.mark.parametrize(("link", "tail"), [
    ("青江县教育局2022年政府信息公开工作年度报告", ("青江县教育局", "2024年1月20日")),  # section 一 opens 2023
    ("青江县财政局2023年政府信息公开工作年度报告", ("青江县教育局", "2024年1月20日")),  # signed by the page's office
    ("青江县教育局2022年政府信息公开工作年度报告", ()),  # the link's year is not section 一's
])
def test_a_link_before_the_pages_yearless_title_is_not_the_title(link, tail):
    """往年年报 / 相关阅读 lists another report before the page's own title, which names no year."""
    lines = ("往年年报", link, YEARLESS, *BODY, *tail)
    assert md.find_title(toks(*lines), {}) is None
    assert md.find_title(toks(*lines), {"title": YEARLESS + "_青江县教育局"}) == YEARLESS


def test_a_link_naming_the_years_report_of_the_pages_office_before_its_yearless_title_is_kept():
    lines = ("往年年报", REAL, YEARLESS, *BODY, "青江县教育局", "2024年1月20日")
    assert md.find_title(toks(*lines), {}) == REAL


@pytest.mark.parametrize("tail", [(), ("2024年1月20日",)])
def test_a_yearless_link_after_the_pages_yearless_title_is_not_the_title(tail):
    """A 相关报告 box lists another office's yearless report after the page's yearless title, section 一
    naming no office: which line is the page's cannot be told, unless its <title> says."""
    body = (BODY[0], "2023年，我局主动公开政府信息。", *BODY[2:])
    lines = (YEARLESS, "相关报告", "青江县财政局政府信息公开工作年度报告", *body, *tail)
    assert md.find_title(toks(*lines), {}) is None
    assert md.find_title(toks(*lines), {"title": YEARLESS + "_青江县教育局"}) == YEARLESS


@pytest.mark.parametrize("line", [
    REAL + "2024-01-20", REAL + " 发布时间:2024-01-20", REAL + " 发布日期:2024-01-20 09:30", REAL + " 2024年01月20日 星期六",
    "2024-01-20 " + REAL,
])
def test_a_date_on_the_titles_line_is_no_part_of_the_title(line):
    assert md.find_title(toks(line, *BODY), {}) == REAL
    assert md.office_from_title(line) == "青江县教育局"
    assert md.find_title(toks(line.replace(REAL, YEARLESS), *BODY), {}) == YEARLESS


def test_a_date_in_chinese_numerals_in_brackets_is_no_part_of_the_office():
    assert md.office_from_title(REAL + "（二〇二四年一月）") == "青江县教育局"


@pytest.mark.parametrize(("office", "kind", "region"), [
    ("本市民政局", "department", None),
    ("全市教育局", "department", None),
    ("本区教育局", "department", None),
    ("本县卫生健康委员会", "department", None),
    ("全区人民政府", "other", None),  # (no government without its place)
    ("我市教育局", "department", None),
    ("青山市全市", "other", "青山市"),
    ("本溪市教育局", "department", "本溪市"),
])
def test_this_or_the_whole_city_is_no_place(office, kind, region):
    """本市, 全市, 本区, 全县 (this city, the whole county) name no place: never a region nor part of one."""
    assert (md.office_kind(office), md.region_of(office)) == (kind, region)


@pytest.mark.parametrize("line", ["全市民政系统", "本县各乡镇", "全区各级行政机关"])
def test_a_line_about_the_whole_city_is_named_like_no_office(line):
    assert not md.named_like_an_office(line)


def test_a_report_signed_by_this_citys_bureau_has_no_region():
    """A title naming no office, signed 本市民政局 (as a page reprinting it may): the office has no place."""
    lines = ("2023年政府信息公开工作年度报告", *BODY, "五、存在的主要问题及改进情况", "无。", "六、其他需要报告的事项", "无。",
             "本市民政局", "2024年1月20日")
    rep = read_document("a.txt", "\n".join(lines).encode()).report
    assert rep.region is None and rep.office_kind == "department"


@pytest.mark.parametrize(("office", "kind", "region"), [
    ("杭州市教育局", "department", "杭州市"),
    ("郑州市", "government", "郑州市"),
    ("江苏省泰州市人民政府", "government", "江苏省泰州市"),
    ("北京市通州区教育委员会", "department", "北京市通州区"),
    ("全州县教育局", "department", "全州县"),
    ("恩施州教育局", "department", "恩施州"),
    ("全市区教育局", "department", None),
])
def test_a_name_ending_in_zhou_before_its_unit_is_the_places(office, kind, region):
    """杭州市, 通州区, 全州县: 州 is part of the name before the unit, not a prefecture of its own (杭州)."""
    assert (md.office_kind(office), md.region_of(office)) == (kind, region)


@pytest.mark.parametrize(("line", "pairs"), [
    ("成文日期：2024-01-15 发布日期：2024-02-10", {"成文日期": "2024-01-15", "发布日期": "2024-02-10"}),
    ("成文日期：2024-01-15发布日期：2024-02-10", {"成文日期": "2024-01-15", "发布日期": "2024-02-10"}),
    ("来源：青江县教育局 发布时间：2024-02-10 浏览次数：12", {"来源": "青江县教育局", "发布时间": "2024-02-10 浏览次数:12"}),
    ("发布机构：青江县教育局  发布日期：2024-02-10", {"发布机构": "青江县教育局", "发布日期": "2024-02-10"}),
    ("成文日期： 发布日期：2024-02-10", {"发布日期": "2024-02-10"}),
])
def test_several_keys_on_one_line_each_take_their_own_value(line, pairs):
    """A page's info line printing several keys (`成文日期：… 发布日期：…`): each its own value, not the
    first the whole rest of the line (发布日期 was lost, and 发布机构 was the line's rest)."""
    assert md.metadata_pairs(toks(nfkc(line), REAL, *BODY)) == pairs


def test_several_blank_keys_on_one_line_take_dates_after_it_only_as_keys_on_lines_of_their_own():
    meta = md.metadata_pairs(toks(nfkc("成文日期： 发布日期："), "2024-01-15", "2024-02-10", REAL, *BODY))
    assert meta.pop(md.UNPAIRED) and meta == {}


def test_the_publication_date_after_another_key_on_its_line_is_the_pages():
    lines = ("成文日期：2024-01-15 发布日期：2024-02-10", "2023年政府信息公开工作年度报告", *BODY, "五、存在的主要问题及改进情况",
             "无。", "六、其他需要报告的事项", "无。", "青江县教育局", "2024年1月15日")
    rep = read_document("a.txt", "\n".join(lines).encode()).report
    assert (rep.published_at, rep.published_source) == (date(2024, 2, 10), "元数据 发布日期")


@pytest.mark.parametrize(("page", "title"), [
    (REAL + "-青江县人民政府", REAL),
    (REAL + "—青江县人民政府门户网站", REAL),
    (REAL + "-更正", REAL + "-更正"),  # (a correction's mark stays)
    (REAL + "（更正）-青江县人民政府", REAL + "（更正）"),
])
def test_a_sites_name_glued_after_the_report_by_a_dash_is_no_part_of_the_title(page, title):
    """`<title>` …年度报告-青江县人民政府 (no spaces): the office was 青江县教育局-青江县人民政府."""
    assert md.find_title(toks("正文", *BODY), {"title": page}) == title
    assert md.office_from_title(title) == "青江县教育局"


@pytest.mark.parametrize("opening", ["2023年，我局认真贯彻落实《政府信息公开条例》。", "我局认真贯彻落实《政府信息公开条例》。"])
@pytest.mark.parametrize("signed", ["2025年3月1日", "2023年12月28日", "2024年1月15日"])
def test_a_pages_title_is_kept_whatever_year_the_report_was_signed(opening, signed):
    """A page's <title> names the report; the body prints no title line. A report signed late (2025 for
    2023) or within its year is still the page's: the <title> is its title and gives its year (the code
    before dropped it unless the 落款 was dated the year after, and D1 could not judge a late report)."""
    body = (f"<p>一、总体情况</p><p>{opening}</p><p>二、主动公开政府信息情况</p><p>五、存在的主要问题及改进情况</p><p>无。</p>"
            f"<p>六、其他需要报告的事项</p><p>无。</p><p style='text-align:right'>青江县教育局</p><p style='text-align:right'>{signed}</p>")
    page = f"<html><head><title>{REAL}_青江县人民政府</title></head><body>{body}</body></html>"
    rep = read_document("a.html", page.encode()).report
    assert (rep.title, rep.report_year, rep.office) == (REAL, 2023, "青江县教育局")


@pytest.mark.parametrize("mark", ["-（更正版）", "—【更正】", "-(修订)", "－（2024年3月更新）", "-（重新发布）"])
def test_a_correction_mark_in_brackets_after_a_dash_stays_in_the_title(mark):
    """`<title>` …年度报告-（更正版）: the mark says the version is a correction (`CORRECTED`, which ranks it
    newest); the code before took it for the site's name and cut it off."""
    got = md.find_title(toks("正文", *BODY), {"title": REAL + mark})
    assert got == REAL + mark and md.CORRECTED.search(got)
    assert (md.office_from_title(got), md.title_year(got)) == ("青江县教育局", 2023)


@pytest.mark.parametrize("site", ["青江县人民政府门户网站", "青江县人民政府", "青江县教育局"])
def test_a_sites_name_after_a_dash_is_no_part_of_the_title(site):
    """标题-站点, the CMS's common form, on a department's page too: the name after the dash is the site's,
    not the report's office (taken for it, a department's report was the government's, or lost its title)."""
    assert md.find_title(toks("正文", *BODY), {"title": f"2023年政府信息公开工作年度报告-{site}"}) \
        == "2023年政府信息公开工作年度报告"


@pytest.mark.parametrize(("office", "kind", "region"), [
    ("恩施州市场监督管理局", "department", "恩施州"),
    ("黔东南州市场监督管理局", "department", "黔东南州"),
    ("湘西州县域经济办公室", "department", "湘西州"),
    ("恩施州区域合作办", "department", "恩施州"),
    ("杭州市场监督管理局", "department", None),  # (杭州 without its unit: 杭州市? not guessed)
    ("州市场监督管理局", "department", None),
    ("全州镇人民政府", "township", "全州镇"),
    ("全州县全州镇人民政府", "township", "全州县全州镇"),
    ("全州县", "government", "全州县"),
    ("全州乡村振兴局", "department", None),  # 乡村, 镇村: words, not a town named 全州
    ("本州乡村振兴局", "department", None),
    ("全州镇村建设服务中心", "department", None),
])
def test_a_prefecture_before_a_word_starting_with_a_unit_and_a_town_named_quanzhou(office, kind, region):
    """恩施州市场监督管理局: 市 starts 市场, so 州 is the prefecture's unit (the code before read no region);
    全州镇 is a town (全 is no determiner before 州 followed by 镇: the whole prefecture has no 镇)."""
    assert (md.office_kind(office), md.region_of(office)) == (kind, region)


def test_a_report_signed_by_a_town_named_quanzhou_has_its_office():
    lines = ("2023年政府信息公开工作年度报告", *BODY, "五、存在的主要问题及改进情况", "无。", "六、其他需要报告的事项", "无。",
             "全州镇人民政府", "2024年1月15日")
    rep = read_document("a.txt", "\n".join(lines).encode()).report
    assert (rep.office, rep.office_kind, rep.region) == ("全州镇人民政府", "township", "全州镇")


def test_a_long_run_of_spaces_after_a_key_is_read_in_linear_time():
    """Another key on a `key:value` line was looked for from each space of a run, each look reading the
    run to its end (a line of 20,000 spaces took seconds)."""
    import time

    for blank in (" ", "\u3000"):
        start = time.perf_counter()
        meta = md.metadata_pairs(toks("发布日期:2024-02-10" + blank * 20000 + "【打印】", *BODY))
        assert time.perf_counter() - start < 10.0  # (the square of the run: 20 s)
        assert meta["发布日期"].startswith("2024-02-10")
    assert md.metadata_pairs(toks("发布日期:2024-02-10" + " " * 9 + "来源:青江县教育局", *BODY)) \
        == {"发布日期": "2024-02-10", "来源": "青江县教育局"}

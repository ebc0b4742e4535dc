"""Section headings (gkqc/readers/sections.py) as reports print them: the wordings of 五 and 六
seen beside the template's, and lines of a section's body that are no heading."""

from __future__ import annotations

import pytest
from builders import spec

from gkqc.readers import read_document
from gkqc.readers.sections import find_headings
from gkqc.readers.tokens import Tok
from gkqc.simulate.render import render_html, render_pagetext
from gkqc.templates import norm_label

HEADS = ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
         "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]


def headings(lines: list[str]) -> dict[str, str]:
    """numeral -> the line taken for its heading."""
    toks = [Tok(norm_label(t), t, k + 1) for k, t in enumerate(lines)]
    return {no: lines[i] for no, i in find_headings(toks)}


def report(five: str, six: str) -> list[str]:
    return [*HEADS[:4], "本机关的正文。", five, "一是政策解读形式较为单一。", six, "本年度未收取信息处理费。"]


@pytest.mark.parametrize("five", ["五、存在的问题及改进情况", "五、主要问题和改进措施", "五、工作中存在的问题及改进措施",
                                  "五、存在问题及改进措施", "五、存在的不足及改进措施", "五、问题与改进"])
@pytest.mark.parametrize("six", ["六、其它需要报告的事项", "六、其他需报告的事项", "六、其他事项", "六、其他需要说明的事项"])
def test_common_wordings_of_five_and_six_are_their_headings(five, six):
    """Missed, 五 ran to the end of the report (or was not found) and 六 was not found."""
    got = headings(report(five, six))
    assert (got.get("五"), got.get("六")) == (five, six)


@pytest.mark.parametrize("line", ["六、做好其他事项的公开工作，及时回应社会关切", "五、聚焦问题与改进工作作风，提升服务水平"])
def test_a_body_line_holding_a_short_wording_is_no_heading(line):
    lines = [*HEADS[:2], line, *HEADS[2:]]
    assert headings(lines) == dict(zip("一二三四五六", HEADS, strict=True))


def test_a_report_with_other_wordings_has_all_six_sections():
    s = spec("gov2021", 2022, seed=9, office="青山市教育局")
    s.problems, s.other_matters = "一是政策解读形式较为单一；二是栏目更新不及时。", "本年度未收取信息处理费。"
    text = render_pagetext(s).replace("五、存在的主要问题及改进情况", "五、存在的问题及改进措施") \
        .replace("六、其他需要报告的事项", "六、其它需要报告的事项")
    rep = read_document("r.txt", text.encode()).report
    body = {sec.no: sec.text for sec in rep.sections}
    assert list(body) == list("一二三四五六")
    assert "栏目更新不及时" in body["五"] and "信息处理费" not in body["五"] and "未收取信息处理费" in body["六"]


@pytest.mark.parametrize("four", ["四、因政府信息公开申请行政复议、提起行政诉讼情况",
                                  "四、因政府信息公开申请行政复议、提起行政诉讼的情况",
                                  "四、因政府信息公开工作被申请行政复议和提起行政诉讼情况"])
@pytest.mark.parametrize("five", ["五、工作中存在的不足和改进措施", "五、存在问题和改进措施", "五、存在的问题和改进措施"])
def test_the_older_wordings_of_four_and_five_are_their_headings(four, five):
    """The pre-2019 template's 四 (申请行政复议、提起行政诉讼) was no heading: S1 failed, and section 四's
    fifteen cells were not found (S3, R1–R4 not assessable); so was 五 printed 不足和改进措施."""
    s = spec("gov2021", 2022, seed=9, office="青山市教育局")
    s.problems = "一是政策解读形式较为单一；二是栏目更新不及时。"
    text = render_pagetext(s).replace("四、政府信息公开行政复议、行政诉讼情况", four) \
        .replace("五、存在的主要问题及改进情况", five)
    assert four in text and five in text
    rep = read_document("r.txt", text.encode()).report
    assert [sec.no for sec in rep.sections] == list("一二三四五六")
    reviews = {(c.row_id, c.col_id): c.raw for c in rep.cells if c.table == "reviews"}
    assert reviews == {k: v for k, v in s.reviews.items()} and "栏目更新不及时" in rep.sections[4].text


def test_a_crawls_short_heading_wording_stands_right_after_its_numeral():
    """In a crawl's running text a heading's end is not seen: a short wording (其他事项) names 六 only
    right after its numeral, never inside a sentence of the body (六、做好其他事项的公开工作)."""
    from gkqc.readers.crawl import _headings_in

    assert [m.group(0) for m in _headings_in("五、问题与改进无。六、其他事项无。")] == ["五、问题与改进", "六、其他事项"]
    assert [m.group(0) for m in _headings_in("五、存在的主要问题及改进情况无六、做好其他事项的公开工作")] \
        == ["五、存在的主要问题及改进情况"]


def _sections(name: str, data: bytes) -> dict[str, tuple[str, str]]:
    rep = read_document(name, data).report
    return {sec.no: (sec.heading, sec.text) for sec in rep.sections}


def _spec():
    s = spec("gov2021", 2022, seed=9, office="青山市教育局")
    s.problems, s.other_matters = "一是政策解读形式较为单一；二是栏目更新不及时。", "本年度未收取信息处理费。"
    return s


_LONG = ("在肯定成绩的同时，本机关也清醒地认识到工作中存在的问题：一是政策解读的互动性不足；二是公开专栏更新不及时。"
         "下一步将加强培训，提高信息发布质量。")


@pytest.mark.parametrize(("five", "heading"), [
    ("五、存在的主要问题及改进情况：一是政策解读不够深入；二是公开专栏更新不及时。下一步将加强培训。", "五、存在的主要问题及改进情况："),
    ("五、存在的主要问题及改进情况：" + _LONG, "五、存在的主要问题及改进情况："),
    ("五、问题与改进 一是政策解读不够深入；二是公开专栏更新不及时。", "五、问题与改进")])
def test_a_heading_with_its_text_on_the_same_line_keeps_the_text(five, heading):
    """The text after a heading's title on its line is the section's (it was the heading's, or a line
    over 64 characters was no heading and section 五 ran into 四)."""
    text = render_pagetext(_spec()).replace("五、存在的主要问题及改进情况\n一是政策解读形式较为单一；二是栏目更新不及时。", five) \
        .replace("六、其他需要报告的事项\n本年度未收取信息处理费。", "六、其他需要报告的事项：本年度未收取信息处理费。")
    got = _sections("r.txt", text.encode())
    assert list(got) == list("一二三四五六") and "五、" not in got["四"][1]
    assert got["五"] == (heading, five[len(heading):].strip())
    assert got["六"][0] == "六、其他需要报告的事项：" and got["六"][1].startswith("本年度未收取信息处理费。")


@pytest.mark.parametrize("six", ["<p><strong>六、其他需要报告的事项</strong>本年度未收取信息处理费。</p>",
                                 "<p>六、其他需要报告的事项：本年度未收取信息处理费。</p>"])
def test_a_web_pages_heading_with_its_text_in_one_paragraph_keeps_the_text(six):
    html = render_html(_spec()).decode()
    start = html.rindex("<p", 0, html.index("六、其他需要报告的事项"))
    end = html.index("</p>", html.index("本年度未收取信息处理费", start)) + 4
    got = _sections("r.html", (html[:start] + six + html[end:]).encode())
    assert got["六"][0] in ("六、其他需要报告的事项", "六、其他需要报告的事项：")
    assert got["六"][1].startswith("本年度未收取信息处理费。")


@pytest.mark.parametrize("line", ["六、做好其他事项的公开工作，及时回应社会关切。", "五、聚焦问题与改进工作作风，提升服务水平。"])
def test_a_body_sentence_holding_a_short_wording_is_still_no_heading(line):
    lines = [*HEADS[:2], line, *HEADS[2:]]
    assert headings(lines) == dict(zip("一二三四五六", HEADS, strict=True))


@pytest.mark.parametrize("line", ["四、政府信息公开行政复议、行政诉讼情况（单位：件）", "二、主动公开政府信息的情况",
                                  "六、其他需要报告的事项。"])
def test_a_heading_with_no_sentence_after_its_title_is_all_heading(line):
    old = next(h for h in HEADS if h[0] == line[0])
    got = _sections("r.txt", render_pagetext(_spec()).replace(old, line, 1).encode())
    assert got[line[0]][0] == line and not got[line[0]][1].startswith(line[len(old):].strip("。") or "\0")


@pytest.mark.parametrize("para", [
    "三、依申请公开情况。2020年，我地区共收到政府信息公开申请17件，上年结转1件，均已按照法定时限和程序予以答复，"
    "其中予以公开16件，部分公开7件，无因政府信息公开工作被申请行政复议和提起行政诉讼的情况。",
    "三、依申请公开情况。本年度共收到政府信息公开申请若干件，均已按",  # a PDF line of it, cut at the margin
    "五、强化监督保障。对照上年度报告中存在的问题及改进措施，逐项开展自查整改，建立政务公开工作台账，定期通报各单位信息发布情况。",
])
def test_a_numbered_paragraph_of_section_one_is_not_a_later_sections_heading(ali_bytes, para):
    """A sub-item of 一 numbered 三、 (or 五、) that names the section's words was taken for its heading:
    the real heading later went unread, its table fell into 二 (161 cells not found), S1 failed and the
    sample's A1/A2 failures were hidden. The heading after 二's is the one; out of order, the first."""
    lines = ali_bytes.decode().split("\n")
    at = next(i for i, ln in enumerate(lines) if ln.startswith("(三)"))
    lines[at] = para
    r = read_document("ali.txt", "\n".join(lines).encode())
    assert [s.no for s in r.report.sections] == list("一二三四五六") and r.status == "parsed"
    assert para[:20] in r.report.sections[0].text


def test_sections_printed_out_of_order_are_found_out_of_order():
    lines = [HEADS[0], "正文。", HEADS[2], "正文。", HEADS[1], "正文。", *HEADS[3:]]
    assert list(headings(lines)) == ["一", "三", "二", "四", "五", "六"]
    stray = "三、依申请公开情况方面，申请答复的规范性有待提高。下一步将加强培训。"  # 五's problems, numbered by area
    lines = [*lines[:-1], stray, lines[-1]]
    assert headings(lines)["三"] == HEADS[2]  # (the line after 二's took its place, and 三's table was lost)


@pytest.mark.parametrize("dots", ["", "……1", " ........ 2"])
def test_a_table_of_contents_is_not_the_sections(ali_bytes, dots):
    """A 目录 of the six headings at the top: each section was its contents line, empty, and every
    cell of the report was lost (198 not found)."""
    lines = ali_bytes.decode().split("\n")
    heads = [ln.rstrip(" |") for ln in lines if ln[:2] in {"一、", "二、", "三、", "四、", "五、", "六、"}
             and any(w in ln for w in ("总体", "主动公开", "收到和处理", "行政复议", "存在的", "其他需要"))]
    assert len(heads) == 6
    toc = ["目录", *(h + dots for h in heads)]
    r = read_document("ali.txt", "\n".join([*lines[:3], *toc, *lines[3:]]).encode())
    assert r.status == "parsed" and [s.no for s in r.report.sections] == list("一二三四五六")
    assert all(s.line > 3 + len(toc) for s in r.report.sections)


def test_empty_sections_headings_standing_together_are_no_table_of_contents():
    """四、五、六 printed with nothing between them (empty sections, or tables that are pictures) were
    taken for a 目录, and a numbered paragraph of 一 or 五 took a section's place (S1 failed, T1 read 一's text)."""
    stray = ["五、存在的主要问题及改进情况方面，我局已于年中整改到位。", "三、依申请公开情况方面，申请答复的规范性有待提高。"]
    lines = [HEADS[0], stray[0], "本机关的正文。", HEADS[1], "正文。", HEADS[2], "正文。", *HEADS[3:], "无。"]
    assert list(headings(lines).values()) == HEADS
    lines = [HEADS[0], "正文。", HEADS[1], "1", HEADS[2], "2", HEADS[3], HEADS[4], stray[1], HEADS[5], "无。"]
    assert list(headings(lines).values()) == HEADS


@pytest.mark.parametrize("form", ["pagetext", "docx"])
def test_a_heading_renumbered_after_a_section_left_out_is_its_sections(form):
    """A report that leaves 五 out and numbers the next heading 五 (by hand, or Word's list numbering):
    五、其他需要报告的事项 was no heading, its text fell into 四's, S1 said 六 missing and T2 that the fee
    was not stated. It is 六's, and 五 stays missing."""
    from gkqc.simulate.word import report_docx

    s = spec("gov2021", 2022, office="青山市教育局")
    s.sections = ("一", "二", "三", "四", "六")
    s.other_matters = "本年度未收取信息处理费。"
    data = (render_pagetext(s).replace("六、其他需要报告的事项", "五、其他需要报告的事项").encode() if form == "pagetext"
            else report_docx(s, numbered=True))
    rep = read_document(f"r.{'txt' if form == 'pagetext' else 'docx'}", data).report
    assert [(x.no, x.heading) for x in rep.sections][-2:] == [("四", "四、政府信息公开行政复议、行政诉讼情况"),
                                                           ("六", "五、其他需要报告的事项")]
    assert "未收取信息处理费" in rep.sections[-1].text and "信息处理费" not in rep.sections[-2].text


def test_a_later_sections_words_in_a_numbered_paragraph_are_no_heading_when_it_is_printed():
    lines = [*HEADS[:4], "三、其他需要报告的事项：本机关将按要求报告。", *HEADS[4:]]
    assert headings(lines)["六"] == HEADS[5]


def test_every_heading_after_a_section_left_out_is_found_renumbered():
    """三 left out and 四, 五, 六 printed as 三、四、五: 四's title (政府信息公开行政复议、行政诉讼情况) begins with
    none of its variants, and a search for titles beginning so found 五 and 六 but not 四, whose table was
    then not found (the code before found 四 by its title alone)."""
    lines = [HEADS[0], "正文。", HEADS[1], "正文。", "三" + HEADS[3][1:], "正文。", "四" + HEADS[4][1:], "正文。",
             "五" + HEADS[5][1:], "正文。"]
    assert headings(lines) == {"一": HEADS[0], "二": HEADS[1], "四": lines[4], "五": lines[6], "六": lines[8]}


@pytest.mark.parametrize("lines,left_out", [
    # 四 left out, not renumbered: 五's numbered items name 四's words
    ([*HEADS[:3], "正文。", HEADS[4], "一、加强行政复议、行政诉讼应诉工作。", "二、提升政策解读质量。", HEADS[5]], "四"),
    # a numbered item of 一 names 三's words, 三's heading printed without its numeral
    ([HEADS[0], "一、依申请公开情况：本年度办理申请若干件。", HEADS[1], "正文。", HEADS[2][2:], "正文。", *HEADS[3:]], "三"),
])
def test_a_numbered_item_naming_a_left_out_sections_words_is_no_renumbered_heading(lines, left_out):
    """Only a heading that goes on with the numbering of the headings before it is renumbered (五 after 四):
    五's item 一、加强行政复议… was taken for 四's heading, and 五 lost its text."""
    assert left_out not in headings(lines)

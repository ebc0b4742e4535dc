"""PDF-extracted text (pdftotext, pdfium, markitdown on PDFs) whose table rows are not laid out as
`label v1 v2 …`: a row label wrapped in a narrow column with its values on its first line, a number
wrapped inside its cell. Where the text cannot show which row or cell a value belongs to, the row is
unreadable with the reason; no cell is read `ok` with another row's or another cell's value."""

from __future__ import annotations

import pytest
from builders import spec

from gkqc.readers import read_document
from gkqc.readers.tables import read_active, read_applications, read_reviews
from gkqc.readers.tokens import pdftext_tokens
from gkqc.simulate.render import render_html, render_pagetext, render_pdftext


def read(text: str, template: str = "gov2019") -> dict[str, tuple]:
    """Each row's cells: the value where read ok, else the status."""
    got: dict[str, list] = {}
    for c in read_applications(pdftext_tokens(text), template, False, "未找到")[0]:
        got.setdefault(c.row_id, []).append(c.value if c.status == "ok" else c.status)
    return {k: tuple(v) for k, v in got.items()}


def reasons(text: str, template: str = "gov2019") -> dict[str, str | None]:
    return {c.row_id: c.reason for c in read_applications(pdftext_tokens(text), template, False, "未找到")[0]}


UNREAD = ("unreadable",) * 7

# pdftotext -layout of LibreOffice's PDF: each label wraps one or two characters a line, its values on
# its first line; read as `label, then values`, each row would take the next row's values
LO_LAYOUT = """\
          1.属   0      1    0    2      0    0    3
          于国
          家秘
          密
          2.其   0      0    0    0      0    0    0
          他法
          律行
          政法
          规禁
          止公
          开
          3.危   1      0    0    0      0    0    1
          及“三
          安全
          一稳
          定”
          4.保   0      0    0    0      0    0    0
          护第
          三方
          合法
          权益
          5.属   5      0    0    0      0    0    5
          于三
          类内
          部事
          务信
          息
          6.属   0      0    0    0      0    6    6
          于四
          类过
          程性
          信息
（六）其他处理     2    0     0       0   0   1   3
（七）总计      28   2     0       2   5   4   41
"""


def test_values_on_a_wrapped_labels_first_line_are_not_given_to_the_row_before():
    got = read(LO_LAYOUT)
    for rid in ("denied_law_forbidden", "denied_three_safety", "denied_third_party", "denied_internal",
                "denied_process"):
        assert got[rid] in (UNREAD, ("missing",) * 7), rid  # never the next row's values
    why = reasons(LO_LAYOUT)
    assert "隔开" in why["denied_law_forbidden"] and "他法律" in why["denied_law_forbidden"]
    # rows printed on one line are read as printed
    assert got["other_handling"] == (2.0, 0.0, 0.0, 0.0, 0.0, 1.0, 3.0)
    assert got["results_total"] == (28.0, 2.0, 0.0, 2.0, 5.0, 4.0, 41.0)


# the group heading （六）其他处理 wraps beside the row labels: the label's start '1.申' on the values'
# line is all that shows the values are this row's, the rest of the label follows them
INTERLEAVED = """\
（六   1.申   2   0   0       0   0   0   2
）其   请人
他处   无正
理    当理
     由逾
     期不
     补
     正、
     行政
     机关
             不再
             处理
             其政
             府信
             息公
             开申
             请
             2.申       0      0    0   0    0      0   0
             请人
             逾期
             未按
             收费
             通知
             要求
             缴纳
             费
             用、
             行政
             机关
             不再
             处理
             其政
             府信
             息公
             开申
             请
             3.其       0      0    0   0    0      1   1
             他
        （七）总计          28     2    0   2    5      4   41
"""


def test_a_label_begun_on_the_values_line_and_finished_after_them_is_not_read():
    # the table's first rows as printed plainly: without them, the few rows read of a table would be
    # refused too (`few_placed`, below)
    first = ("一、本年新收政府信息公开申请数量 30 5 0 1 2 2 40\n二、上年结转政府信息公开申请数量 0 0 0 0 0 0 0\n"
             "（一）予以公开 7 2 0 0 1 1 11\n（二）部分公开（区分处理的，只计这一情形，不计其他情形） 0 0 0 0 0 0 0\n"
             "1.属于国家秘密 0 1 0 2 0 0 3\n")
    got = read(first + INTERLEAVED, "gov2021")
    assert got["new_received"] == (30.0, 5.0, 0.0, 1.0, 2.0, 2.0, 40.0)
    assert got["other_no_correction"] == UNREAD  # not 0 0 0 0 0 0 0, the next row's
    assert got["other_no_fee"] in (UNREAD, ("missing",) * 7)
    assert got["results_total"] == (28.0, 2.0, 0.0, 2.0, 5.0, 4.0, 41.0)


def test_a_label_wrapped_before_its_values_is_read():
    text = ("一、本年新收政府信息\n公开申请数量 30 5 0 1 2 2 40\n二、上年结转政府信息\n公开申请数量 0 0 0 0 0 0 0\n"
            "（一）予以公\n开 7 2 0 0 1 1 11\n")
    got = read(text)
    assert got["new_received"] == (30.0, 5.0, 0.0, 1.0, 2.0, 2.0, 40.0)
    assert got["carried_over"] == (0.0,) * 7
    assert got["granted"] == (7.0, 2.0, 0.0, 0.0, 1.0, 1.0, 11.0)


def test_a_number_wrapped_in_its_cell_after_the_rows_values_is_not_read():
    # pdfium of Chromium's PDF: ６９９，１９３ printed over three lines of its narrow cell
    text = "1.信访举报投诉类申请 10 3 0 2 1 0\n６９\n９，１\n９３\n2.重复申请 0 0 0 0 0 0 0\n"
    got = read(text, "gov2021")
    assert got["unprocessed_petition"] == UNREAD  # not ... 0 69
    assert "９，１" in reasons(text, "gov2021")["unprocessed_petition"]
    assert got["unprocessed_repeat"] == (0.0,) * 7


def test_a_number_piece_before_a_rows_values_is_not_read():
    # pdftotext -raw of LibreOffice's PDF: 73,878,797 wrapped as 73,87 / 8,797
    text = "2.其他法律行政法规禁止公开\n73,87\n8,797\n0 0 0 0 0 0\n3.危及“三安全一稳定” 1 0 0 0 0 0 1\n"
    got = read(text, "gov2021")
    assert got["denied_law_forbidden"] == UNREAD  # not 8797 0 0 0 0 0 0
    assert "73,87" in reasons(text, "gov2021")["denied_law_forbidden"]
    assert got["denied_three_safety"] == (1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0)


def test_number_lines_without_a_blank_line_between_cells_standing_alone_are_not_read():
    # pdfium: each cell between blank lines; 759864780 wrapped in its cell as 7598 / 6478 / 0
    text = ("4.无正当理由大量反复申请\n1\n\n0\n\n0\n\n7598\n6478\n0\n\n0\n\n272⑴\n\n"
            "5.要求行政机关确认或重新出具已获取信息\n0\n\n0\n\n0\n\n0\n\n0\n\n0\n\n0\n")
    got = read(text)
    assert got["unprocessed_massive"] == UNREAD
    assert "折行" in reasons(text)["unprocessed_massive"]
    assert got["unprocessed_confirm"] == (0.0,) * 7


def test_values_on_lines_of_their_own_are_read():
    # plain pdftotext: every value on its own line, no blank lines; or each between blank lines
    text = "一、本年新收政府信息公开申请数量\n30\n5\n0\n1\n2\n2\n40\n二、上年结转政府信息公开申请数量\n\n1\n\n0\n\n0\n\n0\n\n0\n\n0\n\n1\n"
    got = read(text)
    assert got["new_received"] == (30.0, 5.0, 0.0, 1.0, 2.0, 2.0, 40.0)
    assert got["carried_over"] == (1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0)


def test_a_row_printed_in_two_runs_around_its_label_is_not_read():
    # plain pdftotext of Chromium's PDF: a row's last cells come out before its label, its first
    # ones on the label's line, and the next row's last cells follow
    text = ("三、收到和处理政府信息公开申请情况\n申请人情况\n自然人 商业企业 科研机构\n0\n2\n4\n6\n90\n"
            "一、本年新收政府信息公开申请数量 72 6\n0\n0\n0\n0\n0\n二、上年结转政府信息公开申请数量 0 0\n")
    got = read(text)
    assert got["new_received"] == UNREAD  # not 72 6 0 0 0 0 0
    assert "0 2 4 6 90" in reasons(text)["new_received"]


def test_a_number_piece_before_section_fours_values_is_not_read():
    # pdftotext -layout of Chromium's PDF: ８７６，６７７ wrapped in its cell, its first piece above the
    # row's line, its last below: read as a run, the values would shift one cell
    text = ("行政复议 行政诉讼\n结果维持 结果纠正 其他结果 尚未审结 总计\n"
            "               ８７６， 3 0 2 0 5 1 0 1 0 2\n0  0   0   1\n               ６７７\n五、存在的主要问题\n")
    cells = read_reviews(pdftext_tokens(text), "gov2019", False, "未找到")[0]
    assert {c.status for c in cells} == {"unreadable"}
    assert "８７６，" in cells[0].reason


@pytest.mark.parametrize("text", [
    # pdftotext -raw and pdfium of LibreOffice's PDF: ５４６，５４８ a figure a line in its narrow cell
    "行政复议 行政诉讼\n1 2 3 1 7 2 0 0 2 4 0 0 ５\n４\n６\n，\n５\n４\n８\n0 2\n五、存在的主要问题\n",
    # plain pdftotext of the same PDF: every cell between blank lines, the number's lines without them
    "行政复议 行政诉讼\n\n1\n\n2\n\n3\n\n1\n\n7\n\n2\n\n0\n\n0\n\n2\n\n4\n\n0\n\n0\n\n５\n４\n６\n，\n５\n４\n８\n\n0\n\n2\n"
    "\n五、存在的主要问题\n"], ids=["lines", "cells-between-blank-lines"])
def test_a_number_wrapped_a_figure_a_line_around_its_separator_is_not_read(text):
    """The code before ended the run at the lone '，': its last three values were ５, ４ and ６."""
    cells = read_reviews(pdftext_tokens(text), "gov2019", False, "未找到")[0]
    assert {c.status for c in cells} == {"unreadable"}


@pytest.mark.parametrize("text", [
    # pdftotext -layout of LibreOffice's PDF: 107# wrapped in its cell, '7#' under '10'
    "行政复议 行政诉讼\n\n0   1    2   1    4   1   3   0   2   10   2   2   0   0   4\n"
    "                                      7#\n\n五、存在的主要问题及改进情况\n",
    # markitdown of such a PDF: 181※, '1※' on the line under '18'
    "持 正 果 结 持 正 果 结\n2 2 0 1 5 3 3 18 2 8 0 0 0 2 2\n1※\n五、存在的主要问题及改进情况\n"], ids=["layout", "markitdown"])
def test_the_rest_of_a_number_on_the_line_under_section_fours_values_is_not_dropped(text):
    """The code before ended the run at the piece and read the 15 values before it (10 for 107#, 18 for 181※)."""
    cells = read_reviews(pdftext_tokens(text), "gov2021", False, "未找到")[0]
    assert {c.status for c in cells} == {"unreadable"}
    assert "折行的后一段" in cells[0].reason


@pytest.mark.parametrize("note", ["1.本表数据统计截至2022年12月31日。", "2022年度，本机关未发生行政诉讼败诉案件。",
                                  "2023年1月20日", "1、"])
@pytest.mark.parametrize("form", ["page text", "PDF text", "HTML"])
def test_a_note_beginning_with_a_digit_after_section_fours_table_is_no_number_rest(note, form):
    """The rule above first took any text beginning with a digit for a number's rest, and refused
    every section 四 followed by a numbered note or a sentence beginning with a year."""
    s = spec("gov2021", 2022, seed=3)
    text = {"page text": render_pagetext, "PDF text": render_pdftext, "HTML": lambda s: render_html(s).decode()}[form](s)
    at = text.index("五、")
    at = text.rindex("<", 0, at) if form == "HTML" else at
    noted = text[:at] + (f"<p>{note}</p>" if form == "HTML" else note + "\n") + text[at:]
    r = read_document("r.html" if form == "HTML" else "r.txt", noted.encode())
    got = {(c.block_id, c.col_id): c.value for c in r.report.cells if c.table == "reviews" and c.status == "ok"}
    want = {(c.block_id, c.col_id): c.value for c in read_document("r.html" if form == "HTML" else "r.txt", text.encode())
            .report.cells if c.table == "reviews" and c.status == "ok"}
    assert len(want) == 15 and got == want


def test_a_row_whose_values_stand_one_on_a_line_and_the_rest_on_another_is_not_read():
    # pdftotext -layout of Chromium's PDF: 1840次, the last value, wrapped in its narrow cell and centred
    # on the row: '1840' printed over the other six values, '次' under them
    text = ("         6.属于四类过程性信息\n                                                     1840\n"
            "                      2    0   0        0    0   0\n                                                     次\n"
            "         7.属于行政执法案卷   0    0   0        0    0   0   0\n")
    got = read(text, "gov2021")
    assert got["denied_process"] == UNREAD  # not 1840 2 0 0 0 0 0
    assert "单独一行的数值" in reasons(text, "gov2021")["denied_process"]
    assert got["denied_enforcement_file"] == (0.0,) * 7


def test_a_number_whose_rest_is_printed_under_its_row_beside_label_text_is_not_read():
    # pdftotext -layout of Chromium's PDF: '8 9561' wrapped in its narrow cell, '9561' printed on the
    # next line with the rest of the wrapped block label; the code before read 8 and dropped 9561
    text = ("     （五）不 1.信访举报投诉类 5 8 0 1 1 1 16\n"
            "     予处理 申请              9561\n\n"
            "          2.重复申请     5   1    0  0      0   0 6\n")
    got = read(text)
    assert got["unprocessed_petition"] == UNREAD
    assert "下一行单独印有" in reasons(text)["unprocessed_petition"]
    assert got["unprocessed_repeat"] == (5.0, 1.0, 0.0, 0.0, 0.0, 0.0, 6.0)


def test_a_number_alone_under_a_rows_values_refuses_the_row_whose_values_follow_it():
    # pdftotext -layout of Chromium's PDF: ９１１６３３ wrapped over three lines, centred on its row:
    # '９１' under the row before (one value too many there), '１６' among the row's values, '３３' under
    # them; the code before read １６
    text = ("         2.其他法律行政法规禁止\n         公开           2   0   0        0    0   1   3\n\n"
            "                                             ９１\n"
            "    （三）不 3.危及“三安全一稳定” 0    0   0        0    １６ 0 0\n"
            "    予公开\n"
            "         4.保护第三方合法权益  1    0   0 0   0   0   1\n"
            "         5.属于三类内部事务信息 1    0   0        0    0   0   1\n")
    got = read(text, "gov2021")
    assert got["denied_three_safety"] == UNREAD
    assert "上一行单独印有" in reasons(text, "gov2021")["denied_three_safety"]
    assert got["denied_third_party"] == (1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0)


def test_a_one_column_row_before_a_line_of_unknown_label_and_one_number_is_read():
    # section 二's blocks of one column: a line of label text and one number is a row (of another
    # template's, here), not the rest of the value above it
    text = ("第二十条第（五）项\n信息内容 本年处理决定数量\n行政许可 125\n其他对外管理服务事项 7\n"
            "第二十条第（六）项\n信息内容 本年处理决定数量\n行政处罚 30\n行政强制 4\n行政检查 9\n"
            "第二十条第（八）项\n信息内容 本年收费金额（单位：万元）\n行政事业性收费 0\n")
    got = {(c.block_id, c.row_id): (c.value, c.status) for c in read_active(pdftext_tokens(text), "gov2021", False, "未找到")[0]}
    assert got[("item_5", "licensing")] == (125.0, "ok") and got[("item_6", "coercion")] == (4.0, "ok")


def test_a_row_after_a_jumbled_row_with_a_value_too_many_is_read():
    # pdfium's text of Chromium's PDF prints a row's values over several lines; its last value, alone
    # on its line, is not a piece hanging over the next row
    text = ("1.信访举报投诉\n类申请\n7 1 0 1 0\n６４０，８０\n２\n11\n"
            "2.重复申请 1 0 0 0 0 0 1\n3.要求提供公开出版物 0 0 0 0 0 0 0\n")
    assert read(text)["unprocessed_repeat"] == (1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0)


def test_a_number_piece_among_a_wrapped_labels_values_is_a_value():
    # pdftotext -layout of LibreOffice's PDF: 46,424,106 wrapped as 46,42 / 4,106 beside the label's lines
    text = ("2.重 5 1 0 0 0 0 6\n复申\n请\n3.要 1 0 46,42 0 0 0 1\n求提 4,106\n供公\n开出\n版物\n"
            "4.无 0 0 0 0 0 0 0\n正当\n理由\n大量\n反复\n申请\n（六）其他处理 2 0 0 0 0 1 3\n")
    got = read(text)
    assert got["unprocessed_publication"] in (UNREAD, ("missing",) * 7)  # not 0 0 0 0 0 0 0, the next row's
    assert got["other_handling"] == (2.0, 0.0, 0.0, 0.0, 0.0, 1.0, 3.0)


def test_a_table_printing_each_rows_values_before_its_label_is_not_read():
    # plain pdftotext of Chromium's PDF: each label cell's line comes after its row's values; the
    # first label follows values, the last is followed by none
    text = ("三、收到和处理政府信息公开申请情况\n2\n0\n0\n0\n0\n1 3\n（六）其他处理\n28\n2\n0\n2\n5\n4 41\n（七）总计\n"
            "0\n0\n0\n0\n0\n0 0\n四、结转下年度继续办理\n")
    got = read(text)
    assert got["other_handling"] == UNREAD  # not 28 2 0 2 5 4 41, the total's
    assert got["results_total"] == UNREAD
    assert "之前" in reasons(text)["results_total"]


def test_a_last_row_printed_blank_does_not_refuse_the_rows_read_before_it():
    text = ("三、收到和处理政府信息公开申请情况\n（六）其他处理\n2\n0\n0\n0\n0\n1\n3\n（七）总计\n28\n2\n0\n2\n5\n4\n41\n"
            "四、结转下年度继续办理\n")
    got = read(text)
    assert got["other_handling"] == (2.0, 0.0, 0.0, 0.0, 0.0, 1.0, 3.0)
    assert got["results_total"] == (28.0, 2.0, 0.0, 2.0, 5.0, 4.0, 41.0)


def test_a_row_label_with_no_values_after_it_in_such_a_table_refuses_the_rows_before():
    text = ("三、收到和处理政府信息公开申请情况\n申请人情况\n30 5\n0\n1\n2\n2\n40\n一、本年新收政府信息公开申请数量\n"
            "0\n0\n0\n0\n0\n0\n0\n二、上年结转政府信息公开申请数量\n三、本年度办理结果 （一）予以公开\n7\n2\n0\n0\n1\n1\n11\n")
    got = read(text)
    assert got["new_received"] == UNREAD  # not 0 0 0 0 0 0 0, the carried-over row's
    assert "上年结转" in reasons(text)["new_received"]


def test_values_before_any_label_text_count_as_printed_before_the_first_label():
    text = "2\n0\n0\n0\n0\n1 3\n（六）其他处理\n28\n2\n0\n2\n5\n4 41\n（七）总计\n"
    assert read(text)["other_handling"] == UNREAD


def test_the_one_row_read_of_a_table_whose_labels_are_mostly_lost_is_refused_too():
    """The same last rows alone: of the table's 25 rows only 总计 is read, the rows beside it refused
    for their placement and the other labels not found. In such tables (pdftotext of LibreOffice's and
    Chromium's PDFs, markitdown's text) the one or two rows read held another row's values in about a
    third of them."""
    got = read(INTERLEAVED, "gov2021")
    assert got["results_total"] == UNREAD
    assert "印刷顺序错乱" in reasons(INTERLEAVED, "gov2021")["results_total"]


def test_a_row_refused_whole_keeps_the_line_it_is_printed_on():
    s = spec("gov2021", 2022, seed=7)
    for col, v in zip(("natural_person", "commercial", "research", "social_org", "legal_service", "other_org", "total"),
                      ("1", "", "4", "", "", "", "14"), strict=True):
        s.applications[("granted", col)] = v
    text = render_pdftext(s)
    row = next(ln for ln in text.splitlines() if "予以公开 1 4 14" in ln)
    text = text.replace(row, row.replace(" 1 4 14", " 1414"))
    at = next(k for k, ln in enumerate(text.splitlines(), 1) if "1414" in ln)
    cells = [c for c in read_document("r.txt", text.encode()).report.cells if c.row_id == "granted"]
    assert len(cells) == 7 and {(c.status, c.raw, c.line) for c in cells} == {("unreadable", None, at)}

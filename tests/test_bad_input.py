"""Bad input gets a status and a reason naming where; nothing raises."""

import random
import re

import pytest
from builders import spec
from crawls import crawl_of_html
from lxml import etree
from mddocs import render_markdown
from pdfdocs import expected, raw_pdf

from gkqc.cells import VALUED, read_count
from gkqc.readers import HIDDEN_READ, read_document
from gkqc.readers.shown import cell_text
from gkqc.readers.tokens import pdftext_tokens
from gkqc.simulate.render import render_html, render_pagetext, render_pdftext
from gkqc.simulate.truth import cell_values
from gkqc.templates import registry


def cells(result, table="applications"):
    return {(c.block_id, c.row_id, c.col_id) if table == "active" else (c.row_id, c.col_id): c
            for c in result.report.cells if c.table == table}


def test_empty_file():
    r = read_document("x.txt", b"")
    assert (r.status, r.reason) == ("unreadable", "空文件 (empty file)")
    r = read_document("x.txt", b"   \n\n")  # (its row says 5 bytes: 'empty' contradicted it)
    assert (r.status, r.reason) == ("unreadable", "只有空白字符（5 字节），没有内容 (whitespace only)")


def test_binary_junk():
    junk = random.Random(3).randbytes(5000)
    r = read_document("x.txt", junk)
    assert r.status == "unreadable" and r.reason


def test_unknown_encoding():
    # bytes valid in no encoding a Chinese site uses: GB18030 and UTF-8 both reject 0xFF
    data = render_pagetext(spec()).encode("utf-8").replace("公开".encode(), b"\xff\x80\xfe")
    r = read_document("x.txt", data)
    assert r.status == "unreadable" and "编码" in r.reason


def test_big5_is_detected_and_read():
    r = read_document("x.txt", render_pagetext(spec(office="青山市教育局")).encode("big5", errors="ignore"))
    assert r.encoding.lower().startswith("big5") and r.report.office == "青山市教育局"


def test_utf16_with_bom_is_read():
    r = read_document("x.txt", render_pagetext(spec()).encode("utf-16"))
    assert r.status == "parsed"


@pytest.mark.parametrize("render", [render_pagetext, render_pdftext])
def test_truncated_keeps_cells_before_the_cut(render):
    s = spec("gov2021", seed=7)
    text = render(s)
    cut = text.index("（七）总计")
    r = read_document("x.txt", text[:cut].encode())
    assert r.status == "partial"
    g = cells(r)
    assert g[("other_else", "total")].raw == s.applications[("other_else", "total")]
    assert g[("granted", "natural_person")].status == "ok"
    assert g[("results_total", "total")].status == "missing"
    assert all(c.status == "missing" for c in r.report.cells if c.table == "reviews")
    assert "（七）总计" in r.reason or "四、" in r.reason


CUT_FORMS = {"page text": ("r.txt", render_pagetext), "PDF text": ("r.txt", render_pdftext),
             "HTML": ("r.html", lambda s: render_html(s).decode()), "Markdown": ("r.md", render_markdown),
             "crawl": ("crawl.txt", lambda s: crawl_of_html(render_html(s), " ", " "))}


@pytest.mark.parametrize("form", CUT_FORMS)
def test_a_file_cut_inside_a_number_never_reads_the_part_as_the_value(form):
    """A download cut short may end inside a number ('15' cut to '1'): the end of the file is the end
    of that cell's text, so the digits before the end are not its value."""
    name, render = CUT_FORMS[form]
    cut_values = 0
    for template, year in (("gov2019", 2020), ("gov2021", 2023)):
        for seed in range(4):
            s = spec(template, year, seed=seed, office="青山市交通运输局")
            truth = cell_values(s.template, s.applications, s.active, s.reviews)
            text = render(s)
            a, b = text.index("主动公开政府信息情况"), text.index("存在的主要问题")
            for m in list(re.finditer(r"(?<![\d,.])\d\d+", text[a:b]))[:8]:  # after a number's first digit
                r = read_document(name, text[:a + m.start() + 1].encode())
                cut_values += 1
                for c in r.report.cells:
                    if c.status in VALUED and c.value is not None:
                        key = {"applications": ("applications", c.row_id, c.col_id),
                               "reviews": ("reviews", c.block_id, c.col_id)}.get(
                            c.table, ("active", c.block_id, c.row_id, c.col_id))
                        assert c.value == truth[key].value, (template, seed, text[a + m.start() - 30:a + m.start() + 1], c)
    assert cut_values >= 40


def test_truncated_mid_row_keeps_the_first_values():
    s = spec("gov2019", 2020, seed=2)
    text = render_pagetext(s)
    start = text.index("（七）总计")
    lines = text[start:].splitlines()
    cut = start + len("\n".join(lines[:4]))  # label and three values
    r = read_document("x.txt", text[:cut].encode())
    g = cells(r)
    assert [g[("results_total", c)].raw for c in ("natural_person", "commercial", "research")] == \
        [s.applications[("results_total", c)] for c in ("natural_person", "commercial", "research")]
    assert g[("results_total", "social_org")].status == "missing"
    assert "截断" in g[("results_total", "social_org")].reason
    assert r.status == "partial"


def test_page_about_reports_is_not_a_report():
    page = ("关于做好2020年政府信息公开工作年度报告编制发布工作的通知\n各县人民政府：\n"
            "请于2021年1月31日前在本单位网站发布政府信息公开工作年度报告。\n特此通知。\n")
    r = read_document("notice.txt", page.encode())
    assert r.status == "not_a_report" and "章节" in r.reason
    html = "<html><body><ul><li><a href='1.html'>2020年政府信息公开工作年度报告</a></li></ul></body></html>"
    assert read_document("index.html", html.encode()).status == "not_a_report"


def test_blank_marks_are_null_not_zero():
    s = spec("gov2021", seed=3)
    marks = {"granted": "-", "partial": "—", "denied_query": "/", "unable_unclear": "无", "unprocessed_repeat": ""}
    for row, mark in marks.items():
        s.applications[(row, "research")] = mark
    r = read_document("x.txt", render_pagetext(s).encode())
    g = cells(r)
    for row, mark in marks.items():
        c = g[(row, "research")]
        assert (c.value, c.status, c.raw) == (None, "blank", mark)
    assert r.status == "parsed"


def test_html_blank_nbsp_is_null():
    s = spec("gov2019", 2020, seed=3)
    s.applications[("granted", "total")] = ""
    g = cells(read_document("x.html", render_html(s)))
    assert (g[("granted", "total")].value, g[("granted", "total")].status) == (None, "blank")


@pytest.mark.parametrize("lines", [b"1<br/>2", b"<p>1</p><p>2</p>", b"<div>1</div>\n<div>2</div>", b"1<p>2</p>",
                                   b"<p>1</p>2", b"<div><b>1</b></div><span>2</span>", b"<li>1</li>2"])
def test_html_digits_on_two_lines_of_a_cell_are_not_joined(lines):
    """A line ends where a paragraph starts and where it ends: the code before read `<p>1</p>2` as 12."""
    s = spec("gov2019", 2020, seed=3)
    s.applications[("granted", "total")] = "1|2"
    page = render_html(s).replace(b">1|2<", b">" + lines + b"<")  # two lines in one cell: not the number 12
    assert lines in page
    g = cells(read_document("x.html", page))
    assert (g[("granted", "total")].value, g[("granted", "total")].status) == (None, "unreadable")


@pytest.mark.parametrize("printed", ["-<br>3", "<p>-</p><p>3</p>", "- <br/> 3", "1,<br>234", "12.<br>5", "12<br>.5"])
@pytest.mark.parametrize("form", ["html", "markdown"])
def test_a_sign_or_a_separator_alone_on_its_line_is_no_part_of_the_number(printed, form):
    """A sign alone on the line over a number is no sign of it, nor is a separator alone on its line
    part of the number (as Word and PDF read them): the code before joined the lines, -3, 1234, 12.5."""
    s = spec("gov2019", 2020, seed=1)
    key = ("item_5", "licensing", "change")
    s.active[key] = "QQQ"
    page = render_html(s).decode() if form == "html" else render_markdown(s)
    data = page.replace("QQQ", printed).encode()
    got = read_document(f"x.{'html' if form == 'html' else 'md'}", data).report.cells
    c = next(c for c in got if (c.block_id, c.row_id, c.col_id) == key)
    assert (c.value, c.status) == (None, "unreadable")
    for label in ("本年<br>新增", "2.<br>行政许可"):  # a label's lines are still one label
        assert "<br>" not in cell_text(etree.fromstring(f"<td>{label}</td>", etree.HTMLParser()).find(".//td"))


@pytest.mark.parametrize("printed", ["5人", "约3", "12起", "5%", "3+1", "1e3", "O", "三"])
@pytest.mark.parametrize("render", [render_pagetext, lambda s: render_html(s).decode()], ids=["page text", "HTML"])
def test_a_first_cell_with_a_unit_or_a_word_is_unreadable_and_the_row_stays_in_its_columns(render, printed):
    """'5人' in a row's first cell is not more of the row's label: taken for one, every value of the
    row moved one column to the left and the total became the last but one."""
    s = spec("gov2021", 2023, seed=5)
    s.applications[("granted", "natural_person")] = printed
    g = cells(read_document("x.html" if render is not render_pagetext else "x.txt", render(s).encode()))
    assert (g[("granted", "natural_person")].raw, g[("granted", "natural_person")].status) == (printed, "unreadable")
    for col in ("commercial", "research", "social_org", "legal_service", "other_org", "total"):
        assert g[("granted", col)].raw == s.applications[("granted", col)], col


@pytest.mark.parametrize("printed", ["1/2", "约5", "1e3"])
def test_pdf_text_takes_only_digits_right_after_a_label_for_its_first_value(printed):
    """PDF text prints a row on one line, its label glued to what follows: digits at the end of
    '1.属于国家秘密 1/2' are not the row's first value (2), nor are those of '约5' or '1e3'."""
    s = spec("gov2021", 2023, seed=5)
    s.applications[("denied_state_secret", "natural_person")] = printed
    g = cells(read_document("x.txt", render_pdftext(s).encode()))
    for col in ("natural_person", "commercial", "research", "social_org", "legal_service", "other_org", "total"):
        c = g[("denied_state_secret", col)]
        assert c.status != "ok" or c.raw == s.applications[("denied_state_secret", col)], (col, c)
    assert g[("denied_state_secret", "natural_person")].status != "ok"


@pytest.mark.parametrize("printed", ["约3", "5%", "1.234.567", "O", "三"])
def test_an_unreadable_cell_in_section_four_keeps_its_place_in_the_run(printed):
    """Section 四 is one run of fifteen values: a cell printed unreadably inside it ended the run, and
    the heading's empty pad cells before it were taken for values, every later one shifted."""
    s = spec("gov2019", 2020, seed=1)
    s.reviews[("review", "pending")] = printed
    g = cells(read_document("x.txt", render_pagetext(s).encode()), "reviews")
    assert (g[("review", "pending")].raw, g[("review", "pending")].status) == (printed, "unreadable")
    for (group, metric), raw in s.reviews.items():
        if (group, metric) != ("review", "pending"):
            c = g[(group, metric)]
            assert c.status != "ok" or c.raw == raw, (group, metric, c)


@pytest.mark.parametrize("printed", ["1 5", "12 345", "3\u00a04", "1\u30005"])
@pytest.mark.parametrize("render", [render_pagetext, lambda s: render_html(s).decode()], ids=["page text", "HTML"])
def test_digits_with_a_space_between_them_in_one_cell_are_unreadable(render, printed):
    """'1 5' in one cell is two numbers, or one spaced out: it was read as 15."""
    s = spec("gov2021", 2023, seed=5)
    s.applications[("granted", "research")] = printed
    g = cells(read_document("x.html" if render is not render_pagetext else "x.txt", render(s).encode()))
    assert (g[("granted", "research")].value, g[("granted", "research")].status) == (None, "unreadable")
    assert g[("granted", "total")].raw == s.applications[("granted", "total")]


@pytest.mark.parametrize("markdown", [False, True], ids=["HTML", "HTML in Markdown"])
def test_a_table_whose_merged_cells_cover_too_much_of_its_grid_is_refused_at_once(markdown):
    """Every row of a table walks the grid places that cells from rows above still cover: rows of fifty
    cells each 64 wide and 64 high made 2 MB of HTML take 33 s and a 64 MB page 10–17 minutes. A table
    covering more than MAX_COVERED places at once is no report's; its file is unreadable at once."""
    import time

    row = "<tr>" + '<td rowspan="64" colspan="64">1</td>' * 50 + "</tr>"
    html = render_html(spec("gov2021", 2023, seed=1)).decode()
    page = html.replace("<body>", "<body><table>" + row * 400 + "</table>", 1)
    assert page != html
    if markdown:
        page = render_markdown(spec("gov2021", 2023, seed=1)) + "\n\n<table>" + row * 400 + "</table>\n"
    t = time.monotonic()
    r = read_document("r.md" if markdown else "r.html", page.encode())
    assert time.monotonic() - t < 5
    assert r.status == "unreadable" and "同时覆盖超过 1000 格" in r.reason, r.reason


def test_fullwidth_digits_and_thousands_separators():
    s = spec("gov2021", seed=4)
    s.applications[("new_received", "natural_person")] = "１２"
    s.applications[("new_received", "total")] = "1,234"
    s.active[("item_5", "licensing", "decisions")] = "１,８０８,５９５"
    r = read_document("x.txt", render_pagetext(s).encode())
    g = cells(r)
    assert g[("new_received", "natural_person")].value == 12
    assert g[("new_received", "total")].value == 1234 and g[("new_received", "total")].raw == "1,234"
    assert cells(r, "active")[("item_5", "licensing", "decisions")].value == 1808595


def test_units_in_amount_cells():
    s = spec("gov2019", 2020, seed=4)
    for raw_amount, want, unit in (("251000元", 25.1, "元"), ("0.5万元", 0.5, "万元"), ("11212.974705万", 11212.974705, "万元")):
        s.active[("item_9", "procurement", "procurement_amount")] = raw_amount
        c = cells(read_document("x.txt", render_pagetext(s).encode()), "active")[("item_9", "procurement", "procurement_amount")]
        assert (c.value, c.unit, c.raw) == (want, unit, raw_amount)


def test_amount_units_other_than_wan_and_yuan_in_a_heading_are_converted_or_refused():
    """A heading in 亿元 or 千元 was taken for 万元 (1.12 亿元 stored as 1.12), and said no unit was printed."""
    s = spec("gov2019", 2020, seed=4)
    s.active[("item_9", "procurement", "procurement_amount")] = "1.12"
    text = render_pagetext(s)
    assert text.count("采购总金额") == 1
    for heading, value, unit in (("采购总金额（亿元）", 11200, "亿元"), ("采购总金额（单位：千元）", 0.112, "千元"),
                                 ("采购总金额（百万元）", 112, "百万元"), ("采购总金额（单位：美元）", None, None)):
        c = cells(read_document("x.txt", text.replace("采购总金额", heading).encode()), "active")[
            ("item_9", "procurement", "procurement_amount")]
        assert (c.value, c.unit, c.raw) == (value, unit, "1.12")
        assert (c.status == "unreadable") == (value is None) and "未注明" not in (c.reason or "")
    s = spec("gov2021", 2022, seed=4)
    s.active[("item_8", "fees", "fee_amount")] = "294.4352"
    page = render_html(s).decode()
    assert "（单位：万元）" in page
    c = cells(read_document("x.html", page.replace("（单位：万元）", "（单位：千元）").encode()), "active")[
        ("item_8", "fees", "fee_amount")]
    assert (c.value, c.unit) == (29.44352, "千元")


def test_amounts_printed_in_yi_yuan_are_converted():
    s = spec("gov2019", 2020, seed=4)
    for raw_amount, want, unit in (("1.12亿元", 11200, "亿元"), ("3亿", 30000, "亿元"), ("500千元", 50, "千元"),
                                   ("85.9405元", 0.00859405, "元"), ("1,234.5678元", 0.12345678, "元")):  # (every printed digit kept)
        s.active[("item_9", "procurement", "procurement_amount")] = raw_amount
        c = cells(read_document("x.txt", render_pagetext(s).encode()), "active")[("item_9", "procurement", "procurement_amount")]
        assert (c.value, c.unit, c.raw) == (want, unit, raw_amount)


def test_stray_spaces_in_labels():
    s = spec("gov2019", 2020, seed=6)
    text = render_pagetext(s).replace("（四）无法提供", "（四）无法 提供").replace("2.重复申请", "2. 重复 申请")
    r = read_document("x.txt", text.encode())
    assert r.status == "parsed"
    assert cells(r)[("unprocessed_repeat", "total")].raw == s.applications[("unprocessed_repeat", "total")]


def test_duplicated_row_same_values_is_ignored():
    s = spec("gov2021", seed=8)
    vals = [s.applications[("granted", c)] for c in
            ("natural_person", "commercial", "research", "social_org", "legal_service", "other_org", "total")]
    s.extra_app_rows = [("（一）予以公开", vals)]
    r = read_document("x.txt", render_pagetext(s).encode())
    assert r.status == "parsed" and any("重复行" in n for n in r.report.notes)


def test_duplicated_row_conflicting_values_is_unreadable():
    s = spec("gov2021", seed=8)
    s.extra_app_rows = [("（一）予以公开", ["9"] * 7)]
    r = read_document("x.txt", render_pagetext(s).encode())
    c = cells(r)[("granted", "total")]
    assert c.status == "unreadable" and "两次" in c.reason and r.status == "partial"


def test_run_together_digits_are_not_split():
    s = spec("gov2021", seed=9)
    text = render_pdftext(s, kangxi=False)
    row = next(line for line in text.splitlines() if line.startswith("一、本年新收"))
    glued = "一、本年新收政府信息公开申请数量 640020470"
    r = read_document("x.txt", text.replace(row, glued).encode())
    g = cells(r)
    assert all(g[("new_received", c)].status == "unreadable" for c in ("natural_person", "total"))
    assert "640020470" in g[("new_received", "total")].reason and "不作猜测" in g[("new_received", "total")].reason
    assert g[("carried_over", "total")].status == "ok"
    assert r.status == "partial" and "一、本年新收政府信息公开申请数量" in r.reason and "640020470" in r.reason


def test_run_together_digits_glued_to_label():
    s = spec("gov2019", 2020, seed=9)
    text = render_pdftext(s, kangxi=False)
    row = next(line for line in text.splitlines() if line.startswith("（七）总计"))
    r = read_document("x.txt", text.replace(row, "（七）总计8800088").encode())
    c = cells(r)[("results_total", "natural_person")]
    assert c.status == "unreadable" and "8800088" in c.reason


def test_reason_names_section_row_and_cell():
    s = spec("gov2021", seed=10)
    s.applications[("denied_internal", "legal_service")] = "约3"
    r = read_document("x.txt", render_pagetext(s).encode())
    assert r.status == "partial"
    assert "三、收到和处理政府信息公开申请情况" in r.reason
    assert "5.属于三类内部事务信息" in r.reason and "法律服务机构" in r.reason and "约3" in r.reason


def test_missing_row_does_not_shift_the_rest():
    s = spec("gov2021", seed=11)
    text = render_pagetext(s)
    start = text.index("2.重复申请")
    end = text.index("3.要求提供公开出版物")
    r = read_document("x.txt", (text[:start] + text[end:]).encode())
    g = cells(r)
    assert g[("unprocessed_repeat", "total")].status == "missing"
    assert g[("unprocessed_publication", "total")].raw == s.applications[("unprocessed_publication", "total")]
    assert g[("results_total", "total")].raw == s.applications[("results_total", "total")]


def test_gbk_html_without_charset_declaration():
    s = spec("gov2021", seed=12, office="青山市财政局")
    r = read_document("x.htm", render_html(s, "gbk", declare=False))
    assert (r.status, r.encoding, r.report.office) == ("parsed", "gb18030", "青山市财政局")


def test_2021_report_on_2019_template_is_detected():
    s = spec("gov2019", 2022, seed=13)
    rep = read_document("x.txt", render_pagetext(s).encode()).report
    assert (rep.report_year, rep.template) == (2022, "gov2019")


def test_a_broken_pdf_and_a_word_file_are_unreadable_with_a_reason():
    pdf, docx = read_document("a.pdf", b"%PDF-1.7 ..."), read_document("a.docx", b"PK\x03\x04....")
    assert pdf.status == docx.status == "unreadable"
    assert pdf.reason and docx.reason


def test_blank_first_and_last_review_numbers_are_kept():
    s = spec("gov2021", seed=14)
    s.reviews[("review", "upheld")] = ""
    s.reviews[("suit_after_review", "total")] = ""
    r = read_document("x.txt", render_pagetext(s).encode())
    g = cells(r, "reviews")
    assert g[("review", "upheld")].status == "blank" and g[("suit_after_review", "total")].status == "blank"
    assert g[("review", "total")].raw == s.reviews[("review", "total")]
    assert r.status == "parsed"


def _without_value_line(text: str, label: str, k: int) -> str:
    """Page text with the k-th value line after the row label `label` deleted."""
    lines = text.split("\n")
    at = next(i for i, ln in enumerate(lines) if ln.startswith(label))
    j = next(i for i in range(at + 1, len(lines)) if lines[i].strip(" |")) + k  # the row's first value, then k on
    return "\n".join(lines[:j] + lines[j + 1:])


@pytest.mark.parametrize("row", ["new_received", "granted", "partial", "denied_state_secret", "results_total"])
@pytest.mark.parametrize("k", [0, 3, 6])
def test_a_page_text_row_missing_a_value_is_unreadable_not_padded_from_the_next_cell(row, k):
    """A row's padding cells (`||`, or `|` after a row with a group heading) are never taken for a
    value the row lost: the row is unreadable, and every other row reads as printed."""
    s = spec("gov2021", seed=21)
    label = next(r.label for r in registry().app_rows_for("gov2021") if r.id == row)
    r = read_document("x.txt", _without_value_line(render_pagetext(s), label, k).encode())
    for (rid, col), c in cells(r).items():
        if rid == row:
            assert c.status == "unreadable" and "个" in c.reason, (col, c.raw, c.status)
        else:
            assert c.raw == s.applications[(rid, col)], (rid, col)


@pytest.mark.parametrize("col", ["natural_person", "commercial", "other_org"])
def test_a_blank_inside_the_last_row_without_padding_is_a_blank(ali_bytes, col):
    """The 阿里 sample pads each row but the table's last with `||`: a blank among that row's values
    (the row then a padding narrower than the rest) was taken for a lost value, and all seven cells,
    A1 and S3 with them, were unreadable. Padding only ever ends a row; a value lost there still is."""
    lines = ali_bytes.decode().split("\n")
    row = lines.index("四、结转下年度继续办理 |") + 1  # its seven values, one per line, then section 四
    cols = [c.id for c in registry().app_columns]
    blank = list(lines)
    blank[row + cols.index(col)] = "|"
    g = cells(read_document("x.txt", "\n".join(blank).encode()))
    got = {c: (g[("carried_forward", c)].raw, g[("carried_forward", c)].status) for c in cols}
    assert got == {c: ("", "blank") if c == col else ("0", "ok") for c in cols}
    lost = lines[:row] + lines[row + 1:]  # a value line lost: unreadable, as before
    g = cells(read_document("x.txt", "\n".join(lost).encode()))
    assert {g[("carried_forward", c)].status for c in cols} == {"unreadable"}


@pytest.mark.parametrize("row", ["granted", "partial"])
def test_a_blank_last_value_beside_the_padding_is_still_blank(row):
    s = spec("gov2021", seed=22)
    s.applications[(row, "total")] = ""
    g = cells(read_document("x.txt", render_pagetext(s).encode()))
    assert g[(row, "total")].status == "blank"
    assert g[(row, "other_org")].raw == s.applications[(row, "other_org")]


@pytest.mark.parametrize("k", [0, 7, 14])
def test_section_four_missing_a_value_is_unreadable_not_shifted_onto_the_padding(k):
    s = spec("gov2019", 2020, seed=23)
    r = read_document("x.txt", _without_value_line(render_pagetext(s), "复议后起诉", 11 + k).encode())
    assert {c.status for c in cells(r, "reviews").values()} == {"unreadable"}


def test_a_file_cut_in_section_four_keeps_each_value_in_its_column():
    s = spec("gov2021", seed=24)
    text = render_pagetext(s)
    lines = text.split("\n")
    first = len(lines) - lines[::-1].index("|" * 5)  # after the padding run before section 四's values
    r = read_document("x.txt", "\n".join(lines[:first + 12]).encode())  # twelve of fifteen values
    g = cells(r, "reviews")
    reg = registry()
    got = [g[(grp.id, m.id)] for grp in reg.review_groups for m in reg.review_metrics]
    assert [c.raw for c in got[:12]] == [s.reviews[(grp.id, m.id)] for grp in reg.review_groups
                                         for m in reg.review_metrics][:12]
    assert {c.status for c in got[12:]} == {"missing"}


@pytest.mark.parametrize("block, row, k", [("item_8", "fees", 0), ("item_8", "fees", 1), ("item_1", "regulations", 1),
                                           ("item_9", "procurement", 0)])
def test_a_section_two_row_missing_a_value_is_unreadable_not_padded_from_the_next_cell(block, row, k):
    """Section 二's blocks print as one table four cells wide: a block of two values pads its rows
    with an `|` that looks like a blank value. A row that lost a value is unreadable, not shifted."""
    s = spec("gov2019", 2020, seed=25)
    label = next(r.label for b in registry().blocks_for("gov2019") if b.id == block for r in b.rows if r.id == row)
    r = read_document("x.txt", _without_value_line(render_pagetext(s), label, k).encode())
    for key, c in cells(r, "active").items():
        if key[:2] == (block, row):
            assert c.status == "unreadable", (key, c.raw, c.status)
        else:
            assert c.raw == s.active[key], key


def test_a_section_two_heading_over_two_rows_leaves_its_block_unreadable_not_reordered():
    """'本年' spanning 制发件数 and 废止件数, 现行有效件数 beside them: flattened, the heading names the
    columns out of the template's order, as a table printed in another order would; which it is
    cannot be told, so the block's values are not placed."""
    s = spec("gov2021", seed=26)
    two_rows = ('<tr><td rowspan="2">信息内容</td><td colspan="2">本年</td><td rowspan="2">现行有效件数</td></tr>'
                '<tr><td>制发件数</td><td>废止件数</td></tr>')
    html = render_html(s).decode()
    one_row = '<tr><td>信息内容</td><td>本年制<br />发件数</td><td>本年废<br />止件数</td><td>现行有效件数</td></tr>'
    assert html.count(one_row) == 1
    g = cells(read_document("x.html", html.replace(one_row, two_rows).encode()), "active")
    for (block, row, col), c in g.items():
        if block == "item_1":
            assert c.status == "unreadable" and "顺序" in c.reason, (row, col, c.raw, c.status)
        else:
            assert c.raw == s.active[(block, row, col)]


@pytest.mark.parametrize("blank, where", [(("review", "upheld"), "after"), (("suit_after_review", "total"), "before")])
def test_section_four_with_empty_cells_in_two_places_is_unreadable_not_shifted(blank, where):
    """Sixteen cells for fifteen values, empty ones at both ends (a blank value at one, an empty
    cell at the other): which is the blank value and which the padding cannot be told; the run is
    unreadable, never shifted by a cell."""
    s = spec("gov2021", seed=27)
    s.reviews[blank] = ""
    html = render_html(s).decode()
    values = html.rindex("<tr>", 0, html.index("</tr></table>", html.index("复议后起诉")))
    end = html.index("</tr>", values)
    html = html[:end] + "<td></td>" + html[end:] if where == "after" else html[:values + 4] + "<td></td>" + html[values + 4:]
    g = cells(read_document("x.html", html.encode()), "reviews")
    assert {c.status for c in g.values()} == {"unreadable"}, {k: (c.raw, c.status) for k, c in g.items()}


@pytest.mark.parametrize("printed", ["1.\t5", "12, 345", "3、 4"])
def test_a_cell_with_separated_digits_after_a_point_or_comma_is_unreadable(printed):
    """Word's list numbering before a value ('1.⇥5') or two numbers in a cell are not one number."""
    assert read_count(printed).status == "unreadable"
    assert read_count("12,345").value == 12345


@pytest.mark.parametrize("form", ["pagetext", "html"])
def test_a_roman_numeral_in_a_cell_is_no_blank(form):
    """NFKC folds Ⅹ (ten) into X, a blank mark: a value printed as a Roman numeral was read blank."""
    s = spec("gov2021", seed=1)
    s.applications[("new_received", "natural_person")] = "Ⅹ"
    data = render_pagetext(s).encode() if form == "pagetext" else render_html(s)
    c = cells(read_document(f"x.{'txt' if form == 'pagetext' else 'html'}", data), "applications")[
        ("new_received", "natural_person")]
    assert (c.raw, c.status, c.value) == ("Ⅹ", "unreadable", None) and "罗马数字" in c.reason
    assert read_count("x").status == "blank" and read_count("ⅹ").status == "unreadable"


@pytest.mark.parametrize("printed", ["十万", "壹拾贰", "约十万元", "一百零五"])
@pytest.mark.parametrize("form", ["pagetext", "html", "markdown"])
def test_a_rows_first_value_spelled_without_a_digit_is_no_piece_of_its_label(form, printed):
    """Page text took 十万 after （一）予以公开 for the label's: the row's six other values went one column
    left (natural_person read commercial's value) and its total read blank. The cell is unreadable."""
    s = spec("gov2021", seed=5)
    s.applications[("granted", "natural_person")] = printed
    data = {"pagetext": lambda: render_pagetext(s).encode(), "html": lambda: render_html(s),
            "markdown": lambda: render_markdown(s).encode()}[form]()
    row = {k[1]: c for k, c in cells(read_document(f"x.{dict(pagetext='txt', markdown='md').get(form, form)}", data)).items()
           if k[0] == "granted"}
    assert (row.pop("natural_person").status, len(row)) == ("unreadable", 6)
    assert {k: (c.status, c.raw) for k, c in row.items()} == {k: ("ok", s.applications[("granted", k)]) for k in row}


def test_a_soft_hyphen_before_a_number_is_no_invisible_character():
    """A soft hyphen after a value prints nothing; before it, it may be a PDF's minus (WinAnsi's 0xAD):
    not taken away, so the cell is unreadable, not the number without its sign."""
    assert read_count("12\u00ad").value == 12 and read_count("\u00ad12").status == "unreadable"


def test_a_spaced_page_footer_in_pdf_text_is_not_a_row():
    assert [t.raw for t in pdftext_tokens("行政许可 3 4 5\n第 2 页 共 3 页\n行政处罚 1 2 3\n")] == \
        ["行政许可", "3", "4", "5", "行政处罚", "1", "2", "3"]


def test_an_empty_cell_after_a_label_and_a_blank_last_value_leave_the_row_unreadable():
    """A label spanning two columns written as the label and an empty cell, and the row's last value
    blank: eight cells for seven values, empty at both ends. Which empty cell is the extra one
    cannot be told; the row is unreadable, never shifted a column."""
    s = spec("gov2019", 2020, seed=28)
    s.applications[("granted", "total")] = ""
    html = render_html(s).decode().replace('<td colspan="2">（一）予以公开</td>', "<td>（一）予以公开</td><td></td>")
    g = cells(read_document("x.html", html.encode()))
    assert {g[("granted", c.id)].status for c in registry().app_columns} == {"unreadable"}
    assert g[("partial", "total")].raw == s.applications[("partial", "total")]


def test_a_blank_first_value_beside_a_padding_column_is_still_blank():
    """Section 二's two-value blocks print a padding cell after their values, as wide as the rest."""
    s = spec("gov2019", 2020, seed=28)
    s.active[("item_8", "fees", "prev_items")] = ""
    g = cells(read_document("x.html", render_html(s)), "active")
    assert g[("item_8", "fees", "prev_items")].status == "blank"
    assert g[("item_8", "fees", "change")].raw == s.active[("item_8", "fees", "change")]


@pytest.mark.parametrize("printed", ["12¹", "12²", "12①", "12₁", "12⑵"])
def test_a_number_with_a_footnote_mark_is_not_read_as_more_digits(printed):
    """NFKC folds ¹ and ① into 1: a count printed with a footnote's mark (12¹) would read 121."""
    s = spec("gov2021", 2023, seed=3)
    s.applications[("granted", "natural_person")] = printed
    for name, data in (("x.txt", render_pagetext(s).encode()), ("x.html", render_html(s))):
        c = cells(read_document(name, data))[("granted", "natural_person")]
        assert (c.value, c.status, c.raw) == (None, "unreadable", printed) and "上标" in c.reason


def test_a_raised_mark_in_html_or_word_is_kept_as_raised():
    """HTML's <sup>1</sup> and Word's superscript run after 12 are printed 12¹, not 121."""
    import io

    import docx

    from gkqc.simulate.word import report_docx

    s = spec("gov2021", 2023, seed=3)
    s.applications[("granted", "natural_person")] = "12"
    html = render_html(s).decode()
    start = html.index("<td>12</td>", html.index("（一）予以公开"))
    marked = html[:start] + "<td>12<sup>1</sup></td>" + html[start + len("<td>12</td>"):]
    doc = docx.Document(io.BytesIO(report_docx(s)))
    row = next(r for t in doc.tables for r in t.rows if any("（一）予以公开" in c.text for c in r.cells))
    cell = next(c for c in row.cells if c.text == "12")
    cell.paragraphs[0].add_run("1").font.subscript = True
    out = io.BytesIO()
    doc.save(out)
    for name, data, raw in (("x.html", marked.encode(), "12¹"), ("x.docx", out.getvalue(), "12₁")):
        c = cells(read_document(name, data))[("granted", "natural_person")]
        assert (c.value, c.status, c.raw) == (None, "unreadable", raw)


@pytest.mark.parametrize("printed", ["057", "0,579", "05件"])
def test_a_number_written_with_a_leading_zero_is_not_read(printed):
    """No table prints a count as 057: it is two cells' digits run together (a cell `59, 057` and the
    next `9286.622万元`, glued in a crawl, read `0579286.622万元` as 579,286.622)."""
    s = spec("gov2021", 2023, seed=3)
    s.applications[("granted", "natural_person")] = printed
    for name, data in (("x.txt", render_pagetext(s).encode()), ("x.html", render_html(s))):
        c = cells(read_document(name, data))[("granted", "natural_person")]
        assert (c.value, c.status, c.raw) == (None, "unreadable", printed) and "以0开头" in c.reason
    assert read_count("0").value == 0 and read_count("0.5").value == 0.5 and read_count("10,057").value == 10057


def test_a_number_cut_after_its_separator_before_a_rows_values_leaves_the_row_unreadable():
    """PDF text: a first value printed with a space after its comma (`43, 344`) ends the line of the
    row's label with `43,`; the code before took it for label text and read 344 1 1 0 1 0 6 as the
    row's seven values."""
    s = spec("gov2021", 2023, seed=3)
    s.applications[("other_no_correction", "natural_person")] = "43, 344"
    got = cells(read_document("x.txt", render_pdftext(s).encode()))
    row = [got[("other_no_correction", c.id)] for c in registry().app_columns]
    assert {c.status for c in row} == {"unreadable"} and "'43,'" in row[0].reason


@pytest.mark.parametrize("mark", ['<span style="vertical-align: super">3</span>', '<span class="T1">3</span>',
                                  '<span style="display: none">3</span>', '<span class="T3">3</span>'],
                         ids=["raised", "raised-by-class", "hidden", "hidden-by-class"])
def test_html_raised_or_hidden_by_css_is_not_read_as_more_digits(mark):
    """LibreOffice's HTML exports set Word's raised and hidden runs by CSS, not <sup>: `12` and a
    raised or hidden `3` read 123."""
    s = spec("gov2021", 2023, seed=3)
    s.applications[("granted", "natural_person")] = "12"
    html = render_html(s).decode().replace(
        "</head>", "<style>.T1 { vertical-align:super; font-size:58%;} span.T3, .X {display:none}</style></head>", 1)
    start = html.index("<td>12</td>", html.index("（一）予以公开"))
    html = html[:start] + f"<td>12{mark}</td>" + html[start + len("<td>12</td>"):]
    c = cells(read_document("x.html", html.encode()))[("granted", "natural_person")]
    want = (12.0, "ok", "12") if "none" in mark or "T3" in mark else (None, "unreadable", "12³")
    assert (c.value, c.status, c.raw) == want


_UNSEEN = ["<span style='visibility:hidden'>1</span>", "<span style='font-size:0'>1</span>",
           "<span style='opacity:0'>1</span>", "<span style='display:none;mso-hide:all'>1</span>",
           "<span style='vertical-align:super;display:none'>1</span>", "<template>1</template>"]
_RAISED = ["<span style='position:relative;top:-3.0pt;mso-text-raise:3.0pt'>1</span>",
           "<span style='vertical-align:5pt'>1</span>", "<span style='vertical-align:-3px'>1</span>",
           "<ruby>1<rt>1</rt></ruby>"]


@pytest.mark.parametrize("mark", _UNSEEN + _RAISED)
@pytest.mark.parametrize("form", ["html", "markdown"])
def test_a_digit_the_page_does_not_show_or_raises_is_no_digit_of_the_number(mark, form):
    """`12` and a `1` the page leaves unseen (visibility, a size or opacity of 0, display:none whatever
    else the style says, a <template>) reads 12; a `1` it moves off the line (Word's raised run as HTML, a length in
    vertical-align, ruby's annotation) leaves the cell unreadable. The code before read 121, and
    Markdown read 121 also for <sup>, <s> and display:none, whose tags it dropped."""
    s = spec("gov2021", 2023, seed=3)
    s.applications[("granted", "natural_person")] = "QQQ"
    page = render_html(s).decode() if form == "html" else render_markdown(s)
    data = page.replace("QQQ", f"12{mark}").encode()
    c = cells(read_document(f"x.{'html' if form == 'html' else 'md'}", data))[("granted", "natural_person")]
    assert (c.value, c.status) == ((12.0, "ok") if mark in _UNSEEN else (None, "unreadable"))


_SMALL_DIGIT = ["12<span style='font-size:6pt'>3</span>", "12<small>3</small>", "12<font size='1'>3</font>",
                "12<span style='font-size:50%'>3</span>", "12<span style='font-size:xx-small'>3</span>",
                "12<span class='fn'>3</span>", "<span style='font-size:9pt'>12<small>3</small></span>",
                "12<span style='font:bold 6pt Arial'>3</span>", "<font size=2>12</font>3"]
_ONE_SIZE = ["<small>123</small>", "<span style='font-size:9pt'>123</span>", "<font size=1>1</font><font size=1>23</font>",
             "<span style='font-size:10.5pt'>1</span><span style='font-size:12pt'>23</span>",
             "<span class='td9'>12<span style='font-size:9pt'>3</span></span>", "12 <small>件</small>",
             "1<span>23</span>"]  # (a page's `.footer span {font-size: 12px}` sizes no span of a cell)


@pytest.mark.parametrize("printed", _SMALL_DIGIT + _ONE_SIZE)
@pytest.mark.parametrize("form", ["html", "markdown"])
def test_a_digit_printed_much_smaller_than_its_numbers_others_leaves_the_cell_unreadable(printed, form):
    """A footnote's digit set small beside a number (by a size, <small>, <font size>, a class) is no
    digit of it: the cell is unreadable, as in Word and PDF (under 0.85 of the number's largest
    digits). The code before read 12 and a small 3 as 123. A number printed in one size is read."""
    if form == "markdown" and "class" in printed:
        pytest.skip("a Markdown cell's inline HTML is read without the document's <style> blocks")
    s = spec("gov2021", 2023, seed=3)
    s.applications[("granted", "natural_person")] = "QQQ"
    page = render_html(s).decode() if form == "html" else render_markdown(s)
    page = page.replace("</head>", "<style>.fn {font-size: 6pt} .td9 {font-size: 9pt} .footer span {font-size: 12px}"
                        "</style></head>", 1)
    data = page.replace("QQQ", printed).encode()
    c = cells(read_document(f"x.{'html' if form == 'html' else 'md'}", data))[("granted", "natural_person")]
    if printed in _ONE_SIZE:
        assert (c.value, c.status) == ((12.0 if "件" in printed else 123.0), "ok")
    else:
        assert (c.value, c.status) == (None, "unreadable") and "小得多" in c.reason and "⸢" in c.raw


@pytest.mark.parametrize("mark", ["<sup>1</sup>", "<s>1</s>", '<span style="display:none">1</span>'])
def test_markdown_reads_a_pipe_cells_inline_html_as_a_page_shows_it(mark):
    s = spec("gov2021", 2023, seed=3)
    s.applications[("granted", "natural_person")] = "QQQ"
    c = cells(read_document("x.md", render_markdown(s).replace("QQQ", f"12{mark}").encode()))[("granted", "natural_person")]
    assert (c.value, c.status) == ((12.0, "ok") if "none" in mark else (None, "unreadable"))


@pytest.mark.parametrize("cell", ['<td style="visibility:hidden"><span style="visibility:visible">3</span></td>',
                                  '<td style="font-size:0"><span style="font-size:12pt">3</span></td>',
                                  '<td><span style="font-size:0">7<span style="font-size:12pt">3</span></span></td>',
                                  '<td><span style="font-size:0"><span class="N">3</span></span></td>'])
def test_html_text_shown_again_inside_unseen_text_is_read(cell):
    """CSS inherits visibility and font size, and a descendant may set them back (by its style or a
    class): its text is shown, the rest not. The code before emptied the whole cell (read blank)."""
    s = spec("gov2021", 2023, seed=3)
    s.applications[("granted", "natural_person")] = "QQQ"
    html = render_html(s).decode().replace("<td>QQQ</td>", cell).replace(
        "</head>", "<style>.N {font-size: 10.5pt}</style></head>", 1)
    c = cells(read_document("x.html", html.encode()))[("granted", "natural_person")]
    assert (c.value, c.status) == (3.0, "ok")


def test_html_a_cell_the_page_leaves_unseen_keeps_its_place_empty():
    """A <td> with visibility:hidden is a cell the page shows empty (unlike display:none, no cell at
    all): its row's values stay in their columns."""
    s = spec("gov2021", 2023, seed=3)
    s.applications.update({("granted", c.id): v for c, v in zip(registry().app_columns, ["5", "0", "0", "1", "1", "2", "9"],
                                                                 strict=True)})
    html = render_html(s).decode()
    at = html.index("<td>9</td>", html.index("（一）予以公开"))
    html = html[:at] + '<td style="visibility:hidden">9</td>' + html[at + len("<td>9</td>"):]
    got = cells(read_document("x.html", html.encode()))
    assert [(got[("granted", c.id)].value, got[("granted", c.id)].status) for c in registry().app_columns] == \
        [(5.0, "ok"), (0.0, "ok"), (0.0, "ok"), (1.0, "ok"), (1.0, "ok"), (2.0, "ok"), (None, "blank")]


@pytest.mark.parametrize("hidden", ['<td style="display:none">9</td>', '<td class="X">9</td>', "<td hidden>9</td>",
                                    "<td hidden>9</td><span hidden>3</span>"], ids=["style", "class", "attribute", "span"])
def test_html_a_hidden_cell_is_no_cell(hidden):
    """A <td> the page hides (by its style, a class or the `hidden` attribute) is not shown: with the
    row's total left blank, the code before read it as the first value and every value one place on."""
    s = spec("gov2021", 2023, seed=3)
    s.applications.update({("granted", c.id): v for c, v in zip(registry().app_columns, ["5", "0", "0", "1", "1", "2", ""],
                                                                 strict=True)})
    html = render_html(s).decode().replace(
        "</head>", "<style>span.T3, .X {display:none}</style></head>", 1)
    at = html.index("<td>5</td>", html.index("（一）予以公开"))
    cell, span = hidden.split("<span", 1) if "<span" in hidden else (hidden, None)
    html = html[:at] + cell + (f"<td>5<span{span}</td>" + html[at + len("<td>5</td>"):] if span else html[at:])
    got = cells(read_document("x.html", html.encode()))
    row = [got[("granted", c.id)] for c in registry().app_columns]
    assert [(c.value, c.status) for c in row] == [(5.0, "ok"), (0.0, "ok"), (0.0, "ok"), (1.0, "ok"), (1.0, "ok"),
                                                  (2.0, "ok"), (None, "blank")]


_HIDDEN_BLOCKS = ['<p style="display:none">9</p>12', '12<div style="display: none">9</div>',
                  '12<label style="display:none">9</label>', '<code class="X">9</code>12', '<p class="V">9</p>12',
                  '12<div style="visibility:hidden">9</div>', '<div style="opacity:0"><p>9</p></div>12']


@pytest.mark.parametrize("cell", _HIDDEN_BLOCKS)
def test_html_a_digit_in_a_hidden_block_is_no_digit_of_the_number(cell):
    """display:none (or visibility, an opacity of 0), by style or class, hides a <p>, <div>, <label> or
    <code> as it hides a <span>: the code before honoured it on inline elements and cells alone, and read
    912 (ok), or 12<br>9."""
    s = spec("gov2021", 2023, seed=3)
    s.applications[("granted", "natural_person")] = "QQQ"
    html = render_html(s).decode().replace(
        "</head>", "<style>.X {display:none} p.V{visibility: hidden}</style></head>", 1).replace("QQQ", cell)
    c = cells(read_document("x.html", html.encode()))[("granted", "natural_person")]
    assert (c.value, c.status, c.raw) == (12.0, "ok", "12")


@pytest.mark.parametrize("cell", ['<td><p style="text-decoration: line-through">12</p></td>',
                                  '<td style="text-decoration:line-through">12</td>'], ids=["paragraph", "cell"])
def test_html_a_number_its_paragraph_or_cell_strikes_through_is_unreadable(cell):
    """CSS strikes through the text of a block or a cell too: the code before read the struck 12 as 12."""
    s = spec("gov2021", 2023, seed=3)
    s.applications[("granted", "natural_person")] = "QQQ"
    html = render_html(s).decode().replace("<td>QQQ</td>", cell)
    c = cells(read_document("x.html", html.encode()))[("granted", "natural_person")]
    assert (c.value, c.status, c.raw) == (None, "unreadable", "1\u03362\u0336")


def test_html_a_page_hidden_whole_until_its_scripts_show_it_is_read():
    """<body style="display:none">, shown by a script once the page loads: the page is read."""
    s = spec("gov2021", 2023, seed=3)
    r = read_document("x.html", render_html(s).decode().replace("<body>", '<body style="display:none">', 1).encode())
    assert r.status == "parsed" and cells(r)[("granted", "natural_person")].status == "ok"


@pytest.mark.parametrize("hide", ['<div style="display:none">{}</div>', '<table style="display:none">{}</table>',
                                  '<div class="X">{}</div>'], ids=["div", "table", "class"])
def test_html_a_hidden_draft_of_a_table_is_not_read(hide):
    """A draft copy of section 三's table, hidden after the table itself: the page shows one table. The
    code before read both, and left every cell of the rows the draft printed otherwise unreadable (the
    row printed twice with other values)."""
    s = spec("gov2021", 2023, seed=3)
    s.applications.update({("granted", c.id): v for c, v in zip(registry().app_columns, ["5", "0", "0", "1", "1", "2", "9"],
                                                                 strict=True)})
    html = render_html(s).decode().replace("</head>", "<style>.X {display:none}</style></head>", 1)
    start = html.index("<table", html.index("三、收到和处理"))
    end = html.index("</table>", start) + len("</table>")
    table = html[start:end]
    draft = table.replace("<td>5</td><td>0</td><td>0</td><td>1</td><td>1</td><td>2</td><td>9</td>",
                          "<td>4</td><td>0</td><td>0</td><td>1</td><td>1</td><td>2</td><td>8</td>", 1)
    assert draft != table
    inner = draft[draft.index(">") + 1:-len("</table>")] if hide.startswith("<table") else draft
    got = cells(read_document("x.html", (html[:end] + hide.format(inner) + html[end:]).encode()))
    want = {k[1:]: v for k, v in expected(s).items() if k[0] == "applications"}
    assert [(k, got[k].value, got[k].status) for k in want if (got[k].value, got[k].status) != (want[k], "ok")
            and not (want[k] is None and got[k].status == "blank")] == []


_CONDITIONAL = {"print": "@media print { .noprint { display: none } }",
                "narrow-screen": "@media screen and (max-width: 640px) { .noprint { display: none } }",
                "supports": "@supports not (display: grid) { .noprint { display: none } }",
                "container": "@container (width < 400px) { .noprint { display: none } }",
                "style-for-print": '</style><style media="print">.noprint { display: none }'}


@pytest.mark.parametrize("rule", _CONDITIONAL.values(), ids=_CONDITIONAL)
def test_html_a_class_hidden_only_on_paper_or_a_narrow_screen_is_read(rule):
    """A class hidden inside `@media print`, a small screen's query, `@supports`, `@container` (or a
    <style media=print>) is shown on a screen: its rule is not in force. The code before took such a
    rule as always in force, and a page whose content <div> had the class read as no report (0 cells)."""
    s = spec("gov2021", 2023, seed=3)
    html = render_html(s).decode().replace("</head>", f"<style>{rule}</style></head>", 1)
    html = html.replace("<body>", '<body><div class="noprint">', 1).replace("</body>", "</div></body>", 1)
    r = read_document("x.html", html.encode())
    want = {k[1:]: v for k, v in expected(s).items() if k[0] == "applications"}
    got = cells(r)
    assert r.status == "parsed" and {k: got[k].value for k in want} == want


@pytest.mark.parametrize("rule", ["@media screen { .X { display: none } }", "@media all { .X { display: none } }",
                                  "@layer page { .X { display: none } }",
                                  "<!-- /* Word's */ @charset 'utf-8'; .X { display: none } -->"],
                         ids=["screen", "all", "layer", "comments"])
def test_html_a_class_hidden_on_every_screen_hides_its_digit(rule):
    """A rule inside `@media screen`, `@media all` or `@layer`, or after an HTML comment's mark, a CSS
    comment or `@charset …;`, is in force on a screen: the hidden 9 is no digit of 12."""
    s = spec("gov2021", 2023, seed=3)
    s.applications[("granted", "natural_person")] = "QQQ"
    html = render_html(s).decode().replace("</head>", f"<style>{rule}</style></head>", 1).replace(
        "<td>QQQ</td>", '<td>12<span class="X">9</span></td>')
    c = cells(read_document("x.html", html.encode()))[("granted", "natural_person")]
    assert (c.value, c.status, c.raw) == (12.0, "ok", "12")


def _all_cells(r) -> dict[tuple, float | None]:
    return {(c.table, *((c.block_id, c.row_id, c.col_id) if c.table == "active" else (c.row_id, c.col_id))): c.value
            for c in r.report.cells}


@pytest.mark.parametrize("hide", ['<div id="zoom" style="display:none">', '<div class="X">', "<div hidden>",
                                  '<div style="opacity:0">', '<div class="content" style="visibility:hidden">',
                                  '<table><tr><td style="display:none">'],
                         ids=["style", "class", "attribute", "opacity", "visibility", "layout-cell"])
def test_html_a_report_its_page_hides_until_a_script_shows_it_is_read(hide):
    """The page's content in a <div> (or a layout table's cell) hidden until the page's script shows it
    (a loader, a zoom box): read with a note, the hidden digit in a cell inside it still no digit. The
    code before dropped the <div> and read no report (0 cells)."""
    s = spec("gov2021", 2023, seed=3)
    s.applications[("granted", "natural_person")] = "QQQ"
    html = render_html(s).decode().replace("</head>", "<style>.X {display:none}</style></head>", 1)
    end = "</td></tr></table>" if hide.startswith("<table") else "</div>"
    html = html.replace("<body>", "<body>" + hide, 1).replace(
        "</body>", end + "<script>document.getElementById('zoom').style.display='block'</script></body>", 1)
    r = read_document("x.html", html.replace("<td>QQQ</td>", '<td>12<span style="display:none">9</span></td>').encode())
    s.applications[("granted", "natural_person")] = "12"
    assert (r.status, _all_cells(r)) == ("parsed", expected(s)) and HIDDEN_READ in r.report.notes


def test_html_a_table_in_a_tab_the_page_hides_is_read():
    """Section 三's table in a tab the page shows when clicked: the page hidden without it misses the
    table's cells, with it finds them all and reads every other cell alike."""
    s = spec("gov2021", 2023, seed=3)
    html = render_html(s).decode()
    start = html.index("<table", html.index("三、收到和处理"))
    end = html.index("</table>", start) + len("</table>")
    r = read_document("x.html", (html[:start] + '<div class="tab" style="display:none">' + html[start:end] + "</div>"
                                 + html[end:]).encode())
    assert (r.status, _all_cells(r)) == ("parsed", expected(s)) and HIDDEN_READ in r.report.notes


def test_html_a_hidden_draft_that_reads_a_shown_cell_otherwise_is_not_read():
    """A page missing section 四's table hides a draft of section 三's whose row differs: read with the
    draft, it would find no more cells and read the shown ones otherwise; it is read as shown."""
    s = spec("gov2021", 2023, seed=3)
    s.applications.update({("granted", c.id): v for c, v in zip(registry().app_columns, ["5", "0", "0", "1", "1", "2", "9"],
                                                                 strict=True)})
    html = render_html(s).decode()
    four = html.index("<table", html.index("四、政府信息公开行政复议"))
    html = html[:four] + html[html.index("</table>", four) + len("</table>"):]
    start = html.index("<table", html.index("三、收到和处理"))
    end = html.index("</table>", start) + len("</table>")
    draft = html[start:end].replace("<td>5</td><td>0</td><td>0</td><td>1</td><td>1</td><td>2</td><td>9</td>",
                                    "<td>4</td><td>0</td><td>0</td><td>1</td><td>1</td><td>2</td><td>8</td>", 1)
    r = read_document("x.html", (html[:end] + '<div style="display:none">' + draft + "</div>" + html[end:]).encode())
    got = cells(r)
    assert [got[("granted", c.id)].value for c in registry().app_columns] == [5.0, 0.0, 0.0, 1.0, 1.0, 2.0, 9.0]
    assert {c.status for c in r.report.cells if c.table == "reviews"} == {"missing"}
    assert HIDDEN_READ not in r.report.notes


@pytest.mark.parametrize("below", ["", "<tr>" + "<td>&nbsp;</td>" * 9 + "</tr>",
                                   "<!--[if !supportMisalignedColumns]--><tr>" + "<td>&nbsp;</td>" * 9 + "</tr>"],
                         ids=["alone", "an-empty-row-below", "in-a-table-walked-for-its-comment"])
def test_html_a_value_merged_across_two_columns_leaves_its_row_unreadable(below):
    """`<td colspan="2">0</td>` (in Word, gridSpan): which column is the 0's? The code before counted it
    one cell, and with an empty row below took that row's first cell as the row's last value: 5 0 0 1
    0 6 and a blank."""
    from gkqc.simulate.word import docx_from_html

    s = spec("gov2021", 2023, seed=3)
    s.applications.update({("partial", c.id): v for c, v in zip(registry().app_columns, ["5", "0", "0", "0", "1", "0", "6"],
                                                                 strict=True)})
    html = render_html(s).decode()
    start = html.rindex("<tr>", 0, html.index("（二）部分公开"))
    end = html.index("</tr>", start) + len("</tr>")
    row = html[start:end].replace("<td>0</td><td>0</td>", '<td colspan="2">0</td>', 1)
    html = html[:start] + row + below + html[end:]
    if below:
        html = html.replace('rowspan="22"', 'rowspan="23"')
    for name, data in (("x.html", html.encode()), ("x.docx", docx_from_html(html.encode()))):  # colspan, gridSpan
        got = cells(read_document(name, data))
        row_read = [got[("partial", c.id)] for c in registry().app_columns]
        assert {c.status for c in row_read} == {"unreadable"} and "跨列合并" in row_read[0].reason, name


def test_html_section_three_columns_printed_in_another_order_are_not_placed_by_the_templates():
    """商业企业 and 科研机构 swapped in the heading and in every row: values are placed by the template's
    column order, so the code before read every cell of the two columns as the other's. Under one
    group heading (法人或其他组织, whose 其他 is no column), a heading naming its columns out of order
    leaves the table unreadable."""
    s = spec("gov2021", 2023, seed=3)
    s.applications[("new_received", "commercial")], s.applications[("new_received", "research")] = "2", "0"
    html = render_html(s).decode().replace("<td>商业企业</td><td>科研机构</td>", "<td>科研机构</td><td>商业企业</td>")
    assert "<td>科研机构</td><td>商业企业</td>" in html
    got = cells(read_document("x.html", html.encode()))
    assert {c.status for (row, _), c in got.items() if row in {r.id for r in registry().app_rows}} == {"unreadable"}
    assert "表头各列的顺序（科研机构、商业企业" in got[("new_received", "commercial")].reason
    plain = cells(read_document("x.html", render_html(s)))  # in the template's order: read
    assert (plain[("new_received", "commercial")].value, plain[("new_received", "research")].value) == (2.0, 0.0)


def test_word_a_number_in_a_text_box_in_a_cell_is_unreadable_not_blank():
    """A text box anchored in a value cell: the code before dropped its text and read the cell blank."""
    import io

    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    from gkqc.simulate.word import report_docx

    s = spec("gov2021", 2023, seed=3)
    s.applications[("granted", "total")] = "9"
    d = docx.Document(io.BytesIO(report_docx(s, split_runs=False)))
    table = next(t for t in d.tables if "新收" in t._tbl.xml)
    cell = next(tr for tr in table._tbl.tr_lst if "予以公开" in "".join(tr.itertext())).tc_lst[-1]
    p = cell.p_lst[0]
    for r in p.r_lst:
        p.remove(r)
    p.append(parse_xml(f'<w:r {nsdecls("w")} xmlns:v="urn:schemas-microsoft-com:vml"><w:pict><v:shape><v:textbox>'
                       '<w:txbxContent><w:p><w:r><w:t>9</w:t></w:r></w:p></w:txbxContent></v:textbox></v:shape></w:pict></w:r>'))
    buf = io.BytesIO()
    d.save(buf)
    c = cells(read_document("x.docx", buf.getvalue()))[("granted", "total")]
    assert (c.status, c.value, c.raw) == ("unreadable", None, "") and "文本框（框内文字：9）" in c.reason


def test_word_text_hidden_by_its_paragraphs_style_is_not_read():
    """A paragraph whose style hides its text (w:vanish in the style's run properties), in a cell
    printed empty: the code before read its 7 as the cell's value."""
    import io

    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    from gkqc.simulate.word import report_docx

    s = spec("gov2021", 2023, seed=3)
    s.applications[("granted", "research")] = ""
    d = docx.Document(io.BytesIO(report_docx(s)))
    d.styles.element.append(parse_xml(f'<w:style {nsdecls("w")} w:type="paragraph" w:styleId="Hid"><w:name w:val="Hid"/>'
                                      '<w:rPr><w:vanish/></w:rPr></w:style>'))
    table = next(t for t in d.tables if "新收" in t._tbl.xml)
    cell = next(tr for tr in table._tbl.tr_lst if "予以公开" in "".join(tr.itertext())).tc_lst[-5]
    cell.append(parse_xml(f'<w:p {nsdecls("w")}><w:pPr><w:pStyle w:val="Hid"/></w:pPr><w:r><w:t>7</w:t></w:r></w:p>'))
    buf = io.BytesIO()
    d.save(buf)
    c = cells(read_document("x.docx", buf.getvalue()))[("granted", "research")]
    assert (c.status, c.value) == ("blank", None)


def test_word_text_hidden_by_both_its_styles_is_shown():
    """w:vanish is a toggle: set in the paragraph's style and again in the run's character style, the
    two cancel out and Word shows the text. The code before took the character style's alone: the
    cell's 7 read blank."""
    import io

    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    from gkqc.simulate.word import report_docx

    s = spec("gov2021", 2023, seed=3)
    s.applications[("granted", "research")] = ""
    d = docx.Document(io.BytesIO(report_docx(s)))
    for kind, sid in (("paragraph", "HidP"), ("character", "HidC")):
        d.styles.element.append(parse_xml(f'<w:style {nsdecls("w")} w:type="{kind}" w:styleId="{sid}">'
                                          f'<w:name w:val="{sid}"/><w:rPr><w:vanish/></w:rPr></w:style>'))
    table = next(t for t in d.tables if "新收" in t._tbl.xml)
    cell = next(tr for tr in table._tbl.tr_lst if "予以公开" in "".join(tr.itertext())).tc_lst[-5]
    cell.append(parse_xml(f'<w:p {nsdecls("w")}><w:pPr><w:pStyle w:val="HidP"/></w:pPr>'
                          '<w:r><w:rPr><w:rStyle w:val="HidC"/></w:rPr><w:t>7</w:t></w:r></w:p>'))
    buf = io.BytesIO()
    d.save(buf)
    c = cells(read_document("x.docx", buf.getvalue()))[("granted", "research")]
    assert (c.status, c.value) == ("ok", 7.0)


def test_markdown_html_tables_hide_and_merge_as_html_pages_do():
    """Section 四 as an HTML table inside Markdown (converters write them): a value merged across two
    columns had been read in the first and the second blank; a hidden row or cell had been read."""
    from mddocs import Style, render_markdown

    s = spec("gov2021", 2023, seed=3)
    s.reviews.update({("review", m.id): v for m, v in zip(registry().review_metrics, ["1", "2", "0", "0", "3"], strict=True)})
    md = render_markdown(s, Style(html_reviews=True))
    row = next(line for line in md.split("\n") if line.startswith("<tr><td>1</td><td>2</td><td>0</td><td>0</td>"))
    want = {k[1:]: v for k, v in expected(s).items() if k[0] == "reviews"}
    for changed in (row.replace("<td>0</td><td>0</td>", '<td colspan="2">0</td>', 1),
                    '<tr style="display:none">' + "<td>7</td>" * 15 + "</tr>" + row,
                    row.replace("<tr>", '<tr><td style="display:none">9</td>', 1)):
        got = cells(read_document("x.md", md.replace(row, changed).encode()), "reviews")
        assert [k for k, v in want.items() if got[k].status in ("ok", "blank") and got[k].value != v] == [], changed


def test_html_words_zero_height_row_is_not_printed():
    """Word's HTML ends a table with a row of empty cells zero high (for misaligned columns). Section 四
    printed as two tables, 行政复议's ending so: its 15 empty cells came before 行政诉讼's values, and the
    code before read 行政诉讼's cells blank where 3 0 0 0 3 1 0 1 0 2 were printed."""
    s = spec("gov2021", 2023, seed=3)
    html = render_html(s).decode()
    start, end = html.index("<table", html.index("四、政府信息公开行政复议")), html.index("</table>", html.index("四、政府信息公开行政复议")) + 8
    vals = [s.reviews[(g, m.id)] for g in ("review", "suit_direct", "suit_after_review") for m in registry().review_metrics]
    heads = "".join(f"<td>{m.label}</td>" for m in registry().review_metrics)
    zero = '<tr height="0">' + '<td width="74" style="border:none"></td>' * 15 + "</tr>"
    tables = (f'<table border="1"><tr><td colspan="5">行政复议</td></tr><tr>{heads}</tr>'
              f'<tr>{"".join(f"<td>{v}</td>" for v in vals[:5])}</tr>{zero}</table>'
              f'<table border="1"><tr><td colspan="10">行政诉讼</td></tr>'
              f'<tr><td colspan="5">未经复议直接起诉</td><td colspan="5">复议后起诉</td></tr><tr>{heads * 2}</tr>'
              f'<tr>{"".join(f"<td>{v}</td>" for v in vals[5:])}</tr></table>')
    got = cells(read_document("x.html", (html[:start] + tables + html[end:]).encode()), "reviews")
    want = {k[1:]: v for k, v in expected(s).items() if k[0] == "reviews"}
    assert [k for k, v in want.items() if got[k].status in ("ok", "blank") and got[k].value != v] == []


_GRANTED = [("granted", c.id) for c in registry().app_columns]


@pytest.mark.parametrize("mark", ["–", "○", "〃", "…", "N/A", "十四", "无。"])
@pytest.mark.parametrize("form", ["pagetext", "html with a spare column"])
def test_a_rows_first_value_printed_as_a_mark_holds_its_place(mark, form):
    """A row's first value printed as a mark no value is (an en dash, a circle for zero, 十四) is that
    value, unreadable, not more of the label: the code before took it for label text, and the cell
    after the row (page text's closing `|`, an empty 备注 cell in HTML) became the row's last value,
    every value one column to the left."""
    s = spec("gov2021", 2023, seed=1)
    printed = [mark, "3", "1", "0", "0", "2", "6"]
    s.applications.update(zip(_GRANTED, printed, strict=True))
    if form == "pagetext":
        data = render_pagetext(s).encode()
    else:
        html = render_html(s).decode()
        start, end = html.index("申请人情况"), html.index("</table>", html.index("申请人情况"))
        part = html[start:end].replace("</tr>", "<td>&nbsp;</td></tr>").replace(
            "申请人情况</td>", '申请人情况</td><td rowspan="3">备注</td>', 1)
        data = (html[:start] + part + html[end:]).encode()
    got = cells(read_document("x.txt" if form == "pagetext" else "x.html", data))
    assert [(got[k].status, got[k].value) for k in _GRANTED] == \
        [("unreadable", None)] + [("ok", float(v)) for v in printed[1:]]


@pytest.mark.parametrize("first", ["5*", "–", "约5", "O"])
@pytest.mark.parametrize("form", ["pagetext", "html"])
def test_section_fours_first_value_printed_unreadably_holds_its_place(first, form):
    """Section 四's first value printed unreadably ('5*', '–') starts its run of values: the code
    before dropped it with the headings, and an empty cell after the last value made up the count,
    every value one column to the left."""
    s = spec("gov2021", 2023, seed=1)
    printed = ["5", "7", "3", "0", "15", "0", "0", "1", "3", "4", "0", "0", "2", "0", "2"]
    s.reviews.update(zip(list(s.reviews), printed, strict=True))
    s.reviews[("review", "upheld")] = first
    if form == "pagetext":
        text = render_pagetext(s)
        at = text.index("\n五、")
        data = (text[:at] + "\n|" + text[at:]).encode()  # an empty cell after the last value
    else:
        html = render_html(s).decode()
        last = html.index("</tr>", html.index(f"<td>{printed[-1]}</td>", html.index("四、政府信息公开")))
        data = (html[:last] + "<td></td>" + html[last:]).encode()
    got = cells(read_document("x.txt" if form == "pagetext" else "x.html", data), "reviews")
    assert [(c.status, c.value) for c in got.values()] == \
        [("unreadable", None)] + [("ok", float(v)) for v in printed[1:]]


@pytest.mark.parametrize("opening", ["2023年，我单位", "本年度，我单位"])
def test_a_title_year_after_the_publication_date_is_not_the_reports(opening):
    """青山市教育局2032年…年度报告, published 2024-01-05: no report of 2032 was published in 2024. The
    year is section 一's when it opens with one (the code before read 2032, and the office's
    scorecards gained a year 2032); with no other source the title's stays (the date may be the
    typo), with a note either way."""
    from datetime import date

    s = spec("gov2021", 2023, seed=3, office="青山市教育局", published=date(2024, 1, 5))
    text = render_pagetext(s).replace("2023年政府信息公开", "2032年政府信息公开").replace("本年度，我单位", opening, 1)
    rep = read_document("x.txt", text.encode()).report
    want = (2023, "一、总体情况正文") if opening.startswith("2023") else (2032, "标题")
    assert (rep.report_year, rep.year_source) == want
    assert any("标题中的年度（2032）晚于发布日期（2024-01-05）" in n for n in rep.notes)


@pytest.mark.parametrize("end", ["\r", "\u2028"])
@pytest.mark.parametrize("form", ["pagetext", "markdown"])
def test_lines_ended_by_cr_alone_or_a_line_separator_read_as_lines(form, end):
    """A file saved with old Mac line ends (CR) or U+2028 was taken for PDF text: every cell missing."""
    s = spec("gov2021", 2023, seed=3)
    text = render_pagetext(s) if form == "pagetext" else render_markdown(s)
    lf = read_document("x.txt", text.encode())
    other = read_document("x.txt", text.replace("\n", end).encode())
    assert other.format == lf.format and other.status == lf.status
    assert [(c.status, c.value) for c in other.report.cells] == [(c.status, c.value) for c in lf.report.cells]


@pytest.mark.parametrize("stray", ["2022年", "注1"])
def test_a_stray_cell_over_empty_cells_before_section_fours_headings_starts_no_run(stray):
    """A caption row (`2022年` and 14 empty cells) over the headings: taken for a first value printed
    unreadably, with the empty cells it made 15, the row read 1 unreadable and 14 blank."""
    s = spec("gov2021", 2022, seed=3)
    html = render_html(s).decode()
    at = html.index("<table", html.index("四、政府信息公开行政复议"))
    head = html.index(">", at) + 1
    data = (html[:head] + f"<tr><td>{stray}</td>" + "<td></td>" * 14 + "</tr>" + html[head:]).encode()
    want = {k[1:]: v for k, v in expected(s).items() if k[0] == "reviews"}
    got = cells(read_document("x.html", data), "reviews")
    assert {k: (c.status, c.value) for k, c in got.items()} == {k: ("ok", v) for k, v in want.items()}


def _reviews_in_two_tables(s, suits=("未经复议直接起诉", "复议后起诉"), between: str = "", drop: int = 0) -> bytes:
    """The report's HTML with section 四 printed as two tables, 行政复议's and 行政诉讼's (`suits`: the
    order its two groups' headings are printed in, their values in the template's order; `drop`:
    the last values left out)."""
    html = render_html(s).decode()
    title = html.index("四、政府信息公开行政复议")
    start, end = html.index("<table", title), html.index("</table>", title) + 8
    vals = [s.reviews[(g, m.id)] for g in ("review", "suit_direct", "suit_after_review") for m in registry().review_metrics]
    heads = "".join(f"<td>{m.label}</td>" for m in registry().review_metrics)
    groups = "".join(f'<td colspan="5">{g}</td>' for g in suits)
    groups = f'<tr><td colspan="10">行政诉讼</td></tr><tr>{groups}</tr>' if suits else ""
    tables = (f'<table border="1"><tr><td colspan="5">行政复议</td></tr><tr>{heads}</tr>'
              f'<tr>{"".join(f"<td>{v}</td>" for v in vals[:5])}</tr></table>{between}'
              f'<table border="1">{groups}<tr>{heads * 2}</tr>'
              f'<tr>{"".join(f"<td>{v}</td>" for v in vals[5:len(vals) - drop])}</tr></table>')
    return (html[:start] + tables + html[end:]).encode()


def test_section_four_printed_as_two_tables_is_read_by_the_groups_each_names():
    """行政复议 in a table of its own, 行政诉讼's two groups in the next: each run of values is read as
    the groups the headings before it name. The code before read only the first run and gave up
    all 15 cells (该行只有5个值)."""
    s = spec("gov2021", 2023, seed=3)
    want = {k[1:]: v for k, v in expected(s).items() if k[0] == "reviews"}
    for between in ("", "<p>（续表）</p>"):
        got = cells(read_document("x.html", _reviews_in_two_tables(s, between=between)), "reviews")
        assert {k: (c.status, c.value) for k, c in got.items()} == {k: ("ok", v) for k, v in want.items()}
    text = render_pdftext(s)
    title = text.index("四、政府信息公开")
    heads = " ".join(m.label for m in registry().review_metrics)
    vals = [s.reviews[(g, m.id)] for g in ("review", "suit_direct", "suit_after_review") for m in registry().review_metrics]
    two = (f"四、政府信息公开行政复议、行政诉讼情况\n行政复议\n{heads}\n{' '.join(vals[:5])}\n行政诉讼\n"
           f"未经复议直接起诉 复议后起诉\n{heads} {heads}\n{' '.join(vals[5:])}\n")
    text = text[:title] + two + text[text.index("五、存在的主要问题"):]
    got = cells(read_document("x.txt", text.encode()), "reviews")
    assert {k: (c.status, c.value) for k, c in got.items()} == {k: ("ok", v) for k, v in want.items()}


@pytest.mark.parametrize("change", [dict(suits=("复议后起诉", "未经复议直接起诉")), dict(suits=()), dict(drop=1)])
def test_section_four_in_two_tables_is_not_read_unless_the_headings_place_every_value(change):
    """The second table's groups headed in another order than its values are printed (复议后起诉
    first), or not named at all, or a value missing: no cell is read, none wrong."""
    s = spec("gov2021", 2023, seed=3)
    got = cells(read_document("x.html", _reviews_in_two_tables(s, **change)), "reviews")
    assert {c.status for c in got.values()} == {"unreadable"}


def test_html_an_empty_cell_after_every_rows_label_never_shifts_a_row_ending_blank():
    """Every row of section 三 has an empty cell between its label and its values (the corner heading
    one column wider). A row whose last value is blank has empty cells at both ends, as many as its
    neighbours: the code before took the empty cell after the label for its first value, 1 0 0 0 0 0
    for the rest and no total."""
    from lxml import etree
    from lxml import html as lhtml

    s = spec("gov2021", 2023, seed=3)
    s.applications.update({("denied_process", c.id): v for c, v in zip(registry().app_columns, ["1", "0", "0", "0", "0", "0", ""],
                                                                        strict=True)})
    root = lhtml.fromstring(render_html(s).decode())
    table = next(t for t in root.iter("table") if "本年新收" in "".join(t.itertext()))
    rows = list(table.iter("tr"))
    rows[0][0].set("colspan", str(int(rows[0][0].get("colspan", "1")) + 1))
    for tr in rows[3:]:
        first = next(td for td in tr if not re.search(r"[\u4e00-\u9fff]", td.text_content()))
        spacer = etree.Element("td")
        spacer.text = "\xa0"
        first.addprevious(spacer)
    got = cells(read_document("x.html", lhtml.tostring(root, encoding="utf-8")))
    want = {k[1:]: v for k, v in expected(s).items() if k[0] == "applications"}
    assert [k for k, c in got.items() if k in want and c.status in ("ok", "blank") and c.value != want[k]] == []
    assert {got[("denied_process", c.id)].status for c in registry().app_columns} == {"unreadable"}


@pytest.mark.parametrize("how", ["position", "style", "hidden-style"])
def test_word_raised_or_hidden_by_position_or_character_style_is_not_read_as_more_digits(how):
    """A run raised by w:position (LibreOffice writes <sup> so when it makes a .docx of HTML) or set
    superscript or hidden by its character style: `12` and that run's `3` read 123."""
    import io

    import docx
    from docx.enum.style import WD_STYLE_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    from gkqc.simulate.word import report_docx

    s = spec("gov2021", 2023, seed=3)
    s.applications[("granted", "natural_person")] = "12"
    doc = docx.Document(io.BytesIO(report_docx(s)))
    row = next(r for t in doc.tables for r in t.rows if any("（一）予以公开" in c.text for c in r.cells))
    run = next(c for c in row.cells if c.text == "12").paragraphs[0].add_run("3")
    if how == "position":
        pos = OxmlElement("w:position")
        pos.set(qn("w:val"), "8")
        run._r.get_or_add_rPr().append(pos)
    else:
        style = doc.styles.add_style("Mark", WD_STYLE_TYPE.CHARACTER)
        style.font.superscript, style.font.hidden = how == "style", how == "hidden-style"
        run.style = style
    out = io.BytesIO()
    doc.save(out)
    c = cells(read_document("x.docx", out.getvalue()))[("granted", "natural_person")]
    assert (c.value, c.status, c.raw) == ((12.0, "ok", "12") if how == "hidden-style" else (None, "unreadable", "12³"))


def test_a_text_file_longer_than_any_report_is_not_read():
    """60 MB of page text took 3.5 GB to read (an object per cell): a text over MAX_TEXT_CHARS is
    refused before its tokens are made, with the reason."""
    from gkqc.limits import MAX_TEXT_CHARS

    r = read_document("x.txt", ("0 |\n" * (MAX_TEXT_CHARS // 4 + 1)).encode())
    assert r.status == "unreadable" and "文本过长" in r.reason


def test_a_page_of_more_tags_than_any_report_is_not_parsed():
    """A 31 MB page of 600,000 table rows took 1.9 GB (an object per element and per cell): a page with
    more tags than MAX_TAGS is refused before it is parsed, with the reason."""
    from gkqc.limits import MAX_TAGS

    rows = "<tr><td>申请</td><td>1</td></tr>" * (MAX_TAGS // 6 + 1)
    page = f"<html><body><p>2023年度政府信息公开工作年度报告</p><table>{rows}</table></body></html>"
    r = read_document("x.html", page.encode())
    assert r.status == "unreadable" and "网页标签过多" in r.reason


def test_a_page_whose_text_is_longer_than_any_report_is_not_read():
    """A page of one paragraph of 30 MB took 590 MB; its text over MAX_TEXT_CHARS is refused, as a
    text file's is. Markdown with <table> fragments is a text file, bound as one."""
    from gkqc.limits import MAX_TEXT_CHARS

    prose = "本机关的申请 1 件 " * (MAX_TEXT_CHARS // 11 + 1)
    r = read_document("x.html", f"<html><body><p>{prose}</p></body></html>".encode())
    assert r.status == "unreadable" and "网页文字过长" in r.reason
    paras = ["2023年度政府信息公开工作年度报告", "一、总体情况", "<table><tr><td>1</td></tr></table>", "二、主动公开", prose]
    r = read_document("x.md", "\n\n".join(paras).encode())
    assert r.format == "unknown" and r.status == "unreadable" and "文本过长" in r.reason


def test_a_page_with_a_style_longer_than_any_report_is_read():
    """A report page embedding a font in its <style> (8 MB of it) was refused as too long a text."""
    from gkqc.limits import MAX_TEXT_CHARS

    page = render_html(spec("gov2021", seed=31)).decode()
    font = "@font-face{src:url(data:font/woff2;base64," + "A" * (MAX_TEXT_CHARS + 1) + ")}"
    r = read_document("x.html", page.replace("</head>", f"<style>{font}</style><!-- {'x' * 1000} --></head>", 1).encode())
    assert r.status == "parsed", r.reason


def test_a_pdf_page_with_more_characters_than_any_page_prints_is_not_read():
    """One page drawing 5 million characters took 1.8 GB and half a minute (its characters read one by
    one): a page over MAX_PAGE_CHARS is refused at once."""
    from gkqc.readers.pdf import MAX_PAGE_CHARS

    body = b"BT /F 1 Tf 10 10 Td " + (b"(" + b"1" * 20_000 + b") Tj ") * (MAX_PAGE_CHARS // 20_000 + 1) + b"ET"
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 5 0 R /Resources << /Font << /F 4 0 R >> >> >>",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            b"<< /Length %d >>\nstream\n%s\nendstream" % (len(body), body)]
    r = read_document("x.pdf", raw_pdf(objs))
    assert r.status == "unreadable" and "超过一页的上限" in r.reason


def test_page_text_opening_with_a_long_narrative_is_still_page_text():
    """Its form was told from the first 200,000 characters: a report whose section 一 runs longer was
    taken for PDF text and every cell was `not found`."""
    s = spec("gov2021", 2023, seed=3)
    text = render_pagetext(s).replace("一、总体情况", "一、总体情况" + "本年度认真贯彻落实条例 " * 20000, 1)
    r = read_document("x.txt", text.encode())
    assert r.format == "pagetext" and cells(r)[("granted", "natural_person")].status == "ok"


@pytest.mark.parametrize("template, year", [("gov2019", 2020), ("gov2021", 2023)])
def test_a_report_inside_a_layout_tables_cell_is_read(template, year):
    """Old sites lay their pages out in tables, and converters wrap a Word file's frame table so: the
    report's own tables inside one <td>. That cell was read as one cell, its tables flattened into its
    text: no section was found and the page was not_a_report."""
    s = spec(template, year, seed=5)
    html = render_html(s).decode()
    i, j = html.index("<body>") + len("<body>"), html.index("</body>")
    page = html[:i] + '<table width="980"><tr><td>导航</td></tr><tr><td>' + html[i:j] + "</td></tr></table>" + html[j:]
    r = read_document("x.html", page.encode())
    want = {k: v.value for k, v in cell_values(template, s.applications, s.active, s.reviews).items()}
    got = {(c.table, *((c.block_id, c.row_id, c.col_id) if c.table == "active" else (c.row_id, c.col_id))): c.value
           for c in r.report.cells}
    assert r.status == "parsed" and got == want


@pytest.mark.parametrize("form", ["html-s", "html-css", "docx"])
def test_a_digit_struck_through_is_no_digit_of_its_number(form):
    """`1` and a struck-out `2` print a correction, not 12; the cell is unreadable, its raw text shows
    the stroke."""
    import io

    import docx

    from gkqc.simulate.word import report_docx

    s = spec("gov2021", 2023, seed=3)
    s.applications[("granted", "natural_person")] = "1"
    if form == "docx":
        doc = docx.Document(io.BytesIO(report_docx(s)))
        row = next(r for t in doc.tables for r in t.rows if any("（一）予以公开" in c.text for c in r.cells))
        next(c for c in row.cells if c.text == "1").paragraphs[0].add_run("2").font.strike = True
        out = io.BytesIO()
        doc.save(out)
        name, data = "x.docx", out.getvalue()
    else:
        mark = "<s>2</s>" if form == "html-s" else '<span style="text-decoration: line-through">2</span>'
        html = render_html(s).decode()
        start = html.index("<td>1</td>", html.index("（一）予以公开"))
        name, data = "x.html", (html[:start] + f"<td>1{mark}</td>" + html[start + len("<td>1</td>"):]).encode()
    c = cells(read_document(name, data))[("granted", "natural_person")]
    assert (c.value, c.status, c.raw) == (None, "unreadable", "12\u0336")


_WHITE = {"html-span": '<td>12<span style="color:#ffffff">9</span></td>', "html-named": '<td>12<span style="color: white">9</span></td>',
          "html-font": '<td>12<font color="#FFFFFF">9</font></td>', "html-class": '<td>12<span class="W">9</span></td>',
          "html-transparent": '<td>12<span style="color:transparent">9</span></td>',
          "html-alpha": '<td>12<span style="color:rgba(0, 0, 0, 0)">9</span></td>',
          "html-on-white": '<td style="background:#fff">12<b style="color:#fefefe">9</b></td>',
          "markdown": '12<span style="color:#fff">9</span>', "docx": "FFFFFF"}


@pytest.mark.parametrize("form", _WHITE)
def test_a_digit_printed_white_leaves_its_cell_unreadable(form):
    """`12` and a `9` printed white (or transparent) show 12 on white paper, 129 on a dark ground: the
    cell is unreadable, as a PDF's is, its raw text marking the white text ⟦so⟧. The code before read
    129 (ok)."""
    c = _white_cell(form, _WHITE[form])
    assert (c.value, c.status, c.raw) == (None, "unreadable", "12⟦9⟧") and "白色或透明" in c.reason


@pytest.mark.parametrize("form, cell", [("html", '<td style="color:#fff">0</td>'), ("docx", "0")], ids=["html", "docx"])
def test_a_zero_printed_white_is_unreadable_not_blank_nor_zero(form, cell):
    c = _white_cell(form, cell)
    assert (c.value, c.status, c.raw) == (None, "unreadable", "⟦0⟧")


@pytest.mark.parametrize("form, cell", [
    ("html", '<td style="background:#1f3864;color:#fff">129</td>'),
    ("html", '<td bgcolor="navy"><span class="W">129</span></td>'),
    ("html", '<td style="color:#fff"><span style="color:#000">129</span></td>'),
    ("html", '<td style="color:#333333">129</td>'),
    ("docx", "shaded"), ("docx", "highlighted"), ("docx", "auto")],
    ids=["html-dark-ground", "html-bgcolor", "html-black-inside", "html-grey", "docx-dark-shading", "docx-highlight",
         "docx-auto"])
def test_white_text_on_a_dark_ground_and_text_in_other_colours_are_read(form, cell):
    """White text on a ground the page or the cell shades dark shows, and is read; so is text in any
    other colour (Word's `auto`: black on light, white on dark)."""
    c = _white_cell(form, cell)
    assert (c.value, c.status, c.raw) == (129.0, "ok", "129")


_NAMED_GROUNDS = ["dodgerblue", "cornflowerblue", "forestgreen", "darkolivegreen", "slategray", "saddlebrown",
                  "darkorange", "rebeccapurple", "teal", "none repeat scroll 0% 0% sienna"]


@pytest.mark.parametrize("ground", _NAMED_GROUNDS)
def test_white_text_on_a_dark_ground_named_by_any_css_colour_is_read(ground):
    """CSS's named colours are all known (148): the code before knew 60, took any other name for no
    ground, and left white 129 on dodgerblue, forestgreen, slategray… unreadable."""
    c = _white_cell("html", f'<td style="background:{ground};color:white">129</td>')
    assert (c.value, c.status, c.raw) == (129.0, "ok", "129")


@pytest.mark.parametrize("ground", ["lightyellow", "lavender", "khaki", "nonsense", "Canvas", "var(--ground)",
                                    "no-repeat center url(x.png)"])
def test_white_text_on_a_light_or_unknown_ground_is_unreadable(ground):
    """White text on a light named ground does not show; on a ground not told (a word no CSS colour
    names, a system colour, a variable, an image) it may not: unreadable. The code before took a word
    it did not know for no ground at all, the ground around it (white paper) showing."""
    c = _white_cell("html", f'<td style="background-color:navy"><p style="background:{ground};color:#fff">129</p></td>')
    assert (c.value, c.status, c.raw) == (None, "unreadable", "⟦129⟧")


def test_white_text_on_words_dark_yellow_highlight_is_read():
    """Word's highlight colours are its own (darkYellow is no CSS colour): white text on it shows."""
    c = _white_cell("docx", "highlighted-darkYellow")
    assert (c.value, c.status, c.raw) == (129.0, "ok", "129")


_TABLE_GROUNDS = {"table": (129.0, "ok", "129"), "style-cells": (129.0, "ok", "129"), "style-table": (129.0, "ok", "129"),
                  "default-style": (129.0, "ok", "129"), "based-on-style": (129.0, "ok", "129"),
                  "light-table": (None, "unreadable", "⟦129⟧"), "light-cell-on-table": (None, "unreadable", "⟦129⟧"),
                  "style-banded": (None, "unreadable", "⟦129⟧")}


@pytest.mark.parametrize("how", _TABLE_GROUNDS)
def test_word_white_text_on_a_table_shaded_dark_is_read(how):
    """White 129 in a cell of a table shaded dark (ECMA-376 17.4.32: behind each cell that shades none),
    by the table (w:tblPr/w:shd) or its style (its cells' shading or the table's; the default table
    style, a style it is based on), shows and is read; the code before looked at the cell's shading
    alone, and left it unreadable. On a table shaded light, a cell shaded light on a dark table, or a
    style that shades some rows its own way (banded), it is not read."""
    import io

    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    from gkqc.simulate.word import report_docx

    s = spec("gov2021", 2023, seed=3)
    s.applications[("granted", "natural_person")] = "QQQ"
    d = docx.Document(io.BytesIO(report_docx(s, split_runs=False)))
    tbl, tc = next((t._tbl, c._tc) for t in d.tables for r in t.rows for c in r.cells if c.text == "QQQ")
    p = tc.p_lst[0]
    for r in p.r_lst:
        p.remove(r)
    p.append(parse_xml(f'<w:r {nsdecls("w")}><w:rPr><w:color w:val="FFFFFF"/></w:rPr><w:t>129</w:t></w:r>'))
    w = nsdecls("w")
    shd = f'<w:shd {w} w:val="clear" w:color="auto" w:fill="{{}}"/>'
    if how in ("table", "light-cell-on-table"):
        tbl.tblPr.append(parse_xml(shd.format("1F3864")))
    if how == "light-table":
        tbl.tblPr.append(parse_xml(shd.format("D9D9D9")))
    if how == "light-cell-on-table":
        tc.get_or_add_tcPr().append(parse_xml(shd.format("FFFFFF")))
    if how.startswith(("style", "default", "based")):
        inner = shd.format("1F3864").replace(f" {w}", "")
        body = f"<w:tblPr>{inner}</w:tblPr>" if how == "style-table" else f"<w:tcPr>{inner}</w:tcPr>"
        if how == "style-banded":
            body += f'<w:tblStylePr w:type="band1Horz"><w:tcPr>{shd.format("FFFFFF").replace(f" {w}", "")}</w:tcPr></w:tblStylePr>'
        default = ' w:default="1"' if how == "default-style" else ""
        d.styles.element.append(parse_xml(f'<w:style {w} w:type="table"{default} w:styleId="Dark"><w:name w:val="Dark"/>'
                                          f"{body}</w:style>"))
        d.styles.element.append(parse_xml(f'<w:style {w} w:type="table" w:styleId="OnDark"><w:name w:val="OnDark"/>'
                                          '<w:basedOn w:val="Dark"/></w:style>'))
        for old in tbl.tblPr.findall(f"{{{tbl.nsmap['w']}}}tblStyle"):
            tbl.tblPr.remove(old)
        if how != "default-style":
            tbl.tblPr.insert(0, parse_xml(f'<w:tblStyle {w} w:val="{"OnDark" if how == "based-on-style" else "Dark"}"/>'))
    buf = io.BytesIO()
    d.save(buf)
    c = cells(read_document("x.docx", buf.getvalue()))[("granted", "natural_person")]
    assert (c.value, c.status, c.raw) == _TABLE_GROUNDS[how]


def _white_cell(form: str, cell: str):
    """The cell 予以公开 / 自然人 of a report whose cell is `cell`: an HTML <td> (or a Markdown cell's
    inline HTML); for Word, `9` after a run `12` coloured `cell`, `0` alone coloured white, 129 white in
    a cell shaded dark (`shaded`) or highlighted dark blue (`highlighted`, or `highlighted-<colour>`), or
    129 coloured `auto`."""
    import io

    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    from gkqc.simulate.word import report_docx

    s = spec("gov2021", 2023, seed=3)
    s.applications[("granted", "natural_person")] = "QQQ"
    if form == "markdown":
        return cells(read_document("x.md", render_markdown(s).replace("QQQ", cell).encode()))[("granted", "natural_person")]
    if form.startswith("html"):
        html = render_html(s).decode().replace("<td>QQQ</td>", cell).replace(
            "</head>", "<style>span.W { color: #FFF }</style></head>", 1)
        return cells(read_document("x.html", html.encode()))[("granted", "natural_person")]
    d = docx.Document(io.BytesIO(report_docx(s, split_runs=False)))
    tc = next(c for t in d.tables for r in t.rows for c in r.cells if c.text == "QQQ")._tc
    p = tc.p_lst[0]
    for r in p.r_lst:
        p.remove(r)
    run = f'<w:r {nsdecls("w")}><w:rPr><w:color w:val="{{}}"/></w:rPr><w:t>{{}}</w:t></w:r>'
    if cell == "shaded":
        tc.get_or_add_tcPr().append(parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="1F3864"/>'))
        p.append(parse_xml(run.format("FFFFFF", "129")))
    elif cell.startswith("highlighted"):
        shade = cell.partition("-")[2] or "darkBlue"
        p.append(parse_xml(run.format("FFFFFF", "129").replace("<w:color", f'<w:highlight w:val="{shade}"/><w:color')))
    elif cell == "auto":
        p.append(parse_xml(run.format("auto", "129")))
    elif cell == "0":
        p.append(parse_xml(run.format("FFFFFF", "0")))
    else:
        p.append(parse_xml(f'<w:r {nsdecls("w")}><w:t>12</w:t></w:r>'))
        p.append(parse_xml(run.format(cell, "9")))
    buf = io.BytesIO()
    d.save(buf)
    return cells(read_document("x.docx", buf.getvalue()))[("granted", "natural_person")]


def test_a_converters_escaped_blank_mark_is_the_mark():
    """pandoc's and markitdown's Markdown of a Word file escape `*` and `-` (`\\*`); where the file is
    read as page text (grid tables), `\\*` was no value but label text, and the row's values were read
    one column to the left."""
    s = spec("gov2021", 2023, seed=3)
    s.applications[("granted", "natural_person")] = "*"
    text = render_pagetext(s).replace("*", "\\*")
    assert "\\*" in text
    got = cells(read_document("x.txt", text.encode()))
    want = {k: v.value for k, v in cell_values("gov2021", s.applications, s.active, s.reviews).items()}
    row = [got[("granted", c.id)] for c in registry().app_columns]
    assert row[0].raw == "*" and [c.value for c in row[1:]] == [want[("applications", "granted", c.id)]
                                                                  for c in registry().app_columns[1:]]


def test_section_headings_without_their_numerals_are_found_in_order():
    """mammoth, pandoc and LibreOffice write Word's numbered headings as lists (`<ol><li>总体情况</li></ol>`,
    one list each, which a browser numbers 1. every time): no 一、 was left, and the page was read as no
    report. A line that is a section's title is its heading when three or more come in order."""
    import re as _re

    s = spec("gov2021", 2023, seed=5)
    html = render_html(s).decode()
    html = _re.sub(r"<p><strong>[一二三四五六]、(.+?)</strong></p>", r"<ol><li>\1</li></ol>", html)
    assert "一、总体情况" not in html and "<ol><li>总体情况</li></ol>" in html
    r = read_document("x.html", html.encode())
    want = {k: v.value for k, v in cell_values("gov2021", s.applications, s.active, s.reviews).items()}
    got = {(c.table, *((c.block_id, c.row_id, c.col_id) if c.table == "active" else (c.row_id, c.col_id))): c.value
           for c in r.report.cells}
    assert r.status == "parsed" and got == want


def test_a_readers_cache_of_short_texts_stays_within_its_entries():
    """A stream of ever new short texts (a hostile file's cells) empties the cache when it is full,
    a long text is worked out and never kept, and every answer is the function's own."""
    from gkqc.limits import CACHED_CHARS, cached_when_short

    calls = []
    double = cached_when_short(maxsize=100)(lambda t: calls.append(t) or (t or "") * 2)
    kept = double.__self__
    for k in range(250):
        assert double(str(k)) == str(k) * 2
        assert len(kept) <= 100
    assert double("7") == "77" and double(None) == ""
    long = "长" * (CACHED_CHARS + 1)
    assert double(long) == long * 2 and long not in kept
    before = len(calls)
    double(str(249))
    assert len(calls) == before  # met again: not worked out again


@pytest.mark.parametrize("form", ["PDF text", "page text", "crawl"])
def test_a_worker_keeps_no_line_of_a_hostile_text_in_its_caches(form):
    """The readers cache what they work out of short texts (a token's normal form, whether it reads as
    a value, a label's normal form). They cached whole lines too: a worker kept each one-line text of
    prose it had read (4.3 MB after three of 240,000 characters; bounded by the caches' entries,
    not their size) for as long as it lived."""
    import gc
    import tracemalloc

    from gkqc.readers import tokens_of

    prose = "本机关依法公开政府信息。" * 5_000
    texts = {"PDF text": lambda k: f"第{k}份 {prose}", "page text": lambda k: f"第{k}份 {prose} |",
             "crawl": lambda k: f"一、总体情况 第{k}份{prose}二、主动公开政府信息情况"}[form]
    tokens_of("r.txt", texts(0).encode())  # whatever a first read caches for good (compiled patterns)
    gc.collect()
    tracemalloc.start()
    try:
        for k in range(1, 4):
            tokens_of("r.txt", texts(k).encode())
        gc.collect()
        kept = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert kept < 300_000  # the code before: 1.1 MB


@pytest.mark.parametrize("group", ['<tbody style="display:none">', "<tbody hidden>", '<tbody style="visibility:hidden">',
                                   '<thead style="display:none">'])
def test_html_a_draft_row_in_a_hidden_group_of_rows_is_never_read(group):
    """A page missing one row of table 二 hides a draft of it in a <tbody> (or <thead>) of its own: read
    again with what it hides outside the cells, 999 filled the missing cell, ok."""
    s = spec("gov2021", 2022, seed=3)
    page = render_html(s).decode()
    row = re.search(r"<tr><td>行政强制</td>.*?</tr>\n", page).group(0)
    draft = "<tr><td>行政强制</td><td>999</td><td>&nbsp;</td><td>&nbsp;</td></tr>"
    tag = group[1:6]
    r = read_document("x.html", page.replace(row, f"</tbody>{group}{draft}</{tag}><tbody>", 1).encode())
    coercion = [(c.raw, c.status) for c in r.report.cells if c.table == "active" and c.row_id == "coercion"]
    assert "999" not in {raw for raw, _ in coercion} and HIDDEN_READ not in r.report.notes
    assert {status for _, status in coercion} == {"missing"}

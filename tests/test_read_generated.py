"""Generated reports in every form read back exactly as printed; metadata resolution order."""

import re
from datetime import UTC, date, datetime

import pytest
from builders import spec
from mddocs import render_markdown

from gkqc.readers import read_document
from gkqc.rows import Batch, add_parsed
from gkqc.simulate.collection import render_document
from gkqc.simulate.render import render_html, render_pagetext, render_pdftext
from gkqc.templates import registry


def printed(s, c):
    if c.table == "applications":
        return s.applications[(c.row_id, c.col_id)]
    if c.table == "reviews":
        return s.reviews[(c.block_id, c.col_id)]
    return s.active[(c.block_id, c.row_id, c.col_id)]


FORMS = {
    "pagetext": lambda s: ("r.txt", render_pagetext(s).encode()),
    "pdftext": lambda s: ("r.txt", render_pdftext(s).encode()),
    "html-utf8": lambda s: ("r.html", render_html(s)),
    "html-gbk-declared": lambda s: ("r.htm", render_html(s, "gbk")),
    "html-gbk-undeclared": lambda s: ("r.htm", render_html(s, "gbk", declare=False)),
}


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("template,year", [("gov2019", 2020), ("gov2021", 2023)])
def test_every_cell_as_printed(form, template, year):
    for seed in range(3):
        s = spec(template, year, seed=seed, office="青山市交通运输局")
        r = read_document(*FORMS[form](s))
        assert (r.status, r.report.template, r.report.report_year) == ("parsed", template, year)
        assert len(r.report.cells) == (198 if template == "gov2019" else 200)
        assert [c.raw for c in r.report.cells] == [printed(s, c) for c in r.report.cells]
        assert r.report.office == "青山市交通运输局" and r.report.office_kind == "department"


def test_html_spanning_cells_and_br_in_labels():
    s = spec("gov2019", 2020, seed=4)
    html = render_html(s).decode()
    assert 'rowspan="' in html and 'colspan="' in html and "本年新<br />制作数量" in html
    r = read_document("r.html", html.encode())
    assert r.status == "parsed"


def test_html_tables_with_captions_and_comments_read_the_same():
    # plain tables are read row by row; anything else inside a table falls back to the full walk
    from lxml import etree

    from gkqc.readers.html import _plain_table_cells

    s = spec("gov2021", 2023, seed=5)
    html = render_html(s).decode()
    odd = re.sub(r"(<table[^>]*>)", r"\1<caption>单位：件</caption>", html, count=1).replace("<tr", "<!-- 行 --><tr", 3)
    first = {name: etree.HTML(text).find(".//table") for name, text in (("plain", html), ("odd", odd))}
    assert _plain_table_cells(first["plain"]) is not None and _plain_table_cells(first["odd"]) is None
    plain, other = read_document("r.html", html.encode()), read_document("r.html", odd.encode())
    assert other.status == plain.status == "parsed"
    assert [(c.row_id, c.col_id, c.raw) for c in other.report.cells] == [(c.row_id, c.col_id, c.raw) for c in plain.report.cells]


@pytest.mark.parametrize("walked", [False, True], ids=["plain-tables", "walked-tables"])
def test_html_cells_and_lines_keep_the_line_their_text_is_printed_on(walked):
    """A page as Word saves it: each cell's text in `<p><span>` on lines of their own, below the `<td>`
    tag. Each value's line is the one printed with it (it was the `<td>`'s, holding no value); so is a
    paragraph's, below its `<p>` tag."""
    from gkqc.readers.html import html_tokens

    s = spec("gov2021", 2022, seed=7)
    page = re.sub(r"(<td[^>]*>)(.*?)(</td>)", r"\1\n<p class=MsoNormal>\n<span lang=EN-US>\2</span>\n</p>\n\3",
                  render_html(s).decode())
    page = page.replace("<p><strong>", "<p>\n<strong>")
    if walked:  # (a caption in each table: read by the page's walker, not row by row)
        page = re.sub(r"(<table[^>]*>)", r"\1<caption>单位：件</caption>", page)
    lines = page.splitlines()
    r = read_document("r.html", page.encode())
    vals = [c for c in r.report.cells if c.raw and c.raw.strip()]
    assert len(vals) > 100 and all(f">{c.raw}<" in lines[c.line - 1] for c in vals)
    heading = next(t for t in html_tokens(page)[1] if t.text.startswith("一、"))
    assert heading.text in lines[heading.line - 1]


@pytest.mark.parametrize("before", ["<!-- 注 -->\n\n", "<!-- 注\n -->\n", "<br>\n", "<span>&nbsp;</span>\n",
                                    "<span>\n</span>\n", "\n<p></p>\n", "\n"])
@pytest.mark.parametrize("walked", [False, True], ids=["plain-tables", "walked-tables"])
def test_html_a_value_after_a_comment_or_br_keeps_the_line_it_is_printed_on(before, walked):
    """A value printed as the text after a comment, a `<br>` or an empty element, or after blank lines in
    its cell, lines below its `<td>`: its line is the one it is printed on, not its cell's."""
    s = spec("gov2021", 2022, seed=7)
    page = re.sub(r"(<td[^>]*>)([^<]+)(</td>)", lambda m: m[1] + before + m[2] + m[3], render_html(s).decode())
    if walked:
        page = re.sub(r"(<table[^>]*>)", r"\1<caption>单位：件</caption>", page)
    lines = page.splitlines()
    r = read_document("r.html", page.encode())
    vals = [c for c in r.report.cells if c.raw and c.raw.strip()]
    assert r.status == "parsed" and len(vals) > 100
    assert [c.raw for c in vals if not lines[c.line - 1].startswith(f"{c.raw}</td>")] == []


@pytest.mark.parametrize("before", ["<!-- 注 -->\n", "<br>\n", "\n"])
def test_html_a_paragraph_after_a_comment_or_br_keeps_the_line_it_is_printed_on(before):
    from gkqc.readers.html import html_tokens

    page = render_html(spec("gov2021", 2022, seed=7)).decode().replace("<p><strong>", f"<p>{before}<strong>")
    page = page.replace("<div class=\"content\">", f"<div class=\"content\">{before}说明：")
    lines = page.splitlines()
    toks = [t for t in html_tokens(page)[1] if t.raw.startswith(("一、", "说明：")) and not t.cell]
    assert len(toks) == 2 and all(lines[t.line - 1].startswith(("<strong>", "说明：")) for t in toks)


def _spare_column(html: str, lose: str | None = None, caption: bool = False, table: str = "申请人情况",
                  remark: str | None = None) -> str:
    """The table holding `table` (default section 三's) with an extra column on every row, 备注 over
    empty cells (`remark` in every fourth, from the third row); `lose`: the row (its label) that lost
    its third value's <td>; `caption`: a caption and comments, so the table is walked."""
    start = html.index(table)
    a, b = html.rfind("<table", 0, start), html.index("</table>", start)
    rows = []
    for tr in html[a:b].split("</tr>"):
        if "<tr" in tr:
            tr += f"<td>{remark if remark and len(rows) % 4 == 2 else '&nbsp;'}</td>" if rows else "<td>备注</td>"
            if lose is not None and f">{lose}</td>" in tr:
                cells = [m.start() for m in re.finditer("<td", tr)]
                tr = tr[:cells[-4]] + tr[cells[-3]:]
        rows.append(tr)
    table = "</tr>".join(rows)
    if caption:
        table = re.sub(r"(<table[^>]*>)", r"\1<caption>单位：件</caption>", table).replace("<tr", "<!-- 行 --><tr")
    return html[:a] + table + html[b:]


@pytest.mark.parametrize("caption", [False, True], ids=["plain", "walked"])
def test_html_spare_last_column_is_no_column(caption):
    # 备注 over empty cells: rows whose first value is blank are read too (not doubted for an empty
    # cell at each end), section 四's row among them
    s = spec("gov2021", 2023, seed=2)
    s.applications = {k: ("" if k[1] == "natural_person" or v == "0" else v) for k, v in s.applications.items()}
    s.reviews = {k: ("" if v == "0" else v) for k, v in s.reviews.items()}
    html = _spare_column(render_html(s).decode(), caption=caption)
    html = _spare_column(html, caption=caption, table=">行政复议</td>")  # section 四's table
    spare = read_document("r.html", html.encode())
    assert spare.status == "parsed", spare.reason
    assert [c.raw for c in spare.report.cells] == [printed(s, c) for c in spare.report.cells]


def _refused_alone(r, s, row_id: str, why: str) -> None:
    """Every cell of applications row `row_id` is unreadable, its reason saying `why`; every other
    cell reads as printed."""
    row = [c for c in r.report.cells if c.table == "applications" and c.row_id == row_id]
    assert {c.status for c in row} == {"unreadable"} and all(why in c.reason for c in row)
    rest = [c for c in r.report.cells if c not in row]
    assert [c.raw for c in rest] == [printed(s, c) for c in rest]


@pytest.mark.parametrize("caption", [False, True], ids=["plain", "walked"])
def test_html_row_that_lost_a_value_beside_a_spare_column_is_refused(caption):
    s = spec("gov2021", 2023, seed=2)
    row = next(r for r in registry().app_rows_for("gov2021") if r.id == "new_received")
    r = read_document("r.html", _spare_column(render_html(s).decode(), row.label, caption).encode())
    _refused_alone(r, s, row.id, "少单元格")


def test_html_rows_of_their_own_width_still_read():
    # a row without the spare column's cell (narrower, ending in a value), and section 二's blocks of
    # one value printed without padding cells (as narrow as their neighbours), blank values included
    s = spec("gov2021", 2023, seed=2)
    for b in registry().blocks_for("gov2021"):
        if len(b.metrics) == 1:
            s.active[(b.id, b.rows[-1].id, b.metrics[0].id)] = ""
    row = next(r for r in registry().app_rows_for("gov2021") if r.id == "new_received")
    html = _spare_column(render_html(s).decode())
    html = re.sub(rf"(>{re.escape(row.label)}</td>.*?)<td>&nbsp;</td></tr>", r"\1</tr>", html, count=1)
    html = html.replace("<td>&nbsp;</td><td>&nbsp;</td></tr>", "</tr>")
    r = read_document("r.html", html.encode())
    assert r.status == "parsed"
    assert [c.raw for c in r.report.cells] == [printed(s, c) for c in r.report.cells]
    assert any(c.table == "active" and c.raw == "" for c in r.report.cells)


def test_html_row_that_gained_an_empty_cell_among_its_values_is_refused():
    # a row a cell wider than its table, an empty <td> gained among its values and its last value
    # blank: the extra cell is not told by the empty one at the end (the code before dropped that one
    # and read the row's last two values shifted)
    s = spec("gov2021", 2023, seed=2)
    row = next(r for r in registry().app_rows_for("gov2021") if r.id == "unable_need_create")
    for col, v in zip(registry().app_columns, ["0", "0", "", "", "", "0", ""], strict=True):
        s.applications[(row.id, col.id)] = v
    html = render_html(s).decode()
    html = re.sub(rf"(>{re.escape(row.label)}</td><td>0</td><td>0</td>)", r"\1<td></td>", html, count=1)
    assert html.count("<td></td>") == 1
    _refused_alone(read_document("r.html", html.encode()), s, row.id, "数值之间也有空单元格")


def test_page_text_row_that_gained_an_empty_cell_among_its_values_is_refused():
    # flattened page text, a cell a line: a row whose last value is blank gained an empty cell after
    # its third value, so it is a cell wider than the table; the code before took the blank last
    # value for the extra cell and read the row's last values shifted
    s = spec("gov2021", 2023, seed=2)
    row = next(r for r in registry().app_rows_for("gov2021") if r.id == "unable_need_create")
    s.applications[(row.id, "total")] = ""
    text = render_pagetext(s)
    text = text.decode() if isinstance(text, bytes) else text
    head = f"{row.label} |\n"
    at = text.index(head) + len(head)
    cut = at + sum(len(x) + 1 for x in text[at:].split("\n")[:3])
    _refused_alone(read_document("r.txt", (text[:cut] + " |\n" + text[cut:]).encode()), s, row.id, "数值之间也有空单元格")


def test_html_page_cut_inside_a_rows_first_cell_keeps_the_row_before():
    # a cut after `<tr><td colspan="2">` leaves an empty row, narrower than the rows above: no row of
    # its own, so the row before it (whose values end where the cut row begins) is read whole
    s = spec("gov2019", 2020, seed=3)
    html = render_html(s).decode()
    last = next(r for r in registry().app_rows_for("gov2019") if r.id == "results_total")
    cut = html[:html.index(f">{last.label}</td>") - len('<td colspan="2"')] + "<td colspan=\"2\">"
    r = read_document("r.html", cut.encode())
    before = [c for c in r.report.cells if c.table == "applications" and c.row_id == "other_handling"]
    assert len(before) == 7 and [c.raw for c in before] == [printed(s, c) for c in before]


def test_html_metadata_from_meta_tags():
    s = spec("gov2021", 2022, seed=5, office="青山市审计局", published=date(2023, 1, 18))
    s.title = "2022年政府信息公开工作年度报告"  # the title does not name the office
    html = render_html(s).decode().replace("<p style=\"text-align:right\">青山市审计局</p>", "")
    r = read_document("r.html", html.encode())
    rep = r.report
    assert rep.published_at == date(2023, 1, 18) and rep.published_source == "<meta PubDate>"
    assert rep.office == "青山市审计局" and rep.office_source == "<meta ContentSource>"


def test_html_meta_values_are_read_as_normalised_text():
    """Full-width digits in <meta ArticleTitle> (２０２２): the year was not found and the office read
    '青山市教育局２０２２年'."""
    s = spec("gov2021", 2022, seed=5, office="青山市教育局", published=date(2023, 1, 5))
    html = render_html(s).decode().replace('content="青山市教育局2022年', 'content="青山市教育局２０２２年')
    assert "２０２２" in html
    rep = read_document("r.html", html.encode()).report
    assert (rep.report_year, rep.office) == (2022, "青山市教育局")


def test_signature_names_the_office_when_the_title_does_not():
    s = spec("gov2021", 2022, seed=6, office="青山市统计局")
    s.title = "2022年度政府信息公开工作年度报告"
    s.issuer_meta = "统计局"
    rep = read_document("r.txt", render_pagetext(s).encode()).report
    assert (rep.office, rep.office_source, rep.meta["发文机构"]) == ("青山市统计局", "落款", "统计局")


@pytest.mark.parametrize("last", ["无", "本年度未收取信息处理费"])
def test_a_last_line_that_is_no_office_is_no_signature(last):
    """A title without the office and no signature: the line before the date (section 六's 无, or its
    sentence without a full stop) was taken for the office."""
    s = spec("gov2021", 2022, seed=6, office="青山市统计局", published=date(2023, 1, 5))
    s.title, s.other_matters = "2022年政府信息公开工作年度报告", last
    text = render_pdftext(s, kangxi=False).replace("\n青山市统计局\n2023年1月5日", "\n2023年1月5日")
    assert text.endswith("\n2023年1月5日") or "\n2023年1月5日\n" in text
    rep = read_document("r.txt", text.encode()).report
    assert rep.office is None and rep.published_at == date(2023, 1, 5)


@pytest.mark.parametrize(("title", "year"), [
    ("青山市教育局政府信息公开工作2022年度报告", 2022),  # read 青山市教育局政府信息公开工作报告
    ("青山市教育局2022年政府信息公开工作年度报告（更正）", 2022),  # read 青山市教育局(更正): another office
    ("青山市教育局政府信息公开工作年度报告（2023年5月更新）", None),  # read 2023 and 青山市教育局(5月更新)
    ("青山市教育局二〇二二年度政府信息公开工作年度报告", 2022),  # read 青山市教育局二〇二二年度 (and no year)
])
def test_a_titles_office_is_its_name_alone(title, year):
    s = spec("gov2021", 2022, seed=9, office="青山市教育局")
    s.title, s.overview = title, "本机关坚持以公开为常态。"
    rep = read_document("r.txt", render_pagetext(s).encode()).report
    assert (rep.office, rep.report_year) == ("青山市教育局", year)


@pytest.mark.parametrize("navigation", ["上一篇：青山市教育局2021年政府信息公开工作年度报告",
                                        "首页 > 政府信息公开 > 政府信息公开年度报告"])
def test_a_pages_navigation_is_no_title(navigation):
    """Without <meta ArticleTitle>, a link to another report or the breadcrumb before the page's own
    title was taken for it (the office read 上一篇:青山市教育局, the year 2021)."""
    import re

    s = spec("gov2021", 2022, seed=5, office="青山市教育局", published=date(2023, 1, 5))
    html = re.sub(r'<meta name="ArticleTitle"[^>]*>', "", render_html(s).decode())
    html = html.replace("<h1>", f"<div>{navigation}</div><h1>", 1)
    rep = read_document("r.html", html.encode()).report
    assert (rep.office, rep.report_year) == ("青山市教育局", 2022)


def test_government_own_report_published_by_its_office():
    s = spec("gov2021", 2022, seed=7, office="青山市")
    s.publisher = "青山市人民政府办公室"
    rep = read_document("r.txt", render_pagetext(s).encode()).report
    assert (rep.office, rep.office_kind, rep.region, rep.publisher) == ("青山市", "government", "青山市", "青山市人民政府办公室")


@pytest.mark.parametrize("office,kind,region", [
    ("东坪县石桥镇", "township", "东坪县石桥镇"), ("宿迁市住房和城乡建设局", "department", "宿迁市"),
    ("宿迁市市场监督管理局", "department", "宿迁市"), ("宿迁市宿城区", "government", "宿迁市宿城区"),
])
def test_office_kinds_and_regions(office, kind, region):
    rep = read_document("r.txt", render_pagetext(spec(office=office)).encode()).report
    assert (rep.office_kind, rep.region) == (kind, region)


@pytest.mark.parametrize(("overview", "year"), [
    ("2022年，本机关共主动公开信息120条。", 2022),
    ("2022年我局坚持以公开为常态。", 2022),
    ("与2021年相比，本年度主动公开信息数量有所增加。", None),  # read 2021
    ("自2008年《中华人民共和国政府信息公开条例》施行以来，我局持续推进公开工作。2022年，我局共主动公开信息120条。",
     2022),  # read 2008, then taken for a report before the national tables: no cell read
])
def test_a_title_without_a_year_takes_the_one_section_one_opens_with(overview, year):
    s = spec("gov2021", 2022, seed=9, office="青山市教育局")
    s.title, s.overview = "青山市教育局政府信息公开工作年度报告", overview
    rep = read_document("r.txt", render_pagetext(s).encode()).report
    assert rep.report_year == year and rep.template == "gov2021" and len(rep.cells) > 100


def test_date_trust_order_falls_back_to_the_closing_line():
    s = spec("gov2021", 2022, seed=8, published=date(2023, 3, 2))
    text = render_pdftext(s)  # PDF text carries no metadata: only the closing date
    rep = read_document("r.txt", text.encode()).report
    assert (rep.published_at, rep.published_source) == (date(2023, 3, 2), "落款日期")


def test_the_closing_date_is_a_line_of_the_date_alone():
    """A page footer's 更新时间：2024年3月1日 after the report's own date, and a last sentence ending in a
    date (…至2022年12月31日止。) were each taken for the date the report was signed."""
    import re

    s = spec("gov2021", 2022, seed=8, published=date(2023, 1, 5))
    html = re.sub(r'<div class="info">[^<]*</div>', "", re.sub(r'<meta name="PubDate"[^>]*>', "", render_html(s).decode()))
    footer = html.replace("1234567890</div>", "1234567890</div><div>更新时间：2024年3月1日</div>")
    assert footer != html
    rep = read_document("r.html", footer.encode()).report
    assert (rep.published_at, rep.published_source) == (date(2023, 1, 5), "落款日期")
    text = re.sub(r"六、其他需要报告的事项\n.*", "六、其他需要报告的事项\n本年度未收取信息处理费。本报告所列数据的统计期限自"
                  "2022年1月1日起至\n2022年12月31日止。\n", render_pdftext(s, kangxi=False), flags=re.S)
    assert read_document("r.txt", text.encode()).report.published_at is None  # no date of its own: none


def test_pdf_number_split_in_two_tokens_is_not_guessed():
    s = spec("gov2021", 2022, seed=9)
    s.active[("item_5", "licensing", "decisions")] = "1808595"
    text = render_pdftext(s, kangxi=False).replace("行政许可 1808595", "行政许可 1 808595")
    r = read_document("r.txt", text.encode())
    c = next(c for c in r.report.cells if c.row_id == "licensing")
    assert c.status == "unreadable" and "拆开" in c.reason and r.status == "partial"


def test_zip_archives_are_read_member_by_member(tmp_path):
    import zipfile

    from gkqc.ingest import ingest
    from gkqc.lake import Lake

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with zipfile.ZipFile(inbox / "batch.zip", "w") as z:
        z.writestr("a/2020.txt", render_pagetext(spec("gov2019", 2020, seed=1)))
        z.writestr("b/2022.html", render_html(spec("gov2021", 2022, seed=2)))
    s = ingest(inbox, Lake(tmp_path / "lake"), "r1", workers=0)
    assert s.seen == 2 and s.statuses["parsed"] == 2


def test_same_report_in_two_files_of_one_batch_is_stored_once(tmp_path):
    import polars as pl

    from gkqc.ingest import ingest
    from gkqc.lake import Lake

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    text = render_pagetext(spec("gov2019", 2020, seed=3))
    (inbox / "a.txt").write_text(text, encoding="utf-8")
    (inbox / "b.txt").write_text(text + "\n\n", encoding="utf-8")  # other bytes, same parsed content
    (inbox / "c.txt").write_text(render_pagetext(spec("gov2021", 2022, seed=4)), encoding="utf-8")
    lake = Lake(tmp_path / "lake")
    ingest(inbox, lake, "r1", workers=0)
    docs = pl.read_parquet(lake.paths("documents")).sort("source_path")
    assert docs["doc_id"].n_unique() == 3 and docs["report_id"].n_unique() == 2
    assert docs["report_id"][0] == docs["report_id"][1]
    apps = pl.read_parquet(lake.paths("applications"))
    assert apps.height == 23 * 7 + 25 * 7
    assert pl.read_parquet(lake.paths("reports")).height == 2


@pytest.mark.parametrize(("title", "office", "kind"), [
    ("青江县（本级）2022年政府信息公开工作年度报告", "青江县（本级）", "government"),
    ("青江县教育局政府信息公开工作年度报告（2022年度）", "青江县教育局", "department"),
    ("（2022年度）青江县政府信息公开工作年度报告", "青江县", "government"),
    ("《阿里地区2020年政府信息公开工作年度报告》", "阿里地区", "government"),
    ("（青江县）政府信息公开工作年度报告", "青江县", "government"),
    ("青山市2022年市本级政府信息公开工作年度报告", "青山市本级", "government"),
    ("青江县2022年度县本级政府信息公开工作年度报告", "青江县本级", "government"),
])
def test_the_office_of_a_title_keeps_its_own_brackets(title, office, kind):
    """A qualifier the office prints, （本级）, stays whole (the office registry knows it); brackets left
    around the year or around the whole name go."""
    from gkqc.readers.metadata import office_from_title, office_kind

    assert office_from_title(title) == office and office_kind(office) == kind


@pytest.mark.parametrize("label", ["发文机构", "发布机构", "发文单位"])
def test_the_issuer_the_metadata_names_reaches_the_lake_under_each_label(label):
    s = spec("gov2021", 2022, seed=6, office="青山市统计局")
    s.issuer_meta = "青山市统计局办公室"
    text = render_pagetext(s).replace("发文机构", label)
    batch = Batch()
    add_parsed(batch, source_path="r.txt", doc_id="d", size=len(text), result=read_document("r.txt", text.encode()),
               ingested_at=datetime(2023, 1, 1, tzinfo=UTC), run_id="t")
    assert batch.tables()["reports"].column("issuer_meta").to_pylist() == ["青山市统计局办公室"]


@pytest.mark.parametrize("render", [render_pagetext, render_pdftext])
def test_section_2s_short_headings_tell_the_template(render):
    """A 2021 report printing the 2019 table, section 二 headed by the short spellings the registry knows
    (新制作数量, 新公开数量, 公开总数量): the code before told no template from them, took the year's
    from section 三's one row, and stored 本年新制作数量's values as 本年制发件数's, ok; S2 passed."""
    s = spec("gov2019", 2021, seed=11)
    page = render(s)
    page = page.decode() if isinstance(page, bytes) else page
    for long, short in (("本年新制作数量", "新制作数量"), ("本年新公开数量", "新公开数量"), ("对外公开总数量", "公开总数量")):
        assert long in page
        page = page.replace(long, short)
    rep = read_document("r.txt", page.encode()).report
    assert (rep.template, rep.report_year) == ("gov2019", 2021)
    read = {(c.block_id, c.row_id, c.col_id): c for c in rep.cells if c.table == "active"}
    assert read[("item_1", "regulations", "new_made")].raw == s.active[("item_1", "regulations", "new_made")]
    assert all(c.status == "ok" and c.raw == s.active[k] for k, c in read.items() if k[0] == "item_1")


@pytest.mark.parametrize("printed", ["3、其他", "（3）其他", "(3)其他"])
def test_the_other_sub_row_numbered_otherwise_is_found(printed):
    """The 2021 template's 3.其他 under （六）其他处理 printed 3、其他 or （3）其他: the code before did not find
    the row (its seven cells missing, S3 against the office) though it found every other numbered row."""
    s = spec("gov2021", 2022, seed=3)
    text = render_pagetext(s)
    assert text.count("3.其他") == 1
    rep = read_document("r.txt", text.replace("3.其他", printed).encode()).report
    row = {c.col_id: c for c in rep.cells if c.table == "applications" and c.row_id == "other_else"}
    assert len(row) == 7 and all(c.status == "ok" and c.raw == s.applications[("other_else", k)] for k, c in row.items())


@pytest.mark.parametrize("form", ["html", "docx"])
def test_a_one_column_blocks_value_across_the_blocks_columns_is_read(form):
    """Section 二 as the 2021 template prints it: the value of a block of one column (第二十条第（五）项's
    本年处理决定数量) spans the three columns of 第二十条第（一）项 above. The code before took the first
    block's columns for its own, and left the four values unreadable (merged across columns)."""
    from gkqc.simulate.word import docx_from_html

    s = spec("gov2021", 2022, seed=23)
    page, n = re.subn(r"<td>([^<]*)</td><td>&nbsp;</td><td>&nbsp;</td>", r'<td colspan="3">\1</td>', render_html(s).decode())
    assert n == 4
    data = page.encode() if form == "html" else docx_from_html(page.encode())
    rep = read_document(f"r.{form}", data).report
    read = {(c.block_id, c.row_id, c.col_id): c for c in rep.cells if c.table == "active"}
    assert all(c.status == "ok" and c.raw == s.active[k] for k, c in read.items()) and len(read) == len(s.active)


@pytest.mark.parametrize("cell, raw", [
    ('<input type="text" value="{v}" readonly>', ""), ('<img src="n.png" alt="{v}">', ""), ("<img src='n.png'>", ""),
    ('<select><option>0</option><option selected>{v}</option></select>', ""),
    ("{v}<script>var n = 1</script>", "{v}"), ("{v}<noscript>0</noscript>", "{v}"),
    ('{v}<input type="hidden" value="7">', "{v}")],
    ids=["input", "img-alt", "img", "select", "script", "noscript", "hidden-input"])
def test_a_cell_showing_what_its_text_does_not_is_unreadable_and_text_not_shown_is_no_part_of_it(cell, raw):
    """A browser shows `<input value>`, an image, a <select>'s chosen option: the code before read such a
    cell blank (or joined all the options: 95 for 5); text it does not show (a script, <noscript>) was
    read into the number (2<noscript>0</noscript>: 20). The row's other cells are read."""
    s = spec("gov2021", 2022, seed=23)
    key = ("item_1", "regulations", "issued")
    v = s.active[key]
    page, n = re.subn(rf"<td>{v}</td>(<td>{s.active[('item_1', 'regulations', 'repealed')]}</td>)",
                      lambda m: f"<td>{cell.format(v=v)}</td>{m.group(1)}", render_html(s).decode(), count=1)
    assert n == 1
    read = {(c.block_id, c.row_id, c.col_id): c for c in read_document("r.html", page.encode()).report.cells
            if c.table == "active"}
    c = read.pop(key)
    if raw:
        assert (c.raw, c.status) == (raw.format(v=v), "ok")
    else:
        assert (c.value, c.status) == (None, "unreadable") and "单元格中有〔" in c.reason
    assert all(o.status == "ok" and o.raw == s.active[k] for k, o in read.items())


@pytest.mark.parametrize("form", ["html", "pdftext"])
def test_a_line_of_only_invisible_characters_is_no_cell(form):
    """UEditor writes an empty paragraph as <p>\u200b</p>: after each table (or as a PDF text's line), it is
    no cell (the code of aa235aa, which took such characters out of the text, made it an empty cell of the
    row beside it: 23 to 200 cells unreadable)."""
    s = spec("gov2021", 2022, seed=23)
    if form == "html":
        data = render_html(s).decode().replace("</table>", "</table><p>\u200b</p>").encode()
    else:
        data = "\n".join(ln + ("\n\u200b" if ln[-1:].isdigit() else "") for ln in render_pdftext(s).split("\n")).encode()
    rep = read_document(f"r.{'html' if form == 'html' else 'txt'}", data).report
    assert {c.status for c in rep.cells} <= {"ok", "blank"} and len(rep.cells) > 150


INVISIBLE = "\u200b\ufeff\u2060\u00ad"
INVISIBLE_FORMS = {**FORMS, "markdown": lambda s: ("r.md", render_markdown(s).encode()),
                   "docx": lambda s: ("r.docx", render_document(s, "docx"))}


@pytest.mark.parametrize("form, around", [
    *((form, around) for form in ("pagetext", "pdftext", "html-utf8", "html-gbk-declared", "markdown", "docx")
      for around in ("{v}\u200b", "\u200b{v}", "\ufeff{v}\u2060")),
    # (a text file of many soft hyphens is taken for a wrong encoding, and not read at all)
    ("html-utf8", "{v}\u00ad"), ("docx", "{v}\u00ad")])
def test_a_value_beside_invisible_characters_is_read_as_shown(form, around):
    """UEditor ends each value with a zero-width space (and other editors leave a BOM, a word joiner or a
    soft hyphen): every such cell was unreadable. They print nothing, so the value is what the page shows;
    the raw text keeps them. Between two digits (`1\u200b5`) the cell stays unreadable."""
    s = spec("gov2021", 2023, seed=3)
    want = {(c.table, c.block_id, c.row_id, c.col_id): (c.status, c.value)
            for c in read_document(*INVISIBLE_FORMS[form](s)).report.cells}
    key = next(k for k, v in s.active.items() if v[:2].isdigit())  # a value of two digits or more
    for table in (s.applications, s.active, s.reviews):
        table.update({k: around.format(v=v) for k, v in table.items() if v.strip()})
    s.active[key] = s.active[key].replace(s.active[key].strip(INVISIBLE)[1:], "\u200b" + s.active[key].strip(INVISIBLE)[1:])
    rep = read_document(*INVISIBLE_FORMS[form](s)).report
    got = {(c.table, c.block_id, c.row_id, c.col_id): c for c in rep.cells}
    assert got.pop(("active", *key)).status == "unreadable"
    row = [k for k in got if k[:3] == ("active", *key[:2])]  # its row's other cells: as printed, or unreadable with it
    assert all((got[k].status, got[k].value) in (want[k], ("unreadable", None)) for k in row)
    assert {k: (c.status, c.value) for k, c in got.items() if k not in row} == {
        k: v for k, v in want.items() if k != ("active", *key) and k not in row}
    assert all(c.raw != c.raw.strip(INVISIBLE) for c in got.values() if c.raw and c.raw.strip(INVISIBLE))  # kept in the raw text


@pytest.mark.parametrize("name, lead", [("r.shtml", "\n" * 5000), ("r.jsp", ""), ("r", "\r\n" * 3000)])
def test_a_page_not_named_html_is_read_as_a_page(name, lead):
    """A page saved as .shtml, .jsp or without an extension was read as HTML only when <html or <table
    stood in its first 4,096 bytes: blank lines before it, or an article's fragment whose first table
    comes after a long section 一, made it not a report."""
    s = spec("gov2021", 2022, seed=23)
    page = render_html(s).decode()
    if not lead:  # the article alone: its text, then the tables, no <html>
        body = page[page.find("<body"):page.rfind("</body>")]
        page = body[body.find(">") + 1:].replace("一、总体情况", "一、总体情况" + "<p>本年度，我单位认真贯彻落实条例。</p>" * 300, 1)
        assert page.find("<table") > 4096 and "<html" not in page
    r = read_document(name, (lead + page).encode())
    assert r.status == "parsed" and r.report.template == "gov2021"
    assert sum(c.status == "ok" for c in r.report.cells) == sum(v.strip() != "" for v in (*s.applications.values(),
                                                                                         *s.active.values(), *s.reviews.values()))


def test_a_text_file_mentioning_a_table_tag_is_no_page():
    """Page text whose section 六 mentions `<table>` after its first 4 KB: the code of aa235aa read it as a
    page (a fragment), and found no report."""
    s = spec("gov2021", 2022, seed=23)
    s.other_matters = "本年度网站改版，政务公开栏目的各类表格由原来的<table>标签改为图片。"
    text = render_pagetext(s)
    assert text.encode().find(b"<table>") > 4096
    r = read_document("r.txt", text.encode())
    assert (r.status, r.format) == ("parsed", "pagetext")


def test_a_two_column_blocks_value_across_both_columns_is_unreadable():
    """Section 二 of the 2019 template, 第二十条第（八）项's one row printing one value across its two columns
    (上一年项目数量, 本年增/减): whose column? The code of 0eaf7f2 divided the block by its rows of values
    only, of which it has one, and read the value as the first column's, the second blank."""
    s = spec("gov2019", 2020, seed=23)
    a, b = s.active[("item_8", "fees", "prev_items")], s.active[("item_8", "fees", "change")]
    page, n = re.subn(rf"<td>行政事业性收费</td><td>{a}</td><td>{b}</td><td>&nbsp;</td>",
                      f'<td>行政事业性收费</td><td colspan="2">{a}</td><td>&nbsp;</td>', render_html(s).decode())
    assert n == 1
    read = {c.col_id: c for c in read_document("r.html", page.encode()).report.cells if c.block_id == "item_8"}
    assert {k: (c.value, c.status) for k, c in read.items()} == {"prev_items": (None, "unreadable"),
                                                                  "change": (None, "unreadable")}

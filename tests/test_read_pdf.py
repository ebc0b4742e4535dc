"""PDF attachments with a text layer: the 洪泽 sample cell for cell, and PDFs drawn here on purpose
(tables split across pages, repeated headers, a vertical label, wrapped and cut labels, blank
columns, headings off their columns), and PDFs that cannot be read."""

from __future__ import annotations

import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import polars as pl
import pytest
from builders import spec
from pdfdocs import FONT, busy, expected, long_counts, needs_cjk_font, read_back, render_pdf
from reportlab.pdfgen import canvas

from checks.engine import check_lake
from gkqc.ingest import ingest
from gkqc.lake import Lake
from gkqc.readers import ocr, read_document
from gkqc.readers import pdf as pdfreader
from gkqc.readers.pdf_cells import AGAINST, line_tokens, stacked_rows
from gkqc.readers.pdf_lines import Chunk, Line, _page_number, find_tables, page_lines
from gkqc.readers.pdf_page import PageRules
from gkqc.readers.pdf_wrapped import join_wrapped_values
from gkqc.templates import registry

SAMPLE_DIR = Path(__file__).parents[2] / "shared" / "samples" / "pdf"
HONGZE = SAMPLE_DIR / "hongze-2024.pdf"

# ---------------------------------------------------------------- the 洪泽 sample


@cache
def hongze():
    return read_document(HONGZE.name, HONGZE.read_bytes())


def _hongze_expected() -> dict[str, float | None]:
    if not HONGZE.exists():
        return {}
    exp = json.loads(HONGZE.with_suffix(".expected.json").read_text(encoding="utf-8"))
    return {f"{table}.{k}": v for table, part in (("applications", "table3_cells"), ("active", "active_cells"),
                                                  ("reviews", "review_cells")) for k, v in exp[part].items()}


def _got(rep) -> dict[str, object]:
    return {f"{c.table}.{c.block_id if c.table == 'reviews' else c.row_id}.{c.col_id}": c for c in rep.cells}


def _read_wrong(s, got) -> list[tuple[str, ...]]:
    """The cells read `ok` or `blank` whose value is not the printed one."""
    want = expected(s)
    return [k for k, c in got.items() if c.status in ("ok", "blank") and c.value != want[k]]


def _hongze_params():
    return list(_hongze_expected().items())


needs_sample = pytest.mark.skipif(not HONGZE.exists(), reason=f"{HONGZE} not present")


@needs_sample
def test_hongze_has_207_expected_cells():
    assert len(_hongze_expected()) == 207


@needs_sample
@pytest.mark.parametrize("key,value", _hongze_params())
def test_hongze_cell(key, value):
    c = _got(hongze().report).get(key)
    assert (c.value if c else None) == value


@needs_sample
def test_hongze_metadata_from_the_body():
    r = hongze()
    rep = r.report
    assert (r.format, r.encoding, rep.template, rep.report_year) == ("pdf", None, "gov2021", 2024)
    # the PDF's own Title is generic and its Author a clerk: office from the title line on page 1
    assert rep.title == "淮安市洪泽区人民政府2024年政府信息公开工作年度报告"
    assert (rep.office, rep.office_source, rep.office_kind, rep.region) == (
        "淮安市洪泽区人民政府", "标题", "government", "淮安市洪泽区")
    assert rep.publisher == "淮安市洪泽区人民政府办公室"  # 本报告由…编制
    assert rep.published_at is None  # no date printed: NULL, not the PDF's CreationDate
    assert rep.meta["pdf_title"] == "政府信息公开工作年度报告"
    assert [s.no for s in rep.sections] == list("一二三四五六")
    assert "0元" in rep.sections[5].text


@needs_sample
def test_hongze_tokens_vertical_label_wrapped_and_split_rows():
    doc = pdfreader.read_pdf(HONGZE.read_bytes())
    texts = [t.text for t in doc.tokens]
    assert "三、本年度办理结果" in texts  # one character per line, Identity-V font
    assert "(二)部分公开(区分处理的,只计这一情 形,不计其他情形)" in texts  # wrapped label, one cell, as printed
    assert "5.要求行政机关确认或重 新出具已获取信息" in texts
    assert not any(re.fullmatch(r"-\d+-", t) for t in texts)  # page numbers between the table's parts
    i = texts.index("(四)无法提供")  # the table goes on on page 4 with the same seven columns
    assert texts[i + 1:i + 9] == ["1.本机关不掌握相关政府信息", "31", "0", "0", "0", "0", "0", "31"]
    assert texts[i + 9:i + 17] == ["2.没有现成信息需要另行制作", "1", "0", "0", "0", "0", "0", "1"]


@needs_sample
def test_hongze_lines_lead_to_the_page():
    data = HONGZE.read_bytes()
    numbered = {int(m.group(1)): m.group(2) for m in re.finditer(r"^\s*(\d+) (p\d .*)$", pdfreader.pdf_text(data), re.M)}
    c = _got(hongze().report)["applications.unable_need_create.total"]
    assert numbered[c.line].startswith("p4 2.没有现成信息需要另行制作")
    doc = pdfreader.read_pdf(data)
    assert doc.where[c.line][:2] == (4, 1)  # page 4, first line
    assert any(n.startswith("PDF 行号：第1页 1–") for n in hongze().report.notes)


@needs_sample
def test_hongze_speed():
    import time

    data = HONGZE.read_bytes()
    t = time.perf_counter()
    read_document("h.pdf", data)
    assert time.perf_counter() - t < 2.0


# ---------------------------------------------------------------- PDFs drawn here (tests/pdfdocs.py)


@needs_cjk_font
@pytest.mark.parametrize("font", [None, FONT], ids=["embedded-font", "named-font"])
@pytest.mark.parametrize("repeat_header", [False, True])
@pytest.mark.parametrize("template,year", [("gov2021", 2023), ("gov2019", 2020)])
def test_generated_every_cell(template, year, repeat_header, font):
    """Read in a font embedded in the file (as exported by Word and WPS) and in one it only names."""
    s = busy(template, year, seed=1)
    r, got = read_back(s, repeat_header=repeat_header, font=font)
    want = expected(s)
    assert r.status == "parsed", r.reason
    assert {k: c.value for k, c in got.items()} == want
    rep = r.report
    assert (rep.office, rep.report_year, rep.template, rep.published_at) == (
        "青山市交通运输局", year, template, s.published_at)


@needs_cjk_font
def test_generated_split_table_and_cut_label():
    s = busy("gov2021", 2023, seed=3)
    data = render_pdf(s, break_before="unable_need_create")
    doc = pdfreader.read_pdf(data)
    texts = [t.text for t in doc.tokens]
    # （四）无法提供 is printed in two parts: `（四）无` at the foot of one page, `法提供` on the next
    i = texts.index("2.没有现成信息需要另行制作")
    assert texts[i - 1] == "法提供" and texts[i - 10:i - 7] == ["(四)无", "1.本机关不掌握相关政府信息", "16"]
    assert doc.where[doc.tokens[i].line][0] == doc.where[doc.tokens[i - 10].line][0] + 1
    r = read_document("r.pdf", data)
    assert r.status == "parsed" and [c.value for c in r.report.cells if c.row_id == "unable_need_create"] == [
        float(s.applications[("unable_need_create", c.id)]) for c in registry().app_columns]


@needs_cjk_font
def test_generated_blank_columns_are_blank_not_zero():
    # a department with no applications from organisations leaves those five columns empty,
    # and one review group is left blank: the columns come from the headings
    s = busy("gov2021", 2023, seed=5)
    orgs = ("commercial", "research", "social_org", "legal_service", "other_org")
    for m in ("upheld", "corrected", "other", "pending", "total"):
        s.reviews[("suit_after_review", m)] = ""
    r, got = read_back(s, blank=orgs)
    assert {k: c.value for k, c in got.items()} == expected(s, orgs)
    blanks = [c for k, c in got.items() if k[0] == "applications" and k[2] in orgs]
    assert len(blanks) == 25 * 5 and all(c.status == "blank" and c.raw == "" for c in blanks)
    assert all(c.reason.endswith("）") and "PDF 第" in c.reason for c in blanks)
    assert all(got[("reviews", "suit_after_review", m.id)].status == "blank" for m in registry().review_metrics)


def _blanked(s, keep=lambda key, v: v != "0", tables=("applications", "reviews", "active")):
    """The report with the cells `keep` rejects printed empty (default: every 0, as many offices print)."""
    for t in tables:
        cells = getattr(s, t)
        for key, v in cells.items():
            cells[key] = v if keep(key, v) else ""
    return s


def _wrong(got, want) -> dict:
    """The cells read as a value (or a blank) that is not the one printed: (read, printed) by key."""
    return {k: (got[k].raw, v) for k, v in want.items() if got[k].status in ("ok", "blank") and got[k].value != v}


def _all_blank_or_as_printed(s, r, got):
    assert r.status == "parsed", r.reason
    assert {k: c.value for k, c in got.items()} == expected(s)
    blank = [c for c in got.values() if c.value is None]
    assert blank and all(c.status == "blank" and c.raw == "" for c in blank)


@needs_cjk_font
@pytest.mark.parametrize("template", ["gov2021", "gov2019"])
def test_generated_rows_printed_without_values_are_blank_rows(template):
    """A row with every cell empty has only its label on its line: the rules drawn around its
    cell set it apart from the wrapped labels of the rows beside it (first, middle and last
    rows, in section 三 and in the blocks of section 二)."""
    reg = registry()
    rows = [r.id for r in reg.app_rows_for(template)]
    blocks = reg.blocks_for(template)
    for empty in ([rows[0]], [rows[3], rows[4]], [rows[-1]], rows[5:9]):
        s = busy(template, 2022, seed=3)
        _blanked(s, lambda key, v, empty=empty: key[0] not in empty, tables=("applications",))
        _blanked(s, lambda key, v: key[1] != blocks[0].rows[0].id, tables=("active",))
        r, got = read_back(s)
        _all_blank_or_as_printed(s, r, got)
        assert sum(c.value is None for c in got.values()) == 7 * len(empty) + len(blocks[0].metrics)


@needs_cjk_font
@pytest.mark.parametrize("seed", [1, 4, 9])
@pytest.mark.parametrize("template", ["gov2021", "gov2019"])
def test_generated_zeros_printed_blank_are_blank(template, seed):
    s = _blanked(busy(template, 2021, seed))
    _all_blank_or_as_printed(s, *read_back(s))


@needs_cjk_font
@pytest.mark.parametrize("template", ["gov2021", "gov2019"])
def test_generated_tables_printed_without_any_value_are_blank(template):
    """A department with nothing to report prints its tables empty: no value anywhere, every
    row label in order (section 三), the headings (四), the block's rows (二)."""
    s = _blanked(busy(template, 2021, 2), keep=lambda key, v: False)
    r, got = read_back(s)
    _all_blank_or_as_printed(s, r, got)
    assert all(c.value is None for c in got.values())
    assert all("整张表没有一个数值" in c.reason for c in got.values() if c.table == "applications")


@needs_cjk_font
@pytest.mark.parametrize("printed", ["〇", "零", "O", "十二", "两", "壹拾贰", "约十万元"])
def test_a_table_whose_values_hold_no_digit_is_unreadable_not_blank(printed):
    """A one-cell block of section 二 printing its value without a digit, and section 四 printing 〇 in
    every cell: no digit in the table, but not printed empty; which cell holds what cannot be told."""
    s = busy("gov2021", 2022, seed=1)
    s.active[("item_8", "fees", "fee_amount")] = printed
    for key in s.reviews:
        s.reviews[key] = "〇"
    r, got = read_back(s)
    fee = got[("active", "item_8", "fees", "fee_amount")]
    assert (fee.status, fee.value) == ("unreadable", None) and printed in fee.reason, fee.reason
    reviews = [c for k, c in got.items() if k[0] == "reviews"]
    assert len(reviews) == 15 and all(c.status == "unreadable" and "〇" in c.reason for c in reviews)
    assert got[("active", "item_1", "regulations", "issued")].status == "ok"


@needs_cjk_font
@pytest.mark.parametrize("template", ["gov2021", "gov2019"])
def test_generated_number_wrapped_in_its_cell_is_one_value(template):
    """Full-width digits too wide for their column wrap inside the cell (`２６８` over `６`, and a
    third line for five digits): the parts are one value, the cell's; other rows keep their own."""
    s = busy(template, 2022, seed=3)
    s.applications[("new_received", "natural_person")] = "２６８６"
    s.applications[("granted", "total")] = "１２３４５"
    s.reviews[("review", "total")] = "１２３４"
    r, got = read_back(s)
    assert r.status == "parsed", r.reason
    assert {k: c.value for k, c in got.items()} == expected(s)
    assert got[("applications", "new_received", "natural_person")].raw == "２６８６"


@needs_cjk_font
@pytest.mark.parametrize("key,printed", [
    *((("reviews", "suit_direct", "other"), t) for t in ("约1200", "共1200", "≈1200", "10～12", "（12）", "12（注）", "12※注", "1200余")),
    *((("applications", "granted", "commercial"), t) for t in ("约12345", "1.2E+01", "一百零五")),
    (("reviews", "review", "upheld"), "（注）12")])
def test_a_value_with_wording_wrapped_in_its_narrow_cell_is_read_as_printed(key, printed):
    """Text wrapped over two lines of a narrow ruled cell, the row's values between them (`约120` / `0`,
    `12人` / `次`, `一百零` / `五`): the code before joined the last line's digits to the row (约1200 read
    0, 约12345 read 5) or left the cell blank. The cell holds all its lines, unreadable as printed;
    the row's other cells read as before."""
    s = busy("gov2021", 2022, seed=1)
    {"applications": s.applications, "reviews": s.reviews}[key[0]][key[1:]] = printed
    r, got = read_back(s)
    c = got[key]
    assert (c.status, c.value, c.raw) == ("unreadable", None, printed) and printed in c.reason
    assert {k: v.value for k, v in got.items() if k != key} == {k: v for k, v in expected(s).items() if k != key}


@needs_cjk_font
@pytest.mark.parametrize("top", [False, True], ids=["middle", "top"])
@pytest.mark.parametrize("printed", ["一千二百三十四", "一百二十三万四千五百六十七"])  # three lines, five
def test_a_value_with_wording_wrapped_over_three_lines_or_more_is_read_as_printed(printed, top):
    """A spelled number wrapped over three lines or more of its narrow ruled cell: the pieces more than
    two lines from the row's line, each under or over the one before, are the cell's too (the code
    before kept only the row's line as the raw text: `四千五`, or `一千二` at the cell's top)."""
    s = busy("gov2021", 2022, seed=1)
    s.applications[("granted", "commercial")] = printed
    _, got = read_back(s, top=top)
    c = got[("applications", "granted", "commercial")]
    assert (c.status, c.value, c.raw) == ("unreadable", None, printed)
    assert {k: v.value for k, v in got.items()} == expected(s) | {("applications", "granted", "commercial"): None}


@needs_cjk_font
def test_a_count_with_its_unit_wrapped_in_its_narrow_cell_is_read_as_printed():
    """`12人` / `次`, the row's values between them: read as `12人次` (12, as on one line), not blank."""
    s = busy("gov2021", 2022, seed=1)
    s.reviews[("suit_direct", "other")] = "12人次"
    r, got = read_back(s)
    c = got[("reviews", "suit_direct", "other")]
    assert (c.status, c.value, c.raw) == ("ok", 12.0, "12人次")


@needs_cjk_font
def test_numbers_wrapped_in_a_tall_row_over_and_under_its_values_leave_it_unreadable():
    """部分公开's label takes two lines, its values printed between them; two numbers wrap, their
    first pieces (`８０７`, `４１４`) on the label's first line, their rests on the values' line. The
    two lines lie more than a line and a half apart, one ruled row: nothing tells which pieces go
    together. The code before read 807 and 414 from the first line and the row's other cells blank."""
    from builders import spec
    s = spec("gov2021", 2023, seed=1)
    s.active[("item_8", "fees", "fee_amount")] = "48.3398万"
    printed = {"new_received": ["312087", "６６６４", "１１２", "96,866", "13157项", "209,877", "22,451"],
               "granted": ["882880", "30,557", "54项", "50,457", "553", "582", "8,961"],
               "partial": ["1680", "336", "0", "35", "８０７２", "130", "４１４０"]}
    for row, vals in printed.items():
        for col, v in zip(registry().app_columns, vals, strict=True):
            s.applications[(row, col.id)] = v
    _, got = read_back(s, overview_times=1)
    assert _read_wrong(s, got) == []
    assert {got[("applications", "partial", c.id)].status for c in registry().app_columns} == {"unreadable"}


@needs_cjk_font
def test_a_tall_row_whose_pieces_the_rules_cannot_join_is_unreadable():
    """部分公开 over two label lines: `１，０` and `19,171` on the first, the values, `０９` and `个` on the
    second (its label's rest too, so no piece joins). Two lines with values in one ruled row: the
    code before read the first as the row, 19171 and the cells printed on the second blank."""
    s = busy("gov2021", 2023, seed=1)
    for col, v in zip(registry().app_columns, ["17,153", "１，００９", "—", "—", "0", "1,009", "19,171个"], strict=True):
        s.applications[("partial", col.id)] = v
    _, got = read_back(s)
    assert _read_wrong(s, got) == []
    assert {got[("applications", "partial", c.id)].status for c in registry().app_columns} == {"unreadable"}


@needs_cjk_font
@pytest.mark.parametrize("printed", ["4107277", "41072773"])
def test_a_number_wrapped_beside_its_wrapped_label_is_read_whole(printed):
    """Text at its cell's top: the number's last piece (`7`) is printed on the line of the label's
    second line (、行政机关不再处理…); it joins the number (the code before read `410727`)."""
    s = busy("gov2021", 2023, seed=1)
    s.applications[("other_no_correction", "natural_person")] = printed
    r, got = read_back(s, top=True)
    assert r.status == "parsed", r.reason
    assert {k: c.value for k, c in got.items()} == expected(s)
    assert got[("applications", "other_no_correction", "natural_person")].raw == printed


@needs_cjk_font
@pytest.mark.parametrize("template, year", [("gov2021", 2023), ("gov2019", 2020)])
def test_a_number_over_its_row_joins_the_value_of_its_own_ruled_cell(template, year):
    """A number too wide for its ruled cell, printed on a line over its row, runs past the cell's
    right side above the next cell's value: it is its own cell's, never glued to the next cell's
    `0` (the code before read 656946250 as the total and the cell blank). It cannot be placed here:
    the row is unreadable."""
    s = busy(template, year, seed=1)
    s.applications[("denied_state_secret", "other_org")] = "65694625"
    _, got = read_back(s, align="left")
    assert _read_wrong(s, got) == []
    assert got[("applications", "denied_state_secret", "total")].status == "unreadable"


@needs_cjk_font
@pytest.mark.parametrize("template, year", [("gov2021", 2023), ("gov2019", 2020)])
@pytest.mark.parametrize("align", ["left", "right"])
def test_numbers_at_a_side_of_cells_without_rules_are_placed_by_that_side(template, year, align):
    """A table drawn without rules, its numbers at their cells' left or right side, some four or five
    digits wide, some cells blank: the numbers' middles scatter, their sides line up. The code
    before found columns that were not there, read cells wrong (2–7) and refused the rest (140–168)."""
    s = busy(template, year, seed=3)
    for k in [k for k, v in sorted(s.applications.items()) if v == "0"][::3]:
        s.applications[k] = ""
    for k, v in zip([("unable_not_held", "natural_person"), ("denied_three_safety", "social_org"),
                     ("carried_forward", "commercial")], ["45917", "41211", "8830"], strict=True):
        s.applications[k] = v
    r, got = read_back(s, ruled=False, align=align)
    assert r.status == "parsed", r.reason
    assert {k: c.value for k, c in got.items()} == expected(s)


@needs_cjk_font
def test_a_row_refused_whole_keeps_its_line_and_names_its_page():
    """Section 四 one cell short (a blank drawn without rules): its cells are unreadable, each with the
    line the run is printed on, and the reason says where in the PDF (it said nothing of where)."""
    s = spec("gov2021", 2022, seed=7)
    s.reviews[("review", "other")] = ""
    r, got = read_back(s, ruled=False, align="left")
    refused = [c for c in got.values() if c.table == "reviews" and c.status == "unreadable"]
    assert refused and all(c.raw is None and c.line is not None for c in refused)
    assert all(re.search(r"（PDF 第\d+页第\d+行）$", c.reason) for c in refused)


@needs_cjk_font
@pytest.mark.parametrize("cell, printed, layout, why", [
    (("partial", "social_org"), "72546821", dict(ruled=False, align="left"), "只有数值"),
    (("denied_state_secret", "other_org"), "65694625", dict(ruled=False, align="left", top=True), "叠印")],
    ids=["values-over-the-rest", "printed-over"])
def test_a_row_whose_cells_cannot_be_told_without_rules_is_unreadable(cell, printed, layout, why):
    """Without rules, a number too wide for its cell (a) puts its row's other values on a line of
    their own under the label's first line, or (b) runs over the next cell's value. The code before
    read the row's cells blank or glued two numbers into one (656946250)."""
    s = busy("gov2021", 2023, seed=1)
    s.applications[cell] = printed
    _, got = read_back(s, **layout)
    row = [c for k, c in got.items() if k[:2] == ("applications", cell[0])]
    assert {c.status for c in row} == {"unreadable"} and all(why in c.reason for c in row)
    assert _read_wrong(s, got) == []


def _too_wide() -> object:
    """A report whose counts run to seven figures, many too wide for their cells."""
    return long_counts(busy("gov2021", 2023, seed=526), seed=2, by=(7, 13, 137, 1009, 10007, 100003))


@needs_cjk_font
def test_a_ruled_row_whose_cells_hold_no_column_found_is_unreadable():
    """Ruled, values at their cells' top right, counts of up to seven figures: numbers too wide for
    their cells ran over the rules, and the columns found from the values' right sides went astray
    (two in one cell, none in another). A row with every value in a cell of its own then fell back to
    the nearest columns, one place out (1017 read under 科研机构, 0 and 18 read as one cell). Such a
    row is unreadable now, and no value of the report is read wrong."""
    s = _too_wide()
    _, got = read_back(s, top=True, align="right")
    row = [c for k, c in got.items() if k[:2] == ("applications", "denied_state_secret")]
    assert {c.status for c in row} == {"unreadable"} and all("不在表格任何一列之下" in c.reason for c in row)
    assert _read_wrong(s, got) == []


@needs_cjk_font
def test_values_at_their_cells_right_side_are_placed_by_it_when_their_middles_chain_astray():
    """The same report without rules: the values' right sides line up in 7 columns, each within a
    hair, and their middles, of many widths, chain into 7 columns too, wider than a character and
    astray (two over 商业企业, none over 其他). The middles were taken, and rows were read one place
    out (1017 under 科研机构, 89 and 1060747 read as one number). The sides are taken now."""
    s = _too_wide()
    _, got = read_back(s, top=True, align="right", ruled=False)
    assert _read_wrong(s, got) == []
    assert [got[("applications", "denied_state_secret", c)].value for c in ("commercial", "research")] == [1017.0, 0.0]


@needs_cjk_font
def test_a_number_raised_onto_a_group_labels_line_leaves_its_row_unreadable_not_blank():
    """Without rules, counts of up to seven figures at their cells' right: 3400110, too wide for its
    cell, is raised above its row (5.属于三类内部事务信息) onto the line of its group's label
    ((三)不予公开), which is no row, so no row took its values. The code before read the row with that
    cell blank. A row whose label follows such a line, a value over a cell it leaves empty, is unreadable."""
    s = long_counts(busy("gov2019", 2020, seed=955), seed=35, by=(7, 13, 137, 1009, 10007, 100003))
    assert s.applications[("denied_internal", "natural_person")] == "3400110"
    _, got = read_back(s, ruled=False, align="right")
    row = [c for k, c in got.items() if k[:2] == ("applications", "denied_internal")]
    assert {c.status for c in row} == {"unreadable"} and all("未归属的数值（3400110" in c.reason for c in row)
    assert _read_wrong(s, got) == []


@needs_cjk_font
@pytest.mark.parametrize("layout, blanks", [(dict(top=True), False), (dict(top=True, ruled=False), False),
                                            (dict(align="left"), True), (dict(align="right"), True)],
                         ids=["top-ruled", "top-no-rules", "left-ruled", "right-ruled"])
@pytest.mark.parametrize("template", ["gov2021", "gov2019"])
def test_generated_cells_off_their_middle_every_cell(template, layout, blanks):
    """Word's default, a cell's text at its top: a wrapped label goes on below its row's values, next
    to the row under it; with rules the cell tells whose it is, without, the next row's label beginning
    on its own line with its number (`2.`) does. Numbers at their cells' left or right side under
    centred headings, zeros printed empty: each value is in the cell its rules draw around it (by
    the nearest column middle, a heading was taken for a column of its own and values moved)."""
    for seed in (1, 3):
        s = _blanked(busy(template, 2022, seed)) if blanks else busy(template, 2022, seed)
        r, got = read_back(s, **layout)
        assert r.status == "parsed", r.reason
        assert {k: c.value for k, c in got.items()} == expected(s)


@needs_cjk_font
@pytest.mark.parametrize("folio", [("{}", 95), ("{}", 75), ("- {} -", 95)], ids=["bare-95pt", "bare-75pt", "dashed-95pt"])
def test_page_numbers_above_the_margin_are_no_values(folio):
    """A page number printed further up than the 8% margin, the body ending above it: the page's
    last line, centred, its own number, is no value of the table it follows."""
    for template, year in (("gov2021", 2023), ("gov2019", 2020)):
        s = busy(template, year, seed=1)
        r, got = read_back(s, folio=folio)
        assert r.status == "parsed", r.reason
        assert {k: c.value for k, c in got.items()} == expected(s)


def test_a_bare_number_near_the_edge_is_a_page_number_only_as_one():
    def folio(number: int = 5, x: float = 297.5, cy: float = 95.0, first: bool = False, last: bool = True,
              box: tuple[float, ...] = (0.0, 0.0, 595.0, 842.0), ruled: list[float] | None = None) -> bool:
        ln = Line(2, 5, cy, 10.0, [Chunk(str(number), x - 5, cy - 5, x + 5, cy + 5, 5, 2)])
        return _page_number(ln, first, last, 5, box, ruled)

    assert folio() and folio(3)  # its page's number, or two less (a cover and a contents page)
    assert folio(cy=760.0, first=True, last=False)  # at the top of the page, its first line
    assert folio(x=397.5, cy=195.0, box=(100.0, 100.0, 695.0, 942.0))  # a page whose box does not start at 0
    assert not folio(6) and not folio(2) and not folio(0)  # another number; 0 is a value, never a page's
    assert not folio(x=400.0)  # off the page's middle: a value in its column
    assert not folio(cy=200.0)  # above the foot's 15%
    assert not folio(last=False) and not folio(cy=760.0, last=True)  # not the page's last line (or first)
    assert not folio(ruled=[80.0, 400.0, 700.0])  # between a table's rules: a value of its last row


@needs_cjk_font
@pytest.mark.parametrize("align", ["left", "right"])
@pytest.mark.parametrize("template", ["gov2021", "gov2019"])
def test_numbers_at_a_side_of_cells_without_rules_give_no_wrong_value(template, align):
    """The same without rules: the values' own places are the columns, and no heading (centred, away
    from its values) is taken for a column; a row of a table with a column left blank throughout is
    short and unreadable, never shifted."""
    for seed in (1, 3, 5):
        rng = random.Random(seed)  # a third of the zeros printed empty: some rows with blanks, no column blank throughout
        s = _blanked(busy(template, 2022, seed), keep=lambda key, v, rng=rng: v != "0" or rng.random() > 0.33)
        r, got = read_back(s, align=align, ruled=False)
        want = expected(s)
        assert not _wrong(got, want)
        assert sum(c.status in ("ok", "blank") for c in got.values()) >= 0.9 * len(want)
        s = _blanked(busy(template, 2022, seed))  # every zero empty: columns blank throughout, whose rows are refused
        r, got = read_back(s, align=align, ruled=False)
        want = expected(s)
        assert not _wrong(got, want)
        assert all(c.reason for c in got.values() if c.status in ("missing", "unreadable"))


@needs_cjk_font
@pytest.mark.parametrize("top", [True, False], ids=["top", "middle"])
@pytest.mark.parametrize("template", ["gov2021", "gov2019"])
def test_generated_zeros_printed_blank_without_rules_give_no_wrong_value(template, top):
    """No rules to fence a row printed with only its label: rows whose label begins with its number
    are told apart; what cannot be is unreadable with its reason, never a blank where a value is
    printed or a value moved to another row."""
    for seed in (1, 3):
        s = _blanked(busy(template, 2022, seed))
        r, got = read_back(s, top=top, ruled=False)
        want = expected(s)
        assert not _wrong(got, want)
        assert all(c.reason for c in got.values() if c.status in ("missing", "unreadable"))
        if top:
            assert sum(c.status in ("ok", "blank") for c in got.values()) >= 0.95 * len(want)


def test_values_beside_a_row_but_ruled_off_are_not_joined_to_it():
    rows = [Line(1, 1, 700.0, 9.0, [_chunk("1.属于国家秘密", 100, 700), _chunk("5", 300, 700, True)], data=True),
            Line(2, 1, 689.0, 9.0, [_chunk("7", 300, 689, True)], data=True)]
    ruled = {1: PageRules([694.5], [(694.5, 50.0, 550.0)], [])}
    kept = join_wrapped_values(list(rows), ruled)
    assert [[c.raw for c in ln.chunks] for ln in kept] == [["1.属于国家秘密", "5"], ["7"]]
    joined = join_wrapped_values(list(rows), {1: PageRules([600.0], [(600.0, 50.0, 550.0)], [])})
    assert [[c.raw for c in ln.chunks] for ln in joined] == [["1.属于国家秘密", "57"]]


def _chunk(raw: str, x: float, y: float, value: bool = False):
    c = Chunk(raw, x, y - 4.5, x + 9 * len(raw), y + 4.5, 1, 1, y, value)
    return c


@needs_cjk_font
def test_a_table_missing_its_row_labels_is_not_taken_for_blank():
    s = _blanked(busy("gov2021", 2021, 2), keep=lambda key, v: False)
    data = render_pdf(s)
    doc = pdfreader.read_pdf(data)
    toks = [t for t in doc.tokens if t.text != "5.属于三类内部事务信息"]  # one row not printed
    from gkqc.readers import build_report

    rep = build_report("r.pdf", toks, {}, silent_blank=True)
    apps = [c for c in rep.cells if c.table == "applications"]
    assert apps and all(c.status == "missing" for c in apps)


@needs_cjk_font
@pytest.mark.parametrize("k", range(16))
def test_generated_variations_every_cell(k):
    """Seeded layouts: template, repeated headings or not, the page break anywhere in section 三,
    blank applicant columns (leading ones too), a blank review group, signed or not."""
    rng = random.Random(k)
    template, year = rng.choice([("gov2021", 2023), ("gov2019", 2020)])
    s = busy(template, year, seed=7 * k + 1)
    reg = registry()
    blank = tuple(rng.sample([c.id for c in reg.app_columns], rng.choice([0, 1, 3, 5])))
    group = rng.choice(reg.review_groups).id
    for m in reg.review_metrics:
        s.reviews[(group, m.id)] = "" if k % 3 == 0 else s.reviews[(group, m.id)]
    r, got = read_back(s, repeat_header=rng.random() < 0.5, blank=blank, signed=rng.random() < 0.7,
                       break_before=rng.choice([r.id for r in reg.app_rows_for(template)] + [None]),
                       page_before=rng.choice(["", "三", "四"]))
    assert r.status == "parsed", r.reason
    assert {k: c.value for k, c in got.items()} == expected(s, blank)


@needs_cjk_font
def test_generated_vertical_label_is_one_cell():
    s = busy("gov2021", 2023, seed=2)
    doc = pdfreader.read_pdf(render_pdf(s, break_before=None, page_before="三"))
    texts = [t.text for t in doc.tokens]
    i = texts.index("三、本年度办理结果")  # drawn one character per line: one label cell of a row
    section3 = texts[texts.index("三、收到和处理政府信息公开申请情况"):texts.index("四、政府信息公开行政复议、行政诉讼情况")]
    assert doc.tokens[i].cell and not any(len(t) == 1 and t in "三、本年度办理结果" for t in section3)


@needs_cjk_font
def test_generated_unsigned_report_has_no_date():
    s = busy("gov2021", 2023, seed=4)
    r = read_document("r.pdf", render_pdf(s, signed=False))
    assert r.status == "parsed" and r.report.published_at is None
    assert r.report.office == "青山市交通运输局" and r.report.publisher == "青山市交通运输局"


@needs_cjk_font
@pytest.mark.parametrize("cell, layout, why", [
    (("partial", "natural_person"), dict(align="right", top=True), "跨过"),
    (("partial", "natural_person"), dict(align="right"), "跨过"),
    (("unable_not_held", "research"), dict(align="right", repeat_header=True, break_before="granted"), "多于应有")],
    ids=["across-a-rule", "across-a-rule-on-the-labels-line", "over-the-row"])
def test_a_number_running_out_of_its_ruled_cell_leaves_its_row_unreadable(cell, layout, why):
    """A number too wide for its ruled cell, at the cell's right side, runs left across a rule into
    the label beside it (on the row's line, or on a line of its wrapped label above the row's values),
    or is printed just over its row (joined to it over the block's label between them in reading order,
    it makes a cell too many): the code before read the cell blank."""
    s = busy("gov2021", 2023, seed=1)
    s.applications[cell] = "64714743"
    _, got = read_back(s, **layout)
    row = [c for k, c in got.items() if k[:2] == ("applications", cell[0])]
    assert {c.status for c in row} == {"unreadable"} and all(why in c.reason for c in row)
    assert _read_wrong(s, got) == []


def _drawn(draw) -> list[str]:
    """The tokens of a one-page PDF drawn by `draw(canvas)` (the CJK font set at 10.5 pt)."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595, 842))
    c.setFont(FONT, 10.5)
    draw(c)
    c.showPage()
    c.save()
    return [t.raw for t in pdfreader.read_pdf(buf.getvalue()).tokens]


@needs_cjk_font
@pytest.mark.parametrize("pitch", [12, 13.5, 15])
def test_close_rows_of_a_table_ruled_only_around_it_keep_their_own_values(pitch):
    # rows a line apart, vertical rules, horizontal rules only above and below the table: a row is
    # no wrapped label of the row above it (an earlier rule glued their numbers: '347', '5611')
    def draw(c):
        xs, y = [60, 260, 360, 460], 700
        for label, a, b in [("本年新收申请数量", "3", "5"), ("上年结转申请数量", "4", "6"), ("办理结果总计", "7", "11")]:
            c.drawString(63, y, label)
            c.drawString(308, y, a)
            c.drawString(408, y, b)
            y -= pitch
        c.line(60, 714, 460, 714)
        c.line(60, y + pitch - 4, 460, y + pitch - 4)
        for x in xs:
            c.line(x, y + pitch - 4, x, 714)
    assert _drawn(draw) == ["本年新收申请数量", "3", "5", "上年结转申请数量", "4", "6", "办理结果总计", "7", "11"]


@needs_cjk_font
def test_condensed_text_is_read_as_printed():
    # characters set closer than their width (character spacing -1.5 pt) are no digits printed over
    # each other: nothing is marked unreadable
    def draw(c):
        t = c.beginText(60, 700)
        t.setFont(FONT, 10.5)
        t.setCharSpace(-1.5)
        t.textLine("1.属于国家秘密 1,234")
        c.drawText(t)
    assert "\ufffd" not in "".join(_drawn(draw))


MARKED = "28@"  # a cell's text drawn as 28 with a footnote's mark 1 beside it (`_with_mark`)


def _with_mark(monkeypatch, scale: float, rise: float, by_text_rise: bool = False) -> None:
    """The PDF writer draws MARKED as 28 and a mark 1 right after it: `scale` of the size, its baseline
    `rise` of the size above the number's (below, if negative), moved by a text position, as Word and
    WPS export a superscript, or by the text rise (`Ts`)."""
    from reportlab.pdfbase import pdfmetrics

    draw = canvas.Canvas.drawString

    def drawString(self, x, y, text, *args, **kw):  # noqa: N802 - reportlab's name
        if text != MARKED:
            return draw(self, x, y, text, *args, **kw)
        font, size = self._fontname, self._fontsize
        draw(self, x, y, "28")
        at = x + pdfmetrics.stringWidth("28", font, size)
        if by_text_rise:
            t = self.beginText(at, y)
            t.setFont(font, size * scale)
            t.setRise(rise * size)
            t.textOut("1")
            t.setRise(0)  # (the text rise is the page's state: the text after it is not moved)
            self.drawText(t)
        else:
            self.setFont(font, size * scale)
            draw(self, at, y + rise * size, "1")
        self.setFont(font, size)
    monkeypatch.setattr(canvas.Canvas, "drawString", drawString)


@needs_cjk_font
@pytest.mark.parametrize("scale, rise, by_text_rise, raw, why", [
    (0.6, 0.35, False, "28¹", "上标"), (0.6, 0.35, True, "28¹", "上标"), (1.0, 0.25, False, "28¹", "上标"),
    (0.6, -0.2, False, "28₁", "下标"), (0.6, 0.0, False, "281", "小得多")],
    ids=["raised", "raised-by-text-rise", "raised-full-size", "lowered", "smaller"])
def test_a_footnotes_mark_beside_a_number_is_no_digit_of_it(monkeypatch, scale, rise, by_text_rise, raw, why):
    """A mark printed after a number (28 and a 1 raised, lowered, or smaller on its line) leaves its
    cell unreadable, the raised and lowered one written as it prints: the code before joined it to the
    number, 281 read ok."""
    s = busy("gov2021", 2023, seed=1)
    s.applications[("new_received", "natural_person")] = MARKED
    _with_mark(monkeypatch, scale, rise, by_text_rise)
    _, got = read_back(s)
    c = got[("applications", "new_received", "natural_person")]
    assert (c.raw, c.value, c.status) == (raw, None, "unreadable") and why in c.reason
    assert _read_wrong(s, got) == []
    assert sum(c.status == "unreadable" for c in got.values()) == 1


@needs_cjk_font
@pytest.mark.parametrize("scale, rise", [(0.6, 0.8), (1.0, 0.8), (1.0, 0.9)], ids=["smaller", "full-size", "full-size-higher"])
def test_a_mark_raised_off_its_numbers_line_is_no_rest_of_a_wrapped_number(monkeypatch, scale, rise):
    """A mark raised further than a superscript is (0.8 of the size), on a line of its own over its
    row: the code before joined it to the row's number as the first piece of a wrapped one, 128 read
    ok. Much smaller than the number, or right of it (a number's first line is its widest, the rest
    under it), it is no piece of it: the row is unreadable."""
    s = busy("gov2021", 2023, seed=1)
    s.applications[("new_received", "natural_person")] = MARKED
    _with_mark(monkeypatch, scale, rise)
    _, got = read_back(s)
    c = got[("applications", "new_received", "natural_person")]
    assert (c.value, c.status) == (None, "unreadable")
    assert _read_wrong(s, got) == []


@needs_cjk_font
def test_a_mark_a_line_over_its_number_is_left_out(monkeypatch):
    """A mark of the number's size a whole line over it, right of it, joins nothing: the number printed
    is read (nearer, 0.8–0.9 of a line over it, its row is unreadable)."""
    s = busy("gov2021", 2023, seed=1)
    s.applications[("new_received", "natural_person")] = MARKED
    _with_mark(monkeypatch, 1.0, 1.1)
    _, got = read_back(s)
    c = got[("applications", "new_received", "natural_person")]
    assert (c.raw, c.value, c.status) == ("28", 28.0, "ok")
    assert [k for k, v in got.items() if v.status != "ok"] == []


@needs_cjk_font
def test_a_numbers_digits_a_little_apart_in_size_baseline_or_font_are_one_number():
    """Digits of one number drawn each on its own: baselines up to half a point apart, sizes 10.5 and
    10, and two fonts whose boxes differ in height at one size (the CJK font's and Helvetica's) are
    one number, read as printed."""
    def draw(c):
        for k, (d, dy, size) in enumerate(zip("1234", (0, 0.5, -0.4, 0.2), (10.5, 10, 10.5, 10), strict=True)):
            c.setFont(FONT, size)
            c.drawString(60 + 5.25 * k, 700 + dy, d)
        c.setFont(FONT, 10.5)
        c.drawString(60, 650, "56")
        c.setFont("Helvetica", 10.5)
        c.drawString(60 + 10.5, 650, "78")
        c.setFont(FONT, 10.5)
        c.drawString(60, 600, "本行之后没有别的文字")
    assert _drawn(draw) == ["1234", "5678", "本行之后没有别的文字"]


# ---------------------------------------------------------------- PDFs that cannot be read


def _plain_pdf(pages: int = 1, text: bool = True, **kw) -> bytes:
    buf = io.BytesIO()
    c = canvas.Canvas(buf, **kw)
    for k in range(pages):
        if text:
            c.setFont(FONT, 12)
            c.drawString(72, 700, f"第{k + 1}页 政府信息公开工作年度报告")
        else:
            c.rect(72, 600, 300, 100, fill=1)
        c.showPage()
    c.save()
    return buf.getvalue()


def test_encrypted_pdf_is_unreadable():
    from reportlab.lib import pdfencrypt

    data = _plain_pdf(encrypt=pdfencrypt.StandardEncryption("secret", ownerPassword="owner"))
    r = read_document("e.pdf", data)
    assert (r.format, r.status, r.reason) == ("pdf", "unreadable", "PDF 已加密，需要密码才能打开")


def test_malformed_truncated_and_zero_page_pdfs_never_raise():
    good = render_pdf(busy("gov2021", 2023, seed=1))
    assert read_document("r.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 50).reason == "不是有效的 PDF 或文件已损坏"
    zero = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
            b"trailer<</Root 1 0 R>>\n%%EOF\n")
    r = read_document("z.pdf", zero)
    assert r.status == "unreadable" and r.reason in ("PDF 没有页面", "不是有效的 PDF 或文件已损坏")
    for cut in (len(good) // 3, len(good) // 2, len(good) - 200):
        r = read_document("t.pdf", good[:cut])
        assert r.format == "pdf" and r.status in ("parsed", "partial", "not_a_report", "unreadable") and r.reason


_READ = """import json, sys
from gkqc.readers import read_document
from gkqc.readers.pdf import system_cjk_font
r = read_document("r.pdf", open(sys.argv[1], "rb").read())
print(json.dumps([system_cjk_font(), r.status, r.reason]))"""


def _read_without_system_fonts(path: Path, tmp_path: Path) -> tuple[bool, str, str]:
    """(whether a CJK font stood in, status, reason) of the file read on this machine without its
    fonts: in a mount namespace with an empty /usr/share/fonts where it has any."""
    cmd = [sys.executable, "-c", _READ, str(path)]
    if pdfreader.system_cjk_font():
        if shutil.which("unshare") is None or os.geteuid() != 0:
            pytest.skip("this machine has a CJK font and cannot hide it (unshare as root)")
        empty = tmp_path / "no-fonts"
        empty.mkdir()
        cmd = ["unshare", "--mount", "sh", "-c", 'mount --bind "$1" /usr/share/fonts && shift && exec "$@"',
               "sh", str(empty), *cmd]
    done = subprocess.run(cmd, cwd=Path(__file__).parents[1], capture_output=True, text=True, timeout=120)
    if done.returncode != 0 and "Traceback" not in done.stderr:  # unshare or mount refused: Python never ran
        pytest.skip(f"cannot hide this machine's fonts: {done.stderr.strip()[:200]}")
    assert done.returncode == 0, done.stderr
    return tuple(json.loads(done.stdout.splitlines()[-1]))


def test_a_cjk_font_neither_embedded_nor_on_the_machine_leaves_the_file_unread_not_misread(tmp_path):
    """pdfium loses the text objects of one CJK character in a font it has no face for: the last
    digit of a full-width number wrapped in its cell (２６８ over ６) would read as 268. Unreadable,
    naming the page, the font and the package that lets it be read."""
    s = busy("gov2021", 2022, seed=3)
    s.applications[("new_received", "natural_person")] = "２６８６"
    path = tmp_path / "r.pdf"
    path.write_bytes(render_pdf(s, font=FONT))
    stood_in, status, reason = _read_without_system_fonts(path, tmp_path)
    assert not stood_in
    assert status == "unreadable"
    assert re.fullmatch(r"PDF 第\d+页有 \d+ 处文字读不出：所用字体（STSong-Light）未嵌入文件，本机没有可代替的中文字体"
                        r"（安装 fonts-noto-cjk 后重新读取）", reason), reason


def test_scanned_pdf_without_text_layer():
    """No text on its pages: read by OCR (tests/test_read_ocr.py), which finds none in black boxes."""
    r = read_document("scan.pdf", _plain_pdf(2, text=False))
    assert (r.format, r.status) == ("scanned_pdf", "unreadable")
    assert r.reason in (ocr.MISSING, "扫描件 PDF 经 OCR 未识别出文字（共 2 页），可能是空白页或图像无法辨认")


def test_page_limit_and_time_budget(monkeypatch):
    data = _plain_pdf(3)
    monkeypatch.setattr(pdfreader, "MAX_PAGES", 2)
    r = read_document("big.pdf", data)
    assert (r.status, r.reason) == ("unreadable", "PDF 共 3 页，超过单个文件 2 页的上限，未读取")
    monkeypatch.setattr(pdfreader, "MAX_PAGES", 200)
    monkeypatch.setattr(pdfreader, "TIME_BUDGET_S", 0.0)
    r = read_document("slow.pdf", data)
    assert r.status == "unreadable" and r.reason.startswith("读取 PDF 超过时限（0 秒，已读 ")


@needs_sample
def test_hongze_is_read_and_checked_as_printed(tmp_path):
    """A 2021-template report printing （六）其他处理 as one row: the registry's variant; the row is
    kept under its own id, the three sub-rows are absent, and A2 sums what is printed."""
    rep = hongze().report
    assert (rep.template, rep.template_variant) == ("gov2021", "gov2021_other_one_row")
    assert not [c for c in rep.cells if c.row_id in ("other_no_correction", "other_no_fee", "other_else")]
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / HONGZE.name).write_bytes(HONGZE.read_bytes())
    lake = Lake(tmp_path / "lake")
    ingest(inbox, lake, "t1", workers=0)
    check_lake(lake, "t1")
    res = pl.read_parquet(lake.paths("check_results"))
    exp = _hongze_expected()
    results_rows = ("granted", "partial", "denied_", "unable_", "unprocessed_", "other_handling")
    for col in ("natural_person", "commercial", "total"):
        printed = sum(v or 0 for k, v in exp.items() if k.startswith("applications.")
                      and k.split(".")[1].startswith(results_rows) and k.endswith(f".{col}"))
        a2 = res.filter((pl.col("check_id") == "A2") & (pl.col("subject") == col)).row(0, named=True)
        assert a2["status"] == ("pass" if printed == exp[f"applications.results_total.{col}"] else "fail")
        assert a2["expected"] == printed
    s3 = res.filter((pl.col("check_id") == "S3") & (pl.col("status") == "fail"))
    assert not s3.filter(pl.col("subject").str.starts_with("other_")).height


@needs_cjk_font
@pytest.mark.parametrize("template, year, cell, printed", [
    ("gov2021", 2023, ("applications", "granted", "total"), "12,345,678"),
    ("gov2019", 2020, ("reviews", "suit_direct", "other"), "84,498,307"),
    ("gov2019", 2020, ("applications", "partial", "research"), "10,556,883")],
    ids=["row-of-one-line", "section-four", "beside-a-wrapped-label"])
def test_a_number_wrapped_at_its_separator_is_read_whole(template, year, cell, printed):
    """A long number wraps in its narrow cell after a comma ('12,345,' / '678'): the piece that is
    no number of its own still joins the rest, never leaving '678' as the value. Beside a label that
    wraps too, the first piece is printed on the label's first line, over the row's other values,
    and the rest under them (the code before read 883)."""
    s = busy(template, year, seed=1)
    getattr(s, cell[0])[cell[1:]] = printed
    _, got = read_back(s)
    c = got[cell]
    assert (c.raw, c.value, c.status) == (printed, expected(s)[cell], "ok")


@needs_cjk_font
def test_a_number_printed_over_section_fours_row_without_rules_leaves_it_unreadable():
    """Section 四 without rules, numbers at their cells' right: a number wider than its cell is
    printed on a line of its own over the row of values. Two lines of values only, close together:
    nothing tells which cells the upper one holds, so the row is unreadable (the code before read
    the fourteen values into the first fourteen cells: twelve wrong)."""
    s = busy("gov2019", 2020, seed=1)
    s.reviews[("suit_after_review", "total")] = "10,556,883"
    _, got = read_back(s, ruled=False, align="right", repeat_header=True)
    assert _read_wrong(s, got) == []
    assert {c.status for k, c in got.items() if k[0] == "reviews"} == {"unreadable"}


@needs_cjk_font
def test_a_number_wrapped_over_three_lines_in_section_four_is_read_whole():
    """Text at its cells' top: a number wraps over three lines of its narrow cell ('６３８，' / '７１'
    / '３'); the third piece is two lines under the row, right under the second. It joins the number
    (the code before left it a row of its own and read section 四 one cell out: thirteen wrong)."""
    s = busy("gov2021", 2023, seed=1)
    s.reviews[("review", "upheld")] = "６３８，７１３"
    _, got = read_back(s, top=True, align="left")
    assert {k: c.value for k, c in got.items() if k[0] == "reviews"} == \
        {k: v for k, v in expected(s).items() if k[0] == "reviews"}


def test_text_either_side_of_a_vertical_rule_is_two_cells_and_a_flat_character_keeps_its_width():
    """As Chromium prints a table: a label and its number 0.3 points apart, a cell's border between
    them, are two cells (the code before read 行政事业性收费85.9405 as one label); 一, its box one
    point high, is as wide as the characters beside it and stays in their chunk (the code before
    split 第（一）项 into three)."""
    def chars(text: str, x: float, w: float = 12.0):
        return [(ch, x + w * k, 499.6, x + w * (k + 1) - 0.3, 511.6) for k, ch in enumerate(text)]

    fee = chars("收费", 40.0) + chars("85.9", 64.0, 6.0)
    lines, _ = page_lines(fee, 1, 1, (0.0, 0.0, 595.0, 842.0), upright=[(63.85, 490.0, 520.0)])
    assert [c.raw for c in lines[0].chunks] == ["收费", "85.9"]
    lines, _ = page_lines(fee, 1, 1, (0.0, 0.0, 595.0, 842.0))
    assert [c.raw for c in lines[0].chunks] == ["收费85.9"]  # no rule: one text
    flat = chars("第（", 85.5) + [("一", 110.03, 505.19, 121.02, 506.17)] + chars("）项", 121.5)
    lines, _ = page_lines(flat, 1, 1, (0.0, 0.0, 595.0, 842.0))
    assert [c.raw for c in lines[0].chunks] == ["第（一）项"]


def test_a_number_in_a_tables_cell_near_the_pages_edge_is_no_page_number():
    """A browser's narrow margins put a table's first line at 94% of the page's height; there the
    first piece of a wrapped number (４６ of ４６４５) was taken for a page number and dropped, and the
    row read 45. Between two vertical rules it is in a cell; a number outside one still is a page's."""
    digits = [(ch, 300.0 + 9 * k, 790.0, 309.0 + 9 * k, 799.0) for k, ch in enumerate("４６")]
    box = (0.0, 0.0, 595.0, 842.0)
    lines, _ = page_lines(digits, 3, 1, box, upright=[(290.0, 700.0, 810.0), (330.0, 700.0, 810.0)])
    assert not lines[0].furniture
    lines, _ = page_lines(digits, 3, 1, box)
    assert lines[0].furniture


def test_a_rule_drawn_in_pieces_is_one_rule():
    """Chromium draws each cell's border on its own: pieces at one height that meet are one rule,
    so a rule between two rows is seen whatever the width of each cell."""
    from gkqc.readers.pdf_page import _joined

    pieces = [(500.2, 160.0, 200.0), (500.0, 40.0, 100.0), (500.4, 100.0, 160.5), (300.0, 40.0, 60.0), (300.0, 90.0, 99.0)]
    assert _joined(pieces) == [(300.0, 40.0, 60.0), (300.0, 90.0, 99.0), (500.0, 40.0, 200.0)]


def test_a_line_is_placed_by_its_own_characters_not_a_vertical_label_beside_it():
    """As pdfium gives the 41,054, of a generated PDF: the character of a vertical label (、 of
    三、本年度…) printed 3.1 points over a row's line, the row's digits, and its commas, whose boxes
    reach 0.6 points lower. The line is the row's characters (the code before measured it from the
    、 and put the commas on a line of their own: the row read 41054 and the rest was lost)."""
    label = [(ch, 88.0 + 9 * k, 96.7, 97.0 + 9 * k, 105.7) for k, ch in enumerate("（二）部分公开")]
    digits = [(ch, x, 96.7, x + 5.0, 105.7) for ch, x in zip("41054", (433.5, 438.5, 446.0, 451.0, 456.0), strict=True)]
    commas = [(",", 443.5, 96.1, 446.0, 105.7), (",", 461.0, 96.1, 463.5, 105.7)]
    vertical = [("、", 66.5, 99.8, 75.5, 108.8)]
    lines, _ = page_lines(vertical + label + digits + commas, 1, 1, (0.0, 0.0, 595.0, 842.0))
    assert [[c.raw for c in ln.chunks] for ln in lines] == [["、", "（二）部分公开", "41,054,"]]


@needs_cjk_font
def test_a_number_wrapped_over_three_lines_beside_its_wrapped_label_is_read_whole():
    """Text at its cells' top: a number wraps over three lines of its cell ('８４４' / '，７２' / '１'),
    each piece on a line of the row's wrapped label (…逾期不补正 / 、行政机关不再处理其政府信息 /
    公开申请). The third piece lies nearer the next row than its own, and joins its own: right
    under the pieces joined already, and no start of the next row's number (the code before read
    '８４４，７２' and the cell was unreadable; a tie between the two rows read it 844)."""
    s = busy("gov2021", 2023, seed=1)
    s.applications[("other_no_correction", "total")] = "８４４，７２１"
    _, got = read_back(s, top=True, align="left")
    c = got[("applications", "other_no_correction", "total")]
    assert (c.raw, c.value, c.status) == ("８４４，７２１", 844721.0, "ok")
    assert {k: c.value for k, c in got.items()} == expected(s)


@needs_cjk_font
def test_the_last_piece_of_a_wrapped_number_is_never_the_next_rows():
    """Text at its cells' top: a number wrapped after its separator ('１５０' / '，０８２') prints its
    last piece two lines under its row, on the line over the next row. That piece starts with the
    separator, so it is no start of the next row's number: the row is never read as 150 (a looser
    rule for the first piece of a number read it so)."""
    s = busy("gov2021", 2023, seed=1)
    s.applications[("other_no_fee", "social_org")] = "１５０，０８２"
    _, got = read_back(s, top=True, align="left")
    assert _read_wrong(s, got) == []


@needs_cjk_font
def test_a_glyph_the_file_gives_no_text_for_leaves_its_cell_unreadable():
    """The font these PDFs are drawn in has no minus sign (U+2212): `−50` prints a box and 50, and
    pdfium gives the box as a character without text. The cell is unreadable, naming the sign it
    cannot read (the code before dropped the character and read 50)."""
    s = busy("gov2021", 2023, seed=1)
    s.applications[("granted", "natural_person")] = "−50"
    _, got = read_back(s)
    c = got[("applications", "granted", "natural_person")]
    assert (c.raw, c.value, c.status) == ("\ufffd50", None, "unreadable")
    assert "\ufffd" in c.reason


@needs_cjk_font
def test_text_in_a_value_cell_does_not_move_the_columns_of_a_table_without_rules():
    """Numbers at their cells' right, no rules, some four or five digits wide: one cell holds text
    (`增36`), printed as wide as it is, its right side off the column's. The columns are still found
    by the numbers' right sides: that cell is unreadable and every other is read (the code before
    fell back to the numbers' middles, found a column that is not there and read the row one cell
    out: the total 0, a cell blank)."""
    s = busy("gov2021", 2023, seed=1)
    s.applications[("denied_enforcement_file", "total")] = "增36"
    for k, v in zip([("unable_not_held", "natural_person"), ("denied_three_safety", "social_org"),
                     ("carried_forward", "commercial")], ["45917", "41211", "8830"], strict=True):
        s.applications[k] = v
    _, got = read_back(s, ruled=False, align="right", repeat_header=True)
    assert _read_wrong(s, got) == []
    assert got[("applications", "denied_enforcement_file", "total")].status == "unreadable"


@needs_cjk_font
@pytest.mark.parametrize("cells, layout, why", [
    ({("partial", "total"): "4705901"}, dict(align="center"), "紧贴"),
    ({("new_received", "research"): "1", ("new_received", "social_org"): "3167944"}, dict(align="right"), "相邻空白列")],
    ids=["wrapped-beside-the-label", "run-into-the-next-cell"])
def test_a_number_too_wide_for_its_cell_without_rules_leaves_its_row_unreadable(cells, layout, why):
    """Without rules: a number wrapped in its cell, its last piece printed on the line where the
    row's label wraps (the code before read the first piece alone, `470590`); a number running left
    over the place of the column beside it, against that column's value (read as one, `13167944`)."""
    s = busy("gov2021", 2023, seed=1)
    s.applications.update(cells)
    _, got = read_back(s, ruled=False, top=True, **layout)
    row = [c for k, c in got.items() if k[:2] == ("applications", next(iter(cells))[0])]
    assert {c.status for c in row} == {"unreadable"} and all(why in c.reason for c in row)
    assert _read_wrong(s, got) == []


def test_the_rest_of_a_number_printed_low_in_its_ruled_cell_joins_it():
    # a row made taller by a group's label beside it: the number's last piece wraps 1.7 lines under
    # it, inside the same ruled cell (the code before left it a row of its own, and read `838966`)
    def row():  # (joining changes the row)
        return Line(1, 1, 700.0, 9.0, [_chunk("4.保护第三方合法权益", 100, 700), _chunk("838966", 300, 700, True)],
                    data=True)

    piece = Line(2, 1, 685.0, 9.0, [_chunk("57", 318, 685, True)], data=True)
    rules = {1: PageRules([670.0, 715.0], [(670.0, 50.0, 550.0), (715.0, 50.0, 550.0)],
                          [(x, 670.0, 715.0) for x in (50.0, 290.0, 360.0, 550.0)])}
    joined = join_wrapped_values([row(), piece], rules)
    assert [[c.raw for c in ln.chunks] for ln in joined] == [["4.保护第三方合法权益", "83896657"]]
    far = Line(2, 1, 676.0, 9.0, [_chunk("57", 318, 676, True)], data=True)  # 2.7 lines under: a line of its own
    assert len(join_wrapped_values([row(), far], rules)) == 2



@pytest.mark.parametrize("first, first_x, rest, rest_x, dy, joined", [
    ("838", 304, "966", 295, 11, "838966"), ("83", 313, "8966", 295, 11, "838966"),  # the first line indented
    ("1,23", 295, "4,567", 295, 11, "1,234,567"), ("8389", 295, "66", 313, 11, "838966"),  # a longer second; right-aligned
    ("1", 313, "28", 295, 8, None)], ids=["indent-1", "indent-2", "longer-second", "right", "mark-beside-the-end"])
def test_a_numbers_first_line_indented_joins_its_rest_a_mark_beside_its_end_does_not(first, first_x, rest, rest_x, dy, joined):
    """A number wrapped in its ruled cell, its first line indented (首行缩进, as a body style gives a table's
    cells) or shorter than the next: the code of ed8de2a took the pieces for a mark beside the number, and
    left the row unreadable. A piece right of the number's end, less than a line over it, is a mark's."""
    row = Line(1, 1, 700.0, 9.0, [_chunk("4.保护第三方合法权益", 100, 700), _chunk(first, first_x, 700, True)], data=True)
    piece = Line(2, 1, 700.0 - dy, 9.0, [_chunk(rest, rest_x, 700 - dy, True)], data=True)
    rules = {1: PageRules([670.0, 715.0], [(670.0, 50.0, 550.0), (715.0, 50.0, 550.0)],
                          [(x, 670.0, 715.0) for x in (50.0, 290.0, 340.0, 550.0)])}
    got = [[c.raw for c in ln.chunks] for ln in join_wrapped_values([row, piece], rules)]
    assert got == ([["4.保护第三方合法权益", joined]] if joined else [["4.保护第三方合法权益", first], [rest]])


def test_a_line_of_values_closer_to_a_row_than_rows_lie_leaves_its_row_unreadable():
    # no rules: the rest of a number wrapped at a wide line spacing lies 1.6 lines under its row,
    # closer than the rows' 2.2 lines, with a group's label beside it (the code before read `678602`
    # for 67860276 and left the `76` a row of the group's label)
    def row(no: int, y: float, label: str, *values: str) -> Line:
        return Line(no, 1, y, 9.0, [_chunk(label, 160, y)] + [_chunk(v, 300 + 35 * k, y, True)
                                                              for k, v in enumerate(values)], data=True)

    rows = [row(1, 576.0, "8.属于行政查询事项", "0", "0"), row(2, 556.3, "1.本机关不掌握相关政府信息", "35", "44"),
            row(3, 536.6, "2.没有现成信息需要另行制作", "2", "678602")]
    rest = Line(4, 1, 522.0, 9.0, [_chunk("76", 337, 522, True)], data=True)
    after = [row(5, 502.3, "3.补正后申请内容仍不明确", "2", "2"), row(6, 482.6, "1.信访举报投诉类申请", "3", "3")]
    assert stacked_rows(rows + [rest] + after, None) == {3, 4}
    beside = Line(4, 1, 522.0, 9.0, [_chunk("（四）无法提供", 88, 522), _chunk("76", 337, 522, True)], data=True)
    assert stacked_rows(rows + [beside] + after, None) == {3, 4}  # the group's label on the rest's line
    narrow = Line(4, 1, 522.0, 9.0, [_chunk("（四）无法提供", 88, 522), _chunk("2", 300, 522, True)], data=True)
    assert stacked_rows(rows + [narrow] + after, None) == set()  # under a narrow value: a row of its own
    own = Line(4, 1, 514.0, 9.0, [_chunk("76", 337, 514, True)], data=True)  # a row whose label is on lines round it
    spaced = [Line(r.no, 1, r.cy - 8.0, 9.0, r.chunks, data=True) for r in after]
    assert stacked_rows(rows + [own] + spaced, None) == set()
    piece = Line(4, 1, 533.4, 9.0, [_chunk("76", 337, 533, True)], data=True)  # right under its row,
    near = [row(5, 517.0, "3.补正后申请内容仍不明确", "2", "2"), row(6, 497.3, "1.信访举报投诉类申请", "3", "3")]
    assert stacked_rows(rows + [piece] + near, None) == {3, 4}  # not the next row's, 16.4 under it



def test_a_number_printed_half_a_line_over_its_row_leaves_the_row_unreadable():
    # middle-aligned in a taller ruled cell, the number of a row's first cell stands 4 points over
    # the row's other values, on the line of the group's label beside it: the code before read the
    # cell blank and left the number to the group's label
    group = Line(1, 1, 531.5, 9.0, [_chunk("（三）不予公开", 88, 531.5), _chunk("32524094", 270, 531.5, True)], data=True)
    row = Line(2, 1, 527.5, 9.0, [_chunk("5.属于三类内部事务信息", 174, 527.5), _chunk("1", 353, 527.5, True),
                                  _chunk("4", 528, 527.5, True)], data=True)
    assert stacked_rows([group, row], None) == {1, 2}
    blank = Line(2, 1, 527.5, 9.0, [_chunk("3.要求提供公开出版物", 174, 527.5)], blank=True)  # no values
    label = Line(1, 1, 531.5, 9.0, [_chunk("（五）不予处理", 88, 531.5)], blank=True)
    assert stacked_rows([label, blank], None) == set()



def test_a_number_printed_against_its_rows_label_leaves_the_row_unreadable():
    # no rules, numbers at their cells' right: the first cell's number runs left into the row's
    # label, printed a little higher, and is read as its last characters (`…不75189409`); the code
    # before read the row's six other values and the first cell blank
    def row(no: int, y: float, label: str | None, values: list[tuple[str, float]]) -> Line:
        chunks = ([_chunk(label, 156, y)] if label else []) + [_chunk(v, x, y, True) for v, x in values]
        return Line(no, 1, y, 9.0, chunks, data=True)

    def lines(tail: str) -> list[Line]:
        return [row(1, 663.2, "（一）予以公开", [("452", 300), ("81", 345), ("7", 388)]),
                Line(2, 1, 643.5, 9.0, [_chunk("（二）部分公开（区分处理的，只计这一情形，不" + tail, 88, 643.5)]),
                row(3, 637.7, None, [("20", 345), ("2", 388)]),
                Line(4, 1, 631.8, 9.0, [_chunk("计其他情形）", 160, 631.8)]),
                row(5, 612.1, "1.属于国家秘密", [("5", 300), ("0", 345), ("0", 388)])]

    got = lines("75189409")
    find_tables(got)
    assert [ln.against for ln in got] == [False, False, True, False, False]
    assert {t.note for t in line_tokens(lines("75189409")) if t.line == 3} == {AGAINST}
    got = lines("计其他情")  # a label as long, without a number at its end
    find_tables(got)
    assert not any(ln.against for ln in got)
    # the values at their cells' top: the number runs into the label on the row's own line
    same_line = [row(1, 663.2, "（一）予以公开", [("452", 300), ("81", 345), ("7", 388)]),
                 Line(2, 1, 643.5, 9.0, [_chunk("（二）部分公开（区分处理的，只计这一情形，不70630294", 88, 643.5),
                                         _chunk("1", 388, 643.5, True)], data=True),
                 Line(3, 1, 631.8, 9.0, [_chunk("计其他情形）", 160, 631.8)]),
                 row(4, 612.1, "1.属于国家秘密", [("5", 300), ("0", 345), ("0", 388)])]
    assert {t.note for t in line_tokens(same_line) if t.line == 2 and t.cell} == {AGAINST}


def test_the_rest_of_a_number_on_the_line_of_a_groups_label_joins_it():
    # the group's label (（五）不予处理), printed left of its rows in the middle of the group, falls on
    # the line of the number's last piece; the block's vertical label lies between in reading order
    # (the code before found no row beside that line and read `182363` for 18236316)
    def lines():  # the row, the block's label, the group's label with the number's last piece
        return [Line(1, 1, 697.0, 9.0, [_chunk("3.要求提供公开出版物", 180, 697), _chunk("182363", 399, 697, True)],
                     data=True),
                Line(2, 1, 697.0, 9.0, [_chunk("办理结果", 66, 697)]),
                Line(3, 1, 683.0, 9.0, [_chunk("（五）不予处理", 88, 683), _chunk("16", 409, 683, True)], data=True)]

    upright = [(x, 673.0, 707.0) for x in (80.0, 160.0, 290.0, 396.0, 460.0, 550.0)]
    rules = {1: PageRules([673.0, 707.0], [(673.0, 160.0, 550.0), (707.0, 80.0, 550.0)], upright)}
    joined = join_wrapped_values(lines(), rules)
    assert [c.raw for c in joined[0].chunks] == ["3.要求提供公开出版物", "18236316"]
    assert [c.raw for c in joined[2].chunks] == ["（五）不予处理"] and not joined[2].data
    ruled_off = {1: PageRules([673.0, 690.0, 707.0], [(673.0, 160.0, 550.0), (690.0, 160.0, 550.0), (707.0, 80.0, 550.0)],
                              upright)}
    kept = join_wrapped_values(lines(), ruled_off)  # a row of its own under a rule
    assert [c.raw for c in kept[0].chunks] == ["3.要求提供公开出版物", "182363"] and kept[2].data


def test_a_number_on_the_line_of_a_groups_label_over_its_rows_empty_cell_is_that_rows():
    # a number too wide for its ruled cell printed higher, on the line of the group's label (（四）无法提供)
    # above its row, whose own line prints nothing in that cell: the code before left the number on
    # the label's line, dropped there, and read the row's cell blank (32303657 read as 空)
    def lines(own: str | None = None):  # the row above, the group's label with the number, the row
        below = [_chunk("2.没有现成信息需要另行制作", 180, 690), _chunk("2", 420, 690, True)]
        if own is not None:
            below.insert(1, _chunk(own, 330, 690, True))
        return [Line(1, 1, 722.0, 9.0, [_chunk("1.本机关不掌握相关政府信息", 180, 722), _chunk("18", 300, 722, True),
                                        _chunk("6", 420, 722, True)], data=True),
                Line(2, 1, 702.0, 9.0, [_chunk("（四）无法提供", 88, 702), _chunk("32303657", 296, 702, True)], data=True),
                Line(3, 1, 690.0, 9.0, below, data=True)]

    upright = [(x, 675.0, 735.0) for x in (80.0, 160.0, 290.0, 396.0, 460.0, 550.0)]
    rules = {1: PageRules([675.0, 710.0, 735.0], [(675.0, 80.0, 550.0), (710.0, 160.0, 550.0), (735.0, 80.0, 550.0)],
                          upright)}
    joined = join_wrapped_values(lines(), rules)
    assert [c.raw for c in joined[2].chunks] == ["2.没有现成信息需要另行制作", "32303657", "2"]
    assert [c.raw for c in joined[1].chunks] == ["（四）无法提供"] and not joined[1].data
    taken = join_wrapped_values(lines(own="7"), rules)  # the row prints its own number there: not its
    assert [c.raw for c in taken[1].chunks] == ["（四）无法提供", "32303657"] and taken[1].data
    ruled_off = {1: PageRules([675.0, 696.0, 710.0, 735.0],
                              [(675.0, 80.0, 550.0), (696.0, 160.0, 550.0), (710.0, 160.0, 550.0), (735.0, 80.0, 550.0)],
                              upright)}
    kept = join_wrapped_values(lines(), ruled_off)  # a rule between: a row of its own
    assert [c.raw for c in kept[1].chunks] == ["（四）无法提供", "32303657"] and kept[1].data


@needs_cjk_font
@pytest.mark.parametrize("template, year, seed, cells", [
    ("gov2019", 2020, 11, {("denied_process", "legal_service"): "−24", ("denied_enforcement_file", "total"): "271#",
                           ("unprocessed_repeat", "legal_service"): " 4977", ("new_received", "other_org"): "2654个"}),
    ("gov2021", 2023, 23, {("denied_internal", "natural_person"): "31420\u3000", ("denied_internal", "total"): "８０４００２",
                           ("unprocessed_publication", "commercial"): "减23", ("carried_over", "total"): "４２３９３５"})],
    ids=["text-in-a-cell", "wide-numbers"])
def test_a_table_without_rules_found_wider_than_its_template_reads_no_row_by_guess(template, year, seed, cells):
    """Numbers at their cells' right, no rules: cells printed off their columns (text whose right side
    is not the numbers', numbers too wide for their cells) make columns that are not there, so each
    row has more cells than the template. A row whose empty cells could be blank values or those
    columns is unreadable, and so is one with a cell printed after its values (the code before read
    `0 0 0 0 空 0 0 271#` as seven values and `271#` as the next row's label: the total 0; and read
    `空 空 0 0 0 0 0 空 空` one column out)."""
    from builders import spec
    s = spec(template, year, seed=seed, office="青山市交通运输局")
    s.applications.update(cells)
    _, got = read_back(s, ruled=False, align="right", repeat_header=True, overview_times=1)
    assert _read_wrong(s, got) == []
    row = next(iter(cells))[0] if template == "gov2021" else "denied_enforcement_file"
    assert {got[("applications", row, c)].status for c in ("natural_person", "total")} == {"unreadable"}


@needs_cjk_font
def test_a_number_running_across_its_cells_border_leaves_its_row_unreadable():
    """Ruled cells, values at their cells' top-left: `96,222,178` runs over the border into the next
    cell, its comma printed on the rule. The rule splits it into pieces (`96,222`, `,`, `178`), each
    in a cell of its own; the code before read 96,222 for the number."""
    from builders import spec
    s = spec("gov2021", 2023, seed=68, office="青山市交通运输局")
    s.reviews[("suit_direct", "total")] = "96,222,178"
    _, got = read_back(s, top=True, align="left", break_before="denied_process", overview_times=1)
    assert _read_wrong(s, got) == []
    assert got[("reviews", "suit_direct", "total")].status == "unreadable"


@needs_cjk_font
def test_a_rows_values_never_go_to_a_line_of_pieces_of_numbers_below_it():
    """A row whose two numbers wrapped above and below its line (`270（` / `注）`, `92,194,` / `342`):
    the line below, with text in a value cell (`注）`), was taken for a row with a label there, and
    the row's own zeros were put in its empty cells: 342 read as the total. Each ruled cell's lines are
    its own: `270（注）` one cell, unreadable as printed, and the total's pieces one number."""
    from builders import spec
    s = spec("gov2019", 2020, seed=18, office="青山市交通运输局")
    s.applications.update({("unprocessed_massive", "total"): "92,194,342", ("unprocessed_massive", "legal_service"): "270（注）"})
    _, got = read_back(s, overview_times=1)
    assert _read_wrong(s, got) == []
    noted = got[("applications", "unprocessed_massive", "legal_service")]
    assert (noted.status, noted.raw) == ("unreadable", "270（注）")


EXPORTS = Path(__file__).parent / "data" / "pdf_exports"


@pytest.mark.parametrize("name", ["lo-vertical-label-wu", "lo-narrow-thick-rules", "lo-narrow-tiny-columns",
                                  "lo-number-wrapped-across-pages"])
def test_libreoffice_exports_found_by_a_hunt_read_without_a_wrong_value(name):
    """Generated reports' .docx as LibreOffice exports them with narrow pages, thick rules, wide line
    spacing and large fonts (`expected.json`: how each was made, the printed values). The code before
    crashed on two (a label-only row left out of its table: KeyError; a table with no value read whole:
    no median), and read two wrong: the 无 of 无正当理由… printed alone under 4. (a label a character a
    line) was a blank mark joined to 4. as a number, and the row's 0s went to the label's rest as
    blanks; a number wrapped over three lines across a page break (10 / 01 / 2) was read 2 from the
    line on the next page."""
    want = json.loads((EXPORTS / "expected.json").read_text())[name]["printed"]
    r = read_document(f"{name}.pdf", (EXPORTS / f"{name}.pdf").read_bytes())
    assert r.status in ("parsed", "partial"), r.reason
    got = {"|".join((c.table, *((c.block_id, c.row_id, c.col_id) if c.table == "active" else (c.row_id, c.col_id)))): c
           for c in r.report.cells}
    wrong = {k: (c.raw, want[k]) for k, c in got.items() if c.status in ("ok", "blank") and c.value != want[k]}
    assert not wrong


def test_a_table_with_a_number_against_a_label_or_without_its_headings_is_not_read_blank():
    """A table whose text layer shows its labels and no value is read blank only where its column
    headings stand above the labels and no digit is printed beside them: a fee printed against its
    label (`行政事业性收费453.0969`, a browser's unbordered table) is no empty table, nor is one whose
    value columns ran off the page (only the labels printed)."""
    from gkqc.readers.table_doubts import silent_rows
    from gkqc.readers.tokens import Tok

    def toks(*texts: str) -> list[Tok]:
        return [Tok(t, t, k, True) for k, t in enumerate(texts)]

    fees = next(b for b in registry().blocks_for("gov2021") if b.id == "item_8")
    assert silent_rows(toks("信息内容", "本年收费金额（单位：万元）", "行政事业性收费"), fees.rows, fees.metrics) is not None
    assert silent_rows(toks("信息内容", "本年收费金额（单位：万元）", "行政事业性收费453.0969"), fees.rows, fees.metrics) is None
    docs = next(b for b in registry().blocks_for("gov2021") if b.id == "item_1")
    heads = ("信息内容", "本年制", "本年废", "现行有", "发件数", "止件数", "效件数")  # (headings wrapped in narrow columns)
    assert silent_rows(toks(*heads, "规章", "行政规范性文件"), docs.rows, docs.metrics) is not None
    assert silent_rows(toks("信息内容", "规章", "行政规范性文件"), docs.rows, docs.metrics) is None


def test_a_number_printed_up_to_the_pages_edge_leaves_its_row_unreadable():
    """A table wider than the page, printed by a browser with no margin: 299982's last digits fell
    off the page and 2999 was read as printed. A digit within a point of the page's side leaves
    its row unreadable; a label there does not."""
    def chars(text: str, x: float, y: float, w: float = 9.0):
        return [(ch, x + w * k, y, x + w * (k + 1) - 0.3, y + 9.0) for k, ch in enumerate(text)]

    row = chars("（七）总计", 40.0, 500.0) + chars("12", 300.0, 500.0) + chars("2999", 576.0, 500.0)
    head = chars("申请人情况", 300.0, 530.0)
    lines, _ = page_lines(head + row, 1, 1, (0.0, 0.0, 612.0, 792.0))
    assert [c.edge for c in lines[1].chunks] == [False, False, True]
    toks = line_tokens(lines)
    assert {t.note for t in toks if t.cell and t.text} >= {"本行有数字印到页面边缘（表格超出页面，数字可能被截去一部分），无法确定各单元格的值"}
    lines, _ = page_lines(head + row[:-4], 1, 1, (0.0, 0.0, 612.0, 792.0))
    assert not any(t.note for t in line_tokens(lines))


def test_in_a_table_with_an_outer_border_only_a_numbers_rest_joins_the_number_over_it():
    """A table boxed by one rule (no rule between its columns or rows), `2` under `6` (62 wrapped):
    the code before took the box for the row's one cell and joined the piece to the row's first
    number (332 for 33, 6 for 62). A piece as near another row, no rule between, is joined to
    neither (`2222` a digit a line, the next row right under it: 222 and 22454)."""
    def row(label: str, y: float, *nums: tuple[str, float]) -> Line:
        return Line(int(1000 - y), 1, y, 9.0, [_chunk(label, 100, y), *(_chunk(n, x, y, True) for n, x in nums)], data=True)

    box = {1: PageRules([640.0, 720.0], [(640.0, 50.0, 550.0), (720.0, 50.0, 550.0)],
                        [(50.0, 640.0, 720.0), (550.0, 640.0, 720.0)])}
    piece = Line(302, 1, 698.0, 9.0, [_chunk("2", 500, 698, True)], data=True)
    joined = join_wrapped_values([row("规章", 709.0, ("33", 280), ("12", 400), ("6", 500)), piece], box)
    assert [[c.raw for c in ln.chunks] for ln in joined] == [["规章", "33", "12", "62"]]
    between = Line(302, 1, 698.0, 9.0, [_chunk("2", 500, 698, True)], data=True)
    lines = [row("行政许可", 709.0, ("99", 280), ("2", 500)), between, row("其他对外管理服务事项", 687.0, ("87", 280), ("2454", 500))]
    assert len(join_wrapped_values(lines, box)) == 3  # (left for the stacked rows: unreadable)


@needs_cjk_font
def test_a_block_headed_by_another_templates_columns_is_not_read_into_this_ones(monkeypatch):
    """A 2021 report printing the 2019 table, section 二's headings wrapped in narrow columns (本年新 /
    制作数 / 量) so that no heading tells its template: the year's was presumed, and the code before
    stored 本年新制作数量's values as 本年制发件数's, ok. The heading names the 2019 template's columns:
    the block's values are unreadable, and the template only presumed (S2 cannot tell)."""
    from gkqc.record import TEMPLATE_PRESUMED
    from gkqc.simulate import pdf as drawn

    table = drawn.Writer.table

    def narrow(self, widths, rows, spans=(), header=0, **kw):  # section 二's blocks: value columns 36 pt wide
        if header == 1 and len(widths) <= 4 and widths[0] == 130:
            widths = [130] + [36] * (len(widths) - 1)
        return table(self, widths, rows, spans, header=header, **kw)
    monkeypatch.setattr(drawn.Writer, "table", narrow)
    s = busy("gov2019", 2021, seed=41)
    r, got = read_back(s)
    assert r.report.template == "gov2021" and r.report.template_source.startswith(TEMPLATE_PRESUMED)
    item_1 = [c for k, c in got.items() if k[:2] == ("active", "item_1")]
    assert len(item_1) == 6 and all(c.status == "unreadable" and "2019版模板" in c.reason for c in item_1)


@needs_cjk_font
@pytest.mark.parametrize("template", ["gov2021", "gov2019"])
@pytest.mark.parametrize("key", [("review", "upheld"), ("suit_direct", "other")])
@pytest.mark.parametrize("printed", ["不详", "十万", "壹拾贰"])
def test_a_review_cell_printed_as_words_is_unreadable_as_printed(template, key, printed):
    """Section 四's row has no label: a first cell printed as words (`不详`) stood left of the table's
    first number, so it was read as label text and its cell, empty, as a silent blank. It is the
    cell's text, unreadable as printed, in the first cell or another; the other cells read as printed."""
    s = busy(template, 2022, seed=1)
    s.reviews[key] = printed
    r, got = read_back(s)
    c = got[("reviews", *key)]
    assert (c.status, c.value, c.raw) == ("unreadable", None, printed) and printed in c.reason
    assert {k: v.value for k, v in got.items() if k[0] == "reviews" and k[1:] != key} == \
        {k: v for k, v in expected(s).items() if k[0] == "reviews" and k[1:] != key}


@needs_cjk_font
@pytest.mark.parametrize("key", [("item_5", "licensing", "decisions"), ("item_6", "punishment", "decisions"),
                                 ("item_8", "fees", "fee_amount")])
@pytest.mark.parametrize("printed", ["约3", "约1200", "(5)", "不详", "十万", "约85.9万"])
def test_a_one_value_row_printed_with_words_is_unreadable_not_missing(key, printed):
    """A row of section 二 whose one value is not read whole (`行政许可  约3`) is a line of text, not a
    table's row: its value was no cell, so the cell read as not found (or, a block with no other
    row, blank). It is the row's cell, unreadable as printed, as page text reads it."""
    s = busy("gov2021", 2022, seed=1)
    s.active[key] = printed
    r, got = read_back(s)
    c = got[("active", *key)]
    assert (c.status, c.value, c.raw) == ("unreadable", None, printed) and printed in c.reason
    assert {k: v.value for k, v in got.items() if k[0] != "active" or k[1] != key[0]} == \
        {k: v for k, v in expected(s).items() if k[0] != "active" or k[1] != key[0]}


@needs_cjk_font
@pytest.mark.parametrize("template,row,col,printed", [
    ("gov2019", "new_received", "commercial", "1,234,567"),
    ("gov2021", "unprocessed_massive", "natural_person", "1,234,567"),
    ("gov2019", "carried_over", "social_org", "92,194,342")])
def test_a_number_run_past_its_cell_at_the_left_is_not_blank(template, row, col, printed):
    """Numbers at their cells' left edge: one too wide for its cell runs on into the next, printed half
    a line over its row, its last figures over themselves (`1,234,5��`). That line was the table's
    headings (or label text): its cell read blank. The row is unreadable; other rows read as printed."""
    s = busy(template, 2020 if template == "gov2019" else 2022, seed=2)
    s.applications[(row, col)] = printed
    r, got = read_back(s, align="left")
    assert got[("applications", row, col)].status == "unreadable"
    assert not any(c.status in ("ok", "blank") and c.value != expected(s)[k] for k, c in got.items())

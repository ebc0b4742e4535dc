"""One-line crawls (a page's textContent): read as reports, glued values split only when provably unique."""

import itertools
import random
import re
from collections import Counter

import polars as pl
import pytest
from builders import spec
from conftest import SAMPLES
from crawls import HEAD, TAIL, crawl_of_html, crawl_of_pagetext, text_content

from gkqc.ingest import ingest
from gkqc.lake import Lake
from gkqc.readers import glued, read_document
from gkqc.readers.crawl import GluedRun, is_crawl
from gkqc.readers.decode import sniff_text
from gkqc.readers.glued import COUNT_NOTE, DIGIT_NOTE, MAX_GLUED, TOTAL_NOTE
from gkqc.simulate.render import render_html, render_legacy, render_pagetext, render_pdftext
from gkqc.simulate.truth import cell_values
from gkqc.templates import registry

ALI = SAMPLES / "ali-2020-annual-report.txt"  # the samples' copies in the repository
YEARS = {"gov2019": 2020, "gov2021": 2023}
OFFICE = "青山市交通运输局"
STYLES = {  # how the crawler joined the page: (between elements, between table cells)
    "glued": ("", ""),
    "rows-spaced": (" ", ""),
    "cells-spaced": (" ", " "),
}


def key(c):
    if c.table == "applications":
        return ("applications", c.row_id, c.col_id)
    if c.table == "reviews":
        return ("reviews", c.block_id, c.col_id)
    return ("active", c.block_id, c.row_id, c.col_id)


def read(text: str):
    return read_document("crawl.txt", text.encode("utf-8"))


def app_row(rep, row_id):
    cells = {c.col_id: c for c in rep.cells if c.table == "applications" and c.row_id == row_id}
    return [cells[c.id] for c in registry().app_columns]


def crawl_with_row(values: dict[str, list[int]], template: str = "gov2021", seed: int = 2, style: str = "glued") -> str:
    """A generated report's crawl with some applications rows printed as given."""
    s = spec(template, YEARS[template], seed=seed, office=OFFICE)
    for row, vals in values.items():
        for col, v in zip(registry().app_columns, vals, strict=True):
            s.applications[(row, col.id)] = str(v)
    return crawl_of_html(render_html(s), *STYLES[style])


# ---------------------------------------------------------------- telling a crawl
def each_section_on_a_line(body: str) -> str:
    for h in ("二、主动公开", "三、收到和处理", "四、政府信息公开行政", "五、存在", "六、其他需要"):
        body = body.replace(h, "\n" + h)
    return body


def test_crawls_are_told_and_other_texts_are_not():
    s = spec("gov2021", 2023, seed=3, office=OFFICE)
    html = render_html(s)
    body = text_content(html).replace("\n", "")
    crawls = [crawl_of_html(html, *style) for style in STYLES.values()]
    crawls += [HEAD + "\n" + body + "\n" + TAIL,  # a few lines: chrome, the report, chrome
               body.replace("三、收到和处理", "\n三、收到和处理").replace("五、存在", "\n五、存在"),
               each_section_on_a_line(body),
               crawl_of_pagetext(ALI.read_text(encoding="utf-8"))]
    for text in crawls:
        assert is_crawl(text) and sniff_text(text) == "crawl"
    others = [(SAMPLES / f"suqian_{y}.txt").read_text(encoding="utf-8") for y in (2023, 2024)]
    others += [ALI.read_text(encoding="utf-8"), render_pagetext(s), render_pdftext(s), render_pdftext(s, kangxi=False),
               render_legacy(s), "", "一、总体情况\n二、主动公开政府信息情况\n",
               "本年度政府信息公开工作有序推进，主动公开政府信息情况良好。" * 20]
    for text in others:
        assert not is_crawl(text)
    assert sniff_text(others[0]) == "pdftext" and sniff_text(others[2]) == "pagetext"


# ---------------------------------------------------------------- generated reports
@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("template", YEARS)
def test_generated_crawls_give_true_values_or_unreadable_never_a_wrong_one(template, style):
    year, seen = YEARS[template], Counter()
    for seed in range(50):
        s = spec(template, year, seed=seed, office=OFFICE)
        truth = cell_values(template, s.applications, s.active, s.reviews)
        r = read(crawl_of_html(render_html(s), *STYLES[style]))
        rep = r.report
        assert r.format == "crawl" and r.status in ("parsed", "partial"), (seed, r.status, r.reason)
        assert (rep.title, rep.report_year, rep.template) == (s.full_title(), year, template)
        assert (rep.office, rep.office_kind, rep.published_at) == (OFFICE, "department", s.published_at)
        assert [x.no for x in rep.sections] == list("一二三四五六")
        assert rep.sections[5].text.startswith("本年度未收取信息处理费")
        assert len(rep.cells) == len(truth)
        for c in rep.cells:
            seen[c.status] += 1
            if c.status in ("ok", "inferred"):
                assert c.value == truth[key(c)].value, (seed, key(c), c.raw, c.reason)
            else:
                assert c.status == "unreadable" and c.reason.startswith("数字连在一起"), (seed, key(c), c.status)
            if c.status == "inferred":
                assert c.reason.startswith((TOTAL_NOTE, COUNT_NOTE))
    total = sum(seen.values())
    print(f"\n{template} {style}: " + ", ".join(f"{k} {v} ({v / total:.1%})" for k, v in sorted(seen.items())))
    if style == "cells-spaced":  # nothing glued: every cell as printed
        assert seen == Counter(ok=total)
    else:  # most cells are read; some only by the row total; the rest unreadable, never guessed
        assert (seen["ok"] + seen["inferred"]) / total > 0.8
        assert seen["inferred"] > 0 and seen["unreadable"] > 0


# ---------------------------------------------------------------- the page-text sample
@pytest.mark.parametrize("glue", ["", " "])
def test_page_text_sample_as_a_crawl(glue):
    text = ALI.read_text(encoding="utf-8")
    base = read_document("ali.txt", text.encode("utf-8")).report
    r = read(crawl_of_pagetext(text, glue))
    rep = r.report
    assert r.format == "crawl"
    for attr in ("title", "report_year", "template", "published_at", "office", "office_kind", "publisher"):
        assert getattr(rep, attr) == getattr(base, attr), attr
    assert [x.no for x in rep.sections] == list("一二三四五六")
    assert rep.sections[5].text.startswith("无其他需报告事项")
    expect = {key(c): c for c in base.cells}
    assert {key(c) for c in rep.cells} == set(expect)
    for c in rep.cells:
        b = expect[key(c)]
        if c.status in ("ok", "inferred"):
            assert (c.value, c.raw, c.unit) == (b.value, b.raw, b.unit), key(c)
        else:
            assert c.status == "unreadable" and "不作猜测" in c.reason, key(c)
    if glue == " ":
        assert r.status == "parsed" and all(c.status == "ok" for c in rep.cells)
        return
    assert r.status == "partial"
    by = {key(c): c for c in rep.cells}
    fees = [by[("active", "item_8", "fees", m)] for m in ("prev_items", "change")]
    assert [(c.value, c.status) for c in fees] == [(1245, "inferred"), (-19, "inferred")]
    assert fees[0].reason.startswith(COUNT_NOTE) and "'1245-19'" in fees[0].reason
    granted = app_row(rep, "granted")  # 000001616: 16 = 0+0+0+0+0+16, the only way
    assert [c.value for c in granted] == [0, 0, 0, 0, 0, 16, 16] and {c.status for c in granted} == {"inferred"}
    assert granted[0].reason.startswith(TOTAL_NOTE)
    new = app_row(rep, "new_received")  # 100001617: 1,0,0,0,0,16,17 or 10,0,0,0,1,6,17
    assert {c.status for c in new} == {"unreadable"} and "其中与本行合计相符的不止一种" in new[0].reason
    reviews = [c for c in rep.cells if c.table == "reviews"]
    assert {(c.value, c.status) for c in reviews} == {(0, "ok")} and reviews[0].reason.startswith(DIGIT_NOTE)
    amount = by[("active", "item_9", "procurement", "procurement_amount")]  # 79 glued to 11212.974705万
    assert amount.status == "unreadable" and "可能的拆分有" in amount.reason


# ---------------------------------------------------------------- the rules of a split
def test_one_digit_per_cell_is_split_as_ok():
    rep = read(crawl_with_row({"new_received": [1, 0, 0, 0, 0, 0, 1]})).report
    row = app_row(rep, "new_received")
    assert [(c.value, c.status) for c in row] == [(1, "ok")] + [(0, "ok")] * 5 + [(1, "ok")]
    assert row[0].reason.startswith(DIGIT_NOTE) and "'1000001'" in row[0].reason and "第1行" in row[0].reason


@pytest.mark.parametrize("printed", ["810020487", "8100 2 0487", "81 0 0204 87"])  # glued, or partly spaced
def test_split_fixed_by_the_row_total_is_inferred(printed):
    text = crawl_with_row({"new_received": [81, 0, 0, 2, 0, 4, 87]})
    rep = read(text.replace("810020487", printed)).report
    row = app_row(rep, "new_received")
    assert [c.value for c in row] == [81, 0, 0, 2, 0, 4, 87]
    assert {c.status for c in row} == {"inferred"}
    assert row[0].reason.startswith(TOTAL_NOTE) and [c.raw for c in row] == ["81", "0", "0", "2", "0", "4", "87"]


def test_ambiguous_or_impossible_runs_are_unreadable_with_the_reason():
    rep = read(crawl_with_row({
        "new_received": [11, 0, 0, 0, 0, 0, 11],  # also 1,10,0,0,0,0,11 …
        "granted": [12, 0, 0, 0, 0, 0, 13],  # no split adds up: the report's own total is wrong
        "carried_forward": [123456, 234567, 345678, 456789, 567890, 678901, 2407281],  # 43 digits
    })).report
    new, granted, forward = (app_row(rep, r) for r in ("new_received", "granted", "carried_forward"))
    assert {c.status for c in new + granted + forward} == {"unreadable"}
    assert "可能的拆分有4种，其中与本行合计相符的不止一种" in new[0].reason and new[0].reason.endswith("不作猜测拆分（原文第1行第430字起）")
    assert "无一与本行合计相符" in granted[0].reason
    assert f"超过可拆分的上限{MAX_GLUED}个" in forward[0].reason


@pytest.mark.parametrize("style", ["glued", "rows-spaced"])
def test_blank_cells_printed_wu_in_a_glued_row_are_found(style):
    """`64无无2无470`: 无 marks a blank cell as - does; the row is split by its total (it was not found at all)."""
    rep = read(crawl_with_row({"new_received": [64, "无", "无", 2, "无", 4, 70], "granted": [1, 0, "无", 0, "无", 0, 1],
                               "partial": [6, "无", "无", 2, "无", 4, 12]}, style=style)).report
    new, granted, partial = (app_row(rep, r) for r in ("new_received", "granted", "partial"))
    assert [(c.value, c.status) for c in new] == [(64, "inferred"), (None, "blank"), (None, "blank"), (2, "inferred"),
                                                 (None, "blank"), (4, "inferred"), (70, "inferred")]
    assert new[0].reason.startswith(TOTAL_NOTE) and "'64无无2无470'" in new[0].reason
    assert [c.value for c in granted] == [1, 0, None, 0, None, 0, 1] and granted[0].reason.startswith(DIGIT_NOTE)
    assert [c.value for c in partial] == [6, None, None, 2, None, 4, 12]


@pytest.mark.parametrize("style", ["glued", "rows-spaced"])
def test_a_glued_row_with_wu_ending_in_a_unit_is_unreadable_not_missing(style):
    """`00无/000件`: values and blank marks glued, a unit after the last: the row's cells cannot be told,
    but the row is printed (its run was taken for more of its label, and the row for one not found)."""
    rep = read(crawl_with_row({"unprocessed_petition": [0, 0, "无", "/", 0, 0, "0件"]}, style=style)).report
    row = app_row(rep, "unprocessed_petition")
    assert {(c.status, c.value) for c in row} == {("unreadable", None)}
    assert "'00无/000件'" in row[0].reason


@pytest.mark.parametrize("printed", [["无", "无", 0, 0, 0, 0, "0个"], [0, "无", 0, "无", "无", "无", "/个"],
                                     ["无", 3, "无", 1, "无", "无", "4件"]])
def test_a_glued_row_of_blank_marks_and_a_unit_that_splits_one_way_is_read(printed):
    """无无00000个: the run splits one way, 无 a blank each; only a run read as one value with wording
    (00无/000件) is refused whole (all three were refused with it, said to split no way)."""
    rep = read(crawl_with_row({"unable_need_create": printed}, style="rows-spaced")).report
    row = app_row(rep, "unable_need_create")
    assert [(c.raw, c.status) for c in row] == [(str(v)[0] if str(v)[0] in "无/" else str(v).rstrip("个件"),
                                                 "blank" if str(v)[0] in "无/" else "ok") for v in printed]


def test_a_label_starting_with_wu_after_a_glued_value_is_no_blank_cell():
    """A label whose start is printed wrong (无正当埋由…: only 大量反复申请 is known) leaves 无正当埋由 between the
    rows' values: 无 starting a word is text, never a blank cell of the row before."""
    text = crawl_with_row({"unprocessed_publication": [3, 0, 0, 0, 0, 1, 4], "unprocessed_massive": [1, 0, 0, 0, 0, 0, 1]})
    typo = text.replace("无正当理由大量反复申请", "无正当埋由大量反复申请", 1)
    assert typo != text
    rows = [{key(c): (c.value, c.status) for c in read(t).report.cells if c.table == "applications"} for t in (text, typo)]
    assert rows[0] == rows[1]
    assert [c.value for c in app_row(read(typo).report, "unprocessed_publication")] == [3, 0, 0, 0, 0, 1, 4]


def test_blank_cells_that_leave_no_trace_make_a_row_unreadable():
    s = spec("gov2021", 2023, seed=2, office=OFFICE)
    printed = {"partial": ["1", "0", "0", "0", "0", "", "1"],  # 100001: six digits for seven cells
               "granted": ["", "1", "1", "1", "1", "6", "10"]}  # 1111610: one digit each would misread it
    for row, vals in printed.items():
        for col, v in zip(registry().app_columns, vals, strict=True):
            s.applications[(row, col.id)] = v
    rep = read(crawl_of_html(render_html(s)).replace("\xa0", "")).report  # empty <td>, no &nbsp;
    partial, granted = app_row(rep, "partial"), app_row(rep, "granted")
    assert {c.status for c in partial + granted} == {"unreadable"}
    assert "无法拆成7个数值" in partial[0].reason and "逐位拆分与本行合计不符" in granted[0].reason


def consistent_splits(digits: str, n: int, leading_zero: bool) -> list[list[int]]:
    """Brute force: every cut of `digits` into n numbers whose last is the sum of the others."""
    out = []
    for cuts in itertools.combinations(range(1, len(digits)), n - 1):
        edges = (0, *cuts, len(digits))
        pieces = [digits[a:b] for a, b in itertools.pairwise(edges)]
        if not leading_zero and any(len(p) > 1 and p[0] == "0" for p in pieces):
            continue
        vals = [int(p) for p in pieces]
        if vals[-1] == sum(vals[:-1]):
            out.append(vals)
    return out


def test_a_number_never_starts_with_zero_decides_a_split():
    row_vals = [2, 0, 3, 12, 5, 12, 34]  # 2031251234: also 2,03,1,25,1,2,34 if 03 were a number
    digits = "".join(map(str, row_vals))
    assert len(consistent_splits(digits, 7, leading_zero=True)) == 2
    assert consistent_splits(digits, 7, leading_zero=False) == [row_vals]
    row = app_row(read(crawl_with_row({"granted": row_vals})).report, "granted")
    assert [c.value for c in row] == row_vals and {c.status for c in row} == {"inferred"}


def test_splits_agree_with_brute_force_on_random_rows():
    rng = random.Random(7)
    rows = registry().app_rows_for("gov2021")
    checked = Counter()
    for seed in range(12):
        values = {}
        for r in rows:
            vals = [rng.choice([0, 0, 0, 0, 0, 1, 2, 3, 5, 7, 10, 12, 20, 31]) for _ in range(6)]
            total = sum(vals) + (rng.choice([1, 10]) if rng.random() < 0.2 else 0)  # some totals wrong
            values[r.id] = vals + [total]
        rep = read(crawl_with_row(values, seed=seed)).report
        for r in rows:
            got = app_row(rep, r.id)
            digits = "".join(map(str, values[r.id]))
            # no split of fewer numbers (blank cells among the six that vanished, one or more) may add up either
            fewer = any(consistent_splits(digits, m, leading_zero=False) for m in range(2, 7))
            if len(digits) == 7:  # one digit each: unless the total says otherwise, or would hold on fewer
                ok = values[r.id][6] == sum(values[r.id][:6]) and not fewer
                expect, status = ([int(d) for d in digits], "ok") if ok else (None, "unreadable")
            else:  # unique, and no split of fewer numbers adds up
                found = consistent_splits(digits, 7, leading_zero=False)
                unique = len(found) == 1 and not fewer
                expect, status = (found[0], "inferred") if unique else (None, "unreadable")
            assert {c.status for c in got} == {status}, (r.id, digits)
            if expect is not None:
                assert [c.value for c in got] == expect, (r.id, digits)
            checked[status] += 1
    assert min(checked.values()) >= 10, checked  # each outcome was exercised


def vanish_by_brute_force(digits: str, n: int, groups: dict[int, int]) -> bool:
    """Whether some cut of `digits` into fewer than n numbers (no leading 0), the other cells blank
    (never a total), makes every group's total the sum of its summands."""
    totals = set(groups.values())
    for m in range(1, n):
        for cuts in itertools.combinations(range(1, len(digits)), m - 1):
            pieces = [digits[a:b] for a, b in itertools.pairwise((0, *cuts, len(digits)))]
            if any(len(p) > 1 and p[0] == "0" for p in pieces):
                continue
            for blank in itertools.combinations([c for c in range(n) if c not in totals], n - m):
                it = iter(pieces)
                vals = [0 if c in blank else int(next(it)) for c in range(n)]
                if all(vals[t] == sum(vals[c:t]) for c, t in groups.items()):
                    return True
    return False


def test_blank_cells_that_vanish_are_found_as_brute_force_finds_them():
    rng = random.Random(11)
    groups = {0: 3, 4: 7}  # two groups of three summands and their total each
    seen = Counter()
    for _ in range(300):
        vals = [[rng.choice([0, 0, 1, 2, 3, 10, 12]) for _ in range(3)] for _ in groups]
        gone = rng.random() < 0.4  # cells of 0 printed as nothing
        digits = "".join("" if gone and v == 0 else str(v) for g in vals for v in (*g, sum(g) + (rng.random() < 0.2)))
        want = vanish_by_brute_force(digits, 8, groups)
        assert glued._Splits([GluedRun(digits, digits, 1)], 8).blanks_vanish(groups) == want, digits
        seen[want] += 1
    assert min(seen.values()) >= 30, seen


def reviews_crawl(printed: dict[str, list[int]], template: str = "gov2021", seed: int = 2):
    """A generated report's glued crawl with section 四's groups printed as given, read."""
    s = spec(template, YEARS[template], seed=seed, office=OFFICE)
    for g, vals in printed.items():
        for m, v in zip(registry().review_metrics, vals, strict=True):
            s.reviews[(g, m.id)] = str(v)
    return read(crawl_of_html(render_html(s))).report


def test_review_groups_split_by_their_own_totals():
    printed = {"review": [3, 3, 3, 3, 12], "suit_direct": [10, 0, 0, 1, 11], "suit_after_review": [0, 0, 0, 0, 0]}
    rep = reviews_crawl(printed)
    got = {g: [c.value for c in rep.cells if c.table == "reviews" and c.block_id == g] for g in printed}
    assert got == printed
    assert {c.status for c in rep.cells if c.table == "reviews"} == {"inferred"}


# ---------------------------------------------------------------- provenance and the lake
def test_a_date_inside_the_last_sentence_is_not_the_close():
    """`本报告统计数据截至2022年12月31日。青山市教育局2023年1月5日`: the close is the office and 5 January
    (31 December was read as the publication date, with 本报告统计数据截至 as the signature)."""
    import re
    from datetime import date

    s = spec("gov2021", 2022, seed=5, office="青山市教育局", published=date(2023, 1, 5))
    s.other_matters = "本年度未收取信息处理费。本报告统计数据截至2022年12月31日。"
    html = re.sub(r'<div class="info">[^<]*</div>', "", render_html(s).decode())  # no 发布时间 line
    rep = read_document("r.txt", crawl_of_html(html).encode()).report
    assert (rep.published_at, rep.published_source) == (date(2023, 1, 5), "落款日期")


@pytest.mark.parametrize("glue", [" ", ""])
@pytest.mark.parametrize("other", [
    "本年度未收取信息处理费。2023年1月5日，本报告经局长办公会审议通过。",
    "本年度未收取信息处理费。本报告经局长办公会2023年1月5日审议通过。",
    "2022年12月20日，我局组织开展政务公开培训。本年度未收取信息处理费。",
])
def test_a_date_a_sentence_of_section_six_goes_on_after_is_not_the_close(other, glue):
    """A date that opens a sentence of section 六, or that the sentence goes on after, is no 落款 date:
    the signature's date after it is (the page text read the same page right)."""
    from datetime import date

    s = spec("gov2021", 2022, office="青山市教育局", seed=1, published=date(2023, 2, 20))
    s.other_matters = other
    pt = "\n".join(line for line in render_pagetext(s).splitlines() if not line.startswith(("- ", "发布时间"))) + "\n"
    rep = read_document("r.txt", crawl_of_pagetext(pt, glue).encode()).report
    assert (rep.published_at, rep.published_source) == (date(2023, 2, 20), "落款日期")


@pytest.mark.parametrize("glue", [" ", ""])
@pytest.mark.parametrize("after", [
    ("附件：政府信息公开申请情况统计表。", "推荐阅读", "青山市财政局关于开展财政检查的通知", "2023年5月6日"),
    ("责任编辑：张三；",),
])
@pytest.mark.parametrize(("office", "signer"), [("青山市人民政府", "青山市人民政府办公室"), ("青山市教育局", "青山市教育局办公室")])
def test_a_date_an_offices_name_signs_is_the_close_whatever_sentence_follows(office, signer, after, glue):
    """The 落款 is not the title's office exactly (its 办公室, a government's 办公室) and the page goes on with a
    sentence after its date (an 附件 line, 责任编辑：…；): the date is the close's, never a later list item's."""
    from datetime import date

    s = spec("gov2021", 2022, office=office, seed=1, published=date(2023, 1, 20))
    s.publisher = signer
    lines = [line for line in render_pagetext(s).splitlines() if not line.startswith(("- ", "发布时间"))]
    rep = read_document("r.txt", crawl_of_pagetext("\n".join([*lines, *after]) + "\n", glue).encode()).report
    assert (rep.published_at, rep.published_source, rep.publisher) == (date(2023, 1, 20), "落款日期", signer)


@pytest.mark.parametrize("printed", ["2023年1月5日", "二〇二三年一月五日", "二〇二三年元月五日", "二0二三年一月五日"])
def test_a_crawls_closing_date_in_the_ways_reports_print_it(printed):
    """The crawl's 落款 date reads as metadata.parse_date reads it (元月, a zero typed as a digit: the code
    before found no date in a crawl)."""
    import re
    from datetime import date

    s = spec("gov2021", 2022, seed=5, office="青山市教育局", published=date(2023, 1, 5))
    html = re.sub(r'<div class="info">[^<]*</div>', "", render_html(s).decode())  # no 发布时间 line
    text = crawl_of_html(html).replace("2023年1月5日", printed)
    rep = read_document("r.txt", text.encode()).report
    assert (rep.published_at, rep.published_source) == (date(2023, 1, 5), "落款日期")


TITLE = f"{OFFICE}2023年政府信息公开工作年度报告"


def crawl_headed(head: str) -> str:
    """A spaced crawl of a generated report whose page prints `head` (its chrome and title) before section 一."""
    body = text_content(render_html(spec("gov2021", 2023, seed=2, office=OFFICE))).replace("\n", " ")
    return f"{head} 发布日期：2024-01-20 {body[body.find('一、总体情况'):]}\n"


@pytest.mark.parametrize("chrome", ["青山市人民政府门户网站", "青山市人民政府", "网站首页 机构概况 政务公开 政务服务 互动交流",
                                    "政务公开", "法定主动公开内容", OFFICE, "2024年1月20日 星期六", "江苏省"])
def test_page_chrome_spaced_before_a_crawls_title_is_not_the_titles(chrome):
    """A site's name, a menu, breadcrumb words whose separators were images, a date line: a word before the
    title that names its office is not the title's (政务公开 青山市交通运输局 was the office)."""
    rep = read(crawl_headed(f"{chrome} {TITLE}")).report
    assert (rep.title, rep.office, rep.region) == (TITLE, OFFICE, "青山市")


@pytest.mark.parametrize(("head", "title"), [
    (f"政务公开 {OFFICE} 2023年政府信息公开工作年度报告", f"{OFFICE} 2023年政府信息公开工作年度报告"),
    (f"政务公开 {OFFICE} 2023年度 政府信息公开工作年度报告", f"{OFFICE} 2023年度 政府信息公开工作年度报告"),
    (f"政务公开 {OFFICE} 2023 年政府信息公开工作年度报告", f"{OFFICE} 2023 年政府信息公开工作年度报告"),
    (f"政务公开 {OFFICE}2023年 政府信息公开工作年度报告", f"{OFFICE}2023年 政府信息公开工作年度报告"),
    (f"政务公开 2023年 {OFFICE}政府信息公开工作年度报告", f"2023年 {OFFICE}政府信息公开工作年度报告"),
    ("政务公开 青山市 交通运输局2023年政府信息公开工作年度报告", "青山市 交通运输局2023年政府信息公开工作年度报告"),
    ("政务公开 青 山 市 交 通 运 输 局 2023年政府信息公开工作年度报告", "青 山 市 交 通 运 输 局 2023年政府信息公开工作年度报告"),
])
def test_a_crawls_title_printed_in_spaced_parts_is_whole(head, title):
    """The title's own parts a space apart (its office, its year, its place) stay the title's; the chrome before them not."""
    rep = read(crawl_headed(head)).report
    assert (rep.title, rep.office.replace(" ", ""), rep.region.replace(" ", "")) == (title, OFFICE, "青山市")


@pytest.mark.parametrize("title, office", [
    ("青山市交通运输 局2023年政府信息公开工作年度报告", OFFICE), ("青山市交 通运输局2023年政府信息公开工作年度报告", OFFICE),
    ("青山县人民政府 办公室2023年政府信息公开工作年度报告", "青山县人民政府办公室"),
    ("青山县发展和改革 委员会2023年政府信息公开工作年度报告", "青山县发展和改革委员会"),
    ("中共 青山市委宣传部2023年政府信息公开工作年度报告", "中共青山市委宣传部")])
def test_a_crawls_title_wrapped_inside_its_offices_name_is_whole(title, office):
    """A page's title wrapped inside its office's name (a space in the crawl): the code of 6da1749 kept
    only the part after the space (办公室, 局: no region, and the signature cut to it)."""
    rep = read(crawl_headed(f"政务公开 {title}")).report
    assert (rep.title, rep.office.replace(" ", "")) == (title, office)
    assert " " not in rep.region and office.removeprefix("中共").startswith(rep.region)  # (中共 青山市委: ' 青山市')


def test_a_date_line_glued_before_a_crawls_title_is_not_the_titles():
    rep = read(crawl_headed(f"2024年1月20日星期六{TITLE}")).report
    assert (rep.title, rep.office, rep.region) == (TITLE, OFFICE, "青山市")


def test_chrome_before_a_title_naming_no_office_is_no_office():
    rep = read(crawl_headed("网站首页 政务公开 互动交流 2023年政府信息公开工作年度报告")).report
    assert (rep.title, rep.office, rep.office_source) == ("2023年政府信息公开工作年度报告", OFFICE, "落款")


@pytest.mark.parametrize(("office", "title", "signed"), [
    (OFFICE, OFFICE, OFFICE),
    ("无锡市交通运输局", "无锡市交通运输局", "无锡市交通运输局"),
    (OFFICE, "交通运输局", "交通运输局"),  # 无青山市 or 无 and 青山市: the title's office, no more
    ("无锡市交通运输局", "交通运输局", "交通运输局"),  # (无锡市, or 无 and 锡市)
])
@pytest.mark.parametrize("answer", ["无", "暂无", "本机关无其他需要报告的事项"])
def test_section_six_glued_to_the_signature_is_not_the_signatures(office, title, signed, answer):
    """`…其他需要报告的事项无青山市交通运输局2024年1月20日`: 无 is section 六's answer, not a place before the office."""
    s = spec("gov2021", 2023, seed=2, office=office)
    s.other_matters, s.title = answer, f"{title}2023年政府信息公开工作年度报告"
    rep = read(crawl_of_html(render_html(s))).report
    assert (rep.office, rep.publisher, rep.published_at) == (signed, signed, s.published_at)
    assert rep.region == (None if signed == "交通运输局" else signed[:3])
    assert rep.sections[5].text.startswith(answer) and f"\n{signed}\n2024年1月20日\n" in rep.sections[5].text


def test_a_crawl_with_each_section_on_a_line():
    s = spec("gov2021", 2023, seed=9, office=OFFICE)
    text = each_section_on_a_line(text_content(render_html(s)).replace("\n", ""))
    assert len(text.splitlines()) == 6 and max(map(len, text.splitlines())) >= 200  # one heading a line
    r = read(text)
    assert r.format == "crawl" and [(x.no, x.line) for x in r.report.sections] == list(zip("一二三四五六", range(1, 7), strict=True))
    assert r.report.title == s.full_title() and r.report.published_at == s.published_at


def test_a_crawl_on_a_few_lines_keeps_its_lines():
    s = spec("gov2019", 2020, seed=1, office=OFFICE)
    body = text_content(render_html(s)).replace("\n", "")
    text = body.replace("三、收到和处理", "\n三、收到和处理").replace("四、政府信息公开行政", "\n四、政府信息公开行政")
    rep = read(HEAD + "\n" + text + "\n" + TAIL + "\n").report
    assert [(x.no, x.line) for x in rep.sections] == [("一", 2), ("二", 2), ("三", 3), ("四", 4), ("五", 4), ("六", 4)]
    assert {c.line for c in rep.cells if c.table == "applications" and c.line} == {3}
    assert {c.line for c in rep.cells if c.table == "reviews"} == {4}


def test_ingested_crawl_lands_with_its_inferred_cells(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "crawl.txt").write_text(crawl_with_row({"new_received": [81, 0, 0, 2, 0, 4, 87]}), encoding="utf-8")
    lake = Lake(tmp_path / "lake")
    ingest(inbox, lake, "t1", workers=0)
    docs = pl.read_parquet(lake.paths("documents"))
    assert docs["format"].to_list() == ["crawl"] and docs["parse_status"].to_list()[0] in ("parsed", "partial")
    apps = pl.read_parquet(lake.paths("applications")).filter(pl.col("row_id") == "new_received")
    assert sorted(apps["status"].to_list()) == ["inferred"] * 7
    assert apps.sort("value")["value"].to_list() == [0, 0, 0, 2, 4, 81, 87]
    assert all(r.startswith(TOTAL_NOTE) for r in apps["reason"].to_list())


def test_cut_or_damaged_crawls_never_stop_the_reader():
    s = spec("gov2019", 2020, seed=11, office=OFFICE)
    text = crawl_of_html(render_html(s))
    rng = random.Random(3)
    variants = [text[:k] for k in range(300, len(text), 97)]  # truncated anywhere, also inside a glued run
    for _ in range(40):  # stray characters dropped into the page
        k = rng.randrange(len(text))
        variants.append(text[:k] + rng.choice(["\ufffd", "a", "、", "1", "（", "-", "\u3000", "万元"]) + text[k:])
    for v in variants:
        r = read(v)
        assert not (r.reason or "").startswith("读取失败"), r.reason
        if "四、政府信息公开行政" in v:  # sections 一 to 四 are there: a report, whatever else is broken
            assert r.format == "crawl" and r.status in ("parsed", "partial")


# ---------------------------------------------------------------- a value printed with wording
def active_row(rep, block, row):
    cells = {c.col_id: c for c in rep.cells if c.table == "active" and c.block_id == block and c.row_id == row}
    return [cells[m.id] for m in next(b for b in registry().blocks_for(rep.template) if b.id == block).metrics]


@pytest.mark.parametrize("printed, value", [("428次", 428), ("488 件", 488), ("12人次", 12)])
def test_a_count_with_its_unit_is_one_cell_read_whole(printed, value):
    s = spec("gov2019", 2020, seed=31, office=OFFICE)
    s.active[("item_6", "coercion", "prev_items")] = printed
    rep = read(crawl_of_html(render_html(s), *STYLES["cells-spaced"])).report
    got = active_row(rep, "item_6", "coercion")
    assert [(c.value, c.status) for c in got] == [(value, "ok")] + [
        (float(s.active[("item_6", "coercion", m)]), "ok") for m in ("change", "decisions")]


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("printed", ["120000 元", "120000\xa0元", "120000\u3000元", "1200 百元", "0.0012 亿元", "12 万"])
def test_an_amount_with_its_unit_after_a_space_is_one_cell_read_whole(printed, style):
    """`120000 元`: the unit after a space was left behind as text and the fee read 120000 万元."""
    s = spec("gov2021", 2023, seed=1, office=OFFICE)
    s.active[("item_8", "fees", "fee_amount")] = printed
    for text in (crawl_of_html(render_html(s), *STYLES[style]), crawl_of_pagetext(render_pagetext(s), STYLES[style][0])):
        [fee] = active_row(read(text).report, "item_8", "fees")
        assert (fee.value, fee.status, fee.raw) == (12, "ok", printed), text


@pytest.mark.parametrize("style", STYLES)
@pytest.mark.parametrize("printed", [("3", "251000 元"), ("—", "1200 百元")])
def test_an_amount_with_its_unit_after_a_space_beside_a_glued_count_is_never_the_bare_number(style, printed):
    """`3251000 元` (a count glued to `251000 元`): the amount is 25.1 万元 or unreadable, never 251000 万元; and
    `—1200 百元` is the row's values, never missing nor 1200 万元."""
    s = spec("gov2019", 2020, seed=1, office=OFFICE)
    for m, v in zip(("procurement_items", "procurement_amount"), printed, strict=True):
        s.active[("item_9", "procurement", m)] = v
    for text in (crawl_of_html(render_html(s), *STYLES[style]), crawl_of_pagetext(render_pagetext(s), STYLES[style][0])):
        items, amount = active_row(read(text).report, "item_9", "procurement")
        assert (amount.value, amount.status) in ((12 if printed[0] == "—" else 25.1, "ok"), (None, "unreadable")), \
            (amount.raw, amount.reason)
        assert (items.value, items.status) in ((3, "ok"), (None, "blank"), (None, "unreadable")), (items.raw, items.reason)


def glued_active_row(template: str, block: str, row: str, printed: dict[str, str], style: str = "glued"):
    """The cells of one row of section 二, printed as given, read from a generated report's crawl."""
    s = spec(template, YEARS[template], seed=2, office=OFFICE)
    for m, v in printed.items():
        s.active[(block, row, m)] = v
    return active_row(read(crawl_of_html(render_html(s), *STYLES[style])).report, block, row)


@pytest.mark.parametrize("style", ["glued", "rows-spaced"])
def test_a_sign_before_a_lone_zero_is_no_number_of_a_split(style):
    """`12-` then 0 and 28 glued (`12-028`) was split 12 | -0 | 28: -0 is no number a cell prints."""
    got = glued_active_row("gov2021", "item_1", "normative_docs", {"issued": "12-", "repealed": "0", "in_force": "28"}, style)
    assert {c.status for c in got} == {"unreadable"}, [(c.value, c.status) for c in got]


@pytest.mark.parametrize("style", ["glued", "rows-spaced"])
@pytest.mark.parametrize("dash", ["—", "–", "―"])
def test_a_dash_glued_before_digits_in_a_column_that_may_be_negative_may_be_a_sign(style, dash):
    """本年增/减 printed `—3` glued to 1475 (`29—31475`) was split 29 | — | 31475: in a column that may be
    negative the dash may be the minus sign of the digits after it, so the split is not the only one. In
    a column that may not, a dash between numbers is a blank cell (`12—28`)."""
    got = glued_active_row("gov2019", "item_5", "licensing", {"prev_items": "29", "change": f"{dash}3", "decisions": "1475"},
                           style)
    assert {c.status for c in got} == {"unreadable"} and "可能的拆分有" in got[0].reason, [(c.value, c.status) for c in got]
    prev, change = glued_active_row("gov2019", "item_8", "fees", {"prev_items": "12", "change": f"{dash}3"}, style)
    assert (prev.value, change.value, change.status, change.raw) == (12, None, "unreadable", f"{dash}3")  # as page text
    got = glued_active_row("gov2021", "item_1", "normative_docs", {"issued": "12", "repealed": dash, "in_force": "28"}, style)
    assert [(c.value, c.status) for c in got[::2]] == [(12, "inferred"), (28, "inferred")] and got[1].value is None


@pytest.mark.parametrize("style", ["glued", "rows-spaced"])
@pytest.mark.parametrize("printed", ["- 3", "— 3"])
def test_a_sign_printed_a_space_before_its_number_is_never_lost(printed, style):
    """本年增/减 printed `- 3` after 12 glued (`12- 3`) was read 12- (unreadable) and 3: the dash may be
    the sign of the number after the space, so the two are one cell, never 3."""
    prev, change = glued_active_row("gov2019", "item_8", "fees", {"prev_items": "12", "change": printed}, style)
    assert change.value is None and change.status == "unreadable", (change.raw, change.reason)
    got = glued_active_row("gov2019", "item_5", "licensing", {"prev_items": "29", "change": printed, "decisions": "1475"},
                           style)
    assert {c.status for c in got} == {"unreadable"}, [(c.value, c.status) for c in got]


WORDED = ["约5", "5%", "1e3", "1.234.567", "(-2)", "5.", "O", "〇"]


@pytest.mark.parametrize("printed, col", [*itertools.product(WORDED, ["prev_items", "change"]),
                                          ("3（含1件）", "change")])  # as a first cell: more wording than a label's end
def test_a_value_printed_with_wording_is_unreadable_and_keeps_its_place(printed, col):
    s = spec("gov2019", 2020, seed=32, office=OFFICE)
    s.active[("item_6", "coercion", col)] = printed
    rep = read(crawl_of_html(render_html(s), *STYLES["cells-spaced"])).report
    metrics = ("prev_items", "change", "decisions")
    for m, c in zip(metrics, active_row(rep, "item_6", "coercion"), strict=True):
        if m == col:
            assert c.status == "unreadable" and c.raw == printed, (m, c.raw, c.status)
        else:
            assert (c.value, c.status) == (float(s.active[("item_6", "coercion", m)]), "ok"), (m, c.raw)


@pytest.mark.parametrize("style", ["glued", "rows-spaced"])
def test_a_row_glued_into_fewer_numbers_than_it_could_be_is_unreadable_without_a_total(style):
    """'16' in a row of two cells without a total is 1 and 6, or 16 beside a blank cell that left
    no trace; '-1' is a blank mark and 1, or -1. Neither is split."""
    s = spec("gov2019", 2020, seed=33, office=OFFICE)
    s.active[("item_8", "fees", "prev_items")], s.active[("item_8", "fees", "change")] = "16", ""
    s.active[("item_6", "coercion", "prev_items")] = ""  # '-1' and a number for three cells
    s.active[("item_6", "coercion", "change")] = "-1"
    s.active[("item_6", "coercion", "decisions")] = "3"
    html = render_html(s).decode().replace("&nbsp;", "")  # blank cells print nothing
    rep = read(crawl_of_html(html, *STYLES[style])).report
    for c in active_row(rep, "item_8", "fees") + active_row(rep, "item_6", "coercion"):
        assert c.status == "unreadable" and "也能拆成" in c.reason, (c.row_id, c.col_id, c.raw, c.status)


def test_a_glued_row_cut_short_by_stray_text_and_more_values_is_not_split():
    s = spec("gov2019", 2020, seed=34, office=OFFICE)
    s.active[("item_5", "licensing", "prev_items")] = "134人次"
    s.active[("item_5", "licensing", "decisions")] = "1292人次"
    rep = read(crawl_of_html(render_html(s), *STYLES["glued"])).report
    for c in active_row(rep, "item_5", "licensing"):
        assert c.status == "unreadable" and "无法识别的文字" in c.reason, (c.col_id, c.raw, c.status)


def test_a_value_ending_in_a_point_before_a_label_is_not_the_label_numbering():
    """Only tables whose rows print a sub-row number (1.属于国家秘密) read 'N.' before a label as one."""
    s = spec("gov2019", 2020, seed=35, office=OFFICE)
    s.active[("item_5", "licensing", "decisions")] = "518."
    rep = read(crawl_of_html(render_html(s), *STYLES["cells-spaced"])).report
    got = active_row(rep, "item_5", "licensing")
    assert got[2].status == "unreadable" and got[2].raw == "518."
    assert [c.value for c in got[:2]] == [float(s.active[("item_5", "licensing", m)]) for m in ("prev_items", "change")]


@pytest.mark.parametrize("vals", [
    [13, 10, 1, 0, 9572, 12, 9608],  # '1310109 572129 608' adds up split as 1,310,109,57,2,129,608
    [5385, 6487, 1127, 4714, 1, 9581, 27295],  # '5 3856 4871 1274 71419 58127 295': seven tokens
], ids=["split-by-total", "seven-tokens"])
def test_a_space_that_may_be_inside_a_number_leaves_a_glued_row_unread(vals):
    # a crawl whose cells are glued (every other row) and whose numbers of four digits print a space
    # before their last three (9 572): the spaces are no cell boundaries
    spaced = "".join(f"{v // 1000} {v % 1000:03d}" if v >= 1000 else str(v) for v in vals)
    text = crawl_with_row({"new_received": vals})
    assert "".join(map(str, vals)) in text
    row = app_row(read(text.replace("".join(map(str, vals)), spaced, 1)).report, "new_received")
    assert {c.status for c in row} == {"unreadable"} and "千位分隔" in row[0].reason


def test_a_split_by_the_total_that_a_vanished_blank_would_also_allow_is_unreadable():
    # 117 24 _ 2 7 10 160 glued, the blank cell printed as nothing: 11 72 4 2 71 0 160 adds up too
    text = crawl_with_row({"results_total": [117, 24, "", 2, 7, 10, 160]}, template="gov2019").replace("\xa0", "")
    row = app_row(read(text).report, "results_total")
    assert {c.status for c in row} == {"unreadable"} and "空白且未显示" in row[0].reason


@pytest.mark.parametrize("style", ["cells-spaced", "glued"])
def test_a_split_that_blank_cells_printed_as_nothing_would_also_allow_is_unreadable(style):
    # 822 0 _ _ 137 _ 959: three empty cells leave no trace, and 8 22 0 13 7 9 59 adds up too
    text = crawl_with_row({"unprocessed_petition": [822, 0, "", "", 137, "", 959]}, style=style).replace("\xa0", "")
    row = app_row(read(text).report, "unprocessed_petition")
    assert {c.status for c in row} == {"unreadable"}, [c.raw for c in row]
    if style == "cells-spaced":  # (glued, 8220137959 splits more than one way by the total alone)
        assert "空白且未显示" in row[0].reason


def test_one_digit_a_cell_that_blank_cells_printed_as_nothing_would_also_allow_is_unreadable():
    # 002020310401012, a digit a cell: 0 0 2 0 2 | 0 3 1 0 4 | 0 1 0 1 2; with an empty cell printed as nothing
    # first in each of the first two groups, _ 0 0 20 20 | _ 3 1 0 4 | 0 1 0 1 2 adds up too
    rep = reviews_crawl({"review": [0, 0, 2, 0, 2], "suit_direct": [0, 3, 1, 0, 4], "suit_after_review": [0, 1, 0, 1, 2]},
                        template="gov2019", seed=7)
    cells = [c for c in rep.cells if c.table == "reviews"]
    assert {c.status for c in cells} == {"unreadable"} and "逐位拆分与本行合计相符，但若有单元格空白且未显示" in cells[0].reason


def test_a_crawl_whose_empty_cells_are_no_break_spaces_is_read():
    # textContent turns &nbsp; into U+00A0: a report of many empty cells is still text, not an unknown encoding
    s = spec("gov2021", 2023, seed=2, office=OFFICE)
    s.applications = {k: ("" if v == "0" else v) for k, v in s.applications.items()}
    truth = cell_values("gov2021", s.applications, s.active, s.reviews)
    text = crawl_of_html(render_html(s), " ", " ")
    assert text.count("\xa0") > 0.05 * len(text)
    r = read(text)
    assert r.format == "crawl" and r.status == "partial", r.reason
    assert (r.report.title, r.report.published_at) == (s.full_title(), s.published_at)
    assert [x.no for x in r.report.sections] == list("一二三四五六")
    assert {c.status for c in r.report.cells if c.table != "applications"} == {"ok"}
    # section 三's empty cells leave no trace a row could be read by: those rows unreadable, never shifted
    assert all(c.value == truth[key(c)].value for c in r.report.cells if c.value is not None)
    assert {c.status for c in r.report.cells if c.table == "applications"} == {"unreadable", "missing"}


@pytest.mark.parametrize("label,row,before", [("5. 属于三类内部事务信息", "denied_internal", "denied_third_party"),
                                               ("5　．属于三类内部事务信息", "denied_internal", "denied_third_party"),
                                               ("5、 属于三类内部事务信息", "denied_internal", "denied_third_party"),
                                               ("二　．上年结转政府信息公开申请数量", "carried_over", "new_received")])
@pytest.mark.parametrize("printed", [["12", "7", "0", "3", "0", "0", "22"], ["12", "7", "0", "", "0", "0", "19"]],
                         ids=["full", "an-empty-cell"])
def test_a_rows_numbering_printed_apart_from_its_label_is_no_value(label, row, before, printed):
    # '… 0 0 19 5. 属于…': the 5. is the next row's number, never the row's last value nor a cell of it
    s = spec("gov2021", 2023, seed=1, office=OFFICE)
    for col, v in zip(registry().app_columns, printed, strict=True):
        s.applications[(before, col.id)] = v
    original = "二、上年结转政府信息公开申请数量" if label[0] == "二" else "5.属于三类内部事务信息"
    html = render_html(s).decode().replace(original, label)
    assert label in html
    rep = read(crawl_of_html(html, " ", " ")).report
    got = app_row(rep, before)
    if "" in printed:  # the empty cell left no trace: the row is unreadable, never shifted
        assert {c.status for c in got} == {"unreadable"}, [c.raw for c in got]
    else:
        assert [c.value for c in got] == [float(v) for v in printed] and {c.status for c in got} == {"ok"}
    assert {c.status for c in app_row(rep, row)} == {"ok"}


@pytest.mark.parametrize("vals", [[12, 5, 0, 0, 0, 0, 18], [12, 345, 0, 0, 0, 0, 400]])
def test_a_spaced_row_whose_total_is_wrong_is_read_as_printed(vals):
    # cells spaced: the report's own wrong total is a finding for the checks, not a doubt of the reader
    row = app_row(read(crawl_with_row({"new_received": vals}, style="cells-spaced")).report, "new_received")
    assert [(c.value, c.status) for c in row] == [(v, "ok") for v in vals]


@pytest.mark.parametrize("printed", ["\u221220", "<20", "≈20", "#20", "…20", "：20"])
def test_a_symbol_against_a_rows_first_number_stays_in_its_cell(printed):
    """'−20' (a minus sign, not a hyphen) or '<20' in a one-line crawl: the cell is unreadable, as in
    page text, never 20 with the symbol left to the label."""
    s = spec("gov2021", 2023, seed=3)
    s.applications[("granted", "natural_person")] = printed
    for text in (crawl_of_html(render_html(s), " ", " "), crawl_of_pagetext(render_pagetext(s), " ")):
        rep = read_document("c.txt", text.encode()).report
        c = next(c for c in rep.cells if (c.table, c.row_id, c.col_id) == ("applications", "granted", "natural_person"))
        assert (c.raw, c.value, c.status) == (printed, None, "unreadable")


@pytest.mark.parametrize("printed", [["5件", "", "0", "2", "5", "4", "41"], ["28", "", "0", "12①", "5", "4", "41"]])
def test_a_glued_row_whose_total_cannot_check_its_digits_is_not_split(printed):
    """A glued row split one digit a cell is checked by its total; a cell printed with a unit ('5件')
    leaves the total nothing to check a vanished blank cell by, and a footnote's mark ('12①') is no
    cell's digit: the row is unreadable, never split into shifted values."""
    s = spec("gov2019", 2020, seed=2, office=OFFICE)
    for col, v in zip(registry().app_columns, printed, strict=True):
        s.applications[("results_total", col.id)] = v
    rep = read(crawl_of_html(render_html(s))).report
    assert {c.status for c in app_row(rep, "results_total")} == {"unreadable"}


def test_a_footnote_mark_written_as_a_bracketed_digit_stays_with_its_number():
    """`499⑴` folds to 499(1), which reads like a row's numbering: the code before cut it off, ended
    the row there and read `1 0 0 2 2564 0 499` (a cell printed `2 2564`) as its seven values. The
    number and its mark are one cell, unreadable; the row has eight cells and is not read."""
    s = spec("gov2021", 2023, seed=3, office=OFFICE)
    s.applications[("granted", "social_org")] = "2 2564"
    s.applications[("granted", "other_org")] = "499⑴"
    for text in (crawl_of_html(render_html(s), " ", " "), crawl_of_pagetext(render_pagetext(s), " ")):
        row = app_row(read(text).report, "granted")
        assert {c.status for c in row} == {"unreadable"} and "499⑴" in row[0].reason


def test_a_number_with_a_leading_zero_in_a_glued_crawl_is_not_read():
    """`59, 057` then `9286.622万元` glued: `0579286.622万元` is no amount (read 579,286.622 before)."""
    s = spec("gov2019", 2020, seed=2, office=OFFICE)
    s.active[("item_9", "procurement", "procurement_items")] = "59, 057"
    s.active[("item_9", "procurement", "procurement_amount")] = "9286.622万元"
    rep = read(crawl_of_html(render_html(s))).report
    c = next(c for c in rep.cells if c.col_id == "procurement_amount")
    assert c.status == "unreadable" and c.value is None


def test_a_glued_run_with_another_scripts_digit_is_not_split():
    """`12 1 ٠ 1 0 3 17` crawled glued: the Arabic-Indic zero was no number of its own to the splitter
    but a digit inside `1٠`, and the only split the total allowed read 1 2 1 10 1 0 3 (status
    inferred). Such a run is not split."""
    from gkqc.simulate.render import render_html

    s = spec("gov2021", 2023, seed=1)
    cols = [c.id for c in registry().app_columns]
    s.applications.update({("partial", c): v for c, v in zip(cols, ["12", "1", "٠", "1", "0", "3", "17"], strict=True)})
    r = read_document("crawl.txt", crawl_of_html(render_html(s), "", "").encode())
    row = [c for c in r.report.cells if c.table == "applications" and c.row_id == "partial"]
    assert {c.status for c in row} == {"unreadable"} and "121٠10317" in row[0].reason


@pytest.mark.parametrize("answer", ["无", "暂无"])
def test_section_six_glued_to_a_places_government_signing_is_not_the_signatures(answer):
    """A city's own report (titled 青山市2023年…) signed by its government, section 六's 无 glued before it:
    the signature was 无青山市人民政府."""
    s = spec("gov2021", 2023, seed=2, office="青山市人民政府")
    s.other_matters, s.title = answer, "青山市2023年政府信息公开工作年度报告"
    rep = read(crawl_of_html(render_html(s))).report
    assert (rep.office, rep.region, rep.publisher) == ("青山市", "青山市", "青山市人民政府")


@pytest.mark.parametrize("chrome", ["政务公开", "首页", "信息公开目录", "区县动态", "乡镇之窗"])
@pytest.mark.parametrize("office", ["区教育局", "县财政局", "市交通运输局"])
def test_chrome_before_a_title_naming_its_office_without_its_place_is_not_the_titles(chrome, office):
    """A title whose office is named without its place (区教育局…): the code of 1ad19a9 took a menu word
    before it for the place (政务公开 区教育局: the region 政务公开区)."""
    title = f"{office}2023年政府信息公开工作年度报告"
    rep = read(crawl_headed(f"{chrome} {title}")).report
    assert rep.title == title and not (rep.region or "").startswith(chrome)


def test_metadata_glued_before_the_title_is_no_office_when_the_title_is_also_printed_clean():
    """A crawl of a report without a publication date: the page's last field (公文种类 :其他) sits right
    before the title, and ':其他绿水县民政局2022年…' was taken over the same title printed clean (名称 and
    the heading): office 其他绿水县民政局, region 其他绿水县, the real office's report lost to it."""
    s = spec("gov2021", 2022, office="绿水县民政局")
    s.published_at = None
    text = crawl_of_pagetext(render_pagetext(s))
    assert ":其他绿水县民政局2022年" in text.replace(" ", "")
    rep = read_document("r.txt", text.encode()).report
    assert (rep.title, rep.office, rep.region) == ("绿水县民政局2022年政府信息公开工作年度报告", "绿水县民政局", "绿水县")


@pytest.mark.parametrize("style", ["glued", "rows-spaced"])
@pytest.mark.parametrize("printed", [[1, "2/1", 3, 0, 0, 0, 25], [12, "/", 13, 0, 0, 0, 25]])
def test_a_slash_glued_between_digits_that_may_be_one_cells_is_unreadable(printed, style):
    """'12/1300025': 12, a blank printed '/', 13… or 1, a cell printed '2/1' (a fraction, a date), 3…: the
    same text, seven cells either way. Never split into 12 and 13."""
    row = app_row(read(crawl_with_row({"new_received": printed}, style=style)).report, "new_received")
    assert {(c.value, c.status) for c in row} == {(None, "unreadable")}
    assert "'/'夹在数字之间" in row[0].reason


@pytest.mark.parametrize("style", ["glued", "rows-spaced"])
@pytest.mark.parametrize("printed", [[1, "/", 1, 0, 0, 0, 2], ["/", 0, 0, "/", 0, 0, 0]])
def test_a_slash_glued_between_digits_is_a_blank_where_no_cell_holds_it(printed, style):
    """'1/10002': a cell printed '1/1' leaves five cells for seven (two blanks that left no trace, as in
    any glued row): the slash is a blank's mark."""
    row = app_row(read(crawl_with_row({"new_received": printed}, style=style)).report, "new_received")
    assert [(c.raw, c.status) for c in row] == [(str(v), "blank" if v == "/" else "ok") for v in printed]


_WHERE = re.compile(r"原文第(\d+)行第(\d+)字起）?$")


@pytest.mark.parametrize("style", STYLES)
def test_every_value_of_a_crawl_records_where_it_is_printed(style):
    """Each cell read from a crawl, split from a glued run or not, ends its reason with its line and the
    character its text starts at (the code before kept the offset only of a glued run, once for all its
    values); a row refused whole, where its first value starts."""
    s = spec("gov2021", 2023, seed=3, office=OFFICE)
    s.applications[("granted", "total")] = "约" + s.applications[("granted", "total")]  # (a row refused whole when glued)
    text = crawl_of_html(render_html(s), *STYLES[style])
    lines = text.splitlines()
    cells = read(text).report.cells
    placed = [(c, _WHERE.search(c.reason or "")) for c in cells if c.status != "missing"]
    assert len(placed) == 200 and all(m is not None for _, m in placed)
    assert all(lines[int(m[1]) - 1][int(m[2]) - 1:].startswith(c.raw or "") for c, m in placed)
    assert len({m.group(0) for c, m in placed if c.raw}) == len([c for c in cells if c.raw])  # each its own

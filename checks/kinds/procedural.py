"""Procedural checks: a registered function per entry (`function:`), for what is not an equation
over cells (sections, template, deadlines, text).

Each function takes the part's data, the reports it applies to and its spec, and returns
result rows (report_id, subject, status, expected, actual, difference, cells, message) for
the whole batch at once. The suite names them by `function:`; `@procedural` registers them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date

import polars as pl

from checks.blanks import blank_policy
from checks.frames import PartData, cell_label_expr, registered_reports, with_cell_id
from checks.kinds.base import Bad, Kind, register
from checks.results import PASSED, finish, render, rows
from checks.spec import CheckSpec, SuiteError
from gkqc.cells import NO_TEXT
from gkqc.lake import Lake
from gkqc.record import PUBLISHED_UNKNOWN, TEMPLATE_PRESUMED
from gkqc.templates import registry
from schemas.lake import CELL_TABLES, OFFICE_KINDS

FUNCTIONS: dict[str, Callable] = {}
NEEDS: dict[str, tuple[str, ...]] = {}  # function -> lake tables it reads besides reports
MESSAGES: set[str] = set()  # functions whose failure message an entry may write (`message:`)
WHERE: dict[str, Callable[[str], bool]] = {}  # function -> the templates it holds for, when not every one
REGISTERED: set[str] = set()  # functions that read the office registry's kind and region (see `procedural`)
CELLS = tuple(CELL_TABLES.values())  # the lake's cell tables, each printed by the section of its kind
LISTED = 20  # cell ids a per-table message names (all are in `cells`)


def procedural(*needs: str, message: bool = False, registered: bool = False,
               where: Callable[[str], bool] | None = None) -> Callable[[Callable], Callable]:
    """Register a check function under its name, with the lake tables it reads; `message`: it
    renders an entry's `message:` (with the fields it documents) for its failures; `registered`: it
    reads what the office registry gives a report (its kind, its region), which a new registry or a
    file moved into another office's folder changes: it judges every report again with the
    cross-report checks, not a batch once; `where`: the templates it holds for (asked of the registry)."""
    def add(fn: Callable) -> Callable:
        FUNCTIONS[fn.__name__] = fn
        NEEDS[fn.__name__] = needs
        if where is not None:
            WHERE[fn.__name__] = where
        if message:
            MESSAGES.add(fn.__name__)
        if registered:
            REGISTERED.add(fn.__name__)
        return fn
    return add


def _pass_others(reports: pl.DataFrame, failed: pl.DataFrame) -> pl.DataFrame:
    ok = reports.select("report_id").join(failed.select("report_id").unique(), on="report_id", how="anti")
    return rows(ok, status="pass", message=PASSED)  # the check_results view says 符合：<title>


def _part(section: str) -> str:
    """第三部分 for a section's name in the registry ('applications')."""
    return f"第{registry().section_no(section)}部分"


def _part_of(section: str) -> str:
    """第三部分（收到和处理政府信息公开申请情况） for a section's name in the registry."""
    reg = registry()
    no = reg.section_no(section)
    return f"{_part(section)}（{reg.section_title(no).removeprefix(f'{no}、')}）"


def _table_label(table: pl.Expr) -> pl.Expr:
    """The section printing a cell table, for the table's name (as _part_of)."""
    return table.replace_strict({lake: _part_of(kind) for kind, lake in CELL_TABLES.items()}, default=table)


def _per_table(data: PartData, reports: pl.DataFrame, statuses: list[str],
               message: Callable[[dict[str, pl.Expr]], pl.Expr], hiding: tuple[str, ...] = ()) -> pl.DataFrame:
    """One result per report × cell table: fail when some of its cells have one of `statuses`,
    naming how many and which (the first `LISTED` in the message, all in `cells` as id=raw), else pass;
    not assessable instead of pass when some have one of the statuses `hiding` (which may hide one).
    `message` makes the failure's message from the fields label, n, listed, first (the first cell's
    label) and reason (its reason)."""
    scoped = pl.col("rid").is_in(reports["rid"].implode())
    tables = [t for t in CELLS if t in data.cells]
    no_text = pl.col("status").cast(pl.Utf8).replace_strict(NO_TEXT, default="", return_dtype=pl.Utf8)
    raw = pl.when(pl.col("raw").fill_null("") == "").then(no_text).otherwise(pl.col("raw"))  # a cell printed without text: why

    def having(which: tuple[str, ...] | list[str]) -> pl.DataFrame:
        """Per report × table with cells of the statuses `which`: how many, the first `LISTED`, the first's
        reason, and every one as id=raw (`cells`)."""
        found = pl.concat([with_cell_id(data.cells[t].filter(pl.col("status").is_in(which) & scoped), t)
                           .select("report_id", "template", pl.lit(t).alias("table"), "cell_id", "status", "raw", "reason")
                           for t in tables])
        return found.group_by("report_id", "table", maintain_order=True).agg(
            pl.len().alias("n"), pl.col("cell_id").head(LISTED).alias("listed"), pl.col("cell_id").first().alias("first"),
            pl.col("reason").first().alias("reason"), pl.col("template").first(),
            pl.concat_str([pl.col("cell_id"), pl.lit("="), raw]).str.join("; ").alias("cells"))

    bad = having(statuses)
    fields = {"label": _table_label(pl.col("table")), "n": pl.col("n").cast(pl.Utf8),
              "listed": pl.concat_str([pl.col("listed").list.join("、"),
                                       pl.when(pl.col("n") > LISTED).then(pl.lit(" 等")).otherwise(pl.lit(""))]),
              "first": _label(pl.col("first")), "reason": pl.col("reason").fill_null("未读取")}
    fail = rows(bad, subject=pl.col("table"), status="fail", message=message(fields), cells=pl.col("cells"))
    every = reports.select("report_id").join(pl.DataFrame({"table": tables}, schema={"table": pl.Utf8}), how="cross")
    ok = every.join(bad.select("report_id", "table"), on=["report_id", "table"], how="anti")
    unsure = having(hiding)
    na = ok.join(unsure, on=["report_id", "table"])
    na_msg = pl.concat_str([pl.lit("无法判断："), _table_label(pl.col("table")), pl.lit("有 "), pl.col("n").cast(pl.Utf8),
                            pl.lit(" 个单元格未找到或无法读取，其中可能有留空的单元格")])
    ok = ok.join(unsure, on=["report_id", "table"], how="anti")
    return pl.concat([fail, rows(ok, subject=pl.col("table"), status="pass", message=PASSED),
                      rows(na, subject=pl.col("table"), status="not_assessable", message=na_msg, cells=pl.col("cells"))])


def _label(cell: pl.Expr) -> pl.Expr:
    """The label of a cell id in the words of its report's printed form (column `template`)."""
    return cell_label_expr(cell, pl.col("template"))


@procedural("sections")
def sections_present(data: PartData, reports: pl.DataFrame, spec: CheckSpec, settings: dict | None = None) -> pl.DataFrame:
    reg = registry()
    order = {s.no: k for k, s in enumerate(reg.sections)}
    names = {s.no: s.label for s in reg.sections}
    # integer keys: rid·N + k grows from report to report, so one running max finds sections printed
    # after a later one within the same report
    n = len(order)
    secs = (data.sections.select("report_id", "section_no", "position")
            .join(reports.select("report_id", "rid"), on="report_id")
            .with_columns(pl.col("section_no").replace_strict(order, return_dtype=pl.Int64).alias("k"))
            .sort(["rid", "position"]))
    expected = reports.select("report_id", "rid").join(
        pl.DataFrame({"section_no": list(order), "k": list(order.values())}, schema_overrides={"k": pl.Int64}), how="cross")
    missing = expected.join(secs.select("rid", "k"), on=["rid", "k"], how="anti")
    key = pl.col("rid").cast(pl.Int64) * n + pl.col("k")
    seq = secs.with_columns(key.alias("key"), key.cum_max().shift(1).alias("before"))
    misplaced = seq.filter((pl.col("before") >= pl.col("rid").cast(pl.Int64) * n) & (pl.col("key") < pl.col("before")))
    label = pl.col("section_no").replace_strict(names, default="")
    fail = pl.concat([
        rows(missing, subject=pl.col("section_no"), status="fail",
             message=pl.concat_str([pl.lit("缺少第"), pl.col("section_no"), pl.lit("部分（"), label, pl.lit("）")])),
        rows(misplaced.select("report_id", "section_no"), subject=pl.col("section_no"), status="fail",
             message=pl.concat_str([pl.lit("第"), pl.col("section_no"), pl.lit("部分（"), label,
                                    pl.lit("）顺序错位，应在前面的部分之前")])),
    ])
    return pl.concat([fail, _pass_others(reports, fail)])


@procedural()
def template_for_year(data: PartData, reports: pl.DataFrame, spec: CheckSpec, settings: dict | None = None) -> pl.DataFrame:
    reg = registry()
    years = reports["report_year"].drop_nulls().unique().to_list()
    want = pl.col("report_year").replace_strict({y: reg.template_for_year(y) for y in years}, default=None,
                                                return_dtype=pl.Utf8)
    base = pl.col("template").replace_strict({t: reg.base_of(t) for t in reg.printed}, default=pl.col("template"))
    df = reports.with_columns(want.alias("want"), base.alias("template"))  # a variant is of its template
    label = {t: reg.title_of(t) for t in reg.templates}
    presumed = pl.col("template_source").str.starts_with(TEMPLATE_PRESUMED).fill_null(False)
    status = pl.when(pl.col("report_year").is_null() | presumed).then(pl.lit("not_assessable")) \
        .when(pl.col("want") == pl.col("template")).then(pl.lit("pass")).otherwise(pl.lit("fail"))
    msg = pl.when(pl.col("report_year").is_null()).then(pl.lit("无法判断：未能确定报告年度")) \
        .when(presumed).then(pl.lit("无法判断：报告的表格未能辨认出所用模板（模板仅按报告年度推定）")) \
        .when(pl.col("want") == pl.col("template")).then(pl.concat_str([pl.lit("符合：使用"), pl.col("template").replace_strict(label, default="")])) \
        .otherwise(pl.concat_str([pl.col("report_year").cast(pl.Utf8), pl.lit("年度报告应使用"),
                                  pl.col("want").replace_strict(label, default=""), pl.lit("，实际使用"),
                                  pl.col("template").replace_strict(label, default="")]))
    return rows(df, status=status, message=msg)


@procedural(*CELLS)
def cells_complete(data: PartData, reports: pl.DataFrame, spec: CheckSpec, settings: dict | None = None) -> pl.DataFrame:
    """S3, one result per report and table: a table whose cells were not all found and read is one
    problem (a cut-off page or a glued row leaves many), named with its cells."""
    def msg(f: dict[str, pl.Expr]) -> pl.Expr:
        return pl.concat_str([f["label"], pl.lit("有 "), f["n"], pl.lit(" 个单元格未找到或无法读取："), f["listed"],
                              pl.lit("（"), f["first"], pl.lit("："), f["reason"], pl.lit("）")])
    return _per_table(data, reports, ["missing", "unreadable"], msg)


@procedural(*CELLS)
def blank_cells(data: PartData, reports: pl.DataFrame, spec: CheckSpec, settings: dict | None = None) -> pl.DataFrame:
    """S4, one result per report and table: its blank cells (as opposed to 0), how the checks
    counted them (the blank-cell policy) and what to do."""
    counted = ("相关等式按空白为0计算" if blank_policy(settings or {}) == "zero"
               else "不按0计，相关等式无法判断")

    def msg(f: dict[str, pl.Expr]) -> pl.Expr:
        return pl.concat_str([f["label"], pl.lit("有 "), f["n"], pl.lit(" 个单元格留空："), f["listed"],
                              pl.lit(f"；{counted}。请填写数字，没有则填0")])
    return _per_table(data, reports, ["blank"], msg, hiding=("missing", "unreadable"))


@procedural(*CELLS)
def ocr_values(data: PartData, reports: pl.DataFrame, spec: CheckSpec, settings: dict | None = None) -> pl.DataFrame:
    """Reports with cells read by OCR: each one an equation disproved, or no equation could prove, is a
    finding (it is then read as unreadable by every check); a report whose OCR values all hold passes.
    Others: no row."""
    scoped = pl.col("rid").is_in(reports["rid"].implode())
    read = pl.concat([with_cell_id(data.cells[t].filter(scoped & (pl.col("status") == "ocr")), t)
                      .select("report_id", "rid", "template", pl.lit(t).alias("table"), "cell_id", "raw", "confidence")
                      for t in data.cells])
    rejected = data.rejected if data.rejected is not None else read.clear().select(
        "rid", "table", "cell_id", pl.lit(None, pl.Utf8).alias("check_id"), pl.lit(None, pl.Boolean).alias("disproved"))
    bad = read.join(rejected.select("rid", "table", "cell_id", "check_id", "disproved"), on=["rid", "table", "cell_id"])
    why = pl.when(pl.col("disproved")).then(pl.concat_str([pl.lit("与 "), pl.col("check_id"), pl.lit(" 等式不符")])) \
        .otherwise(pl.concat_str([pl.lit("无法经 "), pl.col("check_id"), pl.lit(" 等式核验（其他单元格未能读取或留空）")]))
    msg = pl.concat_str([_label(pl.col("cell_id")), pl.lit("：OCR 读数 '"), pl.col("raw").fill_null(""),
                         pl.lit("'（置信度 "), pl.col("confidence").round(2).cast(pl.Utf8).fill_null("?"),
                         pl.lit("）"), why, pl.lit("，不予采信，按无法读取处理")])
    fail = rows(bad, subject=pl.col("cell_id"), status="fail", message=msg,
                cells=pl.concat_str([pl.col("cell_id"), pl.lit("="), pl.col("raw").fill_null("")]))
    held = read.select("report_id").unique().join(bad.select("report_id"), on="report_id", how="anti")
    return pl.concat([fail, rows(held, status="pass", message=PASSED)])


@procedural("active_disclosure", message=True)
def amount_unit(data: PartData, reports: pl.DataFrame, spec: CheckSpec, settings: dict | None = None) -> pl.DataFrame:
    """Amounts printed without a unit (taken to be in the template's). Message fields: subject_label,
    raw, unit (the template's unit of the cell)."""
    units = registry().amount_cells("active_disclosure")
    active = data.cells["active_disclosure"].filter(
        (pl.col("status") == "ok") & pl.col("rid").is_in(reports["rid"].implode()))
    cells = with_cell_id(active, "active_disclosure").filter(pl.col("cell_id").is_in(list(units)))
    bad = cells.filter(pl.col("unit").is_null())
    fail = rows(bad, subject=pl.col("cell_id"), status="fail", actual=pl.col("value"),
                cells=pl.concat_str([pl.col("cell_id"), pl.lit("="), pl.col("raw")]),
                message=render(spec.message or "{subject_label}：未注明金额单位，按{unit}计（原文 {raw}）",
                               {"subject_label": _label(pl.col("cell_id")), "raw": pl.col("raw"),
                                "unit": pl.col("cell_id").replace_strict(units, return_dtype=pl.Utf8)}))
    ok = cells.select("report_id").unique().join(bad.select("report_id").unique(), on="report_id", how="anti")
    na = reports.select("report_id").join(cells.select("report_id").unique(), on="report_id", how="anti")
    return pl.concat([fail, rows(ok, status="pass", message="符合：金额单位已注明"),
                      rows(na, status="not_assessable", message="无法判断：没有可读取的金额单元格")])


_MMDD = re.compile(r"\d{2}-\d{2}")


def _month_day(value: object) -> bool:
    if not _MMDD.fullmatch(str(value)):
        return False
    try:
        date.fromisoformat(f"2024-{value}")  # a leap year: 02-29 is a real deadline
    except ValueError:
        return False
    return True


def check_deadlines(settings: dict) -> None:
    """Raise SuiteError unless `deadlines` (and each `provinces` entry) maps known office kinds to real
    month-days (`02-29` allowed) and `deadlines` gives `other`, the deadline of every other office."""
    table = settings.get("deadlines")
    if not isinstance(table, dict) or "other" not in table:
        raise SuiteError("deadlines: 应为按机关类别的期限表，且含 other（其他机关的期限） (missing deadline of 'other')")
    provinces = settings.get("provinces") or {}
    if not isinstance(provinces, dict):
        raise SuiteError("provinces: 应为“地区名称前缀: {机关类别: 期限}”的表 (not a mapping)")
    for where, over in [("deadlines", table), *((f"provinces.{p}", o) for p, o in provinces.items())]:
        if not isinstance(over, dict):
            raise SuiteError(f"{where}: 应为“机关类别: 期限”的表 (not a mapping)")
        for kind, mmdd in over.items():
            if kind not in OFFICE_KINDS:
                raise SuiteError(f"{where}.{kind}: 未知机关类别，应为 {'、'.join(OFFICE_KINDS)} 之一 (unknown office kind)")
            if not _month_day(mmdd):
                raise SuiteError(f"{where}.{kind}: '{mmdd}' 不是有效的月-日，应写作 \"01-31\" (not a month-day)")


def deadline(kind: str | None, region: str | None, settings: dict) -> str:
    kind = kind or "other"
    for prefix, over in (settings.get("provinces") or {}).items():
        if region and region.startswith(prefix) and kind in over:
            return over[kind]
    return settings["deadlines"].get(kind, settings["deadlines"]["other"])


@procedural(registered=True)
def on_time(data: PartData, reports: pl.DataFrame, spec: CheckSpec, settings: dict) -> pl.DataFrame:
    dl = reports.select("office_kind", "region").unique().with_columns(
        pl.struct("office_kind", "region").map_elements(
            lambda s: deadline(s["office_kind"], s["region"], settings), return_dtype=pl.Utf8).alias("mmdd"))
    first = pl.date(pl.col("report_year") + 1, pl.col("mmdd").str.slice(0, 2).cast(pl.Int32), 1)
    day = pl.col("mmdd").str.slice(3, 2).cast(pl.Int32)
    df = reports.join(dl, on=["office_kind", "region"], how="left", nulls_equal=True).with_columns(
        # (02-29 in a year without one: the month's last day, as a deadline of "end of February" means)
        pl.min_horizontal(first + pl.duration(days=day - 1), first.dt.month_end()).alias("due"))
    late = (pl.col("published_at") - pl.col("due")).dt.total_days().cast(pl.Float64)
    known = pl.col("published_at").is_not_null() & pl.col("due").is_not_null()
    early = pl.col("published_at").dt.year() <= pl.col("report_year")  # before the year reported on ended
    assessable = known & ~early
    kind = pl.col("office_kind").fill_null("other").replace_strict(OFFICE_KINDS, default=OFFICE_KINDS["other"])
    base = [pl.lit("发布于 "), pl.col("published_at").cast(pl.Utf8), pl.lit("，期限 "), pl.col("due").cast(pl.Utf8),
            pl.lit("（"), kind, pl.lit("）")]
    msg = pl.when(~known).then(pl.lit("无法判断：未找到发布日期或报告年度")) \
        .when(early).then(pl.concat_str([pl.lit("无法判断：发布日期 "), pl.col("published_at").cast(pl.Utf8),
                                         pl.lit(" 在报告年度 "), pl.col("report_year").cast(pl.Utf8),
                                         pl.lit(" 结束之前，日期或年度有误")])) \
        .when(late > 0).then(pl.concat_str([*base, pl.lit("，逾期 "), late.cast(pl.Int64).cast(pl.Utf8), pl.lit(" 天")])) \
        .otherwise(pl.concat_str([*base, pl.lit("，按时发布")]))
    status = pl.when(~assessable).then(pl.lit("not_assessable")).when(late > 0).then(pl.lit("fail")) \
        .otherwise(pl.lit("pass"))
    return rows(df, status=status, message=msg, expected=pl.when(assessable).then(pl.lit(0.0)),
                actual=pl.when(assessable).then(late),
                cells=pl.concat_str([pl.lit("published_at="), pl.col("published_at").cast(pl.Utf8).fill_null("空"),
                                     pl.lit("; deadline="), pl.col("due").cast(pl.Utf8).fill_null("空")]))


@procedural()
def publish_date_known(data: PartData, reports: pl.DataFrame, spec: CheckSpec, settings: dict | None = None) -> pl.DataFrame:
    known = pl.col("published_at").is_not_null()
    unsure = pl.col("published_source") == PUBLISHED_UNKNOWN  # printed, but which date is it cannot be told
    return rows(reports, status=pl.when(known).then(pl.lit("pass")).when(unsure).then(pl.lit("not_assessable"))
                .otherwise(pl.lit("fail")),
                message=pl.when(known).then(pl.concat_str([pl.lit("发布日期 "), pl.col("published_at").cast(pl.Utf8)]))
                .when(unsure).then(pl.lit("无法判断：页面印有发布日期，但无法确定是哪个日期（见解析备注）"))
                .otherwise(pl.lit("未找到发布日期（元数据、页面发布时间、落款日期均无）")))


def _section_text(data: PartData, reports: pl.DataFrame, section: str) -> pl.DataFrame:
    """Each report's text of the section named `section` in the registry (null when not printed)."""
    secs = (data.sections.filter(pl.col("section_no") == registry().section_no(section))
            .group_by("report_id").agg(pl.col("text").first()))
    return reports.select("report_id").join(secs, on="report_id", how="left")


# section 五 saying there is nothing: its sub-headings (（一）存在的主要问题) and lead-ins (改进情况：), and
# sentences whose every word beside a subject and a negation is a word of its heading
# (本单位本年度不存在需要说明的主要问题及改进情况)
_HEADING_WORDS = r"(?:存在|需要|需|要|说明|报告|的|主要|明显|突出|重大|问题|及|和|与|以及|改进|整改|情况|措施|不足|方面|之处|等|其他|其它|有关|相关|工作|下一步|计划|方向|打算)+"
_NUMBERING = r"(?:[(（][一二三四五六七八九十\d]{1,3}[)）]|[一二三四五六七八九十]{1,3}[、.．]|\d{1,2}[、.．)）])"
_SUB_HEADING = rf"(?m)^[ \t\u3000]*{_NUMBERING}?[ \t\u3000]*{_HEADING_WORDS}[ \t\u3000]*[：:]?[ \t\u3000]*$"
# a numbered sub-heading with its answer on its line (a crawl's one line, an HTML paragraph): （一）存在的主要问题无
_INLINE_SUB_HEADING = rf"{_NUMBERING}[ \t\u3000]*{_HEADING_WORDS}[ \t\u3000]*[：:]?"
_NEGATION = "(?:不存在|没有|暂无|尚无|并无|无|未发现|未发生)"
_NOTHING = (rf"^[^，,：:]{{0,20}}?{_NEGATION}(?:存在)?(?:{_HEADING_WORDS})?"
            rf"(?:问题|不足)(?:{_HEADING_WORDS})?$")  # (the problems themselves: not 没有工作计划, a problem stated)
# a sentence ending in 'none' (…未发现存在的问题, …，无) after lead-ins that state no problem (我单位高度重视
# 政府信息公开工作，经认真梳理，): a lead-in holding a character of a shortcoming or a contrast (不, 未, 滞后, 有待,
# 但) may be a problem stated, and 'no other problem' (其他, 此外) says some were: these stay said
_SHORTCOMING = "不未无没缺欠差弱低慢少滞待仍尚需问困难但却然其它另外"
_OWN_WORDS = _HEADING_WORDS.replace("|其他|其它", "")
_LED_NOTHING = (rf"^(?:[^，,：:{_SHORTCOMING}]{{1,30}}[，,])+(?:[^，,：:其它另外]{{0,20}}?{_NEGATION}(?:存在)?(?:{_OWN_WORDS})?"
                rf"(?:问题|不足)(?:{_OWN_WORDS})?|暂无|无|没有)$")


@procedural("sections")
def problems_substantive(data: PartData, reports: pl.DataFrame, spec: CheckSpec, settings: dict | None = None) -> pl.DataFrame:
    df = _section_text(data, reports, "problems")
    text = pl.col("text").fill_null("").str.replace_all(r"\s", "")
    # what it says beside its sub-headings, its lead-ins (存在的问题：), sentences saying there is
    # nothing (after lead-ins stating none), and its 无: nothing, when every part of it is one of these
    said = (pl.col("text").fill_null("").str.replace_all(_SUB_HEADING, "").str.replace_all(_INLINE_SUB_HEADING, "。")
            .str.replace_all(r"\s", "")
            .str.replace_all(r"[^：:。；;，,]{0,12}[：:]", "").str.extract_all(r"[^。；;！!]+")
            .list.eval(pl.element().filter(~pl.element().str.contains(_NOTHING) & ~pl.element().str.contains(_LED_NOTHING)))
            .list.join("")
            .str.replace_all(r"暂无|没有|无|[。；;，,、.！!]", ""))
    empty = pl.col("text").is_null() | (text.str.len_chars() < 15) | (said.str.len_chars() == 0)
    msg = pl.when(pl.col("text").is_null()).then(pl.lit(f"未找到{_part_of('problems')}")) \
        .when(empty).then(pl.concat_str([pl.lit(f"{_part('problems')} 内容过少："), pl.col("text").fill_null("")])) \
        .otherwise(pl.lit(f"符合：{_part('problems')}有实质内容"))
    return rows(df, status=pl.when(empty).then(pl.lit("fail")).otherwise(pl.lit("pass")), message=msg)


# T2, clause by clause (。；): the 信息处理费 named with an amount collected or a statement that none was;
# a fee of no named kind (费用, 收费) only with a statement that none was collected (an amount of it may
# be any fee's); a fee of another kind (行政事业性收费, 运维费用, 行政许可收费) never; a rate (每件100元) is
# no amount. Free is free only when said of the applications or the information (申请均免费办理), not
# of a form or a service to applicants (免费提供申请表, 免费为申请人复印).
_FEE = "信息处理费|处理费"
_FEE_ANY = "费用|收费|免费|免收"
_FEE_OTHER = ("行政事业性|事业性收费|运维|经费|建设费|维护费|服务费|培训费|采购"
              "|(?:许可|审批|登记|办证|考试|检测|检验)(?:收费|费)")  # the fee of another matter
_CN_NUM = "零〇一二两三四五六七八九十百千壹贰叁肆伍陆柒捌玖拾佰仟"
_RATE = rf"(?:每[件页份次条张]?|标准(?:为|是|:)|按件计收|按量计收)[^，,]{{0,10}}?(?:\d[\d,.]*|[{_CN_NUM}]+)(?:万元|元)"
_AMOUNT = rf"(?:\d[\d,]*(?:\.\d+)?|[{_CN_NUM}]+)(?:万元|元)"
_SUBJECT = "信息处理费|处理费|费用|收费|金额|收入|情况"
_NONE = (rf"(?:{_SUBJECT})[^，,\d]{{0,10}}?(?:为|是|:)?(?:本年度|本年|全年)?(?:0(?:\.0+)?|零|〇)(?:万元|元)?(?:$|[^\d.])"  # a fee of 0
         rf"|(?:{_SUBJECT})[^，,\d]{{0,10}}?(?::|为)(?:本年度|本年|全年)?均?(?:无|没有)(?:$|[，,])"  # 信息处理费：无
         r"|(?:未|没有|不|无|并未|均未|从未|尚未|暂未)(?:向申请人|对申请人|因[^，,]{0,12}?)?(?:实际|任何)?(?:收取|收费)"  # 未收取
         r"|(?:未|没有|并未|均未|从未|尚未|暂未|未曾)[^，,发引违]{0,14}?收取"  # 未向政府信息公开申请人收取
         r"|(?:未|没有|不|并未|均未|从未|尚未|暂未)(?:因[^，,]{0,12}?)?(?:发生|产生|涉及|存在)"
         r"(?:收取|收费|信息处理费|处理费|费用|任何费用|相关费用|情况|$|[，,])"  # 未产生信息处理费, 不涉及
         r"|(?:无|没有|不存在)(?:信息处理费|处理费|收费)"  # 无信息处理费
         r"|免收|免予收取|免于收取")
_APPLICATIONS = "申请(?:[^表书人]|$)"  # the applications, not a form (申请表, 申请书) or a person (申请人)
_FREE = (f"免费.*{_APPLICATIONS}|{_APPLICATIONS}.*免费"  # all applications free: unless some fee was collected
         "|免费[^，,]{0,8}?提供[^，,]{0,6}?信息(?:$|[，,])|提供的?[^，,]{0,6}?信息[^，,不非未]{0,4}?免费")  # the information free
# a fee collected, not a rule for collecting one: in the past tense, or this year's, or from applicants counted
_COLLECTED_FACT = ("收取了|已收取|已经收取"
                   "|(?:(?:本年度?内?|今年|全年|年内|报告期内)[，,]?|\\d{4}年度?[，,])[^，,未不没无非将]*收取(?:[^标工]|$)"
                   "|向\\d+(?:名|位|个|件|人)[^，,未不没无非]*收取")
_COLLECTING_OF = "收取[^，,]{0,8}?(?:情况|数|金额|总额)"  # 收取 in a noun (收取信息处理费情况：…): no fact of collecting
_OTHER_FEES = "其[他它余](?:任何)?(?:费用|收费)"  # 未收取其他费用 says nothing of the 信息处理费
_NOT_FEE = "〼"  # where the 信息处理费 was named as what the fees spoken of are not (信息处理费以外的其他费用)
_COLLECTED = (f"收取了|已收取|除[^，,]*(?:收取|{_FEE}|{_NOT_FEE})"  # (除信息处理费外，未收取其他费用: some may be)
              "|(?:^|[，,])[^，,未不没无非]*(?:按标准|按照标准|依法|依规|按规定标准|按规定)收取")  # (not 没有依法收取)


_AND = "和|及|与|、|以及|或"
_OTHER_NAME = f"(?:{_FEE_OTHER})[^，,{_AND}]{{0,4}}?(?:收费|费用|费)?"  # 行政事业性收费, 运维费用
_BESIDE = "※"  # where another fee was named beside the 信息处理费: what the part says of both, no amount of either


def _fee_clauses(text: pl.Expr) -> pl.Expr:
    """The clauses of a text (NFKC, without whitespace), rates removed; another fee named beside the
    信息处理费 (未收取信息处理费和行政事业性收费) replaced by `_BESIDE`, and the other parts (between
    commas) that name another fee removed (未收取信息处理费，无行政许可收费: the first part states the 信息处理费);
    the 信息处理费 named as what other fees are not (信息处理费以外的其他费用) replaced by `_NOT_FEE`."""
    return (text.fill_null("").str.normalize("NFKC").str.replace_all(r"\s", "").str.extract_all(r"[^。；;]+")
            .list.eval(pl.element().str.replace_all(f"(?:{_FEE})(以外|之外|外)", f"{_NOT_FEE}${{1}}")
                       .str.replace_all(_RATE, "")
                       .str.replace_all(f"({_FEE})({_AND}){_OTHER_NAME}", f"${{1}}${{2}}{_BESIDE}")
                       .str.replace_all(f"{_OTHER_NAME}({_AND})({_FEE})", f"{_BESIDE}${{1}}${{2}}")
                       .str.replace_all(f"[^，,]*(?:{_FEE_OTHER})[^，,]*", "")))


def _states_fee(template: str) -> bool:
    return registry().states_fee(template)


@procedural("sections", where=_states_fee)
def fee_reported(data: PartData, reports: pl.DataFrame, spec: CheckSpec, settings: dict | None = None) -> pl.DataFrame:
    """T2: a clause of section 六 names the 信息处理费 and states it: an amount, or that none was
    collected; or it says no fee at all was collected."""
    df = _section_text(data, reports, "other")
    clauses = _fee_clauses(pl.col("text"))
    e = pl.element()
    own = e.str.contains(_FEE) & ~e.str.contains(_FEE_OTHER)
    anyfee = e.str.contains(_FEE_ANY) & ~e.str.contains(_FEE_OTHER) & ~e.str.contains(_OTHER_FEES)
    names = clauses.list.eval(e.str.contains(_FEE)).list.any()
    free = e.str.contains(_FREE) & ~e.str.contains(_COLLECTED)
    none = e.str.contains(_NONE) & ~e.str.contains(_COLLECTED)  # (收取了信息处理费，…未收取其他费用: some was)
    # a fee said collected in another clause (…收取了信息处理费。…均免费) leaves only an amount as its statement;
    # a rule (对超出合理范围的申请，依法收取信息处理费) says nothing of what was collected
    collected = clauses.list.eval((own | e.str.contains(_FEE_ANY)) & e.str.contains(_COLLECTED_FACT)
                                  & ~e.str.contains(_COLLECTING_OF)).list.any()
    amount = clauses.list.eval(own & e.str.contains(_AMOUNT) & ~e.str.contains(_BESIDE, literal=True)).list.any()
    # the 信息处理费 said not collected in a part of its own (未收取信息处理费，对超出…的申请，依法收取…): a rule
    # for collecting beside it in the clause does not undo it
    parts = clauses.list.eval(e.str.split(",")).list.eval(e.explode())
    own_none = parts.list.eval(own & e.str.contains(_NONE) & ~e.str.contains(_COLLECTED_FACT)).list.any()
    says = amount | ((clauses.list.eval((own | anyfee) & (none | free)).list.any() | own_none) & ~collected)
    msg = pl.when(pl.col("text").is_null()).then(pl.lit(f"未找到{_part_of('other')}，未说明信息处理费收取情况")) \
        .when(says).then(pl.lit("符合：已说明信息处理费收取情况")) \
        .when(names).then(pl.lit(f"{_part('other')}提到信息处理费，但未说明收取金额或未收取")) \
        .otherwise(pl.lit(f"{_part('other')}未说明信息处理费的收取情况（收取金额或未收取）"))
    return rows(df, status=pl.when(says).then(pl.lit("pass")).otherwise(pl.lit("fail")), message=msg)


@register
class Procedural(Kind):
    name = "procedural"
    fields = frozenset({"function", "message"})

    def validate(self, spec: CheckSpec, bad: Bad) -> None:
        if spec.function not in FUNCTIONS:
            raise bad(f"未注册的程序性检查函数 '{spec.function}' (unknown function)")
        if spec.message and spec.function not in MESSAGES:
            raise bad(f"程序性检查函数 '{spec.function}' 不使用 message 字段 (this function writes its own messages)")

    def applies(self, spec: CheckSpec, template: str) -> bool:
        return spec.function not in WHERE or WHERE[spec.function](template)

    def tables(self, spec: CheckSpec) -> set[str]:
        return set(NEEDS[spec.function])

    def evaluate(self, data: PartData, specs: list[CheckSpec], settings: dict) -> list[pl.DataFrame]:
        return self._judge(data, [s for s in specs if s.function not in REGISTERED], settings)

    def across(self, lake: Lake, specs: list[CheckSpec], carried: list[str], settings: dict) -> Iterator[pl.DataFrame]:
        mine = [s for s in specs if s.function in REGISTERED]
        if mine:
            reports = registered_reports(lake, lake.part_names("reports"))
            yield from self._judge(PartData(reports, pl.DataFrame(), {}, {}), mine, settings)

    @staticmethod
    def _judge(data: PartData, specs: list[CheckSpec], settings: dict) -> list[pl.DataFrame]:
        out = []
        for s in specs:
            scoped = data.reports.filter(pl.col("template").is_in(list(s.templates)))
            if scoped.height:
                out.append(finish(FUNCTIONS[s.function](data, scoped, s, settings), s))
        return out

"""Narrative numbers against the tables (T3): numbers a section's text states about a quantity the
tables hold ("共收到政府信息公开申请64件") are compared with the cells they name, for a whole batch
at once with polars string expressions.

What is read, all declared in the entry: `phrases` (a regex with `{N}` where the number stands, the
cell it names, optionally a word the sentence must contain, words after which in its sentence a
number is a part of a count rather than the count (`parts_after`: 其中) and words that, in its
clause before it, make a number another count (`skip_before`, beside the entry's)), `unit`, `skip_after`,
`skip_before`, `other_periods`, `skip_ending`, `foreign`, `scope_words` and `sums`. The text is
NFKC-normalised (full-width digits, Kangxi radicals), stripped of whitespace (PDF lines break inside
numbers) and cut into sentences at 。！？. A number counts only when it stands right after its phrase
and before `unit`; a number after another year or period in its sentence (`other_periods`: 近三年,
累计, 第四季度) or after another matter (`foreign`: in its clause for every phrase, in its sentence
for a phrase with `sentence`) is skipped. Per report and cell: a number equal to the cell
passes; one different number fails; several different ones (a part of the count among them), a blank cell, a sentence about a wider
scope or a number equal to a `sums` total are not assessable. A report stating none: one row, not
assessable.
"""

from __future__ import annotations

import re

import polars as pl

from checks.frames import PartData, cell_label_expr, cell_labels
from checks.grid import blank_col, cell_ids
from checks.kinds.base import Bad, Kind, need_table, register
from checks.results import PASSED, finish, fmt_num, render, report_rows
from checks.spec import CheckSpec
from gkqc.cells import MAX_EXACT
from gkqc.templates import registry

NUMBER = r"(?P<n>\d{1,3}(?:,\d{3})+|\d+)"  # thousands separators: ASCII commas only (after NFKC)
BOUNDS = ",;:、。!?"  # a clause ends at these (after NFKC)
BEFORE = 30  # at most this many characters of the clause before a phrase are read
QUOTE = 60  # characters of a sentence quoted in a message
NO_SECTION = "无法判断：未找到第{no}部分（{label}）"
NONE_STATED = "无法判断：第{no}部分（{label}）未陈述可与表格核对的数量"
BLANK = "无法判断：表格单元格为空或无法读取（文中 {n} {unit}：“{quote}”）"
SEVERAL = "无法判断：文中对同一单元格有多个不同的数字（{ns}），无法确定所指：“{quote}”"
WIDER = "无法判断：文中谈的是更大的范围（{scope}），{n} {unit}与表格的 {v} 可能口径不同：“{quote}”"
SUMMED = "无法判断：文中 {n} {unit}等于 {cells} 之和，口径可能不同：“{quote}”"
FIELDS = frozenset({"section", "table", "unit", "phrases", "skip_after", "skip_before", "other_periods", "skip_ending", "foreign",
                    "scope_words", "sums", "message"})


def entry(spec: CheckSpec) -> dict:
    """The entry's own fields (the suite loader keeps them in `spec.extra`)."""
    return spec.extra


def compose(e: dict, pattern: str) -> str:
    """A phrase's regex with its clause prefix (`pre`), number (`n`) and what follows the unit (`tail`)."""
    tail = "|".join(re.escape(t) for t in e.get("skip_after", []))
    num = f"{NUMBER}{re.escape(e['unit'])}" + (f"(?P<tail>{tail})?" if tail else "")
    return f"(?P<pre>[^{re.escape(BOUNDS)}]{{0,{BEFORE}}}){pattern.replace('{N}', num)}"


def _section(data: PartData, reports: pl.DataFrame, no: str) -> pl.DataFrame:
    """(rid, report_id, report_year, text) of the reports that have section `no` (a section printed
    twice is read twice)."""
    return (data.sections.select("report_id", "section_no", "text").filter(pl.col("section_no") == no)
            .join(reports.select("rid", "report_id", "report_year"), on="report_id"))


def _sentences(section: pl.DataFrame, unit: str) -> pl.DataFrame:
    """(rid, report_id, report_year, printed, sentence): the sentences of the section that hold a
    number followed by `unit`, as printed (without whitespace) and NFKC-normalised. One regex pass
    over the text finds them: the rest of the text is never normalised."""
    stop = "。！？｡!?"
    found = rf"[^{stop}]*[0-9０-９]\s*{re.escape(unit)}[^{stop}]*[{stop}]?"
    return (section.select("rid", "report_id", "report_year", pl.col("text").str.extract_all(found).alias("printed"))
            .explode("printed").drop_nulls("printed")
            .with_columns(pl.col("printed").str.replace_all(r"\s+", ""))
            .with_columns(pl.col("printed").str.normalize("NFKC").alias("sentence")))


def _matches(sentences: pl.DataFrame, e: dict) -> pl.DataFrame:
    """Each number stated after a phrase: rid, report_id, cell, n, sentence, match; skipped ones removed."""
    found = []
    for p in e["phrases"]:
        rx = compose(e, p["pattern"])
        hits = sentences.filter(pl.col("sentence").str.contains(rx))
        if p.get("sentence"):
            hits = hits.filter(pl.col("sentence").str.contains(p["sentence"]))
            if e.get("foreign"):
                hits = hits.filter(~pl.col("sentence").str.contains(e["foreign"]))
        hits = hits.with_columns(pl.col("sentence").str.extract_all(rx).alias("match")).explode("match")
        hits = hits.with_columns(pl.lit(p["cell"]).alias("cell"), pl.col("match").str.extract_groups(rx).alias("g")).unnest("g")
        # a part of the count (共收到申请64件，其中通过信函收到申请14件: 14): never compared alone, but
        # beside a stated count that differs from the cell it leaves that count in doubt
        part = pl.lit(False)
        if p.get("skip_before"):
            part = part | pl.col("pre").str.contains(p["skip_before"])
        if p.get("parts_after"):
            part = part | _before().str.contains(p["parts_after"])
        found.append(hits.with_columns(part.alias("part")))
    if not found:
        return sentences.clear().with_columns(*(pl.lit(None, dtype=pl.Utf8).alias(c) for c in ("match", "cell", "pre", "tail")),
                                         pl.lit(None, dtype=pl.Float64).alias("n"), pl.lit(None, dtype=pl.Boolean).alias("part"))
    df = pl.concat([f.select("rid", "report_id", "report_year", "printed", "sentence", "match", "cell", "pre", "n", "part",
                             (pl.col("tail") if "tail" in f.columns else pl.lit(None, dtype=pl.Utf8)).alias("tail"))
                    for f in found])
    # the sentence up to the number: the year it last names must be the report's
    before = _before()
    digits = before.str.replace_many(list("〇零○◯OＯ一二三四五六七八九"), list("000000123456789"))  # (二○二一年 is 2021年)
    year = digits.str.extract_all(r"(\d{4})年").list.last().str.slice(0, 4).cast(pl.Int32, strict=False)
    keep = pl.col("tail").is_null() & (year.is_null() | (year == pl.col("report_year")).fill_null(False))
    if e.get("skip_before"):
        keep = keep & ~pl.col("pre").str.contains(e["skip_before"])
    if e.get("other_periods"):  # 近三年, 2020年至2022年, 累计, 第四季度: not the report year's count
        keep = keep & ~before.str.contains(e["other_periods"])
    if e.get("foreign"):  # 政务服务中心共受理行政许可申请1520件: another matter's applications
        keep = keep & ~pl.col("pre").str.contains(e["foreign"])
    if e.get("skip_ending"):
        keep = keep & ~before.str.contains(f"(?:{e['skip_ending']})$")
    # a stated number past what a cell can hold exactly is no count the tables can be held to (as a cell's)
    return (df.filter(keep).with_columns(pl.col("n").str.replace_all(",", "").cast(pl.Float64).alias("n"))
            .filter(pl.col("n") <= MAX_EXACT))


def _before() -> pl.Expr:
    """The sentence up to a match's number (columns sentence, match, pre)."""
    return pl.concat_str([pl.col("sentence").str.split(pl.col("match")).list.first(), pl.col("pre")])


def _quote(printed: pl.Expr, sentence: pl.Expr, match: pl.Expr) -> pl.Expr:
    """The sentence as printed, or the part of it around the match when long (the normalised one
    where normalising changed its length, so that the window still holds the number)."""
    start = sentence.str.split(match).list.first().str.len_chars().cast(pl.Int64)
    sentence = pl.when(printed.str.len_chars() == sentence.str.len_chars()).then(printed).otherwise(sentence)
    begin = pl.max_horizontal(pl.lit(0), start - 10)
    cut = sentence.str.slice(begin, QUOTE)
    return pl.concat_str([pl.when(begin > 0).then(pl.lit("…")).otherwise(pl.lit("")), cut,
                          pl.when(begin + QUOTE < sentence.str.len_chars().cast(pl.Int64)).then(pl.lit("…")).otherwise(pl.lit(""))])


def _values(data: PartData, e: dict, cells: list[str]) -> pl.DataFrame:
    """(rid, cell, value, alt): each stated cell's value and, where declared, the total of its `sums`."""
    grid = data.grids[e["table"]].grid
    sums = e.get("sums") or {}
    alt = {c: pl.sum_horizontal(pl.col(sums[c])) if c in sums else pl.lit(None, dtype=pl.Float64) for c in cells}
    # a blank cell (0 under the default blank policy) is not a number the narrative can be held to
    value = {c: pl.when(pl.col(blank_col(c))).then(None).otherwise(pl.col(c)) if blank_col(c) in grid.columns
             else pl.col(c) for c in cells}
    return pl.concat([grid.select("rid", pl.lit(c).alias("cell"), value[c].alias("value"), alt[c].alias("alt"))
                      for c in cells])


def judge(data: PartData, reports: pl.DataFrame, spec: CheckSpec) -> pl.DataFrame:
    """Result rows of one entry for the batch's `reports` (rid, report_id, report_year)."""
    e = entry(spec)
    no = e["section"]
    section = _section(data, reports, no)
    sentences = _sentences(section, e["unit"])
    found = _matches(sentences, e).with_columns(_quote(pl.col("printed"), pl.col("sentence"), pl.col("match")).alias("quote"),
                                                pl.col("sentence").str.extract(f"({e['scope_words']})")
                                                .alias("scope") if e.get("scope_words") else pl.lit(None, dtype=pl.Utf8).alias("scope"))
    cells = sorted({p["cell"] for p in e["phrases"]})
    per = (found.join(_values(data, e, cells), on=["rid", "cell"], how="left")
           .with_columns(((pl.col("n") == pl.col("value")) & ~pl.col("part")).alias("equal"))
           .sort("rid", "cell", "part", "equal", descending=[False, False, False, True], maintain_order=True)
           .group_by("rid", "report_id", "cell", maintain_order=True)
           .agg(pl.col("n").unique(maintain_order=True).alias("ns"), pl.col("equal").any(), pl.first("n", "value", "alt", "quote"),
                pl.col("scope").drop_nulls().first(), (~pl.col("part")).any().alias("whole"))
           .filter("whole"))  # parts alone: the count they are parts of is not stated
    several = pl.col("ns").list.len() > 1
    blank = pl.col("value").is_null() | pl.col("value").is_nan()
    summed = pl.col("alt").is_not_null() & ~pl.col("alt").is_nan() & (pl.col("n") == pl.col("alt"))
    status = (pl.when(blank).then(pl.lit("not_assessable")).when(pl.col("equal")).then(pl.lit("pass"))
              .when(several | pl.col("scope").is_not_null() | summed).then(pl.lit("not_assessable"))
              .otherwise(pl.lit("fail")))
    n, v, q, unit = fmt_num(pl.col("n")), fmt_num(pl.col("value").fill_nan(None)), pl.col("quote"), pl.lit(e["unit"])
    per = per.join(data.reports.select("rid", "template"), on="rid", how="left", maintain_order="left")
    label = cell_label_expr(pl.col("cell"), pl.col("template"))
    sums = {c: "、".join(cell_labels().get(x, x) for x in xs) for c, xs in (e.get("sums") or {}).items()}
    fields = {"quote": q, "actual": n, "expected": v, "unit": unit, "subject_label": label,
              "difference": fmt_num(pl.col("n") - pl.col("value"))}
    msg = (pl.when(blank).then(_fill(BLANK, n=n, unit=unit, quote=q))
           .when(pl.col("equal")).then(PASSED)
           .when(several).then(_fill(SEVERAL, ns=pl.col("ns").list.eval(fmt_num(pl.element())).list.join("、"), quote=q))
           .when(pl.col("scope").is_not_null()).then(_fill(WIDER, scope=pl.col("scope"), n=n, unit=unit, v=v, quote=q))
           .when(summed).then(_fill(SUMMED, n=n, unit=unit, cells=pl.col("cell").replace_strict(sums, default=""), quote=q))
           .otherwise(render(spec.message or spec.title, fields)))
    actual = pl.when(pl.col("equal")).then(pl.col("value")).when(~several).then(pl.col("n"))
    expected = pl.col("value").fill_nan(None)
    stated = per.select(
        "report_id", pl.col("cell").alias("subject"), status.alias("status"), expected.alias("expected"),
        actual.alias("actual"), (actual - expected).alias("difference"),
        pl.concat_str([pl.col("cell"), pl.lit("="), v]).alias("cells"), msg.alias("message"))
    silent = reports.join(section.select("rid"), on="rid", how="anti")
    unstated = reports.join(section.select("rid").unique(), on="rid").join(per.select("rid").unique(), on="rid", how="anti")
    heading = next(s.label for s in registry().sections if s.no == no)
    return pl.concat([stated, report_rows(silent, "not_assessable", NO_SECTION.format(no=no, label=heading)),
                      report_rows(unstated, "not_assessable", NONE_STATED.format(no=no, label=heading))])


def _fill(template: str, **fields: pl.Expr) -> pl.Expr:
    return render(template, fields)


def _check_regex(rx: str, what: str, bad: Bad) -> None:
    try:
        pl.Series([""], dtype=pl.Utf8).str.contains(rx)
    except pl.exceptions.ComputeError as err:
        raise bad(f"{what} 不是有效的正则表达式 (invalid regex): {err}") from None


@register
class Narrative(Kind):
    name = "narrative"
    fields = FIELDS

    def validate(self, spec: CheckSpec, bad: Bad) -> None:
        e = entry(spec)
        for req in ("section", "table", "unit", "phrases"):
            if not e.get(req):
                raise bad(f"缺少字段 {req} (missing field)")
        if e["section"] not in {s.no for s in registry().sections}:
            raise bad(f"没有第 '{e['section']}' 部分 (unknown section)")
        need_table(e["table"], bad)
        known = set(cell_ids(e["table"]))
        named = [p.get("cell") for p in e["phrases"]] + [c for k, v in (e.get("sums") or {}).items() for c in [k, *v]]
        if set(named) - known:
            raise bad(f"表 {e['table']} 中没有单元格 {sorted(set(named) - known, key=str)}")
        for key in ("skip_before", "other_periods", "skip_ending", "foreign", "scope_words"):
            if e.get(key):
                _check_regex(e[key], key, bad)
        for p in e["phrases"]:
            if not isinstance(p.get("pattern"), str) or p["pattern"].count("{N}") != 1:
                raise bad(f"短语 {p.get('pattern')!r} 应含且只含一个 {{N}} (a phrase marks its number with {{N}})")
            _check_regex(compose(e, p["pattern"]), f"短语 {p['pattern']!r}", bad)
            for key in ("sentence", "skip_before", "parts_after"):
                if p.get(key):
                    _check_regex(p[key], f"短语 {p['pattern']!r} 的 {key}", bad)

    def tables(self, spec: CheckSpec) -> set[str]:
        return {"sections", entry(spec)["table"]}

    def evaluate(self, data: PartData, specs: list[CheckSpec], settings: dict) -> list[pl.DataFrame]:
        out = []
        for s in specs:
            scoped = data.reports.filter(pl.col("template").is_in(list(s.templates)))
            if scoped.height:
                out.append(finish(judge(data, scoped.select("rid", "report_id", "report_year"), s), s))
        return out

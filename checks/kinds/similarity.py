"""Copied text (C1): sections 一 and 五 of a report beside its office's previous year's report and
beside other offices' reports of the same year, as sets of character 5-grams (`checks.minhash`).

Each batch carries one MinHash signature per report and section compared. After the last batch,
year by year (that year's signatures and those of its reports' previous ones in memory): LSH banding
proposes pairs of different offices, and each report meets its office's latest earlier report (the
year before's, or an earlier year's when the office has none for the year before); the
signatures' estimate drops most, the exact Jaccard similarity of the 5-gram sets (texts read back
from the lake for these reports only) decides, and a suffix automaton finds the longest shared passage of
each pair found. Sections shorter than `MIN_CHARS` are not compared: a short text shares stock
phrases with many others and proves nothing. Sentences the entry lists as stock (`stock`: regexes,
such as the template's preamble 本报告是根据《条例》……编制, 全文包括……, 统计期限……) are taken out
of every text before anything is compared: every office prints them, and they made own texts of two
offices look alike.

Who is flagged: against the previous year, the later report; between two offices of one year,
both, each naming the other (which one copied cannot be told from the texts).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

import polars as pl

from checks import minhash as mh
from checks.frames import OFFICE_TABLE, PartData, paired_reports
from checks.kinds.base import Bad, Kind, register
from checks.kinds.cross_year import latest_before
from checks.results import PASSED, finish, report_rows
from checks.spec import CheckSpec
from gkqc.lake import Lake
from gkqc.storage import read_frame
from gkqc.templates import registry

MIN_CHARS = 100  # significant characters (after normalising) below which a section is not compared
GRAMS_KEPT = 4096  # texts whose 5-gram sets are kept while the candidates are verified
PREFILTER = 0.15  # a pair is verified when its signature estimate is at least threshold − this
RULE = re.compile(r"^\s*similarity\s*>=\s*(0(?:\.\d+)?|1(?:\.0+)?)\s*$")
NUMERALS = "〇一二三四五六七八九"
STOPS = "。！？!?\n"  # a stock sentence ends at these
NO_OFFICE = "无法判断：未识别报告机关或年度，无法与其他报告比对"
FOUND = {"report_id": pl.Utf8, "other_id": pl.Utf8, "prev": pl.Boolean, "section": pl.Utf8, "similarity": pl.Float64,
         "passage": pl.Utf8}


# ---------------------------------------------------------------- the entry: sections compared, threshold
def stock_of(specs: list[CheckSpec]) -> str | None:
    """A regex of the whole sentences (up to 。！？ or a line's end) holding one of the entries'
    `stock` passages, or None."""
    words = sorted({w for spec in specs for w in spec.extra.get("stock") or ()})
    if not words:
        return None
    inside = f"[^{STOPS}]*"  # unbounded: a counted repetition makes the regex slower
    return f"{inside}(?:{'|'.join(f'(?:{w})' for w in words)}){inside}[{STOPS}]?"


def without_stock(text: pl.Expr, stock: str | None) -> pl.Expr:
    """The text without its stock sentences (`stock_of`)."""
    return text if stock is None else text.str.replace_all(stock, "")


def sections_of(spec: CheckSpec) -> tuple[str, ...]:
    """The sections compared (numerals): the spec's subjects, else 总体情况 and 存在的主要问题."""
    reg = registry()
    return spec.subjects or (reg.section_no("overview"), reg.section_no("problems"))


def threshold_of(spec: CheckSpec) -> float:
    m = RULE.match(spec.rule or "")
    return float(m.group(1)) if m else 0.5


def sig_column(section: str) -> str:
    """The carried column of a section's signatures (`minhash_s5` for 五)."""
    return f"minhash_s{NUMERALS.index(section) if section in NUMERALS else section}"


def section_texts(sections: pl.DataFrame, wanted: tuple[str, ...]) -> pl.DataFrame:
    """report_id, section_no, text (a section printed in parts: the parts in order) of some sections."""
    return (sections.filter(pl.col("section_no").is_in(list(wanted)))
            .sort("report_id", "position")
            .group_by("report_id", "section_no", maintain_order=True).agg(pl.col("text").str.join("\n")))


# ---------------------------------------------------------------- comparing the reports of one year
def _signatures(carried: list[str], col: str, year: int, info: pl.DataFrame) -> pl.DataFrame:
    """report_id, signature column `col`, office and prev_id of one year's reports that have a
    signature and an office (in the order the batches carried them). The signatures are made one
    contiguous array, which numpy then reads in place (read from many batches' files, every
    `to_numpy` copied them), and are not copied again: the offices are joined onto their ids and set
    beside them."""
    mine = info.filter((pl.col("report_year") == year) & pl.col("office").is_not_null()).select(
        "report_id", "office", "prev_id", "kin")
    sig = (pl.scan_parquet(carried)
           .filter((pl.col("report_year") == year) & pl.col(col).is_not_null()
                   & pl.col("report_id").is_in(mine["report_id"].implode()))
           .select("report_id", col).collect().rechunk())
    return sig.hstack(sig.select("report_id").join(mine, on="report_id", how="left", maintain_order="left")
                      .drop("report_id").get_columns())


def _same_year(now: pl.DataFrame, section: str, threshold: float, stats: dict[str, int]) -> pl.DataFrame:
    """(report_id, other_id, prev) worth verifying among one year's reports (`now`, from `_signatures`):
    reports of other offices proposed by LSH, pre-filtered by signature. A printed name only proposed
    as an office (`kin`: gkqc.offices) is not another office than that one: it may be its report
    collected again under a misread name."""
    offices = now.select(pl.col("kin").rank("dense")).to_series().to_numpy()
    pairs, proposed = mh.lsh_pairs(now[sig_column(section)].to_numpy(), offices, threshold, threshold - PREFILTER)
    stats["band_pairs"] += proposed
    ids = now.select("report_id").with_row_index("i")
    return (pl.DataFrame({"i": pairs[:, 0], "j": pairs[:, 1]}, schema={"i": pl.UInt32, "j": pl.UInt32})
            .join(ids, on="i").join(ids.select(j="i", other_id="report_id"), on="j")
            .select("report_id", "other_id", pl.lit(False).alias("prev")))


def _earlier(carried: list[str], col: str, now: pl.DataFrame, info: pl.DataFrame) -> pl.DataFrame:
    """report_id and signature column `col` of the previous reports (`prev_id`) of one year's reports
    (`now`, from `_signatures`): read from their years' rows only, and no other report's."""
    ids = now["prev_id"].drop_nulls().unique()
    years = info.filter(pl.col("report_id").is_in(ids.implode()))["report_year"].unique()
    return (pl.scan_parquet(carried)
            .filter(pl.col("report_year").is_in(years.implode()) & pl.col(col).is_not_null()
                    & pl.col("report_id").is_in(ids.implode()))
            .select("report_id", col).collect().rechunk())


def _own_before(now: pl.DataFrame, before: pl.DataFrame, section: str, threshold: float) -> pl.DataFrame:
    """(report_id, other_id, prev) of one year's reports (`now`) and their office's previous report
    (in `before`, from `_earlier`), pre-filtered by signature."""
    col = sig_column(section)
    prev = (now.select("report_id", "prev_id").with_row_index("i")
            .join(before.select(pl.col("report_id").alias("prev_id")).with_row_index("k"), on="prev_id"))
    estimate = mh.agreement(now[col].to_numpy(), prev["i"].to_numpy(), prev["k"].to_numpy(), before[col].to_numpy())
    return prev.filter(pl.Series(estimate) >= threshold - PREFILTER).select("report_id", other_id="prev_id",
                                                                           prev=pl.lit(True))


def _candidates(carried: list[str], section: str, year: int, info: pl.DataFrame, threshold: float,
                stats: dict[str, int]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """((report_id, other_id, section, prev) worth verifying of one section and year, the ids of that
    year's reports compared). The year's signatures of one section are in memory, and those of its
    reports' previous ones only once the banding is done: both are freed before the next section's are read."""
    now = _signatures(carried, sig_column(section), year, info)
    same = _same_year(now, section, threshold, stats)
    prev = _own_before(now, _earlier(carried, sig_column(section), now, info), section, threshold)
    return pl.concat([same, prev]).with_columns(pl.lit(section).alias("section")), now.select("report_id")


def _verify(lake: Lake, cands: pl.DataFrame, threshold: float, stock: str | None = None) -> pl.DataFrame:
    """The candidates whose exact similarity reaches the threshold, with the similarity and the
    longest shared passage, each same-year pair in both directions."""
    if cands.height == 0:
        return pl.DataFrame(schema=FOUND)
    ids = pl.concat([cands["report_id"], cands["other_id"]]).unique()
    texts = (pl.scan_parquet(lake.paths("sections"))
             .filter(pl.col("report_id").is_in(ids.implode()) & pl.col("section_no").is_in(cands["section"].unique().implode()))
             .select("report_id", "section_no", "position", "text").collect())
    # the text compared has no stock sentence; the passage quoted is printed in both, never across one
    # (each left as a mark the other text does not hold)
    texts = (section_texts(texts, tuple(cands["section"].unique()))
             .with_columns(mh.significant(without_stock(pl.col("text"), stock)).alias("significant"),
                           pl.col("text") if stock is None else pl.col("text").str.replace_all(stock, "\x00")))
    raw = {(r, s): (t, sig) for r, s, t, sig in texts.iter_rows()}
    grams = lru_cache(maxsize=GRAMS_KEPT)(lambda k: mh.packed_shingles(raw[k][1]))
    rows = []
    for rid, other, prev, sec in cands.unique(maintain_order=True).iter_rows():
        a, b = (rid, sec), (other, sec)
        sim = mh.jaccard(grams(a), grams(b))
        if sim >= threshold:
            passage = mh.longest_passage(raw[a][0], raw[b][0].replace("\x00", "\x01"))
            rows.append((rid, other, prev, sec, sim, passage))
            if not prev:
                rows.append((other, rid, prev, sec, sim, passage))
    return pl.DataFrame(rows, schema=FOUND, orient="row").unique(["report_id", "other_id", "section"], keep="first",
                                                                  maintain_order=True)


def _fail_rows(found: pl.DataFrame, info: pl.DataFrame) -> pl.DataFrame:
    """One failing result per report and other office-year: the most similar version of it."""
    other = info.select(pl.col("report_id").alias("other_id"), pl.col("office").alias("other_office"),
                        pl.col("report_year").alias("other_year"))
    sim = pl.col("similarity").round(2).cast(pl.Utf8).str.pad_end(4, "0")
    part = pl.concat_str([pl.lit("第"), pl.col("section"), pl.lit("部分相似度 "), sim, pl.lit("，最长相同段落「"),
                          pl.col("passage"), pl.lit("」")])
    order = pl.col("section").replace_strict({c: k for k, c in enumerate(NUMERALS)}, default=len(NUMERALS))
    own = info.select("report_id", pl.col("report_year").alias("own_year"))
    df = (found.join(other, on="other_id").join(own, on="report_id", how="left")
          .sort("report_id", "other_office", "other_year", order)
          .group_by("report_id", "other_office", "other_year", "other_id", "prev", "own_year", maintain_order=True)
          .agg(pl.col("similarity").max().alias("actual"), part.str.join("；").alias("parts"),
               pl.concat_str([pl.col("section"), pl.lit("="), pl.col("similarity").round(4).cast(pl.Utf8)]).str.join("; ")
               .alias("sims"))
          .sort(["report_id", "other_office", "other_year", "actual", "other_id"], descending=[False, False, False, True, False])
          .unique(["report_id", "other_office", "other_year"], keep="first", maintain_order=True))
    last_year = pl.col("other_year") == pl.col("own_year") - 1
    who = pl.when(pl.col("prev")).then(pl.concat_str([pl.when(last_year).then(pl.lit("本机关上一年度（"))
                                                      .otherwise(pl.lit("本机关此前最近一份（")),
                                                      pl.col("other_year").cast(pl.Utf8), pl.lit("年度）报告")])) \
        .otherwise(pl.concat_str([pl.col("other_office"), pl.lit(" "), pl.col("other_year").cast(pl.Utf8), pl.lit("年度报告")]))
    return df.select(
        "report_id", pl.concat_str([pl.col("other_office"), pl.lit(" "), pl.col("other_year").cast(pl.Utf8),
                                    pl.lit("年度")]).alias("subject"),
        pl.lit("fail").alias("status"), pl.lit(None, dtype=pl.Float64).alias("expected"), "actual",
        pl.lit(None, dtype=pl.Float64).alias("difference"),
        pl.concat_str([pl.lit("other_report_id="), pl.col("other_id"), pl.lit("; "), pl.col("sims")]).alias("cells"),
        pl.concat_str([pl.lit("与"), who, pl.lit("高度雷同："), pl.col("parts")]).alias("message"))


@register
class Similarity(Kind):
    """Entries name the sections compared (`subjects`) and the threshold (`rule: similarity >= x`);
    nothing within a batch but the signatures it carries, every result `across` batches."""

    name = "similarity"
    fields = frozenset({"subjects", "rule", "stock"})

    def __init__(self) -> None:
        self.stats: dict[str, int] = {}  # pairs at each step of the last `across` (for the benchmark)

    def validate(self, spec: CheckSpec, bad: Bad) -> None:
        if spec.rule is not None and not RULE.match(spec.rule):
            raise bad(f"规则 '{spec.rule}' 无效，应为 similarity >= 0 至 1 之间的数 (rule: similarity >= x)")
        unknown = set(sections_of(spec)) - registry().ids("section")
        if unknown:
            raise bad(f"未知部分 {sorted(unknown)} (unknown sections)")
        stock = spec.extra.get("stock") or []
        if not isinstance(stock, list) or not all(isinstance(w, str) and w for w in stock):
            raise bad("stock 应为正则表达式的列表 (stock: a list of regexes)")
        try:
            pl.Series([""], dtype=pl.Utf8).str.contains(stock_of([spec]) or "")
        except pl.exceptions.ComputeError as err:
            raise bad(f"stock 不是有效的正则表达式 (invalid regex): {err}") from None

    def tables(self, spec: CheckSpec) -> set[str]:
        return {"sections"}

    def carry(self, data: PartData, specs: list[CheckSpec]) -> list[pl.DataFrame]:
        """One signature per report and section compared (null when missing or shorter than `MIN_CHARS`)."""
        wanted = tuple(sorted({s for spec in specs for s in sections_of(spec)}))
        texts = section_texts(data.sections, wanted).with_columns(without_stock(pl.col("text"), stock_of(specs))) \
            .with_columns(mh.significant(pl.col("text")).alias("significant")) \
            .filter(pl.col("significant").str.len_chars() >= MIN_CHARS)
        out = []
        for sec in wanted:
            mine = texts.filter(pl.col("section_no") == sec)
            sig = pl.Series(sig_column(sec), mh.signatures(mine["significant"].to_list()),
                            dtype=pl.Array(pl.UInt32, mh.NUM_PERM))
            out.append(data.reports.select("report_id").join(mine.select("report_id").with_columns(sig), on="report_id",
                                                              how="left", maintain_order="left").drop("report_id"))
        return out

    def across(self, lake: Lake, specs: list[CheckSpec], carried: list[str], settings: dict) -> Iterator[pl.DataFrame]:
        """Year by year: that year's and the year before's signatures in memory, the rest on disk."""
        self.stats = dict.fromkeys(("band_pairs", "verified_pairs", "confirmed_pairs"), 0)
        if not carried:
            return
        reports = paired_reports(lake)
        proposed = read_frame(lake.paths(OFFICE_TABLE), ["report_id", "office_proposed"])
        info = (latest_before(reports).join(reports.select("report_id", "office").collect(), on="report_id")
                .join(proposed, on="report_id", how="left")
                .with_columns(pl.coalesce("office_proposed", "office").alias("kin")).drop("office_proposed"))
        for spec in specs:
            yield from self._spec(lake, spec, info, carried)

    def _spec(self, lake: Lake, spec: CheckSpec, info: pl.DataFrame, carried: list[str]) -> Iterator[pl.DataFrame]:
        threshold, wanted = threshold_of(spec), sections_of(spec)
        scope = info.filter(pl.col("template").is_in(list(spec.templates))).select("report_id", "report_year", "office")
        unknown = scope.filter(pl.col("office").is_null() | pl.col("report_year").is_null())
        if unknown.height:
            yield finish(report_rows(unknown, "not_assessable", pl.lit(NO_OFFICE)), spec)
        for year in sorted(scope.filter(pl.col("office").is_not_null())["report_year"].drop_nulls().unique()):
            found_in = [_candidates(carried, sec, year, info, threshold, self.stats) for sec in wanted]
            cands, compared = (pl.concat(f) for f in zip(*found_in, strict=True))
            found = _verify(lake, cands, threshold, stock_of([spec]))
            self.stats["verified_pairs"] += cands.height
            self.stats["confirmed_pairs"] += found.filter((pl.col("report_id") < pl.col("other_id")) | pl.col("prev")).height
            mine = scope.filter((pl.col("report_year") == year) & pl.col("office").is_not_null()).select("report_id")
            fails = finish(_fail_rows(found.join(mine, on="report_id"), info), spec)
            compared = compared.unique()
            passed = mine.join(compared, on="report_id", how="semi").join(fails, on="report_id", how="anti")
            short = mine.join(compared, on="report_id", how="anti")
            yield pl.concat([fails, finish(report_rows(passed, "pass", PASSED), spec),
                             finish(report_rows(short, "not_assessable", pl.lit(too_short(wanted))), spec)])


def too_short(sections: tuple[str, ...]) -> str:
    names = "、".join(sections)
    return f"无法判断：第{names}部分缺失或正文过短（不足 {MIN_CHARS} 字），不作雷同比对"

"""Copied text (C1): planted copies in a simulated province are found, and nothing else; the real
samples are flagged with nothing; signatures are datasketch's MinHash of the texts' 5-grams."""

from __future__ import annotations

import random

import numpy as np
import polars as pl
import pytest
from builders import spec
from checking import check_files
from conftest import SAMPLES
from datasketch import MinHash

from checks.engine import check_lake
from checks.kinds import KINDS
from checks.kinds.similarity import MIN_CHARS
from checks.minhash import (
    MAX_OTHERS,
    NUM_PERM,
    SHINGLE,
    _low_agreement,
    agreement,
    banding,
    jaccard,
    longest_passage,
    lsh_pairs,
    packed_shingles,
    permutations,
    shingle_hash,
    signatures,
    significant,
)
from checks.spec import SuiteError
from checks.suite import load_suite
from gkqc.bench_similarity import Chunk, _sentence, office_name, overview, problems, province, write_chunk
from gkqc.ingest import ingest
from gkqc.lake import Lake
from gkqc.simulate.render import render_pagetext

C1 = [s for s in load_suite() if s.id == "C1"]


def sig_text(text: str) -> str:
    return pl.select(significant(pl.lit(text))).item()


def check_chunks(tmp_path, chunks: list[Chunk]) -> pl.DataFrame:
    """The chunks as ingest parts of a new lake, checked with C1 alone; its results."""
    lake = Lake(tmp_path / "lake")
    lake.init()
    for k, c in enumerate(chunks):
        write_chunk(lake, c, f"b{k:05d}")
    check_lake(lake, "t1", specs=C1)
    return pl.read_parquet(lake.paths("check_results"))


def fails(res: pl.DataFrame) -> set[tuple[str, str]]:
    return set(res.filter(pl.col("status") == "fail").select("report_id", "subject").iter_rows())


def test_text_is_compared_without_spaces_punctuation_digits_or_kangxi_forms():
    assert sig_text("⼀是加强 2023年，“政务 公开”！b１２") == "一是加强年政务公开b"


def five_grams(text: str) -> set[str]:
    return {text[i:i + SHINGLE] for i in range(len(text) - SHINGLE + 1)}


def test_jaccard_of_packed_shingles_is_that_of_the_5_gram_sets():
    rng = random.Random(5)
    texts = [sig_text(overview(rng, "青山县教育局", 2022)), sig_text(overview(rng, "临江区财政局", 2022)), "𠀀𠀁𠀂𠀃𠀄政务公开", "政务公", ""]
    texts.append(texts[0][:300] + texts[1][300:])
    for a in texts:
        assert packed_shingles(a).size == len(five_grams(a))
        for b in texts:
            x, y = five_grams(a), five_grams(b)
            assert jaccard(packed_shingles(a), packed_shingles(b)) == (len(x & y) / len(x | y) if x or y else 0.0)
    assert 0 < jaccard(packed_shingles(texts[0]), packed_shingles(texts[-1])) < 1


def test_signatures_are_datasketch_minhashes_of_the_5_grams():
    rng = random.Random(3)
    texts = [sig_text(overview(rng, "青山县教育局", 2022)), sig_text(problems(rng, "临江区财政局", 2021)),
             sig_text((SAMPLES / "ali-2020-annual-report.txt").read_text(encoding="utf-8"))]
    sig = signatures(texts, chunk=800)  # several chunks: texts are hashed a few at a time
    for text, row in zip(texts, sig, strict=True):
        m = MinHash(num_perm=NUM_PERM, hashfunc=shingle_hash, scheme="affine32", permutations=permutations())
        m.update_batch(sorted(five_grams(text)))
        assert (m.hashvalues == row).all()


@pytest.mark.parametrize("cells", [4_000_000, 300 * 5, 300, 100])  # every band at once, five, one, a third of one
def test_lsh_pairs_rows_sharing_a_band_and_bounds_a_crowded_bucket(cells):
    rng = np.random.default_rng(0)
    sig = rng.integers(0, 2**32, size=(300, NUM_PERM), dtype=np.uint32)
    sig[:120] = sig[0]  # one text 120 times: a crowded bucket in every band
    sig[200:203] = sig[200]
    sig[250, :40] = sig[251, :40]  # 13 bands of 3 equal: proposed, but an estimate of 0.31 is not kept
    sig[260] = sig[261] ^ np.uint32(1 << 8)  # every low byte equal (the first estimate is 1.0), no value equal
    sig[260, :3] = sig[261, :3]  # but one band: proposed, and its estimate of 3/128 is not kept
    offices = np.arange(300)
    offices[202] = offices[201]  # versions of one office are never paired
    pairs, proposed = lsh_pairs(sig, offices, 0.5, 0.35, cells=cells)
    crowded = {(i, j) for i in range(120) for j in range(i + 1, min(i + MAX_OTHERS + 1, 120))}
    assert {tuple(p) for p in pairs} == crowded | {(200, 201), (200, 202)}
    bands, rows = banding(0.5)
    assert (bands, rows) == (42, 3)
    assert proposed == bands * (len(crowded) + 3) + 40 // rows + 1


def test_the_low_byte_estimate_counts_exactly_the_equal_low_bytes():
    rng = np.random.default_rng(1)
    sig = rng.integers(0, 2**32, size=(64, NUM_PERM), dtype=np.uint32)
    for k in range(1, 64):  # row k: row 0 with its low bytes changed in one bit each, a different bit for each k
        flip = rng.random(NUM_PERM) < k / 64
        sig[k] = np.where(flip, sig[0] ^ np.uint32(1 << (k % 8)), sig[0] ^ np.uint32(1 << 8 + k % 24))
    i, j = np.zeros(63, np.int64), np.arange(1, 64)
    low = sig.astype(np.uint8)
    expected = (low[i] == low[j]).mean(axis=1)
    assert np.array_equal(_low_agreement(np.ascontiguousarray(low).view(np.uint64), i, j), expected)
    assert np.array_equal(agreement(sig, i, j), (sig[i] == sig[j]).mean(axis=1))
    assert len(set(expected)) > 40  # the rows agree in many different shares


def test_planted_copies_are_found_and_nothing_else(tmp_path):
    chunks = list(province(90, range(2019, 2024), seed=7, prev_rate=0.06, copy_rate=0.12, per_chunk=45))
    expected = set().union(*(c.expected for c in chunks))
    office = {r: o for c in chunks for r, o, _ in c.reports.iter_rows()}
    kinds = {"prev" if s.startswith(office[r] + " ") else "same" for r, s in expected}
    assert len(expected) > 30 and kinds == {"prev", "same"}  # both kinds of copy were planted
    res = check_chunks(tmp_path, chunks)
    assert fails(res) == expected
    assert set(res["status"]) == {"pass", "fail"} and res.filter(pl.col("status") == "pass").height > 350
    bad = res.filter(pl.col("status") == "fail")
    assert set(bad["severity"]) == {"warning"} and bad["actual"].min() >= 0.5
    assert bad["message"].str.contains("高度雷同").all() and bad["message"].str.contains("最长相同段落「").all()
    assert bad["cells"].str.starts_with("other_report_id=r").all()
    all_pairs = 5 * 2 * 90 * 89 / 2  # years × sections × pairs of offices
    assert KINDS["similarity"].stats["band_pairs"] < 0.1 * all_pairs  # LSH banding proposed a small part of them


def _report(rid: str, office: str | None, year: int, one: str, five: str) -> tuple[tuple, list[tuple]]:
    return (rid, office, year), [(rid, "一", 1, one), (rid, "五", 5, five)]


@pytest.mark.parametrize(("a", "b", "shared"), [("甲乙丙丁戊己庚辛", "子丑丙丁戊己寅", "丙丁戊己"), ("甲乙丙", "甲乙丙", ""),
                                               ("本局 认真 落实条例。", "认真落实条例，", "认真落实条例"),
                                               ("丙丁戊己X甲乙丙丁戊己", "甲乙丙丁戊己", "甲乙丙丁戊己")])
def test_the_longest_shared_passage_is_the_first_longest_in_the_report(a, b, shared):
    assert longest_passage(a, b) == shared


def test_the_longest_shared_passage_of_long_repeated_text_is_found_in_linear_time():
    # two sections of one character repeated 32,000 times: every place compared with every place (87 s)
    import subprocess
    import sys

    code = ("from checks.minhash import longest_passage; "
            "print(len(longest_passage('五' * 200_000, '五' * 150_000 + '六')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=True)
    assert int(done.stdout) < 200  # (shortened for a message: its start and end)


def test_the_later_report_is_flagged_and_both_of_a_year(tmp_path):
    rng = random.Random(11)
    old = overview(rng, "青山县教育局", 2021)  # copied into 2022 by the same office (and its mirror)
    five = problems(rng, "临江区财政局", 2022)  # copied by another office the same year
    own = overview(rng, "永川市统计局", 2022)
    rows = [
        _report("a21", "青山县教育局", 2021, old, problems(rng, "青山县教育局", 2021)),
        _report("a22", "青山县教育局", 2022, old.replace("2021年", "2022年"), problems(rng, "青山县教育局", 2022)),
        _report("a22-mirror", "青山县教育局", 2022, old.replace("2021年", "2022年"), problems(rng, "青山县教育局", 2022)),
        _report("b22", "临江区财政局", 2022, overview(rng, "临江区财政局", 2022), five),
        _report("c22", "永川市统计局", 2022, own, five.replace("临江区财政局", "永川市统计局")),
        _report("short", "安源县审计局", 2022, "本年度工作有序推进。", "无。"),
        _report("nameless", None, 2022, own, five),  # office unknown: not compared, and not a source either
    ]
    res = check_chunks(tmp_path, [_chunk(rows)])
    got = {(r, s): (st, m) for r, s, st, m in res.select("report_id", "subject", "status", "message").iter_rows()}
    # versions of one office's report (a22, its mirror) are not compared with each other
    assert fails(res) == {("a22", "青山县教育局 2021年度"), ("a22-mirror", "青山县教育局 2021年度"),
                          ("b22", "永川市统计局 2022年度"), ("c22", "临江区财政局 2022年度")}
    assert got[("a22", "青山县教育局 2021年度")][1].startswith("与本机关上一年度（2021年度）报告高度雷同：第一部分相似度 1.00，")
    assert got[("b22", "永川市统计局 2022年度")][1].startswith("与永川市统计局 2022年度报告高度雷同：第五部分相似度 ")
    assert got[("a21", "")] == ("pass", None)  # the earlier report is not the copy
    assert got[("short", "")][0] == "not_assessable" and f"不足 {MIN_CHARS} 字" in got[("short", "")][1]
    assert got[("nameless", "")][0] == "not_assessable"


def test_a_report_is_compared_with_its_offices_latest_earlier_report_when_a_year_is_missing(tmp_path):
    """青山县档案局 has 2019 and 2021 and no 2020: its 2021 sections copy 2019's word for word, and are
    flagged (the code before compared only with the year before, and passed it); 临江区财政局's 2021,
    beside its own 2020, is compared with 2020, not the 2019 it also resembles."""
    rng = random.Random(21)
    one, five = overview(rng, "青山县档案局", 2019), problems(rng, "青山县档案局", 2019)
    old = overview(rng, "临江区财政局", 2019)
    rows = [
        _report("a19", "青山县档案局", 2019, one, five),
        _report("a21", "青山县档案局", 2021, one.replace("2019年", "2021年"), five.replace("2019年", "2021年")),
        _report("b19", "临江区财政局", 2019, old, problems(rng, "临江区财政局", 2019)),
        _report("b20", "临江区财政局", 2020, overview(rng, "临江区财政局", 2020), problems(rng, "临江区财政局", 2020)),
        _report("b21", "临江区财政局", 2021, old.replace("2019年", "2021年"), problems(rng, "临江区财政局", 2021)),
    ]
    res = check_chunks(tmp_path, [_chunk(rows)])
    got = {(r, s): m for r, s, m in res.select("report_id", "subject", "message").iter_rows()}
    assert fails(res) == {("a21", "青山县档案局 2019年度")}
    assert got[("a21", "青山县档案局 2019年度")].startswith("与本机关此前最近一份（2019年度）报告高度雷同：第一部分相似度 1.00")


def preamble(office: str, year: int) -> str:
    """The preamble the template has every office print at the head of section 一."""
    return ("本报告是根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《国务院办公厅政府信息与政务公开办公室关于印发"
            f"〈中华人民共和国政府信息公开工作年度报告格式〉的通知》（国办公开办函〔2021〕30号）要求，由{office}编制。\n"
            "全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议和行政诉讼情况、"
            "存在的主要问题及改进情况、其他需要报告的事项。\n"
            f"本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。本报告电子版可在{office}门户网站下载。"
            f"如对本报告有疑问，请与{office}办公室联系。\n")


def test_the_templates_preamble_is_no_copied_text(tmp_path):
    """Two offices' own few sentences after the preamble every office prints were 0.6–0.7 alike: both
    flagged. Without the preamble they are too short to compare; a real copy beside it is still found."""
    rng = random.Random(12)
    own = {o: "".join(_sentence(rng) for _ in range(2)) for o in ("青山县民政局", "临江区司法局")}
    copied = overview(rng, "永川市统计局", 2022)
    rows = [_report(f"r{k}", o, 2022, preamble(o, 2022) + text, problems(rng, o, 2022))
            for k, (o, text) in enumerate(own.items())]
    rows += [_report("c1", "永川市统计局", 2022, preamble("永川市统计局", 2022) + copied, problems(rng, "永川市统计局", 2022)),
             _report("c2", "安源县审计局", 2022, preamble("安源县审计局", 2022) + copied.replace("永川市统计局", "安源县审计局"),
                     problems(rng, "安源县审计局", 2022))]
    res = check_chunks(tmp_path, [_chunk(rows)])
    assert fails(res) == {("c1", "安源县审计局 2022年度"), ("c2", "永川市统计局 2022年度")}
    message = res.filter(pl.col("report_id") == "c1")["message"].item()
    assert "本报告" not in message and "全文包括" not in message  # the passage shown is the copied one


def test_copies_are_found_in_rendered_reports_end_to_end(tmp_path):
    rng = random.Random(5)
    a = spec("gov2021", 2022, office="青山县教育局", seed=1)
    b = spec("gov2021", 2022, office="临江区财政局", seed=2)
    c = spec("gov2021", 2022, office="永川市统计局", seed=3)
    for s in (a, b, c):
        s.overview, s.problems = overview(rng, s.office, 2022), problems(rng, s.office, 2022)
    b.problems = a.problems.replace(a.office, b.office)
    res = check_files(tmp_path, {f"{k}.txt": render_pagetext(s).encode() for k, s in enumerate((a, b, c))}, specs=C1)
    assert {(p, s) for p, s in res.filter(pl.col("status") == "fail").select("source_path", "subject").iter_rows()} == {
        ("0.txt", "临江区财政局 2022年度"), ("1.txt", "青山县教育局 2022年度")}
    assert res.filter(pl.col("source_path") == "2.txt")["status"].to_list() == ["pass"]


def test_real_samples_are_flagged_with_nothing(tmp_path):
    lake = Lake(tmp_path / "lake")
    ingest(SAMPLES, lake, "t1", workers=0)
    check_lake(lake, "t1", specs=C1)
    docs = pl.read_parquet(lake.paths("documents")).select("source_path", "report_id")
    res = pl.read_parquet(lake.paths("check_results")).join(docs, on="report_id")
    assert fails(res) == set()
    assert res.filter(pl.col("source_path") == "ali-2020-annual-report.txt")["status"].to_list() == ["pass"]
    # the two 宿迁 reports are one office's consecutive years, written anew: far below the threshold
    secs = pl.read_parquet(lake.paths("sections")).join(docs, on="report_id")
    for no in ("一", "五"):
        text = dict(secs.filter(pl.col("section_no") == no).select("source_path", "text").iter_rows())
        assert jaccard(*(packed_shingles(sig_text(text[f"suqian_{y}.txt"])) for y in (2023, 2024))) < 0.2


def test_office_names_of_the_simulated_province_are_distinct():
    assert len({office_name(k) for k in range(120_000)}) == 120_000


@pytest.mark.parametrize("entry,needle", [
    ("  rule: similarity > 0.5\n", "similarity >= x"),
    ("  rule: similarity >= 1.5\n", "similarity >= x"),
    ("  subjects: [五, 七]\n", "七"),
])
def test_bad_entries_are_rejected_with_file_and_line(tmp_path, entry, needle):
    d = tmp_path / "suite"
    d.mkdir()
    (d / "c.yaml").write_text("- id: C9\n  title: t\n  severity: warning\n  kind: similarity\n" + entry, encoding="utf-8")
    with pytest.raises(SuiteError) as e:
        load_suite(d)
    assert "c.yaml:1:" in str(e.value) and needle in str(e.value)


def _chunk(rows: list) -> Chunk:
    """A batch of the reports `_report` made: their rows, and their sections' rows."""
    return Chunk(pl.DataFrame([r for r, _ in rows], schema={"report_id": pl.Utf8, "office": pl.Utf8,
                                                            "report_year": pl.Int32}, orient="row"),
                 pl.DataFrame([x for _, ss in rows for x in ss], schema={"report_id": pl.Utf8, "section_no": pl.Utf8,
                                                                         "position": pl.Int32, "text": pl.Utf8},
                              orient="row"))


def test_the_passage_quoted_is_printed_in_both_reports(tmp_path):
    """A copy whose stock sentence is worded apart in each: the code before quoted a passage joined
    across the removed sentence, which neither report prints."""
    rng = random.Random(5)
    p, q = overview(rng, "永川市统计局", 2022), overview(rng, "永川市统计局", 2022)
    a = p + "统计期限自2022年1月1日起至2022年12月31日止。" + q
    b = p + "本报告中所列数据的统计期限自2022年1月1日至12月31日。" + q
    rows = [_report("a", "永川市统计局", 2022, a, problems(rng, "永川市统计局", 2022)),
            _report("b", "安源县审计局", 2022, b, problems(rng, "安源县审计局", 2022))]
    res = check_chunks(tmp_path, [_chunk(rows)])
    [message] = res.filter(pl.col("report_id") == "a", pl.col("status") == "fail")["message"].to_list()
    head, _, tail = message.split("最长相同段落「")[1].split("」")[0].partition("……")  # (a long one elided)
    whole = a[a.index(head):a.index(tail, a.index(head)) + len(tail)] if tail else head
    assert whole and whole in b


def test_a_report_collected_again_under_a_name_only_proposed_as_its_office_is_no_other_office(tmp_path):
    """长秋市应急管理局's 2021 report collected a second time under a misread name (管里 for 管理), which
    the registry only proposes as that office: C1 said each had copied 'another office' (0.98)."""
    from checking import check_files

    rng = random.Random(31)
    s = spec("gov2021", 2021, office="长秋市应急管理局", seed=31)
    s.overview, s.problems = overview(rng, "长秋市", 2021), problems(rng, "长秋市应急管理局", 2021)
    text = render_pagetext(s)
    other = spec("gov2021", 2021, office="长秋市财政局", seed=32)  # section 一 copied from it, 五 its own
    other.overview, other.problems = s.overview, problems(rng, "长秋市财政局", 2021)
    files = {"offices.csv": "office,region,office_kind\n长秋市应急管理局,长秋市,department\n长秋市财政局,长秋市,department\n",
             "a/2021.txt": text, "ocr/2021.txt": text.replace("应急管理局", "应急管里局"),
             "b/2021.txt": render_pagetext(other)}
    res = check_files(tmp_path, {k: v.encode() for k, v in files.items()})
    c1 = {(p, subj) for p, subj in res.filter((pl.col("check_id") == "C1") & (pl.col("status") == "fail"))
          .select("source_path", "subject").iter_rows()}
    # the other office that printed the same section 一 is still found, under both names the copy was collected
    assert c1 == {("a/2021.txt", "长秋市财政局 2021年度"), ("ocr/2021.txt", "长秋市财政局 2021年度"),
                  ("b/2021.txt", "长秋市应急管理局 2021年度"), ("b/2021.txt", "长秋市应急管里局 2021年度")}

"""`python -m gkqc.bench_similarity --reports N`: the copied-text check (C1) on a synthetic province.

Sections 一 and 五 of every office and year are written independently from a bank of phrases
(thousands of different sentences, sharing stock phrases as real reports do); some are planted
copies: an office's section copied from its own previous report with a few sentences rewritten
and the numbers changed, or from another office's report of the same year with the office's name
changed. The sections go into a temporary lake as ingest parts (no readers involved) and the
check engine runs C1 alone over them. Prints reports per second, peak memory, LSH candidate pairs,
pairs verified and confirmed, and whether the findings are exactly the planted copies.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import polars as pl
import psutil

from checks.engine import check_lake
from checks.kinds import KINDS
from checks.suite import load_suite
from gkqc.bench import PeakRSS
from gkqc.lake import SCHEMAS, Lake, frame_of
from gkqc.templates import registry

GUIDES = ["坚持以习近平新时代中国特色社会主义思想为指导", "深入贯彻落实党的二十大精神", "认真贯彻《中华人民共和国政府信息公开条例》",
          "全面落实上级关于政务公开工作的部署要求", "紧紧围绕中心工作和群众关切", "坚持以公开为常态、不公开为例外",
          "按照“五公开”工作要求", "以推进政务公开标准化规范化为抓手", "坚持以人民为中心的发展思想",
          "把政务公开作为转变政府职能的重要抓手", "对标省市政务公开工作要点", "立足部门职责和工作实际"]
GOALS = ["政府信息公开工作取得新进展", "政务公开质量和实效持续提升", "有效保障了人民群众的知情权、参与权、表达权和监督权",
         "推动政务公开工作迈上新台阶", "为经济社会高质量发展提供了有力支撑", "政府公信力和执行力进一步增强",
         "各项工作任务全面完成", "公开工作的制度化水平明显提高"]
ACTIONS = ["进一步完善", "持续深化", "扎实推进", "全面梳理", "着力加强", "不断优化", "严格落实", "积极探索", "认真做好",
           "稳步推进", "大力推行", "规范开展", "及时更新", "集中清理", "统筹推进", "切实抓好", "深入推进", "创新开展",
           "动态调整", "全面加强"]
DOMAINS = ["财政预决算", "重大建设项目", "公共资源配置", "社会公益事业", "义务教育", "医疗卫生", "生态环境保护",
           "食品药品监管", "安全生产", "征地补偿", "乡村振兴", "保障性住房", "就业创业", "社会救助", "养老服务",
           "交通运输", "市场监管", "自然资源", "农业农村", "文化旅游", "税费减免", "行政审批", "行政执法", "政府采购",
           "国有资产", "应急管理", "城乡规划", "水利工程", "民族宗教", "退役军人服务", "残疾人帮扶", "户籍管理",
           "公共法律服务", "营商环境", "惠企政策", "防汛抗旱", "森林防火", "人才引进", "科技创新", "价格监测"]
ASPECTS = ["信息公开", "政策解读", "数据发布", "办事指南", "目录编制", "标准化建设", "专栏维护", "信息发布审核",
           "公开事项清单", "回应关切", "结果公开", "过程公开", "意见征集", "执行情况公开"]
MEANS = ["通过政府门户网站、政务新媒体等渠道", "依托政务服务中心和便民服务站", "结合“放管服”改革", "围绕群众关注的热点难点",
         "借助新闻发布会和在线访谈", "利用微信公众号和短视频平台", "通过公开栏、电子显示屏等线下载体",
         "依托政府信息公开查阅点", "会同相关业务科室", "按照“谁制作、谁公开”的原则", "结合年度重点工作任务",
         "对照上级标准目录", "通过图解、问答等多种形式", "坚持应公开尽公开", "采取线上线下相结合的方式",
         "组织专人逐条核对"]
EFFECTS = ["切实保障群众知情权", "有效提升了公开质量", "确保信息发布及时准确", "进一步增强了工作透明度",
           "方便群众查询和监督", "推动政策落地见效", "提高了群众的知晓率和满意度", "营造了良好的舆论氛围",
           "做到公开内容全面、准确、及时", "形成了常态化工作机制", "实现了重点领域信息公开全覆盖",
           "赢得了社会各界的广泛好评", "促进了权力规范透明运行", "有力回应了社会关切", "减少了群众跑腿次数",
           "提升了政府公信力"]
STATS = ["全年主动公开政府信息{n}条", "召开新闻发布会{n}场", "发布政策解读{n}篇", "组织业务培训{n}次",
         "回应网民留言{n}件", "更新公开专栏{n}个", "公开规范性文件{n}件", "开展意见征集{n}次", "接待现场查阅{n}人次",
         "编印政府公报{n}期", "处理政务咨询{n}件", "清理失效信息{n}条"]
TOPICS = ["主动公开", "依申请公开", "政府信息管理", "平台建设", "监督保障", "政策解读", "政民互动"]
SHORTFALLS = ["还不够全面", "的及时性有待提高", "形式较为单一", "的规范性仍需加强", "质量参差不齐", "与群众期待仍有差距",
              "更新不够及时", "的深度和广度不够", "的针对性不强", "存在薄弱环节", "标准化程度不高", "工作力量相对薄弱",
              "的互动性不足", "覆盖面还不够广", "的精细化水平有待提升"]
LEADS = ["下一步，{office}将", "针对上述问题，{office}将", "今后，我们将", "在今后的工作中，将", "{next}年，{office}将"]
ORDINALS = "一二三四五六七"
PLACES_A = "青临河安永平长清新宁兴德丰阳华东西南北金石白龙云松桃溪"
PLACES_B = "山江湖源州城林水泉川原峰桥门乡坪岭陵滨塘湾浦口冈"
DEPTS = ["人民政府", "发展和改革局", "教育局", "科学技术局", "公安局", "民政局", "司法局", "财政局",
         "人力资源和社会保障局", "自然资源局", "生态环境局", "住房和城乡建设局", "交通运输局", "水利局", "农业农村局",
         "商务局", "文化和旅游局", "卫生健康委员会", "退役军人事务局", "应急管理局", "审计局", "市场监督管理局",
         "统计局", "医疗保障局", "林业局", "城市管理局", "行政审批局", "信访局", "数据局", "粮食和物资储备局"]


def office_name(k: int) -> str:
    """The k-th office of the province: a county or district and one of its departments."""
    place, dept = divmod(k, len(DEPTS))
    a, b = divmod(place, len(PLACES_B))
    suffix, a = divmod(a, len(PLACES_A))
    return PLACES_A[a] + PLACES_B[b] + "县区旗市"[suffix % 4] + ("" if suffix < 4 else str(suffix // 4)) + DEPTS[dept]


def _sentence(rng: random.Random) -> str:
    return rng.choice([
        lambda: f"{rng.choice(MEANS)}，{rng.choice(ACTIONS)}{rng.choice(DOMAINS)}{rng.choice(ASPECTS)}，{rng.choice(EFFECTS)}。",
        lambda: f"{rng.choice(ACTIONS)}{rng.choice(DOMAINS)}领域{rng.choice(ASPECTS)}，"
                f"{rng.choice(STATS).format(n=rng.randint(2, 3000))}，{rng.choice(EFFECTS)}。",
        lambda: f"聚焦{rng.choice(DOMAINS)}和{rng.choice(DOMAINS)}，{rng.choice(ACTIONS)}{rng.choice(ASPECTS)}，"
                f"{rng.choice(STATS).format(n=rng.randint(2, 3000))}。",
    ])()


def overview(rng: random.Random, office: str, year: int) -> str:
    """Section 一 (总体情况): an opening and a few numbered topics of two to four sentences."""
    first, then = rng.sample(GUIDES, 2)
    out = [f"{year}年，{office}{first}，{then}，{rng.choice(GOALS)}。现将有关情况报告如下。"]
    for k, topic in enumerate(rng.sample(TOPICS, rng.randint(3, 5))):
        out.append(f"（{ORDINALS[k]}）{topic}方面。" + "".join(_sentence(rng) for _ in range(rng.randint(2, 4))))
    return "\n".join(out)


def problems(rng: random.Random, office: str, year: int) -> str:
    """Section 五 (存在的主要问题及改进情况): a few shortfalls, then the plans against them."""
    issues = "；".join(f"{ORDINALS[k]}是{rng.choice(DOMAINS)}{rng.choice(ASPECTS)}{rng.choice(SHORTFALLS)}"
                      for k in range(rng.randint(3, 5)))
    plans = "；".join(f"{ORDINALS[k]}是{rng.choice(ACTIONS)}{rng.choice(DOMAINS)}{rng.choice(ASPECTS)}，{rng.choice(EFFECTS)}"
                      for k in range(rng.randint(3, 5)))
    lead = rng.choice(LEADS).format(office=office, next=year + 1)
    return f"{year}年，{office}政务公开工作取得一定成效，但仍存在一些不足：{issues}。{lead}：{plans}。"


WRITERS = {"一": overview, "五": problems}


def edited(rng: random.Random, text: str) -> str:
    """A copy made to look new: the next year, other numbers, one clause in eight written afresh."""
    parts = re.split(r"([。；\n])", re.sub(r"(\d{4})年", lambda m: f"{int(m.group(1)) + 1}年", text))
    clauses = [k for k in range(0, len(parts), 2) if parts[k]]
    for k in rng.sample(clauses, max(1, len(clauses) // 8)):
        parts[k] = _sentence(rng).rstrip("。")
    return re.sub(r"(?<!\d)\d+(?![\d年])", lambda m: str(rng.randint(2, 3000)), "".join(parts))


@dataclass
class Chunk:
    reports: pl.DataFrame  # report_id, office, report_year
    sections: pl.DataFrame  # report_id, section_no, position, text
    expected: set[tuple[str, str]] = field(default_factory=set)  # (report_id, subject) C1 must fail
    planted: int = 0


def province(offices: int, years: range, seed: int = 0, prev_rate: float = 0.03, copy_rate: float = 0.02,
             per_chunk: int = 1500) -> Iterator[Chunk]:
    """The province's reports, `per_chunk` offices (every year of each) at a time. A planted copy
    is made from an independently written section only, so every section descends from one
    original (`origin`): C1 must find exactly the pairs that share one and that it compares."""
    for first in range(0, offices, per_chunk):
        rng = random.Random(seed * 1_000_003 + first)
        names = {k: office_name(k) for k in range(first, min(first + per_chunk, offices))}
        text: dict[tuple[int, int, str], str] = {}
        origin: dict[tuple[int, int, str], tuple[int, int, str]] = {}
        planted = 0
        for year in years:
            for k, name in names.items():
                for sec, write in WRITERS.items():
                    mine, before = (k, year, sec), (k, year - 1, sec)
                    if year > years[0] and origin[before] == before and rng.random() < prev_rate:
                        text[mine], origin[mine] = edited(rng, text[before]), before
                        planted += 1
                    else:
                        text[mine], origin[mine] = write(rng, name, year), mine
            sources = [k for k in names if all(origin[(k, year, s)] == (k, year, s) for s in WRITERS)]
            rng.shuffle(sources)
            for k, src in zip(sources[::2], sources[1::2], strict=False):  # k copies src: each in one pair at most
                if rng.random() < copy_rate:
                    for sec in rng.choice([("一",), ("五",), ("一", "五")]):
                        text[(k, year, sec)] = text[(src, year, sec)].replace(names[src], names[k])
                        origin[(k, year, sec)] = (src, year, sec)
                    planted += 1
        yield _chunk(names, years, text, origin, planted)


def report_id(k: int, year: int) -> str:
    return f"r{k:06d}-{year}"


def _chunk(names: dict[int, str], years: range, text: dict, origin: dict, planted: int) -> Chunk:
    by_origin: dict[tuple, list[tuple[int, int, str]]] = {}
    for key, o in origin.items():
        by_origin.setdefault(o, []).append(key)
    expected = set()
    for group in by_origin.values():
        for k, y, _ in group:
            for k2, y2, _ in group:
                if (k2 != k and y2 == y) or (k2 == k and y2 == y - 1):
                    expected.add((report_id(k, y), f"{names[k2]} {y2}年度"))
    reports = pl.DataFrame([(report_id(k, y), n, y) for k, n in names.items() for y in years],
                           schema={"report_id": pl.Utf8, "office": pl.Utf8, "report_year": pl.Int32}, orient="row")
    sections = pl.DataFrame([(report_id(k, y), s, " 一二三四五".index(s), t) for (k, y, s), t in text.items()],
                            schema={"report_id": pl.Utf8, "section_no": pl.Utf8, "position": pl.Int32, "text": pl.Utf8},
                            orient="row")
    return Chunk(reports, sections, expected, planted)


def write_chunk(lake: Lake, chunk: Chunk, name: str) -> None:
    """The chunk's reports and sections as one ingest part of the lake (every other column null)."""
    years = chunk.reports["report_year"].unique().to_list()
    reports = chunk.reports.with_columns(
        pl.col("report_id").alias("doc_id"),
        pl.col("report_year").replace_strict({y: registry().template_for_year(y) for y in years},
                                             return_dtype=pl.Utf8).alias("template"),
        pl.date(pl.col("report_year") + 1, 1, 20).alias("published_at"),
        pl.lit(datetime(2026, 1, 1)).alias("ingested_at"), pl.lit("bench").alias("run_id"))
    reports = reports.with_columns(pl.lit(None, dtype=t).alias(c) for c, t in pl.from_arrow(
        SCHEMAS["reports"].empty_table()).schema.items() if c not in reports.columns)
    sections = chunk.sections.with_columns(
        pl.concat_str([pl.col("section_no"), pl.lit("、")]).alias("heading"), pl.lit(None, dtype=pl.Int32).alias("line"))
    lake.write_frame("reports", frame_of("reports", reports), name)
    lake.write_frame("sections", frame_of("sections", sections), name)


def run(reports: int, years: range, seed: int = 0, workdir: Path | None = None) -> dict:
    """Build the province in a temporary lake, check it with C1 alone; the measurements."""

    offices = -(-reports // len(years))
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        lake = Lake(Path(tmp) / "lake")
        lake.init()
        expected: set[tuple[str, str]] = set()
        planted = 0
        t0 = time.perf_counter()
        for k, chunk in enumerate(province(offices, years, seed)):
            write_chunk(lake, chunk, f"b{k:05d}")
            expected |= chunk.expected
            planted += chunk.planted
        built = time.perf_counter() - t0
        n = sum(lake.rows("reports", p) for p in lake.part_names("reports"))
        specs = [s for s in load_suite() if s.kind == "similarity"]
        marks: list[float] = []
        before = psutil.Process().memory_info().rss
        with PeakRSS() as peak:
            t0, c0 = time.perf_counter(), time.process_time()
            check_lake(lake, "bench", specs=specs, progress=lambda done, total: marks.append(time.perf_counter()))
            took, cpu = time.perf_counter() - t0, time.process_time() - c0
        res = pl.read_parquet(lake.paths("check_results"))
    found = {(r, s) for r, s in res.filter(pl.col("status") == "fail").select("report_id", "subject").iter_rows()}
    stats = KINDS["similarity"].stats
    across = took - (marks[-1] - t0 if marks else 0.0)
    return {"reports": n, "offices": offices, "years": f"{years[0]}-{years[-1]}", "planted_copies": planted,
            "build_s": round(built, 1), "check_s": round(took, 1), "check_cpu_s": round(cpu, 1),
            "signatures_s": round(took - across, 1), "across_s": round(across, 1), "reports_per_s": round(n / took),
            "rss_before_mb": round(before / 2**20), "peak_rss_mb": round(peak.peak / 2**20), **stats,
            "expected_findings": len(expected), "found_findings": len(found), "missed": len(expected - found),
            "extra": len(found - expected), "statuses": dict(res.group_by("status").len().iter_rows())}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reports", type=int, default=100_000)
    ap.add_argument("--years", default="2019-2024")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    a, b = (int(x) for x in args.years.split("-"))
    out = run(args.reports, range(a, b + 1), args.seed)
    print(json.dumps(out, ensure_ascii=False) if args.json else "\n".join(f"{k:>18}: {v}" for k, v in out.items()))


if __name__ == "__main__":
    main()

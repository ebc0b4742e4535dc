"""Sections 一 (总体情况) and 五 (存在的主要问题及改进情况) as offices write them.

Every office writes its own text each year: sentences composed from pools of phrases, with its
name and numbers, so that two reports share stock phrases and little else (C1 must find nothing
where nothing was copied). A text is a `Draft`: pieces with fields for the years and for the
numbers of the applications table, a function of (seed, office, year, section) alone, so that
another office can copy it. `fill` prints a draft and names the numbers T3 reads in it
(`Stated`): those right after a phrase naming an applications total, in a sentence about this
year's applications. The numbers beside them (依申请公开…条, percentages, dates, 件次, 约…件,
counts of other matters, another year's count, one cell of a sum) are printed but not stated.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, replace

# fields a draft may hold: stated ones (T3 reads them; the row they name) and printed ones (n_…)
STATED = {"new_received": "new_received", "carried_over": "carried_over", "granted": "granted",
          "partial": "partial", "results_total": "results_total", "carried_forward": "carried_forward",
          "received_all": "new_received"}  # received_all: new and carried over together, said as received

GUIDES = ["认真贯彻落实《中华人民共和国政府信息公开条例》", "坚持以人民为中心的发展思想", "按照上级关于政务公开工作的部署要求",
          "坚持以公开为常态、不公开为例外", "紧紧围绕年度中心工作", "立足本单位职责和工作实际", "对标政务公开工作要点",
          "把政务公开作为转变工作作风的重要抓手", "持续深化“五公开”工作机制", "以标准化规范化建设为主线",
          "坚持依法依规、注重实效", "主动回应社会关切"]
GOALS = ["政府信息公开工作取得新进展", "政务公开质量和实效稳步提升", "有效保障了人民群众的知情权、参与权和监督权",
         "推动政务公开工作迈上新台阶", "各项公开任务全面完成", "公开工作的制度化水平明显提高", "政务透明度进一步增强",
         "为优化营商环境提供了有力支撑", "群众满意度持续提高", "公开工作整体水平稳中有进"]
TOPICS = ["主动公开", "政策解读", "平台建设", "政府信息管理", "监督保障", "政民互动", "重点领域公开", "队伍建设"]
ACTIONS = ["进一步完善", "持续深化", "扎实推进", "全面梳理", "着力加强", "不断优化", "严格落实", "积极探索", "认真做好",
           "稳步推进", "大力推行", "规范开展", "及时更新", "集中清理", "统筹推进", "切实抓好", "深入推进", "创新开展",
           "动态调整", "全面加强", "系统谋划", "精心组织"]
DOMAINS = ["财政预决算", "重大建设项目", "公共资源配置", "社会公益事业", "义务教育", "医疗卫生", "生态环境保护",
           "食品药品监管", "安全生产", "征地补偿", "乡村振兴", "保障性住房", "就业创业", "社会救助", "养老服务",
           "交通运输", "市场监管", "自然资源", "农业农村", "文化旅游", "税费减免", "行政审批", "行政执法", "政府采购",
           "国有资产", "应急管理", "城乡规划", "水利工程", "退役军人服务", "残疾人帮扶", "公共法律服务", "营商环境",
           "惠企政策", "防汛抗旱", "森林防火", "人才引进", "科技创新", "价格监测", "城市管理", "燃气安全"]
ASPECTS = ["信息公开", "政策解读", "数据发布", "办事指南", "目录编制", "标准化建设", "专栏维护", "信息发布审核",
           "公开事项清单", "结果公开", "过程公开", "意见征集", "执行情况公开", "公开内容核查"]
MEANS = ["通过门户网站、政务新媒体等渠道", "依托政务服务中心和便民服务站", "结合“放管服”改革", "围绕群众关注的热点难点",
         "借助新闻发布会和在线访谈", "利用微信公众号和短视频平台", "通过公开栏、电子显示屏等线下载体",
         "依托政府信息公开查阅点", "会同相关业务科室", "按照“谁制作、谁公开”的原则", "结合年度重点工作任务",
         "对照上级标准目录", "通过图解、问答等多种形式", "坚持应公开尽公开", "采取线上线下相结合的方式", "组织专人逐条核对"]
EFFECTS = ["切实保障群众知情权", "有效提升了公开质量", "确保信息发布及时准确", "进一步增强了工作透明度",
           "方便群众查询和监督", "推动政策落地见效", "提高了群众的知晓率和满意度", "营造了良好的舆论氛围",
           "做到公开内容全面、准确、及时", "形成了常态化工作机制", "实现了重点领域信息全覆盖", "赢得了社会各界的好评",
           "促进了权力规范透明运行", "减少了群众跑腿次数", "提升了政府公信力", "夯实了公开工作基础"]
STATS = ["全年主动公开政府信息{n}条", "召开新闻发布会{n}场", "发布政策解读{n}篇", "组织业务培训{n}次",
         "更新公开专栏{n}个", "编印政府公报{n}期", "接待现场查阅{n}人次", "清理失效信息{n}条", "发布政务微博{n}条",
         "制作图解{n}幅", "开展专项检查{n}次", "办理网民留言{n}件", "网站访问量达{n}万人次", "按时办结率达{p}%",
         "群众满意率达{p}%"]
SHORTFALLS = ["还不够全面", "的及时性有待提高", "形式较为单一", "的规范性仍需加强", "质量参差不齐", "与群众期待仍有差距",
              "更新不够及时", "的深度和广度不够", "的针对性不强", "存在薄弱环节", "标准化程度不高", "工作力量相对薄弱",
              "的互动性不足", "覆盖面还不够广", "的精细化水平有待提升"]
OPENINGS_5 = ["{year}年，{we}政务公开工作取得一定成效，但对照上级要求和群众期盼，仍存在一些不足：",
              "在肯定成绩的同时，{we}也清醒地认识到工作中存在的问题：", "回顾全年工作，{we}政府信息公开工作仍有薄弱环节：",
              "对照年度工作要点，{we}政务公开工作还存在以下差距："]
LEADS_5 = ["下一步，{we}将", "针对上述问题，{we}将", "{next}年，{we}将", "今后，我们将", "在今后的工作中，{we}将"]
ORDINALS = "一二三四五六七"
# the application paragraph: clauses about the applications table (fields as in STATED and n_…)
RECEIVED = ["{year}年，{we}共收到政府信息公开申请{new_received}件", "全年新收政府信息公开申请{new_received}件",
            "本年度{we}共收到{new_received}件政府信息公开申请", "本年度新收政府信息公开申请数量为{new_received}件",
            "{year}年度共接收政府信息公开申请{new_received}件", "全年共受理政府信息公开申请{n_new_received}件",
            "共收到政府信息公开申请{n_received_all}件（含上年结转{carried_over}件）",
            "连同上年结转，{we}共收到政府信息公开申请{received_all}件"]
CARRIED = ["上年结转{carried_over}件", "上年度结转{carried_over}件", "另有上年结转申请{carried_over}件"]
RESULTS = ["办结{results_total}件", "共办结{results_total}件", "已办结{results_total}件", "答复{results_total}件"]
OUTCOMES = ["其中予以公开{granted}件，部分公开{partial}件",
            "予以公开{granted}件、部分公开{partial}件、不予公开{n_denied}件、无法提供{n_unable}件",
            "其中予以公开、部分公开共{n_granted_partial}件", "予以公开{granted}件，不予处理{n_unprocessed}件",
            "部分公开{partial}件，其他处理{n_other}件"]
FORWARD = ["结转下年度继续办理{carried_forward}件", "结转至下一年度办理{carried_forward}件", "转下年度办理{carried_forward}件"]
ASIDES = ["全年依申请公开政府信息{k}条。", "申请按时答复率100%。", "{last}年共收到政府信息公开申请{k}件。",
          "申请数量较{last}年增加{k}件，同比增长{p}%。", "另收到重复提交的申请{k}件次。", "现场接待申请人咨询约{k}件。",
          "其中按期答复{n_results_total}件，无一逾期。", "共收到政府信息公开申请约{k}件。"]


@dataclass(frozen=True)
class Stated:
    """A number section 一 states about an applications total: T3 compares it with the table."""

    row: str
    n: int
    scope: bool = False  # said of a wider scope (全县…): a number unlike the table's cannot be judged


@dataclass(frozen=True)
class Draft:
    """A section's text before the numbers: (kind, str.format template) pieces, joined as they are.
    Kinds: 'topic', 'item' (what a copy may rewrite), 'fixed'."""

    pieces: tuple[tuple[str, str], ...]
    origin: tuple[str, int, str]  # (office code, year, section) where the text was first written
    scope: tuple[Stated, ...] = ()  # numbers about a wider scope, written into the text
    commas: bool = False  # numbers of 1000 and more with thousands separators

    def template(self) -> str:
        return "".join(t for _, t in self.pieces)


def numbers(applications: dict[tuple[str, str], str], rows: list[str]) -> dict[str, int]:
    """The fields a draft may name, from an applications table of plain numbers."""
    t = {r: int(applications[(r, "total")]) for r in rows}
    group = lambda prefix: sum(v for r, v in t.items() if r.startswith(prefix))  # noqa: E731
    stated = {k: t[k] for k in STATED if k in t} | {"received_all": t["new_received"] + t["carried_over"]}
    printed = {"denied": group("denied_"), "unable": group("unable_"), "unprocessed": group("unprocessed_"),
               "other": group("other_"), "granted_partial": t["granted"] + t["partial"]}
    return stated | {f"n_{k}": v for k, v in (stated | printed).items()}


def fill(d: Draft, year: int, values: dict[str, int]) -> tuple[str, tuple[Stated, ...]]:
    """The draft printed for `year` with `values`; the numbers it states (T3)."""
    fmt = (lambda n: f"{n:,}") if d.commas else str
    text = d.template()
    fields = {f for _, f, _, _ in string.Formatter().parse(text) if f} - {"year", "last", "next"}
    out = text.format(year=year, last=year - 1, next=year + 1, **{f: fmt(values[f]) for f in fields})
    return out, tuple(Stated(STATED[f], values[f]) for f in sorted(fields) if f in STATED) + d.scope


def stated_fields(d: Draft) -> list[str]:
    return sorted({f for _, f, _, _ in string.Formatter().parse(d.template()) if f in STATED})


def _rng(seed: int, code: str, year: int, section: str) -> random.Random:
    return random.Random(f"{seed}/{code}/{year}/{section}")


def _we(rng: random.Random, office: str) -> str:
    return office if rng.random() < 0.8 else rng.choice(["本机关", "我单位"])


def _topic_sentence(rng: random.Random) -> str:
    stat = rng.choice(STATS).format(n=rng.randint(2, 3000), p=rng.randint(90, 100))
    return rng.choice([
        lambda: f"{rng.choice(MEANS)}，{rng.choice(ACTIONS)}{rng.choice(DOMAINS)}{rng.choice(ASPECTS)}，{rng.choice(EFFECTS)}。",
        lambda: f"{rng.choice(ACTIONS)}{rng.choice(DOMAINS)}领域{rng.choice(ASPECTS)}，{stat}，{rng.choice(EFFECTS)}。",
        lambda: f"聚焦{rng.choice(DOMAINS)}和{rng.choice(DOMAINS)}，{rng.choice(ACTIONS)}{rng.choice(ASPECTS)}，{stat}。",
        lambda: f"{rng.choice(MEANS)}，{stat}，{rng.choice(EFFECTS)}。",
    ])()


def _applications(rng: random.Random, we: str) -> list[tuple[str, str]]:
    """The paragraph on applications: one sentence of clauses naming table totals, asides around it."""
    clauses = [rng.choice(RECEIVED).replace("{we}", we)]
    for pool, p in ((CARRIED, 0.5), (RESULTS, 0.7), (OUTCOMES, 0.7), (FORWARD, 0.5)):
        if rng.random() < p:
            clauses.append(rng.choice(pool))
    out = [("fixed", "，".join(clauses) + "。")]
    for aside in rng.sample(ASIDES, rng.randint(0, 2)):
        out.append(("fixed", aside.replace("{k}", str(rng.randint(2, 400))).replace("{p}", str(rng.randint(1, 30)))))
    return out


def _scope(rng: random.Random, office: str, kind: str) -> tuple[list[tuple[str, str]], tuple[Stated, ...]]:
    """A government's sentence on the applications of its whole area (a number beyond its own table)."""
    area = office[-1]
    if kind != "government" or area not in "省市县镇" or rng.random() < 0.6:
        return [], ()
    n = rng.randint(20, 3000)
    return [("fixed", f"全{area}各级行政机关共收到政府信息公开申请{n}件。")], (Stated("new_received", n, scope=True),)


def overview(seed: int, code: str, office: str, kind: str, year: int) -> Draft:
    """Section 一: an opening, a few numbered topics of two or three sentences, the applications."""
    rng = _rng(seed, code, year, "一")
    we = _we(rng, office)
    first, then = rng.sample(GUIDES, 2)
    pieces = [("fixed", f"{{year}}年，{office}{first}，{then}，{rng.choice(GOALS)}。")]
    topics = rng.sample(TOPICS, rng.randint(3, 4))
    at = rng.randint(1, len(topics))  # where the applications come, numbered like the topics
    scope, stated = _scope(rng, office, kind)
    for k in range(len(topics) + 1):
        pieces.append(("fixed", f"\n（{ORDINALS[k]}）"))
        if k == at:
            pieces += [("fixed", "依申请公开方面。")] + _applications(rng, we) + scope
            continue
        pieces.append(("fixed", f"{topics[k - (k > at)]}方面。"))
        pieces += [("topic", _topic_sentence(rng)) for _ in range(rng.randint(2, 3))]
    return Draft(tuple((kind_, t.replace("{we}", we)) for kind_, t in pieces), (code, year, "一"), stated,
                 commas=rng.random() < 0.3)


def _issue(rng: random.Random, k: int) -> str:
    return f"{ORDINALS[k]}是{rng.choice(DOMAINS)}{rng.choice(ASPECTS)}{rng.choice(SHORTFALLS)}"


def _plan(rng: random.Random, k: int) -> str:
    return f"{ORDINALS[k]}是{rng.choice(ACTIONS)}{rng.choice(DOMAINS)}{rng.choice(ASPECTS)}，{rng.choice(EFFECTS)}"


def problems(seed: int, code: str, office: str, year: int) -> Draft:
    """Section 五: the shortfalls, then the plans against them."""
    rng = _rng(seed, code, year, "五")
    we = _we(rng, office)
    n_issues, n_plans = rng.randint(3, 5), rng.randint(3, 5)
    pieces = [("fixed", rng.choice(OPENINGS_5))]
    pieces += [("item", _issue(rng, k) + ("；" if k < n_issues - 1 else "。")) for k in range(n_issues)]
    pieces.append(("fixed", rng.choice(LEADS_5) + "："))
    pieces += [("item", _plan(rng, k) + ("；" if k < n_plans - 1 else "。")) for k in range(n_plans)]
    return Draft(tuple((k, t.replace("{we}", we)) for k, t in pieces), (code, year, "五"))


def rewritten(rng: random.Random, d: Draft) -> Draft:
    """A copy made to look new: one topic sentence or item written afresh."""
    spots = [k for k, (kind, _) in enumerate(d.pieces) if kind in ("topic", "item")]
    k = rng.choice(spots)
    kind, old = d.pieces[k]
    if kind == "topic":
        new = _topic_sentence(rng)
    else:
        n = ORDINALS.index(old[0])
        new = (_issue(rng, n) if rng.random() < 0.5 else _plan(rng, n)) + old[-1]
    return replace(d, pieces=d.pieces[:k] + ((kind, new),) + d.pieces[k + 1:])


def renamed(d: Draft, old: str, new: str) -> Draft:
    """Another office's text with its name put in place of the author's."""
    return replace(d, pieces=tuple((k, t.replace(old, new)) for k, t in d.pieces))

"""A synthetic province: prefectures, counties and townships, each government with departments."""

from __future__ import annotations

import random
from dataclasses import dataclass

from gkqc.offices import Matcher, normalise, variants

_SYL = list("青江山河东西南北安平宁德清源泉湖阳城兴华新永长丰富康乐林石桥云溪春秋嘉禾瑞昌明远")
_DEPTS = ["教育局", "公安局", "民政局", "司法局", "财政局", "人力资源和社会保障局", "自然资源局", "生态环境局",
          "住房和城乡建设局", "交通运输局", "水利局", "农业农村局", "商务局", "文化和旅游局", "卫生健康委员会",
          "应急管理局", "审计局", "市场监督管理局", "统计局", "医疗保障局"]
_PROV_DEPTS = [d.replace("局", "厅") if d.endswith("局") else d for d in _DEPTS]
# characters of place names as a recognition error misreads them (never a unit word such as 县 or 市,
# which the readers infer an office's kind and region from)
_MISREAD = dict(zip("江山河东西南北平宁德清湖阳兴新永丰康林石云春秋嘉禾瑞昌明远", "汪出何束酉商比乎宇徳靖潮阴共亲水羊唐材右去舂秩喜木端冒朋运",
                    strict=True))


@dataclass(frozen=True)
class Office:
    code: str
    name: str
    kind: str  # government | department | township
    region: str


def _names(rng: random.Random, suffix: str, n: int, taken: set[str]) -> list[str]:
    """`n` new place names: two syllables while they last, then longer ones (never loops forever)."""
    out = []
    length, misses = 2, 0
    while len(out) < n:
        name = "".join(rng.choice(_SYL) for _ in range(length)) + suffix
        if name not in taken and name[0] != name[1]:
            taken.add(name)
            out.append(name)
            misses = 0
        else:
            misses += 1
            if misses > 50:
                length, misses = length + 1, 0
    return out


def make_offices(n: int, rng: random.Random) -> list[Office]:
    """About `n` offices: a province, then prefectures, counties and townships until n is reached."""
    taken: set[str] = set()
    offices: list[Office] = []

    def add(name: str, kind: str, region: str) -> bool:
        offices.append(Office(f"o{len(offices):06d}", name, kind, region))
        return len(offices) >= n

    province = _names(rng, "省", 1, taken)[0]
    if add(province, "government", province):
        return offices
    for d in _PROV_DEPTS[:10]:
        if add(province + d, "department", province):
            return offices
    while True:
        city = _names(rng, "市", 1, taken)[0]
        if add(city, "government", city):
            return offices
        for d in rng.sample(_DEPTS, 12):
            if add(city + d, "department", city):
                return offices
        for county in _names(rng, "县", 4, taken):
            if add(county, "government", county):
                return offices
            for d in rng.sample(_DEPTS, 8):
                if add(county + d, "department", county):
                    return offices
            for town in _names(rng, "镇", 3, taken):
                if add(county + town, "township", county):
                    return offices


def printed_forms(office: Office) -> list[str]:
    """Other forms of the office's name that the office matcher takes for it without an alias
    (`gkqc.offices.variants`, and 某县人民政府/某县政府 for a government printed as 某县). A
    trailing （本级） is left out: the title reader drops its closing bracket."""
    extra = [office.name + "人民政府", office.name + "政府"] if office.kind in ("government", "township") else []
    forms = [v for v in variants(office.name) + extra if not v.endswith("）")]
    return [v for i, v in enumerate(forms) if v not in forms[:i] and normalise(v) == normalise(office.name)]


def misreadings(offices: list[Office], seed: int) -> dict[str, str]:
    """office code -> its name with one character misread, for the offices where such a name is one
    character away from that office alone and from no other misreading: the registry's matcher
    only proposes it (`gkqc.offices`) until offices.csv lists it as an alias."""
    matcher = Matcher((o.name, [], []) for o in offices)
    taken = {normalise(o.name) for o in offices}
    out: dict[str, str] = {}
    for o in offices:
        at = [i for i, c in enumerate(o.name) if c in _MISREAD]
        random.Random(f"{seed}/{o.code}/misread").shuffle(at)
        for i in at:
            near = o.name[:i] + _MISREAD[o.name[i]] + o.name[i + 1:]
            m = matcher.match(near)
            if normalise(near) not in taken and m.how == "proposal" and m.proposed == o.name:
                out[o.code] = near
                taken.add(normalise(near))
                break
    return out

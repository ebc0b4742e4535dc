"""A synthetic province: prefectures, counties and townships, each government with departments."""

from __future__ import annotations

import random
from dataclasses import dataclass

_SYL = list("青江山河东西南北安平宁德清源泉湖阳城兴华新永长丰富康乐林石桥云溪春秋嘉禾瑞昌明远")
_DEPTS = ["教育局", "公安局", "民政局", "司法局", "财政局", "人力资源和社会保障局", "自然资源局", "生态环境局",
          "住房和城乡建设局", "交通运输局", "水利局", "农业农村局", "商务局", "文化和旅游局", "卫生健康委员会",
          "应急管理局", "审计局", "市场监督管理局", "统计局", "医疗保障局"]
_PROV_DEPTS = [d.replace("局", "厅") if d.endswith("局") else d for d in _DEPTS]


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

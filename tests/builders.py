"""Building report files for tests: a consistent report, then broken on purpose."""

from __future__ import annotations

import random
from datetime import date

from gkqc.simulate.numbers import make_values, raw
from gkqc.simulate.render import ReportSpec


def spec(template: str = "gov2021", year: int = 2022, office: str = "青山市教育局", seed: int = 1,
         published: date | None = None) -> ReportSpec:
    v = make_values(random.Random(seed), template)
    s = ReportSpec(
        office=office, year=year, template=template,
        published_at=published or date(year + 1, 1, 20), publisher=office,
        applications={k: raw(x) for k, x in v.applications.items()},
        active={k: raw(x) for k, x in v.active.items()},
        reviews={k: raw(x) for k, x in v.reviews.items()},
    )
    amount = ("item_9", "procurement", "procurement_amount")
    if amount in s.active:  # gov2019 prints no unit in the heading: reports write it in the cell
        s.active[amount] += "万元"
    return s

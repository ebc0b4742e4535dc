"""Building report files for tests: a consistent report, then broken on purpose."""

from __future__ import annotations

import random
from datetime import date

from gkqc.simulate.numbers import make_values, raw
from gkqc.simulate.render import ReportSpec, render_pagetext


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


def four_reports_inbox(tmp_path, bad: bytes | None = None):
    """An inbox of four page-text reports (r0.txt … r3.txt), and `bad.pdf` when given."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for k in range(4):
        s = spec("gov2021", 2022, office=f"青山市第{k + 1}局", seed=k + 1)
        (inbox / f"r{k}.txt").write_text(render_pagetext(s), encoding="utf-8")
    if bad is not None:
        (inbox / "bad.pdf").write_bytes(bad)
    return inbox

"""A small simulated province for the oversight workspace tests, with reports planted on purpose.

Through the library as a run goes (ingest, check, commit, build, publish), no subprocess:
- a simulated collection (a few dozen offices over several years);
- 碧水市教育局 2022: the （七）总计 / 自然人 cell printed 7 too large (A1, A2 and A3 fail on it), and
  （一）予以公开 / 商业企业 2 too large (A2 in a second column, A3 in a second row);
- 碧水市财政局 2022 in three versions (see `revised`), added one run at a time;
- reports whose office and title are hostile text, one in a region whose name is hostile too.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from builders import spec

from checks.engine import check_lake
from gkqc.ingest import ingest
from gkqc.lake import Lake
from gkqc.simulate.collection import simulate
from gkqc.simulate.render import ReportSpec, render_pagetext
from warehouse.build import build

PLANTED = "碧水市教育局"
PLANTED_CELL = ("results_total", "natural_person")
REVISED = "碧水市财政局"
YEAR = 2022
HOSTILE_OFFICES = ["<script>alert(1)</script>局", '"><img src=x onerror=alert(1)>局', '=HYPERLINK("http://x","y")局']
HOSTILE_REGION = '<img src=x onerror=alert(2)>地区'
MARKERS = ("<script>", "<img src=x onerror=", "=HYPERLINK(")  # what survives of each hostile name when read


def _bump(cells: dict, key: tuple, by: int) -> None:
    cells[key] = str(int(cells[key]) + by)


def planted() -> ReportSpec:
    s = spec("gov2021", YEAR, office=PLANTED, seed=21)
    _bump(s.applications, PLANTED_CELL, 7)
    _bump(s.applications, ("granted", "commercial"), 2)
    return s


def revised(version: int) -> ReportSpec:
    """碧水市财政局 2022, version 1, 2 or 3.

    v1: （七）总计 / 自然人 +7 (A1, A2 natural_person and total; A3 results_total) and 行政复议 总计 +2 (R1);
    v2: the applications table corrected; R1 still there; 直接起诉 总计 +1 (R2) newly broken;
    v3: R2 corrected; R1 still there."""
    s = spec("gov2021", YEAR, office=REVISED, seed=22, published=date(YEAR + 1, 1, 5 + 8 * version))
    _bump(s.reviews, ("review", "total"), 2)
    if version == 1:
        _bump(s.applications, PLANTED_CELL, 7)
    if version == 2:
        _bump(s.reviews, ("suit_direct", "total"), 1)
    return s


def make_inbox(root: Path, offices: int = 24, years: tuple[int, int] = (2019, 2023), seed: int = 5) -> Path:
    inbox = root / "inbox"
    simulate(inbox, offices, years, seed=seed, defect_rate=0.3, workers=1)
    (inbox / "planted").mkdir()
    (inbox / "planted" / "qingshan-edu-2022.txt").write_text(render_pagetext(planted()), encoding="utf-8")
    (inbox / "planted" / "qingshan-fin-2022-v1.txt").write_text(render_pagetext(revised(1)), encoding="utf-8")
    for i, name in enumerate(HOSTILE_OFFICES):
        s = spec("gov2021", YEAR, office=name, seed=30 + i, published=date(YEAR + 1, 1, 20))
        _bump(s.applications, ("granted", "total"), 3)  # a finding to show and to list in a notice
        (inbox / "planted" / f"hostile-{i}.txt").write_text(render_pagetext(s), encoding="utf-8")
    with (inbox / "offices.csv").open(encoding="utf-8") as f:
        width = len(next(csv.reader(f)))  # the simulator's columns: these rows leave the later ones empty
    rows = [[PLANTED, "碧水市", "department", "q1"], [REVISED, "碧水市", "department", "q2"],
            ["碧水市审计局", "碧水市", "department", "q3"],  # expected, never published
            ['=HYPERLINK(http://x,y)局', HOSTILE_REGION, "department", "h1"]]
    with (inbox / "offices.csv").open("a", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(row + [""] * (width - len(row)) for row in rows)
    return inbox


def add_version(inbox: Path, version: int) -> None:
    """A corrected re-publication of 碧水市财政局 2022 arrives in the inbox."""
    (inbox / "planted" / f"qingshan-fin-2022-v{version}.txt").write_text(render_pagetext(revised(version)),
                                                                        encoding="utf-8")


def run(inbox: Path, wh: Path, run_id: str) -> Lake:
    """One run as the flow does it, without Prefect: ingest, check, commit, rebuild the warehouse."""
    lake = Lake(wh / "lake")
    lake.init()
    ingest(inbox, lake, run_id, workers=0)
    check_lake(lake, run_id)
    lake.commit(run_id)
    build(wh, lake)
    return lake

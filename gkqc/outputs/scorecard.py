"""Scorecards from the warehouse: one query layer (`data`), three renderings (terminal, HTML, Excel)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

from rich.table import Table
from rich.text import Text

from gkqc import faults
from gkqc.cells import controls_damaged
from gkqc.outputs.data import (
    GRADES,
    SEVERITY_ZH,
    ScorecardData,
    fmt,
    load,
    on_time_label,
    open_connection,
    percent,
    place,
    unattributed,
)
from gkqc.outputs.excel import write_excel
from gkqc.outputs.labels import finding_subject
from gkqc.outputs.pages import MANIFEST
from gkqc.outputs.site import write_site

if TYPE_CHECKING:
    from gkqc.storage import Warehouse

__all__ = ["ScorecardData", "load", "print_terminal", "publish", "publish_recorded", "published_from", "record_published",
           "unattributed_count", "write_outputs"]

PUBLISHED = "published.json"  # beside the scorecards: the fingerprint they were published from


BILINGUAL_FROM = 120  # terminal columns from which headers carry their English beside the Chinese


class TextTable(Table):
    """A terminal table whose cells and headers are shown as the text they hold (a report's `[/b]` is
    no markup), folded rather than cut where the terminal is narrow. A header `(中文, English, True)`
    is a number's column: right-aligned and never folded, so the text columns give way first."""

    def __init__(self, *headers: str | tuple[str, str, bool], title: str | None = None, english: bool = True):
        super().__init__(title=title)
        for h in headers:
            zh, en, number = h if isinstance(h, tuple) else (str(h), "", False)
            label = f"{zh}\n{en}" if english and en else zh
            self.add_column(Text(label), overflow="fold", justify="right" if number else "left", no_wrap=number)

    def add_row(self, *cells: object, **kw) -> None:
        """(a control character, an ESC of a name stored before offices.csv was cleaned, prints as U+FFFD)"""
        super().add_row(*(c if isinstance(c, Text) else Text("" if c is None else controls_damaged(str(c)))
                          for c in cells), **kw)


def print_terminal(data: ScorecardData, console, limit: int = 40) -> None:
    """The region and office scorecards (and the findings of a few offices) as terminal tables; on a
    terminal narrower than BILINGUAL_FROM columns the headers are Chinese only, so an office's name
    keeps the width the numbers leave."""
    english = console.width >= BILINGUAL_FROM
    t = TextTable(("地区", "region", False), ("年度", "year", True), ("应报", "expected", True),
                  ("已报", "found", True), ("按期率", "on time", True), ("无错误率", "error-free", True),
                  ("平均分", "mean", True), title="地区评分卡 region scorecard", english=english)
    for r in data.regions[:limit]:
        t.add_row(place(r["region"]), fmt(r["report_year"]), fmt(r["offices_expected"]), fmt(r["reports_found"]),
                  percent(r["on_time_rate"]), percent(r["error_free_rate"]), fmt(r["mean_score"]))
    console.print(t)
    t = TextTable(("机关", "office", False), ("地区", "region", False), ("年度", "year", True), ("得分", "score", True),
                  ("等级", "grade", True), ("按期", "on time", True), ("错误", "errors", True),
                  ("警告", "warnings", True), ("名次", "rank", True), title="机关评分卡 office scorecard", english=english)
    for o in data.offices[:limit]:
        t.add_row(o["office"], place(o["region"]), fmt(o["report_year"]), fmt(o["score"]),
                  f"{o['grade']} {GRADES.get(o['grade'], '')}", on_time_label(o),
                  fmt(o["errors"]), fmt(o["warnings"]), fmt(o["rank_in_region"]))
    console.print(t)
    if len(data.offices) > limit:
        console.print(f"（另有 {len(data.offices) - limit} 行；用 --out 输出完整的网页和 Excel）")
    if data.findings and len(data.offices) <= 5:
        t = TextTable(("机关", "office", False), ("年度", "year", True), ("检查", "check", False), ("级别", "", False),
                      ("对象", "subject", False), ("说明", "message", False), title="问题清单 findings", english=english)
        shown = data.findings[:limit]
        for f in shown:  # (an office's years apart: two years' D1 read alike)
            t.add_row(f["office"], fmt(f["report_year"]), f["check_id"], SEVERITY_ZH[f["severity"]], finding_subject(f),
                      f["message"])
        console.print(t)
        if data.findings_total > len(shown):
            console.print(Text(f"（另有 {data.findings_total - len(shown)} 项问题未列出；用 --out 输出完整的网页和 Excel，"
                               f"或 gkqc sql \"select * from findings where is_latest\"）(more findings: see --out)"))


class NotASite(OSError):
    """The folder a site would replace holds something else: a user's files are never deleted."""


def _ours_or_empty(site: Path) -> bool:
    """Whether a site may be written at `site`: nothing there, an empty folder, or a site gkqc wrote
    (its pages' manifest)."""
    return not site.exists() or (site / MANIFEST).exists() or (site.is_dir() and not any(site.iterdir()))


def write_outputs(data: ScorecardData, out: Path, inbox: Path | None = None,
                  focus: str | None = None) -> tuple[Path, Path]:
    """The HTML site (site/index.html) and the Excel workbook (scorecard.xlsx) under `out`.

    The workbook holds exactly the selection `data` was loaded with. The site is read from the
    warehouse `data` came from: the selection's region or office over every year (history and
    trends need them all), opening on the selected year. `inbox`: link the collected files;
    `focus`: only this office changed, rewrite only the pages it shows on (see `write_site`)."""
    if data.source is None:
        raise ValueError("the site is written from a warehouse: load the data with `load(con, …)`")
    if not _ours_or_empty(out / "site"):
        raise NotASite(f"{out / 'site'} 中已有不是 gkqc 写的文件，不予替换：请另选目录或先移走这些文件 "
                       f"(holds files gkqc did not write: not replaced)")
    out.mkdir(parents=True, exist_ok=True)
    sel = data.selection
    site = write_site(open_connection(data) or data.source, out / "site", year=sel.get("year"), region=sel.get("region"),
                      office=sel.get("office"), inbox=inbox, focus=focus)
    return site, write_excel(data, out / "scorecard.xlsx")


def publish(warehouse: Path, inbox: Path | None = None, focus: str | None = None) -> tuple[str, int, list[dict]]:
    """What a run, and a decision's rebuild, publishes: the site of every year and the workbook of
    the latest year, under `<warehouse>/scorecards`. Returns (scorecards folder, office-years in the workbook, its regions).
    `focus`: only this office's results changed (a reviewer's decision). The workbook is written
    first: a workbook that cannot be written (open in Excel elsewhere) stops the publication."""
    from warehouse.access import connect_readonly

    con = connect_readonly(warehouse)
    try:
        latest = con.execute("select max(report_year) from scorecard_office").fetchall()[0][0]
        data = load(con, year=latest)
    finally:
        con.close()
    out = Path(warehouse) / "scorecards"
    write_excel(data, out / "scorecard.xlsx")
    offices, regions = len(data.offices), data.regions
    del data  # the workbook's rows are not held while the site is drawn
    site = write_site(Path(warehouse), out / "site", year=latest, inbox=inbox, focus=focus)
    return str(site.parent.parent), offices, regions


def unattributed_count(warehouse: Path) -> int:
    """How many parsed reports (newest versions) of the warehouse no office was found for."""
    from warehouse.access import connect_readonly

    con = connect_readonly(Path(warehouse))
    try:
        return unattributed(con, 0)[1]
    finally:
        con.close()


def published_from(warehouse: Path, fingerprint: str) -> tuple[str, int, list[dict]] | None:
    """What `publish` returned when the scorecards were last published from `fingerprint` (the
    warehouse's `build_fingerprint`), without the regions; None when published from another or never."""
    try:
        done = json.loads((warehouse / "scorecards" / PUBLISHED).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if done.get("fingerprint") != fingerprint:
        return None
    return str(Path(warehouse) / "scorecards"), done["offices_scored"], []  # where they are now (a moved warehouse)


def record_published(warehouse: Path, fingerprint: str, published: tuple[str, int, list[dict]]) -> None:
    """Note that the scorecards now stand as published from `fingerprint` (written whole, or not)."""
    path = warehouse / "scorecards" / PUBLISHED
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"fingerprint": fingerprint, "scorecards": published[0],
                               "offices_scored": published[1]}, ensure_ascii=False), encoding="utf-8")
    tmp.replace(path)


def publish_recorded(wh: Warehouse, fingerprint: str, focus: str | None = None) -> tuple[str, int, list[dict]]:
    """Publish the scorecards, put them in the warehouse when it is on object storage, and only then
    note them as published from `fingerprint`: killed or failed before that, the next run publishes
    them again."""
    published = publish(wh.local, focus=focus)  # `gkqc scorecard --out` writes any other selection
    wh.upload(wh.local / "scorecards", "scorecards", prune="site")  # (pages the site no longer has: deleted)
    faults.point("publish")
    record_published(wh.local, fingerprint, published)
    return published

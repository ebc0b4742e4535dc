"""The scorecard site, written from the warehouse: every year, one page per office and per office-year.

    index.html                 the province (or the selection): trends, failures by check, regions
    offices.html               every office, its latest score (sortable, filterable)
    region-<hash>.html         a region: trends, failures by check, ranking of every year, findings
    office-<hash>.html         an office: every year's score and findings side by side, decisions
    office-<hash>-<year>.html  an office-year: versions, findings, rectification, tables as printed

Aggregates come from SQL; the office-year pages are written in batches (see `reportpages`). The site
is built in a temporary folder and moved into place whole.
"""

from __future__ import annotations

import os
import shutil
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import duckdb

from gkqc.outputs.charts import bar_chart, line_chart
from gkqc.outputs.data import Row, records
from gkqc.outputs.html import Pages, copy_static, digest, office_page, region_page, render, report_page
from gkqc.outputs.labels import subject_label
from gkqc.outputs.reportpages import (
    TEMP_TABLES,
    carry_over,
    draw_report_pages,
    select_scope,
    shared_with_a_second_process,
    site_key,
)
from gkqc.outputs.tables import printed_template

FILES_LISTED = 2000  # unread files listed on the index page


def _failure_rows(rows: list[dict], value: str, link=None) -> list[dict]:
    """Check × year matrix rows from (check_id, check_title, severity, report_year, value) rows."""
    by: dict[str, dict] = {}
    for r in rows:
        e = by.setdefault(r["check_id"], Row(check_id=r["check_id"], title=r["check_title"] or "",
                                             severity=r["severity"], counts={}, links={}, heat={}))
        e["counts"][r["report_year"]] = e["counts"].get(r["report_year"], 0) + r[value]
        if link:
            e["links"][r["report_year"]] = link(r["report_year"])
    top = max((n for e in by.values() for n in e["counts"].values()), default=0) or 1
    for e in by.values():
        e["heat"] = {y: (0 if n == 0 else 1 + min(2, int(3 * n / (top + 1)))) for y, n in e["counts"].items()}
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(by.values(), key=lambda e: (order.get(e["severity"], 3), -sum(e["counts"].values()), e["check_id"]))


def _trend_charts(trend: list[dict], label: str) -> tuple:
    years = [t["report_year"] for t in trend]
    rates = line_chart(f"{label}：按期发布率与无错误比例", years,
                       [("按期发布率", [t["on_time_rate"] for t in trend]),
                        ("无错误比例", [t["error_free_rate"] for t in trend])], y_max=1.0, percent=True)
    score = line_chart(f"{label}：平均分", years, [("平均分", [t["mean_score"] for t in trend])], y_max=100)
    return rates, score


def _failures_chart(rows: list[dict], year: int) -> object:
    items = sorted(((f"{r['check_id']} {r['title']}", r["counts"].get(year, 0), f"{r['check_id']} {r['title']}：{r['counts'].get(year, 0)}")
                    for r in rows if r["counts"].get(year)), key=lambda x: -x[1])
    return bar_chart(f"{year} 年度各检查项不通过的机关数", items[:20])


def _float(v) -> float | None:
    return None if v is None else float(v)


def write_site(source: Path | duckdb.DuckDBPyConnection, out: Path, *, year: int | None = None,
               region: str | None = None, office: str | None = None, inbox: Path | None = None,
               focus: str | None = None) -> Path:
    """Write the site for the selection (region, office; every year) to `out`, from a warehouse
    folder or an open read-only connection to one; `year` is the year the pages open with
    (default: the latest). Returns the path of index.html.

    `focus`: only one office changed (a reviewer's decision): rewrite in place the pages it shows
    on (the index, the office list, its region, the offices of its region, its own years)."""
    from warehouse.access import connect_readonly

    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    live = focus is not None and (out / "index.html").exists()
    if not live:
        for left in [*out.parent.glob(f".{out.name}.tmp-*"), *out.parent.glob(f".{out.name}.old-*")]:
            shutil.rmtree(left, ignore_errors=True)  # what an interrupted publication left
    folder = out if live else out.with_name(f".{out.name}.tmp-{os.getpid()}")
    folder.mkdir(exist_ok=live)
    own = not isinstance(source, duckdb.DuckDBPyConnection)
    con = connect_readonly(Path(source)) if own else source
    try:
        _write(con, Pages(folder, live, previous=out if out.exists() else None), year, region, office, inbox,
               focus if live else None)
    except Exception:
        if not live:
            shutil.rmtree(folder, ignore_errors=True)
        raise  # an interrupt leaves the folder to the next publication: removing a large site is slow
    finally:
        for t in TEMP_TABLES:
            con.execute(f"drop table if exists {t}")
        if own:
            con.close()
    if not live:
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        if out.exists():
            out.rename(old)
        folder.rename(out)
        shutil.rmtree(old, ignore_errors=True)
    return out / "index.html"


@dataclass
class _Selection:
    """What the pages of a selection are drawn from, read once."""

    years: list[int]
    year: int | None
    sc: list[Row]  # scorecard rows of every year
    regions: list[Row]
    fbc: list[Row]  # failures by check
    latest: list[Row]  # findings of the newest versions, numbered (fno) as their pages number them
    decisions: list[Row]
    ctx: dict  # what every page shows


def _read(con: duckdb.DuckDBPyConnection, year: int | None, region: str | None, office: str | None) -> _Selection:
    select_scope(con, region, office)
    built_at = con.execute("select strftime(built_at, '%Y-%m-%d %H:%M') from _gkqc_build").fetchall()[0][0]
    years = [r[0] for r in con.execute("select distinct report_year from _sc order by 1").fetchall()]
    year = year if year in years else (years[-1] if years else None)
    latest = records(con, """select f.*, row_number() over (
                                 partition by f.report_id
                                 order by case f.severity when 'error' then 0 when 'warning' then 1 else 2 end,
                                          f.check_id, f.subject) as fno,
                                 r.template as report_template, r.template_variant
                             from findings f join _scope using (office) left join reports r using (report_id)
                             where f.is_latest
                             order by f.office, f.report_year, f.report_id, fno""")
    for f in latest:  # named in the words of the report's own template
        printed = printed_template(f.pop("report_template"), f.pop("template_variant"))
        f["subject_label"] = subject_label(f["check_id"], f["subject"], printed)
    return _Selection(
        years, year, records(con, "select * from _sc order by region, report_year desc, rank_in_region, office"),
        records(con, """select * from scorecard_region where region in (select distinct region from _sc)
                        order by report_year desc, mean_score desc, region"""),
        records(con, "select * from failures_by_check where region in (select distinct region from _sc) order by all"),
        latest,
        records(con, """select d.* from decisions d join _scope using (office)
                        order by d.report_year desc, d.check_id, d.subject, d.decided_at desc, d.decided_by,
                                 d.decision, d.reason"""),
        dict(built_at=built_at, years=years, year=year))


def _index(con: duckdb.DuckDBPyConnection, pages: Pages, sel: _Selection, scope: str) -> None:
    trend = records(con, """select report_year,
                                   avg(case when report_id is not null then on_time::int end) as on_time_rate,
                                   avg(case when report_id is not null then (errors = 0)::int end) as error_free_rate,
                                   avg(score) as mean_score
                            from _sc group by report_year order by report_year""")
    files_total = con.execute("select count(*) from documents where parse_status <> 'parsed'").fetchall()[0][0]
    files = records(con, f"""select source_path, format, parse_status, parse_error from documents
                             where parse_status <> 'parsed' order by parse_status, source_path limit {FILES_LISTED}""")
    offices, found, versions = con.execute("""select count(distinct office), count(report_id),
                                                     (select count(*) from reports join _scope using (office))
                                              from _sc""").fetchall()[0]
    rows = _failure_rows(sel.fbc, "offices_failing")
    rates, score = _trend_charts([Row(t, mean_score=_float(t["mean_score"])) for t in trend], scope)
    pages.put("index.html", render(
        "index.html.j2", **sel.ctx, scope_title=scope, trend_rates=rates, trend_score=score, failures=rows,
        failures_chart=_failures_chart(rows, sel.year), regions=sel.regions, files=files, files_total=files_total,
        n_offices=offices, n_reports=found, n_versions=versions - found, n_findings=len(sel.latest),
        n_confirmed=sum(f["decision"] == "confirmed" for f in sel.latest),
        n_dismissed=sum(f["decision"] == "dismissed" for f in sel.latest)))


def _office_list(pages: Pages, sel: _Selection, by_office: dict[str, list[Row]]) -> None:
    summary = []
    for rows in by_office.values():
        last = max([o for o in rows if o["report_id"]] or rows, key=lambda o: o["report_year"])
        summary.append(Row(last, mean_score=sum(o["score"] for o in rows) / len(rows),
                           missing=sum(1 for o in rows if not o["report_id"])))
    summary.sort(key=lambda o: (o["region"] or "", o["office"]))
    pages.put("offices.html", render("offices.html.j2", **sel.ctx, offices=summary))


def _region_pages(pages: Pages, sel: _Selection, only: set | None) -> None:
    findings: dict[str, list[Row]] = defaultdict(list)
    for f in sel.latest:
        if f["report_year"] == sel.year:
            findings[f["region"]].append(f)
    offices: dict[str, list[Row]] = defaultdict(list)
    for o in sel.sc:
        offices[o["region"]].append(o)
    for reg, rows in offices.items():
        if only is not None and reg not in only:
            continue
        own = sorted((r for r in sel.regions if r["region"] == reg), key=lambda r: r["report_year"])
        fbc = [r for r in sel.fbc if r["region"] == reg]
        found = sorted(findings.get(reg, []), key=lambda f: (f["office"], f["fno"]))
        d = digest(own, fbc, rows, found)
        if pages.reuse(region_page(reg), d):
            continue
        failures = _failure_rows(fbc, "offices_failing")
        rates, score = _trend_charts([Row(r, mean_score=_float(r["mean_score"])) for r in own], reg or "")
        pages.put(region_page(reg), render(
            "region.html.j2", **sel.ctx, region=reg, regions=own, trend_rates=rates, trend_score=score,
            failures=failures, failures_chart=_failures_chart(failures, sel.year), offices=rows, findings=found), d)


def _office_pages(pages: Pages, sel: _Selection, by_office: dict[str, list[Row]], only: set | None) -> None:
    findings: dict[str, list[Row]] = defaultdict(list)
    for f in sel.latest:
        findings[f["office"]].append(f)
    decisions: dict[str, list[Row]] = defaultdict(list)
    for d in sel.decisions:
        decisions[d["office"]].append(d)
    for name, rows in by_office.items():
        if only is not None and rows[0]["region"] not in only:
            continue
        d = digest(rows, findings.get(name), decisions.get(name))
        if pages.reuse(office_page(name), d):
            continue
        hist = sorted(rows, key=lambda o: o["report_year"])
        ys = [o["report_year"] for o in hist]
        chart = line_chart(f"{name}：历年得分", ys, [("得分", [float(o["score"]) for o in hist])], y_max=100)
        matrix = _failure_rows([Row(f, n=1) for f in findings.get(name, []) if not f["dismissed"]], "n",
                               link=lambda y, name=name: report_page(name, y))
        last = hist[-1]
        pages.put(office_page(name), render(
            "office.html.j2", **sel.ctx, office=name, region=last["region"], office_kind=last["office_kind"],
            chart=chart, history=hist, year_list=ys, failures=matrix, decisions=decisions.get(name, [])), d)


def _write(con: duckdb.DuckDBPyConnection, pages: Pages, year: int | None, region: str | None, office: str | None,
           inbox: Path | None, focus: str | None) -> None:
    if not pages.live:
        copy_static(pages.folder)
    sel = _read(con, year, region, office)
    pages.start(site_key(con, sel.ctx, inbox, (region, office)))
    by_office: dict[str, list[Row]] = defaultdict(list)
    for o in sel.sc:
        by_office[o["office"]].append(o)
    near = None if focus is None else {o["region"] for o in by_office.get(focus, [])}  # a focus: its region only
    years = [o for o in sel.sc if o["report_id"] and focus in (None, o["office"])]
    todo = carry_over(con, pages, years, sel.latest, sel.decisions, inbox)
    with shared_with_a_second_process(con, pages, todo, sel.latest, sel.decisions, sel.ctx, inbox,
                                      (region, office)) as ours:
        _index(con, pages, sel, office or region or "全省")
        _office_list(pages, sel, by_office)
        _region_pages(pages, sel, near)
        _office_pages(pages, sel, by_office, near)
        draw_report_pages(con, pages, ours, sel.latest, sel.decisions, sel.ctx, inbox)
    pages.save()

"""The scorecard site, written from the warehouse: every year, one page per office and per office-year.

    index.html                 the province (or the selection): trends, failures by check, regions
    offices.html, offices-2.html, …  every office, its latest score (sortable, filterable), OFFICES_PER_PAGE a page
    regions.html, regions-2.html, …  every region's scorecards, when there are too many for the index
    region-<hash>.html         a region: trends, failures by check, ranking of every year, findings
    office-<hash>.html         an office: every year's score and findings side by side, decisions
    office-<hash>-<year>.html  an office-year: versions, findings, rectification, tables as printed

Aggregates come from SQL. The region pages are drawn a chunk of whole regions at a time, the office
and office-year pages a chunk of whole offices at a time (about CHUNK office-years each), so the
records a process holds do not grow with the province. Before the first office chunk, the cells of
every chunk are copied a file per chunk (`chunkcells`), so that a chunk reads its own, not the lake.
A big site is shared with a second process: it writes that copy while this one draws the index and
the regions, then the two take the office chunks in turn. The site is built in a temporary folder
and moved into place whole.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

import duckdb

from gkqc.lifeline import die_with_parent, workers_quiet
from gkqc.outputs.charts import bar_chart, line_chart
from gkqc.outputs.chunkcells import VIEWS as CELL_VIEWS
from gkqc.outputs.chunkcells import cells_folder, copy_cells, use_chunk
from gkqc.outputs.data import grouped, records, region_is, streamed, unattributed, warehouse_of
from gkqc.outputs.html import (
    copy_static,
    office_list_page,
    office_page,
    region_list_page,
    region_page,
    render,
    render_pieces,
    report_page,
)
from gkqc.outputs.labels import subject_label
from gkqc.outputs.pages import Pages, digest
from gkqc.outputs.reportpages import TEMP_TABLES as PAGE_TABLES
from gkqc.outputs.reportpages import draw_report_pages, site_key
from gkqc.outputs.tables import printed_template
from gkqc.runlock import alive

FILES_LISTED = 2000  # unread files listed on the index page
CHUNK = 10_000  # office-years whose records a process holds at once (whole offices, whole regions)
PARALLEL_FROM = 4_000  # from this many office-years with a report, two processes write the site
OFFICES_PER_PAGE = 2_000  # offices a page of the office list shows (a province's whole list is too big for a browser)
REGIONS_ON_INDEX = 500  # regions the index lists at most; beyond, their pages of REGIONS_PER_PAGE
REGIONS_PER_PAGE = 300  # regions (each a row a year) a page of the region list shows
TEMP_TABLES = ("_selection", "_scope", "_office_chunks", "_region_chunks", "_chunk", "_office_list", "_region_list", *PAGE_TABLES)  # dropped at the end


def _failure_rows(rows: list[dict], value: str, link=None) -> list[dict]:
    """Check × year matrix rows from (check_id, check_title, severity, report_year, value) rows."""
    by: dict[str, dict] = {}
    for r in rows:
        e = by.setdefault(r["check_id"], dict(check_id=r["check_id"], title=r["check_title"] or "",
                                              severity=r["severity"], counts={}, links={}, heat={}))
        e["counts"][r["report_year"]] = e["counts"].get(r["report_year"], 0) + r[value]
        if link and (to := link(r["report_year"])):  # (a report whose year is unknown has no page of its year)
            e["links"][r["report_year"]] = to
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
            pid = left.name.rpartition("-")[2]  # what an interrupted publication left, not another's in progress
            if not pid.isdigit() or int(pid) == os.getpid() or not alive(int(pid)):
                shutil.rmtree(left, ignore_errors=True)
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
        for v in ("_sc", *CELL_VIEWS):
            con.execute(f"drop view if exists {v}")
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


@dataclass(frozen=True)
class _Scope:
    """What is drawn: the selection (region, office) and the chunk size. A second process makes the
    same temp tables from it, so both number the chunks alike."""

    region: str | None
    office: str | None
    chunk: int


def _chunks(con: duckdb.DuckDBPyConnection, table: str, by: str, size: int) -> None:
    """Temp table `table` (`by`, chunk): the values of column `by` of _sc in order, numbered in chunks
    of about `size` scorecard rows (a value's rows all in one chunk)."""
    con.execute(f"""create or replace temp table {table} as
                    select {by}, ((sum(n) over (order by {by} nulls last) - n) // {int(size)})::int as chunk
                    from (select {by}, count(*) as n from _sc group by {by})""")


def _select(con: duckdb.DuckDBPyConnection, scope: _Scope) -> int:
    """Temp view _sc: the scorecard rows of every year of the selection (a view, so each chunk reads
    its own rows of `scorecard_office` and no process holds those of the province); temp tables: the
    offices of the selection (_scope), their offices and regions in chunks (_office_chunks,
    _region_chunks). Returns the number of office chunks."""
    con.execute("create or replace temp table _selection as select ?::varchar as region, ?::varchar as office",
                [scope.region or None, scope.office or None])
    on_region = region_is("s.region", "p.region")  # (未分地区: the offices without a region)
    con.execute(f"""create or replace temp view _sc as
                    select s.* from scorecard_office s, _selection p
                    where s.office is not null and (p.region is null or {on_region})
                      and (p.office is null or s.office = p.office)""")
    con.execute("create or replace temp table _scope as select distinct office from _sc")
    _chunks(con, "_office_chunks", "office", scope.chunk)
    _chunks(con, "_region_chunks", "region", scope.chunk)
    return con.execute("select coalesce(max(chunk) + 1, 0) from _office_chunks").fetchall()[0][0]


def _latest(con: duckdb.DuckDBPyConnection, where: str = "true", params: list | None = None) -> list[dict]:
    """The findings of the newest versions of the offices in temp table _chunk (`where` on them,
    alias f), numbered (fno) as their pages number them and named in the words of each report's
    own template."""
    rows = records(con, f"""select f.*, row_number() over (
                                partition by f.report_id
                                order by case f.severity when 'error' then 0 when 'warning' then 1 else 2 end,
                                         f.check_id, f.subject) as fno,
                                r.printed_form
                            from findings f join _chunk using (office) left join report_versions r using (office, report_id)
                            where f.is_latest and {where}
                            order by f.office, f.report_year, f.report_id, fno""", params)
    for f in rows:
        printed = printed_template(f.pop("printed_form"))
        f["subject_label"] = subject_label(f["check_id"], f["subject"], printed)
    return rows


def _ctx(con: duckdb.DuckDBPyConnection, year: int | None) -> dict:
    """What every page shows: when the warehouse was built, the years, the year pages open with, the scoring rule."""
    built_at = con.execute("select strftime(built_at, '%Y-%m-%d %H:%M') from _gkqc_build").fetchall()[0][0]
    years = [r[0] for r in con.execute("select distinct report_year from _sc order by 1").fetchall()]
    scoring = records(con, "select * from scoring")[0]
    return dict(built_at=built_at, years=years, year=year if year in years else (years[-1] if years else None),
                scoring=dict(scoring))


# the rows of the regions a query names (a NULL region, offices no registry or name places, among them)
_REGIONS = """select * from scorecard_region r where exists (select 1 from ({}) x where x.region is not distinct from r.region)
              order by report_year desc, mean_score desc, region"""


def _index(con: duckdb.DuckDBPyConnection, pages: Pages, ctx: dict, scope: str) -> None:
    # the rates as scorecard_region computes them (a report without a publication date is not on time), not
    # rounded either: the province's chart and a region's table print one number alike
    trend = records(con, """select report_year,
                                   avg(case when report_id is not null then (on_time is true)::int end)
                                       as on_time_rate,
                                   avg(case when report_id is not null then (errors = 0)::int end)
                                       as error_free_rate,
                                   avg(score) as mean_score
                            from _sc group by report_year order by report_year""")
    files_total = con.execute("select count(*) from documents where parse_status <> 'parsed'").fetchall()[0][0]
    files = records(con, f"""select source_path, format, parse_status, parse_error from documents
                             where parse_status <> 'parsed' order by parse_status, source_path limit {FILES_LISTED}""")
    province = con.execute("select region is null and office is null from _selection").fetchall()[0][0]
    nameless, nameless_total = unattributed(con, FILES_LISTED) if province else ([], 0)  # (they are in no region)
    offices, found, corrected = con.execute("""select count(distinct office), count(report_id),
                                                      (select count(*) from report_versions v join _scope using (office)
                                                       where not v.is_latest and v.report_year in (select report_year from _sc))
                                               from _sc""").fetchall()[0]
    findings, confirmed, dismissed = con.execute("""select count(*), count(*) filter (where decision = 'confirmed'),
                                                           count(*) filter (where decision = 'dismissed')
                                                    from findings join _scope using (office) where is_latest""").fetchall()[0]
    # as failures_by_check counts them (newest versions, dismissed left out), over the offices in scope
    fbc = records(con, """select check_id, any_value(check_title) as check_title, any_value(severity) as severity,
                                 report_year, count(distinct office) as offices_failing
                          from findings join _scope using (office) where is_latest and not dismissed
                          group by check_id, report_year order by all""")
    rows = _failure_rows(fbc, "offices_failing")
    rates, score = _trend_charts([dict(t, mean_score=_float(t["mean_score"])) for t in trend], scope)
    n_regions = con.execute("select count(*) from (select distinct region from _sc)").fetchall()[0][0]
    region_nav = _region_list(con, pages, ctx, n_regions) if n_regions > REGIONS_ON_INDEX else []
    regions = [] if region_nav else streamed(con, _REGIONS.format("select distinct region from _sc"))
    pages.put("index.html", render_pieces(
        "index.html.j2", **ctx, scope_title=scope, trend_rates=rates, trend_score=score, failures=rows,
        failures_chart=_failures_chart(rows, ctx["year"]), regions=regions, region_nav=region_nav,
        n_regions=n_regions, files=files, files_total=files_total, nameless=nameless, nameless_total=nameless_total,
        n_offices=offices, n_reports=found,
        n_versions=corrected, n_findings=findings, n_confirmed=confirmed, n_dismissed=dismissed))


def _list_pages(con: duckdb.DuckDBPyConnection, table: str, name_of: Callable[[int], str]) -> list[dict]:
    """The pages of a list cut into pages: temp table `table` has its items' place (`rn`), page and
    region. Each page's number, name, items (n) and the regions of its first and last items."""
    nav = records(con, f"""select p.page, p.n, f.region as first_region, l.region as last_region
                          from (select page, count(*) as n, min(rn) as a, max(rn) as b from {table} group by page) p
                          join {table} f on f.rn = p.a join {table} l on l.rn = p.b order by p.page""")
    for item in nav:
        item["name"] = name_of(item["page"])
    return nav


def _region_list(con: duckdb.DuckDBPyConnection, pages: Pages, ctx: dict, n_regions: int) -> list[dict]:
    """Every region's scorecards, year by year, in order of region name, REGIONS_PER_PAGE regions a page
    (a page is carried over by its digest); returns the pages, for the index to link to."""
    con.execute(f"""create or replace temp table _region_list as
                    select region, rn, (rn - 1) // {int(REGIONS_PER_PAGE)} as page
                    from (select region, row_number() over (order by coalesce(region, ''), region nulls first) as rn
                          from (select distinct region from _sc))""")
    nav = _list_pages(con, "_region_list", region_list_page)
    pages.recall(item["name"] for item in nav)
    for item in nav:
        regions = records(con, _REGIONS.format(f"select region from _region_list where page = {int(item['page'])}"))
        d = digest(n_regions, nav, regions)
        if not pages.reuse(item["name"], d):
            pages.put(item["name"], render_pieces("regions.html.j2", **ctx, regions=regions, n_regions=n_regions,
                                                  nav=nav, page=item["page"]), d)
    return nav


def _office_list(con: duckdb.DuckDBPyConnection, pages: Pages, ctx: dict) -> None:
    """Every office with its latest year that has a report (else its latest year), its mean score and
    the years it published nothing; in order of region and name, OFFICES_PER_PAGE a page, each page
    linking to every other by the regions it covers."""
    con.execute(f"""create or replace temp table _office_list as
                    select *, (rn - 1) // {int(OFFICES_PER_PAGE)} as page
                    from (select office, region, office_kind, report_year, score, grade, mean_score, missing,
                                 row_number() over (order by coalesce(region, ''), office) as rn
                          from (select *, avg(score) over o as mean_score,
                                       count(*) filter (where report_id is null) over o as missing,
                                       row_number() over (partition by office
                                                          order by report_id is not null desc, report_year desc) as pick
                                from _sc window o as (partition by office))
                          where pick = 1)""")
    nav = _list_pages(con, "_office_list", office_list_page)
    total = sum(item["n"] for item in nav)
    pages.recall(item["name"] for item in nav)
    for item in nav or [dict(page=0, name=office_list_page(0))]:  # (no office: one page that says so)
        offices = records(con, f"""select * exclude (rn, page) from _office_list where page = {int(item["page"])}
                                   order by rn""")
        d = digest(total, nav, offices)
        if pages.reuse(item["name"], d):
            continue
        pages.put(item["name"], render_pieces("offices.html.j2", **ctx, offices=offices, n_offices=total,
                                              nav=nav if len(nav) > 1 else [], page=item["page"]), d)


def _region_pages(con: duckdb.DuckDBPyConnection, pages: Pages, ctx: dict, chunk: int, only: set | None) -> None:
    """The pages of the regions in region chunk `chunk` (only those in `only`, if given)."""
    con.execute("""create or replace temp table _chunk as select distinct s.office from _sc s
                   join _region_chunks c on s.region is not distinct from c.region where c.chunk = ?""", [chunk])
    in_chunk = f"select region from _region_chunks where chunk = {int(chunk)}"
    regions = grouped(records(con, _REGIONS.format(in_chunk)), "region")
    fbc = grouped(records(con, f"""select * from failures_by_check f
                                  where exists (select 1 from ({in_chunk}) x where x.region is not distinct from f.region)
                                  order by all"""), "region")
    findings = grouped(_latest(con, "f.report_year = ?", [ctx["year"]]), "region")
    offices = grouped(records(con, f"""select s.* from _sc s join _region_chunks c on s.region is not distinct from c.region
                                      where c.chunk = {int(chunk)}
                                      order by s.region, s.report_year desc, s.rank_in_region, s.office"""), "region")
    pages.recall(region_page(reg) for reg in offices)
    for reg, rows in offices.items():
        if only is not None and reg not in only:
            continue
        own = sorted(regions.get(reg, []), key=lambda r: r["report_year"])
        fbc_own = fbc.get(reg, [])
        found = sorted(findings.get(reg, []), key=lambda f: (f["office"], f["fno"]))
        d = digest(own, fbc_own, rows, found)
        if pages.reuse(region_page(reg), d):
            continue
        failures = _failure_rows(fbc_own, "offices_failing")
        rates, score = _trend_charts([dict(r, mean_score=_float(r["mean_score"])) for r in own], reg or "")
        pages.put(region_page(reg), render(
            "region.html.j2", **ctx, region=reg, regions=own, trend_rates=rates, trend_score=score,
            failures=failures, failures_chart=_failures_chart(failures, ctx["year"]), offices=rows, findings=found), d)


def _office_pages(pages: Pages, ctx: dict, by_office: dict[str, list[dict]], findings: dict[str, list[dict]],
                  decisions: dict[str, list[dict]], only: set | None) -> None:
    for name, rows in by_office.items():
        if only is not None and rows[0]["region"] not in only:
            continue
        d = digest(rows, findings.get(name), decisions.get(name))
        if pages.reuse(office_page(name), d):
            continue
        hist = sorted(rows, key=lambda o: o["report_year"])
        ys = [o["report_year"] for o in hist]
        chart = line_chart(f"{name}：历年得分", ys, [("得分", [float(o["score"]) for o in hist])], y_max=100)
        matrix = _failure_rows([dict(f, n=1) for f in findings.get(name, []) if not f["dismissed"]], "n",
                               link=lambda y, name=name: None if y is None else report_page(name, y))
        last = hist[-1]
        pages.put(office_page(name), render(
            "office.html.j2", **ctx, office=name, region=last["region"], office_kind=last["office_kind"],
            chart=chart, history=hist, year_list=ys, failures=matrix, decisions=decisions.get(name, [])), d)


def _offices(con: duckdb.DuckDBPyConnection, pages: Pages, ctx: dict, chunk: int, inbox: Path | None,
             focus: str | None, only: set | None, cells: Path | None) -> None:
    """The office pages and office-year pages of the offices in office chunk `chunk` (a focus: those
    of its region, and its own years); `cells`: the copy of the chunks' cells, if any."""
    con.execute("create or replace temp table _chunk as select office from _office_chunks where chunk = ?", [chunk])
    use_chunk(con, cells, chunk)
    sc = records(con, """select s.* from _sc s join _chunk using (office)
                         order by s.region, s.report_year desc, s.rank_in_region, s.office""")
    pages.recall([*{office_page(o["office"]) for o in sc},
                  *(report_page(o["office"], o["report_year"]) for o in sc if o["report_id"])])
    latest = _latest(con)
    decisions = records(con, """select d.* from decisions d join _chunk using (office)
                                order by d.report_year desc, d.check_id, d.subject, d.line_no desc""")
    _office_pages(pages, ctx, grouped(sc, "office"), grouped(latest, "office"), grouped(decisions, "office"), only)
    years = [o for o in sc if o["report_id"] and focus in (None, o["office"])]
    draw_report_pages(con, pages, years, latest, decisions, ctx, inbox)


def _take(taken, n: int) -> Iterator[int]:
    """The office chunks 0 … n-1 this process draws: all of them, or (`taken` a shared counter) the
    next one not yet taken by the other process, in turn."""
    if taken is None:
        yield from range(n)
        return
    while True:
        with taken.get_lock():
            chunk = taken.value
            taken.value += 1
        if chunk >= n:
            return
        yield chunk


_TAKEN = None  # in the second process: the counter it shares with the first
_COPIED = None  # in the second process: the event it sets once the cells are copied


def _start_second(taken, copied) -> None:
    global _TAKEN, _COPIED
    die_with_parent()
    _TAKEN, _COPIED = taken, copied


@contextmanager
def _shared(con: duckdb.DuckDBPyConnection, pages: Pages, scope: _Scope, n: int, ctx: dict,
            inbox: Path | None, cells: Path | None, chunks: list[int]) -> Iterator[tuple[object, Callable[[], None]]]:
    """A big site (PARALLEL_FROM office-years with a report) is shared with a second process on a
    connection of its own. Yields the counter both take office chunks from (None: this process
    draws them all) and a function that returns once the cells of office chunks `chunks` are copied
    to `cells`: by the second process while this one draws the index and the regions, else by this
    one before. The end of the body waits for the other."""
    db = warehouse_of(con)
    reports = con.execute("select count(report_id) from _sc").fetchall()[0][0]
    if reports < PARALLEL_FROM or n < 2 or pages.live or db is None:
        if cells is not None:
            copy_cells(con, cells, chunks)
        yield None, lambda: None
        return
    spawn = get_context("spawn")
    taken, copied = spawn.Value("i", 0), spawn.Event()
    with workers_quiet():
        pool = spawn.Pool(1, initializer=_start_second, initargs=(taken, copied))
    with pool:  # ends it at once on any error, Ctrl-C included
        other = pool.apply_async(_second, (db, pages, scope, n, ctx, inbox, cells, chunks))

        def copy_done() -> None:
            while not copied.wait(0.5):
                if other.ready():
                    other.get()  # raises what stopped it
                    return

        yield taken, copy_done
        other.get()


def _second(db: Path, pages: Pages, scope: _Scope, n: int, ctx: dict, inbox: Path | None,
            cells: Path | None, chunks: list[int]) -> None:
    """The second process: copies the cells of office chunks `chunks`, then draws office chunks in
    turn with the first, on a connection of its own (the digests of the pages it writes go to parts
    of its own)."""
    from warehouse.access import connect_readonly

    con = connect_readonly(db)
    try:
        _select(con, scope)
        if cells is not None:
            copy_cells(con, cells, chunks)
        _COPIED.set()
        for chunk in _take(_TAKEN, n):
            _offices(con, pages, ctx, chunk, inbox, None, None, cells)
        pages.flush()
    finally:
        con.close()


def _write(con: duckdb.DuckDBPyConnection, pages: Pages, year: int | None, region: str | None, office: str | None,
           inbox: Path | None, focus: str | None) -> None:
    if not pages.live:
        copy_static(pages.folder)
    scope = _Scope(region, office, CHUNK)
    n = _select(con, scope)
    ctx = _ctx(con, year)
    pages.start(site_key(con, ctx, inbox, (region, office)))
    if focus is None:
        near, office_chunks = None, range(n)
        region_chunks = [r[0] for r in con.execute("select distinct chunk from _region_chunks order by 1").fetchall()]
    else:  # a focus: its region's pages, and its own
        near = {r[0] for r in con.execute("select distinct region from _sc where office = ?", [focus]).fetchall()}
        office_chunks = sorted({c for c, r in con.execute("""select c.chunk, s.region from _office_chunks c
                                                             join _sc s using (office)""").fetchall() if r in near})
        region_chunks = sorted({c for c, r in con.execute("select chunk, region from _region_chunks").fetchall() if r in near})
    with (cells_folder(con) as cells,
          _shared(con, pages, scope, n, ctx, inbox, cells, list(office_chunks)) as (taken, copy_done)):
        _index(con, pages, ctx, office or region or "全省")
        _office_list(con, pages, ctx)
        for chunk in region_chunks:
            _region_pages(con, pages, ctx, chunk, near)
        copy_done()
        for chunk in (office_chunks if taken is None else _take(taken, n)):
            _offices(con, pages, ctx, chunk, inbox, focus, near, cells)
    pages.save()

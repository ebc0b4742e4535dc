"""Scorecard data from the warehouse (one query layer) and the labels and number format every rendering shares."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import partial
from pathlib import Path

import duckdb

GRADES = {"A": "优", "B": "良", "C": "中", "D": "差", "F": "未发布"}
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}
DECISION_ZH = {"confirmed": "已确认", "dismissed": "已排除", None: "待审核"}  # a reviewer's decision on a finding
NO_REGION = "未分地区"  # the region of an office neither offices.csv nor its printed name places


def place(region: str | None) -> str:
    """A region as every output names it."""
    return region or NO_REGION


def region_is(column: str, value: str = "?") -> str:
    """SQL: `column` holds the region `value` (a parameter) names as every output does (未分地区: no region)."""
    return f"coalesce({column}, '{NO_REGION}') = {value}"


def on_time_label(o: dict) -> str:
    """An office-year's on-time cell: 未发布 when it has no report (the mart's on_time is then false)."""
    return {True: "是", False: "否"}.get(o["on_time"], "—") if o["report_id"] else "未发布"


def percent(v: float | None) -> str:
    """A rate as every output prints it: a whole percent when it is one, else one decimal (half up); never
    100% below 1 nor 0% above 0 (569 of 571 on time is 99.6%; 1 of 5,000 is <0.1%, 19,999 of 20,000 >99.9%)."""
    if v is None:
        return ""
    p = Decimal(str(v)) * 100
    if p == p.to_integral_value():
        return f"{int(p)}%"
    shown = p.quantize(Decimal("0.1"), ROUND_HALF_UP)
    if shown >= 100:
        return ">99.9%"
    if shown <= 0:
        return "<0.1%"
    return f"{shown}%"


def records(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    """The rows of a query as records."""
    rel = con.execute(sql, params or [])
    cols = [d[0] for d in rel.description]
    return [dict(zip(cols, r, strict=True)) for r in rel.fetchall()]


def streamed(con: duckdb.DuckDBPyConnection, sql: str, batch: int = 10_000) -> Iterator[dict]:
    """The rows of a query as records, fetched a batch at a time (the connection runs nothing else
    until they are read)."""
    rel = con.execute(sql)
    cols = [d[0] for d in rel.description]
    while rows := rel.fetchmany(batch):
        yield from (dict(zip(cols, r, strict=True)) for r in rows)


MAX_LISTED = 100_000  # findings and files a scorecard lists at most (the workbook says when there are more)


def grouped(rows: Iterable[dict], *key: str) -> dict:
    """Rows by the value of column `key` (by a tuple of values, given several), in their order."""
    out: dict = defaultdict(list)
    for r in rows:
        out[r[key[0]] if len(key) == 1 else tuple(r[k] for k in key)].append(r)
    return out


@dataclass
class ScorecardData:
    regions: list[dict]
    offices: list[dict]
    findings: list[dict]
    files: list[dict]  # files that could not be fully read (at most `MAX_LISTED`)
    findings_total: int  # of the selection: more than `findings` holds when the list was cut
    files_total: int | None = None  # None: `files` holds them all
    unattributed: list[dict] = field(default_factory=list)  # parsed reports no office or year was found for (`unattributed`)
    unattributed_total: int | None = None  # None: `unattributed` holds them all
    # where the data came from and the selection: the site reads its office pages from there
    source: Path | None = None  # the warehouse folder (None: data made by hand, no office pages)
    selection: dict = field(default_factory=dict)  # year, region, office as asked
    connection: duckdb.DuckDBPyConnection | None = field(default=None, repr=False, compare=False)  # while still open


def open_connection(data: ScorecardData) -> duckdb.DuckDBPyConnection | None:
    """The connection `data` was loaded with, if its caller has not closed it yet."""
    if data.connection is None:
        return None
    try:
        data.connection.execute("select 1")
    except duckdb.Error:
        return None
    return data.connection


def _where(year: int | None, region: str | None, office: str | None, alias: str = "") -> tuple[str, list]:
    a = f"{alias}." if alias else ""
    cond, params = ["true"], []
    if year is not None:
        cond.append(f"{a}report_year = ?")
        params.append(year)
    if region:
        cond.append(region_is(f"{a}region"))
        params.append(region)
    if office:
        cond.append(f"{a}office = ?")
        params.append(office)
    return " and ".join(cond), params


def load(con: duckdb.DuckDBPyConnection, year: int | None = None, region: str | None = None,
         office: str | None = None) -> ScorecardData:
    """The scorecards of a selection (`office`: a name, an alias or another form of the registry's name)."""
    rows = partial(records, con)
    if office is not None:
        from gkqc.offices import registry_name

        office = registry_name(con.sql("select * from offices").pl(), office)
    w, p = _where(year, region, None)
    if office is not None:  # an office's selection: its region's rows, as the site shows them
        w, p = f"""{w} and exists (select 1 from scorecard_office o where o.office = ?
                                  and o.region is not distinct from r.region)""", [*p, office]
    regions = rows(f"select * from scorecard_region r where {w} order by report_year desc, mean_score desc, region", p)
    w, p = _where(year, region, office)
    offices = rows(f"select * from scorecard_office where {w} order by report_year desc, region, rank_in_region, office", p)
    w, p = _where(year, region, office, "s")
    # the failing results of the selection, with their decisions (count and list come from one table)
    con.execute(f"""create or replace temp table _findings as
                    select s.region, s.office, s.report_year, c.check_id, c.check_title, c.severity,
                           c.subject, c.expected, c.actual, c.difference, c.message, c.cells, c.report_id,
                           c.decision, c.decision_reason, c.decided_by, c.decided_at, r.printed_form
                    from scorecard_office s join findings c using (report_id)
                    left join reports r on r.report_id = c.report_id
                    where {w}""", p)
    total = con.execute("select count(*) from _findings").fetchall()[0][0]
    findings = rows(f"""select * from _findings
                       order by region, office, report_year desc,
                                case severity when 'error' then 0 when 'warning' then 1 else 2 end, check_id, subject
                       limit {MAX_LISTED}""", [])
    con.execute("drop table _findings")
    files = rows(f"""select source_path, format, encoding, parse_status, parse_error from documents
                     where parse_status <> 'parsed' order by parse_status, source_path limit {MAX_LISTED}""", [])
    files_total = con.execute("select count(*) from documents where parse_status <> 'parsed'").fetchall()[0][0]
    # (a report no office was found for is in no region: listed, of every year, where the selection is the province's)
    nameless, nameless_total = ([], 0) if region or office else unattributed(con)
    return ScorecardData(regions, offices, findings, files, total, files_total, nameless, nameless_total,
                         source=warehouse_of(con), selection=dict(year=year, region=region, office=office), connection=con)


# the newest versions of parsed reports no office was found for (none printed, or a name that could be several
# offices), and every report no year was found for (an office's undated reports are no versions of one
# another): in no scorecard; each with its first path, the name it prints and its failing results
UNATTRIBUTED_WHERE = "(office is null and is_latest) or report_year is null"
_UNATTRIBUTED = f"""from (select report_id, report_year, office_printed from reports where {UNATTRIBUTED_WHERE}) r
                   left join (select report_id, min(source_path) as source_path from documents group by report_id) d
                          using (report_id)"""


def unattributed(con: duckdb.DuckDBPyConnection, limit: int = MAX_LISTED) -> tuple[list[dict], int]:
    """The parsed reports no office or no report year was found for (at most `limit`, by path) and how
    many there are: `offices.csv`'s `paths` (or an alias) gives them their office."""
    total = con.execute(f"select count(*) {_UNATTRIBUTED}").fetchall()[0][0]
    if not total:
        return [], 0
    rows = records(con, f"""select d.source_path, r.report_year, r.office_printed,
                                   (select count(*) from findings f where f.report_id = r.report_id) as failing
                            {_UNATTRIBUTED} order by d.source_path, r.report_year limit {int(limit)}""")
    return rows, total


def warehouse_of(con: duckdb.DuckDBPyConnection) -> Path | None:
    """The warehouse folder a connection reads (None for an in-memory database)."""
    path = con.execute("select path from duckdb_databases() where database_name = current_database()").fetchall()[0][0]
    return Path(path).parent if path else None


def fmt(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else f"{v:.4g}" if abs(v) < 1 else f"{v:.2f}".rstrip("0").rstrip(".")
    return str(v)

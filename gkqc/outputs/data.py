"""Scorecard data from the warehouse (one query layer) and the labels and number format every rendering shares."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

GRADES = {"A": "优", "B": "良", "C": "中", "D": "差", "F": "未发布"}
KINDS = {"government": "政府本级", "department": "部门", "township": "乡镇", "other": "其他"}
SEVERITY_ZH = {"error": "错误", "warning": "警告", "info": "提示"}


@dataclass
class ScorecardData:
    regions: list[dict]
    offices: list[dict]
    findings: list[dict]
    files: list[dict]  # files that could not be fully read
    findings_total: int


def _where(year: int | None, region: str | None, office: str | None, alias: str = "") -> tuple[str, list]:
    a = f"{alias}." if alias else ""
    cond, params = ["true"], []
    if year is not None:
        cond.append(f"{a}report_year = ?")
        params.append(year)
    if region:
        cond.append(f"{a}region = ?")
        params.append(region)
    if office:
        cond.append(f"{a}office = ?")
        params.append(office)
    return " and ".join(cond), params


def load(con: duckdb.DuckDBPyConnection, year: int | None = None, region: str | None = None,
         office: str | None = None, max_findings: int = 100_000) -> ScorecardData:
    def rows(sql: str, params: list) -> list[dict]:
        rel = con.execute(sql, params)
        cols = [d[0] for d in rel.description]
        return [dict(zip(cols, r, strict=True)) for r in rel.fetchall()]

    w, p = _where(year, region, None)
    regions = rows(f"select * from scorecard_region where {w} order by report_year desc, mean_score desc, region", p)
    w, p = _where(year, region, office)
    offices = rows(f"select * from scorecard_office where {w} order by report_year desc, region, rank_in_region, office", p)
    w, p = _where(year, region, office, "s")
    # the failing results of the selection, read from the lake once (count and list come from it)
    con.execute(f"""create or replace temp table _findings as
                    select s.region, s.office, s.report_year, c.check_id, k.title as check_title, c.severity,
                           c.subject, c.expected, c.actual, c.difference, c.message, c.cells, c.report_id
                    from scorecard_office s join check_results c using (report_id)
                    left join check_catalog k on k.id = c.check_id
                    where c.status = 'fail' and {w}""", p)
    total = con.execute("select count(*) from _findings").fetchall()[0][0]
    findings = rows(f"""select * from _findings
                       order by region, office, report_year desc,
                                case severity when 'error' then 0 when 'warning' then 1 else 2 end, check_id, subject
                       limit {int(max_findings)}""", [])
    con.execute("drop table _findings")
    files = rows("""select source_path, format, encoding, parse_status, parse_error from documents
                    where parse_status <> 'parsed' order by parse_status, source_path limit 100000""", [])
    return ScorecardData(regions, offices, findings, files, total)


def fmt(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() else f"{v:.4g}" if abs(v) < 1 else f"{v:.2f}".rstrip("0").rstrip(".")
    return str(v)

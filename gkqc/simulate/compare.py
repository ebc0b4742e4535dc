"""Comparing a pipeline run with a simulated collection's truth.jsonl."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from gkqc.lake import Lake, sql_list
from gkqc.offices import TABLE as OFFICES
from gkqc.settings import DUCKDB_CONFIG


@dataclass
class Agreement:
    files: int = 0
    mismatches: list[str] = field(default_factory=list)


def compare(sim_dir: Path, lake: Lake) -> Agreement:
    """Every file's status, office, year, template and failing [check, subject] set must agree.
    The office is the registry's one the printed name resolves to (`report_offices`), else as printed."""
    con = duckdb.connect(config=DUCKDB_CONFIG)
    rows = con.sql(f"""
        select d.source_path, d.parse_status, coalesce(m.office, r.office), r.report_year, r.template, d.report_id
        from read_parquet({sql_list(lake.paths('documents'))}) d
        left join read_parquet({sql_list(lake.paths('reports'))}) r using (report_id)
        left join read_parquet({sql_list(lake.paths(OFFICES))}, union_by_name = true) m using (report_id)""").fetchall()
    got = {p: (st, o, y, t, rid) for p, st, o, y, t, rid in rows}
    fails: dict[str, set] = {}
    for rid, check, subject in con.sql(f"""
            select report_id, check_id, subject from read_parquet({sql_list(lake.paths('check_results'))})
            where status = 'fail'""").fetchall():
        fails.setdefault(rid, set()).add((check, subject))
    out = Agreement()
    for line in (sim_dir / "truth.jsonl").read_text(encoding="utf-8").splitlines():
        t = json.loads(line)
        out.files += 1
        f = t["file"]
        if f not in got:
            out.mismatches.append(f"{f}: 未入库 (not ingested)")
            continue
        status, office, year, template, rid = got[f]
        want = (t["parse_status"], t["office"], t["report_year"], t["template"])
        have = (status, office, year, template) if t["office"] else (status, None, None, None)
        if want != have:
            out.mismatches.append(f"{f}: 期望 {want}，实际 {have}")
        want_fails = {tuple(x) for x in t["fails"]}
        have_fails = fails.get(rid, set()) if rid else set()
        if want_fails != have_fails:
            out.mismatches.append(f"{f}: 漏报 missing {sorted(want_fails - have_fails)}；多报 extra {sorted(have_fails - want_fails)}")
    return out

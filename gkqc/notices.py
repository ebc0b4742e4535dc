"""整改通知: for one report year, one workbook per office listing what it must correct, one zip per region.

An office gets a notice when the newest version of its report for the year has findings a reviewer
confirmed or has not yet decided on (dismissed ones are left out), or when it published no report
although the office registry expects one. Each finding carries its evidence: the cells it rests
on with the text printed in them and their lines, expected and actual values and the difference.
Cells are written as text, never as formulas.
"""

from __future__ import annotations

import glob
import hashlib
import os
import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import polars as pl
import pyarrow as pa

from gkqc.outputs.data import DECISION_ZH, NO_REGION, SEVERITY_ZH, records, region_is
from gkqc.outputs.excel import sheet, text_workbook, write_row
from gkqc.outputs.labels import cell_label, spec_of, subject_label
from gkqc.outputs.tables import KEYS, TABLES, cells_of_finding, printed_template, shown_expr

_UNSAFE = re.compile(r'[<>:"/\\|?*\x00-\x1f\x7f]')


@dataclass
class NoticeSummary:
    year: int
    workbooks: list[Path] = field(default_factory=list)
    zips: list[Path] = field(default_factory=list)
    offices_clear: int = 0  # offices of the selection with nothing to correct


def safe_name(text: str | None, fallback: str) -> str:
    """A file name from an office or region name: no path separator, no character Windows refuses."""
    name = _UNSAFE.sub("_", text or "").strip().strip(".")
    return name[:60] or fallback


def _unique(name: str, original: str, taken: set[str]) -> str:
    """`name`, or `name-<hash of the original>` when another name already made it."""
    if name in taken:
        name += "-" + hashlib.sha1(original.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    taken.add(name)
    return name


def _evidence(con, findings: list[dict], printed: dict[str, str | None]) -> dict[tuple, str]:
    """(report_id, check_id, subject) -> 'label = raw text (line N); …' of the cells the finding rests on."""
    wanted = [(f["report_id"], f["check_id"], f["subject"], t, k) for f in findings
              for t, k in cells_of_finding(spec_of(f["check_id"]), printed.get(f["report_id"]), f["subject"], f["cells"])]
    if not wanted:
        return {}
    ids = sorted({w[0] for w in wanted})
    con.register("_notice_reports", pa.table({"report_id": ids}))
    try:
        cells = pl.concat([con.sql(f"""select report_id, '{t}' as "table", {KEYS[t]} as key, raw, status, line
                                       from stg_{t} where report_id in (select report_id from _notice_reports)""").pl()
                           for t in TABLES], how="vertical_relaxed")
    finally:
        con.unregister("_notice_reports")
    frame = pl.DataFrame(wanted, schema=["report_id", "check_id", "subject", "table", "key"], orient="row")
    out: dict[tuple, list[str]] = defaultdict(list)
    for rid, check, subject, table, key, shown, line in (
            frame.join(cells, on=["report_id", "table", "key"], how="left")
            .select("report_id", "check_id", "subject", "table", "key",
                    shown_expr(pl.col("raw"), pl.col("status")), "line").iter_rows()):
        where = f"（第 {line} 行）" if line is not None else ""
        out[(rid, check, subject)].append(f"{cell_label(table, key, printed.get(rid))} = {shown}{where}")
    return {k: "；".join(v) for k, v in out.items()}


def _workbook(path: Path, office: dict, findings: list[dict], evidence: dict[tuple, str], sources: list[str]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # (another writer of the folder has its own)
    wb = text_workbook(tmp)
    bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7"})
    title = wb.add_format({"bold": True, "font_size": 14})
    ws = wb.add_worksheet("整改通知")
    write_row(ws, 0, [f"{office['report_year']} 年度政府信息公开工作年度报告 整改通知"], title)
    confirmed = sum(f["decision"] == "confirmed" for f in findings)
    info = [["机关", office["office"]], ["地区", office["region"] or ""], ["报告年度", office["report_year"]],
            ["报告标题", office.get("title") or ("未找到本年度报告" if not office["report_id"] else "")],
            ["发布日期", office["published_at"].isoformat() if office.get("published_at") else ""],
            ["报告版本", office["report_id"] or ""], ["源文件", "；".join(sources)],
            ["需整改的问题", f"{len(findings)} 项（审核已确认 {confirmed} 项，待审核 {len(findings) - confirmed} 项）"
             if office["report_id"] else "未找到本年度报告，请按期发布"],
            ["生成时间", datetime.now().isoformat(timespec="seconds")],
            ["说明", "请逐项核实下列问题，更正年度报告后重新发布；重新发布的版本将再次检查，已整改的问题标为“已整改”。"]]
    for i, row in enumerate(info, 2):
        write_row(ws, i, row)
    ws.set_column(0, 0, 14)
    ws.set_column(1, 1, 90)
    rows = [[i, f["check_id"], f["check_title"] or "", SEVERITY_ZH.get(f["severity"], f["severity"]),
             f["subject_label"], f["message"], f["expected"], f["actual"], f["difference"],
             evidence.get((f["report_id"], f["check_id"], f["subject"]), f["cells"] or ""),
             DECISION_ZH.get(f["decision"], f["decision"]), f["decision_reason"] or "", f["decided_by"] or "",
             f["rectification"] or ""] for i, f in enumerate(findings, 1)]
    if not office["report_id"]:
        rows = [[1, "", "未发布年度报告", SEVERITY_ZH["error"], "整份报告",
                 f"机关名录中有该机关，但未找到其 {office['report_year']} 年度报告", None, None, None, "", "", "", "", ""]]
    sheet(wb, "问题清单", ["序号", "检查", "检查名称", "级别", "对象", "问题说明", "期望值", "实际值", "差额",
                        "涉及单元格（报告原文、行号）", "审核状态", "审核理由", "审核人", "整改状态"], rows,
          [6, 6, 30, 6, 24, 60, 10, 10, 10, 80, 10, 30, 10, 10], bold)
    wb.close()
    tmp.replace(path)


def write_notices(warehouse: Path, year: int, out: Path, region: str | None = None) -> NoticeSummary:
    """Write the notices of `year` (of one region, or all) under `out`: `<region>/<office>.xlsx`
    and `<region>-<year>.zip` holding that region's workbooks."""
    from warehouse.access import connect_readonly

    summary = NoticeSummary(year)
    con = connect_readonly(Path(warehouse))
    try:
        cond, params = "report_year = ?", [year]
        if region:
            cond, params = f"{cond} and {region_is('region')}", [year, region]  # 未分地区: offices without a region
        offices = records(con, f"""select s.*, r.title, r.printed_form
                                 from (select * from scorecard_office where {cond}) s
                                 left join reports r using (report_id) order by s.region, s.office""", params)
        findings = records(con, f"""select * from findings where is_latest and not dismissed and {cond}
                                  order by office, case severity when 'error' then 0 when 'warning' then 1 else 2 end,
                                           check_id, subject""", params)
        sources = defaultdict(list)
        for r in records(con, f"""select report_id, source_path from documents where report_id in
                                (select report_id from scorecard_office where {cond}) order by source_path""", params):
            sources[r["report_id"]].append(r["source_path"])
        printed = {o["report_id"]: printed_template(o["printed_form"]) for o in offices if o["report_id"]}
        for f in findings:
            f["subject_label"] = subject_label(f["check_id"], f["subject"], printed.get(f["report_id"]))
        evidence = _evidence(con, findings, printed)
    finally:
        con.close()
    if not offices:  # nothing matches the selection: nothing is written, nothing removed
        return summary
    by_office = defaultdict(list)
    for f in findings:
        by_office[f["office"]].append(f)
    by_region: dict[str | None, list[Path]] = defaultdict(list)
    folders: dict[str | None, str] = {}
    taken: set[str] = set()
    for o in offices:
        own = by_office.get(o["office"], [])
        if o["report_id"] and not own:
            summary.offices_clear += 1
            continue
        if o["region"] not in folders:
            folders[o["region"]] = _unique(safe_name(o["region"], NO_REGION), o["region"] or "", taken)
        folder = out / folders[o["region"]]
        folder.mkdir(parents=True, exist_ok=True)
        name = _unique(f"{folders[o['region']]}/{safe_name(o['office'], '机关')}", o["office"], taken).split("/", 1)[1]
        path = folder / f"{name}-{year}整改通知.xlsx"
        _workbook(path, o, own, evidence, sources.get(o["report_id"], []))
        summary.workbooks.append(path)
        by_region[o["region"]].append(path)
    for reg, paths in by_region.items():
        target = out / f"{folders[reg]}-{year}整改通知.zip"
        tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
            for p in paths:
                z.write(p, p.name)
        tmp.replace(target)
        summary.zips.append(target)
    _remove_earlier(out, year, summary, None if region is None else safe_name(region, NO_REGION))
    return summary


def _remove_earlier(out: Path, year: int, written: NoticeSummary, folder: str | None) -> None:
    """The notices of `year` an earlier writing left under `out` and this one did not write again
    (an office whose findings have since been dismissed or corrected): removed, so that the folder
    holds what is owed now. Only notice files of that year, of the selected region when there is one."""
    kept = {*written.workbooks, *written.zips}
    where = glob.escape(folder) if folder else "*"
    for path in [*out.glob(f"{where}/*-{year}整改通知.xlsx"), *out.glob(f"{where}-{year}整改通知.zip")]:
        if path not in kept:
            path.unlink()
            if path.suffix == ".xlsx" and not any(path.parent.iterdir()):
                path.parent.rmdir()  # (a region folder left empty: no notice is owed there now)

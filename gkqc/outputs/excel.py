"""The scorecard as an Excel workbook: regions, offices, findings, unread files and the reports no office was
found for, one sheet each."""

from __future__ import annotations

import math
import os
from decimal import Decimal
from pathlib import Path

import xlsxwriter

from gkqc.outputs.data import (
    DECISION_ZH,
    GRADES,
    SEVERITY_ZH,
    UNATTRIBUTED_WHERE,
    ScorecardData,
    on_time_label,
    place,
)
from gkqc.outputs.labels import finding_labels
from schemas.lake import OFFICE_KINDS

DECISIONS_ZH = {**DECISION_ZH, "dismissed": DECISION_ZH["dismissed"] + "（不计分）"}
EXCEL_MAX_ROWS = 1_048_575
EXCEL_MAX_CHARS = 32_767  # Excel's limit for one cell


def _fit(text: str) -> str:
    """`text` cut to one cell's limit, the cut marked visibly."""
    if len(text) <= EXCEL_MAX_CHARS:
        return text
    mark = f"……（已截断：原文共 {len(text)} 字，此处仅显示前部分）"
    return text[: EXCEL_MAX_CHARS - len(mark)] + mark


def text_workbook(path: Path) -> xlsxwriter.Workbook:
    """A workbook in which data stays data: no option may turn a cell into a number, a formula or a hyperlink."""
    return xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False,
                                           "strings_to_formulas": False, "strings_to_urls": False})


def write_row(ws, r: int, row: list, fmt=None, formats: dict | None = None) -> None:
    """Numbers as numbers, everything else as text: never `write()`, which turns "=…" into a formula.
    `formats`: a column's own format (a rate shown as a percentage), by its index."""
    for c, v in enumerate(row):
        f = formats.get(c, fmt) if formats else fmt
        if v is None:
            ws.write_blank(r, c, None, f)
        elif isinstance(v, bool):
            ws.write_boolean(r, c, v, f)
        elif isinstance(v, int | float | Decimal) and math.isfinite(v):
            ws.write_number(r, c, float(v) if isinstance(v, Decimal) else v, f)
        else:
            ws.write_string(r, c, _fit(str(v)), f)


def sheet(wb, name: str, header: list[str], rows: list[list], widths: list[int], bold,
          total: int | None = None, whole: str = "", formats: dict | None = None):
    """One sheet: a bold header row, the rows (as many as Excel holds; `formats` by column), column widths,
    a filter. Where fewer rows are listed than the `total` there are, a last row says so and where `whole`
    the list is. Returns the sheet."""
    ws = wb.add_worksheet(name)
    write_row(ws, 0, header, bold)
    shown = rows[:EXCEL_MAX_ROWS - 1]  # a row kept for the note
    for i, row in enumerate(shown, 1):
        write_row(ws, i, row, formats=formats)
    for k, w in enumerate(widths):
        ws.set_column(k, k, w)
    ws.freeze_panes(1, 0)
    if shown:
        ws.autofilter(0, 0, len(shown), len(header) - 1)
    total = len(rows) if total is None else total
    if total > len(shown):
        write_row(ws, len(shown) + 1, [f"……仅列出前 {len(shown)} 项，共 {total} 项；完整清单见{whole} "
                                       f"(only the first {len(shown)} of {total} are listed)"], bold)
    return ws


# a rate as `data.percent` prints it: 0%, <0.1% above 0, one decimal, and >99.9% below 1 (the last a
# conditional format: a number format holds two conditions); the value stays the fraction, unrounded
RATE = '[=0]0%;[<0.0005]"<0.1%";0.0%'
NEAR_WHOLE = '">99.9%"'


def _finding_row(f: dict) -> list:
    """A finding's row of 问题清单: its subject and cells in the report's printed words (as the site and the
    notices name them), their ids in the last columns (for joins with `gkqc sql`)."""
    subject, cells = finding_labels(f)
    return [place(f["region"]), f["office"], f["report_year"], f["check_id"], f["check_title"] or "",
            SEVERITY_ZH.get(f["severity"], f["severity"]), subject, f["expected"], f["actual"], f["difference"],
            f["message"], cells, DECISIONS_ZH.get(f.get("decision"), DECISION_ZH[None]),
            f.get("decision_reason") or "", f.get("decided_by") or "", f["subject"] or "", f["cells"] or ""]


def write_excel(data: ScorecardData, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".{os.getpid()}.tmp.xlsx")  # (another writer of the folder has its own)
    wb = text_workbook(tmp)
    bold = wb.add_format({"bold": True, "bg_color": "#DDEBF7"})
    rate = wb.add_format({"num_format": RATE})
    ws = sheet(wb, "地区评分", ["地区", "报告年度", "应报机关数", "已发布", "按期发布率", "无错误比例", "平均分"],
               [[place(r["region"]), r["report_year"], r["offices_expected"], r["reports_found"], r["on_time_rate"],
                 r["error_free_rate"], r["mean_score"]] for r in data.regions], [18, 10, 12, 10, 12, 12, 10], bold,
               formats={4: rate, 5: rate})
    ws.conditional_format(1, 4, max(len(data.regions), 1), 5, {
        "type": "cell", "criteria": "between", "minimum": 0.9995, "maximum": 1 - 1e-12,
        "format": wb.add_format({"num_format": NEAR_WHOLE})})
    sheet(wb, "机关评分", ["机关", "地区", "类别", "报告年度", "得分", "等级", "按期发布", "错误数", "警告数", "地区名次",
                        "发布日期", "报告版本", "已排除"],
          [[o["office"], place(o["region"]), OFFICE_KINDS.get(o["office_kind"], o["office_kind"]), o["report_year"], o["score"],
            f"{o['grade']} {GRADES.get(o['grade'], '')}", on_time_label(o),
            o["errors"], o["warnings"], o["rank_in_region"],
            o["published_at"].isoformat() if o["published_at"] else "", o["report_id"] or "", o.get("dismissed", 0)]
           for o in data.offices],
          [26, 16, 8, 10, 8, 8, 10, 8, 8, 10, 12, 34, 8], bold)
    sheet(wb, "问题清单", ["地区", "机关", "报告年度", "检查", "检查名称", "级别", "对象", "期望值", "实际值", "差额", "说明",
                        "涉及单元格", "审核", "审核理由", "审核人", "对象（编号）", "涉及单元格（编号）"],
          [_finding_row(f) for f in data.findings],
          [16, 26, 10, 6, 30, 6, 22, 10, 10, 10, 60, 60, 10, 30, 10, 16, 30], bold, data.findings_total,
          "数据仓库的 findings 视图（gkqc sql）")
    sheet(wb, "未完全读取的文件", ["文件", "格式", "编码", "解析状态", "原因"],
          [[f["source_path"], f["format"], f["encoding"] or "", f["parse_status"], f["parse_error"] or ""]
           for f in data.files], [40, 10, 10, 12, 80], bold, data.files_total,
          "数据仓库的 documents 视图（gkqc sql，parse_status <> 'parsed'）")
    sheet(wb, "未能确定机关或年度的报告", ["文件", "报告年度", "所印机关名称", "不通过的检查结果"],
          [[r["source_path"] or "", r["report_year"], r["office_printed"] or "（未印）", r["failing"]]
           for r in data.unattributed], [40, 10, 26, 16], bold, data.unattributed_total,
          f"数据仓库的 reports 视图（gkqc sql，{UNATTRIBUTED_WHERE}）；在 offices.csv 的 paths 列为其指定机关")
    wb.close()
    tmp.replace(path)
    return path

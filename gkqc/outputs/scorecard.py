"""Scorecards from the warehouse: one query layer (`data`), three renderings (terminal, HTML, Excel)."""

from __future__ import annotations

from pathlib import Path

from gkqc.outputs.data import GRADES, SEVERITY_ZH, ScorecardData, fmt, load
from gkqc.outputs.excel import write_excel
from gkqc.outputs.html import write_html

__all__ = ["ScorecardData", "load", "print_terminal", "write_outputs"]


def print_terminal(data: ScorecardData, console, limit: int = 40) -> None:
    from rich.table import Table

    t = Table("地区 region", "年度 year", "应报 expected", "已报 found", "按期率 on time", "无错误率 error-free",
              "平均分 mean", title="地区评分卡 region scorecard")
    for r in data.regions[:limit]:
        t.add_row(r["region"], fmt(r["report_year"]), fmt(r["offices_expected"]), fmt(r["reports_found"]),
                  f"{(r['on_time_rate'] or 0):.0%}", f"{(r['error_free_rate'] or 0):.0%}", fmt(r["mean_score"]))
    console.print(t)
    t = Table("机关 office", "地区 region", "年度 year", "得分 score", "等级 grade", "按期 on time", "错误 errors",
              "警告 warnings", "名次 rank", title="机关评分卡 office scorecard")
    for o in data.offices[:limit]:
        t.add_row(o["office"], o["region"], fmt(o["report_year"]), fmt(o["score"]),
                  f"{o['grade']} {GRADES.get(o['grade'], '')}", {True: "是", False: "否"}.get(o["on_time"], "—"),
                  fmt(o["errors"]), fmt(o["warnings"]), fmt(o["rank_in_region"]))
    console.print(t)
    if len(data.offices) > limit:
        console.print(f"（另有 {len(data.offices) - limit} 行；用 --out 输出完整的网页和 Excel）")
    if data.findings and len(data.offices) <= 5:
        t = Table("检查 check", "级别", "对象 subject", "说明 message", title="问题清单 findings")
        for f in data.findings[:limit]:
            t.add_row(f["check_id"], SEVERITY_ZH[f["severity"]], f["subject"], f["message"])
        console.print(t)


def write_outputs(data: ScorecardData, out: Path) -> tuple[Path, Path]:
    """The HTML site (index.html) and the Excel workbook (scorecard.xlsx) under `out`."""
    out.mkdir(parents=True, exist_ok=True)
    return write_html(data, out / "site"), write_excel(data, out / "scorecard.xlsx")

"""What a run's summary says, written once: the terminal prints it as a table (`gkqc run`), Prefect
keeps it as the flow run's artifact."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from checks.engine import CheckSummary
    from gkqc.ingest import IngestSummary

STAGE_NAMES = {"parse": "解析 parse", "validate": "检查 check", "scorecards": "仓库与评分卡 warehouse, scorecards"}
WARN, ALERT = "warn", "alert"  # a row to look at; a row that shows our own bug


@dataclass
class RunSummary:
    run_id: str
    inbox: str
    warehouse: str
    ingest: IngestSummary
    checks: CheckSummary | None = None
    database: str = ""
    scorecards: str = ""
    offices_scored: int = 0
    unattributed: int = 0  # parsed reports (newest versions) no office or year was found for: in no scorecard
    local: str = ""  # the warehouse's local folder when it is on object storage (database file, scorecards)
    leftovers_removed: int = 0  # files an interrupted run had left, removed before this one wrote
    committed: bool = False  # whether this run changed the lake (else it stood as last committed)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per stage
    clock_start: float = 0.0  # time.perf_counter() when the first stage began (to place a memory peak)


def stage_times(timings: dict[str, float]) -> str:
    """Seconds per stage of a run, and in all: '解析 parse 12.3 s / … / 合计 total 20.1 s'."""
    parts = [f"{STAGE_NAMES.get(stage, stage)} {seconds:.1f} s" for stage, seconds in timings.items()]
    return " / ".join([*parts, f"合计 total {sum(timings.values()):.1f} s"])


def summary_rows(r: RunSummary) -> list[tuple[str, str, str]]:
    """(item, value, level) of a run's summary; level "", WARN or ALERT.
    Values may hold a report's text: shown as text by whoever prints them."""
    s = r.ingest
    st = s.statuses
    rows = [("文件 files seen", str(s.seen), ""),
            ("新增 new / 未变 unchanged / 重复 duplicate", f"{s.new} / {s.unchanged} / {s.duplicates}", ""),
            ("解析 parsed / 部分 partial", f"{st['parsed']} / {st['partial']}", ""),
            ("非报告 not_a_report / 无法读取 unreadable", f"{st['not_a_report']} / {st['unreadable']}", ""),
            ("新报告版本 new report versions", str(s.reports_new), "")]
    if s.reread:
        rows.append(("全部重新读取 files read again",
                     f"模板登记表或读取程序已变更：{s.read_again} 个文件按新规则重新读取，读取结果有变化的报告版本 "
                     f"{s.versions_replaced} 个（registry or readers changed: files read again, versions that changed）", WARN))
    if s.retried:
        rows.append(("重新读取 read again", f"{s.retried} 个文件上次因本机原因（磁盘已满、程序被终止）未读取，本次重新读取 "
                     "(files the last run could not read for a reason not theirs, read again)", ""))
    if s.offices is not None:
        rows.append(("机关名录 office registry",
                     f"offices.csv：{s.offices} 个机关" + ("，本次更新 (updated)" if s.offices_changed else ""), ""))
    if s.office_proposals:
        rows.append(("机关名称近似待确认 office names proposed",
                     f"{s.office_proposals}（未合并，见 gkqc sql \"select * from office_matches\"）", WARN))
    if r.checks is not None:
        f = r.checks.failed
        rows.append(("检查不通过（各版本） failed, every version: error / warning / info",
                     f"{f.get('error', 0)} / {f.get('warning', 0)} / {f.get('info', 0)}", ""))
        if r.checks.idle:
            rows.append(("未检查 not checked", f"{'、'.join(r.checks.idle)}：模板登记表中没有适用的模板（见 gkqc checks）"
                                              f"(no template of the registry takes them)", WARN))
    problems = s.schema_problems + (r.checks.schema_problems if r.checks is not None else [])
    if problems:  # rows the lake's models refuse (our own bug, never the report's): kept, counted and shown
        kinds = dict.fromkeys(f"{p['table']}.{p['column']} {p['check']}：'{p['failure_case']}'" for p in problems)
        rows += [("模式校验问题 schema problems", str(len(problems)), ALERT),
                 ("  例 e.g.", "；".join(list(kinds)[:3]), ALERT)]
    if r.leftovers_removed:
        rows.append(("清理中断运行遗留文件 leftovers removed", str(r.leftovers_removed), ""))
    rows.append(("最新年度评分机关 offices scored (latest year)", str(r.offices_scored), ""))
    if r.unattributed:
        rows.append(("未能确定机关或年度的报告 reports without an office or year",
                     f"{r.unattributed}（不在评分卡中：在 offices.csv 的 paths 列按路径为其指定机关；未能识别年度的，"
                     f"请核对其标题与正文；清单见评分卡首页与 Excel）"
                     f"(in no scorecard: give them an office by path in offices.csv; a year not found: see its file)", WARN))
    rows += [("数据仓库 warehouse", r.database, ""),
             ("评分卡 scorecards", f"{r.scorecards}/site/index.html, {r.scorecards}/scorecard.xlsx", "")]
    if r.local:
        rows.append(("本地副本 local copy", f"{r.local}（gkqc sql --warehouse {r.local}）", ""))
    if r.timings:
        rows.append(("用时 time", stage_times(r.timings), ""))
    return rows


_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")  # ASCII punctuation: each may be Markdown's


def summary_markdown(r: RunSummary) -> str:
    """The summary as a Markdown table: every mark in a value escaped (a report's `![…](…)`, `|` or `<b>`
    shown as the text it is), line breaks as spaces."""
    def cell(text: str) -> str:
        return " ".join(_PUNCTUATION.sub(r"\\\1", text).split())

    lines = ["# gkqc 运行摘要 run summary", "", "| 项目 item | 值 value |", "|---|---|"]
    lines += [f"| {'**' + cell(item) + '**' if level else cell(item)} | {cell(value)} |"
              for item, value, level in summary_rows(r)]
    return "\n".join(lines) + "\n"

"""Reviewers' decisions: confirm or dismiss a finding, kept beside the lake so that every run keeps them.

A decision names its finding by office, report year, check and subject (never by file hash), and
records the finding as the reviewer saw it (`Evidence`: its expected and actual values and its cells,
and the version it was read from). It holds for the finding of its key in any version with that same
evidence, so an identical re-publication keeps it; when the newest version fails the check on the
subject with other numbers, or passes it, the decision is stale: kept and shown, not applied, and the
finding is scored and open for review again. A decision written before decisions recorded their
evidence (no `finding` in its line) holds for its key as it did, until one is recorded again on it.
Decisions are lines of `<warehouse>/decisions/decisions.jsonl`,
only ever added to: the file is rewritten whole into a temporary file, flushed and renamed over the old
one, under the warehouse's run lock. The `decisions` mart reads it at each build; recording a decision
rebuilds the warehouse file and the published scorecards at once, so a dismissed finding leaves the
score straight away. A warehouse on object storage keeps its decisions in its local folder (as its run
lock and database file) and gets the rebuilt database and scorecards uploaded.
"""

from __future__ import annotations

import getpass
import json
import math
import os
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from gkqc import runlock
from gkqc.settings import DECISIONS_FILE, decisions_path
from gkqc.storage import Warehouse
from gkqc.storage import warehouse as locate

DECISIONS = {"confirmed": "确认", "dismissed": "排除"}


class ReviewError(ValueError):
    """A decision that cannot be recorded (one line, in Chinese)."""


@dataclass(frozen=True)
class Evidence:
    """The finding a decision was made on: what tells it from another failure of the same check on the
    same subject (expected, actual, cells; the message is their wording), and the version it was read
    from (a record only: an identical finding of another version is the same finding)."""
    report_id: str
    expected: float | None
    actual: float | None
    cells: str | None


@dataclass(frozen=True)
class Decision:
    office: str
    report_year: int
    check_id: str
    subject: str
    decision: str  # confirmed | dismissed
    reason: str
    decided_by: str
    decided_at: str  # ISO local time, seconds
    finding: Evidence | None = None  # None: written before decisions recorded it (holds for its key)


def reviewer() -> str:
    """Who is deciding, when `--by` is not given: the login name."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def append(warehouse: Path, decision: Decision) -> Path:
    """Add one decision to the file atomically (temporary file, fsync, rename, fsync of the folder).
    Call while holding the warehouse lock."""
    path = decisions_path(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    old = path.read_bytes() if path.exists() else b""
    if old and not old.endswith(b"\n"):
        old += b"\n"
    line = (json.dumps(_row(decision), ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8")
    tmp = path.with_name(f".{DECISIONS_FILE}.{os.getpid()}.tmp")
    with open(tmp, "wb") as f:
        f.write(old + line)
        f.flush()
        os.fsync(f.fileno())
    tmp.replace(path)
    fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    return path


def _row(decision: Decision) -> dict:
    """A decision as its line holds it: no `finding` when none was recorded; a value that is not a
    finite number as text ("nan", "inf"), which the build reads back (JSON has no such number, and a
    line JSON cannot read would lose the decision)."""
    row = asdict(decision)
    if row["finding"] is None:
        del row["finding"]
    else:
        for k in ("expected", "actual"):
            x = row["finding"][k]
            row["finding"][k] = x if x is None or math.isfinite(x) else str(x)
    return row


def _open_findings(warehouse: Path, office: str, year: int, check_id: str) -> tuple[str, dict[str, Evidence]]:
    """The office as the registry names it (an alias or another form of its name: that office), and
    the check's failing results in the newest version of the office-year, by subject."""
    from gkqc.offices import registry_name
    from warehouse.access import WarehouseError, connect_readonly

    con = connect_readonly(warehouse)
    try:
        if not con.execute("select count(*) from duckdb_tables() where table_name = 'findings'").fetchall()[0][0]:
            raise WarehouseError(f"数据仓库 {warehouse} 尚无问题清单，请先运行 gkqc run (no findings table yet)")
        office = registry_name(con.sql("select * from offices").pl(), office)
        return office, {r[0]: Evidence(*r[1:]) for r in con.execute(
            """select subject, report_id, expected, actual, cells from findings
               where is_latest and office = ? and report_year = ? and check_id = ?
               order by subject, report_id""", [office, year, check_id]).fetchall()}
    finally:
        con.close()


def _warehouse(warehouse: Warehouse | Path | str) -> Warehouse:
    return warehouse if isinstance(warehouse, Warehouse) else locate(warehouse)


def _lake(wh: Warehouse):
    """The warehouse's lake; ReviewError when none was ever written there (e.g. `wh` is the local
    folder of a warehouse on object storage, given by its path instead of its URL)."""
    from gkqc.lake import MANIFEST, OLD_EMPTY, Lake

    lake = Lake(wh.lake)
    if not (lake.store.exists(MANIFEST) or lake.store.exists(f"documents/{OLD_EMPTY}")):
        raise ReviewError(f"{wh.url} 没有数据湖：对象存储上的数据仓库请用其 s3:// 地址指定 --warehouse "
                          "(no lake here: give an object-storage warehouse by its s3:// URL)")
    return lake


def record(warehouse: Warehouse | Path | str, check_id: str, office: str, year: int, subject: str | None, decision: str, reason: str,
           by: str | None = None, publish: bool = True) -> Decision:
    """Record a decision on a finding of the newest version of an office-year, then rebuild the
    warehouse file and (if they were published) the scorecards. Raises ReviewError, WarehouseBusy."""
    from checks.suite import load_suite

    if decision not in DECISIONS:
        raise ReviewError(f"决定只能是 confirmed（确认）或 dismissed（排除），而不是 {decision}")
    if not reason or not reason.strip():
        raise ReviewError("请用 --reason 写明理由 (a reason is required)")
    for what, text in (("理由", reason), ("机关", office), ("对象", subject), ("审核人", by)):
        try:
            (text or "").encode("utf-8")
        except UnicodeEncodeError:
            raise ReviewError(f"{what}含有不是 UTF-8 的字节（终端的编码不是 UTF-8？），未记录 "
                              "(not UTF-8 text: nothing was recorded)") from None
    known = {s.id for s in load_suite()}
    if check_id not in known:
        raise ReviewError(f"检查编号 {check_id} 不在检查集中（gkqc checks 列出全部） (unknown check)")
    from warehouse.access import StaleDecisions

    wh = _warehouse(warehouse)
    with runlock.hold(wh.local, "gkqc review"):
        current = _site_current(wh)
        try:
            office, open_ = _open_findings(wh.local, office, year, check_id)
        except StaleDecisions:  # a review stopped while it rebuilt: brought up to date first (no inbox needed)
            rebuild(wh, publish)
            current = _site_current(wh)
            office, open_ = _open_findings(wh.local, office, year, check_id)
        subjects = list(open_)
        if subject is None:
            if len(subjects) != 1:
                raise ReviewError(_which(office, year, check_id, subjects))
            subject = subjects[0]
        elif subject not in subjects:
            raise ReviewError(_which(office, year, check_id, subjects, subject))
        d = Decision(office, year, check_id, subject, decision, reason.strip(), (by or reviewer()).strip(),
                     datetime.now().isoformat(timespec="seconds"), open_[subject])
        append(wh.local, d)
        try:
            rebuild(wh, publish, office if current else None)  # only its pages, when the rest are current
        except KeyboardInterrupt:
            raise ReviewInterrupted(d) from None
    return d


class ReviewInterrupted(KeyboardInterrupt):
    """Stopped (Ctrl-C, SIGTERM) after the decision was recorded, while the warehouse was rebuilt."""

    def __init__(self, decision: Decision):
        super().__init__(decision)
        self.decision = decision


def _site_current(wh: Warehouse) -> bool:
    """Whether the scorecards stand as published from the lake and decisions as they are: not so after
    a run or a review stopped before its publication was recorded, whose pages a decision's own must
    not be taken for."""
    from gkqc.outputs.scorecard import published_from
    from warehouse.build import build_fingerprint

    return published_from(wh.local, build_fingerprint(_lake(wh), wh.local)) is not None


def _which(office: str, year: int, check_id: str, subjects: list[str], asked: str | None = None) -> str:
    where = f"{office} {year} 年度最新版本"
    if not subjects:
        return f"{where}没有不通过的 {check_id} 问题 (no such finding)"
    listed = "、".join(s or "（整份报告）" for s in subjects)
    if asked is None:
        return f"{where}有多项 {check_id} 问题，请用 --subject 指明其一：{listed} (several findings: name one)"
    return f"{where}的 {check_id} 问题中没有对象 {asked}；不通过的对象为：{listed} (no such subject)"


def rebuild(warehouse: Warehouse | Path | str, publish: bool = True, office: str | None = None) -> None:
    """The warehouse file rebuilt from the lake's last commit (it reads the decisions), and the
    scorecards published again when they had been (`office`: only its pages, the ones a decision
    on it changes); uploaded when the warehouse is on object storage. Call while holding the
    warehouse lock."""
    from gkqc.outputs.scorecard import publish_recorded
    from warehouse.access import DB_NAME
    from warehouse.build import build, build_fingerprint

    wh = _warehouse(warehouse)
    lake = _lake(wh)
    lake.init()
    build(wh.local, lake, upload=lambda db: wh.upload(db, DB_NAME))
    if publish and (wh.local / "scorecards").is_dir():
        publish_recorded(wh, build_fingerprint(lake, wh.local), focus=office)  # the next run publishes nothing again

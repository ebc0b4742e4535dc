"""The main job as one Prefect flow: ingest → check → build warehouse. Tasks only call plain functions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from prefect import flow, task

from checks.engine import CheckSummary, check_lake
from gkqc import progress
from gkqc.ingest import IngestSummary, ingest
from gkqc.lake import Lake
from warehouse.build import build


@dataclass
class RunSummary:
    run_id: str
    inbox: str
    warehouse: str
    ingest: IngestSummary
    checks: CheckSummary | None = None
    database: str = ""
    extra: dict = field(default_factory=dict)


@task(name="ingest 收集与解析")
def ingest_task(inbox: Path, lake: Lake, run_id: str, workers: int) -> IngestSummary:
    return ingest(inbox, lake, run_id, workers=workers, progress=progress.for_stage("解析 parse"))


@task(name="check 检查")
def check_task(lake: Lake, run_id: str) -> CheckSummary:
    return check_lake(lake, run_id, progress=progress.for_stage("检查 check"))


@task(name="build warehouse 数据仓库")
def build_task(warehouse_dir: Path, lake: Lake) -> Path:
    return build(warehouse_dir, lake.root)


@flow(name="gkqc-run", log_prints=False)
def gkqc_run(inbox: str, warehouse: str, workers: int = 2) -> RunSummary:
    run_id = datetime.now().strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    wh = Path(warehouse)
    lake = Lake(wh / "lake")
    summary = ingest_task(Path(inbox), lake, run_id, workers)
    checked = check_task(lake, run_id)
    db = build_task(wh, lake)
    return RunSummary(run_id, inbox, str(wh), summary, checked, str(db))

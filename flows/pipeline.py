"""The main job as one Prefect flow: ingest → check → build warehouse → publish scorecards.

Tasks only call plain functions; the flow reads like the process. The warehouse may be a local
folder or an s3:// prefix (its local side then holds the lock, Prefect's state and the outputs
as built, which are uploaded); the parse stage may run on a Dask cluster (`cluster`).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact

from checks.engine import CheckSummary, check_lake
from gkqc import memory, progress, runlock, stopping
from gkqc.ingest import IngestSummary, ingest
from gkqc.lake import Lake
from gkqc.outputs.scorecard import publish_recorded, published_from, unattributed_count
from gkqc.storage import Warehouse
from gkqc.storage import warehouse as locate
from gkqc.summary import RunSummary, summary_markdown
from warehouse.build import DB_NAME, build, build_fingerprint, built_from, remove_leftovers


@task(name="open lake 打开数据湖")
def open_task(wh: Warehouse) -> tuple[Lake, int]:
    """The lake as last committed, checked against its manifest; an interrupted run's files removed."""
    lake = Lake(wh.lake)
    lake.init()
    lake.verify()
    remove_leftovers(wh.local)
    return lake, lake.clean()


@task(name="ingest 收集与解析")
def ingest_task(inbox: str, lake: Lake, run_id: str, workers: int, cluster: str | None) -> IngestSummary:
    return ingest(inbox, lake, run_id, workers=workers, cluster=cluster, progress=progress.for_stage("解析 parse"))


@task(name="check 检查")
def check_task(lake: Lake, run_id: str) -> CheckSummary:
    return check_lake(lake, run_id, progress=progress.for_stage("检查 check"))


@task(name="commit 提交")
def commit_task(lake: Lake, run_id: str) -> bool:
    return lake.commit(run_id)


@task(name="build warehouse 数据仓库")
def build_task(wh: Warehouse, lake: Lake) -> Path:
    return build(wh.local, lake, upload=lambda db: wh.upload(db, DB_NAME))  # on object storage: one object, put whole


@task(name="publish scorecards 评分卡")
def publish_task(wh: Warehouse, fingerprint: str) -> tuple[str, int, list[dict]]:
    return publish_recorded(wh, fingerprint)


def _artifacts(summary: RunSummary, regions: list[dict]) -> None:
    create_markdown_artifact(key="gkqc-run-summary", markdown=summary_markdown(summary), description="gkqc run summary")
    if regions:
        create_table_artifact(key="gkqc-region-scorecard", table=[
            {k: (str(v) if v is not None else "") for k, v in r.items()} for r in regions[:500]],
            description="地区评分卡 region scorecard")


COMMITTED = "gkqc_committed"  # on an error raised after the run's commit: the commit it made (gkqc.cli)
SCHEDULED_WAIT_S = 3600  # how long a scheduled run waits for a warehouse a review or a manual run holds


@flow(name="gkqc-run", log_prints=False)
def gkqc_run(inbox: str, warehouse: str, workers: int = 2, cluster: str | None = None) -> RunSummary:
    """`inbox` and `warehouse`: local folders or s3:// URLs; `cluster`: a Dask scheduler address to
    parse on (else `workers` local processes)."""
    stopping.reclaim()  # SIGTERM stops the run as `gkqc run` asked, not by Prefect's handler (gkqc.stopping)
    run_id = datetime.now().strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]
    wh = locate(warehouse)
    watch = progress.Stopwatch()
    # re-entrant: `gkqc run` already holds it; a scheduled run takes it here, waiting while a review ends
    with runlock.hold(wh.local, "gkqc serve 的定时运行", wait=SCHEDULED_WAIT_S):
        lake, cleaned = open_task(wh)
        summary = ingest_task(inbox, lake, run_id, workers, cluster)
        memory.release()
        watch.lap("parse")
        checked = check_task(lake, run_id)
        memory.release()
        watch.lap("validate")
        out = RunSummary(run_id, inbox, wh.url, summary, checked, wh.uri(DB_NAME), leftovers_removed=cleaned,
                         local=str(wh.local) if wh.remote else "")
        out.committed = commit_task(lake, run_id)
        try:  # derived outputs follow the last commit: rebuilt whenever they were built from another one
            fingerprint = build_fingerprint(lake, wh.local)
            if built_from(wh.local) != fingerprint:
                build_task(wh, lake)
                memory.release()
            published = published_from(wh.local, fingerprint)
            if published is None:
                published = publish_task(wh, fingerprint)
            out.scorecards, out.offices_scored, regions = published
            out.unattributed = unattributed_count(wh.local)
        except Exception as e:
            if out.committed:  # failing now (the storage unreachable, say) leaves the commit: its message says so
                setattr(e, COMMITTED, lake.commit_no)
            raise
    watch.lap("scorecards")
    out.timings, out.clock_start = watch.laps, watch.start
    _artifacts(out, regions)
    return out

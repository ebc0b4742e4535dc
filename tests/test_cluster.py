"""The parse stage on a Dask cluster (two worker processes started here) through Prefect's Dask task
runner, the inbox and the lake on S3-compatible storage (moto's server, started here): the same rows
as a local run, in chunks of files rather than a task per file, and a worker killed mid-run loses
and repeats nothing. Everything started is stopped by PID."""

from __future__ import annotations

import logging
import math
import os
import signal
import threading
import time

import dask
import psutil
import pytest
from builders import four_reports_inbox
from runs import snapshot
from s3server import gone, s3_bucket, upload

from gkqc import cluster as cluster_mod
from gkqc import parse_pool
from gkqc.simulate.collection import simulate
from gkqc.storage import warehouse

BUCKET = "gkqc-cluster"


def _descendants() -> dict[int, str]:
    out = {}
    for p in psutil.Process().children(recursive=True):
        try:
            out[p.pid] = " ".join(p.cmdline())
        except psutil.Error:
            continue
    return out


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    with s3_bucket(tmp_path_factory.mktemp("moto") / "moto.log", BUCKET) as fs:
        yield fs


@pytest.fixture(scope="module")
def dask_cluster(prefect_api, s3):
    """A scheduler in this process and two single-threaded worker processes (each under a nanny that
    restarts it when it dies). `track()` notes the processes started since; all are gone at the end."""
    from distributed import Client, LocalCluster

    before = set(_descendants())
    started: set[int] = set()

    def track() -> None:  # Python's resource tracker lives as long as this process: not the cluster's
        started.update(pid for pid, cmd in _descendants().items() if pid not in before and "resource_tracker" not in cmd)

    # LocalCluster closes for good the nanny of a worker not back on the scheduler within
    # lost-worker-timeout (15 s) of its death; these tests kill workers again and again, on a loaded machine.
    with dask.config.set({"distributed.deploy.lost-worker-timeout": "1h"}):
        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                               silence_logs=logging.ERROR)
        client = Client(cluster, set_as_default=False)  # as prefect-dask makes its own: no default client
        try:
            track()
            assert len(started) >= 2
            yield cluster, client, track
        finally:
            track()
            client.close()
            cluster.close()
            deadline = time.monotonic() + 30
            while not all(gone(pid) for pid in started) and time.monotonic() < deadline:
                time.sleep(0.2)
            left = [pid for pid in started if not gone(pid)]
            for pid in left:
                os.kill(pid, signal.SIGKILL)
            assert not left, f"cluster processes still running: {left}"


def _kill_a_busy_worker(client, done: threading.Event, killed: list) -> None:
    """SIGKILL the first worker seen holding a parse chunk (its nanny starts a new one)."""
    pids = client.run(os.getpid)
    while not done.is_set():
        for worker, keys in client.processing().items():
            if any("parse" in str(k) for k in keys):
                os.kill(pids[worker], signal.SIGKILL)
                killed.append((worker, pids[worker], sorted(map(str, keys))))
                return
        time.sleep(0.02)


def test_a_cluster_run_with_a_worker_killed_gives_what_a_local_run_gives(dask_cluster, s3, tmp_path, monkeypatch):
    from distributed import get_task_stream

    from flows.pipeline import gkqc_run

    cluster, client, track = dask_cluster
    sim = tmp_path / "sim"
    simulate(sim, 24, (2020, 2023), seed=3, defect_rate=0.3, workers=1)
    local = gkqc_run(str(sim), str(tmp_path / "wh-local"))
    upload(s3, sim, f"{BUCKET}/sim")
    monkeypatch.setenv("GKQC_LOCAL_DIR", str(tmp_path / "local"))
    monkeypatch.setattr(cluster_mod, "CHUNK_FILES", 8)  # many chunks: one is surely on a worker when it dies
    done, killed = threading.Event(), []
    killer = threading.Thread(target=_kill_a_busy_worker, args=(client, done, killed), daemon=True)
    with get_task_stream(client) as stream:
        killer.start()
        try:
            remote = gkqc_run(f"s3://{BUCKET}/sim", f"s3://{BUCKET}/wh", cluster=cluster.scheduler_address)
        finally:
            done.set()
            killer.join()
    track()  # the worker its nanny started again
    assert killed, "no worker was killed while holding a chunk"
    worker, pid, _ = killed[0]
    assert gone(pid)
    assert remote.ingest.seen == local.ingest.seen and remote.ingest.statuses == local.ingest.statuses
    assert snapshot(warehouse(f"s3://{BUCKET}/wh", tmp_path / "local").local) == snapshot(tmp_path / "wh-local")
    chunks = {t["key"] for t in stream.data if "parse" in str(t["key"])}
    parsed = remote.ingest.new - remote.ingest.duplicates
    assert len(chunks) == math.ceil(parsed / 8) < parsed  # chunks of files, each run to completion once


def test_chunks_are_cut_by_bytes_as_well_as_by_count(dask_cluster, tmp_path, monkeypatch):
    """Large files travel a few at a time; the rows are those of a local ingest."""
    import polars as pl
    from distributed import get_task_stream

    from checks.engine import check_lake
    from gkqc.ingest import ingest
    from gkqc.lake import Lake

    cluster, client, track = dask_cluster
    inbox = tmp_path / "inbox"
    simulate(inbox, 4, (2021, 2023), seed=9, defect_rate=0.0, workers=1)
    sizes = [p.stat().st_size for p in inbox.rglob("*") if p.is_file() and p.name not in ("offices.csv", "truth.jsonl")]
    monkeypatch.setattr(cluster_mod, "CHUNK_BYTES", max(sizes))
    lakes = {where: Lake(tmp_path / where) for where in ("local", "cluster")}
    ingest(inbox, lakes["local"], "t", workers=1)
    with get_task_stream(client) as stream:
        summary = ingest(inbox, lakes["cluster"], "t", cluster=cluster.scheduler_address)
    track()
    chunks = {t["key"] for t in stream.data if "parse" in str(t["key"])}
    # every chunk but the last reached the byte limit, and none went past it by a whole file
    assert summary.new == len(sizes) and sum(sizes) / (2 * max(sizes)) < len(chunks) <= sum(sizes) / max(sizes) + 1
    assert len(chunks) > 1  # by count alone (200 files a chunk) they would have been one
    for lake in lakes.values():
        check_lake(lake, "t")

    def rows(lake: Lake, table: str) -> list[tuple]:
        df = pl.read_parquet(lake.paths(table)).drop("run_id", "ingested_at", strict=False)
        return df.sort(df.columns).rows()

    for table in ("documents", "reports", "sections", "applications", "active_disclosure", "reviews", "check_results"):
        assert rows(lakes["cluster"], table) == rows(lakes["local"], table), table


def _cluster_documents(tmp_path, inbox, cluster):
    import polars as pl

    from gkqc.ingest import ingest
    from gkqc.lake import Lake

    lake = Lake(tmp_path / "lake")
    ingest(inbox, lake, "t", cluster=cluster)
    lake.commit("t")
    return pl.read_parquet(lake.paths("documents")).sort("source_path")


def test_a_file_that_hangs_a_cluster_worker_is_unreadable_and_the_rest_are_read(dask_cluster, tmp_path, monkeypatch):
    """A reader stuck in C code held its chunk, and the run waited for it for ever. The run keeps to one
    worker (`workers=`, as the benchmark does), which comes back from its restart at another address."""
    from pdfdocs import fanout_pdf

    cluster, client, track = dask_cluster
    monkeypatch.setattr(parse_pool, "FILE_LIMIT_S", 3.0)
    monkeypatch.setattr(parse_pool, "POLL_S", 0.2)
    before = client.run(os.getpid)
    first = sorted(before)[0]
    parser = cluster_mod.ClusterParser(cluster.scheduler_address, [first])
    docs = _cluster_documents(tmp_path, four_reports_inbox(tmp_path, fanout_pdf(40)), parser)
    client.wait_for_workers(2, timeout=60)
    track()  # the worker its nanny started again
    assert docs["source_path"].to_list() == ["bad.pdf", "r0.txt", "r1.txt", "r2.txt", "r3.txt"]
    assert docs["parse_status"].to_list() == ["unreadable"] + ["parsed"] * 4
    assert docs["parse_error"][0] == parse_pool.HUNG.format(3.0)
    assert gone(before[first]) and not any(gone(pid) for w, pid in before.items() if w != first)
    assert parser.only != [first] and len(parser.only) == 1  # followed to the restarted worker


def test_a_file_that_kills_every_cluster_worker_is_unreadable_and_the_rest_are_read(dask_cluster, tmp_path):
    """Dask gives up on a chunk whose workers all die (KilledWorker), and the run ended there."""
    cluster, client, track = dask_cluster
    allowed = cluster.scheduler.allowed_failures
    cluster.scheduler.allowed_failures = 1  # (Dask's default, 3, would cost twice as many restarts)
    for nanny in (True, False):  # workers the nannies start again inherit the fault as well
        client.run(lambda: os.environ.update(GKQC_FAULT="read r2.txt"), nanny=nanny)  # (a lambda travels by value)
    try:
        docs = _cluster_documents(tmp_path, four_reports_inbox(tmp_path), cluster.scheduler_address)
    finally:
        client.wait_for_workers(2, timeout=60)
        for nanny in (True, False):
            client.run(lambda: os.environ.pop("GKQC_FAULT", None), nanny=nanny)
        cluster.scheduler.allowed_failures = allowed
        track()
    assert docs["parse_status"].to_list() == ["parsed", "parsed", "unreadable", "parsed"]
    assert docs["parse_error"][2] == parse_pool.DIED


def test_a_cluster_whose_workers_have_no_nanny_is_refused_before_anything_is_read(prefect_api):
    """Without a nanny, a worker stuck on a file cannot be restarted: the run would wait for it."""
    from distributed import Client, LocalCluster

    bare = LocalCluster(n_workers=1, processes=False, dashboard_address=":0", silence_logs=logging.ERROR)
    # (the client made last is the process's default, which prefect-dask's runner takes over any address)
    with bare, Client(bare), pytest.raises(cluster_mod.NoNanny, match="nanny"):
        cluster_mod.ClusterParser(bare.scheduler_address).__enter__()

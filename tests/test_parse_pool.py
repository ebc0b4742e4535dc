"""A file that hangs its reader, or kills the worker reading it, is one unreadable row: the run goes on
and every other file is read."""

from __future__ import annotations

import polars as pl
import pytest
from builders import four_reports_inbox, spec
from pdfdocs import fanout_pdf

from gkqc import parse_pool
from gkqc.ingest import ingest
from gkqc.lake import Lake
from gkqc.simulate.render import render_pagetext


def _documents(tmp_path, inbox) -> pl.DataFrame:
    lake = Lake(tmp_path / "lake")
    ingest(inbox, lake, "r1", workers=2)
    lake.commit("r1")
    return pl.read_parquet(lake.paths("documents")).sort("source_path")


def test_a_file_that_hangs_its_reader_is_unreadable_and_the_rest_are_read(tmp_path, monkeypatch):
    monkeypatch.setattr(parse_pool, "FILE_LIMIT_S", 2.0)
    monkeypatch.setattr(parse_pool, "POLL_S", 0.2)
    docs = _documents(tmp_path, four_reports_inbox(tmp_path, fanout_pdf(40)))
    bad = docs.filter(pl.col("source_path").str.ends_with("bad.pdf"))
    assert bad["parse_status"].to_list() == ["unreadable"] and "超过时限" in bad["parse_error"][0]
    assert docs.filter(~pl.col("source_path").str.ends_with("bad.pdf"))["parse_status"].to_list() == ["parsed"] * 4


def test_a_file_a_worker_was_found_stuck_on_is_not_read_again(tmp_path, monkeypatch):
    """After a hang the pool restarts and the files not parsed yet are read one at a time; the file the
    worker was stuck on was among them, and took the whole limit once more (600 s for one file)."""
    monkeypatch.setattr(parse_pool, "FILE_LIMIT_S", 2.0)
    monkeypatch.setattr(parse_pool, "POLL_S", 0.2)
    monkeypatch.setenv("GKQC_FAULT", "read hangs.txt:SIGSTOP")  # the worker stops on this file, as if hung
    read_alone = []
    alone = parse_pool.LocalPool.alone
    monkeypatch.setattr(parse_pool.LocalPool, "alone", lambda self, item, *a: read_alone.append(item[1].path) or alone(self, item, *a))
    inbox = four_reports_inbox(tmp_path)
    (inbox / "hangs.txt").write_text(render_pagetext(spec("gov2021", 2022, office="青山市第9局", seed=9)), encoding="utf-8")
    docs = _documents(tmp_path, inbox)
    hung = docs.filter(pl.col("source_path") == "hangs.txt")
    assert hung["parse_status"].to_list() == ["unreadable"] and "超过时限" in hung["parse_error"][0]
    assert docs.filter(pl.col("source_path") != "hangs.txt")["parse_status"].to_list() == ["parsed"] * 4
    assert "hangs.txt" not in read_alone


def test_a_file_that_kills_its_worker_is_unreadable_and_the_rest_are_read(tmp_path, monkeypatch):
    inbox = four_reports_inbox(tmp_path)
    monkeypatch.setenv("GKQC_FAULT", "read r2.txt")  # the worker reading r2.txt is killed (SIGKILL)
    docs = _documents(tmp_path, inbox)
    assert docs["parse_status"].to_list() == ["parsed", "parsed", "unreadable", "parsed"]
    assert "异常退出" in docs["parse_error"][2]


def test_a_chunk_submitted_after_a_worker_died_fails_where_its_result_is_asked(tmp_path, monkeypatch):
    """The run reads the inbox while the workers parse: a worker that died in between broke the pool,
    and the next chunk's submit raised BrokenProcessPool outside the run's handling, ending the run with
    nothing written. The chunk's future now holds that error, and the run reads its files one at a time."""
    from concurrent.futures.process import BrokenProcessPool
    from datetime import datetime

    import pytest

    from gkqc.source import Source

    monkeypatch.setenv("GKQC_FAULT", "read dies.txt")
    pool = parse_pool.LocalPool(chunk=1, workers=1)
    try:
        item = ("d1", Source("dies.txt", b"x", None, 1))
        with pytest.raises(BrokenProcessPool):
            pool.result(pool.submit([item], "r1", datetime(2026, 1, 1)))
        later = pool.submit([("d2", Source("fine.txt", b"y", None, 1))], "r1", datetime(2026, 1, 1))
        with pytest.raises(BrokenProcessPool):
            pool.result(later)
    finally:
        pool.shutdown(cancel_futures=True)
    assert pool.pool is None


def test_stopping_a_run_while_a_worker_hangs_kills_it(monkeypatch):
    """Ctrl-C (or any error) while a worker hangs on a file: stopping the pool waited on that worker for
    ever. It is now killed."""
    import threading
    import time
    from datetime import datetime

    from gkqc.source import Source

    monkeypatch.setenv("GKQC_FAULT", "read hangs.txt:SIGSTOP")  # the worker stops on this file, as if hung
    pool = parse_pool.LocalPool(chunk=1, workers=1)
    pool.submit([("d1", Source("hangs.txt", b"x", None, 1))], "r1", datetime(2026, 1, 1))
    while not any(pool.beats):  # the worker has begun the file
        time.sleep(0.05)
    procs = list(pool.pool._processes.values())
    stopper = threading.Thread(target=pool.shutdown, kwargs={"cancel_futures": True}, daemon=True)
    stopper.start()
    stopper.join(20)
    hung = stopper.is_alive()
    for p in procs:  # (if it did hang: leave nothing behind)
        p.kill()
    assert not hung


def test_a_worker_fills_the_lakes_rows_without_importing_the_lakes_models():
    """A worker is handed the Arrow schemas and cell columns by its pool: it parses without importing
    the lake's models (pandera, polars), which took most of a worker's start."""
    from datetime import datetime

    import pyarrow as pa

    from gkqc.rows import layout
    from gkqc.source import Source

    pool = parse_pool.LocalPool(chunk=1, workers=1)
    try:
        text = render_pagetext(spec("gov2021", 2022, office="青山市第1局", seed=1)).encode()
        tables = pool.result(pool.submit([("d1", Source("r.txt", text, None, len(text)))], "r1", datetime(2026, 1, 1)))
        loaded = pool.pool.submit(eval, "sorted(set(__import__('sys').modules) & {'polars', 'pandera', 'duckdb'})")
        assert loaded.result(timeout=60) == []
    finally:
        pool.shutdown()
    assert tables["documents"]["parse_status"].to_pylist() == ["parsed"]
    assert tables["applications"].num_rows > 0
    assert {t: tables[t].schema for t in tables} == layout().schemas  # the lake's own schemas
    assert all(isinstance(tables[t], pa.Table) for t in tables)


def test_files_parsed_in_the_runs_own_process_are_the_lake_rows_the_workers_write(tmp_path, monkeypatch):
    """`workers=0` reads every file in this process, with no worker started, into the same rows."""
    inbox = four_reports_inbox(tmp_path)
    lakes = {}
    for workers in (2, 0):
        if workers == 0:
            monkeypatch.setattr(parse_pool.LocalPool, "_start", lambda self: pytest.fail("a worker was started"))
        lakes[workers] = lake = Lake(tmp_path / f"lake{workers}")
        ingest(inbox, lake, "r1", workers=workers)
        lake.commit("r1")
    for table in ("documents", "reports", "applications", "sections"):
        a, b = (pl.read_parquet(lakes[w].paths(table)).drop("ingested_at", strict=False) for w in (2, 0))
        assert a.height > 0 and a.sort(pl.all()).equals(b.sort(pl.all())), table


def test_workers_that_exit_before_reading_any_file_stop_the_run_and_blame_no_file(tmp_path, monkeypatch):
    """Without this, every file was read alone in a new pool whose worker died again, and marked
    unreadable: a run over a large inbox would take days to blame every file for the machine's fault."""
    monkeypatch.setenv("GKQC_FAULT", "worker start")  # every worker is killed before it takes a file
    lake = Lake(tmp_path / "lake")
    with pytest.raises(parse_pool.NoWorker, match="尚未读取任何文件"):
        ingest(four_reports_inbox(tmp_path), lake, "r1", workers=2)
    assert lake.commit_no == 0 and not list((tmp_path / "lake" / "documents").glob("part-*"))

"""Parsing on an existing Dask cluster, through Prefect's Dask task runner (prefect-dask).

The run's own process reads the inbox and hashes every file (a file is known by its content, as in
a local run); only new files travel, in chunks (each one Prefect task run) sized for the network and
for the work: about `TARGET_SECONDS` of parsing, judged from the chunks already parsed (a PDF of many
pages takes far longer than a text report), and at most `CHUNK_FILES` files and `CHUNK_BYTES`
bytes. Each chunk's lake rows come back to be merged, validated and written by the run, exactly as
rows from local parser processes are. A chunk's rows are taken once, when its future resolves, so
nothing is written twice.

No file stops the run, as in a local one (`parse_pool`). A worker that dies mid-chunk loses nothing:
the scheduler runs the chunk again on another worker. A file that kills every worker it is given
(Dask gives up on its chunk: KilledWorker) is found by reading the chunk's files one per task, then
those given up on again one at a time, and is unreadable. While the run waits for a chunk it asks
the workers running it which files they have been reading for longer than `parse_pool.FILE_LIMIT_S`:
such a file is unreadable, its worker restarted (by its nanny: a cluster whose workers have none is
refused) and the chunk's other files parsed again.

Workers need this package installed (the same version) and, for Prefect's task-run records, a
Prefect API they can reach (PREFECT_API_URL); the default API listens on 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import time
from datetime import datetime

import dask
import pyarrow as pa
from distributed import KilledWorker, wait
from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect_dask import DaskTaskRunner

from gkqc import parse_pool, parse_worker
from gkqc.parse_worker import failed_chunk, merge_rows, parse_chunk
from gkqc.source import Source

CHUNK_FILES = 1000  # files per task at most
CHUNK_BYTES = 4 << 20  # bytes of files per task at most (well under Dask's large-graph warning)
FIRST_FILES = 16  # files per task until a first chunk has been timed
TARGET_SECONDS = 2.0  # parsing per task: long enough that Prefect's bookkeeping and the transfer stay small
RESTART_WAIT_S = 60.0  # how long a run waits for restarted workers to be back


@task(name="parse chunk 解析一组文件", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE,
      persist_result=False)
def parse_chunk_task(items: list[tuple[str, Source]], run_id: str, at: datetime) -> tuple[dict[str, pa.Table], float]:
    """A chunk's lake rows, and the seconds its parsing took."""
    start = time.perf_counter()
    return parse_chunk(items, run_id, at), time.perf_counter() - start


def poll_s() -> float:
    """How often a run waiting for a chunk asks its workers for files read too long: a twentieth of the limit."""
    return max(parse_pool.POLL_S, parse_pool.FILE_LIMIT_S / 20)


def overdue(limit: float) -> list[str]:
    """On a worker: the doc ids of the files its threads have been reading for longer than `limit` seconds."""
    now = time.monotonic()
    return [doc_id for doc_id, began in list(parse_worker.reading.values()) if now - began > limit]


class _Chunk:
    """A chunk on the cluster, seen as a concurrent.futures.Future is (done, result)."""

    def __init__(self, future, items: list[tuple[str, Source]], run_id: str, at: datetime, parser: ClusterParser):
        self.future, self.items, self.run_id, self.at, self.parser = future, items, run_id, at, parser

    def done(self) -> bool:
        return self.future.wrapped_future.done()

    def result(self) -> dict[str, pa.Table]:
        return self.parser.result(self)


class NoNanny(RuntimeError):
    """A worker of the cluster runs without a nanny: a file it hangs on could not be stopped."""


class ClusterParser:
    """Chunks of files parsed on the Dask cluster at `address`; `workers`: only these (by address when
    given, then followed by name, which a worker keeps when its nanny starts it again)."""

    def __init__(self, address: str, workers: list[str] | None = None):
        self.address = address
        self.only = workers
        self.names: list[str] | None = None  # of the `workers`
        self.slots = 1
        self.seconds_per_file: float | None = None  # running mean over timed chunks
        self._runner: DaskTaskRunner | None = None
        self._pending: list[_Chunk] = []

    def __enter__(self) -> ClusterParser:
        self._runner = DaskTaskRunner(address=self.address)
        self._runner.__enter__()
        workers = self._runner.client.scheduler_info()["workers"]
        mine = {a: w for a, w in workers.items() if self.only is None or a in self.only}
        if bare := sorted(a for a, w in mine.items() if not w.get("nanny")):
            self.shutdown()
            raise NoNanny(f"集群工作进程 {', '.join(bare)} 没有 nanny，读取卡住的文件时无法重启它；请用 dask worker "
                          f"（默认带 nanny）启动 (workers without a nanny: a hung file could not be stopped)")
        self.names = [w["name"] for w in mine.values()] if self.only is not None else None
        self.slots = max(1, sum(w["nthreads"] for w in mine.values()))
        return self

    def _follow(self) -> None:
        """After workers were restarted (new addresses): `only` found again by the workers' names."""
        if self.names is None:
            return
        client = self._runner.client
        deadline = time.monotonic() + RESTART_WAIT_S
        while True:
            by_name = {w["name"]: a for a, w in client.scheduler_info()["workers"].items()}
            if all(n in by_name for n in self.names) or time.monotonic() > deadline:
                self.only = [by_name[n] for n in self.names if n in by_name] or self.only
                return
            time.sleep(0.2)

    def __exit__(self, *exc: object) -> None:
        self.shutdown(cancel_futures=exc[0] is not None)

    def observe(self, files: int, seconds: float) -> None:
        if files:
            per_file = seconds / files
            old = self.seconds_per_file
            self.seconds_per_file = per_file if old is None else 0.7 * old + 0.3 * per_file

    def full(self, files: int, size: int) -> bool:
        """Whether a chunk of `files` files and `size` bytes should go now."""
        if self.seconds_per_file is None:
            limit = FIRST_FILES
        else:
            limit = max(1, round(TARGET_SECONDS / max(self.seconds_per_file, 1e-6)))
        return files >= min(limit, CHUNK_FILES) or size >= CHUNK_BYTES

    def submit(self, items: list[tuple[str, Source]], run_id: str, at: datetime) -> _Chunk:
        where = dask.annotate(workers=self.only, allow_other_workers=False) if self.only else contextlib.nullcontext()
        with where:
            future = self._runner.submit(parse_chunk_task, {"items": items, "run_id": run_id, "at": at})
        chunk = _Chunk(future, items, run_id, at, self)
        self._pending = [c for c in self._pending if not c.done()] + [chunk]
        return chunk

    def result(self, chunk: _Chunk, alone: bool = False) -> dict[str, pa.Table]:
        """The chunk's rows, whatever its files do to the workers (the module's docstring says how);
        `alone`: a chunk of one file read on its own, for which KilledWorker is raised."""
        hung = self._wait(chunk)
        if hung is None:
            try:
                tables, seconds = chunk.future.result()
            except KilledWorker:  # Dask gave up on the chunk: workers died running it, or while it waited on them
                if alone:
                    raise
                return self._one_at_a_time(chunk)
            self.observe(len(chunk.items), seconds)
            return tables
        parts = [failed_chunk([it for it in chunk.items if it[0] in hung], chunk.run_id, chunk.at,
                              parse_pool.HUNG.format(parse_pool.FILE_LIMIT_S))]
        rest = [it for it in chunk.items if it[0] not in hung]
        if rest:
            parts.append(self.result(self.submit(rest, chunk.run_id, chunk.at)))
        return merge_rows(parts)

    def _one_at_a_time(self, chunk: _Chunk) -> dict[str, pa.Table]:
        """The chunk's files parsed one per task. A file given up on again may only have waited on a worker
        the file to blame killed: each such file is parsed once more after the others, one at a time, and
        is unreadable if its worker dies then too."""
        self._follow()
        parts, given_up = [], []
        for single in [self.submit([item], chunk.run_id, chunk.at) for item in chunk.items]:
            try:
                parts.append(self.result(single, alone=True))
            except KilledWorker:
                given_up.append(single.items)
        for items in given_up:
            self._follow()
            try:
                parts.append(self.result(self.submit(items, chunk.run_id, chunk.at), alone=True))
            except KilledWorker:
                parts.append(failed_chunk(items, chunk.run_id, chunk.at, parse_pool.DIED))
        return merge_rows(parts)

    def _wait(self, chunk: _Chunk) -> set[str] | None:
        """Wait for the chunk: None once it has ended (its result not fetched yet), or the ids of its files
        a worker has been reading for longer than the limit (that worker then restarted, the chunk
        cancelled). The workers running it are asked every `poll_s()` seconds."""
        future, mine = chunk.future.wrapped_future, {doc_id for doc_id, _ in chunk.items}
        client = self._runner.client
        while True:
            try:
                with client.as_current():  # the runner's client is no default one: `wait` asks for the current
                    wait([future], timeout=poll_s())
                return None
            except TimeoutError:
                pass
            running = [w for w, keys in client.processing().items() if future.key in keys]
            stuck = client.run(overdue, parse_pool.FILE_LIMIT_S, workers=running, on_error="ignore") if running else {}
            found = {w: set(ids) & mine for w, ids in stuck.items() if isinstance(ids, list) and set(ids) & mine}
            if found and not future.done():
                client.cancel([future])
                client.restart_workers(list(found), raise_for_error=False)
                self._follow()
                return set().union(*found.values())

    def shutdown(self, cancel_futures: bool = False) -> None:
        """Cancel what is still queued (Ctrl-C) and disconnect; the cluster itself keeps running."""
        if self._runner is None:
            return
        try:
            if cancel_futures and self._pending:
                self._runner.client.cancel([c.future.wrapped_future for c in self._pending])
        finally:
            self._pending = []
            runner, self._runner = self._runner, None
            runner.__exit__(None, None, None)


def workers_of(address: str) -> list[str]:
    """The worker addresses of the cluster at `address`, sorted."""
    from distributed import Client

    with Client(address, timeout=30) as client:
        return sorted(client.nthreads())

"""Parsing on an existing Dask cluster, through Prefect's Dask task runner (prefect-dask).

The run's own process reads the inbox and hashes every file (a file is known by its content, as in
a local run); only new files travel, in chunks (each one Prefect task run) sized for the network and
for the work: about `TARGET_SECONDS` of parsing, judged from the chunks already parsed (a PDF of many
pages takes far longer than a text report), and at most `CHUNK_FILES` files and `CHUNK_BYTES`
bytes. Each chunk's lake rows come back to be merged, validated and written by the run, exactly as
rows from local parser processes are. A worker that dies mid-chunk loses nothing: the
scheduler runs the chunk again on another worker (and Prefect retries a chunk that raised), and a
chunk's rows are taken once, when its future resolves, so nothing is written twice.

Workers need this package installed (the same version) and, for Prefect's task-run records, a
Prefect API they can reach (PREFECT_API_URL); the default API listens on 127.0.0.1 only.
"""

from __future__ import annotations

import contextlib
import time
from datetime import datetime

import dask
import pyarrow as pa
from prefect import task
from prefect.cache_policies import NO_CACHE
from prefect_dask import DaskTaskRunner

from gkqc.parse_worker import parse_chunk
from gkqc.source import Source

CHUNK_FILES = 1000  # files per task at most
CHUNK_BYTES = 4 << 20  # bytes of files per task at most (well under Dask's large-graph warning)
FIRST_FILES = 16  # files per task until a first chunk has been timed
TARGET_SECONDS = 2.0  # parsing per task: long enough that Prefect's bookkeeping and the transfer stay small


@task(name="parse chunk 解析一组文件", retries=2, retry_delay_seconds=1, cache_policy=NO_CACHE,
      persist_result=False)
def parse_chunk_task(items: list[tuple[str, Source]], run_id: str, at: datetime) -> tuple[dict[str, pa.Table], float]:
    """A chunk's lake rows, and the seconds its parsing took."""
    start = time.perf_counter()
    return parse_chunk(items, run_id, at), time.perf_counter() - start


class _Chunk:
    """A chunk on the cluster, seen as a concurrent.futures.Future is (done, result)."""

    def __init__(self, future, files: int, parser: ClusterParser):
        self.future, self.files, self.parser = future, files, parser

    def done(self) -> bool:
        return self.future.wrapped_future.done()

    def result(self) -> dict[str, pa.Table]:
        tables, seconds = self.future.result()
        self.parser.observe(self.files, seconds)
        return tables


class ClusterParser:
    """Chunks of files parsed on the Dask cluster at `address`; `workers`: only these (by address)."""

    def __init__(self, address: str, workers: list[str] | None = None):
        self.address = address
        self.only = workers
        self.slots = 1
        self.seconds_per_file: float | None = None  # running mean over timed chunks
        self._runner: DaskTaskRunner | None = None
        self._pending: list[_Chunk] = []

    def __enter__(self) -> ClusterParser:
        self._runner = DaskTaskRunner(address=self.address)
        self._runner.__enter__()
        threads = self._runner.client.nthreads()
        self.slots = max(1, sum(n for w, n in threads.items() if self.only is None or w in self.only))
        return self

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
        chunk = _Chunk(future, len(items), self)
        self._pending = [c for c in self._pending if not c.done()] + [chunk]
        return chunk

    def result(self, chunk: _Chunk) -> dict[str, pa.Table]:
        return chunk.result()

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

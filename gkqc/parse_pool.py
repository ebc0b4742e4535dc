"""Local worker processes that parse chunks of new files, and what a run does when one of them hangs or
dies: no file stops the run.

Each worker notes when it starts reading a file. A file read for longer than FILE_LIMIT_S (a reader
stuck inside a C library, where its own time budget cannot fire) or a worker that dies (killed for its
memory, or a library's crash) ends that pool: its processes are killed, and the files of every chunk not
parsed yet are read again one at a time in a new one, so the file to blame is found. A file a worker
was seen stuck on is not read again (it would take the limit once more): each worker notes which file
it reads too. That file gets an unreadable row naming what happened; every other file is read as usual."""

from __future__ import annotations

import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from datetime import datetime
from multiprocessing import get_context

import pyarrow as pa

from gkqc.lifeline import WORKER_LOG, start_workers, sweep_scratch
from gkqc.parse_worker import failed_chunk, parse_chunk, start_worker
from gkqc.rows import layout
from gkqc.source import Source

FILE_LIMIT_S = 300.0  # one file's read, at most; the readers' own limits (PDF 20 s, OCR 120 s, a conversion 60 s) end sooner
POLL_S = 1.0  # how often a wait looks at the workers' files
HUNG = "读取超过时限（{:g} 秒仍未完成，文件的结构使读取无法结束），已终止读取进程，未读取"
DIED = "读取进程异常退出（可能是内存耗尽或读取库崩溃），未读取"
NO_WORKER = ("解析进程尚未读取任何文件即退出，无法解析：问题在本机或安装，而非文件；本次运行未提交，见 {} "
             "(the parse workers exit before reading any file: nothing was committed; see that log)")


class NoWorker(RuntimeError):
    """Not one worker of a pool got as far as reading a file: no file is to blame, and blaming
    each in turn would start a pool for every file of the inbox."""


class Stalled(Exception):
    """A worker has been reading one file for longer than FILE_LIMIT_S: `hung`, the files' keys
    (`parse_worker.file_key`) each such worker was on."""

    def __init__(self, hung: frozenset[int] = frozenset()):
        super().__init__()
        self.hung = hung


class InProcess:
    """Chunks parsed in this process, as they are submitted (`workers=0`): no process to start and
    nothing watched, so a file that hangs its reader hangs the run. For a handful of files, a
    debugger, the tests."""

    slots = 1

    def __init__(self, chunk: int):
        self.chunk = chunk

    def full(self, files: int, size: int) -> bool:
        return files >= self.chunk

    def submit(self, items: list[tuple[str, Source]], run_id: str, at: datetime) -> Future:
        done: Future = Future()
        done.set_result(parse_chunk(items, run_id, at))
        return done

    def result(self, fut: Future) -> dict[str, pa.Table]:
        return fut.result()

    def shutdown(self, cancel_futures: bool = False) -> None:
        pass


class LocalPool:
    """Chunks of `chunk` files parsed by `workers` local processes, which die with this one (started
    with the first chunk)."""

    def __init__(self, chunk: int, workers: int):
        self.chunk, self.slots = chunk, workers
        ctx = get_context("spawn")
        self.beats = ctx.Array("d", workers, lock=False)  # when each worker began its current file (0: idle)
        self.current = ctx.Array("q", workers, lock=False)  # …and which file it is (`file_key`; 0: idle)
        self.claimed = ctx.Value("i", 0)  # worker slots taken
        self.pool: ProcessPoolExecutor | None = None

    def full(self, files: int, size: int) -> bool:
        return files >= self.chunk

    def _start(self) -> ProcessPoolExecutor:
        self.beats[:] = [0.0] * len(self.beats)
        self.current[:] = [0] * len(self.current)
        self.claimed.value = 0
        ctx = get_context("spawn")
        return start_workers(ProcessPoolExecutor(self.slots, mp_context=ctx, initializer=start_worker,
                                                 initargs=(self.beats, self.claimed, layout(), self.current)),
                             self.slots)

    def submit(self, items: list[tuple[str, Source]], run_id: str, at: datetime) -> Future:
        """The chunk's future; one that holds BrokenProcessPool when a worker died before it went."""
        if self.pool is None:
            self.pool = self._start()
        try:
            return self.pool.submit(parse_chunk, items, run_id, at)
        except BrokenProcessPool as e:  # (found when the result is asked for, as for a chunk in flight)
            broken: Future = Future()
            broken.set_exception(e)
            return broken

    def result(self, fut: Future) -> dict[str, pa.Table]:
        """The chunk's rows; Stalled when a worker is stuck on a file, BrokenProcessPool when one died."""
        while True:
            try:
                return fut.result(timeout=POLL_S)
            except FutureTimeout:
                limit = time.monotonic() - FILE_LIMIT_S
                if any(0.0 < began < limit for began in self.beats):
                    raise Stalled(frozenset(key for began, key in zip(self.beats, self.current, strict=True)
                                            if 0.0 < began < limit)) from None

    def restart(self) -> None:
        """Kill every worker; new ones start with the next chunk. The temporary folders the killed
        workers' readers were using (`lifeline.scratch_dir`) are removed."""
        if self.pool is not None:
            for proc in list((self.pool._processes or {}).values()):  # (the executor's own processes: private,
                proc.kill()  # as of Python 3.11; a hung worker is not stopped any other way)
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
            sweep_scratch()

    def hung(self, item: tuple[str, Source], run_id: str, at: datetime) -> dict[str, pa.Table]:
        """The unreadable row of a file a worker was found stuck on (not read again: it would hang again)."""
        return failed_chunk([item], run_id, at, HUNG.format(FILE_LIMIT_S))

    def alone(self, item: tuple[str, Source], run_id: str, at: datetime) -> dict[str, pa.Table]:
        """One file parsed on its own: its rows, or an unreadable row when it hangs or kills its worker."""
        try:
            return self.result(self.submit([item], run_id, at))
        except Stalled:
            why = HUNG.format(FILE_LIMIT_S)
        except BrokenProcessPool:
            if self.claimed.value == 0:  # no worker finished starting: the file was never sent
                self.restart()
                raise NoWorker(NO_WORKER.format(WORKER_LOG)) from None
            why = DIED
        self.restart()
        return failed_chunk([item], run_id, at, why)

    def shutdown(self, cancel_futures: bool = False) -> None:
        """Stop the workers: when the run is interrupted (`cancel_futures`), kill them, hung or not."""
        if cancel_futures:
            self.restart()
        elif self.pool is not None:
            self.pool.shutdown()

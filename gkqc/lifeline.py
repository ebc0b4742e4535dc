"""Nothing a run starts outlives it: the Prefect API it reports to and the parser workers.

Prefect 3's ephemeral API (`SubprocessASGIServer`) is a plain `subprocess.Popen` of uvicorn, stopped
only by an `atexit` hook, so a run killed by SIGKILL or SIGTERM leaves it running for good. Instead we
serve the same app from a thread of the run's own process and point PREFECT_API_URL at it; Prefect then
starts no server of its own. Worker processes are tied to their parent by PR_SET_PDEATHSIG: on Linux the
kernel ends them when we end; elsewhere only the normal exit path (and SIGTERM, turned into one) cleans up.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from functools import partial
from pathlib import Path

PR_SET_PDEATHSIG = 1
_prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None


def tie_to(parent: int) -> None:
    """Ask the kernel to SIGKILL this process when `parent` (strictly: the thread that started us) ends."""
    if _prctl is None:
        return
    _prctl(PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the prctl took effect
        os._exit(1)


def die_with_parent() -> None:
    """Initializer for worker processes: end when the process that started them ends (create the pool in a
    thread that outlives it), and leave Ctrl-C to that process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    tie_to(parent.pid if parent is not None and parent.pid is not None else os.getppid())


WORKER_LOG = Path(tempfile.gettempdir()) / "gkqc-workers.log"  # what worker processes print (never the terminal)


@contextmanager
def workers_quiet(log: Path | None = None) -> Iterator[None]:
    """Worker processes started in the body print to `log`, not to the terminal: a Ctrl-C reaches them
    too (the terminal signals the whole process group), and one that comes while they still import,
    before their initializer ignores it, would print a traceback from every worker. Our own output
    written meanwhile (a few milliseconds) goes to the log too."""
    log = log or WORKER_LOG
    log.parent.mkdir(parents=True, exist_ok=True)
    sys.stderr.flush()
    target = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    saved = os.dup(2)
    os.dup2(target, 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(target)


def start_workers(pool: ProcessPoolExecutor, workers: int, log: Path | None = None) -> ProcessPoolExecutor:
    """Start every worker process of the pool now, under `workers_quiet(log)`."""
    try:
        with workers_quiet(log):
            for _ in range(workers):  # a task submitted while no worker is idle starts one, in this thread
                pool.submit(int)
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    return pool


def start_child(cmd: Sequence[str], log: Path, own_group: bool = False) -> subprocess.Popen:
    """Start `cmd` with output appended to `log`, killed by the kernel if we die. Start it from a thread that
    lives as long as it should (the main thread): the kernel's "parent" is that thread. `own_group` keeps
    a terminal's Ctrl-C away from it."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        return subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                process_group=0 if own_group else None,
                                preexec_fn=partial(tie_to, os.getpid()) if _prctl else None)


def stop_child(proc: subprocess.Popen, timeout: float = 10) -> None:
    """Terminate, wait, then kill."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_healthy(api_url: str, timeout: float = 180, running: Callable[[], bool] | None = None,
                 log: Path | None = None) -> None:
    """Wait until `{api_url}/health` answers 200 (while `running()`, if given, says the server still runs;
    `log`: where the server writes, named in the error)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if running is not None and not running():
            raise RuntimeError(f"Prefect 服务器已退出，见 {log or '其日志'} (the API server stopped; see its log)")
        try:
            with urllib.request.urlopen(f"{api_url}/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"Prefect 服务器在 {timeout:.0f} 秒内未就绪 (server not healthy at {api_url})")


def _sigterm(signum: int, frame: object) -> None:
    sys.exit(128 + signum)  # unwind as Ctrl-C does, so cleanup runs


_SERVER_LOGGERS = ("prefect.server", "uvicorn", "fastapi")  # what the API prints goes to its log, not the terminal


def serve_prefect_api(log: Path) -> tuple[Callable[[], None], str]:
    """Prefect's ephemeral API (the app its `SubprocessASGIServer` runs) served by uvicorn from a thread of
    this process, its output appended to `log`: it ends with us however we end, and shares our interpreter
    and imports instead of starting a Python of its own. Waits until healthy; returns the function that
    stops it and its API URL."""
    import uvicorn
    from prefect.server.api.server import create_app
    from prefect.settings import get_current_settings

    app = create_app(ephemeral=True, ignore_cache=True)  # a fresh app runs its lifespan again
    log.parent.mkdir(parents=True, exist_ok=True)
    to_log = logging.FileHandler(log, encoding="utf-8")
    to_log.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    saved: dict[str, tuple[list[logging.Handler], bool]] = {}
    for name in _SERVER_LOGGERS:
        logger = logging.getLogger(name)
        saved[name] = (logger.handlers[:], logger.propagate)
        logger.handlers, logger.propagate = [to_log], False
    sock = socket.socket()  # bound here and handed to uvicorn: no other process can take the port in between
    server = thread = None

    def stop() -> None:
        try:
            if thread is not None:
                server.should_exit = True
                thread.join(timeout=10)
                if thread.is_alive():  # connections that do not close: stop without waiting for them
                    server.force_exit = True
                    thread.join(timeout=5)
        finally:
            sock.close()
            for name, (handlers, propagate) in saved.items():
                logger = logging.getLogger(name)
                logger.handlers, logger.propagate = handlers, propagate
            to_log.close()

    try:
        sock.bind(("127.0.0.1", 0))
        api = f"http://127.0.0.1:{sock.getsockname()[1]}/api"
        server = uvicorn.Server(uvicorn.Config(app, log_level="error", log_config=None, lifespan="on"))
        thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="prefect-api", daemon=True)
        thread.start()
        wait_healthy(api, get_current_settings().server.ephemeral.startup_timeout_seconds, thread.is_alive, log)
    except BaseException:
        stop()
        raise
    return stop, api


@contextmanager
def prefect_api(state_dir: Path) -> Iterator[None]:
    """Run the body with a Prefect API that cannot outlive this process: the configured PREFECT_API_URL if
    any, else our own server. SIGTERM unwinds the body (when called from the main thread)."""
    from prefect.context import refresh_global_settings_context
    from prefect.settings import get_current_settings

    handle_term = (threading.current_thread() is threading.main_thread()
                   and signal.getsignal(signal.SIGTERM) == signal.SIG_DFL)
    if handle_term:
        signal.signal(signal.SIGTERM, _sigterm)
    stop = None
    try:
        if not get_current_settings().api.url:
            stop, api = serve_prefect_api(state_dir / ".prefect" / "server.log")
            os.environ["PREFECT_API_URL"] = api  # for this process's Prefect (after the refresh) and its children
            refresh_global_settings_context()
        yield
    finally:
        if stop is not None:
            os.environ.pop("PREFECT_API_URL", None)
            refresh_global_settings_context()
            stop()
        if handle_term:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)

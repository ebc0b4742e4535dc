"""Processes a run starts die with it: the Prefect API server and the parser workers.

Prefect 3's ephemeral API (`SubprocessASGIServer`) is a plain `subprocess.Popen` of uvicorn, stopped
only by an `atexit` hook, so a run killed by SIGKILL or SIGTERM leaves it running for good. Instead we
start the same uvicorn command ourselves, tied to this process by PR_SET_PDEATHSIG, and point
PREFECT_API_URL at it; Prefect then starts no server of its own. On Linux the kernel ends every child
when we end; elsewhere only the normal exit path (and SIGTERM, turned into one) cleans up.
"""

from __future__ import annotations

import ctypes
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
from collections.abc import Iterator, Sequence
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


def start_child(cmd: Sequence[str], log: Path, env: dict[str, str] | None = None,
                own_group: bool = False) -> subprocess.Popen:
    """Start `cmd` with output appended to `log`, killed by the kernel if we die. Start it from a thread that
    lives as long as it should (the main thread): the kernel's "parent" is that thread. `own_group` keeps
    a terminal's Ctrl-C away from it."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        return subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                env=env, process_group=0 if own_group else None,
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


def wait_healthy(api_url: str, timeout: float = 180, proc: subprocess.Popen | None = None) -> None:
    """Wait until `{api_url}/health` answers 200 (and `proc`, the server, is still running)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"Prefect 服务器已退出 (server exited with {proc.returncode}; see its log)")
        try:
            with urllib.request.urlopen(f"{api_url}/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    raise TimeoutError(f"Prefect 服务器在 {timeout:.0f} 秒内未就绪 (server not healthy at {api_url})")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _sigterm(signum: int, frame: object) -> None:
    sys.exit(128 + signum)  # unwind as Ctrl-C does, so cleanup runs


def start_prefect_server(log: Path) -> tuple[subprocess.Popen, str]:
    """Prefect's ephemeral API server, started as its `SubprocessASGIServer` does but tied to us; waits until
    healthy and returns it with its API URL. In its own process group: we stop it after the run reports."""
    import prefect
    from prefect.settings import get_current_settings

    settings = get_current_settings()
    port = free_port()
    cmd = [sys.executable, "-m", "uvicorn", "--app-dir", str(prefect.__module_path__.parent), "--factory",
           "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(port),
           "--log-level", "error", "--lifespan", "on"]
    env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1",
           **settings.to_environment_variables(exclude_unset=True)}
    server = start_child(cmd, log, env, own_group=True)
    api = f"http://127.0.0.1:{port}/api"
    try:
        wait_healthy(api, settings.server.ephemeral.startup_timeout_seconds, server)
    except BaseException:  # stopped while it starts: it has served nothing, so it need not wind down
        stop_child(server, timeout=2)
        raise
    return server, api


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
    server = None
    try:
        if not get_current_settings().api.url:
            server, api = start_prefect_server(state_dir / ".prefect" / "server.log")
            os.environ["PREFECT_API_URL"] = api  # for this process's Prefect (after the refresh) and its children
            refresh_global_settings_context()
        yield
    finally:
        if server is not None:
            os.environ.pop("PREFECT_API_URL", None)
            refresh_global_settings_context()
            stop_child(server)
        if handle_term:
            signal.signal(signal.SIGTERM, signal.SIG_DFL)

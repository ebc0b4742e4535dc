"""Nothing a run starts outlives it: the Prefect API it reports to and the parser workers.

Prefect 3's ephemeral API (`SubprocessASGIServer`) is a plain `subprocess.Popen` of uvicorn, stopped
only by an `atexit` hook, so a run killed by SIGKILL or SIGTERM leaves it running for good. Instead we
serve the same app from a thread of the run's own process and point PREFECT_API_URL at it; Prefect then
starts no server of its own. Worker processes are tied to their parent by PR_SET_PDEATHSIG: on Linux the
kernel ends them when we end; elsewhere only the normal exit path (and SIGTERM, turned into one) cleans up.

External programs (LibreOffice, Tesseract) run under a guard (`run_guarded`): a small Python of its own,
tied to its starter, the subreaper of everything the program starts. However the program ends, or its
starter (a worker killed for its memory, a run killed by SIGKILL), the guard kills the program's process
group and every process left under it (one that called setsid too), reaps them, and exits; a guard itself
killed (SIGKILL) before it said so on its status pipe: its starter ends the program's session. Their temporary
folders (`scratch_dir`) are locked while in use; a folder whose lock is free is left by a process that is
gone and is removed by the next that looks (a new folder, a pool's restart).
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import logging
import multiprocessing
import os
import re
import selectors
import shutil
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


# The guard: `python -I -S -c _GUARD parent status scratch fsize cmd...`. Standard library only (no gkqc: it
# starts in milliseconds). Its signals wait in its mask (sigtimedwait): no handler can interrupt its cleanup.
# On the `status` pipe it says `P<pid>;` (the program started), `E<errno>;` (it could not be), `C;` (every
# process ended), `S<signal>;` (stopped by another); the pipe's end is the guard's.
_GUARD = r"""
import os, signal, sys
parent, status, scratch, fsize, cmd = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5:]
STOP = {signal.SIGTERM, signal.SIGHUP, signal.SIGINT}  # SIGHUP: the starter's own stop; the others: its death, or not ours
signal.signal(signal.SIGCHLD, signal.SIG_DFL)
signal.pthread_sigmask(signal.SIG_BLOCK, STOP | {signal.SIGCHLD})
prctl = None
if sys.platform.startswith("linux"):
    import ctypes
    prctl = ctypes.CDLL(None, use_errno=True).prctl
    prctl(1, int(signal.SIGTERM), 0, 0, 0)  # PR_SET_PDEATHSIG: told when the starter ends
    prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER: what the program starts and leaves is ours


def children():
    me = str(os.getpid())
    try:
        with open(f"/proc/{me}/task/{me}/children") as f:
            return [int(p) for p in f.read().split()]
    except FileNotFoundError:
        pass
    except OSError:
        return []
    found = []
    try:
        names = os.listdir("/proc")
    except OSError:
        return []
    for name in names:
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        if stat[stat.rindex(b")") + 2:].split()[1] == me.encode():
            found.append(int(name))
    return found


def gone():
    if not scratch:
        return
    import shutil, time
    for _ in range(100):  # the starter's other threads may still be ending when the kernel tells us
        if os.getppid() != parent:  # the starter died: nobody else removes its folder now
            shutil.rmtree(scratch, ignore_errors=True)
            return
        time.sleep(0.02)


if os.getppid() != parent:  # the starter died before the guard was tied to it
    gone()
    os._exit(143)
os.set_inheritable(status, False)
me = os.getpid()
pid = os.fork()
if pid:
    os.write(status, b"P%d;" % pid)  # the program's pid: its session's, ended by the starter if we are killed
else:  # the program: its own session, killed by the kernel if the guard dies, its files bounded
    try:
        os.setsid()
        if prctl is not None:
            prctl(1, int(signal.SIGKILL), 0, 0, 0)
        if os.getppid() != me:
            os._exit(127)
        if fsize:
            import resource
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
        for sig in (signal.SIGPIPE, signal.SIGXFSZ):  # (which Python ignores)
            signal.signal(sig, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_SETMASK, ())
        os.execvp(cmd[0], cmd)
    except OSError as e:
        os.write(status, b"E%d;" % (e.errno or 0))
    os._exit(127)
stopped = None
while os.waitid(os.P_PID, pid, os.WEXITED | os.WNOWAIT | os.WNOHANG) is None:
    got = signal.sigtimedwait(STOP | {signal.SIGCHLD}, 1.0)
    if got is not None and got.si_signo in STOP:
        stopped = got.si_signo
        break
try:
    os.killpg(pid, signal.SIGKILL)  # while the program is unreaped: its group id is not reused
except OSError:
    pass
code = 0
while True:  # then every process left: orphans come to us, a killed one's children too
    for child in children():
        try:
            os.kill(child, signal.SIGKILL)
        except OSError:
            pass
    try:
        done, st = os.waitpid(-1, 0)
    except ChildProcessError:
        break
    if done == pid:
        code = st
try:
    os.write(status, b"C;")  # every process ended
except OSError:
    pass
if stopped is not None:
    if stopped != signal.SIGHUP:  # not the starter's stop: its death, or someone else's (pkill)
        try:
            os.write(status, b"S%d;" % stopped)
        except OSError:  # (the starter is gone)
            pass
        gone()
    os._exit(143)
if os.WIFSIGNALED(code):  # end as the program did, so the starter sees which signal
    sig = os.WTERMSIG(code)
    if prctl is not None:
        prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE off: no core of the guard
    try:
        signal.signal(sig, signal.SIG_DFL)
    except (OSError, ValueError):  # SIGKILL: none to set
        pass
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {sig})
    os.kill(os.getpid(), sig)
    os._exit(128 + sig)
os._exit(os.waitstatus_to_exitcode(code))
"""
GUARD_WAIT_S = 10.0  # the guard's cleanup after it is told to stop, at most (then it is killed)


MAX_WRITE_BYTES = 256 << 20  # a file a guarded program writes (its log, its output), at most: then SIGXFSZ ends it
MAX_OUTPUT_BYTES = 16 << 20  # what a guarded program prints to a pipe of ours (stdout, stderr), kept at most


class OutputTooLarge(Exception):
    """A guarded program printed more than `most` bytes to one of its pipes: it was ended (the program's
    failure, whatever file it read)."""

    def __init__(self, program: str, most: int):
        super().__init__(f"{program} 的输出超过 {most} 字节，已终止 (its output is too large)")
        self.program, self.most = program, most


def run_guarded(cmd: Sequence[str], timeout: float, *, scratch: Path | None = None,
                **popen: object) -> tuple[int, bytes | None, bytes | None]:
    """Run `cmd` under a guard (module docstring), at most `timeout` seconds: (exit code, negative for the
    signal that ended it; stdout; stderr), as `subprocess.run` with `popen` (stdout, stderr, env, cwd);
    stdin is /dev/null. When it has not ended by then, or this thread is interrupted, the guard is told to
    stop, ends it and all it started, and TimeoutExpired (or the interruption) is raised; so when it prints
    more than MAX_OUTPUT_BYTES to a pipe (OutputTooLarge). `scratch`: its temporary folder, removed by the
    guard if we die. A guard stopped by another (`pkill`) ends the program and its signal is returned as the
    program's; a guard killed before it ended them all (SIGKILL): we end the program's session. OSError
    when `cmd` cannot be started."""
    read, write = os.pipe()
    status = _Status(read)
    try:
        try:
            proc = subprocess.Popen([sys.executable, "-I", "-S", "-c", _GUARD, str(os.getpid()), str(write),
                                     str(scratch or ""), str(MAX_WRITE_BYTES), *cmd],
                                    stdin=subprocess.DEVNULL, start_new_session=True,
                                    pass_fds=(write,), **popen)  # type: ignore[call-overload]
        finally:
            os.close(write)
        with proc:
            try:
                out, err = _outputs(proc, status, cmd[0], timeout, MAX_OUTPUT_BYTES)
            except BaseException:
                proc.send_signal(signal.SIGHUP)  # our stop (a SIGTERM is our death's, or another's)
                try:
                    proc.wait(GUARD_WAIT_S)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
                status.gone()
                raise
        status.gone()
    finally:
        os.close(read)
    if (stopped := status.told(b"S")) is not None:  # the guard was stopped by another: the program ended by that signal
        return -stopped, out, err
    if (errno := status.told(b"E")) is not None:
        raise OSError(errno, os.strerror(errno), cmd[0])
    return proc.returncode, out, err


class _Status:
    """What a guard said on its status pipe (`_GUARD`), read from `fd`."""

    def __init__(self, fd: int):
        self.fd, self.said, self.ended = fd, b"", False

    def read(self) -> bool:
        """Read what the guard said since; False once it is gone (the pipe's end)."""
        chunk = os.read(self.fd, 256)
        self.said += chunk
        return bool(chunk)

    def told(self, tag: bytes) -> int | None:
        """The number the guard said with `tag` (b"P", b"E", b"S"), if it did."""
        found = [int(t[1:]) for t in self.said.split(b";") if t[:1] == tag and t[1:].isdigit()]
        return found[0] if found else None

    def gone(self) -> None:
        """The guard has ended: what it said last is read, and when it ended before it ended every process
        (SIGKILL), the program's session is ended."""
        if self.ended:
            return
        self.ended = True
        os.set_blocking(self.fd, False)
        try:
            while self.read():
                pass
        except BlockingIOError:  # (still open: the program, between its start and its exec)
            pass
        if b"C" not in self.said.split(b";") and (pid := self.told(b"P")):
            end_session(pid)


def end_session(sid: int) -> None:
    """SIGKILL every process of session `sid` (a guarded program's, its leader, whose guard was killed before
    it ended them: they outlived it, adopted by init). One that started a session of its own escapes."""
    with contextlib.suppress(OSError):
        os.killpg(sid, signal.SIGKILL)
    for _ in range(100):
        left = [pid for pid in _in_session(sid) if pid != os.getpid()]
        if not left:
            return
        for pid in left:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.01)


def _in_session(sid: int) -> list[int]:
    """The live (not zombie) processes of session `sid`, from /proc (none where there is no /proc)."""
    found = []
    try:
        names = [n for n in os.listdir("/proc") if n.isdigit()]
    except OSError:
        return []
    for name in names:
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue
        state, _, _, session = stat[stat.rindex(b")") + 2:].split()[:4]
        if int(session) == sid and state != b"Z":
            found.append(int(name))
    return found


def _outputs(proc: subprocess.Popen, status: _Status, program: str, timeout: float,
             most: int) -> tuple[bytes | None, bytes | None]:
    """What the guard's pipes (stdout, stderr: those asked for) gave until they closed, then its exit, within
    `timeout` seconds (else TimeoutExpired); OutputTooLarge as soon as one gave more than `most` bytes. The
    guard's `status` is read meanwhile: when it is gone, what the program left is ended (`_Status.gone`),
    which closes the pipes it held."""
    deadline = time.monotonic() + timeout
    pipes = {f.fileno(): bytearray() for f in (proc.stdout, proc.stderr) if f is not None}
    with selectors.DefaultSelector() as sel:
        for fd in [*pipes, status.fd]:
            sel.register(fd, selectors.EVENT_READ)
        while sel.get_map():
            if (left := deadline - time.monotonic()) <= 0:
                raise subprocess.TimeoutExpired(program, timeout)
            for key, _ in sel.select(left):
                if key.fd == status.fd:
                    if not status.read():
                        sel.unregister(key.fd)
                        proc.wait(max(deadline - time.monotonic(), 0.0))
                        status.gone()
                    continue
                chunk = os.read(key.fd, 1 << 16)
                if not chunk:
                    sel.unregister(key.fd)
                elif len(pipes[key.fd]) + len(chunk) > most:
                    raise OutputTooLarge(program, most)
                else:
                    pipes[key.fd] += chunk
    proc.wait(max(deadline - time.monotonic(), 0.0))
    out, err = (bytes(pipes[f.fileno()]) if f is not None else None for f in (proc.stdout, proc.stderr))
    return out, err


SCRATCH = re.compile(r"gkqc-(word|ocr)-\d+-[a-z0-9_]{8}")  # the folders `scratch_dir` makes (other names: never)
MARK = ".gkqc-scratch"  # inside each: a folder named like them without it is someone else's


@contextmanager
def scratch_dir(kind: str) -> Iterator[Path]:
    """A new temporary folder `gkqc-{kind}-{pid}-…`, locked (flock) while the body runs, then removed; folders
    of such names left by processes that are gone (`sweep_scratch`) are removed first."""
    sweep_scratch()
    for _ in range(3):
        path = tempfile.mkdtemp(prefix=f"gkqc-{kind}-{os.getpid()}-")
        try:
            fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        except FileNotFoundError:  # swept by another process before it was locked
            continue
        fcntl.flock(fd, fcntl.LOCK_EX)  # (waits while a sweep that took it first removes it)
        if os.fstat(fd).st_nlink > 0:
            break
        os.close(fd)
    else:
        raise OSError(f"无法创建临时文件夹 gkqc-{kind}-*（{tempfile.gettempdir()}）")
    try:
        Path(path, MARK).touch()  # what `sweep_scratch` removes: a folder of ours, never one named like it
        yield Path(path)
    finally:
        shutil.rmtree(path, ignore_errors=True)
        os.close(fd)


def sweep_scratch() -> None:
    """Remove the `scratch_dir` folders in the temporary folder whose lock is free: their process is gone
    (the kernel frees a lock when its holder ends, however it ends). A folder in use is never touched."""
    base = tempfile.gettempdir()
    try:
        entries = [e for e in os.scandir(base) if SCRATCH.fullmatch(e.name)]
    except OSError:
        return
    for entry in entries:
        try:
            fd = os.open(entry.path, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except OSError:  # gone, or not ours to open
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # in use
            os.close(fd)
            continue
        if not os.path.exists(os.path.join(entry.path, MARK)):  # not ours (or ours before it was marked: left)
            os.close(fd)
            continue
        try:
            shutil.rmtree(entry.path, ignore_errors=True)
        finally:
            os.close(fd)


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

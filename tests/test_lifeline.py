"""A run leaves no processes behind however it ends: SIGKILL, SIGTERM or Ctrl-C (the parser workers go
with it; Prefect's API is served from the run's own process)."""

import contextlib
import os
import select
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest
from conftest import ROOT

pytestmark = [pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the kernel ties children only on Linux"),
              pytest.mark.usefixtures("prefect_api")]


@pytest.fixture(scope="module")
def inbox(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sim")  # enough files for the run to use its parser pool
    subprocess.run([sys.executable, "-m", "gkqc.cli", "simulate", "--offices", "500", "--years", "2020-2022",
                    "--out", str(out)], cwd=ROOT, check=True, capture_output=True, timeout=120)
    return out


def start_run(inbox: Path, wh: Path) -> tuple[subprocess.Popen, list[psutil.Process]]:
    """Start `gkqc run` in its own session; return it with its descendants once it serves its Prefect API and
    the parser workers exist (they may still be importing)."""
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}  # conftest's PREFECT_HOME: migrated once
    wh.mkdir()
    with (wh / "run.log").open("wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "gkqc.cli", "run", str(inbox), "--warehouse", str(wh)],
                                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    seen: dict[int, psutil.Process] = {}
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and proc.poll() is None:
        with contextlib.suppress(psutil.NoSuchProcess):
            seen |= {p.pid: p for p in psutil.Process(proc.pid).children(recursive=True)}
        if workers(seen) and serves_api(proc.pid):
            return proc, list(seen.values())
        time.sleep(0.1)
    _kill(proc, seen.values())
    pytest.fail(f"no Prefect API and parser workers seen; run log:\n{(wh / 'run.log').read_text()}")


def workers(procs: dict[int, psutil.Process]) -> bool:
    return any("spawn_main" in _cmdline(p) for p in procs.values())


def serves_api(pid: int) -> bool:
    """The process itself answers on a loopback port with Prefect's health check."""
    try:
        ports = [c.laddr.port for c in psutil.Process(pid).net_connections("tcp") if c.status == psutil.CONN_LISTEN]
    except psutil.Error:
        return False
    for port in ports:
        with contextlib.suppress(OSError), urllib.request.urlopen(f"http://127.0.0.1:{port}/api/health", timeout=2) as r:
            if r.status == 200:
                return True
    return False


def _cmdline(p: psutil.Process) -> str:
    try:
        return " ".join(p.cmdline())
    except psutil.Error:
        return ""


def assert_all_end(procs, seconds: float = 10) -> None:
    end = time.monotonic() + seconds
    while (left := [f"{p.pid} {_cmdline(p)[:150]}" for p in procs if _running(p)]) and time.monotonic() < end:
        time.sleep(0.2)
    assert not left, "still running:\n" + "\n".join(left)


def _running(p: psutil.Process) -> bool:
    try:
        return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def _kill(proc: subprocess.Popen, procs) -> None:
    """Leave nothing behind when a test fails."""
    for p in [psutil.Process(proc.pid), *procs] if proc.poll() is None else procs:
        with contextlib.suppress(psutil.Error):
            p.kill()
    proc.wait()


def test_sigkill_leaves_no_processes(inbox, tmp_path):
    proc, procs = start_run(inbox, tmp_path / "wh")
    try:
        assert not any("uvicorn" in _cmdline(p) for p in procs)  # no server process of its own
        proc.kill()
        proc.wait()
        assert_all_end(procs)
        assert (tmp_path / "wh" / ".prefect" / "server.log").exists()  # the server's output, off the terminal
    finally:
        _kill(proc, procs)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_stopped_run_leaves_no_processes(inbox, tmp_path, sig):
    proc, procs = start_run(inbox, tmp_path / "wh")  # the workers may still be importing: no traceback then
    try:
        if sig == signal.SIGINT:
            os.killpg(proc.pid, sig)  # as Ctrl-C in a terminal: the whole foreground process group
        else:
            proc.send_signal(sig)
        assert proc.wait(timeout=30) != 0  # stopped, not completed
        assert_all_end(procs)
        log = (tmp_path / "wh" / "run.log").read_text(errors="replace")
        assert "Traceback" not in log, log  # workers and server print nothing on the user's terminal
    finally:
        _kill(proc, procs)


def test_sigkill_of_a_benchmark_leaves_no_processes(tmp_path):
    """`gkqc bench` serves its own Prefect API and starts workers too: nothing outlives it."""
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    with (tmp_path / "bench.log").open("wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "gkqc.cli", "bench", "--reports", "500", "--seed", "7",
                                 "--cache", str(tmp_path / "cache")],
                                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    seen: dict[int, psutil.Process] = {}
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and proc.poll() is None and not (workers(seen) and serves_api(proc.pid)):
            with contextlib.suppress(psutil.NoSuchProcess):
                seen |= {p.pid: p for p in psutil.Process(proc.pid).children(recursive=True)}
            time.sleep(0.1)
        assert workers(seen) and serves_api(proc.pid), (tmp_path / "bench.log").read_text()
        assert (tmp_path / "cache" / "sim-n500-s7" / "truth.jsonl").exists()  # --cache: not the project's bench-cache/
        proc.kill()
        proc.wait()
        assert_all_end(seen.values())
    finally:
        _kill(proc, seen.values())


def _say(text: str) -> int:
    print(text, file=sys.stderr, flush=True)
    time.sleep(0.3)  # long enough that both workers take a task
    return os.getpid()


def test_workers_print_to_their_log_not_the_terminal(tmp_path, capfd):
    """Every worker is started at once, with its stderr (where a Ctrl-C while importing would print a
    traceback) in the log; ours is ours again afterwards."""
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    from gkqc.lifeline import start_workers

    log = tmp_path / "workers.log"
    with start_workers(ProcessPoolExecutor(2, mp_context=get_context("spawn")), 2, log) as pool:
        assert len(pool._processes) == 2  # noqa: SLF001 - started now, not on later submits
        pids = {f.result() for f in [pool.submit(_say, "from a worker") for _ in range(6)]}
    print("from the test", file=sys.stderr)
    err = capfd.readouterr().err
    assert len(pids) == 2 and log.read_text().count("from a worker") == 6
    assert "from a worker" not in err and "from the test" in err


_SERVE_AND_STOP = """
import logging, socket, sys, urllib.request
from pathlib import Path
from gkqc.lifeline import serve_prefect_api
names = ("prefect.server", "uvicorn", "fastapi")
log = Path(sys.argv[1]).resolve()
to_log = lambda: [n for n in names if any(getattr(h, "baseFilename", None) == str(log) for h in logging.getLogger(n).handlers)]
stop, api = serve_prefect_api(log)
assert urllib.request.urlopen(api + "/health", timeout=5).status == 200
assert to_log() == list(names)  # its output goes to its log meanwhile
stop()
port = int(api.rsplit(":", 1)[1].split("/")[0])
try:
    socket.create_connection(("127.0.0.1", port), timeout=2).close()
    sys.exit("the port still answers")
except ConnectionRefusedError:
    pass
assert to_log() == [], "loggers not given back"
print("stopped")
"""


def test_our_api_stops_with_its_port_closed_and_the_loggers_given_back(tmp_path):
    # in a process of its own: this one already serves the suite's API (one per process)
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    r = subprocess.run([sys.executable, "-c", _SERVE_AND_STOP, str(tmp_path / "server.log")], cwd=ROOT, env=env,
                       capture_output=True, text=True, timeout=180)
    assert (r.returncode, r.stdout.strip()) == (0, "stopped"), r.stderr[-2000:]
    assert (tmp_path / "server.log").exists()


def test_a_readers_temporary_folder_does_not_outlive_its_process(tmp_path, monkeypatch):
    """A worker killed while its reader holds a temporary folder (page images, a copy of the report): the
    next reader to make one removes it; a folder in use by a live process, or of a name not ours, stays."""
    import tempfile

    from gkqc.lifeline import scratch_dir, sweep_scratch

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    code = ("import time; from gkqc.lifeline import scratch_dir\n"
            "with scratch_dir('ocr') as d:\n    (d / 'p1.png').write_bytes(b'x'); print(d, flush=True); time.sleep(300)")
    holders = [subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE,
                                env={**os.environ, "TMPDIR": str(tmp_path)}) for _ in range(2)]
    try:
        dead, live = (Path(h.stdout.readline().decode().strip()) for h in holders)
        assert dead.name.startswith(f"gkqc-ocr-{holders[0].pid}-") and (dead / "p1.png").exists()
        other = tmp_path / "gkqc-word-abcdefgh"  # (another version's: whether its process lives is not known)
        other.mkdir()
        users = tmp_path / "gkqc-ocr-2023-scans_v2"  # a user's folder named like ours: never ours to remove
        users.mkdir()
        holders[0].kill()
        holders[0].wait()
        assert dead.exists()
        with scratch_dir("word") as mine:
            assert mine.name.startswith(f"gkqc-word-{os.getpid()}-")
            assert not dead.exists() and live.exists() and other.exists() and users.exists()
            sweep_scratch()  # as another process's sweep: a folder in use stays
            assert mine.exists() and live.exists()
        assert not mine.exists()
    finally:
        for h in holders:
            h.kill()
            h.wait()
            h.stdout.close()


_GUARDED = """
import os, sys, threading
from pathlib import Path
from gkqc.lifeline import run_guarded, scratch_dir
threading.Thread(target=lambda: threading.Event().wait(), daemon=True).start()  # (a worker has threads
held = bytearray(512 << 20)  # and memory: the kernel takes a while to end it, its threads one by one)
held[::4096] = b"x" * len(held[::4096])
with scratch_dir("ocr") as d:
    (d / "p1.png").write_bytes(b"x")
    print(d, flush=True)
    piped = {"stdout": -1, "stderr": -1} if os.environ.get("PIPED") else {}  # (-1: subprocess.PIPE)
    print(run_guarded(sys.argv[1:], 300, scratch=d, **piped)[0], flush=True)
"""


def _guarded(tmp_path, *cmd):
    p = subprocess.Popen([sys.executable, "-c", _GUARDED, *cmd], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                         env={**os.environ, "TMPDIR": str(tmp_path)})
    folder = Path(p.stdout.readline().strip())
    deadline = time.monotonic() + 30
    while not [c for c in psutil.Process(p.pid).children(recursive=True) if c.name() == "sleep"]:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    guard = psutil.Process(p.pid).children()[0]
    program = [c for c in guard.children() if c.name() == "sleep"][0]
    return p, folder, guard, program


def test_a_guarded_programs_starter_killed_leaves_neither_the_program_nor_its_folder(tmp_path):
    """A worker (with threads, as every worker has) SIGKILLed while its program runs: the guard is told when
    the worker's last thread ends; its folder (a copy of the report, page images) was often left."""
    p, folder, guard, program = _guarded(tmp_path, "sleep", "300")
    p.kill()
    p.wait()
    p.stdout.close()
    psutil.wait_procs([guard, program], timeout=10)
    assert not guard.is_running() and not program.is_running() and not folder.exists()


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM])
def test_a_guard_stopped_by_another_ends_its_program_and_says_it_was_stopped(tmp_path, sig):
    """`pkill` matches the guard too (its command line holds the program's): SIGTERM made the program's
    exit 143, read as its own (the report blamed); SIGKILL left the program running for good."""
    p, folder, guard, program = _guarded(tmp_path, "sleep", "300")
    try:
        guard.send_signal(sig)
        psutil.wait_procs([program], timeout=10)
        assert not program.is_running()
        assert p.stdout.readline().strip() == str(-sig)  # the program ended by that signal, not exit 143
        assert p.wait(10) == 0 and not folder.exists()  # (the starter lives: its own folder, removed by it)
    finally:
        p.kill()
        p.wait()
        p.stdout.close()


@pytest.mark.parametrize("to", ["", "1>&2"], ids=["stdout", "stderr"])
def test_a_program_flooding_its_output_is_ended_and_named_not_held_in_memory(monkeypatch, to):
    """A program that prints without end (to a pipe the reader reads): all it printed was held in the worker's
    memory; now at most MAX_OUTPUT_BYTES of it, then the program is ended and named."""
    from gkqc import lifeline

    monkeypatch.setattr(lifeline, "MAX_OUTPUT_BYTES", 1 << 20)
    t = time.monotonic()
    with pytest.raises(lifeline.OutputTooLarge) as e:
        lifeline.run_guarded(["sh", "-c", f"head -c 30000000 /dev/zero {to}; sleep 300"], 20,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert time.monotonic() - t < 10
    assert (e.value.program, e.value.most) == ("sh", 1 << 20)


@pytest.mark.parametrize("piped", [False, True], ids=["output-to-a-file", "output-piped"])
def test_a_guard_killed_leaves_nothing_its_program_started(tmp_path, piped):
    """The guard SIGKILLed (the memory's killer, `pkill -9`): its program died with it, but what the program
    started lived on (adopted by init, its output pipe held open: the starter waited on it). The starter
    ends the program's session when it sees its guard gone."""
    cmd = ["sh", "-c", "sleep 300 & exec sleep 300"]
    p = subprocess.Popen([sys.executable, "-c", _GUARDED, *cmd], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                         env={**os.environ, "TMPDIR": str(tmp_path), **({"PIPED": "1"} if piped else {})})
    started: list[psutil.Process] = []
    try:
        folder = Path(p.stdout.readline().strip())
        deadline = time.monotonic() + 30
        while len([c for c in _tree(p.pid) if _cmdline(c) == "sleep 300"]) < 2:  # the program and its child
            assert time.monotonic() < deadline
            time.sleep(0.05)
        started = _tree(p.pid)
        guard = psutil.Process(p.pid).children()[0]
        guard.kill()
        assert select.select([p.stdout], [], [], 20)[0], "the starter still waits"
        assert p.stdout.readline().strip() == "-9"  # (as a guard killed by another: the program's signal)
        assert_all_end(started)
        assert p.wait(10) == 0 and not folder.exists()
    finally:
        for proc in [psutil.Process(p.pid), *started] if p.poll() is None else started:
            with contextlib.suppress(psutil.Error):
                proc.kill()
        p.wait()
        p.stdout.close()


def _tree(pid: int) -> list[psutil.Process]:
    """The processes under `pid` (the guard, the program, the program's child)."""
    with contextlib.suppress(psutil.Error):
        return psutil.Process(pid).children(recursive=True)
    return []

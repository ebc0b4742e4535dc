"""`gkqc serve`: the cron schedule really fires a flow run against a local Prefect server."""

import contextlib
import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import ROOT, SAMPLES, free_port
from s3server import keys, s3_bucket, upload

pytestmark = pytest.mark.component

# `python -m gkqc.cli` as a terminal starts it, Ctrl-C at Python's own handler, however the suite was started
# (a script's background job inherits SIGINT ignored, and Python keeps it so: Ctrl-C would never reach serve)
AT_A_TERMINAL = [sys.executable, "-c", "import runpy, signal; signal.signal(signal.SIGINT, signal.default_int_handler); "
                 "runpy.run_module('gkqc.cli', run_name='__main__', alter_sys=True)"]


@pytest.mark.parametrize("where", ["local", "s3"])
def test_schedule_fires_a_run(tmp_path, where):
    """On object storage too: the scheduled run's database and scorecards land in the bucket."""
    with contextlib.ExitStack() as stack:
        if where == "s3":
            fs = stack.enter_context(s3_bucket(tmp_path / "moto.log", "served"))
            upload(fs, SAMPLES, "served/inbox")
            inbox, wh = "s3://served/inbox", "s3://served/wh"

            def built(name: str) -> bool:
                return any(k == name or k.endswith("/" + name) for k in keys(fs, "served/wh"))
        else:
            inbox, wh = str(SAMPLES), str(tmp_path / "wh")

            def built(name: str) -> bool:
                return any((tmp_path / "wh").rglob(name))
        _serve_until_built(tmp_path, inbox, wh, built)


def _serve_until_built(tmp_path, inbox: str, wh: str, built) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("PREFECT_API_URL", "PREFECT_HOME")}
    env["GKQC_LOCAL_DIR"] = str(tmp_path / "local")  # an s3 warehouse's local side
    proc = subprocess.Popen(
        [*AT_A_TERMINAL, "serve", inbox, "--warehouse", wh, "--cron", "* * * * *", "--port", str(free_port())],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 240  # server start, then the next whole minute, then the run
        while time.monotonic() < deadline and not built("gkqc.duckdb"):
            assert proc.poll() is None, proc.stdout.read().decode(errors="replace")
            time.sleep(2)
        assert built("gkqc.duckdb"), "no scheduled run completed within 4 minutes"
        end = time.monotonic() + 60
        while not built("scorecard.xlsx") and time.monotonic() < end:
            time.sleep(1)
        assert built("scorecard.xlsx")
    finally:
        os.killpg(proc.pid, signal.SIGINT)  # as Ctrl-C does: serve and its server stop together
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130  # interrupted, as a shell expects of Ctrl-C (Prefect takes the signal itself)
    end = time.monotonic() + 60  # the server shuts down gracefully: give it time
    while (leftover := _group(proc.pid)) and time.monotonic() < end:
        time.sleep(1)
    assert leftover == [], f"processes left running: {leftover}"


def _group(pgid: int) -> list[str]:
    return subprocess.run(["pgrep", "-g", str(pgid)], capture_output=True, text=True).stdout.split()


def test_bad_cron_is_refused(tmp_path):
    r = subprocess.run([sys.executable, "-m", "gkqc.cli", "serve", "--warehouse", str(tmp_path), "--cron", "every day"],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "cron" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "pydantic" not in r.stderr  # one line, not the validator's four

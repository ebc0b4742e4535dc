"""`gkqc serve`: the cron schedule really fires a flow run against a local Prefect server."""

import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import ROOT, SAMPLES, free_port

pytestmark = pytest.mark.component


def test_schedule_fires_a_run(tmp_path):
    wh = tmp_path / "wh"
    env = {k: v for k, v in os.environ.items() if k not in ("PREFECT_API_URL", "PREFECT_HOME")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "gkqc.cli", "serve", str(SAMPLES), "--warehouse", str(wh), "--cron", "* * * * *",
         "--port", str(free_port())],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        db = wh / "gkqc.duckdb"
        deadline = time.monotonic() + 240  # server start, then the next whole minute, then the run
        while time.monotonic() < deadline and not db.exists():
            assert proc.poll() is None, proc.stdout.read().decode(errors="replace")
            time.sleep(2)
        assert db.exists(), "no scheduled run completed within 4 minutes"
        assert (wh / "scorecards" / "scorecard.xlsx").exists() or _wait(wh / "scorecards" / "scorecard.xlsx")
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


def _wait(path, seconds=60):
    end = time.monotonic() + seconds
    while time.monotonic() < end and not path.exists():
        time.sleep(1)
    return path.exists()


def test_bad_cron_is_refused(tmp_path):
    r = subprocess.run([sys.executable, "-m", "gkqc.cli", "serve", "--warehouse", str(tmp_path), "--cron", "every day"],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "cron" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "pydantic" not in r.stderr  # one line, not the validator's four

"""The scheduled deployment: a local Prefect server (cron schedules need one) serving the flow."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

DEPLOYMENT = "gkqc-scheduled"


def start_server(port: int, log: Path) -> subprocess.Popen:
    """`prefect server start` on loopback, logging to a file. It stays in our process group, so the
    Ctrl-C (or signal) that stops `gkqc serve` stops the server too."""
    prefect = Path(sys.executable).with_name("prefect")
    cmd = [str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    out = log.open("ab")
    return subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=os.environ.copy())


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def wait_healthy(api_url: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{api_url}/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"Prefect 服务器在 {timeout:.0f} 秒内未就绪 (server not healthy at {api_url})")


def serve(inbox: str, warehouse: str, cron: str, workers: int = 2) -> None:
    """Register the deployment with its cron schedule and run it until interrupted."""
    from flows.pipeline import gkqc_run

    gkqc_run.serve(name=DEPLOYMENT, cron=cron, parameters={"inbox": inbox, "warehouse": warehouse, "workers": workers},
                   print_starting_message=True)

"""The scheduled deployment: a local Prefect server (cron schedules need one) serving the flow."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from gkqc.lifeline import start_child, stop_child, wait_healthy

__all__ = ["DEPLOYMENT", "serve", "start_server", "stop_server", "wait_healthy"]

DEPLOYMENT = "gkqc-scheduled"


def start_server(port: int, log: Path) -> subprocess.Popen:
    """`prefect server start` on loopback, logging to a file. The kernel kills it if `gkqc serve` dies; in
    its own process group, so Ctrl-C reaches only `gkqc serve`, which stops it once the runner has stopped."""
    prefect = Path(sys.executable).with_name("prefect")
    cmd = [str(prefect), "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    return start_child(cmd, log, own_group=True)


def stop_server(server: subprocess.Popen) -> None:
    stop_child(server, timeout=30)


def serve(inbox: str, warehouse: str, cron: str, workers: int = 2, cluster: str | None = None) -> None:
    """Register the deployment with its cron schedule and run it until interrupted (`cluster`: the
    Dask scheduler its runs parse on)."""
    from prefect.context import refresh_global_settings_context

    from flows.pipeline import gkqc_run

    refresh_global_settings_context()  # Prefect read its settings on import, before PREFECT_API_URL named our server
    gkqc_run.serve(name=DEPLOYMENT, cron=cron, parameters={"inbox": inbox, "warehouse": warehouse, "workers": workers,
                                                           "cluster": cluster},
                   print_starting_message=True)

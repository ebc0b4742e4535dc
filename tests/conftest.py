import os
import socket
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "collection"
DATA = Path(__file__).with_name("data")

# Keep Prefect quiet, offline and out of the user's home in every test.
# one Prefect home per test process (pytest-xdist workers each run their own API server and database)
os.environ["PREFECT_HOME"] = str(ROOT / ".prefect" / os.environ.get("PYTEST_XDIST_WORKER", "main"))
Path(os.environ["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")  # a new home migrates its database first


def emptied(folder: Path, seconds: float = 5) -> bool:
    """Whether `folder` is empty within `seconds` (a killed process's leftovers removed by whoever removes them)."""
    deadline = time.monotonic() + seconds
    while list(folder.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return not list(folder.iterdir())


def free_port() -> int:
    """A TCP port on 127.0.0.1 free at this moment (for a server a test starts)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def ali_bytes() -> bytes:
    return (SAMPLES / "ali-2020-annual-report.txt").read_bytes()


@pytest.fixture
def later(monkeypatch):
    """Moves the clock `ingest` stamps a run's files with (to the second) one second on, in place of
    sleeping until the next second: call it between two runs whose files must be stamped apart."""
    from datetime import datetime, timedelta

    import gkqc.ingest

    shift = [timedelta(0)]

    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):
            return datetime.now(tz) + shift[0]

    monkeypatch.setattr(gkqc.ingest, "datetime", Clock)

    def tick() -> None:
        shift[0] += timedelta(seconds=1)
    return tick


@pytest.fixture(scope="session")
def prefect_api(tmp_path_factory):
    """One Prefect API server for every flow run of a test process, in-process or a `gkqc run`
    child (each would otherwise start its own: 5–7 s), started when a first test asks for it
    (`pytestmark = pytest.mark.usefixtures("prefect_api")`). Tests of that start-up remove
    PREFECT_API_URL."""
    if os.environ.get("PREFECT_API_URL"):
        yield
        return
    from gkqc.lifeline import serve_prefect_api

    stop, api = serve_prefect_api(tmp_path_factory.mktemp("prefect") / "server.log")
    os.environ["PREFECT_API_URL"] = api
    if "prefect.context" in sys.modules:
        sys.modules["prefect.context"].refresh_global_settings_context()
    try:
        yield
    finally:
        os.environ.pop("PREFECT_API_URL", None)
        stop()


def pytest_collection_modifyitems(items):
    """A test that runs flows on a Prefect API server is a `component` test, as are those of the modules
    that mark themselves (a real browser, OCR engine, converter, scheduler or cluster)."""
    for item in items:
        if "prefect_api" in item.fixturenames:
            item.add_marker(pytest.mark.component)

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "collection"
DATA = Path(__file__).with_name("data")

# Keep Prefect quiet, offline and out of the user's home in every test.
os.environ.setdefault("PREFECT_HOME", str(ROOT / ".prefect"))
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


@pytest.fixture(scope="session")
def ali_bytes() -> bytes:
    return (SAMPLES / "ali-2020-annual-report.txt").read_bytes()

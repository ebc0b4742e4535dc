"""Paths and environment: where the sample collection and default warehouse live; quiet, offline Prefect."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
SAMPLE_INBOX = PROJECT_ROOT / "samples" / "collection"
DEFAULT_WAREHOUSE = PROJECT_ROOT / "data"  # data outside the code: warehouse/ holds only the SQL models
REMOTE_WAREHOUSES = DEFAULT_WAREHOUSE / "s3"  # the local side (lock, database, scorecards) of s3:// warehouses


def quiet_prefect(state_dir: Path) -> None:
    """Keep Prefect offline and silent, with its state in a local folder (call before importing prefect)."""
    (state_dir / ".prefect").mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PREFECT_HOME", str(state_dir / ".prefect"))
    os.environ.setdefault("DO_NOT_TRACK", "1")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_LOGGING_TO_API_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_CLI_PROMPT", "false")
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")


# DuckDB may otherwise take most of the machine's memory; past this it spills to disk.
DUCKDB_CONFIG = {"memory_limit": os.environ.get("GKQC_DUCKDB_MEMORY", "1GB"), "threads": 2}
# The warehouse's build runs beside what the run still holds after its check stage; its marts take up to
# the limit as cache, and a lower one fails at 1M reports (docs/benchmarks.md, the thirtieth sitting).
BUILD_MEMORY = os.environ.get("GKQC_BUILD_MEMORY", "700MB")


DECISIONS_DIR = "decisions"  # reviewers' decisions, beside the warehouse's DuckDB file (gkqc review)
DECISIONS_FILE = "decisions.jsonl"


def decisions_path(warehouse: Path) -> Path:
    """The reviewers' decisions of a warehouse (its local folder)."""
    return Path(warehouse) / DECISIONS_DIR / DECISIONS_FILE


def decisions_digest(warehouse: Path) -> str:
    """Of the decisions file as it is now ("none" without one): what a warehouse file was built with."""
    path = decisions_path(warehouse)
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12] if path.is_file() else "none"

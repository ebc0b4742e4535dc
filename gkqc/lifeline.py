"""Processes a run starts die with it: the Prefect API server and the parser workers.

(Stub: filled in by the process-lifetime work.)"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def prefect_api(state_dir: Path) -> Iterator[None]:
    """Run the body with a Prefect API that cannot outlive this process."""
    yield


def die_with_parent() -> None:
    """Initializer for worker processes: end when the process that started them ends."""

"""The handler that stops `gkqc run` on SIGTERM and Ctrl-C, kept in force inside its Prefect flow.

Prefect's flow engine puts its own SIGTERM handler in place while a flow runs; it raises Prefect's
TerminationSignal. Raised while DuckDB runs a query, that exception becomes DuckDB's own error and
the signal is lost: the run failed (exit 2) or went on (exit 0) instead of stopping (exit 143). The
flow puts the run's handler back (`reclaim`), which records the stop before it raises."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable

Handler = Callable[[int, object], None]
_handler: Handler | None = None


def install(handler: Handler) -> dict[int, object]:
    """`handler` for SIGTERM and SIGINT (in the main thread); the handlers it replaced."""
    global _handler
    _handler = handler
    return {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT)}


def restore(old: dict[int, object]) -> None:
    global _handler
    _handler = None
    for s, h in old.items():
        signal.signal(s, h)


def reclaim() -> None:
    """Inside a flow: the run's handler in force again for SIGTERM, where Prefect's replaced it (a
    scheduled run, with none installed, keeps Prefect's)."""
    if _handler is not None and threading.current_thread() is threading.main_thread() \
            and signal.getsignal(signal.SIGTERM) is not _handler:
        signal.signal(signal.SIGTERM, _handler)

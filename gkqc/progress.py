"""A progress hook the CLI sets and long stages call (no-op by default); the stages' times."""

from __future__ import annotations

import time
from collections.abc import Callable

_reporter: Callable[[str, int, int], None] | None = None


def set_reporter(fn: Callable[[str, int, int], None] | None) -> None:
    global _reporter
    _reporter = fn


def report(stage: str, done: int, total: int) -> None:
    if _reporter is not None:
        _reporter(stage, done, total)


def for_stage(stage: str) -> Callable[[int, int], None]:
    return lambda done, total: report(stage, done, total)


class Stopwatch:
    """Seconds per stage of a run, each from the end of the one before (`gkqc bench` reads them)."""

    def __init__(self) -> None:
        self.start = self._last = time.perf_counter()
        self.laps: dict[str, float] = {}

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.laps[stage], self._last = now - self._last, now

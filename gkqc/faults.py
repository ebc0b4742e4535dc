"""Named points where tests interrupt a run: `GKQC_FAULT=<point>[:<SIGNAL>]` (default SIGKILL) makes the
process send itself that signal when it reaches the point. Unset, a point does nothing."""

from __future__ import annotations

import os
import signal


def point(name: str) -> None:
    spec = os.environ.get("GKQC_FAULT")
    if spec and spec.split(":")[0] == name:
        os.kill(os.getpid(), getattr(signal, spec.partition(":")[2] or "SIGKILL"))

"""Named points where tests interrupt a run: `GKQC_FAULT=<point>[:<SIGNAL>]` (default SIGKILL) makes the
process send itself that signal when it reaches the point. Unset, a point does nothing."""

from __future__ import annotations

import os
import signal


def point(name: str) -> None:
    spec = os.environ.get("GKQC_FAULT")
    if spec and spec.split(":")[0] == name:
        os.kill(os.getpid(), getattr(signal, spec.partition(":")[2] or "SIGKILL"))


def point_in_query(con, name: str) -> None:
    """As `point`, from inside a DuckDB query on `con` (a signal arriving while DuckDB works lands there)."""
    spec = os.environ.get("GKQC_FAULT")
    if spec and spec.split(":")[0] == name:
        from duckdb import sqltypes

        def fault() -> int:
            point(name)
            return 0

        con.create_function("gkqc_fault", fault, [], sqltypes.INTEGER, side_effects=True)
        con.execute("select gkqc_fault()").fetchall()

"""Which version of an office-year is the newest: one rule, `NEWEST_FIRST`, for the warehouse's
`reports` (version_no, is_latest: warehouse/models/core/reports.sql) and for the checks that take an
office's previous report (`newest`, by checks.kinds.cross_year.latest_prev: A5, P3 and C1).

Newest first: a corrected re-publication (its title says 更正, 修订, 更新…: `metadata.CORRECTED`)
before the version it corrects; then the later publication date, a version without one dated by the
day it was collected (published after the others were, as far as anyone can tell); then the later
collected, by when each content was first collected (a file put back to an earlier content, or an old
copy collected again, does not make that content newer); then the smallest report id (a stable key,
not a judgement)."""

from __future__ import annotations

import duckdb
import polars as pl

from gkqc.readers.metadata import CORRECTED

# SQL over a report's title: whether it is a corrected re-publication (the pattern holds no quote)
IS_CORRECTION = f"regexp_matches(coalesce(title, ''), '{CORRECTED.pattern}')"
# SQL over a report's columns title, published_at, ingested_at, report_id
NEWEST_FIRST = ", ".join((
    f"{IS_CORRECTION} desc",
    "coalesce(published_at, ingested_at::date) desc",
    "ingested_at desc",
    "report_id",
))
COLUMNS = ("report_id", "title", "published_at", "ingested_at")  # what the rule reads


def newest(reports: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """The newest version (`NEWEST_FIRST`) of each group of `by` in `reports` (which holds `COLUMNS`):
    `by` and its report_id."""
    keys = ", ".join(f'"{c}"' for c in by)
    with duckdb.connect() as con:
        con.register("versions", reports.select(*by, *COLUMNS).to_arrow())
        return con.sql(f"select {keys}, report_id from versions "
                       f"qualify row_number() over (partition by {keys} order by {NEWEST_FIRST}) = 1").pl()

"""A set of ids (doc ids, report ids) that one ingest fills file by file, kept in an in-memory SQLite
table instead of as Python strings.

A million small strings added over a long loop, among the objects the libraries keep, leave Python's
small-object heap in pieces that stay mapped after the strings are freed (about 15 MB per 100,000
files, measured in docs/benchmarks.md); SQLite's pages are freed whole."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable


class SeenIds:
    def __init__(self, ids: Iterable[str] = ()):
        self._db = sqlite3.connect(":memory:")
        self._db.execute("create table ids (id text primary key) without rowid")
        self._db.executemany("insert or ignore into ids values (?)", ((i,) for i in ids))

    def add(self, id_: str) -> bool:
        """Add `id_`; whether it was new."""
        return self._db.execute("insert or ignore into ids values (?)", (id_,)).rowcount == 1

    def __contains__(self, id_: object) -> bool:
        return self._db.execute("select 1 from ids where id = ?", (id_,)).fetchone() is not None

    def __len__(self) -> int:
        return self._db.execute("select count(*) from ids").fetchone()[0]

    def close(self) -> None:
        self._db.close()

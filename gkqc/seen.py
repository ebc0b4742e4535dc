"""The ids one ingest has seen (doc ids, report ids), kept mostly outside Python's small-object heap.

A million id strings added over a long loop, among the objects the libraries keep meanwhile, leave
that heap in pieces which stay mapped after the strings are freed (docs/benchmarks.md, thirty-second
sitting). Here the newest ids are a Python set, merged every `batch` ids into one sorted array of
fixed-width bytes: the strings of a batch are freed while the next batch reuses their place."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

WIDTH = 32  # doc ids and report ids: 32 hex characters (gkqc.lake.doc_id_of, gkqc.rows.report_id_of)


def _plain(id_: object) -> bool:
    """An id the sorted array can hold as it is: WIDTH ASCII characters, none of them NUL (numpy's
    fixed-width bytes drop trailing NULs)."""
    return isinstance(id_, str) and len(id_) == WIDTH and id_.isascii() and "\x00" not in id_


class SeenIds:
    def __init__(self, ids: Iterable[str] = (), batch: int = 10_000):
        self._batch = batch
        self._new: set[str] = set()  # added since the last merge
        self._odd: set[object] = set()  # ids of another shape, kept as they are (none from this code)
        plain = []
        for id_ in ids:
            (plain.append if _plain(id_) else self._odd.add)(id_)
        self._sorted = np.unique(np.array(plain, dtype=f"S{WIDTH}"))

    def __contains__(self, id_: object) -> bool:
        if id_ in self._new or id_ in self._odd:
            return True
        if not _plain(id_):
            return False
        key = id_.encode("ascii")  # type: ignore[union-attr]
        i = int(np.searchsorted(self._sorted, key))
        return i < len(self._sorted) and self._sorted[i] == key

    def add(self, id_: str) -> bool:
        """Add `id_`; whether it was new."""
        if id_ in self:
            return False
        if not _plain(id_):
            self._odd.add(id_)
            return True
        self._new.add(id_)
        if len(self._new) >= self._batch:
            self._merge()
        return True

    def _merge(self) -> None:
        new = np.sort(np.array(list(self._new), dtype=f"S{WIDTH}"))
        self._sorted = np.insert(self._sorted, np.searchsorted(self._sorted, new), new)
        self._new = set()

    def __len__(self) -> int:
        return len(self._sorted) + len(self._new) + len(self._odd)

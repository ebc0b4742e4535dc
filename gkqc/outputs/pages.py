"""Where the site's pages are written, and the manifest that lets a re-publication carry pages over.

The manifest (`.pages.parquet` in a site: each page's name and the digest of what it was drawn
from; its metadata, the key the site was written under) is a file, not a dict: the digests of the
pages written go to part files as they are drawn, and the previous site's are read a chunk of pages
at a time, so neither of the site's processes holds a digest per page of the province while it
draws; only `save`, at the end, reads them all once to write them in order.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from gkqc.outputs.html import short_digest

MANIFEST = ".pages.parquet"  # in a site: name, digest; one row a page drawn with a digest
PARTS = ".pages-parts"  # in the folder being written: the digests noted so far, a file each FLUSH
FLUSH = 20_000  # digests a process holds before it writes them to a part
KEY = b"gkqc.site_key"  # the manifest's metadata: the key its site was written under
VOID = ".pages-void"  # in a site: pages a partial update replaced after its manifest was last saved
_PART = pa.schema([("name", pa.string()), ("digest", pa.string())])


def digest(*parts: object) -> str:
    """A page's digest: of everything it is drawn from, as read (every query the pages read from
    says its order: the same records, the same digest)."""
    return short_digest(repr(parts), 40)


def _key_of(manifest: Path) -> str | None:
    """The key a manifest was written under (None: no manifest, or an unreadable one)."""
    try:
        meta = pq.read_schema(manifest).metadata or {}
    except (OSError, pa.ArrowException):
        return None
    key = meta.get(KEY)
    return key.decode("utf-8", "replace") if key is not None else None


def _voided(path: Path) -> set[str]:
    """The pages listed in a site's VOID file (one JSON string a line; a line cut short by a kill
    names a page not yet replaced)."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return set()
    out = set()
    for line in lines:
        try:
            out.add(json.loads(line))
        except ValueError:
            continue
    return out


class Pages:
    """Where pages are written: a new folder, moved into place whole afterwards (`live` False), or
    the published site itself, each page replaced atomically (`live` True: a partial update).

    A page written with a digest of what it is drawn from is carried over from the `previous`
    site (a hard link) when that site was written under the same key (`start`) and has the page
    with the same digest: a nightly run draws only the pages whose reports changed. Before a chunk
    of pages, `recall` reads the previous digests of those pages."""

    def __init__(self, folder: Path, live: bool = False, previous: Path | None = None):
        self.folder, self.live = folder, live
        self.previous = folder if live else previous
        self.key = ""
        self.old: dict[str, str] = {}  # the previous site's digests of the pages recalled last
        self._manifest: Path | None = None  # the previous site's, when its key is ours
        self._new: list[tuple[str, str]] = []  # digests noted and not yet in a part
        self._part = 0
        self._void: set[str] = set()  # pages of the previous site whose manifest digest no longer holds
        self._voiding: set[str] = set()  # pages this partial update listed in VOID before replacing them

    def __getstate__(self) -> dict:
        """As a second process receives it: with no digests of this one's."""
        return {**self.__dict__, "old": {}, "_new": [], "_part": 0, "_voiding": set()}

    def start(self, key: str) -> None:
        """Set the key (what every page depends on: the code, the catalog, the selection); the
        previous site's manifest is used only if it was written under it."""
        self.key = key
        shutil.rmtree(self.folder / PARTS, ignore_errors=True)  # what an interrupted update left
        manifest = self.previous / MANIFEST if self.previous else None
        self._manifest = manifest if manifest is not None and _key_of(manifest) == key else None
        # a partial update stopped before its `save` left pages newer than their digests: never carried over
        self._void = _voided(self.previous / VOID) if self._manifest is not None else set()

    def recall(self, names: Iterable[str]) -> None:
        """Read the previous site's digests of these pages (a chunk's), in place of those read last:
        the manifest is read a batch of rows at a time, and only these pages' rows are kept."""
        self.old = {}
        if self._manifest is None:
            return
        wanted = pa.array(list(names), pa.string())
        try:
            for batch in pq.ParquetFile(self._manifest).iter_batches(columns=["name", "digest"]):
                hit = batch.filter(pc.is_in(batch.column(0), value_set=wanted))
                self.old.update(zip(hit.column(0).to_pylist(), hit.column(1).to_pylist(), strict=True))
        except (OSError, pa.ArrowException):  # damaged since `start`: draw them
            self.old = {}

    def reuse(self, name: str, digest: str) -> bool:
        """Carry the previous site's page over if its digest is `digest`; False: draw it."""
        if name in self._void or self.old.get(name) != digest:
            return False
        if not self.live:
            try:  # (paths as strings: a nightly run links every unchanged page, and Path objects cost more than the link)
                os.link(f"{self.previous}/{name}", f"{self.folder}/{name}")
            except FileNotFoundError:
                return False
            except OSError:  # no hard links here (another file system): a copy
                try:
                    shutil.copyfile(self.previous / name, self.folder / name)
                except FileNotFoundError:
                    return False
        elif not (self.folder / name).exists():
            return False
        self._note(name, digest)
        return True

    def put(self, name: str, html: str | Iterable[str], digest: str | None = None) -> None:
        """Write a page: its text, or its pieces as they are drawn."""
        if digest is not None:
            self._note(name, digest)
        path = self.folder / (f".{name}.tmp" if self.live else name)
        if self.live and digest is not None:
            self._list_void(name)
        try:
            with path.open("w", encoding="utf-8") as f:
                f.writelines([html] if isinstance(html, str) else html)
        except BaseException:
            if self.live:  # nothing half-drawn left in the published site
                path.unlink(missing_ok=True)
            raise
        if self.live:
            path.replace(self.folder / name)

    def _list_void(self, name: str) -> None:
        """Before a partial update replaces a published page: the page goes to VOID, so that if the
        update stops before `save`, its manifest digest (of the page it replaced) is not trusted."""
        if name not in self._voiding:
            with (self.folder / VOID).open("a", encoding="utf-8") as f:
                f.write(json.dumps(name, ensure_ascii=False) + "\n")
            self._voiding.add(name)

    def _note(self, name: str, digest: str) -> None:
        self._new.append((name, digest))
        if len(self._new) >= FLUSH:
            self.flush()

    def flush(self) -> None:
        """Write the digests noted so far to a part of their own (this process's: a second process
        writing the same site flushes before it ends)."""
        if not self._new:
            return
        names, digests = zip(*self._new, strict=True)
        (self.folder / PARTS).mkdir(exist_ok=True)
        pq.write_table(pa.table([list(names), list(digests)], schema=_PART),
                       self.folder / PARTS / f"{os.getpid()}-{self._part:06d}.parquet")
        self._new, self._part = [], self._part + 1

    def save(self) -> None:
        """Write the manifest: every part's digests (a partial update keeps the previous site's for
        the pages it did not touch), ordered by page name."""
        self.flush()
        parts = self.folder / PARTS
        new = pa.concat_tables([_PART.empty_table(), *(pq.read_table(p, schema=_PART) for p in sorted(parts.glob("*.parquet")))])
        if self.live and self._manifest is not None:
            try:
                old = pq.read_table(self._manifest, columns=["name", "digest"], schema=_PART)
                drawn = pa.concat_arrays([new.column(0).combine_chunks(), pa.array(sorted(self._void), pa.string())])
                new = pa.concat_tables([new, old.filter(pc.invert(pc.is_in(old.column(0), value_set=drawn)))])
            except (OSError, pa.ArrowException):
                pass  # unreadable now: the pages it did not touch are drawn next time
        tmp = self.folder / f"{MANIFEST}.tmp"
        pq.write_table(new.sort_by("name").replace_schema_metadata({KEY: self.key.encode("utf-8")}), tmp,
                       row_group_size=65_536)  # what `recall` decodes at once
        tmp.replace(self.folder / MANIFEST)
        (self.folder / VOID).unlink(missing_ok=True)  # every digest in the manifest now holds
        shutil.rmtree(parts, ignore_errors=True)

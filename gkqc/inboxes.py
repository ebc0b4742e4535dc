"""An inbox wherever it is: a local folder (`gkqc.inbox`, every entry treated as hostile) or a
prefix of an S3-compatible bucket, each giving the same `Source`s in the same order.

Objects are listed once and read a few at a time, in order (each request waits on the network:
reading them one by one would leave it idle). The rules are
the local ones: hidden names, skipped folders and top-level sidecars are left out, files over
the size limit are refused unread, zips are expanded member by member with the same limits, and a source
path is the key relative to the inbox, so a collection gives the same documents wherever it is.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pyarrow as pa
import pyarrow.fs as pafs

from gkqc.inbox import (
    OFFICES,
    OfficesError,
    bad_source,
    iter_sources,
    read_offices,
    scan_inbox,
    source_path,
    too_big,
    wanted,
    zip_members,
)
from gkqc.lake import MANIFEST
from gkqc.limits import MAX_FILE_BYTES
from gkqc.source import Source
from gkqc.stamps import Recorded
from gkqc.storage import SCHEME, ObjectStore, is_remote, place

READ_AHEAD = 16  # objects read at a time


class LocalInbox:
    """A folder of collected files."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.url = str(self.path)

    def exists(self) -> bool:
        return self.path.is_dir()

    def scan(self, warehouse: Path | None = None) -> list[str]:
        """The inbox's entries; `warehouse`, when inside it, is left out (gkqc.inbox.scan_inbox)."""
        return scan_inbox(self.path, warehouse)

    def listed(self, files: list[str]) -> list[str]:
        """The scanned entries' paths, as source paths name them."""
        top = os.path.abspath(self.path)
        return [source_path(top, name) for name in files]

    def sources(self, files: list[str], known: Recorded | None = None) -> Iterator[Source]:
        """`known`: the stamps of files not to read again while they keep them (gkqc.stamps)."""
        return iter_sources(self.path, files, known)

    def offices(self) -> tuple[bytes, pa.Table] | None:
        """(bytes, table) of the office registry beside the reports, or None; OfficesError when unusable."""
        path = self.path / OFFICES
        if not path.exists():
            return None
        table = read_offices(path)  # a registry that is not a regular file is refused here, unread
        return path.read_bytes(), table


class ObjectInbox:
    """Collected files under an s3://bucket/prefix."""

    def __init__(self, url: str):
        self.url = url.rstrip("/")
        store = place(self.url)
        assert isinstance(store, ObjectStore)
        self.fs, self.base = store.fs, store.base

    def exists(self) -> bool:
        """Whether any object is under the prefix (OSError when the storage cannot be asked)."""
        return bool(self.fs.get_file_info(pafs.FileSelector(self.base, recursive=False, allow_not_found=True)))

    def scan(self, warehouse: Path | None = None) -> list[pafs.FileInfo]:
        """Every object under the prefix in the local inbox's order: a folder's own files by name, then
        its subfolders (depth first), with the local rules for names that are skipped (`warehouse`: a
        local folder, never inside a bucket)."""
        found = self.fs.get_file_info(pafs.FileSelector(self.base, recursive=True, allow_not_found=True))
        files = [(info.path[len(self.base) + 1:], info) for info in found if info.type == pafs.FileType.File]
        marker = f"lake/{MANIFEST}"  # a warehouse under the prefix: another run's output, never collected files
        homes = tuple(rel.removesuffix(marker) for rel, _ in files if rel.endswith(f"/{marker}"))
        keep = []
        for rel, info in files:
            parts = rel.split("/")
            if not rel.startswith(homes) and all(p and wanted(p, k == 0) for k, p in enumerate(parts)):
                keep.append(((*((1, p) for p in parts[:-1]), (0, parts[-1])), info))
        return [info for _, info in sorted(keep, key=lambda x: x[0])]

    def listed(self, files: list[pafs.FileInfo]) -> list[str]:
        """The scanned objects' keys relative to the prefix, as source paths name them."""
        return [info.path[len(self.base) + 1:] for info in files]

    def _read(self, info: pafs.FileInfo) -> bytes | None:
        """An object's bytes; None when it is over the limit (only its first limit + 1 bytes are read)."""
        with self.fs.open_input_stream(info.path) as f:
            data = f.read(MAX_FILE_BYTES + 1)
        return None if len(data) > MAX_FILE_BYTES else data

    def sources(self, files: list[pafs.FileInfo], known: Recorded | None = None) -> Iterator[Source]:
        """One Source per object and per zip member; an object that cannot be read is a row with the reason.
        Every object is read (`known` is for local files: an object has no stamp here)."""
        with ThreadPoolExecutor(READ_AHEAD) as pool:
            ahead: deque[tuple[pafs.FileInfo, Future]] = deque()
            todo = iter(files)
            for info in todo:
                ahead.append((info, pool.submit(self._read, info)))
                if len(ahead) >= READ_AHEAD:
                    break
            while ahead:
                info, fut = ahead.popleft()
                for nxt in todo:
                    ahead.append((nxt, pool.submit(self._read, nxt)))
                    break
                yield from self._sources(info, fut)

    def _sources(self, info: pafs.FileInfo, fut: Future) -> Iterator[Source]:
        rel = info.path[len(self.base) + 1:]
        size = info.size or 0
        try:
            data = fut.result()
            if rel.lower().endswith(".zip"):
                with (io.BytesIO(data) if data is not None else self.fs.open_input_file(info.path)) as f:
                    yield from zip_members(f, rel, size)
            elif data is None:
                yield bad_source(rel, too_big(MAX_FILE_BYTES), size)
            else:
                yield Source(rel, data, None, size)
        except OSError as e:
            yield bad_source(rel, f"无法读取：{e}（{type(e).__name__}）", size)
        except Exception as e:  # whatever else, it is a row, not a crash
            yield bad_source(rel, f"无法读取（unexpected {type(e).__name__}: {e}）", size)

    def offices(self) -> tuple[bytes, pa.Table] | None:
        """(bytes, table) of the office registry object, or None; read as a local one would be."""
        try:
            with self.fs.open_input_stream(f"{self.base}/{OFFICES}") as f:
                data = f.read()
        except FileNotFoundError:
            return None
        with tempfile.TemporaryDirectory(prefix="gkqc-offices-") as tmp:
            path = Path(tmp) / OFFICES
            path.write_bytes(data)
            try:
                return data, read_offices(path)
            except OfficesError as e:  # name the object, not the temporary copy
                raise OfficesError(str(e).replace(str(path), f"{SCHEME}{self.base}/{OFFICES}")) from None


Inbox = LocalInbox | ObjectInbox


def open_inbox(where: str | Path | Inbox) -> Inbox:
    """The inbox at a local path or an s3:// URL."""
    if isinstance(where, LocalInbox | ObjectInbox):
        return where
    return ObjectInbox(str(where)) if is_remote(where) else LocalInbox(where)

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
import re
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

import pyarrow as pa
import pyarrow.fs as pafs

from gkqc.inbox import (
    OFFICES,
    InboxUnreadable,
    OfficesError,
    _line,
    bad_source,
    iter_sources,
    read_offices,
    scan_inbox,
    source_path,
    too_big,
    wanted,
    zip_members,
)
from gkqc.lake import MANIFEST, SCHEMA_FILE
from gkqc.limits import MAX_FILE_BYTES
from gkqc.source import Source
from gkqc.stamps import Recorded
from gkqc.storage import SCHEME, ObjectStore, is_remote, place

READ_AHEAD = 16  # objects read at a time
RETRY_WAITS = (1.0, 3.0)  # seconds before an object is read again after a storage error
# a storage error that may pass (the network, the server's 5xx, a timeout), as pyarrow's S3 client words it;
# any other (403, an archived object) refuses the object for good
_TRANSIENT = re.compile(r"NETWORK_CONNECTION|HTTP status 5\d\d|response code:? ?5\d\d|THROTTLING|SLOW_DOWN|"
                        r"SERVICE_UNAVAILABLE|timed? ?out|Connection (?:refused|reset)|curlCode", re.IGNORECASE)
T = TypeVar("T")


class LocalInbox:
    """A folder of collected files."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.url = str(self.path)

    def exists(self) -> bool:
        return self.path.is_dir()

    def scan(self, warehouse: str | Path | None = None) -> list[str]:
        """The inbox's entries; `warehouse`, when inside it, is left out (gkqc.inbox.scan_inbox)."""
        return scan_inbox(self.path, None if warehouse is None or is_remote(warehouse) else Path(warehouse))

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


UNSAFE_KEY = "对象键含空段、. 或 .. 段，或以 / 开头，未读取（unsafe object key）"
_DOTS = {".", ".."}
_LAKE_MARK = re.compile(rf"/lake/({re.escape(MANIFEST)}|[^/]+/{re.escape(SCHEMA_FILE)})$")  # a warehouse's lake


def unsafe_key(rel: str) -> bool:
    """A key (relative to the inbox) no path can name: an empty segment (`//`, a leading `/`), `.` or `..`."""
    return any(not p or p in _DOTS for p in rel.split("/"))


class _Ranged(io.RawIOBase):
    """An object read in ranges, as a seekable file (a zip over the size limit: only its directory and the
    members read are fetched); each range tried again after a storage error (`ObjectInbox._retried`)."""

    def __init__(self, box: ObjectInbox, info: pafs.FileInfo):
        super().__init__()
        self.box, self.key, self.size, self.pos = box, info.path, info.size or 0, 0
        self.f = box._retried(self.key, lambda: box.fs.open_input_file(self.key))

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.pos

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        self.pos = max(0, offset + (0, self.pos, self.size)[whence])
        return self.pos

    def readinto(self, buf) -> int:
        n = min(len(buf), max(self.size - self.pos, 0))
        data = self.box._retried(self.key, lambda: self.f.read_at(n, self.pos)) if n else b""
        buf[:len(data)] = data
        self.pos += len(data)
        return len(data)

    def close(self) -> None:
        if not self.closed:
            self.f.close()
        super().close()


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

    def scan(self, warehouse: str | Path | None = None) -> list[pafs.FileInfo]:
        """Every object under the prefix in the local inbox's order: a folder's own files by name, then
        its subfolders (depth first), with the local rules for names that are skipped. A warehouse under
        the prefix is left out: `warehouse` (the run's own, an s3:// URL) and any prefix holding a lake."""
        found = self.fs.get_file_info(pafs.FileSelector(self.base, recursive=True, allow_not_found=True))
        files = [(info.path[len(self.base) + 1:], info) for info in found if info.type == pafs.FileType.File]
        homes = tuple(rel[:m.start() + 1] for rel, _ in files if (m := _LAKE_MARK.search(rel)))
        if warehouse is not None and is_remote(warehouse):
            own = place(warehouse).base
            homes += (own[len(self.base) + 1:] + "/",) if own.startswith(f"{self.base}/") else ()
        keep = []
        for rel, info in files:
            parts = rel.split("/")
            if not rel.startswith(homes) and all(not p or p in _DOTS or wanted(p, k == 0) for k, p in enumerate(parts)):
                keep.append(((*((1, p) for p in parts[:-1]), (0, parts[-1])), info))
        return [info for _, info in sorted(keep, key=lambda x: x[0])]

    def listed(self, files: list[pafs.FileInfo]) -> list[str]:
        """The scanned objects' keys relative to the prefix, as source paths name them."""
        return [info.path[len(self.base) + 1:] for info in files]

    def _retried(self, key: str, read: Callable[[], T]) -> T:
        """`read()`, again after a storage error (`RETRY_WAITS`); failing still: InboxUnreadable naming the
        object. An object removed since the listing (FileNotFoundError) or refused (PermissionError) is not
        tried again."""
        for wait in (*RETRY_WAITS, None):
            try:
                return read()
            except (FileNotFoundError, PermissionError):
                raise
            except OSError as e:
                if not _TRANSIENT.search(str(e)):  # refused for good (403, archived, a key it cannot use): a row
                    raise
                if wait is None:
                    why = str(e).splitlines()[0] if str(e) else type(e).__name__
                    raise InboxUnreadable(_line(f"收件箱对象无法读取：{SCHEME}{key}（{why}），本次运行未提交 "
                                                "(inbox object unreadable: nothing committed)")) from None
                time.sleep(wait)
        raise AssertionError("unreachable")

    def _read(self, info: pafs.FileInfo) -> bytes | None:
        """An object's bytes; None when it is over the limit (only its first limit + 1 bytes are read), or
        its key is unsafe (`unsafe_key`: never read)."""
        if unsafe_key(info.path[len(self.base) + 1:]):
            return None

        def read() -> bytes:
            with self.fs.open_input_stream(info.path) as f:
                return f.read(MAX_FILE_BYTES + 1)

        data = self._retried(info.path, read)
        return None if len(data) > MAX_FILE_BYTES else data

    def sources(self, files: list[pafs.FileInfo], known: Recorded | None = None) -> Iterator[Source]:
        """One Source per object and per zip member; an object that cannot be read is a row with the reason,
        one removed since the listing none (as a local file). A storage error that outlasts a few tries
        raises InboxUnreadable. Every object is read (`known` is for local files: an object has no stamp here)."""
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
        if unsafe_key(rel):  # (listed, never read: a client would read another key, or none)
            yield bad_source(rel, UNSAFE_KEY, size)
            return
        try:
            data = fut.result()
            if rel.lower().endswith(".zip"):
                with (io.BytesIO(data) if data is not None else _Ranged(self, info)) as f:
                    yield from zip_members(f, rel, size)
            elif data is None:
                yield bad_source(rel, too_big(MAX_FILE_BYTES), size)
            else:
                yield Source(rel, data, None, size)
        except FileNotFoundError as e:  # removed after the inbox was listed: as if removed before the run
            if not self._gone(info.path):  # (listed, yet not found by its name: `report.txt/` with content)
                yield bad_source(rel, f"无法读取：{e}（{type(e).__name__}）", size)
        except InboxUnreadable:
            raise
        except OSError as e:
            yield bad_source(rel, f"无法读取：{e}（{type(e).__name__}）", size)
        except Exception as e:  # whatever else, it is a row, not a crash
            yield bad_source(rel, f"无法读取（unexpected {type(e).__name__}: {e}）", size)

    def _gone(self, key: str) -> bool:
        """Whether nothing is under `key` any more (asked again; a storage error: not known gone)."""
        try:
            return self.fs.get_file_info(key).type == pafs.FileType.NotFound
        except OSError:
            return False

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

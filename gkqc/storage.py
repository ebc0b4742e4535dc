"""Where files live: a local folder or a prefix of an S3-compatible bucket, behind one small interface.

`place(url)` gives a `Store` for a local path or `s3://bucket/prefix`; the lake, the inbox and the
warehouse list, read and write through it. Readers are handed URIs (a local path, or
`s3://bucket/key`) and open them through `resolve(uri)` (pyarrow), `read_frame` (polars) or
`attach(con)` (DuckDB, which reads object storage through the filesystem it is given: no extension).

Writes are atomic either way: a local file is written beside its name, flushed and renamed; an object
is one PUT of the finished bytes (an object is whole or absent).

S3 settings come from the usual AWS environment, read by pyarrow's S3 client (Arrow C++ over the AWS
SDK): `AWS_ENDPOINT_URL_S3` or `AWS_ENDPOINT_URL` for an S3-compatible server (`http://host:port`),
`AWS_REGION` / `AWS_DEFAULT_REGION`, and credentials from the environment or a profile (`AWS_PROFILE`).
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import pyarrow.fs as pafs

from gkqc import faults

SCHEME = "s3://"


def is_remote(url: str | Path) -> bool:
    return str(url).startswith(SCHEME)


@cache
def _s3(endpoint: str | None, region: str | None) -> pafs.S3FileSystem:
    kw: dict = {}
    if endpoint:
        u = urlsplit(endpoint if "://" in endpoint else f"https://{endpoint}")
        kw |= {"endpoint_override": u.netloc + u.path.rstrip("/"), "scheme": u.scheme or "https"}
    if region:
        kw["region"] = region
    return pafs.S3FileSystem(**kw)


def s3_filesystem() -> pafs.S3FileSystem:
    """pyarrow's S3 client configured from the environment (one per endpoint and region)."""
    env = os.environ
    return _s3(env.get("AWS_ENDPOINT_URL_S3") or env.get("AWS_ENDPOINT_URL"),
               env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION"))


def resolve(uri: str) -> tuple[pafs.FileSystem | None, str]:
    """(filesystem, path in it) for a reader; None for a local path (pyarrow opens it directly)."""
    return (s3_filesystem(), uri.removeprefix(SCHEME)) if is_remote(uri) else (None, uri)


@dataclass(frozen=True)
class Entry:
    size: int
    mtime: datetime | None
    is_dir: bool


class Store:
    """A folder to list, read and write: local (plain OS calls) or an S3 prefix (pyarrow's S3 client).
    Paths given to its methods are relative to it ('documents/part-x.parquet')."""

    remote = False

    def __init__(self, base: str):
        self.base = base.rstrip("/") or "/"

    def path(self, *parts: str) -> str:
        """Full path of a relative one ('' for the store itself), '/'-separated."""
        rel = "/".join(p for p in parts if p)
        return f"{self.base}/{rel}" if rel else self.base

    def uri(self, *parts: str) -> str:
        """What a reader is given: the local path, or s3://bucket/key."""
        return self.path(*parts)

    @property
    def url(self) -> str:
        return self.uri()

    def child(self, *parts: str) -> Store:
        return type(self)(self.path(*parts))

    # local implementation; ObjectStore overrides each
    def exists(self, rel: str) -> bool:
        return os.path.exists(self.path(rel))

    def read_bytes(self, rel: str) -> bytes:
        """The file's bytes; FileNotFoundError when it is not there."""
        with open(self.path(rel), "rb") as f:
            return f.read()

    def write_with(self, rel: str, writer: Callable[[str | io.BytesIO], object]) -> int:
        """Write a file whole or not at all: `writer` fills a temporary file (a path) that is flushed to
        disk and renamed to its name. Returns its size in bytes."""
        path = self.path(rel)
        tmp = f"{path}.tmp"
        writer(tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
            size = os.fstat(f.fileno()).st_size
        os.replace(tmp, path)
        return size

    def write_bytes(self, rel: str, data: bytes) -> int:
        def put(target: str | io.BytesIO) -> None:
            if isinstance(target, str):
                Path(target).write_bytes(data)
            else:
                target.write(data)
        return self.write_with(rel, put)

    def list(self, rel: str = "") -> dict[str, Entry]:
        """The entries of a folder by name (empty when it does not exist)."""
        out = {}
        try:
            with os.scandir(self.path(rel)) as it:
                for e in it:
                    st = e.stat(follow_symlinks=False)
                    out[e.name] = Entry(st.st_size, datetime.fromtimestamp(st.st_mtime, UTC),
                                        e.is_dir(follow_symlinks=False))
        except (FileNotFoundError, NotADirectoryError):
            pass
        return out

    def tail(self, rel: str, size: int, n: int) -> bytes:
        with open(self.path(rel), "rb") as f:
            f.seek(max(size - n, 0))
            return f.read(n)

    def delete(self, rel: str) -> None:
        path = self.path(rel)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            Path(path).unlink(missing_ok=True)

    def makedirs(self, rel: str = "") -> None:
        os.makedirs(self.path(rel), exist_ok=True)

    def sync(self, rel: str = "") -> None:
        """Make the folder's renames durable."""
        fd = os.open(self.path(rel), os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class ObjectStore(Store):
    """An S3 prefix: no folders, no renames; a write is one PUT of the finished bytes."""

    remote = True

    def __init__(self, base: str, fs: pafs.FileSystem | None = None):
        super().__init__(base)
        self.fs = fs or s3_filesystem()

    def uri(self, *parts: str) -> str:
        return SCHEME + self.path(*parts)

    def child(self, *parts: str) -> Store:
        return ObjectStore(self.path(*parts), self.fs)

    def exists(self, rel: str) -> bool:
        return self.fs.get_file_info(self.path(rel)).type != pafs.FileType.NotFound

    def read_bytes(self, rel: str) -> bytes:
        with self.fs.open_input_stream(self.path(rel)) as f:
            return f.read()

    def write_with(self, rel: str, writer: Callable[[str | io.BytesIO], object]) -> int:
        buf = io.BytesIO()
        writer(buf)
        data = buf.getbuffer()
        with self.fs.open_output_stream(self.path(rel)) as out:
            out.write(data)
        return len(data)

    def list(self, rel: str = "") -> dict[str, Entry]:
        sel = pafs.FileSelector(self.path(rel), recursive=False, allow_not_found=True)
        return {i.base_name: Entry(i.size or 0, i.mtime, i.type == pafs.FileType.Directory)
                for i in self.fs.get_file_info(sel)}

    def tail(self, rel: str, size: int, n: int) -> bytes:
        with self.fs.open_input_file(self.path(rel)) as f:
            return f.read_at(n, max(size - n, 0))

    def delete(self, rel: str) -> None:
        path = self.path(rel)
        info = self.fs.get_file_info(path)
        if info.type == pafs.FileType.Directory:
            self.fs.delete_dir(path)
        elif info.type != pafs.FileType.NotFound:
            self.fs.delete_file(path)

    def makedirs(self, rel: str = "") -> None:
        return None  # keys need no folders

    def sync(self, rel: str = "") -> None:
        return None  # a PUT is durable when it returns

    def upload(self, local: Path, rel: str, prune: str | None = None) -> None:
        """Copy a local file or folder here (each file one PUT). `prune`: a folder of it whose objects the
        local folder no longer has are deleted, once every file is up (a reader never finds a page missing)."""
        if local.is_dir():
            pafs.copy_files(str(local), self.path(rel), source_filesystem=pafs.LocalFileSystem(),
                            destination_filesystem=self.fs)
        else:
            self.write_bytes(rel, local.read_bytes())
        if prune is not None:
            self.prune(local / prune, self.path(rel, prune))

    def prune(self, local: Path, path: str) -> None:
        """Delete the objects under `path` (a full path, not the store's base) that the local folder lacks
        (none when there is no local folder: nothing was built to stand in their place)."""
        if not local.is_dir():
            return
        found = self.fs.get_file_info(pafs.FileSelector(path, recursive=True, allow_not_found=True))
        for info in found:
            if info.type == pafs.FileType.File and not (local / info.path[len(path) + 1:]).is_file():
                self.fs.delete_file(info.path)


def place(url: str | Path) -> Store:
    """The store at a local path or an s3://bucket/prefix URL."""
    text = str(url)
    if is_remote(text):
        base = text.removeprefix(SCHEME).strip("/")
        if not base:
            raise ValueError(f"对象存储地址缺少桶名：{text} (expected s3://bucket/prefix)")
        return ObjectStore(base)
    return Store(str(Path(text)))


# ---------------------------------------------------------------------------------------------- warehouses
LOCAL_ROOT_ENV = "GKQC_LOCAL_DIR"  # where the local side of object-storage warehouses goes


def normalize(url: str | Path) -> str:
    """A warehouse or inbox location as given: an s3:// URL without a trailing slash, a local path
    made absolute."""
    text = str(url)
    return text.rstrip("/") if is_remote(text) else str(Path(text).resolve())


@dataclass(frozen=True)
class Warehouse:
    """A warehouse: the lake and the published outputs at `url` (a local folder or an S3 prefix), and
    a local folder for what one machine needs: the run lock, Prefect's state, the database file and
    the scorecards as built (uploaded to `url` when it is remote; the warehouse itself when local)."""

    url: str
    local: Path

    @property
    def remote(self) -> bool:
        return is_remote(self.url)

    @property
    def store(self) -> Store:
        return place(self.url)

    @property
    def lake(self) -> Store:
        return self.store.child("lake")

    def uri(self, rel: str) -> str:
        return self.store.uri(rel)

    def upload(self, path: Path, rel: str, prune: str | None = None) -> None:
        """Put a file or folder built locally at `rel` in the warehouse (nothing to do when local); `prune`:
        a folder of it whose objects not built this time are deleted after (`ObjectStore.upload`)."""
        store = self.store
        if isinstance(store, ObjectStore):
            faults.point("upload")
            store.upload(path, rel, prune)


def warehouse(url: str | Path, default_root: Path | None = None) -> Warehouse:
    """The warehouse at a local path or s3:// URL. The local side of a remote one is a folder named
    after its URL under $GKQC_LOCAL_DIR (else `default_root`, else `settings.REMOTE_WAREHOUSES`)."""
    from gkqc.settings import REMOTE_WAREHOUSES

    url = normalize(url)
    if not is_remote(url):
        return Warehouse(url, Path(url))
    root = Path(os.environ.get(LOCAL_ROOT_ENV) or default_root or REMOTE_WAREHOUSES)
    name = url.removeprefix(SCHEME).strip("/").replace("/", "__")
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)[:80]
    return Warehouse(url, root / f"{safe}-{hashlib.sha256(url.encode()).hexdigest()[:8]}")


# ---------------------------------------------------------------------------------------------- readers
def read_frame(uris: list[str], columns: list[str] | None = None, missing_columns: str = "raise"):
    """Parquet files as one polars frame: local paths read by polars itself (as before), objects
    through pyarrow's S3 client (columns a file lacks are null, as polars' `missing_columns='insert'`)."""
    import polars as pl

    if not any(is_remote(u) for u in uris):
        return pl.read_parquet(uris, columns=columns, missing_columns=missing_columns)
    import pyarrow.parquet as pq

    frames = []
    for u in uris:
        fs, path = resolve(u)
        f = pq.ParquetFile(path, filesystem=fs)
        have = f.schema_arrow.names
        cols = columns if columns is not None else have
        if missing_columns != "insert" and (gone := [c for c in cols if c not in have]):
            raise KeyError(f"{u}: no column {gone[0]}")
        frames.append(pl.from_arrow(f.read(columns=[c for c in cols if c in have], use_threads=False)))
    out = pl.concat(frames, how="diagonal_relaxed")
    return out.select(columns) if columns is not None else out


def attach(con, uris: list[str] | None = None) -> None:
    """Let a DuckDB connection read s3:// files through pyarrow's S3 client (registered as an fsspec
    filesystem: no httpfs extension to download). Does nothing when every URI is local."""
    if uris is not None and not any(is_remote(u) for u in uris):
        return
    from fsspec.implementations.arrow import ArrowFSWrapper

    if "s3" not in con.list_filesystems():
        con.register_filesystem(ArrowFSWrapper(s3_filesystem()))

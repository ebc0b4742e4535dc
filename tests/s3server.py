"""An S3-compatible server for tests: moto's server mode in a child process on 127.0.0.1, spoken to over
real HTTP by pyarrow's S3 client (no client mocks), stopped by its PID at the end."""

from __future__ import annotations

import os
import socket
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import psutil
import pyarrow.fs as pafs
from conftest import free_port

from gkqc.lifeline import start_child, stop_child

ENV = ("AWS_ENDPOINT_URL", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION", "AWS_REGION",
       "AWS_ENDPOINT_URL_S3", "AWS_PROFILE")


def gone(pid: int) -> bool:
    """The process has ended (and was reaped, or is a zombie about to be)."""
    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@contextmanager
def s3_server(log: Path) -> Iterator[str]:
    """Start moto's S3 server, point the AWS_* environment at it for the body, and stop it by PID;
    yields its endpoint URL."""
    port = free_port()
    proc = start_child([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)], log)
    saved = {k: os.environ.get(k) for k in ENV}
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"moto server did not start: {log.read_text(errors='replace')}") from None
                time.sleep(0.1)
        endpoint = f"http://127.0.0.1:{port}"
        for k in ENV:
            os.environ.pop(k, None)
        os.environ.update(AWS_ENDPOINT_URL=endpoint, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
                          AWS_DEFAULT_REGION="us-east-1")
        yield endpoint
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        stop_child(proc)
        assert gone(proc.pid), f"moto server {proc.pid} still running"


def admin_fs(endpoint: str) -> pafs.S3FileSystem:
    """A client that may create buckets (gkqc's own never does)."""
    return pafs.S3FileSystem(endpoint_override=urlsplit(endpoint).netloc, scheme="http", access_key="test",
                             secret_key="test", region="us-east-1", allow_bucket_creation=True)


@contextmanager
def s3_bucket(log: Path, bucket: str) -> Iterator[pafs.S3FileSystem]:
    """A server with one empty bucket: its admin client (AWS_* point at the server meanwhile)."""
    with s3_server(log) as endpoint:
        fs = admin_fs(endpoint)
        fs.create_dir(bucket)
        yield fs


def upload(fs: pafs.FileSystem, folder: Path, prefix: str) -> None:
    """Copy a local folder's files to bucket/prefix, keys relative to the folder."""
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            with fs.open_output_stream(f"{prefix}/{p.relative_to(folder).as_posix()}") as out:
                out.write(p.read_bytes())


def keys(fs: pafs.FileSystem, prefix: str) -> dict[str, int]:
    """Every object under a prefix: key relative to it -> size."""
    infos = fs.get_file_info(pafs.FileSelector(prefix, recursive=True, allow_not_found=True))
    return {i.path[len(prefix) + 1:]: i.size for i in infos if i.type == pafs.FileType.File}

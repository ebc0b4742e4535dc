"""One run at a time per warehouse: an exclusive lock on `<warehouse>/.gkqc.lock`.

The lock is the kernel's (flock): it goes with the process that holds it, however that process
ends, so a killed run never leaves a stale lock. The file says who holds it, for the message a
second run prints. Within one process the lock is re-entrant (the CLI takes it before Prefect
starts, the flow again for scheduled runs).

A warehouse on object storage (s3://bucket/prefix) has no folder to lock: the lock file is in its
local folder, which is named after the URL (`gkqc.storage.warehouse`), so runs on one machine
exclude each other as they do locally. Across machines the lake itself refuses a lost update: a
commit first reads the manifest and publishes only if it is still the commit the run started
from (`Lake.commit`), and objects no commit names are removed only once hours old, so a run never
deletes the unpublished parts of another. Run one scheduler per warehouse.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from gkqc.storage import Store

LOCK_NAME = ".gkqc.lock"
_held: dict[Path, int] = {}  # lock path -> depth, in this process


class WarehouseBusy(RuntimeError):
    """Another process holds the warehouse."""


class WarehouseUnusable(RuntimeError):
    """The warehouse folder cannot be created or written."""


def prepare_remote(store: Store) -> None:
    """Check that an object-storage warehouse can be written (one small object put and removed);
    raise WarehouseUnusable with one line naming it."""
    probe = f".gkqc-write-test-{os.getpid()}"
    try:
        store.write_bytes(probe, b"")
        store.delete(probe)
    except OSError as e:
        raise WarehouseUnusable(f"对象存储中的数据仓库无法写入：{store.url}（{str(e).splitlines()[0]}） "
                                f"(warehouse on object storage not writable)") from e


def refuse_a_file(warehouse: Path) -> None:
    """Raise WarehouseUnusable when the warehouse path is a file (it may not exist yet)."""
    if warehouse.exists() and not warehouse.is_dir():
        raise WarehouseUnusable(f"数据仓库路径不是目录：{warehouse} (warehouse path is not a folder)")


def prepare(warehouse: Path) -> Path:
    """Create the warehouse folder if needed; raise WarehouseUnusable with one line naming the path."""
    refuse_a_file(warehouse)
    try:
        warehouse.mkdir(parents=True, exist_ok=True)
        probe = warehouse / f".gkqc-write-test-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as e:
        raise WarehouseUnusable(f"数据仓库目录无法写入：{warehouse}（{e.strerror or e}） (warehouse not writable)") from e
    return warehouse


@contextmanager
def hold(warehouse: Path, what: str = "gkqc run", wait: float = 0.0) -> Iterator[None]:
    """Hold the warehouse for the body; raise WarehouseBusy if another process holds it: at once, or
    after waiting up to `wait` seconds for it (a scheduled run, while a review or a manual run ends)."""
    Path(warehouse).mkdir(parents=True, exist_ok=True)
    path = (Path(warehouse) / LOCK_NAME).resolve()
    if path in _held:
        _held[path] += 1
        try:
            yield
        finally:
            _held[path] -= 1
        return
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise WarehouseBusy(_busy_message(path)) from None
                time.sleep(min(5.0, max(0.05, deadline - time.monotonic())))
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps({"pid": os.getpid(), "command": what,
                                 "started": datetime.now().isoformat(timespec="seconds")}).encode())
        _held[path] = 1
        try:
            yield
        finally:
            del _held[path]
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def holder(warehouse: Path) -> str | None:
    """Who holds the warehouse now, as its lock file names them (`gkqc review（PID 7976…）`), when that
    process still runs; None when no one does (read without taking the lock: a run starting then is
    never refused for it)."""
    try:
        info = json.loads((Path(warehouse) / LOCK_NAME).read_text(encoding="utf-8"))
        pid = int(info["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if pid == os.getpid() or not alive(pid):
        return None
    return f"{info.get('command', 'gkqc')}（PID {pid}，开始于 {info.get('started')}）"


def alive(pid: int) -> bool:
    """Whether a process of that id runs (another user's counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process
        return True
    return True


def _busy_message(path: Path) -> str:
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
        who = f"{info.get('command', 'gkqc')}（PID {info.get('pid')}，开始于 {info.get('started')}）"
    except (OSError, ValueError):
        who = "另一个 gkqc 进程"
    return (f"数据仓库 {path.parent} 正被 {who} 使用，请等它结束后再运行 "
            f"(warehouse busy: another run holds {path})")

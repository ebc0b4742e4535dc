"""gkqc.inbox: every hostile entry of an inbox becomes one row (bytes or a reason), never a crash or a hang."""

from __future__ import annotations

import csv
import io
import os
import resource
import signal
import socket
import stat
import tracemalloc
import zipfile
from pathlib import Path

import pytest

from gkqc import inbox as ib
from gkqc import limits
from gkqc.inbox import (
    ENCRYPTED,
    MAX_FILE_BYTES,
    NESTED,
    OFFICE_COLUMNS,
    OfficesError,
    Source,
    iter_sources,
    read_offices,
    scan_inbox,
)
from gkqc.lake import SCHEMAS

MB = 1 << 20


@pytest.fixture(autouse=True)
def no_hang():
    """A test that blocks (on a FIFO, on /dev/zero) fails after 30 s instead of hanging the suite."""
    def boom(*_):
        pytest.fail("blocked: the inbox reader hangs")  # not an OSError: the reader must not swallow it
    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(30)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)


def rows(inbox: Path) -> dict[str, Source]:
    out = list(iter_sources(inbox, scan_inbox(inbox)))
    by_path = {s.path: s for s in out}
    assert len(by_path) == len(out), "one row per path"
    return by_path


def rows_and_peak(inbox: Path) -> tuple[dict[str, Source], int]:
    """`rows`, and the most memory Python allocated while reading them."""
    tracemalloc.start()
    try:
        got = rows(inbox)
        return got, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def problem(inbox: Path, path: str) -> str:
    s = rows(inbox)[path]
    assert s.data is None and s.problem, s
    return s.problem


def write(p: Path, data: bytes | str = b"x") -> Path:
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(data.encode() if isinstance(data, str) else data)
    return p


def make_zip(p: Path, members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> Path:
    p.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(p, "w", method) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return p


def central_entry(buf: bytes | bytearray, name: bytes) -> int:
    """Offset of a member's central directory header."""
    at = buf.find(b"PK\x01\x02")
    while at >= 0:
        n = int.from_bytes(buf[at + 28:at + 30], "little")
        if buf[at + 46:at + 46 + n] == name:
            return at
        at = buf.find(b"PK\x01\x02", at + 4)
    raise AssertionError(name)


# --- scan_inbox --------------------------------------------------------------------------------


def test_scan_order_and_skips(tmp_path):
    for rel in ["b.txt", "a.html", "offices.csv", "truth.jsonl", ".hidden", "w.duckdb", "sub/offices.csv",
                "sub/z.txt", "sub/deep/y.txt", "a_dir/x.txt", ".git/config", "lake/p.parquet",
                "__pycache__/m.pyc", ".venv/bin/python", "sub/.secret/s.txt"]:
        write(tmp_path / rel)
    got = [os.path.relpath(p, tmp_path) for p in scan_inbox(tmp_path)]
    # a folder's own files first (sorted), then its subfolders; sidecars only skipped at the top
    assert got == ["a.html", "b.txt", "w.duckdb", "a_dir/x.txt", "lake/p.parquet", "sub/offices.csv", "sub/z.txt",
                   "sub/deep/y.txt"]
    assert all(os.path.isabs(p) for p in scan_inbox(tmp_path))


def test_scan_leaves_out_a_warehouse_inside_the_inbox(tmp_path):
    """A run's own output is never collected files: the warehouse the run writes (before its lake has
    a manifest too) and any other folder holding a lake. A folder merely named `lake`, or a file named
    `*.duckdb`, is collected as any other (they were left out unseen, with no documents row)."""
    for rel in ["a.txt", "wh/gkqc.duckdb", "wh/scorecards/site/office.html", "wh/lake/reports/part-1.parquet",
                "old/wh2/lake/_manifest.json", "old/wh2/scorecards/scorecard.xlsx", "old/b.txt",
                "lake/c.txt", "d.duckdb"]:
        write(tmp_path / rel)
    got = [os.path.relpath(p, tmp_path) for p in scan_inbox(tmp_path, tmp_path / "wh")]
    assert got == ["a.txt", "d.duckdb", "lake/c.txt", "old/b.txt"]
    assert "wh/gkqc.duckdb" in [os.path.relpath(p, tmp_path) for p in scan_inbox(tmp_path)]  # (another warehouse's run)


def test_scan_relative_inbox_gives_absolute_paths(tmp_path, monkeypatch):
    write(tmp_path / "in" / "a.txt")
    monkeypatch.chdir(tmp_path)
    assert scan_inbox(Path("in")) == [str(tmp_path / "in" / "a.txt")]
    assert [s.path for s in iter_sources(Path("in"), scan_inbox(Path("in")))] == ["a.txt"]


def test_scan_missing_inbox_is_empty(tmp_path):
    assert scan_inbox(tmp_path / "nope") == []


def test_scan_keeps_special_entries_and_never_follows_linked_folders(tmp_path):
    write(tmp_path / "real" / "r.txt")
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "zero").symlink_to("/dev/zero")
    (tmp_path / "broken").symlink_to(tmp_path / "missing")
    (tmp_path / "loop").symlink_to(tmp_path)  # a folder link back to the inbox: would loop if followed
    (tmp_path / "real" / "up").symlink_to("..")
    got = [os.path.relpath(p, tmp_path) for p in scan_inbox(tmp_path)]
    assert got == ["broken", "loop", "pipe", "zero", "real/r.txt", "real/up"]


def test_scan_keeps_names_that_are_not_utf8(tmp_path):
    raw = os.fsencode(tmp_path) + b"/\xb0\xa2.txt"
    fd = os.open(raw, os.O_WRONLY | os.O_CREAT, 0o644)
    os.write(fd, b"gbk name")
    os.close(fd)
    [p] = scan_inbox(tmp_path)
    assert os.fsencode(p) == raw  # the exact bytes survive, so the file can be opened again
    [s] = iter_sources(tmp_path, [p])
    assert s == Source("\\xb0\\xa2.txt", b"gbk name", None, 8)
    s.path.encode("utf-8")  # valid text for parquet / duckdb


def test_a_file_removed_after_the_inbox_was_listed_gets_no_row(tmp_path, monkeypatch):
    """Removed while a run read the inbox, a file is gone as one removed before it: the code before
    wrote it as a new unreadable document, the path's latest, for good."""
    write(tmp_path / "a.txt")
    write(tmp_path / "b.txt")
    write(tmp_path / "c.zip")
    listed = scan_inbox(tmp_path)
    (tmp_path / "b.txt").unlink()
    (tmp_path / "c.zip").unlink()
    assert [s.path for s in iter_sources(tmp_path, listed)] == ["a.txt"]
    real_open = os.open

    def vanishing(path, *a, **k):  # removed between its stat and its opening
        if os.fspath(path).endswith("a.txt"):
            raise FileNotFoundError(2, "No such file or directory", path)
        return real_open(path, *a, **k)

    monkeypatch.setattr(os, "open", vanishing)
    assert list(iter_sources(tmp_path, listed)) == []


def test_unlistable_folder_gets_a_row_simulated(tmp_path, monkeypatch):
    write(tmp_path / "ok.txt")
    write(tmp_path / "locked" / "inside.txt")
    locked = str(tmp_path / "locked")
    real = os.scandir

    def scandir(path="."):
        if os.fspath(path) == locked:
            raise PermissionError(13, "Permission denied", path)
        return real(path)

    monkeypatch.setattr(os, "scandir", scandir)
    assert scan_inbox(tmp_path) == [str(tmp_path / "ok.txt"), locked]
    got = rows(tmp_path)
    assert got["ok.txt"].data == b"x"
    assert got["locked"].data is None
    assert got["locked"].problem.startswith("目录无法读取：Permission denied")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads folders whatever their mode")
def test_unlistable_folder_gets_a_row_chmod(tmp_path):
    write(tmp_path / "locked" / "inside.txt")
    (tmp_path / "locked").chmod(0)
    try:
        assert problem(tmp_path, "locked").startswith("目录无法读取：Permission denied")
    finally:
        (tmp_path / "locked").chmod(0o755)


# --- iter_sources: entries that are not regular files ---------------------------------------------


@pytest.fixture
def opened(monkeypatch) -> list[str]:
    """Every path the reader opens with os.open."""
    paths: list[str] = []
    real_open = os.open

    def spy(path, *a, **k):
        paths.append(os.fsdecode(path))
        return real_open(path, *a, **k)

    monkeypatch.setattr(os, "open", spy)
    return paths


def test_fifo_is_a_row_and_never_opened(tmp_path, opened):
    os.mkfifo(tmp_path / "pipe.txt")  # opening it for reading would block forever (no writer)
    os.mkfifo(tmp_path / "pipe.zip")
    write(tmp_path / "after.txt", "next")
    got = rows(tmp_path)
    assert got["pipe.txt"] == Source("pipe.txt", None, "不是普通文件：命名管道（FIFO）", 0)
    assert got["pipe.zip"] == Source("pipe.zip", None, "不是普通文件：命名管道（FIFO）", 0)
    assert got["after.txt"].data == b"next"
    assert opened == [str(tmp_path / "after.txt")]


def test_symlinks_to_devices_are_rows_and_never_opened(tmp_path, opened):
    (tmp_path / "zero.txt").symlink_to("/dev/zero")  # would grow without bound
    (tmp_path / "null.txt").symlink_to("/dev/null")
    got = rows(tmp_path)
    for name in ("zero.txt", "null.txt"):
        assert got[name] == Source(name, None, "指向设备的符号链接（symlink to a device）", 0)
    assert opened == []


def test_device_node_is_a_row_and_never_opened(tmp_path, opened):
    try:
        os.mknod(tmp_path / "zero", stat.S_IFCHR | 0o600, os.makedev(1, 5))
    except OSError as e:
        pytest.skip(f"cannot make a device node here: {e}")
    assert problem(tmp_path, "zero") == "不是普通文件：设备（device）"
    assert opened == []


def test_socket_is_a_row(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # AF_UNIX paths are short: bind a relative name
    with socket.socket(socket.AF_UNIX) as s:
        s.bind("sock")
        assert problem(tmp_path, "sock") == "不是普通文件：套接字（socket）"


def test_symlink_rows(tmp_path):
    outside = write(tmp_path / "elsewhere" / "secret.txt", "outside")
    box = tmp_path / "inbox"
    write(box / "real.txt", "inside")
    (box / "to_real.txt").symlink_to("real.txt")
    (box / "to_outside.txt").symlink_to(outside)
    (box / "broken.txt").symlink_to(box / "missing.txt")
    (box / "self.txt").symlink_to("self.txt")
    (box / "to_dir").symlink_to(tmp_path / "elsewhere")
    (box / "to_fifo").symlink_to(tmp_path / "elsewhere" / "fifo")
    os.mkfifo(tmp_path / "elsewhere" / "fifo")
    got = rows(box)
    assert got["to_real.txt"] == Source("to_real.txt", b"inside", None, 6)
    assert "outside the inbox" in got["to_outside.txt"].problem and got["to_outside.txt"].data is None
    assert got["broken.txt"].problem == "符号链接指向不存在的目标（broken symlink）"
    assert got["self.txt"].problem == "符号链接循环（symlink loop）"
    assert got["to_dir"].problem == "指向目录的符号链接（symlink to a directory）"
    assert got["to_fifo"].problem == "指向命名管道的符号链接（symlink to a FIFO）"
    assert "secret.txt" not in " ".join(got)  # the linked folder was not entered


def test_file_over_the_size_limit_is_not_read(tmp_path):
    with open(tmp_path / "huge.txt", "wb") as f:  # sparse: costs no disk
        f.truncate(MAX_FILE_BYTES + 1)
    got, peak = rows_and_peak(tmp_path)
    assert got["huge.txt"] == Source("huge.txt", None, "文件超过大小上限 64 MB（file over the size limit）", MAX_FILE_BYTES + 1)
    assert peak < 4 * MB


def test_limit_at_the_edge(tmp_path, monkeypatch):
    monkeypatch.setattr(ib, "MAX_FILE_BYTES", 1000)
    write(tmp_path / "at.txt", b"a" * 1000)
    write(tmp_path / "over.txt", b"a" * 1001)
    got = rows(tmp_path)
    assert got["at.txt"].data == b"a" * 1000
    assert got["over.txt"].problem == "文件超过大小上限 1000 字节（file over the size limit）"


class Endless(io.RawIOBase):
    """A stream that never ends, like /dev/zero or a file that grows while it is read."""

    def __init__(self):
        self.served = 0

    def readable(self):
        return True

    def readinto(self, b):
        b[:] = b"\0" * len(b)
        self.served += len(b)
        return len(b)


def test_reading_stops_after_the_limit():
    endless = Endless()
    assert ib._read_capped(endless, 5 * MB) is None
    assert endless.served == 5 * MB + 1
    assert ib._read_capped(io.BytesIO(b"abc"), 3) == b"abc"
    assert ib._read_capped(io.BytesIO(b"abcd"), 3) is None
    assert ib._read_capped(io.BytesIO(b""), 3) == b""


def test_a_file_that_grows_while_read_is_cut(tmp_path, monkeypatch):
    write(tmp_path / "growing.txt", b"small")
    monkeypatch.setattr(ib, "_read_capped", lambda f, limit, real=ib._read_capped: real(Endless(), limit))
    monkeypatch.setattr(ib, "MAX_FILE_BYTES", MB)
    assert problem(tmp_path, "growing.txt") == "文件超过大小上限 1 MB（file over the size limit）"


def test_unreadable_file_and_unexpected_errors_are_rows(tmp_path, monkeypatch):
    write(tmp_path / "a_denied.txt")
    write(tmp_path / "b_boom.txt")
    write(tmp_path / "c_fine.txt", "fine")
    real_open, real_read = os.open, ib._read_regular

    def deny(path, *a, **k):
        if os.fsdecode(path).endswith("a_denied.txt"):
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, *a, **k)

    def boom(path, limit):
        if path.endswith("b_boom.txt"):
            raise RuntimeError("boom\nsecond line")
        return real_read(path, limit)

    monkeypatch.setattr(os, "open", deny)
    monkeypatch.setattr(ib, "_read_regular", boom)
    got = rows(tmp_path)
    assert got["a_denied.txt"].problem == "无法读取：Permission denied（PermissionError）"
    assert got["b_boom.txt"].problem == "无法读取（unexpected RuntimeError: boom\\nsecond line）"
    assert got["c_fine.txt"].data == b"fine"


def test_file_replaced_by_a_fifo_after_the_check_is_not_read(tmp_path, monkeypatch):
    write(tmp_path / "swap.txt")
    real_stat = os.stat

    def swap(path, *a, **k):  # the check sees a file; then it becomes a FIFO before open
        st = real_stat(path, *a, **k)
        if os.fsdecode(path).endswith("swap.txt") and stat.S_ISREG(st.st_mode):
            os.unlink(path)
            os.mkfifo(path)
        return st

    monkeypatch.setattr(os, "stat", swap)
    assert problem(tmp_path, "swap.txt") == "读取时已不是普通文件（file replaced while read）"


# --- zips -------------------------------------------------------------------------------------------


def test_zip_members_are_sources(tmp_path):
    make_zip(tmp_path / "sub" / "a.zip", {"dir/": b"", "dir/m.txt": b"member", "empty.txt": b""})
    make_zip(tmp_path / "B.ZIP", {"x.html": b"<p>x</p>"}, zipfile.ZIP_STORED)
    make_zip(tmp_path / "report.docx", {"word/document.xml": b"<w/>"})  # a zip by content, a report by name
    got = rows(tmp_path)
    assert got["sub/a.zip!dir/m.txt"] == Source("sub/a.zip!dir/m.txt", b"member", None, 6)
    assert got["sub/a.zip!empty.txt"].data == b""
    assert got["B.ZIP!x.html"].data == b"<p>x</p>"
    assert got["report.docx"].data[:2] == b"PK"
    assert set(got) == {"sub/a.zip!dir/m.txt", "sub/a.zip!empty.txt", "B.ZIP!x.html", "report.docx"}


def test_damaged_zips(tmp_path):
    text = b"".join(b"line %d of a report\n" % i for i in range(300))
    good = make_zip(tmp_path / "src.zip", {"a.txt": text, "b.txt": b"bbb"}).read_bytes()
    (tmp_path / "src.zip").unlink()
    write(tmp_path / "truncated.zip", good[: len(good) // 2])
    write(tmp_path / "junk.zip", b"<html>404 not found</html>")
    write(tmp_path / "empty.zip", b"")
    hurt = bytearray(good)
    data_at = 30 + len("a.txt")  # first local header: 30 bytes + name, then a.txt's deflated bytes
    hurt[data_at + 2:data_at + 8] = b"\xff" * 6
    write(tmp_path / "crc.zip", bytes(hurt))
    got = rows(tmp_path)
    for name in ("truncated.zip", "junk.zip", "empty.zip"):
        assert got[name].data is None and got[name].problem.startswith("压缩包已损坏（bad zip: "), got[name]
    assert got["truncated.zip"].size == len(good) // 2
    assert got["crc.zip!a.txt"].problem.startswith("压缩包已损坏（bad zip: ")
    assert got["crc.zip!b.txt"].data == b"bbb"  # the other member is still read


def test_encrypted_member(tmp_path):
    buf = bytearray(make_zip(tmp_path / "e.zip", {"plain.txt": b"open", "secret.txt": b"hidden"}).read_bytes())
    with zipfile.ZipFile(tmp_path / "e.zip") as z:
        local = z.getinfo("secret.txt").header_offset
    buf[local + 6] |= 1  # general purpose flag bit 0: encrypted, in the local header ...
    buf[central_entry(buf, b"secret.txt") + 8] |= 1  # ... and in the central directory
    write(tmp_path / "e.zip", bytes(buf))
    got = rows(tmp_path)
    assert got["e.zip!secret.txt"] == Source("e.zip!secret.txt", None, ENCRYPTED, 6)
    assert ENCRYPTED == "压缩包已加密，无法读取（encrypted zip member）"
    assert got["e.zip!plain.txt"].data == b"open"


def test_nested_zip_is_not_expanded(tmp_path):
    inner = make_zip(tmp_path / "x" / "inner.zip", {"r.txt": b"r"}).read_bytes()
    make_zip(tmp_path / "outer.zip", {"d/Inner.ZIP": inner, "r.txt": b"r"})
    (tmp_path / "x" / "inner.zip").unlink()
    got = rows(tmp_path)
    assert got["outer.zip!d/Inner.ZIP"].problem == NESTED == "压缩包内嵌套压缩包，未展开（nested archive not expanded）"
    assert not any("inner.zip!" in p.lower() for p in got)


def zip_of_zeros(path: Path, name: str, megabytes: int) -> Path:
    """A member of zeros, written in 1 MB pieces (small in memory and on disk)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("before.txt", b"before")
        with z.open(name, "w") as w:
            for _ in range(megabytes):
                w.write(bytes(MB))
        z.writestr("after.txt", b"after")
    return path


def test_zip_bomb_member_is_a_row_and_memory_stays_small(tmp_path):
    zip_of_zeros(tmp_path / "bomb.zip", "bomb.txt", 100)
    assert (tmp_path / "bomb.zip").stat().st_size < MB
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    got, peak = rows_and_peak(tmp_path)
    assert got["bomb.zip!bomb.txt"] == Source(
        "bomb.zip!bomb.txt", None, "压缩包成员超过大小上限 64 MB（zip member over the size limit）", 100 * MB)
    assert got["bomb.zip!before.txt"].data == b"before" and got["bomb.zip!after.txt"].data == b"after"
    assert peak < 10 * MB
    assert (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss) * 1024 < 100 * MB


def test_zip_member_with_a_bomb_ratio_is_not_decompressed(tmp_path, monkeypatch):
    zip_of_zeros(tmp_path / "r.zip", "zeros.txt", 8)  # 8 MB under the size limit, but ratio ~1000
    opened = []
    real = zipfile.ZipFile.open
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda self, info, *a, **k: opened.append(info) or real(self, info, *a, **k))
    p = problem(tmp_path, "r.zip!zeros.txt")
    assert "疑似压缩炸弹" in p and "compression ratio" in p
    assert [getattr(i, "filename", i) for i in opened] == ["before.txt", "after.txt"]


def test_zip_header_that_lies_about_size(tmp_path):
    zip_of_zeros(tmp_path / "lie.zip", "lie.txt", 20)
    buf = bytearray((tmp_path / "lie.zip").read_bytes())
    at = central_entry(buf, b"lie.txt")
    compressed = int.from_bytes(buf[at + 20:at + 24], "little")
    buf[at + 24:at + 28] = (compressed * 2).to_bytes(4, "little")  # says ratio 2, really ~1000
    write(tmp_path / "lie.zip", bytes(buf))
    got, peak = rows_and_peak(tmp_path)
    assert got["lie.zip!lie.txt"].problem.startswith("压缩包已损坏（bad zip: ")
    assert got["lie.zip!after.txt"].data == b"after"
    assert peak < 10 * MB


def test_too_many_members(tmp_path, monkeypatch):
    make_zip(tmp_path / "many.zip", {f"{i}.txt": b"%d" % i for i in range(5)})
    monkeypatch.setattr(ib, "MAX_MEMBERS", 3)
    monkeypatch.setattr(limits, "MAX_MEMBERS", 3)
    got = rows(tmp_path)
    assert [p for p in got if "!" in p] == ["many.zip!0.txt", "many.zip!1.txt", "many.zip!2.txt"]
    assert got["many.zip"].problem == "压缩包成员过多，只读取了前 3 个（too many members: 5）"
    monkeypatch.setattr(limits, "CD_BYTES_PER_MEMBER", 10)  # central directory too large to load at all
    assert list(rows(tmp_path)) == ["many.zip"]
    assert problem(tmp_path, "many.zip") == "压缩包成员过多，未展开（too many members: 5）"


def rename_members(path: Path, names: dict[bytes, bytes]) -> None:
    """Give members raw name bytes (placeholders of equal length), without the UTF-8 flag."""
    buf = path.read_bytes()
    for old, new in names.items():
        assert len(old) == len(new) and buf.count(old) == 2  # local and central header
        buf = buf.replace(old, new)
    path.write_bytes(buf)


def test_member_names_in_legacy_encodings(tmp_path):
    gbk, utf8, cp437 = "报告.txt".encode("gbk"), "报告.htm".encode(), b"\x80\xff.txt"
    make_zip(tmp_path / "w.zip", {"A" * len(gbk): b"gbk", "B" * len(utf8): b"utf8", "C" * len(cp437): b"cp437",
                                  "标记/名称.txt": b"flagged", "../../escape.txt": b"up", "/abs.txt": b"abs"})
    rename_members(tmp_path / "w.zip", {b"A" * len(gbk): gbk, b"B" * len(utf8): utf8, b"C" * len(cp437): cp437})
    before = sorted(os.listdir(tmp_path))
    got = rows(tmp_path)
    assert got["w.zip!报告.txt"].data == b"gbk"  # Chinese Windows zip: GBK bytes, no UTF-8 flag
    assert got["w.zip!报告.htm"].data == b"utf8"  # UTF-8 bytes without the flag
    assert got["w.zip!" + cp437.decode("cp437")].data == b"cp437"
    assert got["w.zip!标记/名称.txt"].data == b"flagged"
    assert got["w.zip!../../escape.txt"].data == b"up"  # just a name: nothing is extracted
    assert got["w.zip!/abs.txt"].data == b"abs"
    assert sorted(os.listdir(tmp_path)) == before and not (tmp_path.parent / "escape.txt").exists()


def test_zip_with_a_name_that_is_not_utf8(tmp_path):
    make_zip(tmp_path / "placeholder", {"m.txt": b"m"})
    os.rename(tmp_path / "placeholder", os.fsencode(tmp_path) + b"/\xd6\xd0.zip")
    assert list(rows(tmp_path)) == ["\\xd6\\xd0.zip!m.txt"]


# --- the whole hostile inbox --------------------------------------------------------------------------


def hostile_inbox(root: Path) -> Path:
    write(root / "ok.txt", "正文")
    os.mkfifo(root / "pipe")
    (root / "zero").symlink_to("/dev/zero")
    (root / "gone").symlink_to(root / "nowhere")
    (root / "up").symlink_to("..")
    write(root / "bad.zip", b"PK\x03\x04 broken")
    fd = os.open(os.fsencode(root) + b"/\xff\xfe\n name.txt", os.O_WRONLY | os.O_CREAT, 0o644)
    os.close(fd)
    make_zip(root / "z.zip", {"inner.zip": b"PK", "ok.txt": b"ok"})
    write(root / "offices.csv", "not even a csv \xff")
    return root


def test_hostile_inbox_every_entry_is_one_clean_row(tmp_path):
    box = hostile_inbox(tmp_path)
    first = list(iter_sources(box, scan_inbox(box)))
    assert first == list(iter_sources(box, scan_inbox(box)))  # deterministic
    assert len(first) == 9
    for s in first:
        assert isinstance(s, Source)
        s.path.encode("utf-8")  # strict: no lone surrogates
        assert (s.data is None) == (s.problem is not None)
        if s.problem:
            s.problem.encode("utf-8")
            assert "\n" not in s.problem and "\r" not in s.problem
    assert {s.path for s in first if s.data is not None} == {"ok.txt", "\\xff\\xfe\n name.txt", "z.zip!ok.txt"}


def test_iter_sources_never_raises_even_for_odd_paths(tmp_path):
    odd = [str(tmp_path / "vanished.txt"), "relative/not/under/inbox", str(tmp_path), "\udcff"]
    got = list(iter_sources(tmp_path, odd))  # (paths that do not exist are gone: no row)
    assert [(s.path, s.data) for s in got] == [(".", None)] and got[0].problem


# --- read_offices ---------------------------------------------------------------------------------------

OFFICES = "office,region,office_kind\n阿里地区行政公署,阿里地区,government\n噶尔县人民政府,阿里地区,government\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_offices_encodings(tmp_path, encoding):
    p = write(tmp_path / "offices.csv", OFFICES.replace("\n", "\r\n").encode(encoding))
    t = read_offices(p)
    assert t.schema == SCHEMAS["offices"]
    assert t.select(OFFICE_COLUMNS).to_pydict() == {"office": ["阿里地区行政公署", "噶尔县人民政府"], "region": ["阿里地区"] * 2,
                             "office_kind": ["government", "government"]}


def test_offices_gb18030_only_characters(tmp_path):
    text = "office,region,office_kind\n㐀𠀀局,,\n"  # not in GBK: only GB18030 encodes them
    with pytest.raises(UnicodeEncodeError):
        text.encode("gbk")
    t = read_offices(write(tmp_path / "offices.csv", text.encode("gb18030")))
    assert t.select(OFFICE_COLUMNS).to_pydict() == {"office": ["㐀𠀀局"], "region": [None], "office_kind": [None]}


def test_offices_header_order_extras_spaces_and_values(tmp_path):
    p = write(tmp_path / "offices.csv", "\ufeff Region , note,OFFICE ,office_kind\n"
                                        " 阿里地区 ,x, 噶尔县 , 政府本级\n\n,,,\n\"西藏, 拉萨\",y,拉萨市, \n")
    assert read_offices(p).select(OFFICE_COLUMNS).to_pydict() == {"office": ["噶尔县", "拉萨市"], "region": ["阿里地区", "西藏, 拉萨"],
                                           "office_kind": ["government", None]}


def offices_error(tmp_path: Path, content: bytes | str) -> str:
    p = write(tmp_path / "offices.csv", content)
    with pytest.raises(OfficesError) as e:
        read_offices(p)
    msg = str(e.value)
    assert isinstance(e.value, ValueError) and "\n" not in msg and str(p) in msg
    return msg


def test_offices_missing_column(tmp_path):
    msg = offices_error(tmp_path, "office,office_kind\n噶尔县,county\n")
    assert "第1行：缺少列 region（需要 office, region, office_kind）" in msg
    assert "缺少列 office, region, office_kind（" in offices_error(tmp_path, "机构,地区,类型\n噶尔县,阿里地区,county\n")


def test_offices_duplicate_and_empty_header(tmp_path):
    assert "列 office 出现不止一次" in offices_error(tmp_path, "office,region,office_kind,office\na,b,c,d\n")
    assert "第1行：缺少列 office, region, office_kind" in offices_error(tmp_path, b"")


def test_offices_short_and_long_rows(tmp_path):
    short = offices_error(tmp_path, OFFICES + "普兰县人民政府,阿里地区\n")
    assert "第4行第3列：缺少 office_kind：应有 3 个字段，实有 2 个" in short
    long = offices_error(tmp_path, OFFICES + "普兰县,阿里地区,county,extra\n")
    assert "第4行第4列：多出字段" in long


def test_offices_empty_office(tmp_path):
    msg = offices_error(tmp_path, "region,office,office_kind\n阿里地区,  ,county\n")
    assert "第2行第2列：office 为空（empty office）" in msg


def test_offices_kind_is_one_the_deadlines_know(tmp_path):
    """A kind decides the deadline (D1): one the settings do not know is refused, not taken as 'other'."""
    msg = offices_error(tmp_path, "office,region,office_kind\n噶尔县,阿里地区,county\n")
    assert "第2行第3列：office_kind 'county' 无效" in msg and "department（部门）" in msg
    named = read_offices(write(tmp_path / "offices.csv", "office,region,office_kind\n甲,,部门\n乙,,其他\n丙,,乡镇\n"))
    assert named["office_kind"].to_pylist() == ["department", "other", "township"]


def test_offices_undecodable(tmp_path):
    msg = offices_error(tmp_path, OFFICES.encode() + b"\xff\xff\xff,a,b\n")
    assert "第4行第1列：无法解码" in msg


def test_offices_csv_error_names_the_line(tmp_path):
    old = csv.field_size_limit(50)
    try:
        msg = offices_error(tmp_path, OFFICES + "x" * 60 + ",a,b\n")
    finally:
        csv.field_size_limit(old)
    assert "第4行：CSV 格式错误" in msg


def test_offices_that_are_not_regular_files(tmp_path):
    os.mkfifo(tmp_path / "offices.csv")
    with pytest.raises(OfficesError, match="命名管道"):
        read_offices(tmp_path / "offices.csv")
    (tmp_path / "offices.csv").unlink()
    (tmp_path / "offices.csv").symlink_to("/dev/zero")
    with pytest.raises(OfficesError, match="设备"):
        read_offices(tmp_path / "offices.csv")
    (tmp_path / "offices.csv").unlink()
    with pytest.raises(OfficesError, match="No such file"):
        read_offices(tmp_path / "offices.csv")


def test_offices_through_a_symlink(tmp_path):
    write(tmp_path / "registry" / "o.csv", OFFICES)
    (tmp_path / "offices.csv").symlink_to(tmp_path / "registry" / "o.csv")
    assert read_offices(tmp_path / "offices.csv").num_rows == 2


class _Interrupt:
    """A trace function that raises KeyboardInterrupt at the n-th line or return of the inbox's own code or
    of the `os` and `io` functions it calls: a Ctrl-C or SIGTERM landing there."""

    def __init__(self, n: int):
        self.n, self.fired = n, False

    def __call__(self, frame, event, arg):
        if event in ("line", "return") and not self.fired and frame.f_code.co_filename in (ib.__file__, os.__file__,
                                                                                             "<frozen os>"):
            self.n -= 1
            if self.n == 0:
                self.fired = True
                raise KeyboardInterrupt
        return self


def _open_fds() -> set[int]:
    """The process's open descriptors (not the one the listing itself used)."""
    fds = set()
    for name in os.listdir("/proc/self/fd"):
        try:
            os.fstat(int(name))
            fds.add(int(name))
        except OSError:
            pass
    return fds


@pytest.mark.skipif(not Path("/proc/self/fd").exists(), reason="counts descriptors in /proc")
def test_an_interrupt_at_any_line_of_reading_a_file_is_an_interrupt(tmp_path):
    """Never a row saying the file is unreadable (that row would be committed), never a descriptor closed twice
    (it may be another's by then). Left open only at the one step where it exists and nothing owns it yet (the
    run is stopping)."""
    import gc
    import sys

    (tmp_path / "a.html").write_bytes(b"<p>report</p>")
    files = scan_inbox(tmp_path)
    n, leaked = 0, []
    while True:
        n += 1
        before = _open_fds()
        trace = _Interrupt(n)
        sys.settrace(trace)
        try:
            rows = list(iter_sources(tmp_path, files))
        except KeyboardInterrupt:
            rows = None
        finally:
            sys.settrace(None)
        gc.collect(0)  # the tracebacks that hold a dropped file object are young cycles
        after = _open_fds()
        assert before <= after, f"interrupt at step {n}: a descriptor closed that was not ours"
        for fd in after - before:
            leaked.append(n)
            os.close(fd)
        if not trace.fired:
            assert [(r.path, r.data) for r in rows] == [("a.html", b"<p>report</p>")]
            break
        assert rows is None, f"interrupt at step {n} became rows: {rows}"
    assert n > 10  # the trace did step through the reading
    assert len(leaked) <= 1, leaked


def test_an_interrupt_just_after_the_file_object_is_made_is_an_interrupt(tmp_path, monkeypatch):
    """The signal handler runs as the call that made the file object returns: the object is dropped, and with it
    its descriptor; closing that descriptor again must not turn the interrupt into an unreadable file."""
    import builtins

    real_open = io.open

    def open_then_interrupt(*args, **kwargs):
        real_open(*args, **kwargs)
        raise KeyboardInterrupt

    (tmp_path / "a.html").write_bytes(b"<p>report</p>")
    files = scan_inbox(tmp_path)
    monkeypatch.setattr(io, "open", open_then_interrupt)
    monkeypatch.setattr(builtins, "open", open_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        list(iter_sources(tmp_path, files))


@pytest.mark.parametrize("error,passes", [
    ("AWS Error INTERNAL_FAILURE (HTTP status 500) during GetObject operation: We encountered an internal error", True),
    ("AWS Error UNKNOWN (HTTP status 502) during GetObject operation: Bad Gateway", True),
    ("AWS Error THROTTLING (HTTP status 400) during GetObject operation: Rate exceeded", True),
    ("AWS Error NETWORK_CONNECTION during GetObject operation: curlCode: 7, Couldn't connect to server", True),
    ("AWS Error ACCESS_DENIED (HTTP status 403) during GetObject operation: Access Denied", False),
    ("AWS Error [code 136] during GetObject operation: The operation is not valid for the object's storage class", False),
])
def test_only_a_storage_error_that_may_pass_is_asked_again(error, passes):
    """As pyarrow's S3 client words them: a 5xx, throttling or the network is asked again (then stops the
    run); a refusal is the object's row. (The 5xx were matched as `response code 5xx`, a wording it never uses.)"""
    from gkqc.inboxes import _TRANSIENT

    assert bool(_TRANSIENT.search(error)) == passes

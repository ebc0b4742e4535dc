"""Inbox: a folder of collected files -> each file's bytes, or the reason it cannot be read.

Every name and file is treated as hostile: names that are not UTF-8, FIFOs, devices,
sockets, symlinks (never followed out of the inbox or into directories), unreadable
folders, damaged or encrypted zips, zip bombs and oversized files each become one
`Source` with a reason in Chinese (English in brackets), never a traceback, a hang or
unbounded memory. The office registry (`offices.csv`) is read here too.
"""

from __future__ import annotations

import csv
import errno
import io
import os
import stat
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

import pyarrow as pa

from gkqc.cells import controls_damaged
from gkqc.lake import MANIFEST
from gkqc.limits import (
    MAX_FILE_BYTES,
    MAX_MEMBER_BYTES,
    MAX_MEMBERS,
    MAX_RATIO,
    zip_bomb_ratio,
    zip_directory_entries,
)
from gkqc.offices import join_names, split_names
from gkqc.source import Source
from gkqc.stamps import Recorded, stamp_of
from schemas.lake import OFFICE_KINDS

SKIP_DIRS = {".git", "__pycache__", ".venv"}
OFFICES = "offices.csv"  # the office registry an inbox may carry at its top
SIDECARS = {OFFICES, "truth.jsonl"}  # files beside reports at the inbox top that are not reports
CHUNK = 1 << 20
OFFICE_COLUMNS = ("office", "region", "office_kind")
_KIND_NAMES = {**{v: k for k, v in OFFICE_KINDS.items()}, "其他": "other"}  # office kinds by their Chinese names
OFFICE_OPTIONAL = ("aliases", "paths")  # gkqc.offices
_OPEN_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC  # never a symlink, never blocks on a FIFO
_KINDS = {stat.S_IFIFO: ("命名管道", "FIFO"), stat.S_IFCHR: ("设备", "device"), stat.S_IFBLK: ("设备", "device"),
          stat.S_IFSOCK: ("套接字", "socket"), stat.S_IFDIR: ("目录", "directory")}
NESTED = "压缩包内嵌套压缩包，未展开（nested archive not expanded）"
ENCRYPTED = "压缩包已加密，无法读取（encrypted zip member）"


class OfficesError(ValueError):
    """offices.csv cannot be used; the message is one line naming the file, line and column."""


class _Unreadable(Exception):
    """The reason an entry cannot be read (becomes its Source's problem)."""


class InboxUnreadable(Exception):
    """The storage holding the inbox failed while a file was read (the network, the server: not the file):
    no row for the file, the run stops before its commit. The message is one line naming the file."""


def _text(s: str) -> str:
    """Valid UTF-8 text: bytes a file name could not decode (surrogateescape) shown as '\\xNN'."""
    try:
        raw = s.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:
        raw = s.encode("utf-8", "backslashreplace")
    return raw.decode("utf-8", "backslashreplace")


def _line(s: str) -> str:
    return _text(s).replace("\r", "\\r").replace("\n", "\\n")


def _limit(n: int) -> str:
    return f"{n >> 20} MB" if n % (1 << 20) == 0 else f"{n} 字节"


def bad_source(path: str, problem: str, size: int = 0) -> Source:
    return Source(path, None, _line(problem), size)


def _kind(mode: int) -> tuple[str, str]:
    return _KINDS.get(stat.S_IFMT(mode), ("未知类型的文件", "unknown file type"))


def too_big(limit: int) -> str:
    return f"文件超过大小上限 {_limit(limit)}（file over the size limit）"


def scan_inbox(inbox: Path, warehouse: Path | None = None) -> list[str]:
    """Every entry under the inbox as an absolute path string, in a stable order.

    Depth first: a folder's own entries (sorted by name), then its subfolders. Hidden
    names, SKIP_DIRS and top-level sidecars are skipped, and so is a warehouse inside the inbox
    (`warehouse`, and any folder holding a lake): a run's own output is never read as collected
    files. Everything else is kept, FIFOs, devices and symlinks included (symlinked folders
    are never entered), and a folder that cannot be listed is kept as itself. A missing inbox gives []."""
    top = os.path.abspath(inbox)
    own = _within(top, warehouse)
    out: list[str] = []
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as it:
                entries = sorted((e for e in it if wanted(e.name, folder == top)), key=lambda e: e.name)
        except OSError as e:
            if not (folder == top and isinstance(e, FileNotFoundError)):
                out.append(folder)
            continue
        subdirs = []
        for e in entries:
            (subdirs if _is_real_dir(e) else out).append(e.path)
        stack.extend(reversed([d for d in subdirs if d != own and not _a_warehouse(d)]))
    return out


def _within(top: str, warehouse: Path | None) -> str | None:
    """The warehouse's path as the walk from `top` meets it, when it lies inside the inbox."""
    if warehouse is None:
        return None
    rel = os.path.relpath(os.path.realpath(warehouse), os.path.realpath(top))
    return None if rel == "." or rel.startswith("..") else os.path.join(top, rel)


def _a_warehouse(folder: str) -> bool:
    """A gkqc warehouse (its lake's manifest): another run's output, not collected files."""
    return os.path.isfile(os.path.join(folder, "lake", MANIFEST))


def wanted(name: str, top: bool) -> bool:
    return not (name.startswith(".") or name in SKIP_DIRS or (top and name in SIDECARS))


def _is_real_dir(entry: os.DirEntry) -> bool:
    try:
        return entry.is_dir(follow_symlinks=False)
    except OSError:
        return False  # gets a row of its own, with the reason


def source_path(top: str, name: str) -> str:
    """A listed entry's path as its documents name it: relative to the inbox (`top`, absolute), `/`-separated."""
    rel = "." if name == top else name.removeprefix(top + os.sep)
    return _text(rel.replace(os.sep, "/"))


def iter_sources(inbox: Path, files: list[str], known: Recorded | None = None) -> Iterator[Source]:
    """One Source per regular file, per zip member and per entry that cannot be read (none for a
    file removed since the inbox was listed). Never raises.
    `known`: the stamps recorded when files were last hashed (gkqc.stamps): a file that still has
    its stamp is not read (`Source.known`: the doc id recorded with it)."""
    top = os.path.abspath(inbox)
    real_top = os.path.realpath(top)
    for name in files:
        rel = source_path(top, name)
        try:
            yield from _sources(name, rel, real_top, known)
        except _Unreadable as e:
            yield bad_source(rel, str(e))
        except FileNotFoundError:  # removed after the inbox was listed: as if removed before the run
            continue
        except OSError as e:
            yield bad_source(rel, f"无法读取：{e.strerror or e}（{type(e).__name__}）")
        except Exception as e:  # whatever else a hostile file finds, it is a row, not a crash
            yield bad_source(rel, f"无法读取（unexpected {type(e).__name__}: {e}）")


def _sources(path: str, rel: str, real_top: str, known: Recorded | None = None) -> Iterator[Source]:
    st = os.lstat(path)
    if stat.S_ISLNK(st.st_mode):
        path = os.path.realpath(path)
        try:
            st = os.stat(path)
        except OSError as e:
            raise _Unreadable("符号链接指向不存在的目标（broken symlink）" if e.errno == errno.ENOENT else
                              "符号链接循环（symlink loop）" if e.errno == errno.ELOOP else
                              f"符号链接无法解析：{e.strerror}（unresolvable symlink）") from None
        if not stat.S_ISREG(st.st_mode):
            cn, en = _kind(st.st_mode)
            raise _Unreadable(f"指向{cn}的符号链接（symlink to a {en}）")
        if not path.startswith(real_top + os.sep):
            raise _Unreadable("符号链接指向收件箱之外的文件（symlink to a file outside the inbox）")
    if stat.S_ISDIR(st.st_mode):
        yield bad_source(rel, _folder_problem(path))
    elif rel.lower().endswith(".zip"):  # by name only: .docx/.xlsx are zips too and are reports
        yield from _zip_sources(path, rel, st.st_size)
    else:
        stamp = stamp_of(st) if stat.S_ISREG(st.st_mode) else None  # (a symlink's: its target's)
        if stamp is not None and known is not None and (doc_id := known.unchanged(rel, stamp)) is not None:
            yield Source(rel, None, None, st.st_size, stamp, doc_id)
            return
        try:
            yield Source(rel, _read_regular(path, MAX_FILE_BYTES), None, st.st_size, stamp)
        except _Unreadable as e:
            yield bad_source(rel, str(e), st.st_size)


def _folder_problem(path: str) -> str:
    try:
        with os.scandir(path):
            pass
    except OSError as e:
        return f"目录无法读取：{e.strerror or e}（unreadable folder）"
    return "目录无法读取（unreadable folder: could not be listed during the scan）"


def _open_regular(path: str, limit: int | None = None) -> BinaryIO:
    """Open a regular file: checked before opening (no FIFO/device is ever opened) and after (no swap)."""
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        cn, en = _kind(st.st_mode)
        raise _Unreadable(f"不是普通文件：{cn}（{en}）")
    # the file object owns the descriptor from the moment it exists: an interrupt (SIGTERM, Ctrl-C) landing
    # anywhere below closes it exactly once, and is never turned into an OSError that reads as a bad file
    f = open(path, "rb", opener=lambda p, _: os.open(p, _OPEN_FLAGS))  # noqa: SIM115 (returned to the caller open)
    try:
        st = os.fstat(f.fileno())
        if not stat.S_ISREG(st.st_mode):
            raise _Unreadable("读取时已不是普通文件（file replaced while read）")
        if limit is not None and st.st_size > limit:
            raise _Unreadable(too_big(limit))
        return f
    except BaseException:
        f.close()
        raise


def _read_capped(stream: BinaryIO, limit: int) -> bytes | None:
    """At most `limit` bytes of a stream; None when it has more (never reads past limit + 1)."""
    chunks, total = [], 0
    while chunk := stream.read(min(CHUNK, limit + 1 - total)):
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            return None
    return b"".join(chunks)


def _read_regular(path: str, limit: int) -> bytes:
    with _open_regular(path, limit) as f:
        data = _read_capped(f, limit)
    if data is None:  # grew while read
        raise _Unreadable(too_big(limit))
    return data


def _zip_sources(path: str, rel: str, size: int) -> Iterator[Source]:
    with _open_regular(path) as f:
        yield from zip_members(f, rel, size)


def zip_members(f: BinaryIO, rel: str, size: int) -> Iterator[Source]:
    """The members of an open, seekable zip file (a local file or an object)."""
    try:
        if (entries := zip_directory_entries(f)) is not None:
            yield bad_source(rel, f"压缩包成员过多，未展开（too many members: {entries}）", size)
            return
        z = zipfile.ZipFile(f)
    except InboxUnreadable:
        raise
    except Exception as e:
        why = e if isinstance(e, zipfile.BadZipFile) else f"{type(e).__name__}: {e}"
        yield bad_source(rel, f"压缩包已损坏（bad zip: {why}）", size)
        return
    with z:
        members = [i for i in z.infolist() if not i.is_dir()]
        for info in members[:MAX_MEMBERS]:
            yield _member(z, info, f"{rel}!{_member_name(info)}")
        if len(members) > MAX_MEMBERS:
            yield bad_source(rel, f"压缩包成员过多，只读取了前 {MAX_MEMBERS} 个（too many members: {len(members)}）", size)


def _member_name(info: zipfile.ZipInfo) -> str:
    """A member's name. Without the UTF-8 flag zipfile decodes cp437; those bytes are tried
    as UTF-8 (macOS), then GB18030 (zips made on Chinese Windows), else the cp437 text stays."""
    name = info.filename
    if info.flag_bits & 0x800 or name.isascii():
        return name
    raw = name.encode("cp437")
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            pass
    return name


def _member(z: zipfile.ZipFile, info: zipfile.ZipInfo, path: str) -> Source:
    """One member's bytes or reason; sizes from the header are checked first, and the stream is
    still cut at the limit (headers lie)."""
    size = info.file_size
    if info.flag_bits & 0x1:
        return bad_source(path, ENCRYPTED, size)
    if info.filename.lower().endswith(".zip"):
        return bad_source(path, NESTED, size)
    too_big = f"压缩包成员超过大小上限 {_limit(MAX_MEMBER_BYTES)}（zip member over the size limit）"
    if size > MAX_MEMBER_BYTES:
        return bad_source(path, too_big, size)
    if ratio := zip_bomb_ratio(info):
        return bad_source(path, f"压缩比 {ratio:.0f} 超过上限 {MAX_RATIO}，疑似压缩炸弹（zip bomb: compression ratio）", size)
    try:
        with z.open(info) as m:
            data = _read_capped(m, MAX_MEMBER_BYTES)
    except NotImplementedError as e:
        return bad_source(path, f"压缩方式不支持，无法读取（unsupported compression: {e}）", size)
    except InboxUnreadable:
        raise
    except Exception as e:
        why = e if isinstance(e, zipfile.BadZipFile) else f"{type(e).__name__}: {e}"
        return bad_source(path, f"压缩包已损坏（bad zip: {why}）", size)
    return bad_source(path, too_big, size) if data is None else Source(path, data, None, size)


def read_offices(path: Path) -> pa.Table:
    """The office registry: a CSV with columns office, region, office_kind and, optionally, aliases
    and paths (several separated by `|` or `；`; see gkqc.offices); others ignored, any order.

    UTF-8 (with or without BOM) or GBK/GB18030, control characters (ESC …) read as U+FFFD as in a report;
    values stripped, empty values null, aliases and
    paths written back with `|`. Anything else raises OfficesError naming the file, line and
    column, as does an office listed twice (its region or kind would count it twice), or an alias or
    path pattern given to two offices."""
    where = _line(str(path))

    def fail(line: int, msg: str, col: int | None = None) -> OfficesError:
        at = f"第{line}行" + (f"第{col}列" if col else "")
        return OfficesError(_line(f"{where} {at}：{msg}"))

    rows = csv.reader(io.StringIO(_offices_text(path, where, fail), newline=""))
    columns = OFFICE_COLUMNS + OFFICE_OPTIONAL
    cols: dict[str, list[str | None]] = {c: [] for c in columns}
    seen: dict[tuple[str, str], tuple[str, int, int]] = {}  # (column, name) -> (office, line, column no)
    offices: dict[str, int] = {}  # office -> its first line
    try:
        names, at = _offices_header(next(rows, None), columns, fail)
        for row in rows:
            if not any(v.strip() for v in row):
                continue  # blank lines, and Excel's all-empty ',,' rows
            values = _office_row(row, rows.line_num, names, at, fail)
            office = values["office"]
            for c in OFFICE_OPTIONAL:
                listed = split_names(values.get(c))
                for name in listed:
                    other, line, _ = seen.setdefault((c, name), (office, rows.line_num, at[c] + 1))
                    if other != office:
                        raise fail(rows.line_num, _twice(c, name, other, line, office), at[c] + 1)
                values[c] = join_names(listed)
            if office in offices:
                raise fail(rows.line_num, f"机关「{office}」已在第{offices[office]}行列出，同一机关只能列一次"
                                          "（office listed twice）", at["office"] + 1)
            offices[office] = rows.line_num
            for c in columns:
                cols[c].append(values.get(c) or None)
    except csv.Error as e:
        raise fail(rows.line_num, f"CSV 格式错误（{e}）") from None
    for (c, name), (office, line, col) in seen.items():  # an alias that is another office's name
        if c == "aliases" and name in offices and name != office:
            raise fail(line, _twice(c, name, name, offices[name], office), col)
    return pa.table({c: pa.array(v, pa.string()) for c, v in cols.items()})


def _offices_text(path: Path, where: str, fail: Callable[..., OfficesError]) -> str:
    """The registry file's text: read within the size limit, decoded as UTF-8 or GB18030."""
    try:
        data = _read_regular(os.path.realpath(path), MAX_FILE_BYTES)
    except _Unreadable as e:
        raise OfficesError(_line(f"{where}：{e}")) from None
    except OSError as e:
        raise OfficesError(_line(f"{where}：无法读取：{e.strerror or e}（{type(e).__name__}）")) from None
    try:
        return controls_damaged(data.decode("utf-8-sig"))  # (as a report's: an ESC in a name reaches no terminal)
    except UnicodeDecodeError as e:
        try:
            return controls_damaged(data.decode("gb18030"))
        except UnicodeDecodeError:
            line_start = data.rfind(b"\n", 0, e.start) + 1
            raise fail(data.count(b"\n", 0, e.start) + 1, "无法解码，既不是 UTF-8 也不是 GBK/GB18030（unknown encoding）",
                       e.start - line_start + 1) from None


def _offices_header(header: list[str] | None, columns: tuple[str, ...],
                    fail: Callable[..., OfficesError]) -> tuple[list[str], dict[str, int]]:
    """(the header's names, the position of each known column), or the error of a missing or repeated one."""
    names = [h.strip().lstrip("\ufeff").strip().lower() for h in header or []]
    missing = [c for c in OFFICE_COLUMNS if c not in names]
    if missing:
        raise fail(1, f"缺少列 {', '.join(missing)}（需要 {', '.join(OFFICE_COLUMNS)}）（missing column）")
    twice = [c for c in columns if names.count(c) > 1]
    if twice:
        raise fail(1, f"列 {', '.join(twice)} 出现不止一次（duplicate column）")
    return names, {c: names.index(c) for c in columns if c in names}


def _office_row(row: list[str], line: int, names: list[str], at: dict[str, int],
                fail: Callable[..., OfficesError]) -> dict[str, str]:
    """One office's values, stripped, its kind by its English name; or the error naming line and column."""
    if len(row) != len(names):
        what = f"缺少 {names[len(row)]}" if len(row) < len(names) else "多出字段"
        raise fail(line, f"{what}：应有 {len(names)} 个字段，实有 {len(row)} 个"
                   f"（expected {len(names)} fields, got {len(row)}）", min(len(row), len(names)) + 1)
    values = {c: row[i].strip() for c, i in at.items()}
    if not values["office"]:
        raise fail(line, "office 为空（empty office）", at["office"] + 1)
    kind = values["office_kind"]
    values["office_kind"] = _KIND_NAMES.get(kind, kind)  # 部门 for department: as a reviewer may write it
    if values["office_kind"] and values["office_kind"] not in OFFICE_KINDS:
        allowed = "、".join(f"{k}（{v}）" for k, v in OFFICE_KINDS.items())
        raise fail(line, f"office_kind '{kind}' 无效，应为 {allowed} 之一或留空（unknown office kind）", at["office_kind"] + 1)
    return values


def _twice(column: str, name: str, first: str, line: int, second: str) -> str:
    what = "别名" if column == "aliases" else "路径模式"
    return f"{what}「{name}」同时指向「{first}」（第{line}行）与「{second}」（{column} given to two offices）"

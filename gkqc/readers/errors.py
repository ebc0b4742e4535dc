"""The readers' one error: a file that cannot be read, and why (a module of its own, below every
reader, so that the lowest of them can raise it), of which NotTheFile is for a reason about this machine
(a full disk, a program killed); and how a message shows what an external program said."""

from __future__ import annotations

import errno
import shutil
import signal
import tempfile

from gkqc.cells import DAMAGED, controls_damaged


class Unreadable(Exception):
    """The file cannot be read; the message says why (Chinese)."""


AGAIN = "；下次运行重新读取"  # the end of the reason of a file not read for a reason not its own (gkqc.ingest)


class NotTheFile(Unreadable):
    """The file was not read for a reason about this machine or a program it runs (a full disk, a program
    killed by a signal), not the file: its reason ends with AGAIN, and the next run reads it again."""

    def __init__(self, why: str):
        super().__init__(why + AGAIN)


NO_SPACE = (errno.ENOSPC, errno.EDQUOT)
MIN_FREE_BYTES = 64 << 20  # a program that fails while its temporary folder's disk has less free: the disk blamed
NO_SPACE_SAID = ("No space left on device", "Disk quota exceeded")  # (strerror of NO_SPACE, as programs print it)


def disk_full(what: str) -> NotTheFile:
    """The reason of a reading that could not finish (`what`) because the temporary folder's disk is full."""
    return NotTheFile(f"临时文件夹 {tempfile.gettempdir()} 所在的磁盘已满（No space left on device），{what}未完成，"
                      "未读取：问题在本机，而非文件")


def out_of_space(said: str = "") -> bool:
    """Whether a program failed for its temporary folder's disk being full: it `said` so, or the disk has less
    than MIN_FREE_BYTES free."""
    if any(s in said for s in NO_SPACE_SAID):
        return True
    try:
        return shutil.disk_usage(tempfile.gettempdir()).free < MIN_FREE_BYTES
    except OSError:
        return False


def program_said(output: str, most: int = 200) -> str:
    """The last line an external program printed (LibreOffice's log, tesseract's errors) as one printable
    line of at most `most` characters: its output is as hostile as a file's text (control characters as
    `cells.controls_damaged` makes them, and so every other character that prints nothing: DEL, C1, format)."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    last = controls_damaged(lines[-1]) if lines else ""
    return "".join(c if c.isprintable() else DAMAGED for c in last)[:most]


# signals sent to a program from outside (the memory's killer, a stop, a shutdown): its file may read next time.
# Others it raises on itself, on this file (a crash: SIGSEGV, SIGABRT; over a limit: SIGXFSZ): not read again.
SENT = frozenset({signal.SIGKILL, signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT})


def killed(number: int, why: str) -> Unreadable:
    """The reason (`why`) of a program killed by signal `number`: NotTheFile, read again by the next run,
    when the signal came from outside (`SENT`), else the file's."""
    return NotTheFile(why) if number in SENT else Unreadable(why)


def signal_name(number: int) -> str:
    """'SIGKILL' for 9; the number where it names no signal."""
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)

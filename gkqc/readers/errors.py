"""The readers' one error: a file that cannot be read, and why (a module of its own, below every
reader, so that the lowest of them can raise it), and how a message shows what an external program said."""

from __future__ import annotations

import signal

from gkqc.cells import DAMAGED, controls_damaged


class Unreadable(Exception):
    """The file cannot be read; the message says why (Chinese)."""


def program_said(output: str, most: int = 200) -> str:
    """The last line an external program printed (LibreOffice's log, tesseract's errors) as one printable
    line of at most `most` characters: its output is as hostile as a file's text (control characters as
    `cells.controls_damaged` makes them, and so every other character that prints nothing: DEL, C1, format)."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    last = controls_damaged(lines[-1]) if lines else ""
    return "".join(c if c.isprintable() else DAMAGED for c in last)[:most]


def signal_name(number: int) -> str:
    """'SIGKILL' for 9; the number where it names no signal."""
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)

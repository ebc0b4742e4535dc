"""The readers' one error: a file that cannot be read, and why (a module of its own, below every
reader, so that the lowest of them can raise it), and the name of a signal that ended an external program."""

from __future__ import annotations

import signal


class Unreadable(Exception):
    """The file cannot be read; the message says why (Chinese)."""


def signal_name(number: int) -> str:
    """'SIGKILL' for 9; the number where it names no signal."""
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)

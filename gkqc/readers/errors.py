"""The readers' one error: a file that cannot be read, and why (a module of its own, below every
reader, so that the lowest of them can raise it)."""


class Unreadable(Exception):
    """The file cannot be read; the message says why (Chinese)."""

"""One collected file as the inbox hands it to a reader (a module of its own: parse workers unpickle
it without importing the inbox, the lake or its models)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Source:
    """One collected file or zip member: its bytes, or (data None) a one-line reason."""

    path: str  # relative to the inbox, '/'-separated, zip members as 'a.zip!dir/m.txt'; valid UTF-8
    data: bytes | None
    problem: str | None
    size: int  # bytes on disk / member size (0 when unknown)
    # a local file's stamp (gkqc.stamps), None while it may still change; not part of what a source is
    stamp: tuple[int, int, int, int, int] | None = field(default=None, compare=False)
    # not read (data None, problem None): its stamp is the one recorded with this doc id (gkqc.stamps)
    known: str | None = field(default=None, compare=False)

"""What a run reads of one file at most, in bytes: the bounds that keep hostile input (zip bombs, huge
files) within the README's memory bound. The inbox and the readers of zip-based formats (Word) share
them; a reader's own page and time limits sit beside its code (`pdf`, `ocr`, `word`; the README lists them)."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from typing import BinaryIO, TypeVar

T = TypeVar("T")

MAX_FILE_BYTES = 64 << 20  # larger files are not read
MAX_MEMBER_BYTES = 64 << 20  # zip member uncompressed size limit
MAX_RATIO = 200  # zip member compression ratio limit (zip bombs)
MAX_MEMBERS = 10_000  # members read from one zip
CD_BYTES_PER_MEMBER = 512  # a central directory over MAX_MEMBERS * this is not loaded (~0.5 KB RAM per entry)
CACHED_CHARS = 64  # texts a reader's caches keep at most this long (a cell's text, a label): never a line of prose
MAX_TEXT_CHARS = 8_000_000  # characters of a text file (page text, Markdown, a crawl) or of a page's text; the longest reports have ~100,000
MAX_TAGS = 1_000_000  # tags ('<') of a web page or Markdown file; a long report has ~10,000, and each element parsed takes ~250 bytes


def zip_directory_entries(f: BinaryIO) -> int | None:
    """The number of members a zip's central directory declares when it is too large to load
    (over `MAX_MEMBERS` entries' worth of bytes), read from its end record before zipfile loads it;
    else None."""
    end = zipfile._EndRecData(f)
    if end and end[zipfile._ECD_SIZE] > MAX_MEMBERS * CD_BYTES_PER_MEMBER:
        return end[zipfile._ECD_ENTRIES_TOTAL]
    return None


def zip_bomb_ratio(info: zipfile.ZipInfo) -> float | None:
    """A member's declared compression ratio when it is over `MAX_RATIO` (a zip bomb), else None."""
    ratio = info.file_size / max(info.compress_size, 1)
    return ratio if ratio > MAX_RATIO else None


class _ShortTexts(dict):
    """`fn`'s results for the short texts it was called on: a dict, so that a text met again costs one
    lookup, with no Python call between the caller and it. Emptied when it reaches `maxsize` entries."""

    def __init__(self, fn: Callable[[str | None], T], maxsize: int):
        super().__init__()
        self.fn, self.maxsize = fn, maxsize

    def __missing__(self, text: str | None) -> T:
        out = self.fn(text)
        if text is None or len(text) <= CACHED_CHARS:
            if len(self) >= self.maxsize:
                self.clear()
            self[text] = out
        return out


def cached_when_short(maxsize: int) -> Callable[[Callable[[str | None], T]], Callable[[str | None], T]]:
    """A cache for a function of one text called on the same short texts again and again: a text over
    `CACHED_CHARS` (a hostile file's one-line prose) is worked out each time and never kept, so a
    worker's caches stay small whatever it reads."""
    def wrap(fn: Callable[[str | None], T]) -> Callable[[str | None], T]:
        return _ShortTexts(fn, maxsize).__getitem__
    return wrap

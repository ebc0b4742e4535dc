"""What a run reads of one file at most, in bytes: the bounds that keep hostile input (zip bombs, huge
files) within the README's memory bound. The inbox and the readers of zip-based formats (Word) share
them; a reader's own page and time limits sit beside its code (`pdf`, `ocr`, `word`; the README lists them)."""

MAX_FILE_BYTES = 64 << 20  # larger files are not read
MAX_MEMBER_BYTES = 64 << 20  # zip member uncompressed size limit
MAX_RATIO = 200  # zip member compression ratio limit (zip bombs)
MAX_MEMBERS = 10_000  # members read from one zip
CD_BYTES_PER_MEMBER = 512  # a central directory over MAX_MEMBERS * this is not loaded (~0.5 KB RAM per entry)
MAX_TEXT_CHARS = 8_000_000  # characters of a text file (page text, Markdown, a crawl); the longest reports have ~100,000

"""One-line crawls: a page's textContent, the whole report on one or a few long lines."""

from __future__ import annotations

from gkqc.readers.tokens import Tok


def is_crawl(text: str) -> bool:
    """True when the text is a crawl that kept a page's text on one or a few long lines."""
    return False


def crawl_tokens(text: str) -> list[Tok]:
    return []

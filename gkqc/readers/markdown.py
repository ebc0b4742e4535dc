"""Converter Markdown: `#` headings, pipe tables, converter noise rows."""

from __future__ import annotations

from gkqc.readers.tokens import Tok


def is_markdown(text: str) -> bool:
    """True when the text is a PDF-to-Markdown converter's output."""
    return False


def markdown_tokens(text: str) -> list[Tok]:
    return []

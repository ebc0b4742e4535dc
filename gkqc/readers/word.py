"""Word attachments: .docx read from its table structure; .doc and .wps converted first."""

from __future__ import annotations

from gkqc.readers.decode import Unreadable
from gkqc.readers.tokens import Tok


def docx_tokens(data: bytes) -> tuple[list[Tok], dict[str, str]]:
    """(tokens, document properties) of a .docx. Raises Unreadable with the reason."""
    raise Unreadable("Word 文件暂不支持（后续版本）")


def convert_to_docx(name: str, data: bytes, kind: str) -> bytes:
    """A .doc or .wps file as .docx bytes. Raises Unreadable with the reason."""
    raise Unreadable(f"{kind} 文件暂不支持（后续版本）")

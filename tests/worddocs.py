"""Building Word files for tests: reports as .docx (gkqc.simulate.word, shared with the benchmark),
.docx files broken on purpose, .doc by LibreOffice, OLE2 files by hand."""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import tempfile
from pathlib import Path

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from gkqc.readers.word import find_soffice
from gkqc.simulate.word import docx_from_html, report_docx  # noqa: F401 - the tests' generators live there


def alt_chunk_docx(page: bytes) -> bytes:
    """A .docx whose body is an HTML page imported by Word when it opens it (w:altChunk)."""
    d = docx.Document()
    part = Part(PackURI("/word/afchunk.htm"), "text/html", page, d.part.package)
    rid = d.part.relate_to(part, RT.A_F_CHUNK)
    d.element.body.insert(0, parse_xml(f'<w:altChunk {nsdecls("w", "r")} r:id="{rid}"/>'))
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def set_part(data: bytes, name: str, content: bytes | None) -> bytes:
    """The package with member `name` replaced (or removed when None)."""
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != name:
                dst.writestr(info.filename, src.read(info))
        if content is not None:
            dst.writestr(name, content)
    return out.getvalue()


def body_xml(inner: str) -> bytes:
    """A .docx (python-docx's default styles) whose body is `inner` (w: and r: prefixes declared)."""
    d = docx.Document()
    body = d.element.body
    for el in list(body):
        if el.tag != qn("w:sectPr"):
            body.remove(el)
    mc = 'xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"'
    frag = parse_xml(f'<w:body {nsdecls("w", "r")} {mc}>{inner}</w:body>')
    for k, el in enumerate(list(frag)):
        body.insert(k, el)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


# ---------------------------------------------------------------- LibreOffice


def soffice_convert(data: bytes, suffix: str, to: str) -> bytes:
    """`data` (a file ending `suffix`) converted by LibreOffice to format `to` (doc, odt…)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp, f"in{suffix}")
        src.write_bytes(data)
        cmd = [find_soffice() or "soffice", f"-env:UserInstallation={Path(tmp, 'p').as_uri()}", "--headless",
               "--norestore", "--convert-to", to, "--outdir", str(Path(tmp, "out")), str(src)]
        for _ in range(2):  # 81: the new profile is set up; start again
            if subprocess.run(cmd, capture_output=True, timeout=180).returncode != 81:
                break
        return Path(tmp, "out", f"in.{to.split(':')[0]}").read_bytes()


def have_soffice() -> bool:
    return shutil.which("soffice") is not None or shutil.which("libreoffice") is not None


# ---------------------------------------------------------------- OLE2 compound files

_END, _FREE, _FAT = 0xFFFFFFFE, 0xFFFFFFFF, 0xFFFFFFFD


def ole_file(streams: dict[str, bytes]) -> bytes:
    """A compound file (version 3, 512-byte sectors) holding `streams` in the root storage; each
    stream padded to 4096 bytes, so that all live in normal sectors."""
    size = 512
    streams = {k: v.ljust(4096, b"\0") for k, v in streams.items()}
    n_dir = -(-(len(streams) + 1) // 4)
    data_sectors = sum(-(-len(v) // size) for v in streams.values())
    n_fat = 1
    while n_fat * 128 < n_fat + n_dir + data_sectors:
        n_fat += 1
    fat = [_FAT] * n_fat + [n_fat + k + 1 for k in range(n_dir - 1)] + [_END]
    entries = [_dir_entry("Root Entry", 5, _END, 0, child=1 if streams else _FREE)]
    body = b""
    for k, (name, blob) in enumerate(streams.items()):
        start, n = len(fat), -(-len(blob) // size)
        fat += [start + i + 1 for i in range(n - 1)] + [_END]
        entries.append(_dir_entry(name, 2, start, len(blob), right=k + 2 if k + 1 < len(streams) else _FREE))
        body += blob.ljust(n * size, b"\0")
    fat += [_FREE] * (n_fat * 128 - len(fat))
    directory = b"".join(entries).ljust(n_dir * size, b"\0")
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + b"\0" * 10 + struct.pack("<IIIIIIII", n_fat, n_fat, 0, 4096, _END, 0, _END, 0)
              + struct.pack(f"<{n_fat}I", *range(n_fat)) + struct.pack("<I", _FREE) * (109 - n_fat))
    return header + struct.pack(f"<{len(fat)}I", *fat) + directory + body


def _dir_entry(name: str, kind: int, start: int, length: int, child: int = _FREE, right: int = _FREE) -> bytes:
    raw = name.encode("utf-16-le") + b"\0\0"
    return (raw.ljust(64, b"\0") + struct.pack("<HBB", len(raw), kind, 1) + struct.pack("<III", _FREE, right, child)
            + b"\0" * 36 + struct.pack("<IIi", start, length, 0))


def word_fib(encrypted: bool) -> bytes:
    """The start of a Word 97 WordDocument stream: wIdent, nFib, …, flags (fEncrypted)."""
    return struct.pack("<HHHHHH", 0xA5EC, 0xC1, 0, 0x0804, 0, 0x0100 if encrypted else 0)

"""Building Word files for tests: a report rendered as HTML (gkqc.simulate.render.render_html) laid out
again as a .docx with python-docx (the same paragraphs, the same tables: colspan as gridSpan, rowspan
as vMerge, <br> as a line break), numbers split across runs; .doc by LibreOffice; OLE2 files by hand."""

from __future__ import annotations

import io
import re
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
from lxml import html as lxml_html

from gkqc.readers.word import find_soffice
from gkqc.simulate.render import ReportSpec, render_html

_NUMBER = re.compile(r"^[\d,.]+")
_HEADING = re.compile(r"^([一二三四五六])、")


def _cell_lines(td) -> list[str]:
    """A <td>'s text, split where it has <br>."""
    lines = [td.text or ""]
    for ch in td:
        if ch.tag == "br":
            lines.append("")
        else:
            lines[-1] += ch.text_content()
        lines[-1] += ch.tail or ""
    return [s.replace("\xa0", " ").strip() for s in lines]


def _grid(table) -> tuple[list[tuple[int, int, int, int, list[str]]], int, int]:
    """(row, col, rowspan, colspan, lines) of each <td>, placed as a browser does; grid size."""
    taken: set[tuple[int, int]] = set()
    out, width = [], 0
    rows = table.findall(".//tr")
    for r, tr in enumerate(rows):
        c = 0
        for td in tr.findall("td"):
            while (r, c) in taken:
                c += 1
            rs, cs = int(td.get("rowspan", 1)), int(td.get("colspan", 1))
            taken |= {(r + i, c + j) for i in range(rs) for j in range(cs)}
            out.append((r, c, rs, cs, _cell_lines(td)))
            c += cs
            width = max(width, c)
    return out, len(rows), width


def _write(paragraph, lines: list[str], split_runs: bool) -> None:
    """Lines into a paragraph, a line break between them; a number one run per digit."""
    for k, line in enumerate(lines):
        m = _NUMBER.match(line)
        if split_runs and m and len(m.group(0)) > 1:
            for ch in m.group(0):
                paragraph.add_run(ch)
            line = line[m.end():]
        if line:
            paragraph.add_run(line)
        if k < len(lines) - 1:
            (paragraph.runs[-1] if paragraph.runs else paragraph.add_run()).add_break()


def _table(container, table, split_runs: bool):
    cells, n_rows, n_cols = _grid(table)
    t = container.add_table(n_rows, n_cols)
    t.style = None
    for r, c, rs, cs, lines in cells:
        cell = t.cell(r, c)
        if rs > 1 or cs > 1:
            cell = cell.merge(t.cell(r + rs - 1, c + cs - 1))
        if "三、本年度办理结果" in lines:  # printed top to bottom, as in the templates
            cell._tc.get_or_add_tcPr().append(parse_xml(f'<w:textDirection {nsdecls("w")} w:val="tbRlV"/>'))
        _write(cell.paragraphs[0], lines, split_runs)
    return t


def _numbered_list(d) -> int:
    """A list numbered 一、二、… (chineseCounting) in the document's numbering part; its numId."""
    numbering = d.part.numbering_part.element
    numbering.insert(0, parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90"><w:lvl w:ilvl="0"><w:start w:val="1"/>'
        '<w:numFmt w:val="chineseCounting"/><w:suff w:val="nothing"/><w:lvlText w:val="%1、"/></w:lvl></w:abstractNum>'))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))
    return 90


def docx_from_html(page: bytes, *, split_runs: bool = True, numbered: bool = False, frame: bool = False,
                   sdt_table: int | None = None, core_title: str | None = None) -> bytes:
    """The page's paragraphs and tables as a .docx. `numbered`: section headings numbered by Word (一、
    not in the text); `frame`: everything inside the one cell of a layout table; `sdt_table`: that
    table (0-based) wrapped in a content control; `core_title`: the file's Title property."""
    d = docx.Document()
    body = lxml_html.fromstring(page).find("body")
    num_id = _numbered_list(d) if numbered else None
    box = d.add_table(1, 1).cell(0, 0) if frame else d
    tables = 0
    for el in body.iter("h1", "p", "div", "table"):
        if el.tag == "table":
            t = _table(box, el, split_runs)
            if tables == sdt_table:
                sdt = parse_xml(f"<w:sdt {nsdecls('w')}><w:sdtPr/><w:sdtContent/></w:sdt>")
                t._tbl.addprevious(sdt)
                sdt[1].append(t._tbl)
            tables += 1
            continue
        if el.tag == "div" and (el.find(".//p") is not None or el.find(".//table") is not None):
            continue
        text = el.text_content().replace("\xa0", " ").strip()
        m = _HEADING.match(text) if num_id else None
        p = box.add_paragraph()
        if m:
            text = text[m.end():]
            p._p.get_or_add_pPr().append(parse_xml(
                f'<w:numPr {nsdecls("w")}><w:ilvl w:val="0"/><w:numId w:val="{num_id}"/></w:numPr>'))
        _write(p, [text], split_runs=False)
    if frame:
        d.add_paragraph("")
    if core_title is not None:
        d.core_properties.title = core_title
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def report_docx(s: ReportSpec, **kw) -> bytes:
    return docx_from_html(render_html(s), **kw)


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

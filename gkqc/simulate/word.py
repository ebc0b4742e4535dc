"""Reports as Word files (.docx) for the benchmark and the tests: a report rendered as HTML
(`render.render_html`) laid out again with python-docx: the same paragraphs and tables, colspan as
gridSpan, rowspan as vMerge, <br> as a line break, numbers split across runs, the vertical label
printed top to bottom."""

from __future__ import annotations

import io
import re

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from lxml import html as lxml_html

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
    grid = t._cells  # every cell once, before merging (Table.cell walks the whole table each call)
    for r, c, rs, cs, lines in cells:
        cell = grid[r * n_cols + c]
        if rs > 1 or cs > 1:
            cell = cell.merge(grid[(r + rs - 1) * n_cols + c + cs - 1])
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

"""Word attachments: .docx read from its table structure; .doc and .wps converted to .docx first.

Tokens come as HTML's do (html.py), in document order: each body paragraph is a text line (label,
then trailing values: `split_trailing_values`; a line break inside it starts a new line); each table
cell is one cell token: a cell merged across columns (`gridSpan`) once (a value so merged leaves its row
unreadable: whose column is it?), a cell merged down (`vMerge`)
once in its first row, its continuations nothing, as for `colspan`/`rowspan`; an empty cell is an
empty token; a spare last column (备注, no template's) is no column (`spare_cells`). A cell's runs
are joined as printed (`1` `2` `3` in three runs is `123`); its line breaks and paragraphs join label
parts as `<br>` does (two numbers on two lines keep a `<br>` between them, so
the cell is unreadable, and the cell's note says so). A cell that holds a nested table (a layout frame around the report) is read as
its content: paragraphs as text lines, tables as tables. Content controls (`w:sdt`), inserted text,
hyperlinks, fields and text boxes are read; deleted text, field codes and hidden runs are not; of
markup-compatibility alternatives (`mc:AlternateContent`), the one Word shows. Word's
automatic list numbers (`一、` before a heading, `（一）` before a row label) are printed from
numbering.xml (word_numbering.py); text coloured like its ground is told by word_theme.py. An `altChunk` holding HTML is read as HTML.

`line` of a token is a running number over the document's paragraphs and table rows together (body
paragraphs, text-box paragraphs and table rows counted from 1 in document order; a cell's own
paragraphs are not counted): the Nth paragraph-or-row of the document as Word shows it.

.doc and .wps files (OLE2; told from .xls, .ppt and password-protected files by their OLE directory
first), OpenDocument texts (a zip without [Content_Types].xml) and RTF are converted by LibreOffice
headless (soffice.bin, under a guard: `lifeline.run_guarded`; it and all it starts are killed after
CONVERT_TIMEOUT_S, and if we die), each call with its own profile and temporary folder, removed afterwards
(`lifeline.scratch_dir`: a folder left by a process killed meanwhile, by the next that looks).
"""

from __future__ import annotations

import io
import os
import re
import shutil
import struct
import subprocess
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from lxml import etree

from gkqc.cells import as_raised, as_struck, as_unseen, is_value_like
from gkqc.lifeline import run_guarded, scratch_dir
from gkqc.limits import MAX_MEMBER_BYTES, MAX_MEMBERS, MAX_RATIO, zip_bomb_ratio, zip_directory_entries
from gkqc.readers import colours, word_theme
from gkqc.readers.decode import declared_charset, decode
from gkqc.readers.errors import (
    NO_SPACE,
    Unreadable,
    disk_full,
    killed,
    out_of_space,
    program_said,
    signal_name,
)
from gkqc.readers.html import html_tokens
from gkqc.readers.metadata import WORD_TITLE
from gkqc.readers.tokens import (
    IN_NUMBER,
    MAX_SPAN,
    SMALL_MARK,
    SMALLER,
    Tok,
    _tok,
    mark_merged,
    mark_short,
    spare_cells,
    split_trailing_values,
)
from gkqc.readers.word_numbering import ListNumbers
from gkqc.readers.word_xml import VAL as _VAL
from gkqc.readers.word_xml import W as _W
from gkqc.readers.word_xml import int_of

TEXT_BOX = "单元格中有文本框"  # (a cell holding one reads unreadable, the box's text in the reason)
OPEN_FIELD = "单元格中的域代码未结束"  # (a field begun in the cell and never separated from its result)
NOT_TOLD = "，无法确定单元格的值，不作猜测"  # the end of the reason a cell holding what is not read gives
SYMBOL = "单元格中有用“插入符号”写入的字符（w:sym：符号字体中的字符码，所印字符未知）" + NOT_TOLD
_SYMBOL = "\ufdd1"  # (a noncharacter) where a w:sym prints, in a line's text until its tokens are made
THEME_UNKNOWN = "单元格中的文字用主题颜色设色，而文档的主题无法读取，文字颜色（是否白色、看不见）未知" + NOT_TOLD
_THEMED = "\ufdd2"  # (a noncharacter) before text in a theme colour the document's theme does not give
_SMALL = "\ufdd0"  # (a noncharacter) before a digit much smaller than its number's others (`_sized_line`)
# the reader's marks in a line's text (noncharacters), each with its note: a value holding one is refused so
_MARKS = {_SYMBOL: SYMBOL, _SMALL: SMALL_MARK, _THEMED: THEME_UNKNOWN}
_NO_MARKS = str.maketrans(dict.fromkeys(_MARKS))
MAX_UNPACKED = MAX_MEMBER_BYTES  # all parts of a .docx together, uncompressed (python-docx loads them all)
RATIO_FLOOR = 1 << 20  # parts smaller than this are not held to MAX_RATIO (they cannot be bombs)
MAX_XML_PART = 16 << 20  # one XML or .rels part, uncompressed: python-docx holds its tree at about 20 bytes a byte
CONVERT_TIMEOUT_S = 60  # one .doc/.wps conversion, LibreOffice's start included
NO_OFFICE = "无法读取 .doc/.wps：需要安装 LibreOffice（Debian：apt-get install libreoffice-writer-nogui）"

_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
P, TBL, TR, TC, T, SDT, SDT_CONTENT = (_W + t for t in ("p", "tbl", "tr", "tc", "t", "sdt", "sdtContent"))
_NOT_TEXT = {_W + "pPr", _W + "rPr", _W + "tcPr", _W + "trPr", _W + "tblPr", _W + "tblGrid", _W + "sdtPr",
             _W + "sdtEndPr", _W + "del", _W + "moveFrom", _W + "instrText", _W + "delText",
             _W + "footnoteReference", _W + "endnoteReference", _W + "commentReference"}
_BREAKS = {_W + "br", _W + "cr"}
_TABS = {_W + "tab", _W + "ptab"}
_FLD_CHAR = _W + "fldChar"
_PRINTS = {T, _W + "noBreakHyphen", _W + "sym", _W + "fldSimple", *_BREAKS, *_TABS}  # what prints text (not in a field's code)
_TXBX = _W + "txbxContent"
_RUBY = _W + "ruby"
_SIGNS = {"-", "+", "－", "＋", "−", "–", "—", "‐"}  # a sign (or a dash for none) on a line of its own
_ALNUM_END = re.compile(r"[0-9A-Za-z０-９.,]$")
_ALNUM_START = re.compile(r"^[0-9A-Za-z０-９]")
_OTHER_MAIN = (b"application/vnd.ms-word.document.macroEnabled.main+xml",
               b"application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
               b"application/vnd.ms-word.template.macroEnabledTemplate.main+xml")
_DOCX_MAIN = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
_NOT_WORD = {"spreadsheetml": "Excel 工作簿（.xlsx）", "presentationml": "PowerPoint 演示文稿（.pptx）"}


# ---------------------------------------------------------------- .docx


def docx_tokens(data: bytes) -> tuple[list[Tok], dict[str, str]]:
    """(tokens, document properties) of a .docx. Raises Unreadable with the reason.

    The properties hold `metadata.WORD_TITLE` when the file's core properties name one (weak evidence: the
    body's title line wins)."""
    doc = _open_docx(data)
    if doc is None:  # an OpenDocument text: converted, then read as any .docx
        doc = _open_docx(convert_to_docx(data, "odt"))
    if doc is None:
        raise Unreadable("OpenDocument 文本转换后仍不是 Word 文档，未读取")
    body = doc.element.body
    if body is None:
        raise Unreadable("Word 文件没有正文（document.xml 中无 w:body，可能是 Strict Open XML 格式）")
    _choose_alternates(body)
    _show_bound_values(doc)
    chars, paras = _styles(doc, "character"), _styles(doc, "paragraph")
    complex_styles = any(pr is not None and (pr.find(_W + "cs") is not None or pr.find(_W + "rtl") is not None)
                         for pr, _ in (*chars.values(), *paras.values()))
    reader = _Reader(ListNumbers(doc), doc.part, _Look(chars, paras, tables=_table_styles(doc), defaults=_run_defaults(doc),
                                                      theme=word_theme.of_document(doc), complex=complex_styles))
    reader.blocks(body)
    title = (doc.core_properties.title or "").strip()
    return reader.out, ({WORD_TITLE: title} if title else {})


# the namespaces Word understands, that a markup-compatibility Choice may require (ECMA-376 Part 3, 10.2.1)
_UNDERSTOOD = frozenset({
    "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://schemas.openxmlformats.org/officeDocument/2006/math",
    "http://schemas.openxmlformats.org/drawingml/2006/main",
    "http://schemas.openxmlformats.org/drawingml/2006/picture",
    "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "http://schemas.openxmlformats.org/markup-compatibility/2006",
    "urn:schemas-microsoft-com:vml", "urn:schemas-microsoft-com:office:office", "urn:schemas-microsoft-com:office:word",
    "http://schemas.microsoft.com/office/word/2006/wordml",
    "http://schemas.microsoft.com/office/word/2010/wordml",
    "http://schemas.microsoft.com/office/word/2010/wordprocessingShape",
    "http://schemas.microsoft.com/office/word/2010/wordprocessingGroup",
    "http://schemas.microsoft.com/office/word/2010/wordprocessingCanvas",
    "http://schemas.microsoft.com/office/word/2010/wordprocessingInk",
    "http://schemas.microsoft.com/office/word/2010/wordprocessingDrawing",
    "http://schemas.microsoft.com/office/word/2012/wordml",
    "http://schemas.microsoft.com/office/word/2015/wordml/symex",
    "http://schemas.microsoft.com/office/word/2016/wordml/cid",
    "http://schemas.microsoft.com/office/word/2018/wordml",
    "http://schemas.microsoft.com/office/word/2018/wordml/cex",
    "http://schemas.microsoft.com/office/word/2020/wordml/sdtdatahash",
    "http://schemas.microsoft.com/office/word/2023/wordml/word16du",
    "http://schemas.microsoft.com/office/word/2024/wordml/sdtformatlock",
    "http://schemas.microsoft.com/office/drawing/2010/main",
    "http://schemas.microsoft.com/office/drawing/2012/main",
    "http://schemas.microsoft.com/office/drawing/2014/main",
})


def _choose_alternates(root) -> None:
    """Each mc:AlternateContent under `root` replaced by what Word shows of it (markup compatibility,
    ECMA-376 Part 3, 10.2): the content of its first mc:Choice whose Requires names only namespaces
    Word understands (`_UNDERSTOOD`; a prefix declared nowhere, or a namespace not known here, is
    not), else of its mc:Fallback, else nothing. Inner ones first (a branch holds its own)."""
    for alt in reversed(list(root.iter(_MC + "AlternateContent"))):
        parent = alt.getparent()
        if parent is None:
            continue
        branch = next((ch for ch in alt if ch.tag == _MC + "Choice" and _understood(ch)),
                      next((ch for ch in alt if ch.tag == _MC + "Fallback"), None))  # (in place: its prefixes declared)
        at = parent.index(alt)
        parent.remove(alt)
        for k, el in enumerate(list(branch) if branch is not None else []):
            parent.insert(at + k, el)


def _understood(choice) -> bool:
    """Whether Word understands every namespace a Choice requires (by their prefixes, declared around it)."""
    prefixes = (choice.get("Requires") or "").split()
    return bool(prefixes) and all(choice.nsmap.get(p) in _UNDERSTOOD for p in prefixes)


_BINDING = f"{_W}sdtPr/{_W}dataBinding"
_STORE_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/customXml}itemID"
_PREFIX = re.compile(r"""xmlns:([\w.-]+)\s*=\s*['"]([^'"]*)['"]""")
_STEP = r"(?:[\w.-]+:)?[\w.-]+(?:\[\d{1,6}\])?"
_BOUND_PATH = re.compile(rf"(?:/{_STEP}){{1,32}}(?:/@(?:[\w.-]+:)?[\w.-]+)?")  # what Word writes: /ns0:root[1]/ns0:total[1]


def _show_bound_values(doc) -> None:
    """Content controls bound to the file's custom XML (`w:dataBinding`) show the value there, as Word
    refreshes them when it opens the file (generators fill reports so, leaving the text cached in
    the control stale): their text becomes that value. A binding that does not resolve to one node
    leaves the cached text, as Word does."""
    sdts = [sdt for sdt in doc.element.body.iter(SDT) if sdt.find(_BINDING) is not None]
    if not sdts:
        return
    stores = _custom_xml(doc.part.package)
    for sdt in sdts:
        binding, content = sdt.find(_BINDING), sdt.find(SDT_CONTENT)
        store = stores.get((binding.get(_W + "storeItemID") or "").upper())
        path = binding.get(_W + "xpath") or ""
        if store is None or content is None or len(path) > 1000 or not _BOUND_PATH.fullmatch(path) \
                or any(True for _ in content.iter(TC, TBL)) or len(content.findall(f".//{P}")) > 1:
            continue  # (a path Word does not write, or a control around cells or paragraphs: the text as cached)
        try:
            found = etree.XPath(path, namespaces=dict(_PREFIX.findall(binding.get(_W + "prefixMappings") or "")),
                                regexp=False, smart_strings=False)(store)
        except (etree.XPathError, TypeError, ValueError):
            continue
        if not isinstance(found, list) or len(found) != 1 or not isinstance(found[0], (str, etree._Element)):
            continue
        value = found[0] if isinstance(found[0], str) else "".join(found[0].itertext())
        runs = list(content.iter(_W + "r"))
        for r in runs[1:]:
            r.getparent().remove(r)
        if runs:
            for ch in list(runs[0]):
                if ch.tag != _W + "rPr":
                    runs[0].remove(ch)
            run = runs[0]
        else:  # (an empty control, its placeholder shown: in its first paragraph, or as a run)
            p = content.find(P)
            run = etree.SubElement(p if p is not None else content, _W + "r")
        etree.SubElement(run, T).text = value


def _custom_xml(package) -> dict[str, etree._Element]:
    """The file's custom XML parts by their store item id (upper case), parsed safely."""
    out: dict[str, etree._Element] = {}
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    for part in package.iter_parts():
        for rel in part.rels.values():
            if rel.is_external or not rel.reltype.endswith("/customXmlProps"):
                continue
            try:
                props = etree.fromstring(rel.target_part.blob, parser)
                item = etree.fromstring(part.blob, parser)
            except (etree.XMLSyntaxError, ValueError):
                continue
            if props is not None and item is not None and (sid := props.get(_STORE_ID)):
                out[sid.upper()] = item
    return out


def _open_docx(data: bytes):
    """The python-docx Document, after the zip's sizes are checked; None for an OpenDocument text."""
    import docx  # python-docx: imported when a Word file comes, not by every parser worker

    try:
        if (entries := zip_directory_entries(io.BytesIO(data))) is not None:
            raise Unreadable(f"Word 文件（压缩包）成员过多（{entries} 个），未读取")
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            infos = z.infolist()
            _check_parts(infos)
            names = {i.filename for i in infos}
            if "[Content_Types].xml" not in names:
                if "mimetype" in names and z.read("mimetype").startswith(b"application/vnd.oasis.opendocument.text"):
                    return None
                raise Unreadable("压缩包内没有 Office 文档结构（缺少 [Content_Types].xml），不是 Word 文档")
            types = z.read("[Content_Types].xml")
    except Unreadable:
        raise
    except Exception as e:  # BadZipFile, an unsupported compression method, a broken stream
        raise Unreadable(f"Word 文件已损坏（压缩包无法打开：{type(e).__name__}: {str(e)[:200]}）") from None
    if _DOCX_MAIN not in types and any(t in types for t in _OTHER_MAIN):
        data = _as_document(data, types)  # .docm / .dotx / .dotm: the same body, another content type
    try:
        return docx.Document(io.BytesIO(data))
    except ValueError as e:
        if "is not a Word file" in str(e):
            kind = next((v for k, v in _NOT_WORD.items() if k in str(e)), "Office 文件")
            raise Unreadable(f"这是{kind}，不是 Word 文档") from None
        raise Unreadable(f"Word 文件已损坏（{type(e).__name__}: {e}）") from None
    except KeyError as e:
        raise Unreadable(f"Word 文件已损坏或不完整（缺少部件 {e}）") from None
    except Exception as e:  # damaged XML or zip members
        raise Unreadable(f"Word 文件已损坏（{type(e).__name__}: {str(e)[:200]}）") from None


def _check_parts(infos: list[zipfile.ZipInfo]) -> None:
    """Zip bombs and encrypted parts, from the sizes the zip declares (zipfile reads no more than those)."""
    if len(infos) > MAX_MEMBERS:
        raise Unreadable(f"Word 文件（压缩包）成员过多（{len(infos)} 个），未读取")
    total = 0
    for i in infos:
        if i.flag_bits & 0x1:
            raise Unreadable(f"Word 文件中的部件已加密（{i.filename}），无法读取")
        if i.file_size > RATIO_FLOOR and (ratio := zip_bomb_ratio(i)):
            raise Unreadable(f"Word 文件部件 {i.filename} 压缩比 {ratio:.0f} 超过上限 {MAX_RATIO}，疑似压缩炸弹，未读取")
        if i.file_size > MAX_XML_PART and i.filename.endswith((".xml", ".rels")):
            raise Unreadable(f"Word 文件部件 {i.filename} 解压后 {_size(i.file_size)}，超过上限 {_size(MAX_XML_PART)}"
                             "（正文过长，读取需要的内存过多），未读取")
        total += i.file_size
    if total > MAX_UNPACKED:
        raise Unreadable(f"Word 文件解压后共 {_size(total)}，超过上限 {_size(MAX_UNPACKED)}，未读取")


def _size(n: int) -> str:
    return f"{n / (1 << 20):.1f} MB" if n >= 1 << 20 else f"{n} 字节"


def _as_document(data: bytes, types: bytes) -> bytes:
    """The package again with its main part typed as a plain .docx document (python-docx opens only that)."""
    for t in _OTHER_MAIN:
        types = types.replace(t, _DOCX_MAIN)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, types if info.filename == "[Content_Types].xml" else src.read(info))
    return out.getvalue()


def _continues(tc) -> bool:
    """A cell that continues the merged cell above (vMerge) or to its left (legacy hMerge): no token."""
    pr = tc.find(_W + "tcPr")
    if pr is None:
        return False
    for tag in ("vMerge", "hMerge"):
        m = pr.find(_W + tag)
        if m is not None and m.get(_VAL, "continue") == "continue":
            return True
    return False


def _grid(pr, tag: str, least: int) -> int:
    """A row's gridBefore or a cell's gridSpan (in its properties `pr`): grid columns, `least` when
    absent or damaged."""
    return min(max(int_of(pr, tag, least) or least, least), MAX_SPAN)


def _styles_of(doc, kind: str) -> list[tuple[object, str, str | None]]:
    """The styles of a kind (table, character, paragraph): (the style, its id, the style it is based on);
    none when the styles part is missing or damaged (tables and runs are then read by their own properties)."""
    try:
        found = doc.styles.element.findall(_W + "style")
    except Exception:
        return []
    return [(st, st.get(_W + "styleId", ""), based.get(_VAL) if (based := st.find(_W + "basedOn")) is not None else None)
            for st in found if st.get(_W + "type") == kind]


def _table_styles(doc) -> dict[str, tuple[object, str | None]]:
    """Table styles: style id -> (the style, the style it is based on); the default one (for a table
    naming none) also under ""."""
    out: dict[str, tuple[object, str | None]] = {}
    for st, sid, based in _styles_of(doc, "table"):
        out[sid] = (st, based)
        if st.get(_W + "default") in ("1", "true", "on"):  # (the last, when several say so: 17.7.4.17)
            out[""] = out[sid]
    return out


def _styles(doc, kind: str) -> dict[str, tuple[object, str | None]]:
    """Styles of a kind (character, paragraph): style id -> (its run properties, the style it is based on);
    the default one (a paragraph naming no style takes it) also under ""."""
    out: dict[str, tuple[object, str | None]] = {}
    for st, sid, based in _styles_of(doc, kind):
        out[sid] = (st.find(_W + "rPr"), based)
        if st.get(_W + "default") in ("1", "true", "on"):  # (the last, when several say so: 17.7.4.17)
            out[""] = out[sid]
    return out


def _run_defaults(doc):
    """The document's default run properties (w:docDefaults/w:rPrDefault/w:rPr), or None."""
    try:
        return doc.styles.element.find(f"{_W}docDefaults/{_W}rPrDefault/{_W}rPr")
    except Exception:  # (no styles part, or a damaged one)
        return None


@dataclass(slots=True)
class _Look:
    """How a paragraph's runs are set: their own properties, else their character style's
    (`styles`), else their paragraph's style's (`paragraph`, the paragraph's `pstyle`: the default
    one, "", when it names none known); `shifted`: the paragraph prints runs at more than one height
    (w:position)."""

    styles: dict[str, tuple[object, str | None]]
    paragraph: dict[str, tuple[object, str | None]] = field(default_factory=dict)
    pstyle: str | None = None
    shifted: bool = False
    para: object = None  # the paragraph (its shading, else its cell's or table's, may show white text: `_ground`)
    tables: dict[str, tuple[object, str | None]] = field(default_factory=dict)  # table styles (`_table_styles`)
    defaults: object = None  # the document's default run properties (`_run_defaults`)
    under: tuple = ()  # run properties under the paragraph's styles: its table's style's (and bases'), the defaults
    theme: dict[str, str | None] | None = None  # the document's theme colours (`word_theme.of_document`)
    beneath: dict = field(default_factory=dict)  # each table -> its `under` (found once: a table's rows are many)
    complex: bool = False  # some character or paragraph style sets `cs` or `rtl` (`_complex`)

    def prop(self, run, tag: str):
        """The run's property `tag`: its own, else its character style's, else its paragraph style's
        (or such a style's base's)."""
        own, styled = self._set(run, tag)
        if own is not None:
            return own
        return styled if styled is not None else _in_styles(self.paragraph, self.pstyle, tag)

    def _set(self, run, tag: str):
        """The run's own property `tag` and its character style's (each None when not set)."""
        pr = run.find(_W + "rPr")
        if pr is None:
            return None, None
        own, ref = pr.find(_W + tag), pr.find(_W + "rStyle")
        return own, (_in_styles(self.styles, ref.get(_VAL), tag) if own is None and ref is not None else None)

    def hidden(self, run) -> bool:
        return self._on(run, "vanish") or self._on(run, "specVanish")

    def struck(self, run) -> bool:
        return self._on(run, "strike") or self._on(run, "dstrike")

    def _on(self, run, tag: str) -> bool:
        """Whether a property that is on or off is on for the run. Set in both its character style and
        its paragraph style, a toggle (vanish, strike) cancels out, as Word applies styles."""
        if tag not in _TOGGLES:
            return _true(self.prop(run, tag))
        own, styled = self._set(run, tag)
        return _true(own) if own is not None else _true(styled) != _true(_in_styles(self.paragraph, self.pstyle, tag))

    def height(self, run) -> int:
        """How far the run is raised (half-points; below the line when negative)."""
        v = self.prop(run, "position")
        try:
            return int(v.get(_VAL, "0")) if v is not None else 0
        except ValueError:
            return 0

    def size(self, run) -> float | None:
        """The run's font size in half-points (ECMA-376 17.3.2.38): its own, its styles' (character,
        paragraph, table), else the document's default, else 10 pt; `szCs` for a run set for complex
        scripts (`cs`, `rtl`: as Word sizes them). None when the size set cannot be read."""
        tag = "szCs" if self._complex(run) else "sz"
        found = self.prop(run, tag)
        if found is None:
            found = next((el for pr in self.under if (el := pr.find(_W + tag)) is not None), None)
        return word_theme.half_points(found.get(_VAL, "")) if found is not None else 20

    def _complex(self, run) -> bool:
        """Whether the run is set for complex scripts (`cs`, `rtl`); its styles are looked at only
        when some style sets either (few do: a run's own properties are found faster)."""
        if self.complex:
            return _true(self.prop(run, "cs")) or _true(self.prop(run, "rtl"))
        pr = run.find(_W + "rPr")
        return pr is not None and (_true(pr.find(_W + "cs")) or _true(pr.find(_W + "rtl")))

    def raised(self, run) -> str | None:
        """superscript or subscript, when the run is set so (a footnote's mark after a number): by
        vertAlign, or raised or lowered from the rest of its paragraph (LibreOffice writes <sup> so)."""
        v = self.prop(run, "vertAlign")
        position = v.get(_VAL) if v is not None else None
        if position in ("superscript", "subscript"):
            return position
        h = self.height(run) if self.shifted else 0
        return "superscript" if h > 0 else "subscript" if h < 0 else None

    def white(self, run) -> bool | None:
        """Whether the run's text is white (or nearly): unseen but on a dark ground, the run's own
        shading or highlight, else its paragraph's or cell's. `auto` is black on light, white on dark:
        always seen. None when its colour is a theme colour the document's theme does not give."""
        colour = self.prop(run, "color")
        value = word_theme.colour(colour, self.theme) if colour is not None else None
        if value is word_theme.UNTOLD:
            return None
        if not colours.white(value):
            return False
        pr = run.find(_W + "rPr")
        grounds = ((word_theme.shading(pr.find(_W + "shd"), self.theme), word_theme.highlight(pr.find(_W + "highlight")))
                   if pr is not None else ())
        dark = next((d for d in grounds if d is not None), None)  # (the run's own ground, else the paragraph's)
        return not (dark if dark is not None else self.para is not None and _ground(self.para, self.tables, self.theme))

    def printed(self, run) -> Callable[[str], str] | None:
        """How the run's text is written when it is white, struck through, raised or lowered (its
        digits then no digits of the number beside it); None for plain text."""
        if (white := self.white(run)) is None:
            return _in_untold_colour
        if white:
            return as_unseen
        if self.struck(run):
            return as_struck
        position = self.raised(run)
        return partial(as_raised, position=position) if position else None

    def _under(self, p) -> tuple:
        """The run properties under paragraph p's styles: its table's style's (and those it is based on),
        then the document's defaults."""
        tbl = next(p.iterancestors(TBL), None)
        if tbl not in self.beneath:
            chain = _table_chain(tbl, self.tables) if tbl is not None else []
            self.beneath[tbl] = tuple(pr for st in chain if (pr := st.find(_W + "rPr")) is not None) + (
                (self.defaults,) if self.defaults is not None else ())
        return self.beneath[tbl]

    def of(self, p) -> _Look:
        """This look for paragraph p: its style, and shifted when its runs with text stand at more than one height."""
        ref = p.find(f"{_W}pPr/{_W}pStyle")
        sid = ref.get(_VAL) if ref is not None else ""
        look = _Look(self.styles, self.paragraph, sid if sid in self.paragraph else "", tables=self.tables,
                     defaults=self.defaults, theme=self.theme, beneath=self.beneath, under=self._under(p),
                     complex=self.complex)
        heights = {look.height(r) for r in p.iter(_W + "r") if r.find(T) is not None}
        look.shifted = len(heights) > 1
        look.para = p
        return look


def _in_untold_colour(text: str) -> str:
    """Text in a theme colour the document's theme does not give, marked so (`_THEMED`): whether it
    shows is not told. Blank text is left as it is."""
    return _THEMED + text if text.strip() else text


def _ground(p, tables: dict[str, tuple[object, str | None]], theme: dict[str, str | None] | None) -> bool:
    """Whether paragraph p stands on a dark shading: its own, else its cell's, else its table's (the
    nearest that sets one; `_table_ground`)."""
    shd = p.find(f"{_W}pPr/{_W}shd")
    if (dark := word_theme.shading(shd, theme)) is not None:
        return dark
    for up in p.iterancestors(TC, TBL):
        if (dark := word_theme.shading(up.find(f"{_W}tcPr/{_W}shd"), theme) if up.tag == TC
                else _table_ground(up, tables, theme)) is not None:
            return dark
    return False


def _table_ground(tbl, tables: dict[str, tuple[object, str | None]], theme: dict[str, str | None] | None) -> bool | None:
    """Whether a table shades its cells dark, behind a cell that shades none (ECMA-376 17.4.32): its
    style's cell shading, else its own shading (w:tblPr/w:shd), else its style's (each style looked
    up through those it is based on). A style shading some cells its own way (w:tblStylePr: a first
    row, banded rows) does not tell which: not dark. None when none is set."""
    chain = _table_chain(tbl, tables)
    if any(st.find(f"{_W}tblStylePr//{_W}shd") is not None for st in chain):
        return False
    for where in ([(st, "tcPr") for st in chain], [(tbl, "tblPr")], [(st, "tblPr") for st in chain]):
        for el, pr in where:
            if (dark := word_theme.shading(el.find(f"{_W}{pr}/{_W}shd"), theme)) is not None:
                return dark
    return None


def _table_chain(tbl, tables: dict[str, tuple[object, str | None]]) -> list:
    """The style a table names (else the default one) and those it is based on, nearest first."""
    ref = tbl.find(f"{_W}tblPr/{_W}tblStyle")
    chain, sid, seen = [], ref.get(_VAL) if ref is not None else "", set()
    while sid in tables and sid not in seen:
        seen.add(sid)
        st, sid = tables[sid]
        chain.append(st)
    return chain



_TOGGLES = {"vanish", "strike"}  # toggle properties among those read (ECMA-376 17.7.3)


def _true(v) -> bool:
    return v is not None and v.get(_VAL, "true") not in ("false", "0", "off")


def _in_styles(styles: dict[str, tuple[object, str | None]], sid: str | None, tag: str):
    """Property `tag` set by style `sid` or a style it is based on, else None."""
    seen: set[str] = set()
    while sid in styles and sid not in seen:
        seen.add(sid)
        rpr, sid = styles[sid]
        found = rpr.find(_W + tag) if rpr is not None else None
        if found is not None:
            return found
    return None


_MATH, _MATH_TEXT = ("{http://schemas.openxmlformats.org/officeDocument/2006/math}" + t for t in ("oMath", "t"))
_UNREAD = {_MATH: "单元格中有公式", _W + "altChunk": "单元格中有导入的外部内容"}  # not read: the cell is unreadable, never blank


def _not_read(tc, boxed: list[str], open_code: bool) -> str | None:
    """Why a cell is unreadable that holds what is printed but not read, or None: a text box (`boxed`:
    its lines; where it prints, and so what the cell shows, cannot be told), a field's code that never
    ends (`open_code`), an equation, content Word imports. The reason names it and shows its text; the
    cell's own text stays as printed (a note in it would read as more of the row's label)."""
    if boxed:
        return f"{TEXT_BOX}（框内文字：{_shown('／'.join(boxed))}）{NOT_TOLD}"
    if open_code:
        return OPEN_FIELD + NOT_TOLD
    what = next((_UNREAD[el.tag] for el in tc.iter(*_UNREAD)), None)
    if what is None:
        return None
    math = "".join(t.text or "" for t in tc.iter(_MATH_TEXT)).strip()
    return f"{what}{f'（公式文字：{_shown(math)}）' if math else ''}{NOT_TOLD}"


def _shown(text: str, most: int = 40) -> str:
    """`text` as a reason shows it: at most `most` characters."""
    return text if len(text) <= most else f"{text[:most]}…"


def _children(el, want: str):
    """Children of `el` with tag `want`, looking through content controls and custom XML around them."""
    for ch in el:
        if ch.tag == want:
            yield ch
        elif ch.tag in (SDT, SDT_CONTENT, _W + "customXml"):
            yield from _children(ch, want)


class _Reader:
    """Walks the body: paragraphs and tables in document order, into `out`."""

    def __init__(self, numbering: ListNumbers, part, look: _Look) -> None:
        self.out: list[Tok] = []
        self.line = 0
        self.numbering = numbering
        self.part = part
        self.look = look
        self.fields: list[bool] = []  # complex fields open (a field may run over paragraphs): see _runs

    def blocks(self, parent) -> None:
        for el in parent:
            tag = el.tag
            if tag == P:
                self.paragraph(el)
            elif tag == TBL:
                self.table(el)
            elif tag in (SDT, SDT_CONTENT, _W + "customXml"):
                self.blocks(el)
            elif tag == _W + "altChunk":
                self.alt_chunk(el)

    def lines(self, p) -> tuple[list[str], list]:
        """The printed lines of a paragraph (its list number first) and the text boxes in it."""
        pieces, boxes = [[self.numbering.label(p)]], []
        look = self.look.of(p)
        _runs(p, pieces, boxes, look, self.fields)
        return [_sized_line(line, look) for line in pieces], boxes

    def paragraph(self, p) -> None:
        self.line += 1
        parts, boxes = self.lines(p)
        for s in parts:
            if s.strip():
                self.out += _line_tokens(s, self.line)
        for box in boxes:
            self.blocks(box)

    def table(self, tbl) -> None:
        rows: list[tuple[int, int, int, int]] = []  # width on the grid, last cell's place and token, first token
        placed: list[tuple[int, int, int, int]] = []  # each cell: its token, place on the grid, places it spans, row
        for tr in _children(tbl, TR):
            self.line += 1
            first, width, at, last = len(self.out), _grid(tr.find(_W + "trPr"), "gridBefore", 0), 0, -1
            for tc in _children(tr, TC):
                at, last = width, -1
                span = _grid(tc.find(_W + "tcPr"), "gridSpan", 1)
                width += span
                placed.append((-1, at, 1, self.line))  # (a place where a cell starts: see mark_merged)
                if _continues(tc):
                    continue
                if any(True for _ in _children(tc, TBL)):  # a frame around tables: its content as blocks
                    self.blocks(tc)
                    continue
                parts: list[str] = []
                boxed: list[str] = []  # text in text boxes anchored in the cell
                outer, self.fields = self.fields, []  # (a field does not run from one cell into another)
                for p in _children(tc, P):
                    printed, boxes = self.lines(p)
                    parts += printed
                    inside = list(dict.fromkeys(bp for box in boxes for bp in box.iter(P)))  # (boxes may nest)
                    boxed += [_unmarked(s)[0] for bp in inside for s in self.lines(bp)[0] if s.strip()]
                open_code, self.fields = True in self.fields, outer
                clean = [_unmarked(s) for s in parts]
                text, note = _join([s for s, _ in clean])
                tok = _tok(text, self.line, True)
                tok.note = note
                if (unread := _not_read(tc, boxed, open_code)) is not None:
                    tok.note, tok.refused = unread, True
                elif (marked := next((why for _, why in clean if why), None)) and is_value_like(tok.text):
                    tok.note, tok.refused = marked, True
                self.out.append(tok)
                last = len(self.out) - 1
                placed[-1] = (last, at, span, self.line)
            if width:
                rows.append((width, at, last, first))
        mark_short(rows, self.out, lambda row: any(t.text for t in self.out[row[3]:row[2]]))
        mark_merged(self.out, placed)
        if spare := spare_cells(rows, self.out):  # a spare last column (备注): no column, as in HTML
            start = min(spare)  # (a table's own tokens are the last read: no index held before it moves)
            self.out[start:] = [t for k, t in enumerate(self.out[start:], start) if k not in spare]

    def alt_chunk(self, el) -> None:
        """Content Word imports when it opens the file (an HTML page, or plain text)."""
        part = self.part.related_parts.get(el.get(_R_ID))
        if part is None or not part.content_type.startswith(("text/html", "application/xhtml", "text/plain")):
            return
        text, _ = decode(part.blob, declared_charset(part.blob))
        if part.content_type.startswith("text/plain"):
            toks = [t for n, s in enumerate(text.splitlines(), 1) if s.strip() for t in split_trailing_values(s, n)]
        else:
            toks = html_tokens(text)[1]
        base = self.line
        for t in toks:
            t.line += base
            self.line = max(self.line, t.line)
        self.out += toks


def _runs(el, parts: list[list[str]], boxes: list, look: _Look, fields: list[bool] | None = None) -> None:
    """The text under `el` as printed (`look`: how its runs are set), split at line breaks into
    `parts`, a list of pieces a line (appending to the last: joined once, by the caller, not
    added onto the line's text run by run); text boxes are collected in `boxes`. `fields`: the complex
    fields open around the text, True while in a field's code: its text, a nested field's result
    too (`{ = { REF a } + 4 }`), is not printed, only the outer field's result."""
    fields = [] if fields is None else fields
    for ch in el:
        tag = ch.tag
        if tag == _FLD_CHAR:
            _field_char(ch, fields)
        elif True in fields and tag in _PRINTS:
            continue  # (a field's code)
        elif tag == T:
            parts[-1].append(_Printed(ch.text or "", ch.getparent()))
        elif tag in _TABS:
            parts[-1].append("\t")
        elif tag in _BREAKS:
            parts.append([])
        elif tag == _W + "noBreakHyphen":
            parts[-1].append("-")
        elif tag == _W + "sym":  # (a character by its code in a symbol font: which one it prints is not told)
            parts[-1].append(_SYMBOL)
        elif tag == _TXBX:
            boxes.append(ch)
        elif tag in _NOT_TEXT or (tag == _W + "r" and look.hidden(ch)) or not isinstance(tag, str):
            if isinstance(tag, str) and len(ch):
                for mark in ch.iter(_FLD_CHAR):  # a field's marks bound it even where hidden or deleted
                    _field_char(mark, fields)
            continue
        elif tag == _W + "r" and (printed := look.printed(ch)):
            own: list[list[str]] = [[]]
            _runs(ch, own, boxes, look, fields)
            first, *more = ("".join(line) for line in own)
            parts[-1].append(printed(first))
            parts.extend([printed(line)] for line in more)
        elif tag == _RUBY:  # (拼音指南) its text, then its annotation printed over it: a raised mark, as HTML's <rt>
            for part in _children(ch, _W + "rubyBase"):
                _runs(part, parts, boxes, look, fields)
            over: list[list[str]] = [[]]
            for part in _children(ch, _W + "rt"):
                _runs(part, over, boxes, look, fields)
            parts[-1].append(as_raised("".join("".join(line) for line in over), "superscript"))
        elif len(ch):
            _runs(ch, parts, boxes, look, fields)


class _Printed(str):
    """A run's text as printed, with the run: its size is looked up where digits of runs meet (`_sized_line`)."""

    run: object

    def __new__(cls, text: str, run) -> _Printed:
        out = super().__new__(cls, text)
        out.run = run
        return out


def _sized_line(line: list[str], look: _Look) -> str:
    """A line's pieces as one text, `_SMALL` before each digit printed under SMALLER of the size of the
    largest digits of its number (IN_NUMBER characters in a row, across runs): a footnote's mark set
    small on the line, not raised. Only runs' own text has a size (a list number, a raised or struck
    run as printed take no part)."""
    text = "".join(line)
    digits = [p.__class__ is _Printed and any(ch.isdigit() for ch in p) for p in line]
    if sum(digits) < 2:  # (digits of one run at most)
        return text
    sizes = [look.size(p.run) if has else None for p, has in zip(line, digits, strict=True)]
    if len(set(sizes) - {None}) < 2:  # (digits of runs of one size)
        return text
    chars = [(ch, size) for p, size in zip(line, sizes, strict=True) for ch in p]
    out, k = [], 0
    while k < len(chars):
        j = k
        while j < len(chars) and chars[j][0] in IN_NUMBER:
            j += 1
        top = max((size for ch, size in chars[k:j] if size is not None and ch.isdigit()), default=0.0)
        for ch, size in chars[k:max(j, k + 1)]:
            out.append(_SMALL + ch if size is not None and ch.isdigit() and size < SMALLER * top else ch)
        k = max(j, k + 1)
    return "".join(out)


def _unmarked(text: str) -> tuple[str, str | None]:
    """`text` without the reader's marks (`_MARKS`), and the note of the first it held (None: none)."""
    why = next((note for mark, note in _MARKS.items() if mark in text), None)
    return (text, None) if why is None else (text.translate(_NO_MARKS), why)


def _line_tokens(text: str, line: int) -> list[Tok]:
    """A text line's tokens (`split_trailing_values`), without the reader's marks: a value whose word
    held one is refused, with its note (a mark alone between words is no word)."""
    clean, why = _unmarked(text)
    toks = split_trailing_values(clean, line)
    if why is None:
        return toks
    words = [w for w in text.split() if w.translate(_NO_MARKS)]
    for tok, word in zip(reversed(toks), reversed(words), strict=False):  # (the values: the line's last words)
        if (note := _unmarked(word)[1]) and is_value_like(tok.text):
            tok.note, tok.refused = note, True
    return toks


def _field_char(mark, fields: list[bool]) -> None:
    """A field's begin, separate or end mark, on the stack of open fields (True: in its code)."""
    kind = mark.get(_W + "fldCharType")
    if kind == "begin":
        fields.append(True)
    elif kind == "separate" and fields:
        fields[-1] = False
    elif kind == "end" and fields:
        fields.pop()


def _join(parts: list[str]) -> tuple[str, str | None]:
    """A cell's lines as one text: label parts joined as `<br>` joins them; two numbers one under
    the other keep a `<br>` between them (never one number), with a note (a cell should hold one)."""
    parts = [s.strip() for s in parts if s.strip()]
    if not parts:
        return "", None
    text, split = parts[0], []
    for s in parts[1:]:
        if (text[-1].isdigit() or text in _SIGNS) and s[0].isdigit():  # two numbers (or a sign over one), not one:
            split.append(s)                                              # the cell reads as unreadable
            text += "<br>" + s
        elif _ALNUM_END.search(text) and _ALNUM_START.match(s):
            split.append(s)
            text += " " + s
        else:
            text += s
    return text, (f"单元格内分行书写：{'／'.join(parts)}" if split else None)



# ---------------------------------------------------------------- .doc / .wps


def convert_to_docx(data: bytes, kind: str) -> bytes:
    """A .doc or .wps file (or kind "odt", "rtf": an OpenDocument or RTF text) as .docx bytes, by
    LibreOffice. Raises Unreadable with the reason: one that blames LibreOffice, not the file, when
    LibreOffice was killed by a signal or wrote what is not a .docx; one that names the temporary folder
    (NotTheFile) when its disk is full."""
    if kind not in ("doc", "wps", "odt", "rtf"):
        raise Unreadable(f"不支持转换的文件类型：{kind}")
    if kind in ("doc", "wps"):
        _check_ole(data, kind)
    soffice = find_soffice()
    if soffice is None:
        raise Unreadable(NO_OFFICE)
    what = f"LibreOffice 转换 {kind} 文件"
    try:
        converted, rc = _convert(soffice, data, kind)
    except OSError as e:  # the copy, the folder: never the file's
        if e.errno in NO_SPACE:
            raise disk_full(what) from None
        raise
    if not _is_docx(converted):
        if out_of_space():
            raise disk_full(what)
        raise Unreadable(f"LibreOffice 转换 {kind} 文件的结果不是 .docx（{len(converted)} 字节，退出码 {rc}），"
                         "转换失败，未读取")
    return converted


def _convert(soffice: str, data: bytes, kind: str) -> tuple[bytes, int]:
    """(what LibreOffice wrote converting `data`, its exit code), in a temporary folder of its own."""
    with scratch_dir("word") as tmp:
        src, out = tmp / f"in.{kind}", tmp / "out"
        src.write_bytes(data)
        cmd = [soffice, f"-env:UserInstallation={(tmp / 'profile').as_uri()}", "--headless", "--invisible",
               "--nologo", "--norestore", "--nolockcheck", "--nodefault", "--convert-to", "docx:MS Word 2007 XML",
               "--outdir", str(out), str(src)]
        env = {**os.environ, "TMPDIR": str(tmp), "LC_ALL": "C", "SAL_ENABLE_FILE_LOCKING": "1"}
        deadline = time.monotonic() + CONVERT_TIMEOUT_S
        for _ in range(3):  # 81: a new profile was set up and LibreOffice asks to be started again
            rc, log = _run(cmd, env, tmp, deadline)
            if rc != 81:
                break
        if rc < 0:  # killed: by the memory's killer (read again), or crashed on the file (not)
            raise killed(-rc, f"LibreOffice 转换 {kind} 文件时被信号 {signal_name(-rc)} 终止，转换未完成，未读取")
        result = out / "in.docx"
        if not result.is_file():
            if out_of_space(log):
                raise disk_full(f"LibreOffice 转换 {kind} 文件")  # (not the file's damage)
            why = program_said(log) or f"退出码 {rc}"
            raise Unreadable(f"LibreOffice 无法转换该 {kind} 文件（{why}）：文件可能已损坏或不是 Word 文档")
        if result.stat().st_size > MAX_MEMBER_BYTES:
            raise Unreadable(f"{kind} 文件转换结果超过 {MAX_MEMBER_BYTES >> 20} MB，未读取")
        converted = result.read_bytes()
    return converted, rc


def _is_docx(data: bytes) -> bool:
    """`data` is a zip whose directory names a Word document's parts (what LibreOffice writes)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
    except Exception:  # BadZipFile, or a directory that does not parse
        return False
    return {"[Content_Types].xml", "word/document.xml"} <= names


def find_soffice() -> str | None:
    """LibreOffice's soffice.bin, started directly (the `soffice` launcher's oosplash would leave it
    running if we died); the launcher itself where no soffice.bin sits beside it; None if absent."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            binary = Path(os.path.realpath(found)).with_name("soffice.bin")
            return str(binary) if os.access(binary, os.X_OK) else found
    return None


def _run(cmd: list[str], env: dict[str, str], tmp: Path, deadline: float) -> tuple[int, str]:
    """Run `cmd` in `tmp` under a guard (`lifeline.run_guarded`) until it exits or `deadline`: then it and
    every process it started are killed. (exit code, negative for a signal; the end of its output)."""
    log = tmp / "convert.log"
    with log.open("wb") as out:
        try:
            rc, _, _ = run_guarded(cmd, max(deadline - time.monotonic(), 0.0), scratch=tmp, stdout=out,
                                   stderr=subprocess.STDOUT, env=env, cwd=tmp)
        except subprocess.TimeoutExpired:
            raise Unreadable(f"转换 Word 文件超过时限（{CONVERT_TIMEOUT_S} 秒），已终止 LibreOffice，未读取") from None
    with log.open("rb") as f:  # its end only (the log may be as large as MAX_WRITE_BYTES)
        f.seek(max(f.seek(0, os.SEEK_END) - 4000, 0))
        return rc, f.read().decode("utf-8", "replace")


# ---------------------------------------------------------------- OLE2: what a .doc / .wps holds

_FREE = 0xFFFFFFFA  # sector numbers from here on are markers (end of chain, free, FAT sector…)


def ole_streams(data: bytes) -> dict[str, bytes]:
    """Stream name -> its first bytes (up to 64), from an OLE2 compound file's directory.
    Raises ValueError when the structure cannot be followed."""
    if len(data) < 512 or not data.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        raise ValueError("no OLE2 header")
    shift, = struct.unpack_from("<H", data, 0x1E)
    if shift not in (9, 12):
        raise ValueError(f"sector shift {shift}")
    size = 1 << shift
    n_fat, dir_start = struct.unpack_from("<II", data, 0x2C)
    cutoff, = struct.unpack_from("<I", data, 0x38)
    difat_next, n_difat = struct.unpack_from("<II", data, 0x44)
    n_sectors = (len(data) - 512) // size

    def sector(n: int) -> bytes:
        if n >= n_sectors:
            raise ValueError(f"sector {n} beyond the file")
        return data[512 + n * size:512 + (n + 1) * size]

    fat_at = [s for s in struct.unpack_from("<109I", data, 0x4C) if s < _FREE]
    for _ in range(min(n_difat, n_sectors)):
        if difat_next >= _FREE:
            break
        entries = struct.unpack(f"<{size // 4}I", sector(difat_next))
        fat_at += [s for s in entries[:-1] if s < _FREE]
        difat_next = entries[-1]
    fat = b"".join(sector(s) for s in fat_at[:n_fat])
    fat_len = len(fat) // 4

    def chain(start: int):
        for _ in range(n_sectors):
            if start >= _FREE:
                return
            yield start
            if start >= fat_len:
                raise ValueError("broken sector chain")
            start, = struct.unpack_from("<I", fat, start * 4)

    directory = b"".join(sector(s) for s in chain(dir_start))
    entries = [directory[k:k + 128] for k in range(0, len(directory) - 127, 128)]
    root_start = struct.unpack_from("<I", entries[0], 116)[0] if entries else _FREE
    out: dict[str, bytes] = {}
    for e in entries:
        n_len, kind = struct.unpack_from("<HB", e, 64)
        if kind != 2 or not 2 <= n_len <= 64:
            continue
        name = e[:n_len - 2].decode("utf-16-le", "replace")
        start, length = struct.unpack_from("<II", e, 116)
        if length >= cutoff:
            head = sector(start) if start < _FREE else b""
        else:  # in the mini stream (64-byte sectors), itself a chain of normal sectors from the root
            at = start * 64
            regular = next((s for k, s in enumerate(chain(root_start)) if k == at // size), None)
            head = sector(regular)[at % size:at % size + 64] if regular is not None and start < _FREE else b""
        out[name] = head[:min(64, length)]
    return out


def _check_ole(data: bytes, kind: str) -> None:
    """A .doc/.wps that is not a Word document (an .xls, a password-protected file…): Unreadable."""
    try:
        streams = ole_streams(data)
    except (ValueError, struct.error):
        return  # damaged: LibreOffice may still recover it, and says so if not
    if "EncryptedPackage" in streams or "EncryptionInfo" in streams:
        raise Unreadable("文件已加密（受密码保护的 Office 文档），需要密码才能打开，未读取")
    fib = streams.get("WordDocument")
    if fib is not None:
        if len(fib) >= 12 and struct.unpack_from("<H", fib, 10)[0] & 0x0100:  # FIB fEncrypted
            raise Unreadable("Word 文档已加密，需要密码才能打开，未读取")
        return
    for stream, what in (("Workbook", "Excel 工作簿（.xls）"), ("Book", "Excel 工作簿（.xls）"),
                         ("PowerPoint Document", "PowerPoint 演示文稿（.ppt）")):
        if stream in streams:
            raise Unreadable(f"这是{what}，不是 Word 文档")
    if kind == "doc":
        raise Unreadable("OLE 复合文件中没有 Word 正文（WordDocument 流），不是 Word 文档")

"""Readers: one collected file (bytes) -> one report record with a parse status.

``read_document`` never raises for bad input: every outcome is a ParseResult
with a status (parsed / partial / not_a_report / unreadable) and a reason.
"""

from __future__ import annotations

import re
from dataclasses import replace

from gkqc.cells import MISSING, UNREADABLE
from gkqc.limits import MAX_TAGS, MAX_TEXT_CHARS
from gkqc.readers import metadata as md
from gkqc.readers.crawl import crawl_tokens
from gkqc.readers.decode import declared_charset, decode, looks_like_html, sniff_binary, sniff_text
from gkqc.readers.errors import Unreadable
from gkqc.readers.html import html_tokens
from gkqc.readers.label_rows import CUT
from gkqc.readers.markdown import NOTE as BY_ORDER
from gkqc.readers.markdown import is_markdown, is_text_with_tables, markdown_tokens
from gkqc.readers.ocr import ocr_pdf
from gkqc.readers.pdf import NoTextLayer, read_pdf
from gkqc.readers.sections import split_sections
from gkqc.readers.tables import READERS
from gkqc.readers.template_detect import detect_template, detect_variant
from gkqc.readers.tokens import Tok, nfkc, pagetext_tokens, pdftext_tokens
from gkqc.readers.word import convert_to_docx, docx_tokens
from gkqc.record import (
    NOT_A_REPORT,
    PARSED,
    PARTIAL,
    PUBLISHED_UNKNOWN,
    TEMPLATE_PRESUMED,
    ParseResult,
    Report,
    Section,
)
from gkqc.record import UNREADABLE as FILE_UNREADABLE
from gkqc.templates import registry

GENERATOR = "gkqc"  # the <meta name="generator"> of the scorecards' pages (gkqc/outputs/templates/base.html.j2)
OCR_READ = "扫描件，经 OCR 识别：数值状态为 ocr，须经所在等式核验后才参与检查（S5）"
_UNSUPPORTED = {"empty": "空文件 (empty file)", "binary": "二进制内容，不是文本或网页 (binary content, not text or a web page)"}
_LINE_ENDS = re.compile("\r(?!\n)|[\u2028\u2029]")  # (CRLF kept: each reader takes it, and offsets stay)
_TEXT_FORMS = {"pagetext": pagetext_tokens, "pdftext": pdftext_tokens, "markdown": markdown_tokens,
               "crawl": crawl_tokens}


def tokens_of(name: str, data: bytes) -> tuple[str, list[Tok], dict[str, str], str]:
    """Decode, tell the form, tokenise. Returns (format, tokens, html meta, encoding)."""
    return _tokens(name, data)[:4]


def _tokens(name: str, data: bytes, keep_hidden: bool = False) -> tuple[str, list[Tok], dict[str, str], str, bool]:
    """`tokens_of`, and whether a page hid text outside its tables' cells (`keep_hidden`: read it)."""
    html = looks_like_html(name, data)
    text, enc = decode(data, declared_charset(data) if html else None)
    if "\r" in text or "\u2028" in text or "\u2029" in text:  # lines ended by CR alone (old Mac files) or U+2028
        text = _LINE_ENDS.sub("\n", text)
    page = "<html" in text.lstrip()[:4096].lower() or name.lower().endswith((".html", ".htm"))
    if (html or page) and (tags := text.count("<")) > MAX_TAGS:  # (each parsed element takes memory)
        raise Unreadable(f"网页标签过多（{tags:,} 个，上限 {MAX_TAGS:,}），不是一份年度报告，未读取")
    if html and not page and (is_markdown(text) or is_text_with_tables(text)):  # converter Markdown with <table> fragments
        return "markdown", _mark_cut(text, markdown_tokens(_not_too_long(text))), {}, enc, False
    if html or page:
        meta, toks, hid = html_tokens(text, keep_hidden)
        return "html", _mark_cut(text, toks), meta, enc, hid
    fmt = sniff_text(_not_too_long(text))
    return fmt, _mark_cut(text, _TEXT_FORMS[fmt](text)), {}, enc, False


def _not_too_long(text: str) -> str:
    """The text, if it is not longer than a report could be (its tokens take many times its size)."""
    if len(text) > MAX_TEXT_CHARS:
        raise Unreadable(f"文本过长（{len(text):,} 个字符，上限 {MAX_TEXT_CHARS:,}），不是一份年度报告，未读取")
    return text


def _mark_cut(text: str, toks: list[Tok]) -> list[Tok]:
    """A text that ends in a digit, nothing after it, may have been cut inside a number: its last
    token says so (`CUT`), and a table does not take it for a whole value."""
    if toks and text[-1:].isdigit() and toks[-1].raw[-1:] == text[-1]:
        toks[-1] = replace(toks[-1], note=CUT)
    return toks


def read_document(name: str, data: bytes) -> ParseResult:
    """A file's report, or why it has none; a reader's bug is that file's reason, never the batch's end."""
    try:
        return _read(name, data)
    except Exception as e:  # whatever a reader raises on this file
        return ParseResult("unknown", None, FILE_UNREADABLE, f"读取失败：{type(e).__name__}: {e}")


def _read(name: str, data: bytes) -> ParseResult:
    fmt = sniff_binary(data)
    if fmt == "pdf":
        return _read_pdf(name, data)
    if fmt in ("docx", "ole", "rtf"):
        return _read_word(name, data, fmt)
    if fmt == "empty" and data:
        return ParseResult(fmt, None, FILE_UNREADABLE, f"只有空白字符（{len(data):,} 字节），没有内容 (whitespace only)")
    if fmt is not None:
        return ParseResult(fmt, None, FILE_UNREADABLE, _UNSUPPORTED[fmt])
    try:
        fmt, toks, html_meta, enc, hid = _tokens(name, data)
    except Unreadable as e:
        return ParseResult("unknown", None, FILE_UNREADABLE, str(e))
    except Exception as e:  # a reader bug must not stop the batch
        return ParseResult("unknown", None, FILE_UNREADABLE, f"读取失败：{type(e).__name__}: {e}")
    if html_meta.get("generator", "").startswith(GENERATOR):  # a scorecard page collected with the reports
        return ParseResult(fmt, enc, NOT_A_REPORT, "gkqc 生成的评分卡页面，不是收集的报告 (a page gkqc wrote, not a report)")
    rep = build_report(name, toks, html_meta)
    status, reason = judge(rep)
    if hid and (status == NOT_A_REPORT or any(c.status == MISSING for c in rep.cells)):
        rep, status, reason = _with_hidden(name, data, rep, status, reason)
    return ParseResult(fmt, enc, status, reason, rep)


HIDDEN_READ = ("页面隐藏了表格单元格之外的内容（display:none 等，可能由页面脚本显示：选项卡、加载层），"
               "不读则不成报告或缺少表格：连同隐藏的内容读取")


def _with_hidden(name: str, data: bytes, rep: Report, status: str, reason: str | None) -> tuple[Report, str, str | None]:
    """A page whose hidden parts outside its tables' cells hold text, read with them too (its scripts
    may show them: a tab, a loader, a layout for some screens), where without them it is no report or
    misses cells, and with them it is a report that reads every cell found without them alike and
    finds more: then with a note (`HIDDEN_READ`). Else the page as read without them."""
    try:
        _, toks, html_meta, _, _ = _tokens(name, data, keep_hidden=True)
    except Exception:  # (read once already: the page as read stands)
        return rep, status, reason
    kept = build_report(name, toks, html_meta)
    kept_status, kept_reason = judge(kept)
    if kept_status == NOT_A_REPORT:
        return rep, status, reason
    if status != NOT_A_REPORT:
        before, after = _found(rep), _found(kept)
        if len(after) <= len(before) or any(after.get(k) != v for k, v in before.items()):
            return rep, status, reason
    kept.notes.append(HIDDEN_READ)
    return kept, kept_status, kept_reason


def _found(rep: Report) -> dict[tuple, tuple]:
    """Each cell of a report found on the page (not missing): its raw text, value and status."""
    return {(c.table, c.block_id, c.row_id, c.col_id): (c.raw, c.value, c.status) for c in rep.cells
            if c.status != MISSING}


def _read_pdf(name: str, data: bytes) -> ParseResult:
    """A PDF with a text layer: its cells and lines as tokens (readers/pdf.py), then as any report.
    A PDF without one (a scan) is read by OCR (readers/ocr.py)."""
    fmt = "pdf"
    try:
        try:
            doc = read_pdf(data)
        except NoTextLayer:
            fmt = "scanned_pdf"
            doc = ocr_pdf(data)
    except Unreadable as e:
        return ParseResult(fmt, None, FILE_UNREADABLE, str(e))
    except Exception as e:  # a reader bug or a PDF pdfium chokes on must not stop the batch
        return ParseResult(fmt, None, FILE_UNREADABLE, f"读取 PDF 失败：{type(e).__name__}: {e}")
    # a table without a value in the text layer is blank, unless OCR read it (it can miss every
    # digit) or the pages draw shapes that may be its numbers turned into outlines
    rep = build_report(name, doc.tokens, {}, silent_blank=fmt == "pdf" and not doc.drawn_glyphs)
    doc.annotate(rep)
    status, reason = judge(rep)
    if fmt == "scanned_pdf":  # said wherever the file is listed; each value's status is `ocr`
        reason = f"{OCR_READ}；{reason}" if reason else OCR_READ
    return ParseResult(fmt, None, status, reason, rep)


def _read_word(name: str, data: bytes, sniffed: str) -> ParseResult:
    """A Word file: .docx read from its tables (readers/word.py); .doc/.wps (OLE2) converted first."""
    fmt = sniffed if sniffed in ("docx", "rtf") else ("wps" if name.lower().endswith(".wps") else "doc")
    try:
        if fmt != "docx":
            data = convert_to_docx(data, fmt)
        toks, meta = docx_tokens(data)
    except Unreadable as e:
        return ParseResult(fmt, None, FILE_UNREADABLE, str(e))
    except Exception as e:  # a reader bug or a file python-docx chokes on must not stop the batch
        return ParseResult(fmt, None, FILE_UNREADABLE, f"读取 Word 文件失败：{type(e).__name__}: {e}")
    rep = build_report(name, toks, meta)
    status, reason = judge(rep)
    return ParseResult(fmt, None, status, reason, rep)


def _resolve_metadata(rep: Report, toks: list[Tok], html_meta: dict[str, str]) -> None:
    """Title, year, publication date (metadata > PubDate > 页面发布时间 > 落款), office, kind, region."""
    meta = md.metadata_pairs(toks)
    meta.update({k: nfkc(v) for k, v in html_meta.items()  # normalised as every token's text is (２０２２ is 2022)
                 if k in ("articletitle", "pubdate", "contentsource", "title", md.WORD_TITLE)})
    rep.meta = meta
    rep.title = md.find_title(toks, meta)
    rep.report_year, rep.year_source = md.title_year(rep.title), "标题"
    sig, closing_date = md.closing_lines(toks)
    sources = [("元数据 发布日期", meta.get("发布日期")), ("<meta PubDate>", meta.get("pubdate")),
               ("页面 发布时间", meta.get("发布时间"))]
    if md.UNPAIRED not in meta:  # (a page printing a 发布日期 not told apart: the 落款's is no publication date)
        sources.append(("落款日期", closing_date and closing_date.isoformat()))
    for src, raw in sources:
        d = md.parse_date(raw)
        if d:
            rep.published_at, rep.published_source = d, src
            break
    else:
        if md.UNPAIRED in meta:
            rep.published_source = PUBLISHED_UNKNOWN
            rep.notes.append(f"{PUBLISHED_UNKNOWN}：{meta[md.UNPAIRED]}")
    rep.issuer = meta.get("发文机构") or meta.get("发布机构") or meta.get("发文单位")
    rep.publisher = sig or rep.issuer or meta.get("contentsource")
    for src, cand in (("标题", md.office_from_title(rep.title)), ("落款", sig), ("元数据 发文机构", rep.issuer),
                      ("<meta ContentSource>", meta.get("contentsource"))):
        if cand:
            rep.office, rep.office_source = cand, src
            break
    if rep.office_source == "标题":  # 市教育局 in the title, 青山市教育局 signed: the title left out its place
        for src, cand in (("落款", sig), ("元数据 发文机构", rep.issuer), ("<meta ContentSource>", meta.get("contentsource"))):
            if md.completes_place(rep.office, cand):
                rep.office, rep.office_source = cand, f"标题（地名据{src}补全）"
                break
    rep.office_kind = md.office_kind(rep.office)
    rep.region = md.region_of(rep.office)
    if not (rep.office_source or "").startswith("标题") and md.government_office(rep.office):  # the title names no office
        rep.notes.append(f"标题未写明机关，{rep.office_source}为{rep.office}：可能是政府的报告，也可能是办公室本身的，机关及类型留空")
        rep.office = rep.office_source = rep.office_kind = None


def _settle_year(rep: Report, found: list[tuple[int | None, str]]) -> None:
    """The report's year: the first source that names one (title, section 一's opening, file name),
    unless that year began after the report was published (2032 for 2023, a typo) and another source
    names a year it can be of: then that one, with a note. A year no other source contradicts stays,
    with a note (the date may be the typo; D1 then cannot judge it)."""
    named = [(y, src) for y, src in found if y is not None]
    rep.report_year, rep.year_source = named[0] if named else (None, None)
    if rep.report_year is None or rep.published_at is None or rep.report_year <= rep.published_at.year:
        return
    first = rep.report_year
    other = next(((y, src) for y, src in named[1:] if y <= rep.published_at.year), None)
    if other is not None and not any(y == first for y, _ in named[1:]):
        rep.report_year, rep.year_source = other
        rep.notes.append(f"{named[0][1]}中的年度（{first}）晚于发布日期（{rep.published_at}），按{other[1]}的年度（{other[0]}）")
    else:
        rep.notes.append(f"{named[0][1]}中的年度（{first}）晚于发布日期（{rep.published_at}）：年度或日期有误")


def build_report(name: str, toks: list[Tok], html_meta: dict[str, str], silent_blank: bool = False) -> Report:
    """The report record of a token stream (`silent_blank`: a table printed without any value is
    blank, as a PDF's text layer shows one whose cells are all empty)."""
    rep = Report()
    _resolve_metadata(rep, toks, html_meta)
    toks, bounds = split_sections(toks)
    for pos, (no, (s, e)) in enumerate(bounds.items(), 1):
        body = "\n".join([t.raw for t in toks[s + 1:e]])
        rep.sections.append(Section(no, toks[s].raw, body, toks[s].line, pos))
    reg = registry()
    overview = reg.section_no("overview")
    opening = None  # the year section 一 opens with
    if overview in bounds:
        s, e = bounds[overview]
        opening = md.opening_year(" ".join(t.text for t in toks[s + 1:min(e, s + 6)]))
    _settle_year(rep, [(rep.report_year, rep.year_source), (opening, f"{reg.section_title(overview)}正文"),
                       (md.name_year(name), "文件名")])
    sec = {no: toks[s + 1:e] for no, (s, e) in bounds.items()}
    by_year = reg.template_for_year(rep.report_year)
    template, how = detect_template(sec, by_year)
    if by_year is not None and not reg.has_tables(by_year):  # a year before the national tables
        template, how = by_year, f"报告年度{rep.report_year}适用{reg.title_of(by_year)}"
    elif template is None:
        template, how = by_year, TEMPLATE_PRESUMED
    rep.template, rep.template_source = template, how
    variant = detect_variant(template, sec)
    if variant is not None:  # read as printed: the variant's rows, not the template's
        rep.template_variant = variant.id
        rep.template_source = f"{how}；{variant.title}"
    form = rep.printed_form
    if not reg.has_tables(template) or not bounds:
        return rep
    last_no = max(bounds, key=lambda no: bounds[no][1])
    for table in reg.tables:
        no = reg.section_no(table)
        part = sec.get(no)
        if part is None:
            missing = f"未找到第{no}部分（{reg.section_title(no)}）"
            part, at_end = [], False
        else:
            missing = f"{reg.section_title(no)}中未找到该单元格"
            at_end = no == last_no and bounds[no][1] == len(toks)
        cells, notes = READERS[table](part, form, at_end, missing, silent_blank=silent_blank)
        rep.cells += cells
        rep.notes += notes
    if any(c.reason is not None and BY_ORDER in c.reason for c in rep.cells):
        rep.cells = _read_by_place(rep)
    return rep


def _read_by_place(rep: Report) -> list:
    """The report's cells, those read by their column's place (headings lost to a converter) checked
    against what the lost headings could have said: an amount printed without a unit has its unit
    unknown (the heading may have named 元); and under a template the tables did not tell, a cell that
    one of the templates the report may print (its year's or an older one) lacks means other things there."""
    reg = registry()
    amounts = {(t, *k.split(".")) for t in reg.tables for k in reg.amount_cells(t)}
    presumed = rep.template_source.startswith(TEMPLATE_PRESUMED)
    rivals = [t.id for t in reg.template_defs if t.tables and t.years[0] <= (rep.report_year or 0)]
    out = []
    for c in rep.cells:
        if BY_ORDER in (c.reason or ""):
            key = (c.block_id, c.row_id, c.col_id)[-len(reg.axes(c.table)):]
            if presumed and not all(key in reg.cell_keys(c.table, t) for t in rivals):
                c = replace(c, value=None, status=UNREADABLE, reason="列标题缺失，按列序读取；模板未能从表格认定（按报告年度推定），"
                            "而各模板此处的列不同，各列所指无法确定，不作猜测")
            elif c.unit is None and c.value is not None and (c.table, *key) in amounts:
                c = replace(c, value=None, status=UNREADABLE,
                            reason=f"列标题缺失（转换噪声），金额未注明单位，表头所注单位无从得知：'{c.raw}'，不作猜测")
        out.append(c)
    return out


def cell_where(c, template: str) -> str:
    """Where a cell is, in the template's printed labels: section / row / column."""
    reg = registry()
    key = ".".join((c.block_id, c.row_id, c.col_id)[-len(reg.axes(c.table)):])  # a block leads when the table has them
    return f"{reg.section_title(reg.section_no(c.table))} / {reg.cell_label(c.table, key, template)}"


def judge(rep: Report) -> tuple[str, str | None]:
    """The file's parse status and a reason naming the first cell that could not be read."""
    found = {s.no for s in rep.sections}
    reg = registry()
    is_report = len(found) >= 3 or (len(found) >= 2 and {reg.section_no(t) for t in reg.tables} & found)
    if not is_report:
        why = (f"未找到年度报告的章节结构（{reg.numerals[0]}至{reg.numerals[-1]}）"
               + (f"，仅找到：{'、'.join(n for n in reg.numerals if n in found)}" if found else ""))
        return NOT_A_REPORT, why
    if rep.template is not None and not reg.has_tables(rep.template):
        return PARSED, f"{reg.title_of(rep.template)}的报告（无全国统一表格）：仅保存，不读取表格"
    if rep.template is None:
        return PARTIAL, "无法判断报告模板与年度，表格未读取"
    bad = [c for c in rep.cells if c.status in (MISSING, UNREADABLE)]
    if not bad:
        return PARSED, None
    first = bad[0]
    label = "未找到" if first.status == MISSING else "无法读取"
    return PARTIAL, f"{len(bad)} 个单元格{label if len({c.status for c in bad}) == 1 else '未找到或无法读取'}；首个：{cell_where(first, rep.printed_form)}：{first.reason}"

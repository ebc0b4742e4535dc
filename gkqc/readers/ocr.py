"""Scanned PDFs (page images, no text layer): OCR, every value with its confidence.

Each page is rendered with pdfium, its contrast stretched and its table rules wiped (tesseract
reads ruled tables badly: `|` for borders, `o` for 0), and goes to the `tesseract` command: one
process per page, with a time limit, under a guard (`lifeline.run_guarded`): it and all it starts are
killed on time-out and if we die. Tesseract's words become what pdfium gives for a text layer (boxed
characters, one run per phrase, at the height of tesseract's line), so the PDF reader's geometry makes
lines, rows, columns and tokens as for a text PDF; columns are found page by page (each page
of a scan lies its own way) from the values and from the ink where a figure went unread.

Values are read more than once. On a page tesseract drops or mangles lone figures far apart
(`28` as `2`), so every inked value cell is cut out and read again on a line of its own, by
another model (LANGS2); where the two readings differ and one is a value, a third (LANGS3,
larger) decides. A cell's value is one that two readings agree on, neither with a confidence
below SURE (a minus sign neither saw: `-41` read 41 at 0.43), while no reading gives
another value, no cell reading saw more ink than it (`4]` for `41`) and the page's reading saw no
more figures (`”20183` beside two readings of 2018), and which is no point before three digits
(OCR reads a thousands comma as a point: `4,871` as `4.871`); else the cell is unreadable (□,
holding its place in the row, the readings in its reason). A cell is blank only when the image
holds no ink there; one with no room right of the labels' edge to be cut out (a column the
headings give, left of the first value the page's reading saw) is unreadable. Every token
carries `conf` (tesseract's confidence, 0–1; of a value, the lowest of the readings that agree),
so its cell's status is `ocr`.
Labels keep what OCR read (`raw`); in `text` two of its punctuation misreadings are undone
(〈〉 for （）, 。 after a section's numeral).
"""

from __future__ import annotations

import math
import os
import re
import shutil
import statistics
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from gkqc.cells import DAMAGED, is_value_like
from gkqc.lifeline import OutputTooLarge, run_guarded, scratch_dir
from gkqc.readers import pdf_cells, pdf_lines
from gkqc.readers.errors import NO_SPACE, Unreadable, disk_full, killed, program_said, signal_name
from gkqc.readers.pdf import PdfDoc
from gkqc.readers.pdf_lines import Chunk, Line
from gkqc.readers.pdf_page import open_pdf, page_count
from gkqc.readers.tokens import Tok, nfkc
from gkqc.templates import registry

if TYPE_CHECKING:
    from PIL import Image

TESSERACT = "tesseract"
LANGS = "chi_sim"
LANGS2 = "eng"  # the value cells again, each alone, by another model (chi_sim reads this 6 as 0)
LANGS3 = "chi_sim+eng"  # value cells whose two readings differ, a third time, larger (units, 无)
PSM = "4"  # a column of text of varying sizes: measured best on report pages (6: one block)
DPI = 300
MAX_SIDE_PX = 5000  # pages drawn at odd sizes (a scan's pixels as points) are rendered smaller
MAX_IMAGE_PX = 100_000_000  # pixels of one image on a page (an A4 scan at 600 dpi has 35 million): pdfium
# decodes an image whole to draw it, whatever size it is drawn at
MAX_PAGES = 30
TIME_BUDGET_S = 120.0
PAGE_TIMEOUT_S = 60.0
VERSION_TIMEOUT_S = 10.0
MISSING = "PDF 没有文本层（扫描件），需要 OCR：请安装 tesseract-ocr 与 tesseract-ocr-chi-sim（Debian）"
ILLEGIBLE = "□"  # the printed sign for a character that cannot be made out
UNLOOKED = "OCR 定出的列落在行标签的范围内，本格的字迹无法单独切出复读，不作取舍"  # (section 四: a lone 1 unseen)
_BRACKETS = str.maketrans("〈〉", "()")  # OCR's reading of （）in labels (`第二十条第〈九)项`)
_HEADING_STOP = r"^([{}])。"  # and of the 、 after a section's numeral (the registry's numerals)
_NUMBER = re.compile(r"^[+-]?[\d,.]+$")
SURE = 0.5  # the least confidence of two readings that agree on a value (a lost minus sign: 0.43)
# a number's ink wider than this many times the page's usual figure width a figure is read short: on a
# 200-dpi scan `-5` read 5 is 1.49–1.59 figures wide, numbers read whole at most 1.43 (docs/benchmarks.md)
WIDE = 1.4
_POINT_OR_COMMA = re.compile(r"\d\.\d{3}(?!\d)")  # 4.871: a decimal point, or a thousands comma read as one
_TSV_HEAD = "level\tpage_num\t"  # the first line of tesseract's TSV
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")


@dataclass(slots=True)
class Word:
    """A phrase tesseract read: text, box (y upwards), lowest word confidence (0–1)."""

    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    conf: float


@dataclass(slots=True)
class Page:
    png: Path  # the page image, rules wiped
    scale: float  # pixels per point
    height: float  # points


class Budget:
    """The file's time budget: what is left for the next tesseract run."""

    def __init__(self) -> None:
        self.end = time.monotonic() + TIME_BUDGET_S

    def left(self, done: str) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise Unreadable(f"OCR 超过时限（{TIME_BUDGET_S:g} 秒，{done}）")
        return min(PAGE_TIMEOUT_S, left)


def ocr_pdf(data: bytes) -> PdfDoc:
    """The tokens of a scanned PDF read by OCR. Raises Unreadable with the reason (NotTheFile, naming the
    temporary folder, when its disk is full)."""
    exe = shutil.which(TESSERACT)
    if exe is None:
        raise Unreadable(MISSING)
    budget = Budget()
    version = tesseract_version(exe)
    try:
        return _ocr(data, exe, version, budget)
    except OSError as e:  # the page images' folder: never the file's
        if e.errno in NO_SPACE:
            raise disk_full("OCR 识别") from None
        raise


def _ocr(data: bytes, exe: str, version: str, budget: Budget) -> PdfDoc:
    """`ocr_pdf`'s reading, its page images in a temporary folder of their own."""
    with scratch_dir("ocr") as tmp:
        doc = open_pdf(data)
        try:
            n = page_count(doc, MAX_PAGES, "扫描件 PDF", " OCR 单个文件")
            meta = {k: str(v) for k, v in doc.get_metadata_dict(skip_empty=True).items()}
            pages, lines, starts, conf = _read_pages(doc, exe, tmp, budget)
        finally:
            doc.close()
        if sum(len(c.raw) for ln in lines for c in ln.chunks) < 10:
            raise Unreadable(f"扫描件 PDF 经 OCR 未识别出文字（共 {n} 页），可能是空白页或图像无法辨认")
        toks = _tokens(lines, conf, pages, exe, budget)
    meta["OCR"] = f"{version}，{LANGS}，数值复读 {LANGS2} / {LANGS3}，{n} 页"
    where = {ln.no: (ln.page, ln.no - starts[ln.page] + 1) for ln in lines}
    return PdfDoc(toks, lines, n, meta, where)


def _read_pages(doc, exe: str, tmp: Path, budget: Budget) -> tuple[dict[int, Page], list[Line], dict[int, int], dict[int, float]]:
    """First reading, page by page: (pages, lines, first line number of each page, chunk confidences)."""
    n = len(doc)
    pages: dict[int, Page] = {}
    lines: list[Line] = []
    starts = {1: 1}
    conf: dict[int, float] = {}  # id(chunk) -> confidence
    for i in range(n):
        timeout = budget.left(f"已识别 {i}/{n} 页")
        page = doc[i]
        try:
            width, height = page.get_size()
            p = pages[i + 1] = _page_image(page, tmp / f"p{i + 1}.png", height, i + 1)
        finally:
            page.close()
        words = _words(_run_ocr(exe, p.png, PSM, timeout, f"第 {i + 1}/{n} 页"), p.scale, height)
        more, starts[i + 2] = pdf_lines.page_lines(_chars(words), i + 1, starts[i + 1], (0.0, 0.0, width, height))
        _settle(more, words, conf, height)
        lines += more
    return pages, lines, starts, conf


# ---------------------------------------------------------------- tesseract


def _run(cmd: list[str], timeout: float, scratch: Path | None = None) -> subprocess.CompletedProcess:
    """Run `cmd` under a guard (`lifeline.run_guarded`: on time-out it and all it started are killed, and
    TimeoutExpired is raised); `scratch`: the folder it works in."""
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # one core per page: the parse workers are the parallelism
    rc, out, err = run_guarded(cmd, timeout, scratch=scratch, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    return subprocess.CompletedProcess(cmd, rc, out, err)


def tesseract_version(exe: str) -> str:
    """'tesseract 5.3.0' of the program at `exe`; Unreadable when it does not answer."""
    try:
        r = _run([exe, "--version"], VERSION_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        raise Unreadable(f"tesseract 无响应（--version 超过 {VERSION_TIMEOUT_S:g} 秒），无法 OCR") from None
    except OutputTooLarge as e:
        raise Unreadable(f"tesseract --version 的输出超过 {e.most / (1 << 20):g} MB 上限，已终止，无法 OCR") from None
    except OSError as e:
        raise Unreadable(f"{MISSING}（{e.strerror}）") from None
    text = program_said((r.stdout + r.stderr).decode("utf-8", "replace").split("\n", 1)[0], 40).split()
    return " ".join(text[:2]) if text[:1] == ["tesseract"] else "tesseract"


def _run_ocr(exe: str, png: Path, psm: str, timeout: float, what: str, langs: str | None = None) -> str:
    """Tesseract's TSV of an image (in LANGS unless told). Unreadable when tesseract fails: killed by a
    signal, exiting with an error, printing more than `lifeline.MAX_OUTPUT_BYTES`, or writing no TSV (it
    writes the header line for a blank image too)."""
    langs = langs or LANGS
    try:
        r = _run([exe, str(png), "stdout", "-l", langs, "--psm", psm, "tsv"], timeout, png.parent)
    except subprocess.TimeoutExpired:
        raise Unreadable(f"OCR 超过时限（{what}：tesseract {timeout:.0f} 秒未完成）") from None
    except OutputTooLarge as e:
        raise Unreadable(f"OCR 失败（{what}：tesseract 的输出超过 {e.most / (1 << 20):g} MB 上限，已终止）") from None
    except OSError as e:
        raise Unreadable(f"{MISSING}（{e.strerror}）") from None
    if r.returncode < 0:
        raise killed(-r.returncode, f"OCR 失败（{what}：tesseract 被信号 {signal_name(-r.returncode)} 终止）")
    if r.returncode != 0:
        err = r.stderr.decode("utf-8", "replace").strip()
        if "traineddata" in err or "Failed loading language" in err:
            raise Unreadable(f"{MISSING}（tesseract 缺少语言数据 {langs}）")
        why = program_said(err) or f"退出码 {r.returncode}"
        raise Unreadable(f"OCR 失败（{what}：tesseract {why}）")
    tsv = r.stdout.decode("utf-8", "replace")
    if not tsv.startswith(_TSV_HEAD):
        raise Unreadable(f"OCR 失败（{what}：tesseract 退出码 0，但未输出识别结果）")
    return tsv


# ---------------------------------------------------------------- images


def _page_image(page, path: Path, height: float, no: int) -> Page:
    """The page (number `no`) rendered grey at DPI (smaller for huge pages), its contrast stretched
    (grey paper white, faded ink black), rules wiped, saved as PNG."""
    _check_images(page, no)
    w, h = page.get_size()
    scale = min(DPI / 72, MAX_SIDE_PX / max(w, h, 1.0))
    from PIL import ImageOps

    img = ImageOps.autocontrast(page.render(scale=scale, grayscale=True).to_pil().convert("L"), cutoff=1)
    _unrule(img, round(scale * 72 * 0.4))
    img.save(path)
    return Page(path, scale, height)


def _check_images(page, no: int) -> None:
    """Raise Unreadable for an image of more than MAX_IMAGE_PX pixels on the page (or in the forms drawn
    on it, as deep as pypdfium2 looks): its size is read from its dictionary, nothing is decoded."""
    import pypdfium2.raw as pdfium_c

    for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,)):
        w, h = obj.get_px_size()
        if w * h > MAX_IMAGE_PX:
            raise Unreadable(f"扫描件第 {no} 页的图像有 {w}×{h} 像素，超过 OCR 上限（{MAX_IMAGE_PX // 1_000_000} 百万像素），"
                             "解码它需要的内存过多，未读取")


def _unrule(img: Image.Image, k: int) -> None:
    """Wipe (to white) the table's rules: straight runs of ink at least `k` pixels long, across
    or down, with at most a tenth of them broken, and the grey pixels along their edges. Text
    has no such runs: its strokes are shorter and lines of text have gaps between them."""
    from PIL import Image, ImageChops, ImageFilter

    w, h = img.size
    ink = img.point(lambda v: 255 if v < 192 else 0)  # a thin or faint rule is ink too
    mask = Image.new("L", (w, h), 0)
    for across in (True, False):
        run = Image.new("L", (w, h), 0)  # on a run: inside a window of k pixels almost all ink
        for off in range(0, k, max(k // 16, 1)):
            small = ink.crop((off, 0, w, h) if across else (0, off, w, h)).reduce((k, 1) if across else (1, k))
            size = (small.width * k, h) if across else (w, small.height * k)
            at = (off, 0) if across else (0, off)
            full = small.point(lambda v: 255 if v >= 230 else 0).resize(size, Image.NEAREST)
            run.paste(ImageChops.lighter(run.crop((*at, at[0] + size[0], at[1] + size[1])), full), at)
        mask = ImageChops.lighter(mask, ImageChops.darker(run, ink))
    edge = ImageChops.darker(mask.filter(ImageFilter.MaxFilter(3)), img.point(lambda v: 255 if v < 240 else 0))
    img.paste(255, mask=ImageChops.lighter(mask, edge))


def _ink_span(img: Image.Image) -> tuple[int, int] | None:
    """Wipe what is left of a rule across a cell (a pixel row mostly ink); then the horizontal
    extent of the ink, faint strokes (a thin minus sign) too, but not specks of scan noise
    (pixel columns with fewer than two ink pixels); None for no ink."""
    from PIL import Image

    ink = img.point(lambda v: 255 if v < 192 else 0)
    rule = ink.reduce((img.width, 1)).point(lambda v: 255 if v >= 128 else 0).resize(img.size, Image.NEAREST)
    img.paste(255, mask=rule)
    ink.paste(0, mask=rule)
    box = ink.reduce((1, img.height)).point(lambda v: 255 if v * img.height >= 2 * 255 else 0).getbbox()
    return (box[0], box[2]) if box else None


def _ink_runs(band: Image.Image, em: float) -> list[tuple[int, int]]:
    """The runs of ink across a row's band (pixels): figures and words, split where a gap of
    half an em is clear of ink; not slivers narrower than a sixth of an em (rule remains)."""
    if _ink_span(band) is None:  # (also wipes what is left of rules across)
        return []
    ink = band.point(lambda v: 255 if v < 192 else 0).reduce((1, band.height))
    cols = ink.point(lambda v: 255 if v * band.height >= 2 * 255 else 0).tobytes()
    runs: list[list[int]] = []
    for x, v in enumerate(cols):
        if not v:
            continue
        if runs and x - runs[-1][1] <= em / 2:
            runs[-1][1] = x + 1
        else:
            runs.append([x, x + 1])
    return [(a, b) for a, b in runs if b - a >= em / 6]


# ---------------------------------------------------------------- words -> characters


def _tsv_words(tsv: str) -> dict[tuple[str, ...], list[tuple[str, int, int, int, int, float]]]:
    """Tesseract's words (text, x0, y0, x1, y1 in pixels, y down; confidence 0–1) by its line."""
    lines: dict[tuple[str, ...], list[tuple[str, int, int, int, int, float]]] = {}
    for row in tsv.splitlines()[1:]:
        f = row.split("\t")
        if len(f) != 12 or f[0] != "5" or not f[11].strip():
            continue
        try:
            x, y, w, h, conf = int(f[6]), int(f[7]), int(f[8]), int(f[9]), float(f[10])
        except ValueError:
            continue
        conf = min(max(conf, 0.0), 100.0) if math.isfinite(conf) else 0.0  # ('nan', 'inf': no confidence at all)
        lines.setdefault((f[1], f[2], f[3], f[4]), []).append((f[11].strip(), x, y, x + w, y + h, conf / 100))
    return lines


def _joins(left: str, right: str) -> bool:
    """Two words that stay one phrase across a wider gap (tesseract's boxes of CJK characters
    are loose): text and text, a number and the text after it (`2.申请人…`, `5万元`); not a
    figure after text (a label and its value)."""
    if right[0].isdigit():
        return False
    return bool(_CJK.search(right[0])) or (not left[-1].isdigit() and bool(_CJK.search(left[-1])))


def _join(texts: list[str]) -> str:
    """Words as one text: no space beside a CJK character (tesseract splits CJK text into words)."""
    out = texts[0]
    for t in texts[1:]:
        out += t if _CJK.search(out[-1] + t[0]) else " " + t
    return out


def _words(tsv: str, scale: float, height: float) -> list[Word]:
    """Tesseract's words as phrases in PDF points: words on one of its lines, close together,
    joined; every phrase at the line's height (median word top and bottom)."""
    out = []
    for ws in _tsv_words(tsv).values():
        top = statistics.median(w[2] for w in ws)
        bottom = statistics.median(w[4] for w in ws)
        em = max(bottom - top, 1.0)
        ws.sort(key=lambda w: w[1])
        group = [ws[0]]
        for w in [*ws[1:], None]:
            if w is not None and w[1] - group[-1][3] <= (1.5 if _joins(group[-1][0], w[0]) else 0.6) * em:
                group.append(w)
                continue
            out.append(Word(_join([g[0] for g in group]), group[0][1] / scale, height - bottom / scale,
                            max(g[3] for g in group) / scale, height - top / scale, min(g[5] for g in group)))
            group = [w]
    return out


def _chars(words: list[Word]) -> list[tuple[str, float, float, float, float]]:
    """Each phrase's characters, its box shared out evenly (no gaps: one chunk per phrase)."""
    out = []
    for w in words:
        step = max((w.x1 - w.x0) / len(w.text), 0.35 * (w.y1 - w.y0))
        out += [(ch, w.x0 + k * step, w.y0, w.x0 + (k + 1) * step, w.y1) for k, ch in enumerate(w.text)]
    return out


def _settle(lines: list[Line], words: list[Word], conf: dict[int, float], height: float) -> None:
    """Each chunk's confidence (the lowest of the phrases inside its box); OCR's own doubts
    on what is a value: a figure left of label text is the label's number, a blank mark read
    with low confidence is a speck, a number far wider than its figures is two cells run
    together; short lines in the page margins are furniture."""
    widths = sorted((c.x1 - c.x0) / _glyphs(c.raw) for ln in lines for c in ln.chunks if c.value and _NUMBER.match(c.raw))
    figure = widths[len(widths) // 2] if len(widths) >= 5 else None  # the usual width of a figure on the page
    for ln in lines:
        for c in ln.chunks:
            inside = [w.conf for w in words if c.x0 - 0.5 <= (w.x0 + w.x1) / 2 <= c.x1 + 0.5
                      and c.y0 - 0.5 <= (w.y0 + w.y1) / 2 <= c.y1 + 0.5]
            conf[id(c)] = min(inside, default=0.0)
            if c.value and not any(ch.isdigit() for ch in c.raw) and conf[id(c)] < 0.5:
                c.value = False
        for c in ln.chunks:  # wider than its figures: tesseract ran two cells' figures together
            if c.value and figure and c.x1 - c.x0 > 2.5 * figure * _glyphs(c.raw):
                c.value = False
        labels = [c for c in ln.chunks if not c.value and len(_CJK.findall(c.raw)) >= 2
                  and not any(ch.isdigit() for ch in c.raw)]
        for c in ln.chunks:
            if c.value and any(0 <= t.x0 - c.x1 <= 2 * c.h for t in labels):
                c.value = False
        text = "".join(c.raw for c in ln.chunks)
        if len(text) <= 8 and not 0.06 * height < ln.cy < 0.94 * height:
            ln.furniture = True


# ---------------------------------------------------------------- the second reading


def _cell_spans(boundary: float, cols: list[float]) -> list[tuple[float, float]]:
    """Each value column's left and right edge: halfway to its neighbours."""
    mids = [(a + b) / 2 for a, b in zip(cols, cols[1:], strict=False)]
    pitch = cols[-1] - cols[-2] if len(cols) > 1 else cols[0] - boundary
    return list(zip([max(boundary, cols[0] - pitch / 2), *mids], [*mids, cols[-1] + pitch / 2], strict=True))


@dataclass(slots=True)
class Cut:
    """A value cell cut out of the page: its ink with a margin, where the ink lies in it."""

    key: tuple[int, int]  # (row's line, column)
    piece: Image.Image
    ink: tuple[int, int]
    pad: int
    cut_off: bool = False  # its ink runs on across the cell's side: part of a figure may lie beyond


def _cuts(rows: list[tuple[Line, float, list[float]]], page: Page) -> tuple[list[tuple[int, int]], list[tuple[int, int]], list[Cut]]:
    """The value cells of a page's rows: (those that hold no ink, those with no room of their own
    right of the labels, the others cut out)."""
    from PIL import Image

    img = Image.open(page.png)
    blank, squeezed, cuts = [], [], []
    for ln, boundary, cols in rows:
        top, bottom = ((page.height - ln.cy + d * ln.h) * page.scale for d in (-0.8, 0.8))
        pad = max(round(bottom - top) // 2, 4)
        for k, (a, b) in enumerate(_cell_spans(boundary, cols)):
            if b - a < 1:  # a column squeezed against the labels: no cell to cut, no ink to look for
                squeezed.append((ln.no, k))
                continue
            crop = img.crop((round(a * page.scale), round(top), round(b * page.scale), round(bottom)))
            ink = _ink_span(crop)  # (wipes rule remains in the crop)
            if ink is None:
                blank.append((ln.no, k))
                continue
            x0 = max(ink[0] - pad, 0)
            cuts.append(Cut((ln.no, k), crop.crop((x0, 0, min(ink[1] + pad, crop.width), crop.height)),
                            (ink[0] - x0, ink[1] - x0), pad, ink[0] == 0 or ink[1] >= crop.width))
    return blank, squeezed, cuts


def _read_cuts(cuts: list[Cut], path: Path, exe: str, timeout: float, what: str, langs: str,
               zoom: float) -> dict[tuple[int, int], tuple[str, float]]:
    """Cells read again, each on a line of its own (alone, tesseract reads a figure it misreads
    among others far apart), scaled by `zoom`. (row, column) -> (text, confidence): ("", 0)
    where it read nothing; text ending in `…` where it read less than the ink shows: ink left
    beside its words, ink running on across the cut's side (a long number's first figure past the
    halfway line to the next column), or a number wider than figures are elsewhere on the page
    (`28` read as `2`, `-5` as `5`)."""
    from PIL import Image

    margin, y, placed = 64, 64, []
    for c in cuts:
        piece = c.piece.resize((round(c.piece.width * zoom), round(c.piece.height * zoom)), Image.LANCZOS) \
            if zoom != 1 else c.piece
        placed.append((c, piece, y))
        y += piece.height + round(c.pad * zoom)
    sheet = Image.new("L", (max(p.width for _, p, _ in placed) + 2 * margin, y + margin), 255)
    for _, piece, py in placed:
        sheet.paste(piece, (margin, py))
    sheet.save(path)
    found: dict[tuple[int, int], list[tuple[int, int, str, float]]] = {}
    for ws in _tsv_words(_run_ocr(exe, path, "6", timeout, what, langs)).values():
        for text, x0, y0, x1, y1, conf in ws:
            hit = [c for c, p, py in placed if py <= (y0 + y1) / 2 <= py + p.height]
            if len(hit) == 1:
                found.setdefault(hit[0].key, []).append(((x0 - margin) / zoom, (x1 - margin) / zoom, text, conf))
    cut = {c.key: c for c in cuts}
    read = {k: (_join([w[2] for w in sorted(ws)]), min(w[3] for w in ws)) for k, ws in found.items()}
    widths = sorted((cut[k].ink[1] - cut[k].ink[0]) / _glyphs(t) for k, (t, _) in read.items() if _NUMBER.match(t))
    glyph = widths[len(widths) // 2] if len(widths) >= 5 else None  # the usual width of a figure here
    out = {c.key: ("", 0.0) for c in cuts}
    for k, (text, conf) in read.items():
        (a, b), ws, slack = cut[k].ink, found[k], cut[k].pad / 2
        short = cut[k].cut_off or a < min(w[0] for w in ws) - slack or b > max(w[1] for w in ws) + slack
        wide = glyph is not None and bool(_NUMBER.match(text)) and b - a > WIDE * glyph * _glyphs(text)
        out[k] = (text + "…" if short or wide else text, conf)
    return out


def _glyphs(text: str) -> float:
    """How many figure widths a number takes (signs and separators half one)."""
    return sum(1.0 if ch.isdigit() else 0.5 for ch in text) or 1.0


def _compact(text: str) -> str:
    return "".join(nfkc(text).split()).replace(ILLEGIBLE, "")


def _disputed(first: Tok, again: tuple[str, float] | None) -> bool:
    """The first two readings of an inked cell differ and one of them is a value: a third decides."""
    if again is None:
        return False
    one, two = _compact(first.text), _compact(again[0])
    return one != two and any(t and is_value_like(t) for t in (one, two))


def _decide(first: Tok, again: tuple[str, float] | None, third: tuple[str, float] | None) -> Tok:
    """The value cell from its readings (see the module's docstring)."""
    if again is None:
        return first  # no ink: blank, or a speck the first reading took for something
    raw, conf = again
    one, two = _compact(first.text), _compact(raw)
    if one == two and one and min(first.conf or 0.0, conf) >= SURE:
        return Tok(first.text, first.raw, first.line, True, min(first.conf or 0.0, conf))
    readings = [(one, first.raw, first.conf or 0.0), (two, raw, conf)]
    if third is not None:
        readings.append((_compact(third[0]), third[0], third[1]))
    values = {t for t, _, _ in readings if t and is_value_like(t)}
    seen = "，".join(f"{what} '{shown}'" for what, (_, shown, _) in zip(("整页", "单元格", "复核"), readings, strict=False))
    if len(values) == 1:
        value = next(iter(values))  # (left in `values`: a value no second reading confirms is not read)
        agree = [(shown, c) for t, shown, c in readings if t == value]
        more = any(t and t != value and len(t) > len(value) for t, _, _ in readings[1:])  # a cell reading saw more
        more = more or _figures(one) > _figures(value)  # or the page's did: `”20183` where both cuts read 2018
        if len(agree) >= 2 and not more:
            least = min(c for _, c in agree)
            if _POINT_OR_COMMA.search(value):
                return _illegible(first.line, f"OCR 分不清小数点与千位逗号（{seen}），不作取舍")
            if least < SURE:
                return _illegible(first.line, f"OCR 读数的置信度低（{seen}，最低 {least:.2f}），不作取舍")
            shown = agree[0][0]
            return Tok(nfkc(shown), shown, first.line, True, least, note=f"OCR 读数（{seen}）")
    if values:
        return _illegible(first.line, f"OCR 读数不一致（{seen}），不作取舍")
    if one or two:  # a misreading, kept as read; it holds its cell's place unless it is text
        text, shown, c = (first.text, first.raw, first.conf) if one else (nfkc(raw), raw, conf)
        if len(_CJK.findall(text)) >= 2 and not any(ch.isdigit() for ch in text):
            return Tok(text, shown, first.line, True, c)
        return Tok(DAMAGED, shown, first.line, True, c)
    return _illegible(first.line, "OCR 未能识别单元格中的字迹")


def _figures(text: str) -> int:
    return sum(ch.isdigit() for ch in text)


def _illegible(line: int, why: str) -> Tok:
    """A value cell that could not be read: it holds its place in the row (text as a damaged
    character's), printed as □, its reason the note."""
    return Tok(DAMAGED, ILLEGIBLE, line, True, note=why)


# ---------------------------------------------------------------- rows, columns, tokens


def _value_lines(rows: list[Line]) -> list[Line]:
    """Rows as their columns are found from: their labels and values, not the other marks OCR
    made right of the labels (`|` left of a rule, misread figures)."""
    first = min(r.first_value_x() for r in rows)
    return [Line(r.no, r.page, r.cy, r.h, [c for c in r.chunks if c.value or c.x1 <= first + 0.3 * c.h],
                 r.data, r.stop, r.furniture, r.taken, r.attached) for r in rows]


def _layout(lines: list[Line], pages: dict[int, Page], conf: dict[int, float]) -> dict[int, tuple[float, list[float]]]:
    """Each table row's (label edge, value columns) as the PDF reader finds them, page by page (each
    page of a scan lies askew or shifted its own way), from values; where the image shows a
    figure the first reading missed, an unread chunk (□) stands in for it."""
    pdf_lines.classify(lines)
    layout: dict[int, tuple[float, list[float]]] = {}
    for header, rows in pdf_lines.find_tables(lines):
        for p in dict.fromkeys(r.page for r in rows):
            part, head = [r for r in rows if r.page == p], [h for h in header if h.page == p]
            boundary, cols = _columns(head, part)
            if _unseen(part, boundary, pages[p], conf):
                boundary, cols = _columns(head, part)
            for r in part:
                layout[r.no] = (boundary, cols)
    return layout


def _columns(head: list[Line], rows: list[Line]) -> tuple[float, list[float]]:
    """pdf_cells.find_columns from the rows' values, but not a column squeezed between two others a pitch
    apart, nor one at an end too close to its neighbour and holding no more values; and from
    headings only a column whole pitches apart from the values' (a blank column): OCR's boxes
    stray."""
    boundary, cols = pdf_cells.find_columns([], _value_lines(rows))
    if len(cols) < 3:  # too few values to know the pitch by: the headings as the PDF reader takes them
        return pdf_cells.find_columns(head, _value_lines(rows))
    pitch = statistics.median(b - a for a, b in zip(cols, cols[1:], strict=False))
    if len(cols) >= 4:  # a figure's box astray between two columns a pitch apart, or just outside
        held = [sum(c.value and c.raw != ILLEGIBLE and abs(c.cx - x) < pitch / 2 for r in rows for c in r.chunks)
                for x in cols]
        stray = {k for k in range(1, len(cols) - 1) if cols[k + 1] - cols[k - 1] <= 1.3 * pitch}
        stray |= {k for k, j in ((0, 1), (len(cols) - 1, len(cols) - 2))
                  if abs(cols[j] - cols[k]) < 0.8 * pitch and held[k] <= held[j]}
        cols = [x for k, x in enumerate(cols) if k not in stray]
    more = [x for x in pdf_cells.find_columns(head, _value_lines(rows))[1] if _apart(x, cols, pitch)]
    return boundary, sorted(cols + more)


def _apart(x: float, cols: list[float], pitch: float) -> bool:
    """A heading's column: a whole number of pitches from the nearest value column."""
    d = min(abs(x - c) for c in cols) / pitch
    return d > 0.5 and abs(d - round(d)) <= 0.2


def _unseen(rows: list[Line], boundary: float, page: Page, conf: dict[int, float]) -> bool:
    """Add to each row an unread chunk (□) for every run of ink right of the labels that none
    of its chunks covers. Whether any was added."""
    from PIL import Image

    img = Image.open(page.png)
    added = False
    for r in rows:
        top, bottom = ((page.height - r.cy + d * r.h) * page.scale for d in (-0.5, 0.5))
        left = boundary * page.scale
        band = img.crop((round(left), round(top), img.width, round(bottom)))
        for a, b in _ink_runs(band, r.h * page.scale):
            x0, x1 = (left + a) / page.scale, (left + b) / page.scale
            if any(c.x0 - 1 < x1 and x0 < c.x1 + 1 for c in r.chunks):
                continue
            c = Chunk(ILLEGIBLE, x0, r.cy - r.h / 2, x1, r.cy + r.h / 2, r.page, r.no, r.cy, True)
            r.chunks.append(c)
            conf[id(c)] = 0.0
            added = True
    return added


def _tokens(lines: list[Line], conf: dict[int, float], pages: dict[int, Page], exe: str, budget: Budget) -> list[Tok]:
    """pdf_cells.line_tokens, with OCR's columns (_layout), every value cell read two or three times, and
    each line of text one token."""
    layout = _layout(lines, pages, conf)
    rows: dict[int, tuple[list[Tok], list[Tok]]] = {}  # a row's label cells and first readings of its values
    for ln in lines:
        if ln.data and not ln.furniture and not ln.taken:
            boundary, cols = layout[ln.no]
            row = pdf_cells.row_tokens(ln, boundary, cols)
            rows[ln.no] = row[:len(row) - len(cols)], row[len(row) - len(cols):]
            if (over := _over_first_column(ln, boundary, cols)) and not rows[ln.no][1][0].text:
                rows[ln.no][1][0] = _illegible(ln.no, f"OCR 把本格的字迹读作文字（'{over.raw}'），不作数值")
            _first_conf(rows[ln.no][1], ln, boundary, cols, conf)
    first = {(no, k): t for no, (_, values) in rows.items() for k, t in enumerate(values)}
    again: dict[tuple[int, int], tuple[str, float] | None] = {}
    third: dict[tuple[int, int], tuple[str, float]] = {}
    cuts: dict[int, list[Cut]] = {}
    unlooked: set[tuple[int, int]] = set()
    for p, page in pages.items():
        mine = [(ln, *layout[ln.no]) for ln in lines if ln.page == p and ln.no in rows]
        blank, squeezed, cuts[p] = _cuts(mine, page) if mine else ([], [], [])
        again.update(dict.fromkeys(blank))
        unlooked.update(squeezed)
        if cuts[p]:
            again.update(_read_cuts(cuts[p], page.png.with_suffix(".cells.png"), exe,
                                    budget.left(f"表格重读到第 {p} 页"), f"第 {p} 页表格重读", LANGS2, 1.0))
    for p, page in pages.items():
        doubt = [c for c in cuts[p] if _disputed(first[c.key], again.get(c.key))]
        if doubt:
            third.update(_read_cuts(doubt, page.png.with_suffix(".check.png"), exe,
                                    budget.left(f"表格复核到第 {p} 页"), f"第 {p} 页表格复核", LANGS3, 1.5))
    title = pdf_cells.title_lines(lines)
    out: list[Tok] = []
    for ln in lines:
        if ln.furniture or ln.taken:
            continue
        if ln.no in title:
            pdf_cells.add_title_line(out, ln, title)
        elif ln.data and ln.no in rows:
            head, values = rows[ln.no]
            out += head + [_decide(t, again[(ln.no, k)], third.get((ln.no, k))) if (ln.no, k) in again
                           else _illegible(ln.no, UNLOOKED) if (ln.no, k) in unlooked else t
                           for k, t in enumerate(values)]
        elif ln.chunks:  # a line of text, one token: OCR's gaps inside a heading are no cells' edges
            raw = _join([c.raw for c in ln.chunks])
            out.append(Tok(nfkc(raw), raw, ln.no))
    lowest: dict[int, float] = {}
    for ln in lines:
        for c in ln.chunks + ln.attached:
            lowest[c.line] = min(lowest.get(c.line, 1.0), conf.get(id(c), 0.0))
    stop = re.compile(_HEADING_STOP.format(registry().numerals))
    for t in out:  # every token is OCR's: read as a value anywhere, its cell is an `ocr` one
        if t.text != DAMAGED:
            t.conf = lowest.get(t.line, 0.0) if t.conf is None else t.conf
            t.text = stop.sub(r"\1、", t.text.translate(_BRACKETS))
    return out


def _over_first_column(row: Line, boundary: float, cols: list[float]) -> Chunk | None:
    """Text OCR took for the row's label, printed over the middle of its first value column (a
    figure read as characters, `771` as `起位`, in a row without labels as section 四's): that cell
    is no blank."""
    if len(cols) < 2:
        return None
    half = (cols[1] - cols[0]) / 2
    return next((c for c in row.chunks if c.cx <= boundary and cols[0] - half / 2 < c.cx < cols[0] + half), None)


def _first_conf(values: list[Tok], row: Line, boundary: float, cols: list[float], conf: dict[int, float]) -> None:
    """Put on each value cell (as pdf_cells.row_tokens placed it) the lowest confidence of its chunks."""
    by_col: dict[int, list[float]] = {}
    for c in row.chunks:
        if c.cx > boundary:
            by_col.setdefault(min(range(len(cols)), key=lambda k: abs(cols[k] - c.cx)), []).append(conf.get(id(c), 0.0))
    for k, tok in enumerate(values):
        if k in by_col:
            tok.conf = min(by_col[k])

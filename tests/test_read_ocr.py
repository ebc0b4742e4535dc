"""Scanned PDFs read by OCR (readers/ocr.py): reports drawn as text PDFs (tests/pdfdocs.py), scanned
to page images (a little askew, grey paper, slightly soft, JPEG) and read back; a cell crossed out by
hand; a blank scan; no tesseract; a tesseract that hangs; the page and time limits."""

from __future__ import annotations

import io
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from functools import cache
from pathlib import Path

import psutil
import pypdfium2 as pdfium
import pytest
from conftest import emptied
from pdfdocs import busy, expected, long_counts, raw_pdf, render_pdf
from PIL import Image, ImageDraw, ImageFilter

from gkqc.readers import ocr, read_document
from gkqc.readers import pdf as pdfreader
from gkqc.readers.errors import AGAIN

pytestmark = pytest.mark.component

DPI = 200  # an office scanner's usual setting


def _tesseract_langs() -> set[str]:
    exe = shutil.which("tesseract")
    if exe is None:
        return set()
    out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30).stdout
    return set(out.split()[1:])


needs_tesseract = pytest.mark.skipif(
    not {"chi_sim", "eng"} <= _tesseract_langs(),
    reason="tesseract with chi_sim not installed (apt-get install tesseract-ocr tesseract-ocr-chi-sim)")


def scan(data: bytes, seed: int = 1, crossed: tuple[int, float, float, float, float] | None = None,
         tilt: float = 0.4, grey: int = 240, quality: int | None = None) -> bytes:
    """A text PDF as a scanner gives it back: page images only, turned a little (up to `tilt`
    degrees), on grey paper (`grey` of 255), slightly soft, JPEG-compressed (at `quality`, else
    Pillow's). `crossed`: (page, box in points, y upwards) scribbled over by hand."""
    rng = random.Random(seed)
    doc = pdfium.PdfDocument(data)
    pages = []
    for i in range(len(doc)):
        img = doc[i].render(scale=DPI / 72, grayscale=True).to_pil().convert("L")
        if crossed and crossed[0] == i:
            _scribble(img, crossed[1:], doc[i].get_height(), rng)
        img = img.rotate(rng.uniform(-tilt, tilt), resample=Image.BICUBIC, fillcolor=255)
        img = img.filter(ImageFilter.GaussianBlur(0.4)).point(lambda v: v * grey // 255)
        if quality is not None:
            buf = io.BytesIO()
            img.save(buf, format="JPEG", quality=quality)
            img = Image.open(io.BytesIO(buf.getvalue()))
        pages.append(img)
    buf = io.BytesIO()
    pages[0].save(buf, format="PDF", save_all=True, append_images=pages[1:], resolution=DPI)
    return buf.getvalue()


def _scribble(img: Image.Image, box: tuple[float, float, float, float], height: float, rng: random.Random) -> None:
    """A pen's zig-zag over a box (points): the printed figure is crossed out, still ink."""
    s = DPI / 72
    x0, y0, x1, y1 = box[0] * s, (height - box[3]) * s, box[2] * s, (height - box[1]) * s
    pts = [(x0 - 4 + k * (x1 - x0 + 8) / 6, y0 - 3 if k % 2 else y1 + 3) for k in range(7)]
    ImageDraw.Draw(img).line([(x + rng.uniform(-2, 2), y + rng.uniform(-2, 2)) for x, y in pts], fill=20, width=3)


def _value_box(data: bytes, label: str, k: int) -> tuple[int, float, float, float, float]:
    """(page, box) of the k-th value printed on the text PDF's line that starts with `label`."""
    for ln in pdfreader.read_pdf(data).lines:
        if ln.chunks[0].raw.startswith(label):
            c = [c for c in ln.chunks if c.value][k]
            return ln.page - 1, c.x0, c.y0, c.x1, c.y1
    raise AssertionError(f"no line {label}")


CROSSED = ("applications", "carried_over", "research")  # 二、上年结转…, the third value


@cache
def scanned(template: str, year: int):
    """(spec, truth, result, seconds, pages) of a busy report of `template`, scanned and read back
    (in the 2021 report one figure is crossed out by hand)."""
    s = busy(template, year, seed=1)
    text_pdf = render_pdf(s)
    crossed = _value_box(text_pdf, "二、上年结转", 2) if template == "gov2021" else None
    data = scan(text_pdf, crossed=crossed)
    t = time.perf_counter()
    r = read_document("scan.pdf", data)
    return s, expected(s), r, time.perf_counter() - t, len(pdfium.PdfDocument(data))


def _key(c) -> tuple[str, ...]:
    return (c.table, *((c.block_id, c.row_id, c.col_id) if c.table == "active" else (c.row_id, c.col_id)))


@needs_tesseract
@pytest.mark.parametrize("template,year", [("gov2021", 2023), ("gov2019", 2020)])
def test_scanned_report_every_value_read_is_right(template, year):
    s, truth, r, _, pages = scanned(template, year)
    assert r.format == "scanned_pdf" and r.status in ("parsed", "partial"), r.reason
    rep = r.report
    assert rep.template == template and rep.report_year == year
    assert rep.meta["pdf_ocr"].startswith("tesseract ") and rep.meta["pdf_ocr"].endswith(f"{pages} 页")
    assert f"OCR 识读：{rep.meta['pdf_ocr']}" in rep.notes  # the lake keeps what read the values
    got = {_key(c): c for c in rep.cells}
    assert set(got) == set(truth)
    read = {k: c for k, c in got.items() if c.value is not None}
    for k, c in read.items():  # every value OCR gives is the printed one, with its confidence
        assert (c.status, c.value) == ("ocr", truth[k]), (k, c.raw, c.reason)
        assert 0.0 <= c.confidence <= 1.0
    # a cell is blank only where nothing is printed: a figure OCR could not read is unreadable
    assert all(truth[k] is None for k, c in got.items() if c.status == "blank")
    # how much OCR makes out (row labels misread are rows not found): measured 49% and 77% here
    assert len(read) >= 0.4 * len(truth), f"{len(read)}/{len(truth)} cells read"
    assert all(c.reason for c in got.values() if c.status in ("unreadable", "missing"))


@needs_tesseract
def test_a_crossed_out_figure_is_unreadable_not_guessed():
    _, _, r, _, _ = scanned("gov2021", 2023)
    c = {_key(c): c for c in r.report.cells}[CROSSED]
    assert (c.status, c.value) == ("unreadable", None) and "PDF 第2页" in c.reason


@needs_tesseract
def test_ocr_speed():
    """Seconds per page (two readings) on this machine's tesseract: well inside the page limit."""
    per_page = [t / n for _, _, _, t, n in (scanned("gov2021", 2023), scanned("gov2019", 2020))]
    assert max(per_page) < ocr.PAGE_TIMEOUT_S / 2, per_page


def _blank_scan(pages: int = 1) -> bytes:
    buf = io.BytesIO()
    imgs = [Image.new("L", (int(8.27 * DPI), int(11.69 * DPI)), 245) for _ in range(pages)]
    imgs[0].save(buf, format="PDF", save_all=True, append_images=imgs[1:], resolution=DPI)
    return buf.getvalue()


@needs_tesseract
def test_blank_scan_is_unreadable_with_the_reason():
    r = read_document("blank.pdf", _blank_scan())
    assert (r.format, r.status) == ("scanned_pdf", "unreadable")
    assert r.reason == "扫描件 PDF 经 OCR 未识别出文字（共 1 页），可能是空白页或图像无法辨认"


def test_without_tesseract_the_reason_says_what_to_install(monkeypatch):
    monkeypatch.setattr(ocr.shutil, "which", lambda name, *a, **kw: None)
    r = read_document("scan.pdf", _blank_scan())
    assert (r.format, r.status, r.reason) == ("scanned_pdf", "unreadable", ocr.MISSING)
    assert "tesseract-ocr-chi-sim" in r.reason


@needs_tesseract
def test_without_the_chinese_language_data_the_reason_says_what_to_install(monkeypatch):
    monkeypatch.setattr(ocr, "LANGS", "chi_sim_missing")
    r = read_document("scan.pdf", _blank_scan())
    assert (r.status, r.reason) == ("unreadable", f"{ocr.MISSING}（tesseract 缺少语言数据 chi_sim_missing）")


@pytest.fixture
def fake_tesseract(tmp_path, monkeypatch):
    """A `tesseract` that answers --version, then hangs with a child of its own."""
    pids = tmp_path / "pids"
    exe = tmp_path / "tesseract"
    exe.write_text(f'#!/bin/sh\n[ "$1" = --version ] && {{ echo "tesseract 9.9.9"; exit 0; }}\n'
                   f'sleep 300 &\necho $$ $! > {pids}\nwait\n')
    exe.chmod(0o755)
    monkeypatch.setattr(ocr, "TESSERACT", str(exe))
    return pids


def test_a_hanging_tesseract_is_killed_with_its_children(fake_tesseract, monkeypatch):
    monkeypatch.setattr(ocr, "PAGE_TIMEOUT_S", 1.0)
    t = time.monotonic()
    r = read_document("scan.pdf", _blank_scan())
    assert time.monotonic() - t < 10
    assert (r.status, r.reason) == ("unreadable", "OCR 超过时限（第 1/1 页：tesseract 1 秒未完成）")
    assert all(_ended(int(pid)) for pid in fake_tesseract.read_text().split())  # the script and its `sleep`


def _ended(pid: int, within: float = 5.0) -> bool:
    """The process is gone (or dead, not yet reaped by whoever adopted it) within a few seconds."""
    end = time.monotonic() + within
    while time.monotonic() < end:
        try:
            if psutil.Process(pid).status() == psutil.STATUS_ZOMBIE:
                return True
        except psutil.NoSuchProcess:
            return True
        time.sleep(0.05)
    return False


def _fake(tmp_path, monkeypatch, body: str):
    """A `tesseract` that answers --version, then runs `body` (shell)."""
    exe = tmp_path / "tesseract"
    exe.write_text(f'#!/bin/sh\n[ "$1" = --version ] && {{ echo "tesseract 9.9.9"; exit 0; }}\n{body}\n')
    exe.chmod(0o755)
    monkeypatch.setattr(ocr, "TESSERACT", str(exe))
    return exe


def test_what_tesseract_started_ends_when_the_process_that_started_it_is_killed(tmp_path, monkeypatch):
    """A worker SIGKILLed while tesseract reads a page: tesseract, its child and one that left its session
    end, and the page images' folder is removed."""
    pids, temp = tmp_path / "pids", tmp_path / "temp"
    temp.mkdir()
    exe = _fake(tmp_path, monkeypatch, f"sleep 300 &\necho $! >> {pids}\n"
                                       f"setsid sh -c 'echo $$ >> {pids}; exec sleep 300' &\necho $$ >> {pids}\nwait")
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(_blank_scan())
    code = (f"from gkqc.readers import ocr; ocr.TESSERACT = {str(exe)!r}; "
            f"ocr.ocr_pdf(open({str(scan)!r}, 'rb').read())")
    parent = subprocess.Popen([sys.executable, "-c", code], cwd=Path(__file__).parents[1],
                              env={**os.environ, "TMPDIR": str(temp)})
    started: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (pids.exists() and len(pids.read_text().split()) >= 3):
            time.sleep(0.05)
        started = [int(p) for p in pids.read_text().split()]
        assert len(started) == 3 and [d.name for d in temp.iterdir()][0].startswith("gkqc-ocr-")
        parent.kill()
        parent.wait()
        assert all(_ended(p) for p in started)
        assert emptied(temp)
    finally:
        parent.kill()
        parent.wait()
        for p in started:
            if not _ended(p, 0.01):
                os.kill(p, 9)


def test_a_process_tesseract_left_behind_is_ended_when_it_exits(tmp_path, monkeypatch):
    pids = tmp_path / "pids"
    _fake(tmp_path, monkeypatch, f"setsid sh -c 'echo $$ >> {pids}; exec sleep 300' &\nsleep 0.5\nexit 3")
    try:
        r = read_document("scan.pdf", _blank_scan())
        assert (r.status, r.reason) == ("unreadable", "OCR 失败（第 1/1 页：tesseract 退出码 3）")
        assert _ended(int(pids.read_text()))
    finally:
        if not _ended(int(pids.read_text()), 0.01):
            os.kill(int(pids.read_text()), 9)


@pytest.mark.parametrize("body,why", [
    ("kill -KILL $$", "tesseract 被信号 SIGKILL 终止"),
    ("exit 0", "tesseract 退出码 0，但未输出识别结果"),
    ("echo garbage", "tesseract 退出码 0，但未输出识别结果"),
    ('printf "\\033[2J\\033]0;pwned\\007Error\\000 in pixRead\\n" >&2\nexit 1', "tesseract \ufffd[2J\ufffd]0;pwned\ufffdError\ufffd in pixRead"),
], ids=["killed", "no-output", "garbage", "controls-in-its-errors"])
def test_a_tesseract_that_fails_is_blamed_not_the_page(body, why, tmp_path, monkeypatch):
    """tesseract killed, or writing no TSV (it writes the header for a blank page too): the reason names its
    failure, not a blank page; what it prints reaches the reason as one printable line. Killed, the file is
    read again by the next run (the reason says so)."""
    _fake(tmp_path, monkeypatch, body)
    r = read_document("scan.pdf", _blank_scan())
    again = AGAIN if body.startswith("kill") else ""
    assert (r.status, r.reason) == ("unreadable", f"OCR 失败（第 1/1 页：{why}）{again}")


def test_page_limit_and_time_budget(fake_tesseract, monkeypatch):
    monkeypatch.setattr(ocr, "MAX_PAGES", 2)
    r = read_document("big.pdf", _blank_scan(3))
    assert (r.status, r.reason) == ("unreadable", "扫描件 PDF 共 3 页，超过 OCR 单个文件 2 页的上限，未读取")
    monkeypatch.setattr(ocr, "TIME_BUDGET_S", 0.0)
    r = read_document("slow.pdf", _blank_scan(2))
    assert (r.status, r.reason) == ("unreadable", "OCR 超过时限（0 秒，已识别 0/2 页）")


def _one_image_pdf(side: int, depth: int = 0) -> bytes:
    """A one-page PDF drawing one grey image of side × side pixels on an A4 page (flate, a few KB per
    million pixels: its size is no warning), inside `depth` forms each drawing the next."""
    z = zlib.compressobj(9)
    data = b"".join(z.compress(b"\x80" * side) for _ in range(side)) + z.flush()
    content = b"q 595 0 0 842 0 0 cm /X0 Do Q"
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
            b" /Resources << /XObject << /X0 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content)]
    for d in range(depth):
        body = b"/X%d Do" % (d + 1)
        objs.append(b"<< /Type /XObject /Subtype /Form /BBox [0 0 1 1] /Resources << /XObject << /X%d %d 0 R >> >>"
                    b" /Length %d >>\nstream\n%s\nendstream" % (d + 1, len(objs) + 2, len(body), body))
    objs.append(b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray /BitsPerComponent 8"
                b" /Filter /FlateDecode /Length %d >>\nstream\n%s\nendstream" % (side, side, len(data), data))
    return raw_pdf(objs)


@pytest.mark.parametrize("depth", [0, 2], ids=["on-the-page", "two-forms-deep"])
def test_a_page_image_too_big_to_decode_is_not_read(fake_tesseract, monkeypatch, depth):
    """pdfium decodes an image whole to draw it: a 1.5 MB scan of one 40000 × 40000 image took 1.9 GB.
    An image over MAX_IMAGE_PX is refused from its declared size; one under it is drawn and goes to
    the OCR engine as before (here a fake one that never answers)."""
    r = read_document("huge.pdf", _one_image_pdf(10_100, depth))
    assert (r.format, r.status) == ("scanned_pdf", "unreadable")
    assert r.reason == "扫描件第 1 页的图像有 10100×10100 像素，超过 OCR 上限（100 百万像素），解码它需要的内存过多，未读取"
    monkeypatch.setattr(ocr, "PAGE_TIMEOUT_S", 1.0)
    assert read_document("scan.pdf", _one_image_pdf(2_000)).reason.startswith("OCR 超过时限（第 1/1 页")


@pytest.mark.parametrize("first, again, third", [
    ("-00", ("", 0.0), ("", 0.0)),  # printed ——: only the page's reading saw a figure
    ("99895631", ("", 0.0), ("", 0.0)),  # printed 985611: no other reading to confirm it
    ("27", ("27…", 0.96), ("27…", 0.95)),  # the cell's readings see more ink than 27
    ("57", ("0…", 0.5), ("0…", 0.6))],  # printed 0
    ids=["dash", "alone", "more-ink", "cell-says-otherwise"])
def test_a_reading_no_other_confirms_is_unreadable(first, again, third):
    """One value among the readings, confirmed by no second one: the cell is unreadable, saying what
    each reading saw. The code before took the set's one value out to look at it, found the set
    empty after, and kept the lone reading as the cell's raw text: read as the value, no reason."""
    from gkqc.cells import read_count
    from gkqc.readers.tokens import Tok

    t = ocr._decide(Tok(first, first, 1, True, 0.9), again, third)
    assert read_count(t.raw).value is None
    assert t.note.startswith("OCR 读数不一致") and first in t.note


def test_a_figure_both_cell_readings_lost_and_the_page_saw_is_unreadable():
    """20183 printed at a cell's top left (a report with five-figure counts): the page's reading saw
    `”20183` (no value: a rule's mark before it), both readings of the cut cell 2018, and 2018 was
    read. A page reading with more figures than the value two readings agree on makes the cell
    unreadable; a mark beside the same figures (`”1010`, `169|`) does not."""
    from gkqc.readers.tokens import Tok

    t = ocr._decide(Tok("”20183", "”20183", 1, True, 0.9), ("2018", 0.93), ("2018", 0.91))
    assert t.raw == ocr.ILLEGIBLE and t.note.startswith("OCR 读数不一致") and "”20183" in t.note
    for page, value in (("”1010", "1010"), ("169|", "169"), ("， 691", "691")):
        t = ocr._decide(Tok(page, page, 1, True, 0.9), (value, 0.93), (value, 0.91))
        assert (t.raw, t.conf) == (value, 0.91), page


@needs_tesseract
def test_a_column_with_no_room_right_of_the_labels_is_unreadable_not_blank():
    """Section 四 printed without rules, its first figure a lone 1 that the page's reading missed: the
    row's values began at its second figure, so the labels' edge lay right of the first column the
    headings gave. That column's cell had no room to be cut out and read again, and was read blank.
    It is unreadable now, and no value of the report is read wrong."""
    s = long_counts(busy("gov2019", 2020, seed=117), seed=1)
    truth = expected(s)
    r = read_document("scan.pdf", scan(render_pdf(s, ruled=False), seed=1))
    got = {_key(c): c for c in r.report.cells}
    c = got[("reviews", "review", "upheld")]
    assert (truth[("reviews", "review", "upheld")], c.status, c.value) == (1.0, "unreadable", None)
    assert ocr.UNLOOKED in c.reason
    assert all(c.value == truth[k] for k, c in got.items() if c.status in ("ocr", "blank"))


@needs_tesseract
def test_a_figure_beyond_its_cells_cut_makes_the_reading_unreadable():
    """14134 printed at its cell's right edge, in a column whose figures are shorter: its 1 lay past
    the halfway line to the next column, so the cell's cut began at its 4, both readings of the cut
    said 4134, and the page's reading saw nothing it could read there: 4134 was read. A cut whose ink
    runs on across its side is read as seeing less than the ink shows: the cell is unreadable."""
    s = long_counts(busy("gov2021", 2023, seed=134), seed=2)
    truth = expected(s)
    r = read_document("scan.pdf", scan(render_pdf(s, align="right"), seed=2))
    got = {_key(c): c for c in r.report.cells}
    c = got[("applications", "granted", "total")]
    assert (truth[("applications", "granted", "total")], c.status, c.value) == (14134.0, "unreadable", None)
    assert all(c.value == truth[k] for k, c in got.items() if c.status in ("ocr", "blank"))


@needs_tesseract
def test_a_minus_sign_both_readings_lost_is_unreadable():
    """A scan turned up to 1° and compressed harder: the page's reading and the cell's both read `-5`
    (本年增/减 of 行政事业性收费) as 5, agreeing. The cut's ink is one and a half figures wide, a
    single figure about one: the reading saw less than the ink shows, and the cell is unreadable."""
    s = long_counts(busy("gov2019", 2020, seed=36), seed=3)
    truth = expected(s)
    r = read_document("scan.pdf", scan(render_pdf(s, ruled=False), seed=3, tilt=1.0, grey=235, quality=75))
    got = {_key(c): c for c in r.report.cells}
    c = got[("active", "item_8", "fees", "change")]
    assert (truth[("active", "item_8", "fees", "change")], c.status, c.value) == (-5.0, "unreadable", None)
    assert all(c.value == truth[k] for k, c in got.items() if c.status in ("ocr", "blank"))


def test_a_point_before_three_digits_is_unreadable_in_a_scan():
    """Both cell readings said 4.871 where 4,871 was printed (a comma read as a point), the page's
    reading said 4;,871: the cell read 4.871. OCR cannot tell the two marks apart before three
    digits, so such a value is unreadable; 85.94 is still read."""
    from gkqc.readers.tokens import Tok

    t = ocr._decide(Tok("4;,871", "4;,871", 1, True, 0.9), ("4.871", 0.96), ("4.871", 0.95))
    assert t.raw == ocr.ILLEGIBLE and "小数点与千位逗号" in t.note
    t = ocr._decide(Tok("85.94", "85.94", 1, True, 0.9), ("85.94", 0.96), None)
    assert (t.raw, t.note) == ("85.94", None)


def test_readings_that_agree_with_little_confidence_are_unreadable():
    """`-41` printed, the minus sign seen by no reading: the page's and the cell's readings agreed on
    41, the cell's with confidence 0.43, and 41 was read. Below ocr.SURE the cell is unreadable,
    giving the confidence; agreeing readings with the usual confidence are read."""
    from gkqc.readers.tokens import Tok

    t = ocr._decide(Tok("41", "41", 1, True, 0.9), ("41", 0.43), None)
    assert t.raw == ocr.ILLEGIBLE and "置信度低" in t.note and "0.43" in t.note
    t = ocr._decide(Tok("41", "41", 1, True, 0.9), ("41", 0.96), None)
    assert (t.raw, t.conf) == ("41", 0.9)


def test_a_figure_ocr_read_as_characters_over_the_first_column_is_no_blank():
    """Section 四's row has no label: OCR read its first figure (771) as 起位, which was taken for the
    row's label, and the first cell, cut right of it, held no ink: blank. Text over the middle of
    the first value column makes that cell unreadable; a row's label left of the columns does not."""
    from gkqc.readers.pdf_lines import Chunk, Line

    def chunk(raw: str, x0: float, x1: float) -> Chunk:
        return Chunk(raw, x0, 100.0, x1, 110.0, 1, 5, 105.0, raw.isdigit())

    cols = [75.0, 106.0, 137.0]
    section_four = Line(5, 1, 105.0, 10.0, [chunk("起位", 67.0, 82.0), chunk("0", 104.0, 108.0)], data=True)
    assert ocr._over_first_column(section_four, 90.0, cols).raw == "起位"
    labelled = Line(5, 1, 105.0, 10.0, [chunk("（一）予以公开", 156.0, 218.0), chunk("0", 304.0, 308.0)], data=True)
    assert ocr._over_first_column(labelled, 290.0, [306.0, 341.0, 376.0]) is None


@pytest.mark.parametrize("said, conf", [("96.5", 0.965), ("-1", 0.0), ("nan", 0.0), ("inf", 0.0), ("-inf", 0.0), ("250", 1.0)])
def test_a_words_confidence_is_between_0_and_1_whatever_tesseract_prints(said, conf):
    """A confidence Tesseract prints as `nan` or `inf` passed every confidence bar (nan compares false with
    it): cells the engine could not read became values. It is none at all."""
    row = "\t".join(["5", "1", "1", "1", "1", "1", "10", "20", "30", "40", said, "12"])
    header = "\t".join(["level", "page_num", "block_num", "par_num", "line_num", "word_num", "left", "top", "width",
                        "height", "conf", "text"])
    assert ocr._tsv_words(f"{header}\n{row}\n") == {("1", "1", "1", "1"): [("12", 10, 20, 40, 60, conf)]}


def test_a_tesseract_flooding_its_output_is_named_and_ended(tmp_path, monkeypatch):
    """A tesseract printing without end: the reading names tesseract's output, not the page; the worker keeps
    at most MAX_OUTPUT_BYTES of it."""
    from gkqc import lifeline

    monkeypatch.setattr(lifeline, "MAX_OUTPUT_BYTES", 1 << 20, raising=False)
    monkeypatch.setattr(ocr, "PAGE_TIMEOUT_S", 5.0)
    _fake(tmp_path, monkeypatch, "head -c 30000000 /dev/zero >&2\nsleep 300")
    r = read_document("scan.pdf", _blank_scan())
    assert (r.status, r.reason) == ("unreadable", "OCR 失败（第 1/1 页：tesseract 的输出超过 1 MB 上限，已终止）")


def test_a_full_disk_is_named_not_the_scan(tmp_path, monkeypatch):
    """The temporary folder's disk full when a page image is saved: the reason names the folder, not the PDF."""
    import errno

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    _fake(tmp_path, monkeypatch, "exit 1")
    scan = _blank_scan()
    monkeypatch.setattr(Image.Image, "save", no_space)
    r = read_document("scan.pdf", scan)
    assert (r.format, r.status) == ("scanned_pdf", "unreadable")
    assert r.reason.startswith(f"临时文件夹 {tempfile.gettempdir()} 所在的磁盘已满（No space left on device），"
                               "OCR 识别未完成，未读取：问题在本机，而非文件"), r.reason

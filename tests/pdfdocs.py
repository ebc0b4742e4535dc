"""Report PDFs for tests (drawn by gkqc.simulate.pdf, shared with the benchmark): what
tests/test_read_pdf.py and tests/test_read_ocr.py expect of them."""

from __future__ import annotations

import random
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
from builders import spec

from gkqc.readers import read_document
from gkqc.readers.pdf import CJK_FONT_PACKAGE, system_cjk_font
from gkqc.simulate.pdf import FONT, render_pdf  # noqa: F401 - the drawing is shared with the benchmark
from gkqc.simulate.render import ReportSpec
from gkqc.simulate.truth import cell_values


def raw_pdf(objs: list[bytes]) -> bytes:
    """A PDF of the objects given, numbered from 1 (the first the catalog), with its cross-reference
    table: for hand-made hostile files."""
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for n, body in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1) + b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return bytes(out)


# the generated PDFs embed the installed CJK font, or (none installed) only name one, which pdfium
# then cannot stand in for: the reader refuses such files rather than lose single characters
needs_cjk_font = pytest.mark.skipif(not system_cjk_font(),
                                    reason=f"no CJK font for the generated PDFs (apt-get install {CJK_FONT_PACKAGE})")


def fanout_pdf(depth: int) -> bytes:
    """A one-page PDF whose form XObjects nest `depth` deep, each drawing the next twice: 2**depth draws
    when its text is taken (pdfium, in C: no reader's time budget can stop it)."""
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 5 0 R"
            b" /Resources << /XObject << /X 6 0 R >> /Font << /F 4 0 R >> >> >>",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]

    def stream(body: bytes, head: bytes = b"") -> bytes:
        return b"<< /Length %d%s >>\nstream\n%s\nendstream" % (len(body), head, body)

    objs.append(stream(b"BT /F 12 Tf 10 800 Td (x) Tj ET /X Do"))
    for k in range(depth):
        last = k == depth - 1
        body = b"BT /F 1 Tf 10 10 Td (1) Tj ET" if last else b"q /X Do Q q 1 0 0 1 0.001 0 cm /X Do Q"
        res = b"<< /Font << /F 4 0 R >> >>" if last else b"<< /XObject << /X %d 0 R >> >>" % (7 + k)
        objs.append(stream(body, b" /Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources " + res))
    return raw_pdf(objs)


def expected(s: ReportSpec, blank: tuple[str, ...] = ()) -> dict[tuple[str, ...], float | None]:
    apps = {k: ("" if k[1] in blank else v) for k, v in s.applications.items()}
    return {k: v.value for k, v in cell_values(s.template, apps, s.active, s.reviews).items()}


def read_back(s: ReportSpec, **kw):
    r = read_document("r.pdf", render_pdf(s, **kw))
    got = {(c.table, *((c.block_id, c.row_id, c.col_id) if c.table == "active" else (c.row_id, c.col_id))): c
           for c in r.report.cells}
    return r, got


def busy(template: str, year: int, seed: int) -> ReportSpec:
    """A report with many applications, so that section 三 holds more than zeros."""
    for k in range(seed, seed + 200):
        s = spec(template, year, seed=k, office="青山市交通运输局")
        if int(s.applications[("new_received", "total")]) > 20:
            return s
    raise AssertionError("no busy seed")


def long_counts(s: ReportSpec, seed: int, by: tuple[int, ...] = (7, 13, 137, 1009)) -> ReportSpec:
    """The report with longer counts: each application count multiplied by one of `by`, a figure added."""
    rng = random.Random(seed)
    s.applications = {k: str(int(v) * rng.choice(by) + rng.randrange(10)) if v.isdigit() and int(v) else v
                      for k, v in s.applications.items()}
    return s


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="未安装 Chromium（.ci/run 从 Debian 软件包安装 chromium）")


def browser_pdf(html: bytes) -> bytes:
    """The page `html` as Chromium prints it to PDF (headless; each table cell's border drawn on its own)."""
    with tempfile.TemporaryDirectory() as tmp:
        page, out = Path(tmp, "r.html"), Path(tmp, "r.pdf")
        page.write_bytes(html)
        subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                        f"--user-data-dir={tmp}/profile", f"--print-to-pdf={out}", page.as_uri()],
                       capture_output=True, timeout=120, check=True)
        return out.read_bytes()

"""PDFs from another producer: the generated .docx of reports exported to PDF by LibreOffice (no
table borders, narrow label columns wrapped to a few characters a line, text at the top of each
cell). What cannot be told apart there stays unreadable, with its reason; no value may be wrong."""

from __future__ import annotations

import pytest
from pdfdocs import busy, expected
from worddocs import have_soffice, soffice_convert

from gkqc.readers import read_document
from gkqc.simulate.word import report_docx

pytestmark = pytest.mark.component

needs_soffice = pytest.mark.skipif(not have_soffice(), reason="LibreOffice not installed (libreoffice-writer-nogui)")


def _zeros_blank(s):
    for table in ("applications", "reviews", "active"):
        cells = getattr(s, table)
        for key, v in cells.items():
            cells[key] = "" if v == "0" else v
    return s


@needs_soffice
@pytest.mark.parametrize("zeros", [False, True], ids=["printed", "zeros-blank"])
@pytest.mark.parametrize("template", ["gov2021", "gov2019"])
def test_a_libreoffice_export_gives_no_wrong_value(template, zeros):
    s = busy(template, 2022, 5)
    if zeros:
        _zeros_blank(s)
    r = read_document("r.pdf", soffice_convert(report_docx(s), ".docx", "pdf"))
    got = {(c.table, *((c.block_id, c.row_id, c.col_id) if c.table == "active" else (c.row_id, c.col_id))): c
           for c in r.report.cells}
    want = expected(s)
    assert set(got) == set(want)
    wrong = {k: (got[k].raw, want[k]) for k in want if got[k].value is not None and got[k].value != want[k]}
    assert not wrong
    lost = [c for c in got.values() if c.status in ("missing", "unreadable")]
    assert all(c.reason for c in lost)
    read = sum(1 for k in want if got[k].status in ("ok", "blank"))
    assert read >= 0.9 * len(want), read  # headings cut by a page break still give every column

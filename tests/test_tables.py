"""Sections 二–四 re-drawn as printed: what each cell shows, in the tables and in a finding's evidence."""

import html
import re

import polars as pl

from gkqc.outputs.tables import escape_expr, frames, render_tables, shown_expr
from gkqc.templates import registry

CELLS = {"raw": pl.Utf8, "status": pl.Utf8, "reason": pl.Utf8, "line": pl.Int64}


def _draw(rows: list[tuple]) -> str:
    """The reviews table of one gov2021 report whose cells are `rows` (key, raw, status, reason, line)."""
    cells = {t: pl.DataFrame(schema={"report_id": pl.Utf8, "key": pl.Utf8, **CELLS})
             for t in ("active_disclosure", "applications", "reviews")}
    cells["reviews"] = pl.DataFrame([("r1", *r) for r in rows], schema={"report_id": pl.Utf8, "key": pl.Utf8, **CELLS},
                                    orient="row")
    marks = pl.DataFrame(schema={"report_id": pl.Utf8, "table": pl.Utf8, "key": pl.Utf8, "links": pl.Utf8})
    return render_tables(pl.DataFrame({"report_id": ["r1"], "printed": ["gov2021"]}), cells, marks)["r1"]["reviews"]


def test_each_cell_shows_its_printed_text_or_why_it_has_none():
    g, m = registry().cell_keys("reviews", "gov2021")[0], registry().cell_keys("reviews", "gov2021")[1]
    html = _draw([(".".join(g), "<b>3</b>", "ok", None, 7), (".".join(m), "", "blank", None, 7)])
    assert "&lt;b&gt;3&lt;/b&gt;" in html and "<b>" not in html  # printed text, escaped
    assert html.count("（空白）") == 1  # a blank cell says so
    n = len(frames("gov2021")["reviews"].keys)
    assert html.count("（未找到）") == n - 2  # a cell not read at all: not found


def test_evidence_and_tables_say_the_same_of_a_cell_without_text():
    df = pl.DataFrame({"raw": ["12", "", None, "-", "", None],
                       "status": ["ok", "blank", "unreadable", "blank", "ok", None]})
    shown = df.select(shown_expr(pl.col("raw"), pl.col("status")))["raw"].to_list()
    assert shown == ["12", "（空白）", "（无法读取）", "-", "", "（未找到）"]


def test_cell_text_is_escaped_once_whatever_it_holds():
    texts = ["<b>3</b>", "a&lt;b", "&amp;&&", "'\"<>&", "１２&#39;", "", "plain 12,345"]
    got = pl.DataFrame({"t": texts}).select(escape_expr(pl.col("t")))["t"].to_list()
    assert [html.unescape(g) for g in got] == texts  # an entity printed in a cell shows as printed
    assert not any(re.search(r"[<>\"']|&(?!amp;|lt;|gt;|quot;|#39;)", g) for g in got)

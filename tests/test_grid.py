"""Cells as grids (one row per report, one column per cell) and linear rules over them."""

import math

import polars as pl
import pytest
from builders import spec

from checks.expr import compile_rule, linear
from checks.grid import cell_ids, read_cells
from checks.linear import Rule, judged
from checks.suite import load_suite
from gkqc.ingest import ingest
from gkqc.lake import Lake
from gkqc.simulate.render import render_pagetext


def _lake(tmp_path, files: dict[str, bytes]) -> Lake:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name, data in files.items():
        (inbox / name).write_bytes(data)
    lake = Lake(tmp_path / "lake")
    ingest(inbox, lake, "t1", workers=0)
    return lake


def _grid(lake: Lake, table: str):
    reports = pl.read_parquet(lake.paths("reports")).select("report_id", "template").with_row_index("rid")
    files = lake.files(table)
    return read_cells(table, files, reports), reports


def test_every_cell_lands_in_its_column(tmp_path, ali_bytes):
    broken = spec("gov2021", 2022, office="青山市统计局", seed=5)
    broken.applications[("partial", "research")] = ""  # blank: there, but no number
    broken.applications[("granted", "commercial")] = "约4"  # unreadable: there, but no number
    lake = _lake(tmp_path, {"ali.txt": ali_bytes, "q.txt": render_pagetext(broken).encode()})
    cells = pl.read_parquet(lake.paths("applications"))
    table, reports = _grid(lake, "applications")
    grid = table.grid
    assert grid.height == reports.height == 2 and set(cell_ids("applications")) <= set(grid.columns)
    rid = dict(zip(reports["report_id"], reports["rid"], strict=True))
    for rec in cells.iter_rows(named=True):
        got = grid[f"{rec['row_id']}.{rec['column_id']}"][rid[rec["report_id"]]]
        assert (math.isnan(got) if rec["value"] is None else got == rec["value"]), rec
    present = grid.select(pl.sum_horizontal(pl.col(c).is_not_null() for c in cell_ids("applications")))
    assert present.to_series().sum() == cells.height  # nothing more: absent cells stay null
    q = grid.filter(pl.col("template") == "gov2021")  # the broken one (the sample is gov2019)
    assert math.isnan(q["partial.research"][0]) and math.isnan(q["granted.commercial"][0])
    assert table.long.filter(~pl.col("ok")).height == cells.filter(pl.col("status") != "ok").height


def test_a_rule_is_evaluated_with_its_own_templates_coefficients(tmp_path):
    """The same check may weigh a term differently per template: each report gets its own."""
    r19, r21 = spec("gov2019", 2020, office="甲局", seed=7), spec("gov2021", 2022, office="乙局", seed=8)
    lake = _lake(tmp_path, {"a.txt": render_pagetext(r19).encode(), "b.txt": render_pagetext(r21).encode()})
    table, _ = _grid(lake, "applications")
    a1 = next(s for s in load_suite() if s.id == "A1")
    ids = {"results_total", "carried_forward", "new_received", "carried_over"}
    rules = [Rule(0, a1, "gov2019", linear("results_total == new_received", ids)),
             Rule(0, a1, "gov2021", linear("results_total == 2 * new_received", ids))]
    got = judged(table.grid, rules).filter(pl.col("subject") == "total").join(
        table.grid.select("report_id", "template", "results_total.total", "new_received.total"), on="report_id")
    assert got.height == 2
    for row in got.iter_rows(named=True):
        k = 1 if row["template"] == "gov2019" else 2
        assert (row["actual"], row["expected"]) == (row["results_total.total"], k * row["new_received.total"])
        assert row["assessable"]


def test_cell_rule_rejects_the_values_it_should():
    frame = pl.DataFrame({"value": [-1.0, 0.0, 0.5, 2.0, 3.0000001, 1e9, None]})
    cond = compile_rule("value >= 0 and whole(value)", {"value"})
    assert frame.select(cond).to_series().to_list() == [False, True, False, True, False, True, None]


def test_a_cell_stored_twice_is_refused_not_dropped(tmp_path, ali_bytes):
    lake = _lake(tmp_path, {"ali.txt": ali_bytes})
    part = lake.files("applications")[0]
    cells = pl.read_parquet(part)
    pl.concat([cells, cells.head(1)]).write_parquet(part)
    with pytest.raises(ValueError, match="出现两次"):
        _grid(lake, "applications")

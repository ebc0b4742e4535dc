"""A changed registry (or changed readers) has the next run read every file of the inbox again: the new
reading replaces the old one's rows, each file keeps when it was first seen, a file gone from the inbox
keeps what was read of it, and the reports are checked again."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest
from builders import spec
from test_registry import _with_gov2025

from checks.engine import check_lake
from gkqc import reread
from gkqc.ingest import ingest
from gkqc.lake import Lake
from gkqc.simulate.render import render_pagetext
from gkqc.templates import REGISTRY_ENV


def _run(root, inbox, run_id):
    lake = Lake(root / "lake")
    summary = ingest(inbox, lake, run_id, workers=0)
    check_lake(lake, run_id)
    lake.commit(run_id)
    return Lake(root / "lake"), summary


def _table(lake: Lake, table: str) -> pl.DataFrame:
    lake.init()
    return pl.read_parquet(lake.paths(table))


def test_a_changed_registry_reads_every_file_again_and_replaces_the_old_reading(tmp_path, monkeypatch, later):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name, office, year, seed in (("a.txt", "青山市教育局", 2025, 4), ("b.txt", "青山市财政局", 2025, 5),
                                      ("c.txt", "青山市民政局", 2024, 6)):
        text = render_pagetext(spec("gov2021", year, office=office, seed=seed)).replace("本年制发件数", "本年发布件数")
        (inbox / name).write_text(text, encoding="utf-8")
    (inbox / "a-copy.txt").write_bytes((inbox / "a.txt").read_bytes())  # the same file under a second name
    lake, first = _run(tmp_path, inbox, "t1")
    assert not first.reread and first.reports_new == 3
    before_docs = _table(lake, "documents").sort("source_path")
    before = _table(lake, "reports").sort("office")
    assert before["template"].to_list() == ["gov2021"] * 3
    c_cells = _table(lake, "applications").join(before.filter(pl.col("office") == "青山市民政局")
                                                .select("report_id"), on="report_id").sort(pl.all())

    (inbox / "c.txt").unlink()  # gone from the inbox before the registry changes: what was read of it stays
    later()  # a later second: times that were kept are told from times that were not
    path = tmp_path / "templates.yaml"
    _with_gov2025(path)
    monkeypatch.setenv(REGISTRY_ENV, str(path))
    lake, second = _run(tmp_path, inbox, "t2")
    assert second.reread and second.seen == 3 and second.read_again == 3 and second.unchanged == 0
    assert second.new == 0 and second.versions_replaced == 2 and second.reports_new == 2

    reports = _table(lake, "reports").sort("office")
    assert reports.select("office", "template").rows() == [
        ("青山市教育局", "gov2025"), ("青山市民政局", "gov2021"), ("青山市财政局", "gov2025")]
    assert reports["report_id"].n_unique() == 3
    docs = _table(lake, "documents").sort("source_path")
    assert docs["source_path"].to_list() == ["a-copy.txt", "a.txt", "b.txt", "c.txt"]  # one row a path
    assert docs["report_id"][0] == docs["report_id"][1]  # the copy has the new reading's outcome
    assert docs["ingested_at"].to_list() == before_docs["ingested_at"].to_list()  # when first seen, kept
    assert docs["doc_id"].to_list() == before_docs["doc_id"].to_list()
    assert set(docs["report_id"]) == set(reports["report_id"])
    first_seen = dict(before.select("office", "ingested_at").iter_rows())
    assert dict(reports.select("office", "ingested_at").iter_rows()) == first_seen
    issued = (_table(lake, "active_disclosure").filter(pl.col("metric_id") == "issued")
              .join(reports.filter(pl.col("template") == "gov2025").select("report_id"), on="report_id"))
    assert issued.height == 4 and set(issued["status"]) == {"ok"}  # the new template's column, read
    for table in ("sections", "applications", "reviews", "active_disclosure", "check_results"):
        assert set(_table(lake, table)["report_id"]) == set(reports["report_id"]), table
    kept = _table(lake, "applications").join(reports.filter(pl.col("office") == "青山市民政局")
                                             .select("report_id"), on="report_id").sort(pl.all())
    assert kept.equals(c_cells)
    results = _table(lake, "check_results")
    assert results.group_by("report_id", "check_id", "subject").len()["len"].max() == 1  # checked once, again

    lake, third = _run(tmp_path, inbox, "t3")  # nothing changed since: nothing read
    assert not third.reread and third.unchanged == 3 and third.new == 0
    assert _table(lake, "reports").sort("office").equals(reports)


def test_the_reading_key_follows_the_registry_and_the_readers_code(tmp_path, monkeypatch):
    key = reread.reading_key()
    path = tmp_path / "templates.yaml"
    _with_gov2025(path)
    monkeypatch.setenv(REGISTRY_ENV, str(path))
    assert reread.reading_key() != key
    monkeypatch.delenv(REGISTRY_ENV)
    assert reread.reading_key() == key
    monkeypatch.setattr(reread, "_code_digest", lambda: "another reader")
    assert reread.reading_key() != key


def test_the_code_in_the_key_is_what_makes_a_files_rows_not_how_the_lake_stores_them(tmp_path, monkeypatch):
    """A change to the lake's manifest or commit code reads nothing again (it once read every file
    again, OCR included); a change to a reader or to how a record becomes rows does."""
    package = tmp_path / "gkqc"
    shutil.copytree(Path(reread.__file__).parent, package, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(reread, "_PACKAGE", package)
    digest = reread._code_digest.__wrapped__
    before = digest()
    for stored in ("lake.py", "storage.py", "ingest.py"):
        with (package / stored).open("a", encoding="utf-8") as f:
            f.write("# a change in how the lake is kept\n")
    assert digest() == before
    for reading in ("rows.py", "readers/pdf_cells.py", "parse_worker.py"):
        (package / reading).write_text((package / reading).read_text(encoding="utf-8") + "# changed\n", encoding="utf-8")
        assert digest() != before
        before = digest()


def test_the_reading_key_follows_the_readers_libraries_and_programs(monkeypatch, tmp_path):
    key = reread.reading_key()
    real = reread.metadata.version
    monkeypatch.setattr(reread.metadata, "version", lambda name: "99.0" if name == "lxml" else real(name))
    reread._tools.cache_clear()
    assert reread.reading_key() != key  # another lxml reads HTML
    monkeypatch.setattr(reread.metadata, "version", real)
    reread._tools.cache_clear()
    assert reread.reading_key() == key
    monkeypatch.setenv("PATH", "/nonexistent")  # neither Tesseract nor LibreOffice on the machine
    reread._tools.cache_clear()
    assert "tesseract absent" in reread._tools() and "soffice absent" in reread._tools()
    before = reread.reading_key()
    programs = tmp_path / "bin"
    programs.mkdir()
    monkeypatch.setenv("PATH", str(programs))
    for name, version in (("tesseract", "tesseract 9.1.0"), ("soffice", "LibreOffice 99")):
        (programs / name).write_text(f"#!/bin/sh\necho '{version}'\n", encoding="utf-8")
        (programs / name).chmod(0o755)  # installed, one after the other: what they could not read is read again
        reread._tools.cache_clear()
        assert reread.reading_key() != before
        before = reread.reading_key()
    assert "; tesseract 9.1.0;" in reread._tools()
    installed, font = before, reread.pdf_reader.system_cjk_font()
    monkeypatch.setattr(reread.pdf_reader, "system_cjk_font", lambda: not font)  # a CJK font installed or gone
    reread._tools.cache_clear()
    assert reread.reading_key() != installed
    monkeypatch.undo()
    reread._tools.cache_clear()
    assert reread.reading_key() == key


def test_a_lake_from_before_reading_keys_records_one_and_reads_nothing_again(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_text(render_pagetext(spec("gov2021", 2023, office="青山市教育局", seed=7)), encoding="utf-8")
    lake, _ = _run(tmp_path, inbox, "t1")
    lake.init()
    del lake.state[reread.STATE]
    lake.commit("old")
    lake, again = _run(tmp_path, inbox, "t2")
    assert not again.reread and again.unchanged == 1
    lake.init()
    assert lake.state[reread.STATE] == reread.reading_key()


def test_a_reading_again_stopped_halfway_leaves_the_lake_as_it_was_and_the_next_run_does_it(tmp_path, monkeypatch):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name, office, seed in (("a.txt", "青山市教育局", 8), ("b.txt", "青山市财政局", 9)):
        (inbox / name).write_text(render_pagetext(spec("gov2021", 2025, office=office, seed=seed))
                                  .replace("本年制发件数", "本年发布件数"), encoding="utf-8")
    lake, _ = _run(tmp_path, inbox, "t1")
    before = {t: _table(lake, t).sort(pl.all()) for t in ("documents", "reports", "active_disclosure")}
    path = tmp_path / "templates.yaml"
    _with_gov2025(path)
    monkeypatch.setenv(REGISTRY_ENV, str(path))
    rewrite, calls = reread.rewrite, []

    def stopped(*args):  # the run dies after its first rewritten part
        calls.append(args)
        if len(calls) == 2:
            raise KeyboardInterrupt
        rewrite(*args)

    monkeypatch.setattr(reread, "rewrite", stopped)
    with pytest.raises(KeyboardInterrupt):
        _run(tmp_path, inbox, "t2")
    assert len(calls) == 2
    lake = Lake(tmp_path / "lake")
    assert all(_table(lake, t).sort(pl.all()).equals(before[t]) for t in before)  # nothing of it committed
    monkeypatch.setattr(reread, "rewrite", rewrite)
    lake, again = _run(tmp_path, inbox, "t3")
    assert again.reread and again.versions_replaced == 2
    assert _table(lake, "reports")["template"].to_list() == ["gov2025", "gov2025"]


def test_a_report_read_again_keeps_the_time_its_content_was_first_seen(tmp_path, monkeypatch, later):
    """A copy of a file collected later under a name read first: read again, the report keeps the
    time its content was first seen, so a correction published after it stays the newer version."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    text = render_pagetext(spec("gov2021", 2025, office="青山市教育局", seed=4)).replace("本年制发件数", "本年发布件数")
    (inbox / "qs-v1.txt").write_text(text, encoding="utf-8")
    lake, _ = _run(tmp_path, inbox, "t1")
    first = _table(lake, "reports")["ingested_at"].to_list()
    later()
    (inbox / "0-mirror.txt").write_text(text, encoding="utf-8")  # the same bytes, collected again later
    lake, _ = _run(tmp_path, inbox, "t2")
    later()
    path = tmp_path / "templates.yaml"
    _with_gov2025(path)
    monkeypatch.setenv(REGISTRY_ENV, str(path))
    lake, again = _run(tmp_path, inbox, "t3")
    assert again.reread and _table(lake, "reports")["ingested_at"].to_list() == first


def test_restamps_one_after_another_keep_the_earliest_time_a_report_was_seen(tmp_path):
    """A repair knows a report's content was first seen at t0 under a path it was moved from; a file left to
    read again is stamped after it, in the same run: the report stays t0 (the second stamper put back the
    later time its own path was first seen, and an undated version could rank newer than it was)."""
    from datetime import datetime

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_text(render_pagetext(spec("gov2021", 2022, office="青山市教育局", seed=4)), encoding="utf-8")
    lake, _ = _run(tmp_path, inbox, "r1")
    docs, reports = _table(lake, "documents"), _table(lake, "reports")
    kind = docs["ingested_at"].dtype
    t0, t1, t5 = (pl.Series([datetime(2024, m, 1)]).cast(kind)[0] for m in (1, 3, 5))
    seen = pl.DataFrame([("a.txt", docs["doc_id"][0], t1), ("old/a.txt", docs["doc_id"][0], t0)],
                        schema={"source_path": pl.Utf8, "doc_id": pl.Utf8, "first": kind}, orient="row")
    repair = reread.Reread({}, seen)
    retry = reread.Reread({}, seen.clear().vstack(pl.DataFrame([("b.txt", "0" * 32, t5)], schema=seen.schema,
                                                               orient="row")), own_paths=True)
    tables = {"documents": docs.to_arrow(), "reports": reports.to_arrow()}
    stamped = reread.Restamps(repair, retry).restamp(tables)
    assert stamped["reports"].column("ingested_at").to_pylist() == [t0]
    assert stamped["documents"].column("ingested_at").to_pylist() == [t1]  # (the path's own first sight)

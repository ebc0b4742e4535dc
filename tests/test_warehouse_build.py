"""Warehouse models are built in the order their references require, within the layer convention."""

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from builders import spec

from checks.kinds.cross_year import latest_prev
from gkqc.ingest import ingest
from gkqc.lake import Lake
from gkqc.simulate.render import render_pagetext
from warehouse import build as wb
from warehouse.access import connect_readonly


def empty_lake(tmp: Path) -> Lake:
    lake = Lake(tmp / "lake")
    lake.init()
    return lake


def use_models(tmp: Path, monkeypatch, models: dict[str, str]) -> None:
    """A models folder of {"layer/name": sql} in place of the real one."""
    root = tmp / "models"
    for name, sql in models.items():
        (root / f"{name}.sql").parent.mkdir(parents=True, exist_ok=True)
        (root / f"{name}.sql").write_text(sql, encoding="utf-8")
    (root / "schema.yml").write_text("{}\n", encoding="utf-8")
    monkeypatch.setattr(wb, "MODELS", root)


def test_real_models_are_built_after_what_they_read(tmp_path):
    order = wb.model_files()
    for i, path in enumerate(order):
        assert wb.references(path) - set(wb.BUILT_IN) <= {p.stem for p in order[:i]}, path
    assert order.index(wb.MODELS / "marts/scorecard_office.sql") < order.index(wb.MODELS / "marts/scorecard_region.sql")
    wb.build(tmp_path / "wh", empty_lake(tmp_path))
    with connect_readonly(tmp_path / "wh") as con:
        assert con.execute("select count(*) from scorecard_region").fetchone() == (0,)


def test_order_comes_from_references_not_names(tmp_path, monkeypatch):
    use_models(tmp_path, monkeypatch, {
        "staging/stg_numbers": "-- from z_total (a comment names no table)\nselect 1 as n union all select 2",
        "core/a_total": "select sum(n) as total, 'from z_total' as note from z_numbers",
        "core/z_numbers": "with t as (select n from stg_numbers) select n from t",
        "marts/a_mart": "select total * 10 as score from b_mart",
        "marts/b_mart": "select total from a_total",
    })
    assert [p.stem for p in wb.model_files()] == ["stg_numbers", "z_numbers", "a_total", "b_mart", "a_mart"]
    wb.build(tmp_path / "wh", empty_lake(tmp_path))
    with connect_readonly(tmp_path / "wh") as con:
        assert con.execute("select score from a_mart").fetchone() == (30,)
        assert con.execute("select table_name from duckdb_tables() where table_name = 'a_mart'").fetchone()


def test_a_cycle_is_refused_naming_the_file(tmp_path, monkeypatch):
    use_models(tmp_path, monkeypatch, {"core/a": "select * from b", "core/b": "select * from a"})
    with pytest.raises(wb.ModelError, match=r"^models/core/a\.sql: .*cycle.*models/core/a\.sql → models/core/b\.sql → models/core/a\.sql"):
        wb.build(tmp_path / "wh", empty_lake(tmp_path))


def test_a_staging_model_must_not_read_core(tmp_path, monkeypatch):
    use_models(tmp_path, monkeypatch, {"staging/stg_a": "select * from b", "core/b": "select 1 as x"})
    with pytest.raises(wb.ModelError, match=r"^models/staging/stg_a\.sql: .*a staging model must not read a core model"):
        wb.model_files()


def test_an_unknown_table_is_refused_naming_the_file(tmp_path, monkeypatch):
    use_models(tmp_path, monkeypatch, {"core/a": "select * from nowhere"})
    with pytest.raises(wb.ModelError, match=r"^models/core/a\.sql: .*nowhere"):
        wb.model_files()


def test_a_decision_written_by_hand_is_a_reason_to_rebuild(tmp_path):
    """The derived outputs depend on the reviewers' decisions too (a review that died before its
    rebuild, or a file edited by hand, is picked up by the next run)."""
    from gkqc.settings import decisions_path

    lake = Lake(tmp_path / "lake")
    lake.init()
    before = wb.build_fingerprint(lake, tmp_path)
    path = decisions_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text('{"office": "x"}\n', encoding="utf-8")
    after = wb.build_fingerprint(lake, tmp_path)
    assert after != before and wb.build_fingerprint(lake, tmp_path) == after



def test_a_warehouse_built_by_other_models_is_refused_for_reading_and_rebuilt(tmp_path, monkeypatch):
    """A file built by another version of the SQL models (an upgrade, before the next run) may lack a
    view or column the code reads: reading it says to run `gkqc run` (it used to end in a DuckDB
    traceback), and the next run rebuilds it."""
    from warehouse import access

    lake = empty_lake(tmp_path)
    wb.build(tmp_path, lake)
    connect_readonly(tmp_path).close()
    monkeypatch.setattr(access, "models_digest", lambda: "other models")
    with pytest.raises(access.WarehouseError, match="gkqc run"):
        connect_readonly(tmp_path)
    monkeypatch.setattr(wb, "models_digest", access.models_digest)
    assert wb.built_from(tmp_path) != wb.build_fingerprint(lake, tmp_path)  # so the next run builds it again
    wb.build(tmp_path, lake)
    connect_readonly(tmp_path).close()


def test_a_result_without_a_message_reads_its_status_never_a_pass(tmp_path):
    """Only a plain pass is stored without a message (the view says 符合：<title>); any other result that
    came without one reads its own status (a failure once read 符合 so)."""
    lake = empty_lake(tmp_path)
    rows = pl.DataFrame({"report_id": ["r"] * 3, "check_id": ["A1", "A2", "A3"], "severity": ["error"] * 3,
                         "status": ["pass", "fail", "not_assessable"], "subject": ["", "", ""],
                         "expected": [None] * 3, "actual": [None] * 3, "difference": [None] * 3, "cells": [None] * 3,
                         "message": [None] * 3, "run_id": ["t"] * 3},
                        schema_overrides={c: pl.Float64 for c in ("expected", "actual", "difference")} | {
                            c: pl.Utf8 for c in ("cells", "message")})
    lake.write_frame("check_results", rows, "t")
    lake.commit("t")
    wb.build(tmp_path, lake)
    with connect_readonly(tmp_path) as con:
        got = dict(con.sql("select check_id, message from check_results").fetchall())
    assert got["A1"].startswith("符合：") and got["A2"].startswith("不通过：") and got["A3"].startswith("无法判断：")


def test_a_build_stopped_in_its_upload_is_built_and_uploaded_again(tmp_path):
    """On object storage the run uploads the new file: stopped before the upload has it whole, the
    local file must still say the old build, so that the next run does not take the warehouse for
    up to date while the bucket holds the old file."""
    from conftest import SAMPLES

    lake = Lake(tmp_path / "lake")
    ingest(SAMPLES, lake, "r1", workers=0)
    assert lake.commit("r1")
    wh = tmp_path / "wh"
    uploaded = []
    wb.build(wh, lake, upload=lambda f: uploaded.append(f.read_bytes()))
    first = wb.built_from(wh)
    assert first == wb.build_fingerprint(lake, wh) and uploaded == [(wh / wb.DB_NAME).read_bytes()]
    lake.state["note"] = "a new commit"
    assert lake.commit("r2")

    def stopped(f):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        wb.build(wh, lake, upload=stopped)
    assert wb.built_from(wh) == first != wb.build_fingerprint(lake, wh)  # the next run builds again


def test_cross_year_checks_compare_with_the_version_the_warehouse_scores(tmp_path, later):
    """Which version of an office-year is the newest is decided twice, by the cross-year checks
    (polars) and by the warehouse (SQL, `is_latest`): through a tie, a later reading of the same day
    and an undated version (placed by the day it was collected), they agree."""
    inbox = tmp_path / "inbox"
    lake = Lake(tmp_path / "lake")
    a, b = "青山市教育局", "青山市财政局"
    runs = [  # (run, file, office, seed, publication day in January 2023; None: undated)
        [("a1", a, 1, 10), ("a2", a, 2, 20), ("a3", a, 3, 20),  # a2 and a3: one day, one run
         ("b1", b, 4, 20), ("a-next", a, 9, None), ("b-next", b, 8, None)],
        [("b2", b, 5, 20), ("b3", b, 6, None)],  # b2: b1's day, read later; b3: no date
    ]
    for n, files in enumerate(runs):
        for name, office, seed, day in files:
            s = spec(year=2023 if name.endswith("next") else 2022, office=office, seed=seed)
            s.published_at = date(2023, 1, day) if day else (None if name == "b3" else s.published_at)
            inbox.mkdir(exist_ok=True)
            (inbox / f"{name}.txt").write_text(render_pagetext(s), encoding="utf-8")
        ingest(inbox, lake, f"t{n}", workers=0)
        later()  # a run's files are stamped to the second: the next run's are later
    reports = pl.scan_parquet(lake.paths("reports"))
    assert reports.filter(pl.col("report_year") == 2022).select(pl.len()).collect().item() == 6
    prev = dict(latest_prev(reports).filter(pl.col("report_year") == 2023)
                .join(reports.select("report_id", "office"), on="report_id").select("office", "prev_id").collect().iter_rows())
    wb.build(tmp_path / "wh", lake)
    with connect_readonly(tmp_path / "wh") as con:
        newest = dict(con.execute("select office, report_id from reports where report_year = 2022 and is_latest").fetchall())
        numbers = con.execute("""select office, list(version_no order by version_no), max(versions),
                                        list(report_id order by version_no)[-1]
                                 from reports where report_year = 2022 group by office order by office""").fetchall()
    assert newest == prev and len(newest) == 2
    # the versions are numbered 1, 2, 3 by publication and reading, the newest last
    assert numbers == [(o, [1, 2, 3], 3, newest[o]) for o in sorted(newest)]
    # b3, without a date, was collected after the others were published: a correction, the newest
    # (the code before numbered an undated version first, and scored the faulty version it corrected)
    undated = reports.filter((pl.col("office") == b) & (pl.col("report_year") == 2022) & pl.col("published_at").is_null())
    assert newest[b] == undated.select("report_id").collect().item()


def _versions_run(tmp_path: Path, versions: dict[str, list[tuple[str, date | None, bool]]]) -> tuple[dict, dict, dict]:
    """Offices' 2022 reports in several versions (name, publication day or None, title marked （更正）) and a 2023
    report each, collected in one run: (the warehouse's newest 2022 version per office, the cross-year
    checks' previous report per office, file name → report id)."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for n, (office, files) in enumerate(versions.items()):
        for k, (name, day, corrected) in enumerate(files):
            s = spec(year=2022, office=office, seed=10 * n + k)
            s.published_at = day
            if corrected:
                s.title = f"{office}2022年政府信息公开工作年度报告（更正）"
            (inbox / f"{name}.txt").write_text(render_pagetext(s), encoding="utf-8")
        (inbox / f"{office}-2023.txt").write_text(render_pagetext(spec(year=2023, office=office, seed=10 * n + 9)),
                                                  encoding="utf-8")
    lake = Lake(tmp_path / "lake")
    ingest(inbox, lake, "t0", workers=0)
    reports = pl.scan_parquet(lake.paths("reports"))
    prev = dict(latest_prev(reports).filter(pl.col("report_year") == 2023)
                .join(reports.select("report_id", "office"), on="report_id").select("office", "prev_id").collect().iter_rows())
    wb.build(tmp_path / "wh", lake)
    with connect_readonly(tmp_path / "wh") as con:
        newest = dict(con.execute("select office, report_id from reports where report_year = 2022 and is_latest").fetchall())
        ids = dict(con.execute("select regexp_extract(source_path, '[^/]+$'), report_id from documents").fetchall())
    return newest, prev, {k.removesuffix(".txt"): v for k, v in ids.items()}


def test_a_correction_is_the_newest_version_whatever_its_date_or_its_id(tmp_path):
    """An undated original collected with its dated correction (…（更正）), and originals published the
    same day as their corrections: the correction is the newest, for the warehouse and the checks alike
    (the code before took the undated original, dated by the day it was collected, and let the report id
    decide a tie)."""
    day = date(2023, 1, 20)
    versions = {"青山市应急管理局": [("a-orig", None, False), ("a-corr", date(2023, 3, 5), True)]}
    versions |= {f"青山市第{k}科技局": [(f"b{k}-orig", day, False), (f"b{k}-corr", day, True)] for k in range(1, 7)}
    newest, prev, ids = _versions_run(tmp_path, versions)
    assert newest == prev
    assert newest == {office: ids[files[1][0]] for office, files in versions.items()}
    # the report id put the original first in some of these ties and the correction in others
    assert len({ids[f"b{k}-corr"] < ids[f"b{k}-orig"] for k in range(1, 7)}) == 2


def test_a_build_the_disk_cannot_hold_keeps_the_previous_warehouse(tmp_path):
    """A file-size limit (a full disk alike) while the new warehouse was written: DuckDB's close did
    not raise when it could not move its log into the file, and the file, empty of tables, replaced
    the warehouse readers were using."""
    import subprocess
    import sys

    from conftest import SAMPLES

    lake = Lake(tmp_path / "lake")
    ingest(SAMPLES, lake, "r1", workers=0)
    assert lake.commit("r1")
    wh = tmp_path / "wh"
    wb.build(wh, lake)
    first = wb.built_from(wh)
    lake.state["note"] = "a new commit"
    assert lake.commit("r2")
    limit = (wh / wb.DB_NAME).stat().st_size // 2
    code = ("import resource, sys; from pathlib import Path; from gkqc.lake import Lake; from warehouse import build as wb\n"
            f"resource.setrlimit(resource.RLIMIT_FSIZE, ({limit}, resource.RLIM_INFINITY))\n"
            f"lake = Lake(Path({str(tmp_path / 'lake')!r})); lake.init(); wb.build(Path({str(wh)!r}), lake)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode != 0 and "File too large" in done.stderr
    assert wb.built_from(wh) == first  # the previous warehouse, whole and readable
    assert sorted(p.name for p in wh.iterdir()) == [wb.DB_NAME]  # nothing of the failed build left


def test_a_log_another_session_left_beside_the_warehouse_is_not_replayed_on_the_next_build(tmp_path):
    """An analyst's read-write DuckDB session on gkqc.duckdb, ended uncleanly, leaves gkqc.duckdb.wal: the
    next build replaced the file and kept that log, which DuckDB then replayed on the new file and failed
    ("WAL does not match database file"): every run, and every reader, failed until someone deleted it."""
    import subprocess
    import sys

    from conftest import SAMPLES

    lake = Lake(tmp_path / "lake")
    ingest(SAMPLES, lake, "r1", workers=0)
    assert lake.commit("r1")
    wh = tmp_path / "wh"
    wb.build(wh, lake)
    code = ("import duckdb, os; con = duckdb.connect('gkqc.duckdb'); con.execute('set checkpoint_threshold = \"1GB\"');"
            "con.execute('create view mine as select 1 as x'); os._exit(0)")  # (killed: no checkpoint)
    subprocess.run([sys.executable, "-c", code], cwd=wh, check=True, timeout=60)
    assert (wh / "gkqc.duckdb.wal").exists()
    lake.state["note"] = "a new commit"
    assert lake.commit("r2")
    wb.build(wh, lake)
    assert wb.built_from(wh) is not None and not (wh / "gkqc.duckdb.wal").exists()
    with connect_readonly(wh) as con:
        assert con.execute("select count(*) from reports").fetchone()[0] > 0


def test_a_warehouse_another_program_holds_for_writing_is_named_so(tmp_path):
    """An analyst's DuckDB shell opened the warehouse file read-write (as `duckdb gkqc.duckdb` does): gkqc
    said the file was unreadable and that `gkqc run` rebuilds it, which does not help."""
    import subprocess
    import sys

    from conftest import SAMPLES

    from warehouse.access import WarehouseError

    lake = Lake(tmp_path / "lake")
    ingest(SAMPLES, lake, "r1", workers=0)
    assert lake.commit("r1")
    wh = tmp_path / "wh"
    wb.build(wh, lake)
    shell = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]);"
                              "print('open', flush=True); time.sleep(60)", str(wh / wb.DB_NAME)],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert shell.stdout.readline().strip() == "open"
        with pytest.raises(WarehouseError, match="读写方式打开") as e:
            connect_readonly(wh)
        assert "gkqc run 可重建" not in str(e.value)
    finally:
        shell.kill()
        shell.wait()

"""Warehouse models are built in the order their references require, within the layer convention."""

from pathlib import Path

import pytest

from gkqc.lake import Lake
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

"""Building the DuckDB warehouse: one model per SQL file, staging before core before marts.

Staging and core models are views over the lake's Parquet; marts (the scorecards) are
materialised as tables, computed once per run rather than at every query. The database
file is rebuilt whole at the end of every run into a temporary file and moved into place:
readers keep working on the previous file while a run writes.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pyarrow as pa

from checks.spec import load_suite
from gkqc import yamlfile
from gkqc.settings import DUCKDB_CONFIG
from gkqc.templates import registry

MODELS = Path(__file__).with_name("models")
LAYERS = ("staging", "core", "marts")
DB_NAME = "gkqc.duckdb"


def model_files() -> list[Path]:
    return [p for layer in LAYERS for p in sorted((MODELS / layer).glob("*.sql"))]


def _q(text: str) -> str:
    return text.replace("'", "''")


def create_models(con: duckdb.DuckDBPyConnection, lake_dir: Path) -> None:
    labels = pa.Table.from_pylist(registry().labels())
    con.register("labels_src", labels)
    con.execute("create or replace table template_labels as select * from labels_src")
    con.unregister("labels_src")
    catalog = pa.Table.from_pylist([
        dict(id=s.id, title=s.title, severity=s.severity, templates=",".join(s.templates), kind=s.kind,
             rule=s.rule or s.function, source=f"{Path(s.source).name}:{s.line}") for s in load_suite()])
    con.register("catalog_src", catalog)
    con.execute("create or replace table check_catalog as select * from catalog_src")
    con.unregister("catalog_src")
    lake = str(Path(lake_dir).resolve()).replace("'", "''")
    tables = {"template_labels", "check_catalog"}
    for path in model_files():
        sql = path.read_text(encoding="utf-8").replace("{lake}", lake)
        kind = "table" if path.parent.name == "marts" else "view"
        con.execute(f"create or replace {kind} {path.stem} as {sql}")
        if kind == "table":
            tables.add(path.stem)
    comments = yamlfile.load((MODELS / "schema.yml").read_text(encoding="utf-8"))
    for view, cols in comments.items():
        kind = "table" if view in tables else "view"
        con.execute(f"comment on {kind} {view} is '{_q(cols['_'])}'")
        for col, text in cols.items():
            if col != "_":
                con.execute(f'comment on column {view}."{col}" is \'{_q(text)}\'')


def build(warehouse_dir: Path, lake_dir: Path) -> Path:
    """(Re)build ``warehouse_dir/gkqc.duckdb`` atomically; return its path."""
    warehouse_dir.mkdir(parents=True, exist_ok=True)
    final = warehouse_dir / DB_NAME
    tmp = warehouse_dir / f".{DB_NAME}.{os.getpid()}.tmp"
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp), config=DUCKDB_CONFIG)
    try:
        create_models(con, lake_dir)
    finally:
        con.close()
    tmp.replace(final)
    return final


def connect_readonly(warehouse_dir: Path) -> duckdb.DuckDBPyConnection:
    db = warehouse_dir / DB_NAME
    if not db.exists():
        raise FileNotFoundError(f"未找到数据仓库 {db}：请先运行 gkqc run (no warehouse yet: run `gkqc run` first)")
    return duckdb.connect(str(db), read_only=True, config=DUCKDB_CONFIG)

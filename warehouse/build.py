"""Building the DuckDB warehouse: one model per SQL file, staging before core before marts.

Staging and core models are views over the lake's Parquet parts as of its last commit (paths
relative to the warehouse folder, so a copied warehouse reads its own lake); marts (the
scorecards) are materialised as tables, computed once per run rather than at every query. The
database file is rebuilt whole into a temporary file and moved into place: readers keep working on
the previous file while a run writes. It records the lake commit and suite it was built from.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import duckdb
import pyarrow as pa

from checks.spec import load_suite, suite_fingerprint
from gkqc import faults, yamlfile
from gkqc.lake import SCHEMAS, Lake, sql_list
from gkqc.settings import DUCKDB_CONFIG
from gkqc.templates import registry

MODELS = Path(__file__).with_name("models")
LAYERS = ("staging", "core", "marts")
DB_NAME = "gkqc.duckdb"
BUILD_TABLE = "_gkqc_build"  # one row: what this file was built from
FILES_TABLE = "_gkqc_lake_files"  # the lake files its views read (the only files `gkqc sql` may read)
_PARTS = re.compile(r"\{parts:(\w+)\}")


def model_files() -> list[Path]:
    return [p for layer in LAYERS for p in sorted((MODELS / layer).glob("*.sql"))]


def _q(text: str) -> str:
    return text.replace("'", "''")


def build_fingerprint(lake: Lake) -> str:
    """What the derived outputs depend on: the lake's last commit, the suite and the SQL models."""
    models = hashlib.sha256("".join(p.read_text(encoding="utf-8") for p in model_files()).encode()).hexdigest()
    return f"{lake.fingerprint()}-{suite_fingerprint()}-{models[:12]}"


def create_models(con: duckdb.DuckDBPyConnection, lake: Lake, base: Path) -> list[str]:
    """Create every model over the lake's committed parts (paths relative to `base`); return those paths."""
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
    parts = {t: [os.path.relpath(p, base) for p in lake.paths(t)] for t in SCHEMAS}
    tables = {"template_labels", "check_catalog"}
    for path in model_files():
        sql = _PARTS.sub(lambda m: sql_list(parts[m.group(1)]), path.read_text(encoding="utf-8"))
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
    return [p for ps in parts.values() for p in ps]


def build(warehouse_dir: Path, lake: Lake) -> Path:
    """(Re)build ``warehouse_dir/gkqc.duckdb`` atomically from the lake's last commit; return its path."""
    warehouse_dir.mkdir(parents=True, exist_ok=True)
    final = warehouse_dir / DB_NAME
    tmp = warehouse_dir / f".{DB_NAME}.{os.getpid()}.tmp"
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp), config={**DUCKDB_CONFIG, "file_search_path": str(warehouse_dir)})
    try:
        files = create_models(con, lake, warehouse_dir)
        con.register("files_src", pa.table({"path": files}))
        con.execute(f"create table {FILES_TABLE} as select * from files_src")
        con.execute(f"create table {BUILD_TABLE} as select ? as fingerprint, ? as lake_commit, now() as built_at",
                    [build_fingerprint(lake), lake.commit_no])
        con.execute(f"comment on table {BUILD_TABLE} is '构建信息：本文件依据的湖提交与检查集 (what this file was built from)'")
        con.execute(f"comment on table {FILES_TABLE} is '视图读取的湖文件 (the lake files the views read)'")
    finally:
        con.close()
    faults.point("build")
    tmp.replace(final)
    return final


def built_from(warehouse_dir: Path) -> str | None:
    """The fingerprint the warehouse file was built from; None when it is missing or unreadable."""
    db = warehouse_dir / DB_NAME
    if not db.exists():
        return None
    try:
        con = duckdb.connect(str(db), read_only=True, config=DUCKDB_CONFIG)
        try:
            return con.execute(f"select fingerprint from {BUILD_TABLE}").fetchone()[0]
        finally:
            con.close()
    except Exception:  # noqa: BLE001 - a damaged file of views is simply rebuilt
        return None


def remove_leftovers(warehouse_dir: Path) -> None:
    """Temporary database files of an interrupted build (call while holding the warehouse lock)."""
    for p in warehouse_dir.glob(f".{DB_NAME}.*.tmp*"):
        p.unlink(missing_ok=True)

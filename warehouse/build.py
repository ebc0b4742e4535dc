"""Building the DuckDB warehouse: one model per SQL file, each built after the models it reads.

The order comes from the models' references (DuckDB's parser names the tables each reads); the
layers are folders, and a model reads only its own layer or the ones before: staging → core → marts.
Staging and core models are views over the lake's Parquet parts as of its last commit (paths
relative to the warehouse folder, so a copied warehouse reads its own lake; s3:// URIs for a lake
on object storage, read through the filesystem `gkqc.storage.attach` gives DuckDB); marts (the
scorecards) are materialised as tables, computed once per run rather than at every query. The
database file is rebuilt whole into a temporary file and moved into place: readers keep working on
the previous file while a run writes. It records what it was built from (`build_fingerprint`).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path

import duckdb
import pyarrow as pa

from checks.blanks import BLANK_NOTE
from checks.suite import load_settings, load_suite, scoring, suite_fingerprint
from gkqc import faults, yamlfile
from gkqc.lake import SCHEMAS, Lake, sql_list
from gkqc.settings import BUILD_MEMORY, DUCKDB_CONFIG, decisions_digest, decisions_path
from gkqc.storage import attach, is_remote
from gkqc.templates import registry
from gkqc.versions import IS_CORRECTION, NEWEST_FIRST
from schemas.lake import descriptions
from warehouse.access import BUILD_TABLE, DB_NAME, FILES_TABLE, models_digest
from warehouse.access import MODELS_DIR as MODELS

LAYERS = ("staging", "core", "marts")
BUILT_IN = ("template_labels", "templates", "check_catalog", "message_notes", "scoring",  # tables the build writes before any model
            "decision_lines")
_PARTS = re.compile(r"\{parts:(\w+)\}")
RULES = {"{newest_first}": NEWEST_FIRST, "{is_correction}": IS_CORRECTION}  # rules the models share with the checks, written once (gkqc.versions)


def _with_rules(sql: str) -> str:
    for name, text in RULES.items():
        sql = sql.replace(name, text)
    return sql


class ModelError(ValueError):
    """A model that cannot be built: unparsable, reading an unknown or later-layer table, or in a cycle."""


def _name(path: Path) -> str:
    return str(path.relative_to(MODELS.parent))


def _tables(node: object, found: set[str], ctes: set[str]) -> None:
    """Collect the base tables and CTE names of a serialised DuckDB parse tree."""
    if isinstance(node, dict):
        if node.get("type") == "BASE_TABLE":
            found.add(node["table_name"].lower())
        ctes.update(c["key"].lower() for c in (node.get("cte_map") or {}).get("map", []))
        node = list(node.values())
    if isinstance(node, list):
        for child in node:
            _tables(child, found, ctes)


def references(path: Path, con: duckdb.DuckDBPyConnection | None = None) -> set[str]:
    """The tables and views the model in `path` reads (its own CTEs excluded)."""
    sql = _with_rules(_PARTS.sub("[]", path.read_text(encoding="utf-8")))
    if con is None:
        with duckdb.connect() as own:
            return references(path, own)
    tree = json.loads(con.execute("select json_serialize_sql(?)", [sql]).fetchone()[0])
    if tree["error"]:
        raise ModelError(f"{_name(path)}: 无法解析 (cannot parse): {tree['error_message']}")
    found: set[str] = set()
    ctes: set[str] = set()
    _tables(tree["statements"], found, ctes)
    return found - ctes


def model_files() -> list[Path]:
    """Every model, each after the models it reads; ties by layer, then name."""
    files = [p for layer in LAYERS for p in sorted((MODELS / layer).glob("*.sql"))]
    stamp = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    if stamp not in _ORDERED:  # parsing every model takes a while: once per process and set of files
        _ORDERED.clear()
        _ORDERED[stamp] = _ordered(files)
    return list(_ORDERED[stamp])


_ORDERED: dict[tuple, list[Path]] = {}


def _ordered(files: list[Path]) -> list[Path]:
    by_stem = {p.stem: p for p in files}
    reads: dict[str, set[str]] = {}
    with duckdb.connect() as con:
        for p in files:
            reads[p.stem] = references(p, con) - set(BUILT_IN)
    for p in files:
        if by_stem[p.stem] != p:
            raise ModelError(f"{_name(p)}: 与 {_name(by_stem[p.stem])} 重名 (two models share a name)")
        if unknown := sorted(reads[p.stem] - by_stem.keys()):
            raise ModelError(f"{_name(p)}: 引用了未知的表或视图 (reads unknown tables) {', '.join(unknown)}")
        for ref in sorted(reads[p.stem]):
            if LAYERS.index(by_stem[ref].parent.name) > LAYERS.index(p.parent.name):
                raise ModelError(f"{_name(p)}: {p.parent.name} 层的模型不能引用后面一层的 {_name(by_stem[ref])} "
                                 f"(a {p.parent.name} model must not read a {by_stem[ref].parent.name} model)")
    order: list[Path] = []
    done: set[str] = set()
    while len(order) < len(files):
        ready = [p for p in files if p.stem not in done and reads[p.stem] <= done]
        if not ready:  # every model left reads another one left: follow those reads round a cycle
            path = [next(p.stem for p in files if p.stem not in done)]
            while path[-1] not in path[:-1]:
                path.append(min(reads[path[-1]] - done))
            cycle = path[path.index(path[-1]):]
            raise ModelError(f"{_name(by_stem[cycle[0]])}: 模型循环引用 (models read each other in a cycle): "
                             + " → ".join(_name(by_stem[s]) for s in cycle))
        order.append(ready[0])
        done.add(ready[0].stem)
    return order


def _q(text: str) -> str:
    return text.replace("'", "''")


def build_fingerprint(lake: Lake, local: Path | None = None) -> str:
    """What the derived outputs depend on: the lake's last commit, the suite (the template registry
    with it), the SQL models and their builder, and (`local`: the warehouse's local folder) the
    reviewers' decisions."""
    decisions = decisions_digest(local) if local is not None else "none"
    return f"{lake.fingerprint()}-{suite_fingerprint()}-{models_digest()}-{decisions}"


def decision_lines(warehouse_dir: Path) -> pa.Table:
    """The lines of the reviewers' decisions file, numbered from 1 (the order they were written in).
    A line that is not UTF-8 (a hand edit in another encoding) is left out, as the mart leaves out a
    line that is not JSON; a byte-order mark is not part of a line."""
    path = decisions_path(warehouse_dir)
    numbered: list[tuple[int, str]] = []
    if path.is_file():
        for no, raw in enumerate(path.read_bytes().split(b"\n"), 1):
            try:
                numbered.append((no, raw.decode("utf-8").lstrip("\ufeff")))
            except UnicodeDecodeError:
                continue
    return pa.table({"line_no": [n for n, _ in numbered], "line": [t for _, t in numbered]},
                    schema=pa.schema([("line_no", pa.int64()), ("line", pa.string())]))


def _built_in(con: duckdb.DuckDBPyConnection, warehouse_dir: Path) -> None:
    """The registry's templates and labels, the suite's catalogue, the notes messages begin with,
    the scoring rule and the decisions file's lines, as tables for joins."""
    reg = registry()
    rows = {
        "template_labels": reg.labels(),
        "templates": [dict(template=t.id, title=t.title, first_year=t.years[0], last_year=t.years[1],
                           has_tables=t.tables, is_default=t.id == reg.default_template) for t in reg.template_defs],
        "check_catalog": [dict(id=s.id, title=s.title, severity=s.severity, templates=",".join(s.templates),
                               kind=s.kind, rule=s.rule or s.function, source=f"{Path(s.source).name}:{s.line}")
                          for s in load_suite()],
        "message_notes": [dict(note="on_blanks", prefix=BLANK_NOTE)],
        "scoring": [scoring(load_settings())],
    }
    tables = {name: pa.Table.from_pylist(r) for name, r in rows.items()} | {"decision_lines": decision_lines(warehouse_dir)}
    for name in BUILT_IN:
        con.register("src", tables[name])
        con.execute(f"create or replace table {name} as select * from src")
        con.unregister("src")


INTERNAL_COMMENTS = {  # the build's own two tables (kept out of schema.yml: no model makes them)
    BUILD_TABLE: "构建信息：本文件依据的湖提交与检查集 / What this file was built from",
    f"{BUILD_TABLE}.fingerprint": "湖、检查集与设置的指纹，相同则无需重建 / Fingerprint of lake, suite and settings",
    f"{BUILD_TABLE}.lake_commit": "所依据的湖提交编号 / The lake commit built from",
    f"{BUILD_TABLE}.built_at": "构建时间 / When it was built",
    f"{BUILD_TABLE}.models": "SQL 模型的摘要 / Digest of the SQL models",
    f"{BUILD_TABLE}.decisions": "审核决定文件的摘要 / Digest of the review decisions",
    FILES_TABLE: "视图读取的湖文件 / The lake files the views read",
    f"{FILES_TABLE}.path": "湖文件路径（相对于数据仓库文件夹，或对象存储地址） / Lake file path, relative to the warehouse folder or an object URL",
}


def _comment(con: duckdb.DuckDBPyConnection, tables: set[str]) -> None:
    """COMMENTs on every model: `models/schema.yml` says what a view is and what its own columns
    are; a column that comes from a lake table is described by that table's model (schemas/), and
    those of a model with `_columns_as: <model>` as that model's are."""
    notes = yamlfile.load((MODELS / "schema.yml").read_text(encoding="utf-8"))
    lake_cols = descriptions()
    for name, cols in con.execute("select table_name, list(column_name) from duckdb_columns() "
                                  "where database_name = current_database() group by all").fetchall():
        kind = "table" if name in tables else "view"
        mine = notes.get(name, {})
        like = mine.get("_columns_as", name)  # a model whose columns are another's, described there
        lake = lake_cols.get(like.removeprefix("stg_"), {})
        if "_" in mine:
            con.execute(f"comment on {kind} {name} is '{_q(mine['_'])}'")
        for col in cols:
            text = mine.get(col) or notes.get(like, {}).get(col) or lake.get(col)
            if text:
                con.execute(f'comment on column {name}."{col}" is \'{_q(text)}\'')


def create_models(con: duckdb.DuckDBPyConnection, lake: Lake, base: Path) -> list[str]:
    """Create every model over the lake's committed parts (paths relative to `base`); return those paths."""
    _built_in(con, base)
    parts = {t: lake.paths(t) for t in SCHEMAS}
    attach(con, [p for ps in parts.values() for p in ps])  # objects: read through pyarrow's S3 client
    # local files by paths relative to the warehouse folder (a copied warehouse reads its own lake)
    parts = {t: [p if is_remote(p) else os.path.relpath(p, base) for p in ps] for t, ps in parts.items()}
    tables = set(BUILT_IN)
    for path in model_files():
        sql = _with_rules(_PARTS.sub(lambda m: sql_list(parts[m.group(1)]), path.read_text(encoding="utf-8")))
        kind = "table" if path.parent.name == "marts" else "view"
        con.execute(f"create or replace {kind} {path.stem} as {sql}")
        if kind == "table":
            tables.add(path.stem)
    _comment(con, tables)
    return [p for ps in parts.values() for p in ps]


def build(warehouse_dir: Path, lake: Lake, upload: Callable[[Path], None] | None = None) -> Path:
    """(Re)build ``warehouse_dir/gkqc.duckdb`` atomically from the lake's last commit; return its path.
    `upload` (an object-storage warehouse's) gets the finished file before it replaces the local one:
    stopped before or during it, the local file still says the old build, and the next run builds
    and uploads again."""
    warehouse_dir.mkdir(parents=True, exist_ok=True)
    final = warehouse_dir / DB_NAME
    tmp = warehouse_dir / f".{DB_NAME}.{os.getpid()}.tmp"
    tmp.unlink(missing_ok=True)
    con = duckdb.connect(str(tmp), config={**DUCKDB_CONFIG, "memory_limit": BUILD_MEMORY,
                                           "file_search_path": str(warehouse_dir)})
    try:
        con.execute("begin")  # one transaction: a thousand column comments commit once, not one by one
        faults.point_in_query(con, "build-query")
        files = create_models(con, lake, warehouse_dir)
        con.register("files_src", pa.table({"path": files}))
        con.execute(f"create table {FILES_TABLE} as select * from files_src")
        con.execute(f"create table {BUILD_TABLE} as select ? as fingerprint, ? as lake_commit, now() as built_at, "
                    "? as models, ? as decisions", [build_fingerprint(lake, warehouse_dir), lake.commit_no, models_digest(),
                                                    decisions_digest(warehouse_dir)])
        for name, text in INTERNAL_COMMENTS.items():
            con.execute(f"comment on {'column' if '.' in name else 'table'} {name} is '{_q(text)}'")
        con.execute("commit")
        con.execute("checkpoint")  # the log written into the file here, where a full disk raises (close() would not)
    except BaseException:
        con.close()
        _remove_build(tmp)
        raise
    con.close()
    if _wal(tmp).exists():  # (the checkpoint on closing failed: the file alone holds nothing)
        _remove_build(tmp)
        raise OSError(f"数据仓库未能写完（磁盘空间不足或文件大小受限？），上次的数据仓库保持不变：{final} "
                      "(the warehouse could not be written in full; the previous one is kept)")
    faults.point("build")
    if upload is not None:
        upload(tmp)
    tmp.replace(final)
    _wal(final).unlink(missing_ok=True)  # (another session's log of the file replaced: replayed on the new one, it fails)
    return final


def _wal(db: Path) -> Path:
    return db.with_name(db.name + ".wal")


def _remove_build(tmp: Path) -> None:
    """A build that failed: its files, which may fill a disk already full."""
    tmp.unlink(missing_ok=True)
    _wal(tmp).unlink(missing_ok=True)


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

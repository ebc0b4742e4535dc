"""Reading the warehouse: a read-only connection that can touch no file but the lake's own.

DuckDB's sandbox does the work: external access off, only the lake files the views read allowed,
the configuration locked. On top, only queries are accepted (no COPY, EXPORT, ATTACH, SET …).
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import duckdb

from gkqc import runlock
from gkqc.lake import sql_list
from gkqc.settings import DUCKDB_CONFIG, decisions_digest
from gkqc.storage import attach, is_remote
from gkqc.versions import NEWEST_FIRST

DB_NAME = "gkqc.duckdb"
FILES_TABLE = "_gkqc_lake_files"  # the lake files its views read (the only files `gkqc sql` may read)
BUILD_TABLE = "_gkqc_build"  # one row: what this file was built from
SCRATCH_DIR = ".site-cells"  # in the warehouse folder: the site's copies of the lake's cells, readable too
MODELS_DIR = Path(__file__).with_name("models")

QUERY_TYPES = {duckdb.StatementType.SELECT, duckdb.StatementType.EXPLAIN, duckdb.StatementType.PRAGMA}


class WarehouseError(RuntimeError):
    """The warehouse cannot be read (one line, naming the path)."""


class StaleDecisions(WarehouseError):
    """The warehouse was built before the reviewers' latest decisions (a review stopped while it rebuilt, or
    one rebuilding now)."""


class NotAQuery(ValueError):
    """A statement that is not a query, refused by `gkqc sql`."""


def models_digest() -> str:
    """Of what gives the warehouse file its views, tables and columns: the SQL models, their comments,
    the builder and the rules the models share with the checks. A file built under another digest may lack what this code reads."""
    h = hashlib.sha256()
    for f in [*sorted(MODELS_DIR.rglob("*.sql")), MODELS_DIR / "schema.yml", Path(__file__).with_name("build.py")]:
        h.update(f.relative_to(MODELS_DIR.parent).as_posix().encode() + b"\0" + f.read_bytes())
    h.update(NEWEST_FIRST.encode())  # the rule reports.sql ranks versions by (gkqc.versions)
    return h.hexdigest()[:12]


def _built_by_these_models(con: duckdb.DuckDBPyConnection) -> bool:
    try:
        return con.execute(f"select models from {BUILD_TABLE}").fetchall()[0][0] == models_digest()
    except duckdb.Error:  # built before the file said so
        return False


def _built_with_these_decisions(con: duckdb.DuckDBPyConnection, warehouse_dir: Path) -> bool:
    return con.execute(f"select decisions from {BUILD_TABLE}").fetchall()[0][0] == decisions_digest(warehouse_dir)


def connect_readonly(warehouse_dir: Path) -> duckdb.DuckDBPyConnection:
    db = warehouse_dir / DB_NAME
    if warehouse_dir.exists() and not warehouse_dir.is_dir():
        raise WarehouseError(f"数据仓库路径不是目录：{warehouse_dir} (warehouse is not a folder)")
    if not db.exists():
        raise WarehouseError(f"未找到数据仓库 {db}：请先运行 gkqc run (no warehouse yet: run `gkqc run` first)")
    con = None
    try:
        con = duckdb.connect(str(db), read_only=True, config={**DUCKDB_CONFIG, "file_search_path": str(warehouse_dir)})
        if con.execute("select current_setting('lock_configuration')").fetchall()[0][0]:
            return con  # this process has the warehouse open already: DuckDB shares that sandboxed instance
        files = [r[0] for r in con.execute(f"select path from {FILES_TABLE}").fetchall()]
        attach(con, files)  # a lake on object storage is read through pyarrow's S3 client
        allowed = [*files, *(str(warehouse_dir / f) for f in files if not is_remote(f))]
        con.execute(f"set allowed_paths = {sql_list(allowed)}")
        con.execute(f"set allowed_directories = {sql_list([f'{warehouse_dir / SCRATCH_DIR}/'])}")
        con.execute("set enable_progress_bar = false")  # a long query printed DuckDB's own over the run's
        con.execute("set enable_external_access = false")
        con.execute("set lock_configuration = true")
        if not _built_by_these_models(con):
            con.close()
            raise WarehouseError(f"数据仓库 {db} 由另一版本的 gkqc 构建，视图与本版本不符：请运行 gkqc run 重建 "
                                 f"(warehouse built by another version of its models; `gkqc run` rebuilds it)")
        if not _built_with_these_decisions(con, warehouse_dir):
            con.close()
            who = runlock.holder(warehouse_dir)
            raise StaleDecisions(
                f"数据仓库 {db} 正由 {who} 按新的审核决定更新，请稍候再试 (a review is updating the warehouse: wait)" if who else
                f"数据仓库 {db} 构建之后审核决定有改动（如 gkqc review 中途停止），其中的评分与问题清单未含这些决定："
                f"下一次 gkqc review，或给出收件箱的 gkqc run，会更新它 (the decisions changed since the warehouse was built; "
                f"the next review, or `gkqc run INBOX`, brings it up to date)")
    except duckdb.Error as e:
        if con is not None:
            con.close()
        if "lock" in str(e).lower():  # (DuckDB: "Could not set lock on file … Conflicting lock is held in … (PID …)")
            raise WarehouseError(f"数据仓库文件 {db} 正被另一个程序以读写方式打开（如 DuckDB 命令行）：请关闭它，或以只读方式"
                                 f"打开（duckdb -readonly）；{str(e).splitlines()[0]} (another program holds the warehouse "
                                 f"file open for writing)") from e
        raise WarehouseError(f"数据仓库文件无法读取 {db}：{str(e).splitlines()[0]}；运行 gkqc run 可重建 "
                             f"(warehouse file unreadable; `gkqc run` rebuilds it)") from e
    return con


_FIRST_WORD = re.compile(r"\s*([A-Za-z]{1,20})\b")
_LEADING = re.compile(r"(?:\s+|--[^\n]*|/\*.*?\*/)*", re.S)  # blanks and comments before a statement's first word
_PIVOT = re.compile(r"\bpivot\b", re.I)
_EXPLAIN = re.compile(r"explain(?:\s+analy[sz]e)?\s*(?:\([^()]*\))?", re.I)  # EXPLAIN [ANALYZE] [(options)]


def only_queries(sql: str) -> None:
    """Raise NotAQuery unless `sql` is one query. What an EXPLAIN explains must be a query too:
    EXPLAIN ANALYZE runs it (`explain analyze copy … to …` wrote into the lake)."""
    try:
        statements = duckdb.extract_statements(sql)
    except duckdb.Error:
        return  # a syntax error: DuckDB itself reports it when the query runs
    if len(statements) > 1:  # (the console prints one result: the others' would be lost unseen)
        raise NotAQuery(f"一次只能执行一条查询，收到 {len(statements)} 条 (one query at a time, got {len(statements)})")
    for st in statements:
        if st.type == duckdb.StatementType.MULTI and _PIVOT.search(st.query):
            raise NotAQuery("拒绝 PIVOT：未写明取值（IN …）的 PIVOT 要先建立类型，只读连接不允许；请写明取值，"
                            "如 pivot documents on format in ('pdf', 'html') using count(*) "
                            "(PIVOT without an IN list refused: name its values)")
        if st.type not in QUERY_TYPES:
            _refuse(st.query, st.type.name)
        if st.type == duckdb.StatementType.EXPLAIN:
            _only_a_query_explained(st.query)


def _only_a_query_explained(statement: str) -> None:
    start = _LEADING.match(statement).end()
    explain = _EXPLAIN.match(statement, start)
    inner = statement[explain.end():] if explain else ""
    try:
        explained = duckdb.extract_statements(inner)
    except duckdb.Error:
        explained = []
    if len(explained) != 1:  # what it explains not found: not run
        _refuse(statement, "EXPLAIN")
    only_queries(inner)


def _refuse(statement: str, kind: str) -> None:
    word = _FIRST_WORD.match(_LEADING.sub("", statement, count=1))  # as written: DuckDB types INSTALL as a LOAD
    name = word.group(1).upper() if word else kind
    raise NotAQuery(f"只读连接只允许查询语句（SELECT），拒绝 {name} (read-only: only queries are allowed, {name} refused)")

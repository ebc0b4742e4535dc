"""The Parquet lake: explicit Arrow schemas, one folder per table, one file per batch, and
one manifest that says which files are the lake.

Layout: ``<warehouse>/lake/<table>/part-<run>-<batch>.parquet`` and ``<warehouse>/lake/_manifest.json``,
in a local folder or under an S3 prefix (`gkqc.storage`: the same code, another filesystem).
A run writes its parts under new names, invisible to readers, and publishes them all at once by
replacing the manifest (locally: written to a temporary file, flushed, renamed over the old one; on
object storage: one PUT, which is atomic). A file the manifest does not name is a leftover of an
interrupted run and is removed by a later run; a file a commit drops stays one more commit, so a
reader of the previous snapshot keeps working.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from gkqc import faults
from gkqc.stamps import TABLE as STAMPS  # the inbox files' stamps when last hashed
from gkqc.storage import Entry, Store, place, resolve
from schemas.lake import CELL_TABLES, MODELS, arrow_schema, validate_tables

SCHEMAS: dict[str, pa.Schema] = {t: arrow_schema(m) for t, m in MODELS.items()}  # declared in schemas/lake.py
DERIVED = {"check_results", "offices", "report_offices"}  # tables not filled from parsed files


def frame_of(table: str, df: pl.DataFrame) -> pl.DataFrame:
    """`df` with exactly the table's columns, in order and of its types. Columns are taken as
    they are (a frame concatenated from pieces stays in pieces: no copy before writing)."""
    schema, have = pl.from_arrow(SCHEMAS[table].empty_table()).schema, df.schema
    return pl.DataFrame([df[c] if have[c] == t else df[c].cast(t) for c, t in schema.items()])


def sql_list(paths: list[str]) -> str:
    """Paths as a DuckDB list literal: ['a', 'b']."""
    return "[" + ", ".join("'" + p.replace("'", "''") + "'" for p in paths) + "]"


def rewritten_name(part: str, run_id: str, why: str) -> str:
    """The name (for `Lake.write`) of part `part` written again by run `run_id` with some rows left
    out (`why`: again, kept): it keeps the batch's name, so that a repair still takes the batch out whole
    (`batch_of`), and a copies part stays one (`DUPS`)."""
    base = part.removeprefix("part-").removesuffix(".parquet")
    dups = base.endswith("-dups")
    base = base.removesuffix("-dups").split(REWRITTEN, 1)[0]
    return f"{base}{REWRITTEN}{why}-{run_id}" + ("-dups" if dups else "")


def batch_of(part: str) -> str:
    """The part name a part was first written under, by its batch (part-r1-00000.parquet for
    part-r1-00000~again-r2.parquet): the parts of one batch in every table share it."""
    base, mark, rest = part.partition(REWRITTEN)
    return f"{base}{'-dups' if rest.endswith(DUPS) else ''}.parquet" if mark else part


def doc_id_of(data: bytes) -> str:
    """Content hash of a collected file: identical files share it."""
    return hashlib.sha256(data).hexdigest()[:32]


MANIFEST = "_manifest.json"
COMMITS = "_commits"  # the last few commit records, newest last: what `repair` falls back on
KEEP_COMMITS = 5
SCHEMA_FILE = "_schema.parquet"  # an empty file with the table's columns, so a table of no parts still reads
OLD_EMPTY = "part-empty.parquet"  # the schema file of lakes written before manifests existed
DUPS = "-dups.parquet"  # the documents part of a run's re-collected copies (gkqc.ingest)
REWRITTEN = "~"  # in a part's name: the batch before it was written again by a later run (`rewritten_name`)
REPORT_TABLES = ("sections", *CELL_TABLES.values())  # a report's rows beside its row in `reports`
INGEST_TABLES = ("documents", "reports", *REPORT_TABLES)  # what reading a file writes
CARRY = "check_carry"  # per check batch: the cells cross-year checks read (columns vary with the suite)
TABLES = (*SCHEMAS, CARRY, STAMPS)
# on object storage an object no commit names is removed only once this old: younger ones may be the
# unpublished parts of a run on another machine (a local folder has one writer, under its lock)
LEFTOVER_AGE = timedelta(hours=6)


def _check_shape(manifest: dict, parts: dict[str, dict]) -> None:
    """Raise ValueError unless a manifest read has the shape `Lake.commit` writes (a hand edit or a
    foreign writer would otherwise fail deep inside a run, and inside repair)."""
    if type(manifest.get("commit")) is not int or manifest["commit"] < 0:
        raise ValueError(f"commit 应为非负整数，实为 {manifest.get('commit')!r}")
    for table, entries in parts.items():
        for name, e in entries.items():
            if not (isinstance(e, dict) and type(e.get("bytes")) is int and type(e.get("rows")) is int):
                raise ValueError(f"{table}/{name} 的记录应含整数 bytes 与 rows，实为 {e!r}")
    if not isinstance(manifest.get("retired", []), list) or not isinstance(manifest.get("state", {}), dict):
        raise ValueError("retired 应为列表，state 应为对象")


class LakeDamaged(RuntimeError):
    """The lake does not match its manifest (a part missing or truncated, the manifest unreadable)."""


class LakeConflict(RuntimeError):
    """Another run committed to the lake after this run read it: this run's commit is refused."""


class Lake:
    """A lake (a local folder or an S3 prefix, through its `Store`) and the snapshot a run sees: the
    last commit plus what this run wrote and dropped.

    Readers ask for `files(table)` (local paths or s3:// URIs); writers `write` parts, `drop` parts and
    change `state`; nothing is visible to other processes until `commit`."""

    def __init__(self, root: Path | str | Store):
        self.store = root if isinstance(root, Store) else place(root)
        self._committed: dict | None = None
        self._parts: dict[str, dict[str, dict]] = {}  # table -> part name -> {"rows", "bytes"}
        self.state: dict = {}  # check state, office registry digest: committed with the parts
        self.schema_problems: list[dict[str, str]] = []  # what the tables' models refused of the parts written

    # ------------------------------------------------------------------ reading the snapshot
    @property
    def root(self) -> str:
        """The lake's location: a local path or an s3:// URL."""
        return self.store.url

    def file(self, table: str, name: str) -> str:
        """A file of a table, as readers open it (local path or s3:// URI)."""
        return self.store.uri(table, name)

    def init(self, adopt: bool = False) -> None:
        """Create the folders and schema files; read the manifest. A lake without a manifest that was
        written before manifests existed (it has `part-empty.parquet` schema files), or that `adopt`
        says to take as it is (repair, when no commit record is readable), has its readable ingested
        parts adopted as a commit."""
        st = self.store
        old_layout = not st.exists(MANIFEST) and (adopt or st.exists(f"documents/{OLD_EMPTY}"))
        for table in TABLES:
            st.makedirs(table)
            if table in SCHEMAS and not st.exists(f"{table}/{SCHEMA_FILE}"):
                empty = SCHEMAS[table].empty_table()
                st.write_with(f"{table}/{SCHEMA_FILE}", lambda target, t=empty: pq.write_table(t, target))
        if self._committed is None:
            self._load(old_layout)

    def _load(self, old_layout: bool = False) -> None:
        try:
            text = self.store.read_bytes(MANIFEST)
        except FileNotFoundError:
            text = None
        if text is not None:
            try:
                manifest = json.loads(text.decode("utf-8"))
                parts = {t: dict(manifest["tables"].get(t, {})) for t in TABLES}
                _check_shape(manifest, parts)
            except (ValueError, KeyError, AttributeError, TypeError) as e:
                raise LakeDamaged(f"湖清单无法读取 {self.store.uri(MANIFEST)}（{e}）：请运行 gkqc repair "
                                  f"(lake manifest unreadable)") from e
        else:
            # a lake's first commit writes a manifest of commit 0 before its record: records without a
            # manifest are a lost manifest, not a new lake (its parts would be cleaned away as leftovers)
            if not old_layout and any(self._records()):
                raise LakeDamaged(f"湖清单缺失 {self.store.uri(MANIFEST)}，而湖中已有提交记录：请运行 gkqc repair "
                                  f"(lake manifest missing beside commit records; run `gkqc repair`)")
            manifest = {"commit": 0, "tables": {}, "retired": [], "state": {}}
            parts = {t: {} for t in TABLES}
            if old_layout:
                parts.update(self._adoptable())
        self._committed = manifest
        self._parts = parts
        self.state = json.loads(json.dumps(manifest.get("state", {})))
        if old_layout:
            self.commit("adopted")

    def _adoptable(self) -> dict[str, dict[str, dict]]:
        """The readable parts of the ingest tables and the office registry, as manifest entries. An
        ingest batch is adopted whole or not at all: with one part unreadable, its documents would
        say its files were read while its reports are gone, so the batch is left out (its files are
        then read again), and so are the rows of re-collected copies, which point at any batch."""
        out: dict[str, dict[str, dict]] = {}
        unreadable: set[str] = set()  # part names of batches with an unreadable part
        for table in (*INGEST_TABLES, "offices"):
            found = {}
            for name, entry in sorted(self.store.list(table).items()):
                if not (name.startswith("part-") and name.endswith(".parquet")) or name == OLD_EMPTY:
                    continue
                try:
                    fs, path = resolve(self.file(table, name))
                    found[name] = {"rows": pq.ParquetFile(path, filesystem=fs).metadata.num_rows, "bytes": entry.size}
                except Exception:  # noqa: BLE001 - an unreadable part is left out, its files re-read
                    if table in INGEST_TABLES:
                        unreadable.add(name)
            out[table] = found
        if unreadable:
            for table in INGEST_TABLES:
                out[table] = {n: e for n, e in out[table].items() if n not in unreadable and not n.endswith(DUPS)}
        return out

    def files(self, table: str) -> list[str]:
        """The table's parts in this snapshot, in name order (may be empty)."""
        return [self.store.uri(table, n) for n in sorted(self._parts[table])]

    def paths(self, table: str) -> list[str]:
        """The table's parts, or its schema file when it has none (for readers that need a file)."""
        return self.files(table) or [self.store.uri(table, SCHEMA_FILE)]

    def part_names(self, table: str) -> list[str]:
        return sorted(self._parts[table])

    def rows(self, table: str, name: str) -> int:
        return self._parts[table][name]["rows"]

    @property
    def commit_no(self) -> int:
        return (self._committed or {}).get("commit", 0)

    def fingerprint(self) -> str:
        """Identifies the committed snapshot: what derived outputs were built from."""
        c = self._committed or {}
        return hashlib.sha256(json.dumps([c.get("tables"), c.get("state")], sort_keys=True).encode()).hexdigest()[:24]

    # ------------------------------------------------------------------ writing
    def _target(self, table: str, name: str) -> str:
        """A new part's file name: never one in this snapshot, nor one of the last commit (dropped or
        not): a run killed before its commit must leave every committed file as it was."""
        part = f"part-{name}.parquet"
        if part in self._parts[table] or part in (self._committed or {}).get("tables", {}).get(table, {}):
            raise ValueError(f"lake part written twice: {table}/{part}")
        return part

    def _put(self, table: str, name: str, rows: int, writer) -> str:
        """Write one part under its new name (whole or not at all) and add it to this snapshot."""
        part = self._target(table, name)
        size = self.store.write_with(f"{table}/{part}", writer)
        self._parts[table][part] = {"rows": rows, "bytes": size}
        return self.store.uri(table, part)

    def write(self, table: str, data: pa.Table, name: str) -> str | None:
        """Write an Arrow table as a new part; its path or URI (None when it has no rows). Validated
        first against the table's model: what it refuses is kept (a bug of ours, never the report's)
        and listed in `schema_problems`."""
        if data.num_rows == 0:
            return None
        self._validate(table, data)
        return self._put(table, name, data.num_rows, lambda target: pq.write_table(data, target, compression="lz4"))

    def write_frame(self, table: str, data: pl.DataFrame, name: str) -> str | None:
        """Write a polars frame already in the table's columns and types (see `frame_of`), validated as `write`'s."""
        if data.height == 0:
            return None
        self._validate(table, data)
        return self._put(table, name, data.height, lambda target: data.write_parquet(target, compression="lz4"))

    def _validate(self, table: str, data: pa.Table | pl.DataFrame) -> None:
        if table in MODELS:  # (the check stage's carried state is no lake table of the warehouse)
            self.schema_problems += validate_tables({table: data})

    def drop(self, table: str, names: Iterable[str]) -> None:
        """Leave parts out of this snapshot (their files go after the next commit but one)."""
        for n in list(names):
            self._parts[table].pop(n, None)

    def replace(self, table: str, parts: Iterable[pa.Table], name: str) -> None:
        """Replace a derived table (the office registry) with new parts."""
        self.drop(table, self.part_names(table))
        for k, t in enumerate(parts):
            self.write(table, t, f"{name}-{k:05d}")

    @property
    def changed(self) -> bool:
        c = self._committed or {}
        return (any(self._parts[t] != c.get("tables", {}).get(t, {}) for t in TABLES)
                or self.state != c.get("state", {}))

    def _check_head(self) -> None:
        """Refuse to publish over a commit this run did not start from (compare-and-swap on the
        commit number; on object storage the guard against a second machine)."""
        try:
            head = json.loads(self.store.read_bytes(MANIFEST).decode("utf-8")).get("commit", 0)
        except (OSError, ValueError, AttributeError):
            return  # none yet, or unreadable: nothing newer to lose
        if head != self.commit_no:
            raise LakeConflict(f"数据湖 {self.root} 在本次运行期间已由另一运行提交（提交 {head}，本次基于 {self.commit_no}），"
                               f"本次未提交，请重新运行 (another run committed meanwhile; nothing of this run was committed)")

    def commit(self, run_id: str) -> bool:
        """Publish this snapshot as the lake (one atomic rename, or one PUT); False when nothing changed."""
        if not self.changed:
            return False
        self._check_head()
        old = self._committed or {}
        live = {f"{t}/{n}" for t in TABLES for n in self._parts[t]}
        was = {f"{t}/{n}" for t, ps in old.get("tables", {}).items() for n in ps}
        manifest = {"commit": old.get("commit", 0) + 1, "run_id": run_id,
                    "committed_at": datetime.now().isoformat(timespec="seconds"),
                    "tables": {t: self._parts[t] for t in TABLES}, "retired": sorted(was - live),
                    "state": self.state}
        text = json.dumps(manifest, ensure_ascii=False, sort_keys=True).encode("utf-8")
        st = self.store
        st.makedirs(COMMITS)
        if not old.get("commit") and not st.exists(MANIFEST):  # (a lake's first: see `_load`)
            st.write_bytes(MANIFEST, json.dumps({"commit": 0, "tables": {}, "retired": [], "state": {}}).encode())
        for rel in (f"{COMMITS}/{manifest['commit']:08d}.json", MANIFEST):
            st.write_bytes(rel, text)
            faults.point("commit")
        st.sync()
        records = sorted(n for n in st.list(COMMITS) if n.endswith(".json"))
        for name in records[:-KEEP_COMMITS]:
            st.delete(f"{COMMITS}/{name}")
        self._committed = json.loads(text)
        for rel in set(old.get("retired", [])) - live:  # dropped two commits ago: no snapshot names them
            st.delete(rel)
        return True

    # ------------------------------------------------------------------ damage and leftovers
    def _leftovers(self) -> list[str]:
        keep = {f"{t}/{n}" for t in TABLES for n in (self._committed or {}).get("tables", {}).get(t, {})}
        keep |= set((self._committed or {}).get("retired", []))
        cutoff = datetime.now(UTC) - LEFTOVER_AGE if self.store.remote else None
        out = []
        for table in TABLES:
            for name, e in sorted(self.store.list(table).items()):
                young = cutoff is not None and e.mtime is not None and e.mtime > cutoff
                if name != SCHEMA_FILE and f"{table}/{name}" not in keep and not young:
                    out.append(f"{table}/{name}")
        return out

    def leftovers(self) -> list[str]:
        """Files in the table folders that no commit names (an interrupted run's writes)."""
        return [self.store.uri(rel) for rel in self._leftovers()]

    def _records(self) -> list[str]:
        """The names of the commit records kept (`<commit>.json`)."""
        return [n for n in self.store.list(COMMITS) if n.endswith(".json") and n.removesuffix(".json").isdigit()]

    def clean(self) -> int:
        """Remove what an interrupted run left behind (call only while holding the warehouse lock)."""
        gone = self._leftovers()
        for rel in gone:
            self.store.delete(rel)
        for folder in ("", COMMITS):
            for name in self.store.list(folder):
                stem = name.removesuffix(".json")
                # a temporary file, or the record of a commit that did not finish
                if name.endswith(".tmp") or (folder and stem.isdigit() and int(stem) > self.commit_no):
                    self.store.delete(f"{folder}/{name}" if folder else name)
        return len(gone)

    def _tail(self, table: str, name: str, e: Entry | None) -> bytes | None:
        """The last 4 bytes of a part (None when it is not there)."""
        try:
            return self.store.tail(f"{table}/{name}", e.size, 4) if e is not None and not e.is_dir else None
        except OSError:
            return None

    def _undecodable(self, table: str, name: str) -> str | None:
        """Why a part whose size and footer are right cannot be read whole (a flipped byte inside), or None."""
        try:
            fs, path = resolve(self.file(table, name))
            pq.ParquetFile(path, filesystem=fs).read()
        except Exception as e:  # noqa: BLE001 - whatever the decoder says, the part is damaged
            return f"无法解码 (cannot be decoded: {str(e).splitlines()[0] if str(e) else type(e).__name__})"
        return None

    def damaged(self, deep: bool = False) -> list[tuple[str, str, str]]:
        """(table, part, what is wrong) for each committed part that is missing, truncated or not Parquet;
        `deep` (repair): also each part that cannot be read whole, every part being read."""
        out = []
        # each object's answer waits on the network: their footers are read many at a time
        with ThreadPoolExecutor(16 if self.store.remote else 1) as pool:
            for table, parts in (self._committed or {}).get("tables", {}).items():
                found = self.store.list(table) if parts else {}
                entries = [(name, entry, found.get(name)) for name, entry in parts.items()]
                tails = pool.map(lambda x, t=table: self._tail(t, x[0], x[2]), entries)
                for (name, entry, e), tail in zip(entries, tails, strict=True):
                    if tail is None:
                        out.append((table, name, "文件缺失 (missing)"))
                    elif e.size != entry["bytes"]:
                        out.append((table, name, f"大小 {e.size} 字节，应为 {entry['bytes']} (truncated or changed)"))
                    elif tail != b"PAR1":
                        out.append((table, name, "不是完整的 Parquet 文件 (no Parquet footer)"))
                    elif deep and (why := self._undecodable(table, name)):
                        out.append((table, name, why))
        return out

    def verify(self) -> None:
        """Raise LakeDamaged naming the first damaged part and the repair command."""
        bad = self.damaged()
        if bad:
            table, name, why = bad[0]
            more = f"（另有 {len(bad) - 1} 处）" if len(bad) > 1 else ""
            raise LakeDamaged(f"湖文件损坏：{self.store.uri(table, name)}：{why}{more}；请运行 gkqc repair 修复 "
                              f"(lake part damaged; run `gkqc repair`)")

"""A batch's cell tables as grids: one row per report, one Float64 column per cell id.

Each table's ids and values are read once as Arrow with dictionary-encoded ids; ids become integer
positions through their (small) dictionaries and the values are scattered into the grid. Every
equation of the batch is then column arithmetic over reports, with no join and no group-by, and a
finding's evidence is read from the same grid; text columns (raw, reason, unit) are read back only
for the cells a message quotes. In a grid a cell is null where the report does not have it and
NaN where it is there but has no number (blank, unreadable or missing); beside each cell's column,
a Boolean column `blank__<cell id>` is true where the cell was left blank. The blank-cell policy
(`blank_cells` in checks/settings.yaml) is applied to the grid once per batch, before any check
reads it: under `zero` a blank cell's value becomes 0 (`CellTable.count_blanks_as_zero`), under
`strict` it stays NaN; either way its `blank__` column says the value rests on a blank.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from itertools import product

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from checks.expr import PREV
from checks.spec import scoped_keys
from gkqc.cells import STATUSES
from gkqc.storage import resolve
from gkqc.templates import drawn_from_registry, registry
from schemas.lake import CELL_IDS, CELL_MODELS

# further columns procedural checks read: an amount's unit, in the tables that keep one
EXTRA = {t: ("unit",) for t, model in CELL_MODELS.items() if "unit" in model.to_schema().columns}
BLANK_CODE = STATUSES.index("blank")
BLANK = "blank__"  # prefix of the grid's blank markers


def blank_col(column: str) -> str:
    """The blank marker of a grid column: `blank__x` for `x`, `prev__blank__x` for `prev__x`
    (so that last year's markers keep the `prev__` prefix their values get)."""
    if column.startswith(PREV):
        return PREV + BLANK + column.removeprefix(PREV)
    return BLANK + column


@drawn_from_registry()
def cell_ids(table: str) -> tuple[str, ...]:
    """Every cell id any template gives the table, in template order."""
    reg = registry()
    return tuple(dict.fromkeys(".".join(k) for t in reg.templates for k in reg.cell_keys(table, t)))


def cells_of(table: str, scope: str, block: str | None, template: str, term: str, subject: str) -> list[str]:
    """The grid columns one term of a rule reads for one subject (`prev__` terms: last year's)."""
    prefix = PREV if term.startswith(PREV) else ""
    return [prefix + c for c in _term_cells(table, scope, block, template).get((subject, term.removeprefix(PREV)), [])]


@drawn_from_registry()
def _term_cells(table: str, scope: str, block: str | None, template: str) -> dict[tuple[str, str], list[str]]:
    """(subject, term) -> the cells the term reads for that subject, in a scope of a table."""
    index: dict[tuple[str, str], list[str]] = {}
    for subj, term_id, key in scoped_keys(table, scope, template, block):
        index.setdefault((subj, term_id), []).append(key)
    return index


@dataclass
class CellTable:
    """One cell table of a batch: its grid, and its cells in file order as (rid, key, value, status
    code); the text columns (raw, reason, unit) stay in the files until some cells are asked for."""

    table: str
    grid: pl.DataFrame  # report_id, rid, template, one column per cell id, then its `blank__` marker
    long: pl.DataFrame  # rid, key (position in cell_ids; null: not a template cell), value, ok, status (code)
    files: list[str]
    stored: pa.Table | None = None  # the text columns, when the cells came from memory rather than files

    def keys_where(self, dim: str, values: Iterable[str]) -> list[int]:
        """Positions in `cell_ids` of the cells whose `dim` (e.g. metric_id) is one of `values`."""
        k, wanted = CELL_IDS[self.table].index(dim), set(values)
        return [j for j, c in enumerate(cell_ids(self.table)) if c.split(".")[k] in wanted]

    def keys_of(self, cell_ids_: Iterable[str]) -> list[int]:
        """Positions in `cell_ids` of these cell ids."""
        wanted = set(cell_ids_)
        return [j for j, c in enumerate(cell_ids(self.table)) if c in wanted]

    @cached_property
    def text(self) -> pa.Table:
        """The text columns of every cell, dictionary-encoded, read from the files once (when a
        first message quotes them) and kept for the others."""
        if self.stored is not None:
            return self.stored
        text = ["raw", "reason", *EXTRA.get(self.table, ())]
        return pa.concat_tables([_with_confidence(f, read_file(f, text, text)) for f in self.files])

    def marks(self, status: str) -> pl.DataFrame:
        """One Boolean column `<status>__<cell id>` per cell that has `status` in some report of the
        batch (true in those reports), aligned with the grid; no columns when none has it. (Blank
        cells need none: the grid has a `blank__` column for every cell.)"""
        code = STATUSES.index(status)
        hit = self.long.filter((pl.col("status") == code) & pl.col("rid").is_not_null() & pl.col("key").is_not_null())
        n, ids = self.grid.height, cell_ids(self.table)
        cols = []
        for key, rids in hit.group_by("key").agg("rid").sort("key").iter_rows():
            cols.append(pl.Series(f"{status}__{ids[key]}", [False] * n).scatter(rids, True))
        return pl.DataFrame(cols, height=n) if cols else pl.DataFrame(height=n)

    def count_blanks_as_zero(self) -> None:
        """The `zero` policy: every blank cell's value becomes 0 (its `blank__` marker stays)."""
        hit = [c for c in cell_ids(self.table) if self.grid[blank_col(c)].any()]
        self.grid = self.grid.with_columns(pl.when(pl.col(blank_col(c))).then(0.0).otherwise(pl.col(c)).alias(c)
                                           for c in hit)

    def reject(self, cells: pl.DataFrame) -> None:
        """Read the cells at (rid, cell_id) as unreadable from now on: NaN in the grid, no value
        and status unreadable in `long`."""
        for cell_id, rids in cells.group_by("cell_id").agg("rid").sort("cell_id").iter_rows():
            self.grid = self.grid.with_columns(self.grid[cell_id].scatter(rids, float("nan")))
        index = {c: k for k, c in enumerate(cell_ids(self.table))}
        gone = cells.select("rid", pl.col("cell_id").replace_strict(index, return_dtype=pl.UInt32).alias("key"))
        hit = pl.struct("rid", "key").is_in(gone.select(pl.struct("rid", "key")).to_series().implode())
        self.long = self.long.with_columns(
            pl.when(hit).then(None).otherwise(pl.col("value")).alias("value"),
            pl.when(hit).then(STATUSES.index("unreadable")).otherwise(pl.col("status")).cast(pl.UInt8).alias("status"))

    def raw_of(self, pairs: pl.DataFrame) -> pl.DataFrame:
        """`pairs` (report_id, column: a cell id of this table, …) with each cell's raw text (`raw`)."""
        index = {c: k for k, c in enumerate(cell_ids(self.table))}
        want = (pairs.join(self.grid.select("report_id", pl.col("rid").cast(pl.Int64)), on="report_id", how="left",
                           maintain_order="left")
                .with_columns(pl.col("column").replace_strict(index, default=None, return_dtype=pl.Int64).alias("key")))
        at = (self.long.select(pl.col("rid").cast(pl.Int64), pl.col("key").cast(pl.Int64)).with_row_index("at")
              .join(want.select("rid", "key").unique(), on=["rid", "key"]))
        raw = self.text["raw"].take(at["at"].to_arrow())
        found = at.with_columns(pl.Series("raw", raw.combine_chunks().dictionary_decode() if raw.num_chunks else [],
                                          dtype=pl.Utf8)).drop("at")
        return want.join(found, on=["rid", "key"], how="left", maintain_order="left").drop("rid", "key")

    def rows(self, mask: pl.Series) -> pl.DataFrame:
        """The cells where `mask` holds with their report, ids, value, status and text columns,
        plus rid and template."""
        at = mask.fill_null(False).arg_true()
        cells = self.long[at]
        ids = pl.DataFrame([pl.Series(d, [c.split(".")[k] for c in cell_ids(self.table)])
                            for k, d in enumerate(CELL_IDS[self.table])])
        stored = self.text.take(at.to_arrow())
        return pl.DataFrame([
            self.grid["report_id"].gather(cells["rid"]),
            *(ids[d].gather(cells["key"]) for d in CELL_IDS[self.table]),
            cells["value"],
            *(pl.Series(n, stored[n].combine_chunks().dictionary_decode(), dtype=pl.Utf8)
              for n in stored.column_names if n != "confidence"),
            pl.Series("confidence", stored["confidence"], dtype=pl.Float64),
            pl.Series("status", STATUSES).gather(cells["status"]),
            cells["rid"], self.grid["template"].gather(cells["rid"])])


def _with_confidence(path: str, text: pa.Table) -> pa.Table:
    """The text columns of a file plus its OCR confidences (null in parts written before there was
    such a column)."""
    fs, where = resolve(path)
    if "confidence" in pq.read_schema(where, filesystem=fs).names:
        return text.append_column("confidence", read_file(path, ["confidence"], [])["confidence"])
    return text.append_column("confidence", pa.nulls(text.num_rows, pa.float64()))


def read_file(path: str, columns: list[str], dictionary: list[str]) -> pa.Table:
    """Some columns of one Parquet file (a local path or an s3:// URI), `dictionary` ones
    dictionary-encoded, on this thread (`ParquetFile.read` skips the dataset set-up of
    `pq.read_table`, which costs a process's first reads most)."""
    fs, where = resolve(path)
    return pq.ParquetFile(where, read_dictionary=dictionary, filesystem=fs).read(columns=columns, use_threads=False)


def positions(col: pa.ChunkedArray, keys: pa.Array) -> pl.Series:
    """Each value of a dictionary-encoded column as its position in `keys` (null: not there):
    one hash lookup per distinct dictionary (a file's chunks share one), then a gather per chunk."""
    parts, last, mapped = [], None, None
    for chunk in col.chunks:
        if last is None or not chunk.dictionary.equals(last):
            last = chunk.dictionary
            mapped = pl.Series(pc.index_in(last, value_set=keys)).cast(pl.UInt32)
        parts.append(mapped.gather(pl.Series(chunk.indices)))
    return pl.concat(parts, rechunk=False) if parts else pl.Series([], dtype=pl.UInt32)


def _keys(arrow: pa.Table, table: str) -> pl.Series:
    """Each cell's position in `cell_ids` (null: no template has it), from its id columns'
    dictionaries: one lookup table per dictionary combination, one gather per chunk."""
    index = {c: k for k, c in enumerate(cell_ids(table))}
    cols = [arrow[d] for d in CELL_IDS[table]]
    parts, lookups = [], {}
    for chunks in zip(*(c.chunks for c in cols), strict=True):
        dicts = tuple(tuple(ch.dictionary.to_pylist()) for ch in chunks)
        if dicts not in lookups:
            lookups[dicts] = pl.Series([index.get(".".join(map(str, combo))) for combo in product(*dicts)],
                                       dtype=pl.UInt32)
        code = pl.Series(chunks[0].indices).cast(pl.UInt32)
        for ch, d in zip(chunks[1:], dicts[1:], strict=True):
            code = code * len(d) + pl.Series(ch.indices).cast(pl.UInt32)
        parts.append(lookups[dicts].gather(code))
    return pl.concat(parts, rechunk=False) if parts else pl.Series([], dtype=pl.UInt32)


def read_cells(table: str, files: list[str], reports: pl.DataFrame) -> CellTable:
    """The cells of one table in some lake files as a grid over `reports` (report_id, rid, template;
    rid = row number). Values are scattered column-major, so each grid column is a slice."""
    columns = ["report_id", *CELL_IDS[table], "value", "status"]
    # a file at a time: Arrow's read buffers are reused rather than held together
    parts = [_long(read_file(f, columns, [c for c in columns if c != "value"]), table, reports) for f in files]
    return _grid(table, parts, reports, files)


def cells_in_memory(table: str, cells: pl.DataFrame, reports: pl.DataFrame) -> CellTable:
    """The same from cells already in memory (the lake's columns for `table`): tests and tools."""
    text = ["raw", "reason", *EXTRA.get(table, ())]
    if "confidence" not in cells.columns:
        cells = cells.with_columns(pl.lit(None, dtype=pl.Float64).alias("confidence"))
    arrow = cells.to_arrow()
    encoded = pa.table({c: arrow[c] if c in ("value", "confidence") else pc.dictionary_encode(arrow[c])
                        for c in ["report_id", *CELL_IDS[table], "value", "status", *text, "confidence"]})
    out = _grid(table, [_long(encoded, table, reports)], reports, [])
    out.stored = encoded.select([*text, "confidence"])
    return out


def _long(arrow: pa.Table, table: str, reports: pl.DataFrame) -> pl.DataFrame:
    """rid (row in reports), key (position in cell_ids), value, ok, status code of each cell."""
    status = positions(arrow["status"], pa.array(STATUSES)).cast(pl.UInt8)
    return pl.DataFrame({
        "rid": positions(arrow["report_id"], reports["report_id"].to_arrow()), "key": _keys(arrow, table),
        "value": pl.Series(arrow["value"], dtype=pl.Float64), "ok": (status == 0).fill_null(False),
        "status": status})


def _grid(table: str, parts: list[pl.DataFrame], reports: pl.DataFrame, files: list[str]) -> CellTable:
    long = pl.concat(parts, rechunk=False)
    ids = cell_ids(table)
    n = reports.height
    placed = long if long["rid"].null_count() + long["key"].null_count() == 0 else \
        long.filter(pl.col("rid").is_not_null() & pl.col("key").is_not_null())
    wide = pl.UInt32 if n * len(ids) < 2**32 else pl.Int64  # positions in the column-major grid
    flat = placed["key"].cast(wide) * n + placed["rid"].cast(wide)
    values = pl.Series("v", [None], pl.Float64).extend_constant(None, n * len(ids) - 1) if n else pl.Series([], dtype=pl.Float64)
    values = values.scatter(flat, placed["value"].fill_null(float("nan")))
    if values.len() - values.null_count() != placed.height:  # two cells of one report share an id
        twice = placed.filter(flat.is_duplicated()).head(1)
        rid, key = twice["rid"][0], twice["key"][0]
        raise ValueError(f"{table}：报告 {reports['report_id'][rid]} 的单元格 {ids[key]} 出现两次，湖中每个单元格应只有一行 "
                         f"(a cell is stored twice; the lake holds one row per cell)")
    blank = placed["status"] == BLANK_CODE
    marked = pl.zeros(n * len(ids), dtype=pl.Boolean, eager=True)
    if blank.any():
        marked = marked.scatter(flat.filter(blank), True)
    grid = pl.DataFrame([reports["report_id"], reports["rid"], reports["template"],
                         *(values.slice(j * n, n).alias(c) for j, c in enumerate(ids)),
                         *(marked.slice(j * n, n).alias(blank_col(c)) for j, c in enumerate(ids))])
    return CellTable(table, grid, long, files)

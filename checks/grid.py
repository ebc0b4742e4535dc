"""A batch's cell tables as grids: one row per report, one Float64 column per cell id.

Each table is read once as Arrow with dictionary-encoded ids; ids become integer positions through
their (small) dictionaries and the values are scattered into the grid. Every equation of the
batch is then column arithmetic over reports, with no join and no group-by, and a finding's
evidence is read from the same grid. In a grid a cell is null where the report does not have
it and NaN where it is there but blank or unreadable.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from itertools import product

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from gkqc.templates import TEMPLATES, registry

# the id columns that name a cell, in the order its cell id joins them ("row.column")
DIMS = {"applications": ("row_id", "column_id"), "reviews": ("group_id", "metric_id"),
        "active_disclosure": ("block_id", "row_id", "metric_id")}
EXTRA = {"active_disclosure": ("unit",)}  # further columns procedural checks read
AMOUNT_TABLE = "active_disclosure"


@cache
def cell_ids(table: str) -> tuple[str, ...]:
    """Every cell id either template gives the table, in template order."""
    reg = registry()
    out: dict[str, None] = {}
    for t in TEMPLATES:
        if table == "applications":
            out.update((f"{r.id}.{c.id}", None) for r in reg.app_rows_for(t) for c in reg.app_columns)
        elif table == "reviews":
            out.update((f"{g.id}.{m.id}", None) for g in reg.review_groups for m in reg.review_metrics)
        else:
            out.update((f"{b.id}.{r.id}.{m.id}", None) for b in reg.blocks_for(t) for r in b.rows for m in b.metrics)
    return tuple(out)


def cells_of(table: str, scope: str, block: str | None, template: str, term: str, subject: str) -> list[str]:
    """The grid columns one term of a rule reads for one subject (`prev__` terms: last year's)."""
    prefix = "prev__" if term.startswith("prev__") else ""
    term = term.removeprefix("prev__")
    if table == "applications":
        found = [f"{term}.{subject}" if scope == "per_column" else f"{subject}.{term}"]
    elif table == "reviews":
        found = [f"{subject}.{term}"]
    else:
        found = [f"{b.id}.{subject}.{term}" for b in registry().blocks_for(template) if block in (None, b.id)
                 and subject in {r.id for r in b.rows} and term in {m.id for m in b.metrics}]
    return [prefix + c for c in found]


@dataclass
class CellTable:
    """One cell table of a batch: its grid, and the long cells (rid, key, value, ok) in file order
    with the Arrow table they came from (for raw text, status and reasons)."""

    table: str
    grid: pl.DataFrame  # report_id, rid, template, then one column per cell id
    long: pl.DataFrame  # rid, key (position in cell_ids; null: not a template cell), value, ok
    arrow: pa.Table

    def rows(self, mask: pl.Series) -> pl.DataFrame:
        """The cells where `mask` holds, with every stored column as text/numbers, plus rid and template."""
        picked = self.arrow.filter(pa.array(mask.fill_null(False).to_arrow()))
        df = pl.from_arrow(pa.table({n: (c.cast(c.type.value_type) if pa.types.is_dictionary(c.type) else c)
                                      for n, c in zip(picked.column_names, picked.columns, strict=True)}))
        rid = self.long["rid"].filter(mask.fill_null(False))
        return df.with_columns(rid.alias("rid"), self.grid["template"].gather(rid).alias("template"))


def per_chunk(col: pa.ChunkedArray, lookup: dict, dtype: pl.DataType = pl.Int32) -> pl.Series:
    """Map a dictionary-encoded column through `lookup` by its dictionaries (a few values each);
    values it lacks become null."""
    parts, last, mapped = [], None, None
    for chunk in col.chunks:
        if last is None or not chunk.dictionary.equals(last):  # a file's chunks share one dictionary
            last = chunk.dictionary
            mapped = pl.Series([lookup.get(v) for v in last.to_pylist()], dtype=dtype)
        parts.append(mapped.gather(pl.Series(chunk.indices)))
    return pl.concat(parts, rechunk=False) if parts else pl.Series([], dtype=dtype)


def _keys(arrow: pa.Table, table: str) -> pl.Series:
    """Each cell's position in `cell_ids` (null: no template has it), from its id columns'
    dictionaries: one lookup table per dictionary combination, one gather per chunk."""
    index = {c: k for k, c in enumerate(cell_ids(table))}
    cols = [arrow[d] for d in DIMS[table]]
    parts, cache = [], {}
    for chunks in zip(*(c.chunks for c in cols), strict=True):
        dicts = [tuple(ch.dictionary.to_pylist()) for ch in chunks]
        key = tuple(dicts)
        if key not in cache:
            cache[key] = pl.Series([index.get(".".join(map(str, combo))) for combo in product(*dicts)], dtype=pl.UInt32)
        code = pl.Series(chunks[0].indices).cast(pl.UInt32)
        for ch, d in zip(chunks[1:], dicts[1:], strict=True):
            code = code * len(d) + pl.Series(ch.indices).cast(pl.UInt32)
        parts.append(cache[key].gather(code))
    return pl.concat(parts, rechunk=False) if parts else pl.Series([], dtype=pl.UInt32)


def read_cells(table: str, files: list[str], reports: pl.DataFrame) -> CellTable:
    """The cells of one table in some lake files as a grid over `reports` (report_id, rid, template;
    rid = row number). Values are scattered column-major, so each grid column is a slice."""
    columns = ["report_id", *DIMS[table], "value", "raw", "status", "reason", *EXTRA.get(table, ())]
    arrow = pq.read_table(files, columns=columns, read_dictionary=[c for c in columns if c != "value"], use_threads=False)
    long = pl.DataFrame({
        "rid": per_chunk(arrow["report_id"], dict(zip(reports["report_id"], reports["rid"], strict=True)), pl.UInt32),
        "key": _keys(arrow, table),
        "value": pl.Series(arrow["value"], dtype=pl.Float64),
        "ok": per_chunk(arrow["status"], {"ok": True}, pl.Boolean).fill_null(False)})
    ids = cell_ids(table)
    n = reports.height
    placed = long if long["rid"].null_count() + long["key"].null_count() == 0 else \
        long.filter(pl.col("rid").is_not_null() & pl.col("key").is_not_null())
    flat = placed["key"].cast(pl.Int64) * n + placed["rid"].cast(pl.Int64)
    values = pl.Series("v", [None], pl.Float64).extend_constant(None, n * len(ids) - 1) if n else pl.Series([], dtype=pl.Float64)
    values = values.scatter(flat, placed["value"].fill_null(float("nan")))
    grid = pl.DataFrame([reports["report_id"], reports["rid"], reports["template"],
                         *(values.slice(j * n, n).alias(c) for j, c in enumerate(ids))])
    return CellTable(table, grid, long, arrow)

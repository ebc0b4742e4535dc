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


@cache
def _dim_values(table: str) -> tuple[tuple[str, ...], ...]:
    parts = [c.split(".") for c in cell_ids(table)]
    return tuple(tuple(dict.fromkeys(p[d] for p in parts)) for d in range(len(DIMS[table])))


@cache
def _key_of_combination(table: str) -> pl.Series:
    """Position in `cell_ids` of every combination of dimension values (null when no template has it)."""
    index = {c: k for k, c in enumerate(cell_ids(table))}
    return pl.Series([index.get(".".join(combo)) for combo in product(*_dim_values(table))], dtype=pl.UInt32)


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
    return pl.concat(parts) if parts else pl.Series([], dtype=dtype)


def read_cells(table: str, files: list[str], reports: pl.DataFrame) -> CellTable:
    """The cells of one table in some lake files as a grid over `reports` (report_id, rid, template;
    rid = row number)."""
    dims = DIMS[table]
    columns = ["report_id", *dims, "value", "raw", "status", "reason", *EXTRA.get(table, ())]
    arrow = pq.read_table(files, columns=columns, read_dictionary=[c for c in columns if c != "value"])
    combo = pl.Series([], dtype=pl.Int32)
    for k, (d, values) in enumerate(zip(dims, _dim_values(table), strict=True)):
        code = per_chunk(arrow[d], {v: k for k, v in enumerate(values)})
        combo = code if k == 0 else combo * len(values) + code
    long = pl.DataFrame({
        "rid": per_chunk(arrow["report_id"], dict(zip(reports["report_id"], reports["rid"], strict=True)), pl.UInt32),
        "key": _key_of_combination(table).gather(combo),
        "value": pl.Series(arrow["value"], dtype=pl.Float64),
        "ok": per_chunk(arrow["status"], {"ok": True}, pl.Boolean).fill_null(False)})
    ids = cell_ids(table)
    n, k = reports.height, len(ids)
    placed = long.filter(pl.col("rid").is_not_null() & pl.col("key").is_not_null())
    flat = placed["rid"].cast(pl.Int64) * k + placed["key"].cast(pl.Int64)
    values = pl.Series("v", [None], pl.Float64).extend_constant(None, n * k - 1) if n else pl.Series("v", [], pl.Float64)
    values = values.scatter(flat, placed["value"].fill_null(float("nan")))
    grid = pl.DataFrame({"v": values.reshape((n, k))}).select(pl.col("v").arr.to_struct(list(ids))).unnest("v") \
        if n else pl.DataFrame(schema=dict.fromkeys(ids, pl.Float64))
    grid = pl.concat([reports.select("report_id", "rid", "template"), grid], how="horizontal")
    return CellTable(table, grid, long, arrow)

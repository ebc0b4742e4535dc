"""OCR values are never trusted alone: before any check reads a batch, every cell read by OCR that
takes part in an equation of the suite which then fails is rejected (read as unreadable from then
on, in every check). What remains has been proven by each equation it takes part in; findings that
still use such a value say so (see checks.linear)."""

from __future__ import annotations

import polars as pl

from checks.frames import PartData
from checks.grid import STATUSES, cell_ids
from checks.kinds import KINDS
from checks.linear import judged
from checks.spec import CheckSpec

OCR_CODE = STATUSES.index("ocr")
REJECTED = {"report_id": pl.Utf8, "rid": pl.UInt32, "table": pl.Utf8, "cell_id": pl.Utf8, "check_id": pl.Utf8}


def gate(data: PartData, specs: list[CheckSpec]) -> pl.DataFrame:
    """Reject the OCR cells of failing equations, in `data`'s grids, until no equation with an OCR
    cell fails; return the rejected cells (report_id, rid, table, cell_id, check_id)."""
    stated = [r for n, s in enumerate(specs) for r in KINDS[s.kind].report_rules(s, n)]
    out = [pl.DataFrame(schema=REJECTED)]
    for table, cells in data.grids.items():
        rules = [r for r in stated if r.spec.table == table]
        ocr = cells.long.filter(pl.col("status") == OCR_CODE).select("rid", "key")
        if not rules or ocr.height == 0:
            continue
        ids = cell_ids(table)
        plan = pl.DataFrame([(k, subject, ids.index(c)) for k, r in enumerate(rules) for subject, terms in r.plan.items()
                             for cs in terms.values() for c in cs],
                            schema={"rule": pl.UInt32, "subject": pl.Utf8, "key": pl.UInt32}, orient="row")
        rid = cells.grid.select("report_id", "rid")
        while True:
            marks = cells.marks("ocr")
            failed = judged(pl.concat([cells.grid, marks], how="horizontal"), rules).filter(
                pl.col("assessable") & pl.col("failed") & pl.col("ocr"))
            hit = (failed.join(rid, on="report_id").join(plan, on=["rule", "subject"])
                   .join(ocr, on=["rid", "key"], how="semi")
                   .with_columns(pl.col("key").replace_strict(dict(enumerate(ids)), return_dtype=pl.Utf8).alias("cell_id"),
                                 pl.col("rule").replace_strict({k: r.spec.id for k, r in enumerate(rules)},
                                                               return_dtype=pl.Utf8).alias("check_id"))
                   .unique(["rid", "cell_id"], keep="first", maintain_order=True))
            if hit.height == 0:
                break
            cells.reject(hit)
            ocr = ocr.join(hit.select("rid", "key"), on=["rid", "key"], how="anti")
            out.append(hit.select("report_id", "rid", pl.lit(table).alias("table"), "cell_id", "check_id"))
    return pl.concat(out)

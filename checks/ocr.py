"""OCR values are never trusted alone: before any check reads a batch, every cell read by OCR is
rejected (read as unreadable from then on, in every check) that takes part in an equation of the suite
which fails, or whose equations none could be judged to hold (another of their cells unreadable or, under
`strict`, blank). What remains has been proven by an equation it takes part in, and disproved by none;
findings that still use such a value say so (see checks.linear). A cell in no equation is as read."""

from __future__ import annotations

import polars as pl

from checks.frames import PartData
from checks.grid import STATUSES, cell_ids
from checks.kinds import KINDS
from checks.linear import judged
from checks.spec import CheckSpec

OCR_CODE = STATUSES.index("ocr")
REJECTED = {"report_id": pl.Utf8, "rid": pl.UInt32, "table": pl.Utf8, "cell_id": pl.Utf8, "check_id": pl.Utf8,
            "disproved": pl.Boolean}  # the equation check_id failed (else none could be judged)


def gate(data: PartData, specs: list[CheckSpec]) -> pl.DataFrame:
    """Reject the OCR cells of failing equations and those no equation proves, in `data`'s grids, until
    every OCR cell left in an equation is proven; return the rejected cells (report_id, rid, table,
    cell_id, check_id: the failing equation, else the first that could not be judged; disproved)."""
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
        failing = pl.col("assessable") & pl.col("failed")
        while True:
            marks = cells.marks("ocr")
            judged_ocr = judged(pl.concat([cells.grid, marks], how="horizontal"), rules).filter(pl.col("ocr"))
            hit = (judged_ocr.join(rid, on="report_id").join(plan, on=["rule", "subject"])
                   .join(ocr, on=["rid", "key"], how="semi").sort("rid", "key", "rule")
                   .group_by("report_id", "rid", "key", maintain_order=True)
                   .agg(failing.any().alias("disproved"), (pl.col("assessable") & ~pl.col("failed")).any().alias("held"),
                        pl.coalesce(pl.col("rule").filter(failing).first(), pl.col("rule").first()).alias("rule"))
                   .filter(pl.col("disproved") | ~pl.col("held"))
                   .with_columns(pl.col("key").replace_strict(dict(enumerate(ids)), return_dtype=pl.Utf8).alias("cell_id"),
                                 pl.col("rule").replace_strict({k: r.spec.id for k, r in enumerate(rules)},
                                                               return_dtype=pl.Utf8).alias("check_id")))
            if hit.height == 0:
                break
            cells.reject(hit)
            ocr = ocr.join(hit.select("rid", "key"), on=["rid", "key"], how="anti")
            out.append(hit.select("report_id", "rid", pl.lit(table).alias("table"), "cell_id", "check_id", "disproved"))
    return pl.concat(out)

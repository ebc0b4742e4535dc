"""Values read with less than certainty are never trusted alone: before any check reads a batch, a
cell read by OCR is rejected (read as unreadable from then on, in every check) where an equation of the
suite it takes part in fails, or where none of its equations could be judged to hold (another of their
cells unreadable or, under `strict`, blank); a cell split from a glued run by its row's total (`inferred`)
where an equation it takes part in fails (its row's own cannot judge it: a row whose printed total is
wrong is split into numbers never printed). What remains is disproved by no equation, and an OCR value
proven by one; findings that still use such a value say so (see checks.linear). A cell in no equation
is as read."""

from __future__ import annotations

import polars as pl

from checks.frames import PartData
from checks.grid import STATUSES, cell_ids
from checks.kinds import KINDS
from checks.linear import judged
from checks.spec import CheckSpec

OCR_CODE, INFERRED_CODE = STATUSES.index("ocr"), STATUSES.index("inferred")
REJECTED = {"report_id": pl.Utf8, "rid": pl.UInt32, "table": pl.Utf8, "cell_id": pl.Utf8, "check_id": pl.Utf8,
            "disproved": pl.Boolean}  # the equation check_id failed (else none could be judged)


def gate(data: PartData, specs: list[CheckSpec]) -> pl.DataFrame:
    """Reject the OCR and inferred cells of failing equations, and the OCR cells no equation proves, in
    `data`'s grids, until none is left to reject; return the rejected cells (report_id, rid, table,
    cell_id, check_id: the failing equation, else the first that could not be judged; disproved)."""
    stated = [r for n, s in enumerate(specs) for r in KINDS[s.kind].report_rules(s, n)]
    out = [pl.DataFrame(schema=REJECTED)]
    for table, cells in data.grids.items():
        rules = [r for r in stated if r.spec.table == table]
        doubt = cells.long.filter(pl.col("status").is_in([OCR_CODE, INFERRED_CODE])).select("rid", "key", "status")
        if not rules or doubt.height == 0:
            continue
        ids = cell_ids(table)
        plan = pl.DataFrame([(k, subject, ids.index(c)) for k, r in enumerate(rules) for subject, terms in r.plan.items()
                             for cs in terms.values() for c in cs],
                            schema={"rule": pl.UInt32, "subject": pl.Utf8, "key": pl.UInt32}, orient="row")
        rid = cells.grid.select("report_id", "rid")
        failing = pl.col("assessable") & pl.col("failed")
        while True:
            # the reports with such cells, their own rows split by their totals judged as not assessable
            wide = pl.concat([cells.grid, cells.marks("inferred"), cells.marks("ocr")], how="horizontal")
            wide = wide.filter(pl.col("rid").is_in(doubt["rid"].implode()))
            hit = (judged(wide, rules).join(rid, on="report_id").join(plan, on=["rule", "subject"])
                   .join(doubt, on=["rid", "key"]).sort("rid", "key", "rule")
                   .group_by("report_id", "rid", "key", maintain_order=True)
                   .agg(failing.any().alias("disproved"), (pl.col("assessable") & ~pl.col("failed")).any().alias("held"),
                        (pl.col("status").first() == OCR_CODE).alias("ocr"),
                        pl.coalesce(pl.col("rule").filter(failing).first(), pl.col("rule").first()).alias("rule"))
                   .filter(pl.col("disproved") | (pl.col("ocr") & ~pl.col("held")))
                   .with_columns(pl.col("key").replace_strict(dict(enumerate(ids)), return_dtype=pl.Utf8).alias("cell_id"),
                                 pl.col("rule").replace_strict({k: r.spec.id for k, r in enumerate(rules)},
                                                               return_dtype=pl.Utf8).alias("check_id")))
            if hit.height == 0:
                break
            cells.reject(hit)
            doubt = doubt.join(hit.select("rid", "key"), on=["rid", "key"], how="anti")
            out.append(hit.select("report_id", "rid", pl.lit(table).alias("table"), "cell_id", "check_id", "disproved"))
    return pl.concat(out)

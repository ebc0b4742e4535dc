"""Running the suite over whole batches: equation and cell rules as pandera checks, procedural
and cross-year checks as vectorised polars computations. Output: `check_results` rows."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pandera.polars as pa
import polars as pl
from pandera.config import ValidationDepth, config_context

from checks.expr import Linear, compile_rule, linear
from checks.frames import CELL_COLS, PartData, cell_labels, labels, load_parts, with_cell_id
from checks.spec import CheckSpec, load_settings, load_suite, scope_ids, suite_fingerprint
from gkqc.lake import SCHEMAS, Lake

RESULT_COLS = ["report_id", "check_id", "severity", "status", "subject", "expected", "actual", "difference",
               "cells", "message"]
_FIELD = re.compile(r"\{(\w+)\}")


def fmt_num(e: pl.Expr) -> pl.Expr:
    """A number as a report would print it; null as 空."""
    return (pl.when(e.is_null()).then(pl.lit("空"))
            .when(e == e.floor()).then(e.cast(pl.Int64, strict=False).cast(pl.Utf8))
            .otherwise(e.round(4).cast(pl.Utf8)))


def render(template: str, fields: dict[str, pl.Expr]) -> pl.Expr:
    """A message template with {field} placeholders as one vectorised string expression."""
    parts = _FIELD.split(template)
    exprs = []
    for k, p in enumerate(parts):
        if k % 2 == 0:
            if p:
                exprs.append(pl.lit(p))
        else:
            exprs.append(fields.get(p, pl.lit("{" + p + "}")))
    return pl.concat_str(exprs) if exprs else pl.lit("")


def finish(df: pl.DataFrame, spec: CheckSpec) -> pl.DataFrame:
    return df.with_columns(pl.lit(spec.id).alias("check_id"), pl.lit(spec.severity).alias("severity")) \
        .select([pl.col(c).cast(pl.Float64) if c in ("expected", "actual", "difference") else pl.col(c)
                 for c in RESULT_COLS])


# ----------------------------------------------------------------------------- equations
# (term column, subject column) of the long cell table, per table and scope
KEYS = {("applications", "per_column"): ("row_id", "column_id"), ("applications", "per_row"): ("column_id", "row_id"),
        ("reviews", "per_group"): ("metric_id", "group_id"), ("active_disclosure", "per_row"): ("metric_id", "row_id")}


@dataclass
class _Rule:
    spec: CheckSpec
    template: str
    lin: Linear


def rules_for(spec: CheckSpec) -> list[_Rule]:
    out = []
    for t in spec.templates:
        ids, _ = scope_ids(spec.table, spec.scope, t, spec.block)
        out.append(_Rule(spec, t, linear(spec.rule, ids)))
    return out


def _rule_table(rules: list[_Rule]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(coefficients per rule, template and term; constants, arity and operator per rule). Rules are numbered."""
    coef, meta = [], []
    for k, r in enumerate(rules):
        for term in r.lin.ids:
            coef.append((k, r.template, term, r.lin.lhs.get(term, 0.0), r.lin.rhs.get(term, 0.0)))
        meta.append((k, r.lin.lhs.get("", 0.0), r.lin.rhs.get("", 0.0), len(r.lin.ids), r.lin.op,
                     list(r.spec.subjects) or None))
    return (pl.DataFrame(coef, schema={"rule": pl.UInt32, "template": pl.Utf8, "term": pl.Utf8, "cl": pl.Float64,
                                       "cr": pl.Float64}, orient="row"),
            pl.DataFrame(meta, schema={"rule": pl.UInt32, "kl": pl.Float64, "kr": pl.Float64, "arity": pl.UInt32,
                                       "op": pl.Utf8, "subjects": pl.List(pl.Utf8)}, orient="row"))


def holds(op: pl.Expr, diff: pl.Expr) -> pl.Expr:
    return (pl.when(op == "==").then(diff.abs() < 1e-6).when(op == ">=").then(diff > -1e-6)
            .when(op == "<=").then(diff < 1e-6).when(op == ">").then(diff > 1e-6).otherwise(diff < -1e-6))


def failures_by_pandera(frame: pl.DataFrame, checks: dict[str, pl.Expr]) -> dict[str, set[int]]:
    """Validate `frame` against one pandera check per entry; return failing row indices per entry."""
    schema = pa.DataFrameSchema(checks=[
        pa.Check(lambda d, e=expr: d.lazyframe.select(e.fill_null(True)), name=key, error=key)
        for key, expr in checks.items()])
    out: dict[str, set[int]] = defaultdict(set)
    with config_context(validation_depth=ValidationDepth.SCHEMA_AND_DATA):
        try:
            schema.validate(frame, lazy=True)
        except pa.errors.SchemaErrors as e:
            fc = e.failure_cases.select("check", "index")
            for key, idx in fc.group_by("check").agg(pl.col("index")).iter_rows():
                out[key].update(idx)
    return out


def run_linear(cells: pl.DataFrame, rules: list[_Rule], subject_labels: dict[str, str], report_ids: pl.Series,
               missing_message: pl.Expr | None = None) -> list[pl.DataFrame]:
    """Evaluate linear rules over long cells (rid, template, term, subject, value), all at once.

    `rid` numbers the reports: `report_ids[rid]` is the report. Each rule × report × subject gets
    its two sides as sums of coefficient × value; the comparison is one pandera check over the
    whole batch. Evidence and messages are built for findings only."""
    if cells.height == 0 or not rules:
        return []
    coef, meta = _rule_table(rules)
    joined = cells.join(coef, on=["template", "term"])
    agg = (joined.group_by(["rule", "rid", "subject"])
           .agg((pl.col("cl") * pl.col("value")).sum().alias("lhs"), (pl.col("cr") * pl.col("value")).sum().alias("rhs"),
                pl.col("value").is_null().sum().alias("nulls"), pl.len().alias("n"))
           .join(meta, on="rule")
           .filter(pl.col("subjects").is_null() | pl.col("subject").is_in(pl.col("subjects")))
           .with_columns((pl.col("lhs") + pl.col("kl")).alias("actual"), (pl.col("rhs") + pl.col("kr")).alias("expected"))
           .with_columns(((pl.col("nulls") == 0) & (pl.col("n") == pl.col("arity"))).alias("assessable")))
    ok = pl.when(pl.col("assessable")).then(holds(pl.col("op"), pl.col("actual") - pl.col("expected")))
    failed_idx = failures_by_pandera(agg, {"linear rules": ok}).get("linear rules", set())
    failed = pl.zeros(agg.height, dtype=pl.Boolean, eager=True)
    if failed_idx:
        failed = failed.scatter(sorted(failed_idx), True)
    agg = agg.with_columns(
        pl.when(~pl.col("assessable")).then(pl.lit("not_assessable"))
        .when(failed).then(pl.lit("fail")).otherwise(pl.lit("pass")).alias("status"),
        report_ids.gather(agg["rid"]).alias("report_id"))
    keys = ["rule", "rid", "subject"]
    findings = agg.filter(pl.col("status") != "pass")
    evidence = (joined.join(findings.select(keys), on=keys).sort("term").group_by(keys)
                .agg(pl.concat_str([pl.col("term"), pl.lit("="), fmt_num(pl.col("value"))]).str.join("; ").alias("cells")))
    findings = findings.join(evidence, on=keys, how="left")
    ids = pl.DataFrame({"rule": range(len(rules)), "check_id": [r.spec.id for r in rules],
                        "severity": [r.spec.severity for r in rules]}, schema_overrides={"rule": pl.UInt32})
    passed = agg.filter(pl.col("status") == "pass").join(ids, on="rule").select(  # message: the view says 符合：…
        "report_id", "check_id", "severity", "status", "subject", "expected", "actual",
        (pl.col("actual") - pl.col("expected")).alias("difference"), pl.lit(None, dtype=pl.Utf8).alias("cells"),
        pl.lit(None, dtype=pl.Utf8).alias("message"))
    out = [passed]
    na = pl.col("status") == "not_assessable"
    for k, r in enumerate(rules):
        rest = findings.filter(pl.col("rule") == k)
        if rest.height == 0:
            continue
        fields = {"subject": pl.col("subject"),
                  "subject_label": pl.col("subject").replace_strict(subject_labels, default=pl.col("subject")),
                  "expected": fmt_num(pl.col("expected")), "actual": fmt_num(pl.col("actual")),
                  "difference": fmt_num(pl.col("actual") - pl.col("expected")), "cells": pl.col("cells").fill_null("")}
        incomplete = pl.col("n") < pl.col("arity")
        na_message = render("无法判断：涉及的单元格有空白或无法读取（{cells}）", fields)
        if missing_message is not None:
            na_message = pl.when(incomplete).then(missing_message).otherwise(na_message)
        found = rest.select(
            "report_id", "subject", "status",
            pl.when(na).then(None).otherwise(pl.col("expected")).alias("expected"),
            pl.when(na).then(None).otherwise(pl.col("actual")).alias("actual"),
            pl.when(na).then(None).otherwise(pl.col("actual") - pl.col("expected")).alias("difference"),
            "cells",
            pl.when(na).then(na_message).otherwise(render(r.spec.message or r.spec.title, fields)).alias("message"))
        out.append(finish(found, r.spec))
    return out


def long_cells(cells: pl.DataFrame, table: str, scope: str, block: str | None = None) -> pl.DataFrame:
    term, subject = KEYS[(table, scope)]
    if block:
        cells = cells.filter(pl.col("block_id") == block)
    return cells.select("rid", "template", pl.col(term).alias("term"), pl.col(subject).alias("subject"), "value")


# ----------------------------------------------------------------------------- cell rules
PASSED = pl.lit(None, dtype=pl.Utf8)  # a plain pass: the check_results view says 符合：<title>


def run_cell_rules(cells: pl.DataFrame, specs: list[CheckSpec], reports: pl.DataFrame) -> list[pl.DataFrame]:
    if not specs:
        return []
    names = cell_labels()
    frame = cells.filter(pl.col("status") == "ok").with_row_index("__i")
    rules = {}
    for k, s in enumerate(specs):
        mask = pl.col("template").is_in(list(s.templates))
        if s.exclude_metrics:
            mask = mask & ~pl.col("metric_id").is_in(list(s.exclude_metrics))
        rules[f"{s.id}|{k}"] = (s, mask, compile_rule(s.rule, {"value"}))
    fails = failures_by_pandera(frame, {k: pl.when(m).then(c.cond) for k, (_, m, c) in rules.items()})
    out = []
    for key, (s, mask, _c) in rules.items():
        scoped = reports.filter(pl.col("template").is_in(list(s.templates))).select("rid", "report_id")
        if scoped.height == 0:
            continue
        failed = with_cell_id(frame.filter(mask & pl.col("__i").is_in(list(fails.get(key, ())))), s.table)
        fields = {"subject_label": pl.col("cell_id").replace_strict(names, default=pl.col("cell_id")),
                  "raw": pl.col("raw"), "actual": fmt_num(pl.col("value"))}
        fail_rows = failed.select(
            "report_id", pl.col("cell_id").alias("subject"), pl.lit("fail").alias("status"),
            pl.lit(None, dtype=pl.Float64).alias("expected"), pl.col("value").alias("actual"),
            pl.lit(None, dtype=pl.Float64).alias("difference"),
            pl.concat_str([pl.col("cell_id"), pl.lit("="), pl.col("raw")]).alias("cells"),
            render(s.message or s.title, fields).alias("message"))
        read = pl.col("rid").is_in(frame.filter(mask)["rid"].unique().implode())
        bad = pl.col("rid").is_in(failed["rid"].unique().implode())
        out.append(finish(fail_rows, s))
        out.append(finish(_report_rows(scoped.filter(read & ~bad), "pass", PASSED), s))
        out.append(finish(_report_rows(scoped.filter(~read), "not_assessable", "无法判断：没有可读取的单元格"), s))
    return out


def _report_rows(report_ids: pl.DataFrame, status: str, message: str | pl.Expr, subject: str = "") -> pl.DataFrame:
    msg = message if isinstance(message, pl.Expr) else pl.lit(message)
    return report_ids.select(
        "report_id", pl.lit(subject).alias("subject"), pl.lit(status).alias("status"),
        pl.lit(None, dtype=pl.Float64).alias("expected"), pl.lit(None, dtype=pl.Float64).alias("actual"),
        pl.lit(None, dtype=pl.Float64).alias("difference"), pl.lit(None, dtype=pl.Utf8).alias("cells"),
        msg.alias("message"))


# ----------------------------------------------------------------------------- one part
def tables_needed(specs: list[CheckSpec]) -> set[str]:
    """The lake tables (besides reports) a suite reads within one batch."""
    from checks.procedural import NEEDS

    out: set[str] = set()
    for s in specs:
        if s.kind in ("equation", "cell"):
            out.add(s.table)
        elif s.kind == "procedural":
            out.update(NEEDS[s.function])
    return out


def evaluate_part(data: PartData, specs: list[CheckSpec], settings: dict) -> pl.DataFrame:
    from checks.procedural import FUNCTIONS

    out: list[pl.DataFrame] = []
    subject_names = {"applications": {**labels("app_row"), **labels("app_column")},
                     "reviews": labels("review_group"),
                     "active_disclosure": {k.split(".", 1)[1]: v for k, v in labels("active_row").items()}}
    by_frame: dict[tuple, list[_Rule]] = defaultdict(list)
    for s in specs:
        if s.kind == "equation":
            by_frame[(s.table, s.scope, s.block)] += rules_for(s)
    for (table, scope, block), rules in by_frame.items():
        out += run_linear(long_cells(data.cells[table], table, scope, block), rules, subject_names[table],
                          data.reports["report_id"])
    for table in CELL_COLS:
        out += run_cell_rules(data.cells[table], [s for s in specs if s.kind == "cell" and s.table == table],
                              data.reports)
    unknown = data.reports.filter(pl.col("template").is_null()).select("report_id")
    for s in specs if unknown.height else ():  # no template: nothing can be judged, and nothing passes silently
        out.append(finish(_report_rows(unknown, "not_assessable", "无法判断：未能确定报告模板与年度，表格未读取"), s))
    for s in specs:
        if s.kind == "procedural":
            scoped = data.reports.filter(pl.col("template").is_in(list(s.templates)))
            if scoped.height:
                out.append(finish(FUNCTIONS[s.function](data, scoped, s, settings), s))
    out = [d for d in out if d.height]
    return pl.concat(out) if out else pl.DataFrame(schema={c: SCHEMAS["check_results"].field(c).type for c in RESULT_COLS})


# ----------------------------------------------------------------------------- across years
def latest_prev(reports: pl.DataFrame) -> pl.DataFrame:
    """For each report: the latest report of the same office for the previous year (or null)."""
    latest = (reports.filter(pl.col("office").is_not_null() & pl.col("report_year").is_not_null())
              .sort(["published_at", "ingested_at", "report_id"], descending=[True, True, False], nulls_last=True)
              .group_by(["office", "report_year"], maintain_order=True).first()
              .select("office", (pl.col("report_year") + 1).alias("report_year"), pl.col("report_id").alias("prev_id")))
    return reports.join(latest, on=["office", "report_year"], how="left").select(
        "report_id", "template", "report_year", "prev_id")


def run_cross_year(lake: Lake, specs: list[CheckSpec]) -> Iterator[pl.DataFrame]:
    """Cross-year rules: this year's cells with last year's re-keyed as `prev__…` terms, year by year,
    in chunks of reports; yields the results chunk by chunk."""
    specs = [s for s in specs if s.kind == "cross_year"]
    if not specs:
        return
    reports = pl.read_parquet(lake.glob("reports"), columns=["report_id", "template", "office", "report_year",
                                                              "published_at", "ingested_at"])
    if reports.height == 0:
        return
    pairs = latest_prev(reports)
    subject_names = {**labels("app_row"), **labels("app_column"),
                     **{k.split(".", 1)[1]: v for k, v in labels("active_row").items()}}
    no_prev = pl.lit("无法判断：缺少同一机关上一年度的报告，无法比对")
    del reports
    for s in specs:
        rules = rules_for(s)
        terms = {t for r in rules for t in r.lin.ids}
        now_terms = sorted(t for t in terms if not t.startswith("prev__"))
        prev_terms = sorted(t.removeprefix("prev__") for t in terms if t.startswith("prev__"))
        term_col, subject_col = KEYS[(s.table, s.scope)]
        scan = pl.scan_parquet(lake.glob(s.table))
        if s.block:
            scan = scan.filter(pl.col("block_id") == s.block)
        for year in sorted(y for y in pairs["report_year"].unique().to_list() if y is not None):
            now = pairs.filter((pl.col("report_year") == year) & pl.col("template").is_in(list(s.templates)))
            if now.height == 0:
                continue
            # number this year's reports (rid); cells come back keyed by rid, without report_id strings
            now = now.with_row_index("rid")
            keys = now.lazy().select("report_id", "rid", "template")
            current = long_cells(scan.filter(pl.col(term_col).is_in(now_terms)).join(keys, on="report_id"),
                                 s.table, s.scope, s.block).collect(engine="streaming")
            prev_keys = now.lazy().filter(pl.col("prev_id").is_not_null()).select(
                pl.col("prev_id").alias("report_id"), "rid", "template")
            prev = long_cells(scan.filter(pl.col(term_col).is_in(prev_terms)).join(prev_keys, on="report_id"),
                              s.table, s.scope, s.block).with_columns(
                pl.concat_str([pl.lit("prev__"), pl.col("term")]).alias("term")).collect(engine="streaming")
            for start in range(0, now.height, CROSS_YEAR_CHUNK):  # bounded joins whatever N
                in_chunk = pl.col("rid").is_between(start, start + CROSS_YEAR_CHUNK, closed="left")
                found = [d for d in run_linear(pl.concat([current.filter(in_chunk), prev.filter(in_chunk)]), rules,
                                               subject_names, now["report_id"], missing_message=no_prev) if d.height]
                if found:
                    yield pl.concat(found)


# ----------------------------------------------------------------------------- the run
@dataclass
class CheckSummary:
    evaluated_parts: int = 0
    changed: bool = False  # any result written this run (else the previous results stand)
    results: int = 0
    failed: dict[str, int] = field(default_factory=dict)  # severity -> failing results
    schema_problems: list = field(default_factory=list)


def _to_arrow(df: pl.DataFrame, run_id: str):
    return df.with_columns(pl.lit(run_id).alias("run_id")).to_arrow().cast(SCHEMAS["check_results"])


BATCH_REPORTS = 8_000
CROSS_YEAR_CHUNK = 25_000  # reports evaluated together (bounded memory, few polars calls)


def _batches(lake: Lake, parts: list[str]) -> list[list[str]]:
    import pyarrow.parquet as pq

    out: list[list[str]] = [[]]
    size = 0
    for p in parts:
        n = pq.ParquetFile(lake.dir("reports") / p).metadata.num_rows
        if out[-1] and size + n > BATCH_REPORTS:
            out.append([])
            size = 0
        out[-1].append(p)
        size += n
    return [b for b in out if b]


def report_parts(lake: Lake) -> list[str]:
    """Names of the lake's report parts (one per ingest batch), in order."""
    return sorted(p.name for p in lake.dir("reports").glob("part-*.parquet") if p.name != "part-empty.parquet")


def evaluate_batches(lake: Lake, batches: list[list[str]], specs: list[CheckSpec],
                     settings: dict) -> Iterator[tuple[list[str], pl.DataFrame]]:
    """(batch of parts, its results) for each batch (see `_batches`), reading only the tables needed."""
    empty = {t: pl.read_parquet(lake.dir(t) / "part-empty.parquet") for t in (*CELL_COLS, "sections")}
    needed = tables_needed(specs)
    for batch in batches:
        yield batch, evaluate_part(load_parts(lake.root, batch, empty, needed), specs, settings)


def _fail_counts(df: pl.DataFrame) -> dict[str, int]:
    return dict(df.filter(pl.col("status") == "fail").group_by("severity").len().iter_rows())


def check_lake(lake: Lake, run_id: str, *, specs: list[CheckSpec] | None = None, settings: dict | None = None,
               progress: Callable[[int, int], None] | None = None) -> CheckSummary:
    """Check every report in the lake; parts already checked with the same suite are kept."""
    from schemas import validate_tables

    specs = specs if specs is not None else load_suite()
    settings = settings if settings is not None else load_settings()
    fingerprint = suite_fingerprint() + str(len(specs))
    out_dir = lake.dir("check_results")
    state_path = out_dir / "_state.json"
    state = json.loads(state_path.read_text()) if state_path.exists() else {}
    if state.get("fingerprint") != fingerprint:  # suite changed: every report is checked again
        state = {"fingerprint": fingerprint, "parts": [], "files": {}}
        for p in out_dir.glob("part-*.parquet"):
            if p.name != "part-empty.parquet":
                p.unlink()
    done = set(state["parts"])
    todo = [p for p in report_parts(lake) if p not in done]
    summary = CheckSummary()
    if not todo and "cross" in state:
        counts = [*state["files"].values(), state["cross"]]
        summary.failed = _sum_counts(counts)
        summary.results = sum(c["_rows"] for c in counts)
        return summary  # nothing new: every result, cross-year ones included, still holds
    summary.changed = True
    batches = _batches(lake, todo)
    for k, (batch, res) in enumerate(evaluate_batches(lake, batches, specs, settings)):
        table = _to_arrow(res, run_id)
        summary.schema_problems += validate_tables({"check_results": table})
        name = f"r-{batch[0].removeprefix('part-').removesuffix('.parquet')}-{len(batch)}"
        lake.write("check_results", table, name)
        state["files"][name] = {**_fail_counts(res), "_rows": res.height}
        state["parts"] += batch
        summary.evaluated_parts += len(batch)
        if progress:
            progress(k + 1, len(batches))
    # a new year N−1 report changes year N's results: cross-year checks are always redone
    for p in out_dir.glob("part-x-cross-year*.parquet"):
        p.unlink()
    state["cross"] = {"_rows": 0}
    for k, cross in enumerate(run_cross_year(lake, specs)):
        lake.write("check_results", _to_arrow(cross, run_id), f"x-cross-year-{k:05d}")
        for key, v in {**_fail_counts(cross), "_rows": cross.height}.items():
            state["cross"][key] = state["cross"].get(key, 0) + v
    counts = [*state["files"].values(), state["cross"]]
    summary.failed = _sum_counts(counts)
    summary.results = sum(c["_rows"] for c in counts)
    state_path.write_text(json.dumps(state))
    return summary


def _sum_counts(counts: list[dict]) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for c in counts:
        for k, v in c.items():
            if k != "_rows":
                out[k] += v
    return dict(out)

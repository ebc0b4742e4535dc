"""Running the suite over whole batches: equation and cell rules as pandera checks, procedural
and cross-year checks as vectorised polars computations. Output: `check_results` rows."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import pandera.polars as pa
import polars as pl
from pandera.config import ValidationDepth, config_context

from checks.expr import Compiled, compile_rule
from checks.frames import CELL_COLS, PartData, cell_labels, labels, load_parts, wide
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
@dataclass
class _Rule:
    spec: CheckSpec
    template: str
    compiled: Compiled
    mask: pl.Expr


def _rules_for(spec: CheckSpec) -> list[_Rule]:
    out = []
    for t in spec.templates:
        ids, _ = scope_ids(spec.table, spec.scope, t, spec.block)
        if spec.kind == "cross_year":
            ids = ids | set()
        mask = pl.col("template") == t
        if spec.subjects:
            mask = mask & pl.col("subject").is_in(list(spec.subjects))
        out.append(_Rule(spec, t, compile_rule(spec.rule, ids), mask))
    return out


def failures_by_pandera(frame: pl.DataFrame, checks: dict[str, pl.Expr]) -> dict[str, set[int]]:
    """Validate `frame` against one pandera check per rule; return failing row indices per rule."""
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


def run_equations(frame: pl.DataFrame, rules: list[_Rule], subject_labels: dict[str, str]) -> list[pl.DataFrame]:
    """Evaluate rules on a wide frame (one row per report × subject) with evidence."""
    if frame.height == 0 or not rules:
        return []
    frame = frame.with_row_index("__i")
    for r in rules:
        for ref in r.compiled.refs:
            if ref not in frame.columns:
                frame = frame.with_columns(pl.lit(None, dtype=pl.Float64).alias(ref))
    keyed = {f"{r.spec.id}|{r.template}|{k}": r for k, r in enumerate(rules)}
    fails = failures_by_pandera(frame, {k: pl.when(r.mask).then(r.compiled.cond) for k, r in keyed.items()})
    out = []
    for key, r in keyed.items():
        c = r.compiled
        sub = frame.filter(r.mask)
        if sub.height == 0:
            continue
        assessable = pl.all_horizontal([pl.col(x).is_not_null() for x in c.refs])
        failed = pl.col("__i").is_in(list(fails.get(key, ())))
        actual, expected = c.lhs, c.rhs if c.rhs is not None else pl.lit(None, dtype=pl.Float64)
        sub = sub.with_columns(
            pl.when(~assessable).then(pl.lit("not_assessable")).when(failed).then(pl.lit("fail"))
            .otherwise(pl.lit("pass")).alias("status"))
        # passing rows are the bulk: a fixed message, no evidence strings; findings get the full text
        passed = sub.filter(pl.col("status") == "pass").select(
            "report_id", "subject", "status", expected.alias("expected"), actual.alias("actual"),
            (actual - expected).alias("difference"), pl.lit(None, dtype=pl.Utf8).alias("cells"),
            pl.lit(f"符合：{r.spec.title}").alias("message"))
        rest = sub.filter(pl.col("status") != "pass")
        evidence = pl.concat_str([pl.concat_str([pl.lit(f"{x}="), fmt_num(pl.col(x))]) for x in c.refs], separator="; ")
        fields = {"subject": pl.col("subject"),
                  "subject_label": pl.col("subject").replace_strict(subject_labels, default=pl.col("subject")),
                  "expected": fmt_num(expected), "actual": fmt_num(actual), "difference": fmt_num(actual - expected),
                  "cells": evidence}
        na = pl.col("status") == "not_assessable"
        found = rest.select(
            "report_id", "subject", "status",
            pl.when(na).then(None).otherwise(expected).alias("expected"),
            pl.when(na).then(None).otherwise(actual).alias("actual"),
            pl.when(na).then(None).otherwise(actual - expected).alias("difference"),
            evidence.alias("cells"),
            pl.when(na).then(render("无法判断：涉及的单元格有空白或无法读取（{cells}）", fields))
            .otherwise(render(r.spec.message or r.spec.title, fields)).alias("message"))
        out.append(finish(passed, r.spec))
        out.append(finish(found, r.spec))
    return out


# ----------------------------------------------------------------------------- cell rules
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
        scoped = reports.filter(pl.col("template").is_in(list(s.templates))).select("report_id")
        if scoped.height == 0:
            continue
        failed = frame.filter(mask & pl.col("__i").is_in(list(fails.get(key, ()))))
        fields = {"subject_label": pl.col("cell_id").replace_strict(names, default=pl.col("cell_id")),
                  "raw": pl.col("raw"), "actual": fmt_num(pl.col("value"))}
        fail_rows = failed.select(
            "report_id", pl.col("cell_id").alias("subject"), pl.lit("fail").alias("status"),
            pl.lit(None, dtype=pl.Float64).alias("expected"), pl.col("value").alias("actual"),
            pl.lit(None, dtype=pl.Float64).alias("difference"),
            pl.concat_str([pl.col("cell_id"), pl.lit("="), pl.col("raw")]).alias("cells"),
            render(s.message or s.title, fields).alias("message"))
        read = frame.filter(mask).select("report_id").unique()
        ok_reports = read.join(failed.select("report_id").unique(), on="report_id", how="anti")
        na_reports = scoped.join(read, on="report_id", how="anti")
        out.append(finish(fail_rows, s))
        out.append(finish(_report_rows(ok_reports, "pass", f"符合：{s.title}"), s))
        out.append(finish(_report_rows(na_reports, "not_assessable", "无法判断：没有可读取的单元格"), s))
    return out


def _report_rows(report_ids: pl.DataFrame, status: str, message: str | pl.Expr, subject: str = "") -> pl.DataFrame:
    msg = message if isinstance(message, pl.Expr) else pl.lit(message)
    return report_ids.select(
        "report_id", pl.lit(subject).alias("subject"), pl.lit(status).alias("status"),
        pl.lit(None, dtype=pl.Float64).alias("expected"), pl.lit(None, dtype=pl.Float64).alias("actual"),
        pl.lit(None, dtype=pl.Float64).alias("difference"), pl.lit(None, dtype=pl.Utf8).alias("cells"),
        msg.alias("message"))


# ----------------------------------------------------------------------------- one part
def evaluate_part(data: PartData, specs: list[CheckSpec], settings: dict) -> pl.DataFrame:
    from checks.procedural import FUNCTIONS

    out: list[pl.DataFrame] = []
    subject_names = {"applications": {**labels("app_row"), **labels("app_column")},
                     "reviews": labels("review_group"),
                     "active_disclosure": {k.split(".", 1)[1]: v for k, v in labels("active_row").items()}}
    by_frame: dict[tuple, list[_Rule]] = defaultdict(list)
    for s in specs:
        if s.kind == "equation":
            for r in _rules_for(s):
                by_frame[(s.table, s.scope, s.block)].append(r)
    for (table, scope, block), rules in by_frame.items():
        frame, _ = wide(data.cells[table], table, scope, block)
        out += run_equations(frame, rules, subject_names[table])
    for table in CELL_COLS:
        out += run_cell_rules(data.cells[table], [s for s in specs if s.kind == "cell" and s.table == table],
                              data.reports)
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
    return reports.join(latest, on=["office", "report_year"], how="left").select("report_id", "template", "prev_id")


def run_cross_year(lake: Lake, specs: list[CheckSpec]) -> pl.DataFrame | None:
    specs = [s for s in specs if s.kind == "cross_year"]
    if not specs:
        return None
    reports = pl.read_parquet(lake.glob("reports"), columns=["report_id", "template", "office", "report_year",
                                                              "published_at", "ingested_at"])
    if reports.height == 0:
        return None
    pairs = latest_prev(reports)
    subject_names = {**labels("app_row"), **labels("app_column"),
                     **{k.split(".", 1)[1]: v for k, v in labels("active_row").items()}}
    out = []
    for s in specs:
        rules = _rules_for(s)
        refs = {x.removeprefix("prev__") for r in rules for x in r.compiled.refs}
        row_key, _ = CELL_COLS[s.table]
        on_col = {"applications": "row_id" if s.scope == "per_column" else "column_id",
                  "active_disclosure": "metric_id", "reviews": "metric_id"}[s.table]
        cells = pl.scan_parquet(lake.glob(s.table)).filter(pl.col(on_col).is_in(list(refs)))
        if s.block:
            cells = cells.filter(pl.col("block_id") == s.block)
        cells = cells.collect().join(reports.select("report_id", "template"), on="report_id", how="left")
        frame, _ = wide(cells, s.table, s.scope, s.block)
        value_cols = [c for c in frame.columns if c not in ("report_id", "template", "subject")]
        prev = frame.select(pl.col("report_id").alias("prev_id"), "subject",
                            *[pl.col(c).alias(f"prev__{c}") for c in value_cols])
        joined = frame.join(pairs.select("report_id", "prev_id"), on="report_id", how="left") \
            .join(prev, on=["prev_id", "subject"], how="left")
        parts = run_equations(joined, rules, subject_names)
        if not parts:
            continue
        res = pl.concat(parts)
        no_prev = joined.filter(pl.col("prev_id").is_null()).select("report_id").unique()
        res = res.join(no_prev.with_columns(pl.lit(True).alias("__np")), on="report_id", how="left").with_columns(
            pl.when(pl.col("__np")).then(pl.lit("无法判断：缺少同一机关上一年度的报告，无法比对"))
            .otherwise(pl.col("message")).alias("message")).drop("__np")
        out.append(res)
    return pl.concat(out) if out else None


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


BATCH_REPORTS = 25_000  # reports evaluated together (bounded memory, few polars calls)


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
    parts = sorted(p.name for p in lake.dir("reports").glob("part-*.parquet") if p.name != "part-empty.parquet")
    todo = [p for p in parts if p not in set(state["parts"])]
    summary = CheckSummary()
    if not todo and "cross" in state:
        counts = [*state["files"].values(), state["cross"]]
        summary.failed = _sum_counts(counts)
        summary.results = sum(c["_rows"] for c in counts)
        return summary  # nothing new: every result, cross-year ones included, still holds
    summary.changed = True
    empty = {t: pl.read_parquet(lake.dir(t) / "part-empty.parquet") for t in (*CELL_COLS, "sections")}
    batches = _batches(lake, todo)
    for k, batch in enumerate(batches):
        res = evaluate_part(load_parts(lake.root, batch, empty), specs, settings)
        table = _to_arrow(res, run_id)
        summary.schema_problems += validate_tables({"check_results": table})
        name = f"r-{batch[0].removeprefix('part-').removesuffix('.parquet')}-{len(batch)}"
        lake.write("check_results", table, name)
        state["files"][name] = {**_fail_counts(res), "_rows": res.height}
        state["parts"] += batch
        summary.evaluated_parts += len(batch)
        if progress:
            progress(k + 1, len(batches))
    cross = run_cross_year(lake, specs)  # a new year N−1 report changes year N's results: always redo
    state["cross"] = {"_rows": 0}
    if cross is not None:
        lake.write("check_results", _to_arrow(cross, run_id), "x-cross-year")
        state["cross"] = {**_fail_counts(cross), "_rows": cross.height}
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

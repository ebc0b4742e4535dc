"""Running the suite over whole batches: equations and cell rules as SQL over the batch's Parquet
files (judged by pandera), procedural checks as vectorised polars computations, cross-year checks
over the whole lake. Output: `check_results` rows."""

from __future__ import annotations

import json
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import duckdb
import polars as pl

from checks.cellrules import run_cell_rules
from checks.frames import CELL_COLS, PartData, labels, load_parts
from checks.linear import Rule, cells_sql, rules_for, run_linear, sql_list
from checks.results import empty_results, finish, report_rows
from checks.spec import CheckSpec, load_settings, load_suite, suite_fingerprint
from gkqc.lake import Lake, frame_of

CROSS_YEAR_CHUNK = 50_000  # reports whose cross-year checks are evaluated together (bounded memory)


def connect(lake: Lake) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB for one check run: bounded memory, spilling beyond it into the lake's
    folder (never the working directory)."""
    return duckdb.connect(config={"memory_limit": "1GB", "temp_directory": str(lake.root / ".duckdb-spill")})


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
    con = data.con
    reports = data.reports.select("report_id", "template")
    subject_names = {"applications": {**labels("app_row"), **labels("app_column")},
                     "reviews": labels("review_group"),
                     "active_disclosure": {k.split(".", 1)[1]: v for k, v in labels("active_row").items()}}
    by_frame: dict[tuple, list[Rule]] = defaultdict(list)
    for n, s in enumerate(specs):
        if s.kind == "equation":
            by_frame[(s.table, s.scope, s.block)] += rules_for(s, n)
    for (table, scope, block), rules in by_frame.items():
        terms = {t for r in rules for t in r.lin.ids}
        out += run_linear(con, cells_sql(data.files[table], table, scope, block, terms), rules, subject_names[table],
                          reports)
    for table in CELL_COLS:
        out += run_cell_rules(con, f"select * from read_parquet({data.files[table]})", table,
                              [s for s in specs if s.kind == "cell" and s.table == table], reports)
    unknown = data.reports.filter(pl.col("template").is_null()).select("report_id")
    for s in specs if unknown.height else ():  # no template: nothing can be judged, and nothing passes silently
        out.append(finish(report_rows(unknown, "not_assessable", "无法判断：未能确定报告模板与年度，表格未读取"), s))
    for s in specs:
        if s.kind == "procedural":
            scoped = data.reports.filter(pl.col("template").is_in(list(s.templates)))
            if scoped.height:
                out.append(finish(FUNCTIONS[s.function](data, scoped, s, settings), s))
    out = [d for d in out if d.height]
    return pl.concat(out) if out else empty_results()


# ----------------------------------------------------------------------------- across years
def latest_prev(reports: pl.DataFrame) -> pl.DataFrame:
    """For each report: the latest report of the same office for the previous year (or null)."""
    latest = (reports.filter(pl.col("office").is_not_null() & pl.col("report_year").is_not_null())
              .sort(["published_at", "ingested_at", "report_id"], descending=[True, True, False], nulls_last=True)
              .group_by(["office", "report_year"], maintain_order=True).first()
              .select("office", (pl.col("report_year") + 1).alias("report_year"), pl.col("report_id").alias("prev_id")))
    return reports.join(latest, on=["office", "report_year"], how="left").select(
        "report_id", "template", "report_year", "prev_id")


def run_cross_year(lake: Lake, specs: list[CheckSpec], con: duckdb.DuckDBPyConnection) -> Iterator[pl.DataFrame]:
    """Cross-year rules: each report's cells with its previous report's as `prev__…` terms.

    The cells a check reads are first copied out of the lake into one small Parquet file, so
    the reports can then be taken in slices (bounded memory) without reading the lake again;
    yields the results slice by slice."""
    specs = [s for s in specs if s.kind == "cross_year"]
    if not specs:
        return
    reports = pl.read_parquet(lake.glob("reports"), columns=["report_id", "template", "office", "report_year",
                                                              "published_at", "ingested_at"])
    pairs = latest_prev(reports).filter(pl.col("report_year").is_not_null())
    del reports
    subject_names = {**labels("app_row"), **labels("app_column"),
                     **{k.split(".", 1)[1]: v for k, v in labels("active_row").items()}}
    no_prev = pl.lit("无法判断：缺少同一机关上一年度的报告，无法比对")
    with tempfile.TemporaryDirectory(dir=lake.root, prefix=".cross-year-") as tmp:
        for n, s in enumerate(specs):
            scoped = pairs.filter(pl.col("template").is_in(list(s.templates)))
            if scoped.height == 0:
                continue
            rules = rules_for(s, n)
            terms = {t for r in rules for t in r.lin.ids}
            now_terms = {t for t in terms if not t.startswith("prev__")}
            prev_terms = {t.removeprefix("prev__") for t in terms if t.startswith("prev__")}
            files = [str(p) for p in sorted(lake.dir(s.table).glob("part-*.parquet"))]
            extract = f"{tmp}/{n}.parquet"
            con.execute(f"copy ({cells_sql(files, s.table, s.scope, s.block, now_terms | prev_terms)}) "
                        f"to '{extract}' (format parquet)")
            source = (f"select c.* from read_parquet('{extract}') c where c.term in {sql_list(now_terms)} "
                      f"and c.report_id in (select report_id from _pairs) union all "
                      f"select p.report_id, 'prev__' || c.term, c.subject, c.value from read_parquet('{extract}') c "
                      f"join _pairs p on c.report_id = p.prev_id where c.term in {sql_list(prev_terms)}")
            for start in range(0, scoped.height, CROSS_YEAR_CHUNK):
                chunk = scoped.slice(start, CROSS_YEAR_CHUNK)
                con.register("_pairs", chunk.select("report_id", "prev_id").to_arrow())
                try:
                    found = [d for d in run_linear(con, source, rules, subject_names, chunk, missing_message=no_prev)
                             if d.height]
                finally:
                    con.unregister("_pairs")
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


def _results_frame(df: pl.DataFrame, run_id: str) -> pl.DataFrame:
    """Results in the lake's `check_results` columns and types, stamped with the run."""
    return frame_of("check_results", df.with_columns(pl.lit(run_id).alias("run_id")))


BATCH_REPORTS = 8_000


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


def evaluate_batches(lake: Lake, batches: list[list[str]], specs: list[CheckSpec], settings: dict,
                     con: duckdb.DuckDBPyConnection) -> Iterator[tuple[list[str], pl.DataFrame]]:
    """(batch of parts, its results) for each batch (see `_batches`), reading only the tables needed."""
    empty = {t: pl.read_parquet(lake.dir(t) / "part-empty.parquet") for t in (*CELL_COLS, "sections")}
    needed = tables_needed(specs)
    for batch in batches:
        yield batch, evaluate_part(load_parts(con, lake.root, batch, empty, needed), specs, settings)


def _fail_counts(df: pl.DataFrame) -> dict[str, int]:
    return dict(df.filter(pl.col("status") == "fail").group_by("severity").len().iter_rows())


def check_lake(lake: Lake, run_id: str, *, specs: list[CheckSpec] | None = None, settings: dict | None = None,
               progress: Callable[[int, int], None] | None = None) -> CheckSummary:
    """Check every report in the lake; parts already checked with the same suite are kept."""
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
    with connect(lake) as con:
        _check_parts(lake, run_id, todo, specs, settings, con, state, summary, progress)
    counts = [*state["files"].values(), state["cross"]]
    summary.failed = _sum_counts(counts)
    summary.results = sum(c["_rows"] for c in counts)
    state_path.write_text(json.dumps(state))
    return summary


def _check_parts(lake: Lake, run_id: str, todo: list[str], specs: list[CheckSpec], settings: dict,
                 con: duckdb.DuckDBPyConnection, state: dict, summary: CheckSummary,
                 progress: Callable[[int, int], None] | None) -> None:
    """Check the new parts batch by batch, then redo the cross-year checks; `state` records both."""
    from schemas import validate_tables

    out_dir = lake.dir("check_results")
    batches = _batches(lake, todo)
    for k, (batch, res) in enumerate(evaluate_batches(lake, batches, specs, settings, con)):
        table = _results_frame(res, run_id)
        summary.schema_problems += validate_tables({"check_results": table})
        name = f"r-{batch[0].removeprefix('part-').removesuffix('.parquet')}-{len(batch)}"
        lake.write_frame("check_results", table, name)
        state["files"][name] = {**_fail_counts(res), "_rows": res.height}
        state["parts"] += batch
        summary.evaluated_parts += len(batch)
        if progress:
            progress(k + 1, len(batches))
    # a new year N−1 report changes year N's results: cross-year checks are always redone
    for p in out_dir.glob("part-x-cross-year*.parquet"):
        p.unlink()
    state["cross"] = {"_rows": 0}
    for k, cross in enumerate(run_cross_year(lake, specs, con)):
        lake.write_frame("check_results", _results_frame(cross, run_id), f"x-cross-year-{k:05d}")
        for key, v in {**_fail_counts(cross), "_rows": cross.height}.items():
            state["cross"][key] = state["cross"].get(key, 0) + v


def _sum_counts(counts: list[dict]) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for c in counts:
        for k, v in c.items():
            if k != "_rows":
                out[k] += v
    return dict(out)

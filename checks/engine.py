"""Running the suite over whole batches: each cell table is read once into a grid (one row per
report, one column per cell); equations are column arithmetic over it (judged by pandera), cell
rules one pass over its cells, procedural checks vectorised polars computations; cross-year
checks pair each report with its office's previous one. Output: `check_results` rows."""

from __future__ import annotations

import json
import threading
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TypeVar

import polars as pl
import psutil
import pyarrow as pa

from checks.cellrules import run_cell_rules
from checks.frames import PartData, labels, load_parts
from checks.grid import DIMS
from checks.linear import Rule, grid_columns, rules_for, run_linear
from checks.results import empty_results, finish, report_rows
from checks.spec import CheckSpec, load_settings, load_suite, suite_fingerprint
from gkqc import faults
from gkqc.lake import CARRY, SCHEMA_FILE, Lake, frame_of

T = TypeVar("T")
CROSS_YEAR_CHUNK = 50_000  # reports whose cross-year checks are evaluated together (bounded memory)


def subject_labels(table: str | None = None) -> dict[str, str]:
    """Printed labels of the subjects of one table's rules (all tables when None)."""
    by_table = {"applications": {**labels("app_row"), **labels("app_column")},
                "reviews": labels("review_group"),
                "active_disclosure": {k.split(".", 1)[1]: v for k, v in labels("active_row").items()}}
    return by_table[table] if table else {k: v for d in by_table.values() for k, v in d.items()}


# ----------------------------------------------------------------------------- one part
def tables_needed(specs: list[CheckSpec]) -> set[str]:
    """The lake tables (besides reports) a suite reads within one batch."""
    from checks.procedural import NEEDS

    out: set[str] = set()
    for s in specs:
        if s.kind in ("equation", "cell", "cross_year"):
            out.add(s.table)
        elif s.kind == "procedural":
            out.update(NEEDS[s.function])
    return out


def cross_year_rules(specs: list[CheckSpec]) -> list[Rule]:
    return [r for n, s in enumerate(specs) if s.kind == "cross_year" for r in rules_for(s, n)]


def carry_columns(rules: list[Rule]) -> dict[str, list[str]]:
    """table -> the grid columns cross-year rules read, this year's and last year's alike."""
    out: dict[str, set[str]] = defaultdict(set)
    for r in rules:
        out[r.spec.table] |= {c.removeprefix("prev__") for c in grid_columns([r])}
    return {t: sorted(cs) for t, cs in out.items()}


def evaluate_part(data: PartData, specs: list[CheckSpec], settings: dict) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(results of every within-report check, the cells cross-year checks will read) for one batch."""
    from checks.procedural import FUNCTIONS

    by_table: dict[str, list[Rule]] = defaultdict(list)
    for n, s in enumerate(specs):
        if s.kind == "equation":
            by_table[s.table] += rules_for(s, n)
    jobs: list[Callable[[], list[pl.DataFrame]]] = []
    for table, rules in by_table.items():
        jobs.append(partial(run_linear, data.grids[table].grid, rules, subject_labels(table)))
    for table, cells in data.grids.items():
        jobs.append(partial(run_cell_rules, cells, [s for s in specs if s.kind == "cell" and s.table == table],
                            data.reports))
    for s in specs:
        if s.kind == "procedural":
            scoped = data.reports.filter(pl.col("template").is_in(list(s.templates)))
            if scoped.height:
                jobs.append(lambda s=s, scoped=scoped: [finish(FUNCTIONS[s.function](data, scoped, s, settings), s)])
    with ThreadPoolExecutor(2) as pool:  # polars releases the GIL: independent checks run side by side
        out = [d for found in pool.map(lambda job: job(), jobs) for d in found]
    unknown = data.reports.filter(pl.col("template").is_null()).select("report_id")
    for s in specs if unknown.height else ():  # no template: nothing can be judged, and nothing passes silently
        out.append(finish(report_rows(unknown, "not_assessable", "无法判断：未能确定报告模板与年度，表格未读取"), s))
    out = [d for d in out if d.height]
    carry = pl.concat([data.reports.select("report_id", "report_year"),
                       *(data.grids[t].grid.select(cs) for t, cs in carry_columns(cross_year_rules(specs)).items())],
                      how="horizontal")
    return (pl.concat(out) if out else empty_results()), carry


# ----------------------------------------------------------------------------- across years
def latest_prev(reports: pl.LazyFrame) -> pl.LazyFrame:
    """For each report: the latest report of the same office for the previous year (or null);
    latest = published last, then ingested last, then the smallest report id."""
    latest = (reports.filter(pl.col("office").is_not_null() & pl.col("report_year").is_not_null())
              .group_by("office", "report_year")
              .agg(pl.col("report_id").sort_by(["published_at", "ingested_at", "report_id"],
                                                descending=[True, True, False], nulls_last=True).first().alias("prev_id"))
              .select("office", (pl.col("report_year") + 1).alias("report_year"), "prev_id"))
    return reports.join(latest, on=["office", "report_year"], how="left").select(
        "report_id", "template", "report_year", "prev_id")


def _year_groups(pairs: pl.DataFrame) -> list[list[int]]:
    """Report years in order, grouped while a group holds at most `CROSS_YEAR_CHUNK` reports
    (a single larger year is a group of its own)."""
    groups: list[list[int]] = []
    size = 0
    for year, n in pairs.group_by("report_year").len().sort("report_year").iter_rows():
        if not groups or size + n > CROSS_YEAR_CHUNK:
            groups.append([])
            size = 0
        groups[-1].append(year)
        size += n
    return groups


def cross_year_pairs(lake: Lake, specs: list[CheckSpec]) -> pl.DataFrame:
    """Every report a cross-year rule applies to, with its previous report (`latest_prev`); it
    reads only the reports table, so it can be found while the batches are checked."""
    templates = list({r.template for r in cross_year_rules(specs)})
    reports = pl.scan_parquet(lake.paths("reports")).select("report_id", "template", "office", "report_year",
                                                            "published_at", "ingested_at")
    return latest_prev(reports).filter(pl.col("report_year").is_not_null()
                                       & pl.col("template").is_in(templates)).collect()


def run_cross_year(lake: Lake, specs: list[CheckSpec], carry_files: list[Path],
                   pairs: pl.DataFrame | None = None) -> Iterator[pl.DataFrame]:
    """Cross-year rules over every report of the lake: each report's cells (from the batches'
    carry files) beside its previous report's as `prev__…` columns, a few report years at a time
    and `CROSS_YEAR_CHUNK` reports at a time within them (bounded memory); yields the results
    slice by slice. `pairs`: `cross_year_pairs`, when already found."""
    rules = cross_year_rules(specs)
    if not rules or not carry_files:
        return
    pairs = cross_year_pairs(lake, specs) if pairs is None else pairs
    no_prev = pl.lit("无法判断：缺少同一机关上一年度的报告，无法比对")
    for years in _year_groups(pairs):  # those years and the ones before are in memory at a time
        cells = pl.scan_parquet(carry_files).filter(
            pl.col("report_year").is_in(sorted({y - 1 for y in years} | set(years)))).collect()
        # each report's and its predecessor's row in `cells`, found once; chunks then gather by position
        at = cells.select("report_id").with_row_index("at")
        year_pairs = (pairs.filter(pl.col("report_year").is_in(years)).join(at, on="report_id")
                      .join(at.rename({"report_id": "prev_id", "at": "prev_at"}), on="prev_id", how="left")
                      .select("report_id", "template", "at", "prev_at"))
        cells = cells.drop("report_id", "report_year")
        for start in range(0, year_pairs.height, CROSS_YEAR_CHUNK):
            chunk = year_pairs.slice(start, CROSS_YEAR_CHUNK)
            wide = pl.concat([chunk.select("report_id", "template"), cells[chunk["at"]],
                              cells[chunk["prev_at"]].select(pl.all().name.prefix("prev__"))], how="horizontal")
            found = [d for d in run_linear(wide, rules, subject_labels(), missing_message=no_prev) if d.height]
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
    return frame_of("check_results", df.hstack([pl.repeat(run_id, df.height, dtype=pl.Utf8, eager=True).alias("run_id")]))


BATCH_REPORTS = 10_000
BATCHES_AT_ONCE = 2
OVERLAP_BELOW = 768 << 20  # resident bytes: above this, batches run one at a time (peak memory stays bounded)


def _batches(lake: Lake, parts: list[str]) -> list[list[str]]:
    out: list[list[str]] = [[]]
    size = 0
    for p in parts:
        n = lake.rows("reports", p)
        if out[-1] and size + n > BATCH_REPORTS:
            out.append([])
            size = 0
        out[-1].append(p)
        size += n
    return [b for b in out if b]


def report_parts(lake: Lake) -> list[str]:
    """Names of the lake's report parts (one per ingest batch), in order."""
    return lake.part_names("reports")


def evaluate_batches(lake: Lake, batches: list[list[str]], specs: list[CheckSpec], settings: dict,
                     then: Callable[[list[str], pl.DataFrame, pl.DataFrame], T] | None = None) -> Iterator[T]:
    """For each batch of parts (see `_batches`), in order: `then(batch, its results, its carry
    cells)`, called on the worker thread that evaluated the batch (so storing one batch overlaps
    evaluating the next); without `then`, that triple itself. Only the tables needed are read."""
    empty = {t: pl.read_parquet(lake.dir(t) / SCHEMA_FILE) for t in (*DIMS, "sections")}
    needed = tables_needed(specs)
    after = then or (lambda batch, res, carry: (batch, res, carry))

    def one(batch: list[str]) -> T:
        return after(batch, *evaluate_part(load_parts(lake, batch, empty, needed), specs, settings))

    process = psutil.Process()
    with ThreadPoolExecutor(BATCHES_AT_ONCE) as pool:  # batches overlap while the process is small
        pending: deque = deque()
        for batch in batches:
            pending.append(pool.submit(one, batch))
            if len(pending) == BATCHES_AT_ONCE or process.memory_info().rss > OVERLAP_BELOW:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _fail_counts(df: pl.DataFrame) -> dict[str, int]:
    return dict(df.lazy().select("status", "severity").filter(pl.col("status") == "fail").group_by("severity").len()
                .collect().iter_rows())


def check_lake(lake: Lake, run_id: str, *, specs: list[CheckSpec] | None = None, settings: dict | None = None,
               progress: Callable[[int, int], None] | None = None) -> CheckSummary:
    """Check every report in the lake; parts already checked with the same suite are kept."""
    specs = specs if specs is not None else load_suite()
    settings = settings if settings is not None else load_settings()
    fingerprint = suite_fingerprint() + str(len(specs))
    state = json.loads(json.dumps(lake.state.get("checks", {})))
    if state.get("fingerprint") != fingerprint:  # suite changed: every report is checked again
        state = {"fingerprint": fingerprint, "parts": [], "files": {}}
        lake.drop("check_results", lake.part_names("check_results"))
        lake.drop(CARRY, lake.part_names(CARRY))
    done = set(state["parts"])
    todo = [p for p in report_parts(lake) if p not in done]
    summary = CheckSummary()
    if not todo and "cross" in state:
        counts = [*state["files"].values(), state["cross"]]
        summary.failed = _sum_counts(counts)
        summary.results = sum(c["_rows"] for c in counts)
        return summary  # nothing new: every result, cross-year ones included, still holds
    summary.changed = True
    _check_parts(lake, run_id, todo, specs, settings, state, summary, progress)
    counts = [*state["files"].values(), state["cross"]]
    summary.failed = _sum_counts(counts)
    summary.results = sum(c["_rows"] for c in counts)
    lake.state["checks"] = state
    return summary


def _store(lake: Lake, res: pl.DataFrame, run_id: str, name: str) -> tuple[list, dict[str, int]]:
    """Validate and write one part of the results; (schema problems, failures per severity and rows)."""
    from schemas import validate_tables

    table = _results_frame(res, run_id)
    problems = validate_tables({"check_results": table})
    lake.write_frame("check_results", table, name)
    faults.point("check-write")
    return problems, {**_fail_counts(res), "_rows": res.height}


WRITERS = 2  # threads validating and writing results while later batches (and cross-year checks) run


def _check_parts(lake: Lake, run_id: str, todo: list[str], specs: list[CheckSpec], settings: dict,
                 state: dict, summary: CheckSummary,
                 progress: Callable[[int, int], None] | None) -> None:
    """Check the new parts batch by batch, then redo the cross-year checks; `state` records both.
    Results are validated and written by `WRITERS` threads, at most that many waiting at a time
    (bounded memory), so writing overlaps the next batches and the cross-year step."""
    batches = _batches(lake, todo)
    slots = threading.BoundedSemaphore(WRITERS)

    with ThreadPoolExecutor(WRITERS) as writers:
        pairs = writers.submit(cross_year_pairs, lake, specs)  # the writers are idle until the first batch is done

        def write(res: pl.DataFrame, name: str) -> Future:
            slots.acquire()  # on the evaluating thread: wait while `WRITERS` results are still being written
            future = writers.submit(_store, lake, res, run_id, name)
            future.add_done_callback(lambda _: slots.release())
            return future

        def store(batch: list[str], res: pl.DataFrame, carry: pl.DataFrame) -> tuple[list[str], str, Future]:
            name = f"r-{batch[0].removeprefix('part-').removesuffix('.parquet')}-{len(batch)}"
            lake.write_frame(CARRY, carry, name)
            return batch, name, write(res, name)

        written = []
        for k, done in enumerate(evaluate_batches(lake, batches, specs, settings, store)):
            written.append(done)
            if progress:
                progress(k + 1, len(batches))
        pa.default_memory_pool().release_unused()  # Arrow's read buffers go back before the cross-year step
        # a new year N−1 report changes year N's results: cross-year checks are always redone
        lake.drop("check_results", [p for p in lake.part_names("check_results") if p.startswith("part-x-cross-year")])
        cross = [write(res, f"x-cross-year-{run_id}-{k:05d}")
                 for k, res in enumerate(run_cross_year(lake, specs, lake.files(CARRY), pairs.result()))]
        for batch, name, future in written:
            problems, state["files"][name] = future.result()
            summary.schema_problems += problems
            state["parts"] += batch
            summary.evaluated_parts += len(batch)
        state["cross"] = {"_rows": 0}
        for future in cross:
            problems, counts = future.result()
            summary.schema_problems += problems
            for key, v in counts.items():
                state["cross"][key] = state["cross"].get(key, 0) + v


def _sum_counts(counts: list[dict]) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for c in counts:
        for k, v in c.items():
            if k != "_rows":
                out[k] += v
    return dict(out)

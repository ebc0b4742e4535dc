"""Running the suite over the lake, batch by batch: each batch of reports is read once (cell
tables as grids: one row per report, one column per cell), every check kind evaluates it into
`check_results` rows, and the rows are validated and written as one part. Kinds that compare
reports with each other (`across`) run after the last batch, on what each batch carried.

Batches already checked with the same suite are kept; cross-report results are redone whenever
a batch is new (a new report of year N−1 changes year N's results) or the offices reports are
paired by change.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import polars as pl

from checks import ocr
from checks.blanks import blank_policy
from checks.frames import PartData, load_parts
from checks.kinds import KINDS
from checks.results import empty_results, finish, report_rows
from checks.spec import CheckSpec
from checks.suite import load_settings, load_suite, suite_fingerprint
from gkqc import faults, memory
from gkqc.lake import CARRY, SCHEMA_FILE, Lake, frame_of
from gkqc.offices import resolution_key
from gkqc.storage import read_frame
from schemas.lake import CELL_IDS

BATCH_REPORTS = 10_000  # reports read and checked together
NO_TEMPLATE = "无法判断：未能确定报告模板与年度，表格未读取"


@dataclass
class CheckSummary:
    evaluated_parts: int = 0
    changed: bool = False  # any result written this run (else the previous results stand)
    results: int = 0
    failed: dict[str, int] = field(default_factory=dict)  # severity -> failing results
    schema_problems: list = field(default_factory=list)
    idle: list[str] = field(default_factory=list)  # checks no template of the registry takes (T2 without `states_fee`)


def by_kind(specs: list[CheckSpec]) -> dict[str, list[CheckSpec]]:
    out: dict[str, list[CheckSpec]] = defaultdict(list)
    for s in specs:
        out[s.kind].append(s)
    return out


def tables_needed(specs: list[CheckSpec]) -> set[str]:
    """The lake tables (besides reports) a suite reads within one batch."""
    return {t for s in specs for t in KINDS[s.kind].tables(s)}


def prepare(data: PartData, specs: list[CheckSpec], settings: dict) -> None:
    """Before any kind reads a value: the blank-cell policy is applied to the grids (under `zero` a
    blank is 0 for every equation and cross-year rule, and for the OCR gate), then OCR values are
    proven by their equations."""
    if blank_policy(settings) == "zero":
        for cells in data.grids.values():
            cells.count_blanks_as_zero()
    data.rejected = ocr.gate(data, specs)


def evaluate_part(data: PartData, specs: list[CheckSpec], settings: dict) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(results of every within-report check, the columns kinds carry to `across`) for one batch."""
    kinds = by_kind(specs)
    prepare(data, specs, settings)
    out = [d for name, mine in kinds.items() for d in KINDS[name].evaluate(data, mine, settings)]
    unknown = data.reports.filter(pl.col("template").is_null()).select("report_id")
    for s in specs if unknown.height else ():  # no template: nothing can be judged, and nothing passes silently
        out.append(finish(report_rows(unknown, "not_assessable", NO_TEMPLATE), s))
    out = [d for d in out if d.height]
    carried = [c for name, mine in kinds.items() for c in KINDS[name].carry(data, mine)]
    carry = pl.concat([data.reports.select("report_id", "report_year"), *carried], how="horizontal")
    return (pl.concat(out) if out else empty_results()), carry


def batches(lake: Lake, parts: list[str]) -> list[list[str]]:
    """Ingest parts grouped into batches of about `BATCH_REPORTS` reports."""
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


def evaluate_batches(lake: Lake, parts: list[list[str]], specs: list[CheckSpec],
                     settings: dict) -> Iterator[tuple[list[str], pl.DataFrame, pl.DataFrame]]:
    """(batch, its results, its carried columns) for each batch, reading only the tables needed."""
    empty = {t: read_frame([lake.file(t, SCHEMA_FILE)]) for t in (*CELL_IDS, "sections")}
    needed = tables_needed(specs)
    for batch in parts:
        yield batch, *evaluate_part(load_parts(lake, batch, empty, needed), specs, settings)


def results_frame(df: pl.DataFrame, run_id: str) -> pl.DataFrame:
    """Results in the lake's `check_results` columns and types, stamped with the run."""
    return frame_of("check_results", df.hstack([pl.repeat(run_id, df.height, dtype=pl.Utf8, eager=True).alias("run_id")]))


def _store(lake: Lake, res: pl.DataFrame, run_id: str, name: str) -> dict[str, int]:
    """Write one part of the results (the lake validates it); its failures per severity and rows."""
    lake.write_frame("check_results", results_frame(res, run_id), name)
    faults.point("check-write")
    fails = res.lazy().filter(pl.col("status") == "fail").group_by("severity").len().collect()
    return {**dict(fails.iter_rows()), "_rows": res.height}


def check_lake(lake: Lake, run_id: str, *, specs: list[CheckSpec] | None = None, settings: dict | None = None,
               progress: Callable[[int, int], None] | None = None) -> CheckSummary:
    """Check every report of the lake's snapshot; the state of what was checked goes with it."""
    specs = specs if specs is not None else load_suite()
    settings = settings if settings is not None else load_settings()
    # the settings in use too: a run with other settings (e.g. the blank policy) re-checks everything;
    # and the office registry, which gives each report's office kind and region (deadlines, D1); and
    # the reading key (gkqc.reread): files read again replace reports, so every report is checked again
    fingerprint = suite_fingerprint() + str(len(specs)) + hashlib.sha256(
        json.dumps([settings, lake.state.get("offices_sha256"), lake.state.get("reading_key")], sort_keys=True, default=str).encode()).hexdigest()[:8]
    state = json.loads(json.dumps(lake.state.get("checks", {})))
    if state.get("fingerprint") != fingerprint:  # suite changed: every report is checked again
        state = {"fingerprint": fingerprint, "parts": [], "files": {}}
        lake.drop("check_results", lake.part_names("check_results"))
        lake.drop(CARRY, lake.part_names(CARRY))
    done = set(state["parts"])
    todo = [p for p in lake.part_names("reports") if p not in done]
    summary = CheckSummary(idle=[s.id for s in specs if not s.templates])
    first = len(lake.schema_problems)
    offices = resolution_key(lake)  # the offices reports are paired by (gkqc.offices): a new alias re-pairs them
    if todo or "cross" not in state or state.get("offices") != offices:
        state["offices"] = offices
        summary.changed = True
        _check_parts(lake, run_id, todo, specs, settings, state, summary, progress)
        lake.state["checks"] = state
    counts = [*state["files"].values(), state["cross"]]
    summary.failed = dict(_sum_counts(counts))
    summary.results = sum(c["_rows"] for c in counts)
    summary.schema_problems = lake.schema_problems[first:]
    return summary


def _check_parts(lake: Lake, run_id: str, todo: list[str], specs: list[CheckSpec], settings: dict,
                 state: dict, summary: CheckSummary, progress: Callable[[int, int], None] | None) -> None:
    """Check the new parts batch by batch, then redo the cross-report checks; `state` records both."""
    groups = batches(lake, todo)
    for k, (batch, res, carry) in enumerate(evaluate_batches(lake, groups, specs, settings)):
        # named by this run too: a re-check under another suite writes beside the committed parts, never over them
        name = f"r-{run_id}-{batch[0].removeprefix('part-').removesuffix('.parquet')}-{len(batch)}"
        lake.write_frame(CARRY, carry, name)
        state["files"][name] = _store(lake, res, run_id, name)
        state["parts"] += batch
        summary.evaluated_parts += len(batch)
        if progress:
            progress(k + 1, len(groups))
    lake.drop("check_results", [p for p in lake.part_names("check_results") if p.startswith("part-x-")])
    state["cross"] = {"_rows": 0}
    k = 0
    for name, mine in by_kind(specs).items():
        memory.hand_back()  # what one kind freed goes back before the next holds its own (docs/benchmarks.md)
        for res in KINDS[name].across(lake, mine, lake.files(CARRY), settings):
            counts = _store(lake, res, run_id, f"x-{run_id}-{k:05d}")
            k += 1
            for key, v in counts.items():
                state["cross"][key] = state["cross"].get(key, 0) + v


def _sum_counts(counts: list[dict]) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for c in counts:
        for k, v in c.items():
            if k != "_rows":
                out[k] += v
    return out

"""`gkqc bench`: the whole pipeline on a simulated collection of N reports, stage by stage.

Prints reports per second for parse, validate, scorecards and end to end (first file read to
last scorecard written), Prefect's fixed start-up on its own, peak memory of the process tree,
validation time against a hand-written DuckDB SQL baseline of the A1–A3 residuals, and the
time of an unchanged re-run.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb
import psutil

from gkqc.lifeline import prefect_api
from gkqc.settings import PROJECT_ROOT

CACHE_ENV = "GKQC_BENCH_CACHE"  # where simulated collections and bench warehouses are kept


def cache_dir() -> Path:
    """The bench's folder: $GKQC_BENCH_CACHE, else `bench-cache/` in the project (ignored by git)."""
    return Path(os.environ.get(CACHE_ENV) or PROJECT_ROOT / "bench-cache")
YEARS = (2020, 2024)


class PeakRSS:
    """Samples the resident memory of this process and its children (the parser workers)."""

    def __init__(self, every: float = 0.1):
        self.every, self.peak, self.peak_at = every, 0, 0.0  # peak_at: time.perf_counter() of the peak
        self._stop = threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        me = psutil.Process()
        while not self._stop.is_set():
            total = 0
            for p in [me, *me.children(recursive=True)]:
                with contextlib.suppress(psutil.Error):
                    total += p.memory_info().rss
            if total > self.peak:
                self.peak, self.peak_at = total, time.perf_counter()
            self._stop.wait(self.every)

    def __enter__(self) -> PeakRSS:
        self._t.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._t.join()


def collection(reports: int, seed: int, form: str | None = None) -> Path:
    """A simulated collection of about `reports` reports, cached by size and seed; `form`: every
    report in that form (e.g. "pdf", "docx"), else the usual mix of text forms."""
    from gkqc.simulate.collection import simulate

    if form == "pdf":  # files in the embedded font and in the named one are different collections
        from gkqc.simulate.pdf import default_font

        form = f"pdf-{default_font()}"
    d = cache_dir() / (f"sim-n{reports}-s{seed}" + (f"-{form}" if form else ""))
    if (d / "truth.jsonl").exists():
        return d
    shutil.rmtree(d, ignore_errors=True)
    years = YEARS[1] - YEARS[0] + 1
    simulate(d, max(1, round(reports / (years * 0.96 * 1.02))), YEARS, seed=seed, defect_rate=0.1, workers=2,
             forms=[(form.split("-")[0], 1.0)] if form else None)
    return d


def linked_copy(src: Path, dst: Path, keep: tuple[str, ...] = ()) -> Path:
    """`dst` made a copy of the folder `src` by hard links (the cached collection stays as it is
    while a run's inbox grows); `keep`: only the top-level entries whose names start so."""
    shutil.rmtree(dst, ignore_errors=True)
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src)
        if keep and not rel.parts[0].startswith(keep):
            continue
        if path.is_dir():
            (dst / rel).mkdir(parents=True, exist_ok=True)
        else:
            (dst / rel).parent.mkdir(parents=True, exist_ok=True)
            os.link(path, dst / rel)
    return dst


A1_A3_SQL = """
copy (
  with a as (select report_id, row_id, column_id, value from read_parquet('{lake}/applications/*.parquet')),
  a1 as (select report_id, 'A1' as check_id, column_id as subject,
                sum(case when row_id in ('results_total', 'carried_forward') then value
                         when row_id in ('new_received', 'carried_over') then -value end) as residual,
                count(*) filter (where row_id in ('results_total', 'carried_forward', 'new_received', 'carried_over')
                                 and value is null) as blanks
         from a group by all),
  a2 as (select report_id, 'A2' as check_id, column_id as subject,
                sum(case when row_id = 'results_total' then value
                         when row_id not in ('new_received', 'carried_over', 'results_total', 'carried_forward')
                         then -value end) as residual,
                count(*) filter (where row_id not in ('new_received', 'carried_over', 'carried_forward')
                                 and value is null) as blanks
         from a group by all),
  a3 as (select report_id, 'A3' as check_id, row_id as subject,
                sum(case when column_id = 'total' then value else -value end) as residual,
                count(*) filter (where value is null) as blanks
         from a group by all)
  select report_id, check_id, subject,
         case when blanks > 0 then 'not_assessable' when abs(residual) > 1e-6 then 'fail' else 'pass' end as status,
         residual
  from (select * from a1 union all select * from a2 union all select * from a3)
) to '{out}' (format parquet)
"""


def duckdb_baseline(lake: Path, out: Path) -> float:
    """Seconds for DuckDB to compute and write the A1–A3 residuals of every report."""
    con = duckdb.connect()
    start = time.perf_counter()
    con.execute(A1_A3_SQL.format(lake=lake, out=out))
    elapsed = time.perf_counter() - start
    con.close()
    return elapsed


def engine_same_checks(lake: Path, out: Path, ids: tuple[str, ...] = ("A1", "A2", "A3")) -> float:
    """Seconds for our check engine to evaluate and write only the baseline's checks (like for like)."""
    from checks.engine import batches, evaluate_batches, results_frame
    from checks.suite import load_settings, load_suite
    from gkqc.lake import Lake

    specs = [s for s in load_suite() if s.id in ids]
    settings, lk = load_settings(), Lake(lake)
    lk.init()
    start = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    for k, (_, res, _carry) in enumerate(evaluate_batches(lk, batches(lk, lk.part_names("reports")), specs, settings)):
        results_frame(res, "bench").write_parquet(out / f"part-{k:05d}.parquet", compression="lz4")
    return time.perf_counter() - start


def prefect_startup() -> float:
    """Seconds for Prefect to run a first, empty flow (paid once per process, after its API starts)."""
    from prefect import flow

    @flow(name="gkqc-bench-startup")
    def noop() -> None:
        return None

    start = time.perf_counter()
    noop()
    return time.perf_counter() - start


@dataclass
class BenchResult:
    reports: int
    files: int
    startup_s: float
    parse_s: float
    validate_s: float
    scorecards_s: float
    end_to_end_s: float
    rerun_s: float
    nightly_s: float  # a run after `nightly_reports` new reports arrived
    nightly_reports: int
    baseline_s: float
    same_checks_s: float  # our engine on A1–A3 only, the baseline's checks
    peak_rss_mb: float
    peak_stage: str = ""
    forms: dict[str, dict] = field(default_factory=dict)  # per document form: its own run's rates

    def as_dict(self) -> dict:
        r = self.reports
        return {
            "reports": r, "files": self.files, "startup_s": round(self.startup_s, 2),
            "parse_s": round(self.parse_s, 2), "validate_s": round(self.validate_s, 2),
            "scorecards_s": round(self.scorecards_s, 2), "end_to_end_s": round(self.end_to_end_s, 2),
            "parse_rps": round(r / self.parse_s, 1), "validate_rps": round(r / self.validate_s, 1),
            "scorecards_rps": round(r / self.scorecards_s, 1), "end_to_end_rps": round(r / self.end_to_end_s, 1),
            "peak_rss_mb": round(self.peak_rss_mb, 1), "peak_stage": self.peak_stage,
            "duckdb_baseline_s": round(self.baseline_s, 2),
            "validate_vs_duckdb_ratio": round(self.validate_s / self.baseline_s, 2),
            "a1_a3_s": round(self.same_checks_s, 2),
            "a1_a3_vs_duckdb_ratio": round(self.same_checks_s / self.baseline_s, 2),
            "rerun_s": round(self.rerun_s, 2), "rerun_vs_first": round(self.rerun_s / self.end_to_end_s, 3),
            "nightly_reports": self.nightly_reports, "nightly_s": round(self.nightly_s, 2),
            **({"forms": self.forms} if self.forms else {}),
        }


def run_form(form: str, reports: int, seed: int, workers: int, log=print) -> dict:
    """One run of the flow over a collection whose reports are all in `form`: rates from the first
    file read to the last scorecard, and how the files were read."""
    from flows.pipeline import gkqc_run

    log(f"模拟 {reports} 份 {form} 报告 … simulating {form} reports")
    sim = collection(reports, seed, form)
    wh = cache_dir() / f"wh-n{reports}-s{seed}-{form}"
    shutil.rmtree(wh, ignore_errors=True)
    log(f"运行流水线 … running the pipeline on the {form} reports")
    res = gkqc_run(str(sim), str(wh), workers)
    t = res.timings
    end_to_end = sum(t.values())
    from warehouse.access import connect_readonly

    con = connect_readonly(wh)
    try:
        statuses = dict(con.execute("select parse_status, count(*) from documents where format = ? group by all",
                                    [form]).fetchall())
    finally:
        con.close()
    n = res.ingest.reports_new
    return {"reports": n, "files": res.ingest.seen, "parse_s": round(t["parse"], 2),
            "end_to_end_s": round(end_to_end, 2), "parse_rps": round(n / t["parse"], 1),
            "end_to_end_rps": round(n / end_to_end, 1), "parse_status": statuses}


def run_bench(reports: int, seed: int = 1, workers: int = 2, log=print, forms: tuple[str, ...] = (),
              form_reports: int = 1000) -> BenchResult:
    from flows.pipeline import gkqc_run

    log(f"模拟 {reports} 份报告（缓存于 {cache_dir()}）… simulating")
    sim = linked_copy(collection(reports, seed), cache_dir() / "inbox")
    late = collection(max(reports // 100, 50), seed + 1000)  # a night's arrivals: reports of other offices
    truth_lines = (sim / "truth.jsonl").read_text(encoding="utf-8").count("\n")
    wh = cache_dir() / f"wh-n{reports}-s{seed}"
    shutil.rmtree(wh, ignore_errors=True)
    log("启动 Prefect … starting Prefect")
    start = time.perf_counter()
    with prefect_api(cache_dir()):  # its own API server, which dies with this process however it ends
        startup = time.perf_counter() - start + prefect_startup()
        log(f"运行流水线 … running the pipeline on {truth_lines} files")
        with PeakRSS() as mem:
            first = gkqc_run(str(sim), str(wh), workers)
        n = first.ingest.reports_new
        with PeakRSS() as mem_rerun:  # the re-run is the pipeline too: its memory counts
            start = time.perf_counter()
            gkqc_run(str(sim), str(wh), workers)
            rerun = time.perf_counter() - start
        linked_copy(late, sim / "late", keep=("o",))
        start = time.perf_counter()
        nightly = gkqc_run(str(sim), str(wh), workers)
        nightly_s = time.perf_counter() - start
        by_form = {form: run_form(form, form_reports, seed, workers, log) for form in forms}
    baseline = duckdb_baseline(wh / "lake", wh / "baseline.parquet")
    same = engine_same_checks(wh / "lake", wh / "bench-a1-a3")
    t = first.timings
    return BenchResult(reports=n, files=first.ingest.seen, startup_s=startup, parse_s=t["parse"],
                       validate_s=t["validate"], scorecards_s=t["scorecards"], end_to_end_s=sum(t.values()),
                       rerun_s=rerun, nightly_s=nightly_s, nightly_reports=nightly.ingest.reports_new,
                       baseline_s=baseline, same_checks_s=same,
                       peak_rss_mb=max(mem.peak, mem_rerun.peak) / 2**20,
                       peak_stage=stage_at(first.clock_start, t, mem.peak_at)
                       if mem.peak >= mem_rerun.peak else "rerun", forms=by_form)


def stage_at(started: float, timings: dict[str, float], when: float) -> str:
    """The pipeline stage running at perf_counter time `when` (for the memory peak)."""
    end = started
    for stage, seconds in timings.items():
        end += seconds
        if when <= end:
            return stage
    return "after"


def print_result(res: BenchResult, console, as_json: bool) -> None:
    d = res.as_dict()
    from rich.table import Table

    t = Table("指标 metric", "值 value", title=f"gkqc bench：{d['reports']} 份报告（{d['files']} 个文件）")
    for k, v in d.items():
        if k != "forms":
            t.add_row(k, str(v))
    console.print(t)
    if res.forms:
        f = Table("形式 form", "报告 reports", "解析 parse /s", "端到端 end to end /s", "解析状态 parse status",
                  title="按文件形式 per form (each its own run)")
        for form, r in res.forms.items():
            f.add_row(form, str(r["reports"]), str(r["parse_rps"]), str(r["end_to_end_rps"]),
                      ", ".join(f"{k} {v}" for k, v in sorted(r["parse_status"].items())))
        console.print(f)
    if as_json:
        print(json.dumps(d, ensure_ascii=False))


# ---------------------------------------------------------------------------------------------- on a cluster
@contextlib.contextmanager
def _scheduler(address: str):
    """The scheduler to use: `address`, or for "local" a cluster of two single-threaded worker
    processes started (and stopped) here."""
    if address != "local":
        yield address
        return
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        yield cluster.scheduler_address


def _warm() -> None:
    """On a worker: import the parser (what its first chunk would otherwise pay)."""
    import gkqc.parse_worker  # noqa: F401


def _parse_rate(sim: Path, lake_dir: Path, **where) -> dict:
    """Ingest a collection into a fresh lake (the parse stage: read, hash, parse, validate, write);
    files and reports per second, and milliseconds per file."""
    from gkqc.ingest import ingest
    from gkqc.lake import Lake

    shutil.rmtree(lake_dir, ignore_errors=True)
    start = time.perf_counter()
    s = ingest(sim, Lake(lake_dir), "bench", **where)
    took = time.perf_counter() - start
    return {"files": s.seen, "reports": s.reports_new, "parse_s": round(took, 2),
            "files_per_s": round(s.seen / took, 1), "reports_per_s": round(s.reports_new / took, 1),
            "ms_per_file": round(1000 * took / s.seen, 2)}


def run_cluster_bench(reports: int, address: str, seed: int = 1, workers: int = 2, log=print,
                      forms: tuple[str, ...] = (), form_reports: int = 1000) -> dict:
    """The parse stage of a simulated collection (and of one per extra form) with local parser
    processes, then on the cluster with one and with two of its workers (chunks as `gkqc run
    --cluster` sends them). `address`: a Dask scheduler, or "local" for two worker processes here.
    `ms_per_file × workers` on the cluster is the per-file cost (all stages of parsing) per worker."""
    from gkqc.cluster import ClusterParser, workers_of

    sims = {"text": collection(reports, seed)}
    for form in forms:
        log(f"模拟 {form_reports} 份 {form} 报告 … simulating {form} reports")
        sims[form] = collection(form_reports, seed, form)
    out: dict = {"cluster": address, "collections": {}}
    with _scheduler(address) as scheduler, prefect_api(cache_dir()):  # chunk task runs report to this API
        names = workers_of(scheduler)
        if len(names) < 2:
            raise RuntimeError(f"集群 {address} 只有 {len(names)} 个工作进程，需要至少 2 个 (need 2 workers)")
        from distributed import Client

        with Client(scheduler, timeout=30) as client:  # warm the workers: imports are paid once, not measured
            client.run(_warm)
            out["worker_threads"] = {w: n for w, n in client.nthreads().items() if w in names[:2]}
        for w in names[:2]:  # and Prefect's task engine on each, with an empty chunk
            with ClusterParser(scheduler, [w]) as parser:
                parser.submit([], "warm-up", datetime.now()).result()
        for name, sim in sims.items():
            rows = {"local": {"processes": workers, **_parse_rate(sim, cache_dir() / "wh-cluster" / "local", workers=workers)}}
            log(f"{name}: 本机 {workers} 个进程 local processes {rows['local']['files_per_s']} files/s")
            for k in (1, 2):
                rate = _parse_rate(sim, cache_dir() / "wh-cluster" / f"w{k}", cluster=ClusterParser(scheduler, names[:k]))
                rows[f"workers_{k}"] = {"workers": k, **rate, "ms_per_file_per_worker": round(rate["ms_per_file"] * k, 2)}
                log(f"{name}: 集群 {k} 个工作进程 cluster workers {rate['files_per_s']} files/s")
            rows["speedup_2_vs_1"] = round(rows["workers_1"]["parse_s"] / rows["workers_2"]["parse_s"], 2)
            out["collections"][name] = rows
    shutil.rmtree(cache_dir() / "wh-cluster", ignore_errors=True)
    return out


def print_cluster_result(res: dict, console, as_json: bool) -> None:
    from rich.table import Table

    t = Table("文件形式 form", "解析方式 parsed by", "文件 files", "文件/秒 files/s", "报告/秒 reports/s",
              "毫秒/文件 ms/file", title=f"gkqc bench --cluster {res['cluster']}：解析阶段 parse stage")
    for form, rows in res["collections"].items():
        for key, r in rows.items():
            if isinstance(r, dict):
                who = f"本机 {r['processes']} 进程 local" if key == "local" else f"集群 {r['workers']} 工作进程 cluster"
                t.add_row(form, who, str(r["files"]), str(r["files_per_s"]), str(r["reports_per_s"]), str(r["ms_per_file"]))
        t.add_row(form, "2 比 1 加速 speedup", "", str(rows["speedup_2_vs_1"]), "", "")
    console.print(t)
    if as_json:
        print(json.dumps(res, ensure_ascii=False))

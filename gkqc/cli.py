"""The `gkqc` command line: a thin layer over the library and the flow."""

from __future__ import annotations

import os

# For this process and the processes it starts (parsers, the site's second process); a value you set
# wins; measured in docs/benchmarks.md. pyarrow's allocator (mimalloc) without transparent huge pages;
# polars' and DuckDB's allocators (each a jemalloc of its own) hand freed pages back at once instead of
# keeping them for reuse.
os.environ.setdefault("MIMALLOC_ALLOW_THP", "0")
os.environ.setdefault("_RJEM_MALLOC_CONF", "dirty_decay_ms:0,muzzy_decay_ms:0")
os.environ.setdefault("DUCKDB_JE_MALLOC_CONF", "dirty_decay_ms:0,muzzy_decay_ms:0")

import json  # noqa: E402
import logging
import math
import re
import signal
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from typer._click.exceptions import (  # Typer's own Click
    BadOptionUsage,
    BadParameter,
    MissingParameter,
    NoSuchOption,
    UsageError,
)
from typer.core import TyperGroup

from gkqc import progress, stopping
from gkqc.lifeline import prefect_api
from gkqc.settings import DEFAULT_WAREHOUSE, SAMPLE_INBOX, quiet_prefect
from gkqc.summary import ALERT, WARN, summary_rows

if TYPE_CHECKING:
    from gkqc.storage import Warehouse

def _in_chinese(e: UsageError) -> str:
    """What a command-line usage error is, in Chinese, before Click's English words."""
    said = e.format_message()
    what = ("没有这个选项" if isinstance(e, NoSuchOption) else
            "缺少必需的参数或选项" if isinstance(e, MissingParameter) else
            "参数值无效" if isinstance(e, BadParameter) else
            "选项缺少值或用法不对" if isinstance(e, BadOptionUsage) else
            "没有这个命令" if said.startswith("No such command") else
            "缺少命令" if said.startswith("Missing command") else
            "多余的参数" if said.startswith("Got unexpected extra") else "用法错误")
    return f"{what}：{said}"


class _Commands(TyperGroup):
    """gkqc's commands, whose usage errors (an unknown option, a missing argument) speak Chinese too."""

    def make_context(self, *args, **kwargs):
        try:
            return super().make_context(*args, **kwargs)
        except UsageError as e:
            raise UsageError(_in_chinese(e), ctx=e.ctx) from None

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except UsageError as e:
            raise UsageError(_in_chinese(e), ctx=e.ctx) from None


app = typer.Typer(help="gkqc：政府信息公开工作年度报告 数据质量检查 (data quality for annual disclosure reports)",
                  no_args_is_help=True, add_completion=False, cls=_Commands)
console = Console()
err = Console(stderr=True)


def _named(value: str | None) -> str | None:
    """A path given empty (an unset variable in `gkqc run "$INBOX"`) names nothing: refused, never taken
    for the samples or the current folder."""
    if value is not None and not value.strip():
        raise typer.BadParameter("路径为空 (empty path)")
    return value


# `run` and `repair` also take object storage: s3://bucket/prefix
WarehouseUrlOpt = Annotated[str, typer.Option("--warehouse", "-w", callback=_named,
                                              help="数据仓库目录或 s3://桶/前缀 (warehouse folder or s3:// URL)")]
WarehouseReadOpt = Annotated[str, typer.Option("--warehouse", "-w", callback=_named,
                                               help="数据仓库目录，或 s3://桶/前缀（读本机的本地副本） "
                                                    "(warehouse folder, or s3:// URL: its local copy here)")]
InboxUrlArg = Annotated[str | None, typer.Argument(callback=_named, help="收件箱目录或 s3://桶/前缀；省略则使用自带样例 "
                                                                         "(inbox folder or s3:// URL; default: bundled samples)")]


def fail(msg: str) -> None:
    err.print(f"[red]错误 error:[/red] {escape(msg)}", soft_wrap=True, highlight=False)
    raise typer.Exit(2)


@contextmanager
def writing_into(folder: Path, what: str = "输出目录 output folder"):
    """A command's writes into `folder`: a path that is a file, or a folder that cannot be written,
    ends the command with one line naming it (not a traceback)."""
    from xlsxwriter.exceptions import FileCreateError  # (a workbook that cannot be created: no OSError)

    if folder.exists() and not folder.is_dir():
        fail(f"{what}不是目录：{folder} (not a folder)")
    try:
        yield
    except (OSError, FileCreateError) as e:
        fail(f"无法写入{what} {folder}：{getattr(e, 'strerror', None) or e}（{type(e).__name__}） (cannot write there)")


def read_side(warehouse: str) -> Path:
    """The folder `sql`, `scorecard` and `notices` read: a local warehouse, or for one on object
    storage its local copy, where `gkqc run` on this machine built the database."""
    from gkqc.storage import is_remote
    from gkqc.storage import warehouse as locate

    return locate(warehouse).local if is_remote(warehouse) else Path(warehouse).resolve()


def _writable(wh: Warehouse, inbox: str) -> Warehouse:
    """`wh`, once its local folder (and its bucket, when remote) can be written and it is not the inbox
    itself (a warehouse inside the inbox is left out of its files); else the command fails naming the problem."""
    from gkqc import runlock

    if wh.url.rstrip("/") == inbox.rstrip("/") or os.path.realpath(wh.local) == os.path.realpath(inbox):
        fail(f"数据仓库不能就是收件箱：{inbox}；请用 --warehouse 另选目录（可在收件箱之内） "
             f"(the warehouse cannot be the inbox itself)")
    try:
        runlock.prepare(wh.local)
        if wh.remote:
            runlock.prepare_remote(wh.store)
    except runlock.WarehouseUnusable as e:
        fail(str(e))
    return wh


def usable_warehouse(path: Path) -> None:
    """A local warehouse a command writes into: a folder, or none yet (not a file)."""
    from gkqc import runlock

    try:
        runlock.refuse_a_file(path)
    except runlock.WarehouseUnusable as e:
        fail(str(e))


@app.command()
def run(inbox: InboxUrlArg = None,
        warehouse: WarehouseUrlOpt = str(DEFAULT_WAREHOUSE),
        workers: Annotated[int, typer.Option(help="解析进程数 (parser processes)", min=1)] = 2,
        cluster: Annotated[str | None, typer.Option("--cluster", envvar="GKQC_CLUSTER",
                                                    help="在已有的 Dask 集群上解析，如 tcp://10.0.0.5:8786 (parse on this Dask scheduler)")] = None) -> None:
    """运行主流程：收集解析新文件、检查、重建评分卡。 Run the main job.

    一个数据仓库同一时间只运行一个 gkqc run：另一个正在运行时，立即以状态 2 退出并指明它。
    Ctrl-C 在数秒内停止（状态 130），本次未提交的内容不生效。
    One run per warehouse at a time: while another holds it, this one exits 2 at once, naming it.
    Ctrl-C stops within seconds (exit 130); nothing of the interrupted run becomes visible.

    收件箱与数据仓库可在 S3 兼容的对象存储上（地址、凭据、区域取自 AWS_ENDPOINT_URL、AWS_ACCESS_KEY_ID 等环境变量或 AWS_PROFILE）。
    Inbox and warehouse may be on S3-compatible storage (endpoint, credentials, region from the usual AWS_* variables or a profile).

    例 example: gkqc run ./inbox --warehouse ./wh
    例 example: gkqc run s3://reports/inbox --warehouse s3://reports/wh --cluster tcp://10.0.0.5:8786
    """
    _job(str(SAMPLE_INBOX) if inbox is None else inbox, warehouse, workers, cluster)


@app.command()
def repair(inbox: InboxUrlArg = None,
           warehouse: WarehouseUrlOpt = str(DEFAULT_WAREHOUSE),
           workers: Annotated[int, typer.Option(help="解析进程数 (parser processes)", min=1)] = 2) -> None:
    """修复受损的数据湖：去掉损坏的部分，再从收件箱重新读取并运行主流程。 Repair a damaged lake, then run.

    例 example: gkqc repair ./inbox --warehouse ./wh
    """
    _job(str(SAMPLE_INBOX) if inbox is None else inbox, warehouse, workers, None, repair_first=True)


def _preflight(inbox: str) -> str:
    """What `run`, `repair` and `serve` check before Prefect starts and before any data is touched:
    the inbox is there and readable, the check suite and its settings and the office registry are
    sound. The inbox, normalised; else the command fails naming the problem."""
    from checks.spec import SuiteError
    from checks.suite import load_suite
    from gkqc.inbox import OfficesError
    from gkqc.inboxes import open_inbox
    from gkqc.storage import normalize

    inbox = normalize(inbox)
    box = open_inbox(inbox)
    try:
        if not box.exists():
            fail(f"收件箱不是目录：{inbox} (inbox is not a folder)" if Path(inbox).is_file()
                 else f"收件箱不存在：{inbox} (inbox not found)")
        load_suite()
        box.offices()
    except SuiteError as e:
        fail(f"检查定义有误 (bad check file): {e}")
    except OfficesError as e:
        fail(f"机关名录有误 (bad office registry): {e}")
    except OSError as e:  # object storage unreachable, no such bucket, no credentials
        fail(f"收件箱无法读取：{inbox}（{str(e).splitlines()[0]}） (inbox unreadable)")
    return inbox


def _job(inbox: str, warehouse: str, workers: int, cluster: str | None, repair_first: bool = False) -> None:
    """Everything `run` and `repair` share: checks before Prefect starts, the lock, the flow, signals.
    `inbox` and `warehouse`: local paths or s3:// URLs."""
    from gkqc import runlock
    from gkqc.lake import Lake, LakeConflict, LakeDamaged
    from gkqc.parse_pool import NoWorker
    from gkqc.storage import warehouse as locate

    inbox = _preflight(inbox)
    wh = _writable(locate(warehouse), inbox)
    stop = _StopOnSignal()
    started_at: int | None = None  # the lake's commit when the run began
    try:
        with runlock.hold(wh.local, "gkqc repair" if repair_first else "gkqc run"), stop:
            if repair_first:
                from gkqc.repair import repair as repair_lake

                print_repair(repair_lake(wh.url, "repair"))
            lake = Lake(wh.lake)
            lake.init()
            lake.verify()
            started_at = lake.commit_no
            result = _flow(inbox, wh, workers, cluster, stop, started_at)
            if stop.asked:  # stopped, though the flow returned: not a completed run
                raise KeyboardInterrupt
    except runlock.WarehouseBusy as e:
        fail(str(e))
    except (LakeDamaged, LakeConflict, NoWorker) as e:
        fail(str(e))
    except (KeyboardInterrupt, Exception) as e:
        # (a stop a library wrapped in an error of its own, as pydantic does while Prefect is imported)
        if not isinstance(e, KeyboardInterrupt) and not stop.asked:
            raise
        err.print(_interrupted(stop.name, wh, started_at), soft_wrap=True, highlight=False)
        raise typer.Exit(stop.code) from None
    _completed()
    print_summary(result)


def _completed() -> None:
    """The run completed: a SIGTERM from here on (its summary printing, or the process winding down,
    seconds after a large run) ends it with 0 at once, not with 143 and nothing said."""
    def done(signum: int, frame: object) -> None:
        sys.stdout.flush()
        os._exit(0)

    signal.signal(signal.SIGTERM, done)


def _interrupted(how: str, wh: Warehouse, started_at: int | None) -> str:
    """What an interrupted run leaves: nothing, or (stopped after its commit) its data in the lake
    and the warehouse and scorecards to be brought up to date by the next run."""
    if (commit := _committed(wh, started_at)) is not None:
        return f"已中断（{how}）：{_left_to_next(commit, 'interrupted')}"
    return (f"已中断（{how}）：本次运行未提交，数据湖保持上一次提交的状态 "
            "(interrupted: nothing of this run was committed)")


def _committed(wh: Warehouse, started_at: int | None) -> int | None:
    """The lake's commit when the run made one (it was at `started_at` when the run began), else None."""
    from gkqc.lake import Lake

    try:
        now = Lake(wh.lake)
        now.init()
    except Exception:  # noqa: BLE001 - the lake unreadable now: say only what is sure
        return None
    return now.commit_no if started_at is not None and now.commit_no > started_at else None


class _StopOnSignal:
    """Within the body, SIGTERM stops the run as Ctrl-C does (KeyboardInterrupt, then exit 128+signal).
    `asked` stays set: a body that returns although it was asked to stop (a library on the way
    swallowed the KeyboardInterrupt) still ends as an interrupted run, never as a completed one. A
    stop that lands in a finaliser (a weakref callback, `__del__`) cannot raise there: Python would
    print its traceback as an unraisable exception; it is recorded in `asked` instead, silently."""

    name, code, asked = "Ctrl-C", 130, False

    def __enter__(self) -> None:
        def on_signal(signum: int, frame: object) -> None:
            if signum == signal.SIGTERM:
                self.name, self.code = "SIGTERM", 128 + signum
            self.asked = True
            raise KeyboardInterrupt

        def unraisable(info: sys.UnraisableHookArgs) -> None:
            if not (self.asked and info.exc_type is KeyboardInterrupt):
                self._old_hook(info)

        self._old = stopping.install(on_signal)  # (kept in force inside the flow: gkqc.stopping)
        self._old_hook, sys.unraisablehook = sys.unraisablehook, unraisable

    def __exit__(self, *exc: object) -> None:
        stopping.restore(self._old)
        sys.unraisablehook = self._old_hook


def _flow(inbox: str, wh, workers: int, cluster: str | None, stop: _StopOnSignal, started_at: int | None = None):
    """The run's flow; a failure is one line, saying whether the lake was committed (`started_at`: its
    commit before the run) and the warehouse and scorecards left to the next run."""
    # the run's own messages say what happened (one line on failure); Prefect's console logs would repeat
    # it (GKQC_PREFECT_LOG_LEVEL=INFO shows them)
    os.environ["PREFECT_LOGGING_LEVEL"] = os.environ.get("GKQC_PREFECT_LOG_LEVEL", "CRITICAL")
    quiet_prefect(wh.local)
    # a log that cannot be written (a full disk) stays silent: logging would print each failed record
    # with its traceback, hundreds of lines before the run's own one
    logging.raiseExceptions = False
    from flows.pipeline import COMMITTED, gkqc_run
    from gkqc.inbox import InboxUnreadable

    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  console=err, transient=True, disable=not err.is_terminal) as bar:
        tasks: dict[str, int] = {}

        def on_progress(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done, total=total)

        progress.set_reporter(on_progress)
        try:
            with prefect_api(wh.local):
                return gkqc_run(inbox, wh.url, workers, cluster)
        except KeyboardInterrupt:
            raise
        except InboxUnreadable as e:  # the storage failed while the inbox was read: nothing committed
            fail(str(e))
        except Exception as e:  # the run itself could not complete
            if stop.asked:  # ... because it was stopped (a worker pool broken by the stop, say)
                raise KeyboardInterrupt from None
            fail(f"运行未完成：{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}{_hint(e, wh)}"
                 f"{_after_commit(getattr(e, COMMITTED, None) or _committed(wh, started_at))}")
        finally:
            progress.set_reporter(None)


def _after_commit(commit: int | None) -> str:
    """What a run that failed after its commit (`commit`: a storage error while the warehouse or the
    scorecards were put in place, say) leaves: its data in the lake, the rest for the next run."""
    return "" if commit is None else f"；{_left_to_next(commit, 'failed')}"


def _left_to_next(commit: int, how: str) -> str:
    """A run that ended (`how`: interrupted, failed) after its commit: its data in the lake, the rest next."""
    return (f"本次运行的数据已提交（提交 {commit}），数据仓库与评分卡将由下次运行更新 "
            f"({how} after its commit: the warehouse and scorecards are brought up to date by the next run)")


LOW_SPACE = 64 * 2**20  # free bytes below which a failed run names the disk as its likely cause


DECODERS = {"polars", "duckdb", "_duckdb", "pyarrow"}  # the libraries that read the lake's parts


def _hint(e: Exception, wh) -> str:
    """What a run's failure suggests doing: a disk nearly full (its failure may surface as any library's
    error) is named with its folder; a reader's failure (which may not name its file) has every lake part
    read whole, and one that cannot be decoded is named as damage for `gkqc repair`."""
    import shutil

    try:
        free = shutil.disk_usage(wh.local).free
    except OSError:
        free = None
    if free is not None and (free < LOW_SPACE or getattr(e, "errno", None) in (28, 27)):  # ENOSPC, EFBIG
        return f"；数据仓库所在磁盘仅余 {free / 2**20:.1f} MB：{wh.local} (disk nearly full)"
    if type(e).__module__.split(".")[0] not in DECODERS:
        return ""
    from gkqc.lake import Lake, LakeDamaged

    try:
        lake = Lake(wh.lake)
        lake.init()
        bad = lake.damaged(deep=True)
    except (LakeDamaged, OSError):
        return "；请运行 gkqc repair 修复 (run `gkqc repair`)"
    if not bad:
        return ""
    table, name, why = bad[0]
    return f"；湖文件 {table}/{name} {why}，请运行 gkqc repair 修复 (a lake part is damaged: run `gkqc repair`)"


def print_repair(r) -> None:
    if not r.damaged and not r.manifest_restored_from:
        console.print("数据湖完好，无需修复 (the lake is intact)")
        return
    for table, part, why in r.damaged:
        console.print(f"损坏 damaged: {table}/{part}：{why}")
    if r.manifest_restored_from:
        console.print(f"清单已从提交记录恢复 manifest restored from: {r.manifest_restored_from}")
    console.print(f"已移出 {len(r.batches_dropped)} 个批次（{r.documents_dropped} 个文件记录），将从收件箱重新读取；"
                  f"检查结果{'将全部重算' if r.checks_reset else '不受影响'} "
                  f"(dropped {len(r.batches_dropped)} batches; their files are read again from the inbox)")


def print_summary(r) -> None:
    t = Table(title="gkqc 运行摘要 run summary", show_header=False)
    t.add_column("item", overflow="fold")  # a narrow terminal wraps a name, a path or the times, never cuts them
    t.add_column("value", overflow="fold")
    for item, value, level in summary_rows(r):
        style = {WARN: "yellow", ALERT: "red"}.get(level)
        t.add_row(f"[{style}]{item}[/{style}]" if style else item, escape(value))
    console.print(t)


@app.command()
def simulate(offices: Annotated[int, typer.Option("--offices", help="机关数 (number of offices)", min=1)],
             years: Annotated[str, typer.Option("--years", help="报告年度范围，如 2019-2024 (year range)")],
             out: Annotated[Path, typer.Option("--out", parser=lambda v: Path(_named(v)), help="输出目录 (output folder)")],
             seed: Annotated[int, typer.Option(help="随机种子 (seed)")] = 0,
             defect_rate: Annotated[float, typer.Option("--defect-rate", help="报告出错比例 (share of reports with a defect)")] = 0.1,
             workers: Annotated[int, typer.Option(help="生成进程数 (processes)", min=1)] = 2) -> None:
    """生成带标准答案（truth.jsonl）的模拟采集集合。 Write a synthetic collection with ground truth.

    例 example: gkqc simulate --offices 200 --years 2020-2024 --out ./sim --seed 7 --defect-rate 0.2
    """
    from gkqc.simulate.collection import simulate as run_simulation

    try:
        a, b = (int(x) for x in years.split("-"))
    except ValueError:
        fail(f"年度范围应写作 起-止，如 2019-2024 (got {years})")
    if not (0 <= defect_rate <= 1) or a > b:  # (--offices below 1: refused by its option)
        fail("参数无效：--defect-rate 在 0 与 1 之间，年度从小到大 (--defect-rate within 0-1, years in order)")
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err,
                  transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task("生成 simulate", total=offices)
        with writing_into(out):
            s = run_simulation(out, offices, (a, b), seed=seed, defect_rate=defect_rate, workers=workers,
                               progress=lambda done, total: bar.update(task, completed=done, total=total))
    console.print(f"已生成 {s.files} 个文件（{s.reports} 份报告，{s.offices} 个机关）于 {out}；"
                  f"标准答案 truth.jsonl，机关名录 offices.csv")
    console.print(f"状态 statuses: {dict(s.statuses)}  缺陷 defects: {dict(s.defects)}")


def query_error(e: Exception) -> str:
    """One line for a query's failure: DuckDB's own error, or the storage error a lake file's read raised
    (DuckDB gives it as the Python traceback of the filesystem it reads objects through)."""
    lines = str(e).splitlines() or [type(e).__name__]
    if isinstance(e, OSError) or lines[0].startswith("Traceback"):
        raised = [line for line in lines if re.match(r"[A-Za-z_][\w.]*: ", line)]
        return (f"数据仓库的文件无法读取：{raised[-1] if raised else lines[0]}"
                " (warehouse files unreadable: is the storage reachable?)")
    return f"SQL 错误：{lines[0]}"


@app.command()
def scorecard(year: Annotated[int | None, typer.Option(help="报告年度 (report year)")] = None,
              region: Annotated[str | None, typer.Option(help="地区；未分地区 即未列地区的机关 (region; 未分地区: offices without one)")] = None,
              office: Annotated[str | None, typer.Option(help="机关名称 (office)")] = None,
              out: Annotated[Path | None, typer.Option(parser=lambda v: Path(_named(v)),
                                                        help="输出网页与 Excel 的目录 (write HTML and Excel here)")] = None,
              warehouse: WarehouseReadOpt = str(DEFAULT_WAREHOUSE)) -> None:
    """在终端显示评分卡，或输出网页和 Excel。 Print a scorecard, or write the HTML site and Excel workbook.

    例 example: gkqc scorecard --year 2020 --region 阿里地区
    例 example: gkqc scorecard --out ./scorecards
    """
    import duckdb

    from gkqc.outputs.scorecard import load, print_terminal, write_outputs
    from warehouse.access import WarehouseError, connect_readonly

    try:
        con = connect_readonly(read_side(warehouse))
    except WarehouseError as e:
        fail(str(e))
    try:
        data = load(con, year, region, office)
    except (duckdb.Error, OSError) as e:  # the lake's objects out of reach (object storage unreachable)
        fail(query_error(e))
    finally:
        con.close()
    if not data.offices:
        fail("没有符合条件的评分（检查 --year、--region、--office） (nothing matches)")
    if out is None:
        print_terminal(data, console)
        return
    with writing_into(out):
        site, workbook = write_outputs(data, out)
    console.print(f"网页 site: {site}\nExcel: {workbook}")


@app.command()
def serve(inbox: InboxUrlArg = None,
          warehouse: WarehouseUrlOpt = str(DEFAULT_WAREHOUSE),
          cron: Annotated[str, typer.Option(help="cron 表达式，默认每天 6:00 (cron schedule; default daily)")] = "0 6 * * *",
          port: Annotated[int, typer.Option(help="本地 Prefect 服务器端口 (local server port)")] = 4200,
          workers: Annotated[int, typer.Option(help="解析进程数 (parser processes)", min=1)] = 2,
          cluster: Annotated[str | None, typer.Option("--cluster", envvar="GKQC_CLUSTER",
                                                      help="在已有的 Dask 集群上解析 (parse on this Dask scheduler)")] = None) -> None:
    """按计划定时运行主流程（启动本地 Prefect 服务器）。 Serve the main flow on a schedule.

    收件箱与数据仓库可在 S3 兼容的对象存储上，同 gkqc run；服务器的日志与状态在数据仓库的本地目录。
    Inbox and warehouse may be on S3-compatible storage, as for `gkqc run`; the server's log and state
    stay in the warehouse's local folder.

    例 example: gkqc serve ./inbox --cron "0 6 * * *"
    例 example: gkqc serve s3://reports/inbox --warehouse s3://reports/wh
    """
    from prefect.client.schemas.schedules import CronSchedule

    try:
        CronSchedule(cron=cron)
    except ValueError as e:
        why = next((ln.split("[type=")[0].strip() for ln in str(e).splitlines() if "Value error" in ln), "")
        fail(f"无效的 cron 表达式 '{cron}'：{why.removeprefix('Value error, ')} (invalid cron schedule)")
    from gkqc.storage import warehouse as locate

    inbox = _preflight(str(SAMPLE_INBOX) if inbox is None else inbox)  # a broken check file fails now, not at every scheduled run
    wh = _writable(locate(warehouse), inbox)  # an unusable warehouse too
    local, warehouse = wh.local, wh.url if wh.remote else str(wh.local.resolve())
    quiet_prefect(local)
    from flows import schedule

    server = None
    if not os.environ.get("PREFECT_API_URL"):
        api = f"http://127.0.0.1:{port}/api"
        server = schedule.start_server(port, local / ".prefect" / "server.log")
        os.environ["PREFECT_API_URL"] = api
        try:
            schedule.wait_healthy(api)
        except TimeoutError as e:
            schedule.stop_server(server)
            fail(str(e))
        err.print(f"Prefect 服务器已启动 server: {api.removesuffix('/api')}")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))  # run the cleanup below on SIGTERM too
    try:
        err.print(f"按计划 {cron} 运行 gkqc run {inbox} → {warehouse}（Ctrl-C 停止）")
        schedule.serve(str(inbox), str(warehouse), cron, workers, cluster)
    finally:
        if server is not None:
            schedule.stop_server(server)
    err.print("已停止 stopped")
    raise typer.Exit(130)  # serving ends only when interrupted (Prefect takes the Ctrl-C): say so, as a shell expects


@app.command()
def bench(reports: Annotated[int, typer.Option("--reports", help="报告数 (number of reports)", min=1)] = 20000,
          json_out: Annotated[bool, typer.Option("--json", help="最后一行输出 JSON (last line is JSON)")] = False,
          seed: Annotated[int, typer.Option(help="模拟的随机种子 (simulation seed)")] = 1,
          workers: Annotated[int, typer.Option(help="解析进程数 (parser processes)", min=1)] = 2,
          forms: Annotated[str, typer.Option(help="另测这些文件形式，各自一次运行 (also bench these forms: pdf,docx)")] = "",
          form_reports: Annotated[int, typer.Option(help="每种文件形式的报告数 (reports per form)", min=1)] = 1000,
          cluster: Annotated[str | None, typer.Option("--cluster", help="只测解析阶段：本机进程与该 Dask 集群的 1、2 个工作进程；local 表示在本机启动两个 (parse stage only: local processes vs 1 and 2 workers of this Dask scheduler; 'local' starts two here)")] = None,
          cache: Annotated[Path | None, typer.Option("--cache", envvar="GKQC_BENCH_CACHE", file_okay=False,
                                                     help="模拟报告与基准仓库的存放目录，默认项目下的 bench-cache/ (where simulated collections and bench warehouses are kept)")] = None) -> None:
    """基准测试：在 N 份模拟报告上运行整个流水线并报告各阶段速度。 Benchmark the pipeline.

    例 example: gkqc bench --reports 20000 --json
    例 example: gkqc bench --reports 20000 --forms pdf,docx --form-reports 1000
    例 example: gkqc bench --reports 4000 --cluster local --forms pdf --form-reports 200
    例 example: gkqc bench --reports 100000 --cache /data/bench
    """
    from gkqc.bench import CACHE_ENV, cache_dir, print_result, run_bench
    from gkqc.simulate.collection import DOCUMENTS

    wanted = tuple(f.strip() for f in forms.split(",") if f.strip())
    if unknown := [f for f in wanted if f not in DOCUMENTS]:
        fail(f"未知的文件形式 {', '.join(unknown)}（可选 {', '.join(DOCUMENTS)}）")
    if cache is not None:
        os.environ[CACHE_ENV] = str(cache.resolve())  # the bench's functions, and the processes they start, read it
    quiet_prefect(cache_dir())
    if cluster:
        from gkqc.bench import print_cluster_result, run_cluster_bench

        try:
            res = run_cluster_bench(reports, cluster, seed=seed, workers=workers, log=lambda m: err.print(m),
                                    forms=wanted, form_reports=form_reports)
        except (OSError, RuntimeError) as e:
            fail(f"集群基准测试未完成 (cluster bench failed): {str(e).splitlines()[0] if str(e) else type(e).__name__}")
        print_cluster_result(res, console, json_out)
        return
    res = run_bench(reports, seed=seed, workers=workers, log=lambda m: err.print(m), forms=wanted,
                    form_reports=form_reports)
    print_result(res, console, json_out)


@app.command("checks")
def list_checks() -> None:
    """列出检查项（编号、严重程度、适用模板、名称）。 List the check suite.

    例 example: gkqc checks
    """
    from checks.spec import SuiteError
    from checks.suite import load_suite

    try:
        specs = load_suite()
    except SuiteError as e:
        fail(str(e))
    t = Table("id", "severity", "templates", "kind", "title 名称", title="检查项 check suite")
    for s in specs:
        t.add_row(s.id, s.severity, ",".join(s.templates) or "（无：本次不检查 none）", s.kind, s.title)
    console.print(t)


@app.command()
def sql(query: Annotated[str, typer.Argument(help="SQL 查询 (query)")],
        warehouse: WarehouseReadOpt = str(DEFAULT_WAREHOUSE),
        format: Annotated[str, typer.Option("--format", "-f", help="table | csv | json")] = "table") -> None:
    """在只读连接上执行 SQL。 Ad-hoc SQL on a read-only connection.

    例 example: gkqc sql "select office, report_year, score from scorecard_office order by score"
    """
    import duckdb

    from warehouse.access import NotAQuery, WarehouseError, connect_readonly, only_queries

    if format not in ("table", "csv", "json"):
        fail(f"未知格式 {format}（可选 table、csv、json） (unknown format: table, csv or json)")
    if not query.strip():
        fail("查询为空 (empty query)")
    try:
        only_queries(query)
        con = connect_readonly(read_side(warehouse))
    except (NotAQuery, WarehouseError) as e:
        fail(str(e))
    try:
        rel = con.sql(query)
        if rel is None:
            return
        cols = rel.columns
        rows = rel.fetchall()
    except duckdb.Error as e:
        fail(query_error(e))
    finally:
        con.close()  # the database file is free again (and its locked configuration with it)
    if format == "csv":
        import csv

        w = csv.writer(sys.stdout, lineterminator="\n")  # (the module's default, CRLF, left a \r in shell pipes)
        w.writerow(cols)
        w.writerows(rows)
    elif format == "json":
        sys.stdout.write(json.dumps([dict(zip(cols, map(_json_safe, r), strict=True)) for r in rows],
                                    ensure_ascii=False, default=str, allow_nan=False))
        sys.stdout.write("\n")
    else:
        from rich.text import Text

        from gkqc.outputs.scorecard import TextTable

        t = TextTable(*cols)
        null = Text("NULL", style="dim")  # (a blank cell is NULL, its text ''; the table tells them apart)
        for r in rows:
            t.add_row(*(null if v is None else v for v in r))
        console.print(t)


def _json_safe(v: object) -> object:
    """Infinity and NaN have no JSON spelling: they are written as strings."""
    return str(v) if isinstance(v, float) and not math.isfinite(v) else v



@app.command()
def review(check: Annotated[str, typer.Argument(help="检查编号，如 A1 (check id)")],
           office: Annotated[str, typer.Option("--office", help="机关名称 (office)")],
           year: Annotated[int, typer.Option("--year", help="报告年度 (report year)")],
           reason: Annotated[str, typer.Option("--reason", help="理由 (why)")],
           subject: Annotated[str | None, typer.Option("--subject", help="检查对象（列、行、组…；该检查只有一项不通过时可省略） (subject)")] = None,
           confirm: Annotated[bool, typer.Option("--confirm", help="确认问题属实 (the finding is real)")] = False,
           dismiss: Annotated[bool, typer.Option("--dismiss", help="排除问题：误报，不计分 (a false alarm: not scored)")] = False,
           by: Annotated[str | None, typer.Option("--by", help="审核人，默认为当前登录名 (reviewer; default: login name)")] = None,
           warehouse: WarehouseUrlOpt = str(DEFAULT_WAREHOUSE)) -> None:
    """记录审核决定：确认或排除一项问题（跨运行、跨重新发布保留）。 Confirm or dismiss a finding.

    决定按 机关 × 年度 × 检查 × 对象 保存在 <数据仓库>/decisions/，并记下所见问题的期望值、实际值与单元格，
    随后重建数据仓库与评分卡：排除的问题不计分，并在网页中标为已排除。重新发布后问题不变的，决定照常有效；
    问题的数值已变或已消失的，决定过期（保留，不再适用），问题照常计分、待重新审核。
    与 gkqc run 互斥（同一数据仓库同一时间只运行一个）。
    Kept under <warehouse>/decisions/ by office, year, check and subject, with the finding's expected and
    actual values and cells: it holds for a re-publication failing the same way, and is stale (kept, not
    applied) when the finding changes or is gone. The warehouse and scorecards are rebuilt at once (a
    dismissed finding leaves the score). Waits for no run: exits 2 if one holds it.
    A warehouse on object storage is named by its s3:// URL, as for gkqc run (its decisions stay in its
    local folder).

    例 example: gkqc review A1 --office 阿里地区 --year 2020 --subject total --dismiss --reason "原表另有说明"
    """
    from xlsxwriter.exceptions import FileCreateError

    from gkqc import runlock
    from gkqc.review import ReviewError, ReviewInterrupted, record
    from gkqc.storage import is_remote
    from warehouse.access import WarehouseError

    if confirm == dismiss:
        fail("请指定 --confirm（确认）或 --dismiss（排除）之一 (give exactly one of --confirm, --dismiss)")
    if not is_remote(warehouse):
        usable_warehouse(Path(warehouse))
        if not Path(warehouse).exists():  # nothing created for a mistyped path
            fail(f"未找到数据仓库 {warehouse}：请先运行 gkqc run (no warehouse yet: run `gkqc run` first)")
        for folder in (Path(warehouse), Path(warehouse) / "decisions", Path(warehouse) / "scorecards"):
            try:  # (before anything is recorded: a decision and no warehouse to show it helps no one)
                if folder.is_dir():
                    runlock.prepare(folder)
            except runlock.WarehouseUnusable as e:
                fail(f"{e}；未记录决定 (nothing was recorded)")
    stop = _StopOnSignal()
    try:
        with stop:
            d = record(warehouse, check, office, year, subject, "confirmed" if confirm else "dismissed",
                       reason, by)
    except (ReviewError, WarehouseError, runlock.WarehouseBusy) as e:
        fail(str(e))
    except (OSError, FileCreateError) as e:
        fail(f"无法写入数据仓库 {warehouse}：{getattr(e, 'strerror', None) or e}（{type(e).__name__}） (cannot write there)")
    except ReviewInterrupted:
        err.print(f"已中断（{stop.name}）：决定已记录，数据仓库与评分卡尚未更新；下一次 gkqc review 或 gkqc run 会更新它们 "
                  "(interrupted: the decision is recorded; the next review or run brings the warehouse up to date)",
                  soft_wrap=True, highlight=False, markup=False)
        raise typer.Exit(stop.code) from None
    except KeyboardInterrupt:
        err.print(f"已中断（{stop.name}）：未记录决定 (interrupted: nothing was recorded)", soft_wrap=True, highlight=False,
                  markup=False)
        raise typer.Exit(stop.code) from None
    verb = "确认" if d.decision == "confirmed" else "排除"
    console.print(f"已记录：{d.decided_by} 于 {d.decided_at} {verb} {d.office} {d.report_year} 年度 {d.check_id}"
                  f"{' ' + d.subject if d.subject else ''}（理由：{d.reason}）；数据仓库与评分卡已更新",
                  soft_wrap=True, highlight=False, markup=False)


@app.command()
def notices(year: Annotated[int, typer.Option("--year", help="报告年度 (report year)")],
            out: Annotated[Path, typer.Option("--out", parser=lambda v: Path(_named(v)), help="输出目录 (output folder)")],
            region: Annotated[str | None, typer.Option("--region", help="只输出该地区；未分地区 即未列地区的机关 (one region only; 未分地区: offices without one)")] = None,
            warehouse: WarehouseReadOpt = str(DEFAULT_WAREHOUSE)) -> None:
    """输出整改通知：每个机关一个 Excel（已确认和待审核的问题及其依据），每个地区一个 zip；再次写入同一目录时，
    该年度已不再需要的通知被删除。 Write rectification notices.

    例 example: gkqc notices --year 2023 --region 阿里地区 --out ./notices
    """
    from gkqc.notices import write_notices
    from warehouse.access import WarehouseError

    try:
        with writing_into(out):
            s = write_notices(read_side(warehouse), year, out, region)
    except WarehouseError as e:
        fail(str(e))
    if not s.workbooks and not s.offices_clear:
        fail(f"{year} 年度{f'地区“{region}”' if region else ''}没有机关评分（检查 --year、--region） (nothing matches)")
    console.print(f"整改通知 {len(s.workbooks)} 份（{len(s.zips)} 个地区压缩包）于 {out}；无需整改的机关 {s.offices_clear} 个",
                  soft_wrap=True, highlight=False, markup=False)


if __name__ == "__main__":
    app()

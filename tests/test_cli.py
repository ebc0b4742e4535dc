"""The command line as a user meets it: `gkqc run` (one real Prefect flow run, in a process of its
own as a user starts it) then `gkqc sql` (in this process, through typer's runner: nothing in it
needs a process of its own)."""

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from types import SimpleNamespace

import pytest
from conftest import ROOT, SAMPLES
from typer.testing import CliRunner

from gkqc.cli import app

pytestmark = pytest.mark.usefixtures("prefect_api")


def gkqc(*args, cwd=ROOT):
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run([sys.executable, "-m", "gkqc.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=600)


def cli(*args: str) -> SimpleNamespace:
    """`gkqc …` in this process: exit code, standard output and standard error apart."""
    r = CliRunner().invoke(app, list(args), env={"COLUMNS": "200"})
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        raise r.exception
    return SimpleNamespace(returncode=r.exit_code, stdout=r.stdout, stderr=r.stderr)


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    inbox = tmp_path_factory.mktemp("inbox")
    for f in SAMPLES.iterdir():
        shutil.copy(f, inbox / f.name)
    (inbox / "copy-of-ali.txt").write_bytes((SAMPLES / "ali-2020-annual-report.txt").read_bytes())
    (inbox / "junk.bin").write_bytes(bytes(range(256)) * 4)
    wh = tmp_path_factory.mktemp("wh")
    r = gkqc("run", str(inbox), "--warehouse", str(wh))
    assert r.returncode == 0, r.stderr
    return wh, r.stdout


def test_run_prints_a_summary(warehouse):
    _, out = warehouse
    assert "files seen" in out and "5" in out and "gkqc.duckdb" in out
    assert "检查不通过" in out and "offices scored" in out
    assert "started" not in out  # internal timings stay out of the user's summary


def test_run_summary_says_how_long_each_stage_took(warehouse):
    _, out = warehouse
    row = next(line for line in out.splitlines() if "用时 time" in line)
    stages = dict(re.findall(r"(解析 parse|检查 check|仓库与评分卡 warehouse, scorecards|合计 total) (\d+\.\d) s", row))
    assert set(stages) == {"解析 parse", "检查 check", "仓库与评分卡 warehouse, scorecards", "合计 total"}, row
    parts = [float(v) for k, v in stages.items() if k != "合计 total"]
    assert all(v > 0 for v in parts)
    assert abs(sum(parts) - float(stages["合计 total"])) <= 0.15  # each rounded to a tenth


def test_sql_reads_the_warehouse(warehouse):
    wh, _ = warehouse
    r = cli("sql", "select source_path, parse_status, report_id from documents order by source_path",
             "--warehouse", str(wh), "--format", "json")
    assert r.returncode == 0, r.stderr
    docs = json.loads(r.stdout)
    by_path = {d["source_path"]: d for d in docs}
    assert by_path["junk.bin"]["parse_status"] == "unreadable"
    assert by_path["copy-of-ali.txt"]["report_id"] == by_path["ali-2020-annual-report.txt"]["report_id"]
    r = cli("sql", "select count(*) as n from reports", "--warehouse", str(wh), "--format", "csv")
    assert r.stdout.splitlines() == ["n", "3"]


def test_the_read_commands_look_for_an_s3_warehouses_local_copy(tmp_path, monkeypatch):
    """`gkqc sql`, `scorecard` and `notices` took an s3:// URL for a local path ('s3:/reports/wh'); they
    read the local copy a run on object storage leaves on this machine (tests/test_s3.py), and before
    any run say where they looked."""
    from gkqc.storage import warehouse as locate

    monkeypatch.setenv("GKQC_LOCAL_DIR", str(tmp_path / "local"))
    url = "s3://reports/wh"
    for args in (["sql", "select 1"], ["scorecard"], ["notices", "--year", "2020", "--out", str(tmp_path / "n")]):
        r = cli(*args, "--warehouse", url)
        assert r.returncode == 2 and str(locate(url).local) in r.stderr and "s3:/reports" not in r.stderr, args


def test_sql_shows_brackets_in_values_and_names_as_text(warehouse):
    """'[/]' crashed the table (rich's markup); '[red]x[/red]' lost its brackets."""
    wh, _ = warehouse
    r = cli("sql", """select '[/]' as "[/b]", '[red]x[/red]' as b""", "--warehouse", str(wh))
    assert r.returncode == 0, r.stderr
    assert "[/]" in r.stdout and "[/b]" in r.stdout and "[red]x[/red]" in r.stdout


def test_scorecard_out_never_deletes_a_site_folder_it_did_not_write(warehouse, tmp_path):
    """`--out www` replaced www/site wholesale: the user's about.html and assets/ were deleted unseen."""
    wh, _ = warehouse
    (tmp_path / "www" / "site" / "assets").mkdir(parents=True)
    (tmp_path / "www" / "site" / "about.html").write_text("关于", encoding="utf-8")
    r = cli("scorecard", "--out", str(tmp_path / "www"), "--warehouse", str(wh))
    assert r.returncode == 2 and "不是 gkqc 写的文件" in r.stderr, r.stderr
    assert sorted(p.name for p in (tmp_path / "www" / "site").iterdir()) == ["about.html", "assets"]
    for _ in range(2):  # its own site, written again, is replaced
        r = cli("scorecard", "--out", str(tmp_path / "out"), "--warehouse", str(wh))
        assert r.returncode == 0 and (tmp_path / "out" / "site" / "index.html").exists(), r.stderr


def test_a_path_mistake_is_one_line_naming_it_not_a_traceback(warehouse, tmp_path):
    """An output or warehouse path that is a file ended scorecard, notices, simulate, review and serve
    in a Python traceback; a mistyped warehouse made review create it."""
    wh, _ = warehouse
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    for args in (["scorecard", "--out", str(afile), "--warehouse", str(wh)],
                 ["notices", "--year", "2020", "--out", str(afile), "--warehouse", str(wh)],
                 ["simulate", "--offices", "2", "--years", "2020-2021", "--out", str(afile)],
                 ["review", "A1", "--office", "阿里地区", "--year", "2020", "--confirm", "--reason", "r", "-w", str(afile)],
                 ["serve", "--warehouse", str(afile)]):
        r = cli(*args)
        assert r.returncode == 2 and "不是目录" in r.stderr and str(afile) in r.stderr, (args, r.stderr)
    typo = tmp_path / "no-such-warehouse"
    r = cli("review", "A1", "--office", "阿里地区", "--year", "2020", "--confirm", "--reason", "r", "-w", str(typo))
    assert r.returncode == 2 and "请先运行 gkqc run" in r.stderr and not typo.exists()


@pytest.mark.parametrize("args", [["run", "--workers", "0"], ["simulate", "--offices", "2", "--years", "2020-2021",
                                                                 "--workers", "0"],
                                   ["bench", "--reports", "-5"]])
def test_a_count_below_one_is_refused(args, tmp_path):
    """--workers 0 ran (or divided by zero in simulate); --reports -5 measured 5 reports."""
    where = [] if args[0] == "bench" else ["--out" if args[0] == "simulate" else "--warehouse", str(tmp_path / "w")]
    r = cli(*args, *where)
    assert r.returncode == 2 and "greater than or equal to 1" in r.stderr


def test_sql_connection_is_read_only(warehouse):
    wh, _ = warehouse
    r = cli("sql", "create table t as select 1", "--warehouse", str(wh))
    assert r.returncode != 0 and "read-only" in r.stderr.replace("\n", " ").lower()


def test_missing_inbox_is_a_one_line_error(tmp_path):
    r = cli("run", str(tmp_path / "nope"), "--warehouse", str(tmp_path))
    assert r.returncode == 2 and "收件箱不存在" in r.stderr
    (tmp_path / "afile").write_text("x", encoding="utf-8")
    r = cli("run", str(tmp_path / "afile"), "--warehouse", str(tmp_path / "wh"))
    assert r.returncode == 2 and "收件箱不是目录" in r.stderr  # it said 'not found'


def test_an_empty_query_is_refused(warehouse):
    r = cli("sql", "   ", "--warehouse", str(warehouse[0]))  # it printed nothing and exited 0
    assert r.returncode == 2 and "查询为空" in r.stderr


def test_serve_refuses_what_run_refuses_before_starting_anything(tmp_path):
    """A bad office registry (or check file) stops `gkqc serve` at once, as it stops `gkqc run`; it
    used to start the server and fail at every scheduled run."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "offices.csv").write_text("office,region,office_kind\n阿里地区,阿里地区,\n阿里地区,阿里地区,\n", encoding="utf-8")
    for command in ("run", "serve"):
        r = cli(command, str(inbox), "--warehouse", str(tmp_path / "wh"))
        assert r.returncode == 2 and "机关名录有误" in r.stderr and "第3行" in r.stderr, (command, r.stderr)
    assert not (tmp_path / "wh" / ".prefect").exists()  # no server was started for it


REFUSED = {
    "copy": "copy (select 1) to '{tmp}/out.csv'",
    "copy into the lake": "copy (select 1 as a) to '{wh}/lake/documents/part-evil.parquet'",
    "export": "export database '{tmp}/export'",
    "read another file": "select * from read_csv('/etc/passwd')",
    "read beside the lake": "select * from read_text('{wh}/lake/_manifest.json')",
    "glob": "select * from glob('/root/*')",
    "attach": "attach '{tmp}/other.duckdb'",
    "set": "set enable_external_access = true",
    "install": "install httpfs",
    "explain analyze copy": "/* plan */ explain analyze copy (select 1 as a) to '{wh}/.site-cells/evil.csv'",
    "explain (analyze) copy": "explain (analyze, format json) copy (select 1 as a) to '{wh}/.site-cells/evil.csv'",
}
NAMED = {"copy": "COPY", "copy into the lake": "COPY", "export": "EXPORT", "attach": "ATTACH", "set": "SET",
         "install": "INSTALL", "explain analyze copy": "COPY", "explain (analyze) copy": "COPY"}  # named as written


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_sql_cannot_touch_the_filesystem(warehouse, tmp_path, name):
    wh, _ = warehouse
    r = cli("sql", REFUSED[name].format(tmp=tmp_path, wh=wh), "--warehouse", str(wh))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert name not in NAMED or f"拒绝 {NAMED[name]} " in r.stderr, r.stderr
    assert list(tmp_path.iterdir()) == [] and not (wh / "lake" / "documents" / "part-evil.parquet").exists()
    assert not (wh / ".site-cells" / "evil.csv").exists()


def test_sql_output_tells_null_from_empty_text_and_ends_lines_for_a_shell(warehouse):
    """CSV lines ended in CRLF (a \r in every last field of a pipe); the table printed NULL and '' alike."""
    wh, _ = warehouse
    r = cli("sql", "select 'a' as x, null as y, '' as z", "--warehouse", str(wh), "--format", "csv")
    assert r.stdout == "x,y,z\na,,\n"
    r = cli("sql", "select null as y, '' as z", "--warehouse", str(wh))
    assert r.stdout.count("NULL") == 1


def test_sql_runs_one_query_at_a_time(warehouse):
    """Two queries printed the last one's result only, exit 0: the first was lost unseen."""
    wh, _ = warehouse
    r = cli("sql", "select count(*) as n from reports; select count(*) as m from documents", "--warehouse", str(wh))
    assert r.returncode == 2 and "一次只能执行一条查询，收到 2 条" in r.stderr and r.stdout == ""
    r = cli("sql", "select count(*) as n from documents;", "--warehouse", str(wh), "--format", "csv")
    assert r.returncode == 0 and r.stdout.split() == ["n", "5"]


def test_sql_pivot_is_refused_by_its_name_unless_its_values_are_named(warehouse):
    wh, _ = warehouse
    r = cli("sql", "select * from (pivot documents on format using count(*))", "--warehouse", str(wh))
    assert r.returncode == 2 and "拒绝 PIVOT" in r.stderr and "拒绝 SELECT" not in r.stderr
    q = "pivot (select format from documents) on format in ('pagetext', 'pdf') using count(*)"
    r = cli("sql", q, "--warehouse", str(wh), "-f", "json")
    counted = cli("sql", "select count(*) filter (format = 'pagetext') as pagetext, count(*) filter (format = 'pdf') as pdf "
                         "from documents", "--warehouse", str(wh), "-f", "json")
    assert r.returncode == 0 and json.loads(r.stdout) == json.loads(counted.stdout), r.stdout


def test_sql_explain_analyze_cannot_write_over_a_lake_part(warehouse):
    """EXPLAIN ANALYZE runs what it explains: a COPY inside one overwrote a lake part the views read
    (allowed to DuckDB's sandbox), and the next run stopped on a damaged lake."""
    wh, _ = warehouse
    part = next((wh / "lake" / "reports").glob("part-*.parquet"))
    before = part.read_bytes()
    q = f"explain analyze copy (select 'x' as hacked) to '{part}' (format parquet, use_tmp_file false)"
    r = cli("sql", q, "--warehouse", str(wh))
    assert r.returncode == 2 and "拒绝 COPY" in r.stderr, r.stderr
    assert part.read_bytes() == before
    assert cli("sql", "explain analyze select count(*) from reports", "--warehouse", str(wh)).returncode == 0


def test_the_sandbox_itself_refuses_what_a_query_could_reach(warehouse, tmp_path):
    """Below the statement filter: DuckDB's own sandbox, for a query that only reads."""
    import duckdb

    from warehouse.access import connect_readonly

    wh, _ = warehouse
    con = connect_readonly(wh)
    try:
        assert con.execute("select count(*) from documents").fetchall() == [(5,)]
        for q in ("select * from read_csv('/etc/passwd')", f"select * from glob('{wh}/lake/*/*')",
                  f"select * from read_parquet('{wh}/lake/documents/_schema.parquet')"):
            with pytest.raises(duckdb.Error):
                con.sql(q).fetchall()
    finally:
        con.close()


def test_a_second_reader_in_the_same_process_shares_the_sandbox(warehouse):
    """DuckDB gives a second connection to the same file the first one's (locked) instance."""
    import duckdb

    from warehouse.access import connect_readonly

    wh, _ = warehouse
    first = connect_readonly(wh)
    try:
        second = connect_readonly(wh)
        assert second.execute("select count(*) from documents").fetchall() == [(5,)]
        with pytest.raises(duckdb.Error):
            second.sql("select * from read_csv('/etc/passwd')").fetchall()
        second.close()
    finally:
        first.close()


def test_a_narrow_terminal_wraps_the_summary_and_cuts_nothing(monkeypatch):
    """Under 80 columns (a scheduled run's log) the summary's long values were cut with '…': the
    warehouse's path and the stage times lost their ends. They wrap now."""
    from checks.engine import CheckSummary
    from gkqc import cli
    from gkqc.ingest import IngestSummary
    from gkqc.summary import RunSummary

    path = "/srv/gkqc/省级政务公开办/" + "年度报告数据仓库/" * 4 + "gkqc.duckdb"
    r = RunSummary("r", "in", "wh", IngestSummary(), CheckSummary(), database=path,
                   timings={"parse": 175.3, "validate": 59.4, "scorecards": 113.2})
    monkeypatch.setattr(cli.console, "width", 60)
    with cli.console.capture() as out:
        cli.print_summary(r)
    values = "".join(line.split("│")[2].replace(" ", "") for line in out.get().splitlines() if line.count("│") == 3)
    assert "…" not in out.get()
    assert path in values
    assert "合计total347.9s" in values


def test_the_summary_counts_schema_problems_of_both_stages(capsys):
    """Rows the lake's models refuse are kept and counted: those of the check stage as well as ingest's."""
    from checks.engine import CheckSummary
    from gkqc.cli import print_summary
    from gkqc.ingest import IngestSummary
    from gkqc.summary import RunSummary

    problem = {"table": "check_results", "column": "status", "check": "isin", "failure_case": "maybe", "index": "0"}
    r = RunSummary("r", "in", "wh", IngestSummary(schema_problems=[problem]), CheckSummary(schema_problems=[problem] * 2))
    print_summary(r)
    out = capsys.readouterr().out
    assert next(line for line in out.splitlines() if "schema problems" in line).split("│")[-2].strip() == "3"
    assert "check_results.status isin：'maybe'" in out  # which rows, so that the bug can be found


def test_the_flow_runs_artifact_says_what_the_terminal_says(monkeypatch):
    """The artifact Prefect keeps listed its own rows, without the schema problems, the re-read or the
    registry; both now print `summary_rows`. A report's text in a value stays one cell of the table."""
    import re

    from checks.engine import CheckSummary
    from gkqc import cli
    from gkqc.ingest import IngestSummary
    from gkqc.summary import RunSummary, summary_markdown

    problem = {"table": "reports", "column": "title", "check": "str_length",
               "failure_case": "甲|乙\n<script>x</script> ![t](http://evil.example/p.png) &lt;b&gt;"}
    r = RunSummary("r", "in", "wh", IngestSummary(schema_problems=[problem], reread=True, offices=3), CheckSummary(),
                   database="/wh/gkqc.duckdb", timings={"parse": 1.0})
    md = summary_markdown(r)
    rows = [re.split(r"(?<!\\)\|", line) for line in md.splitlines()[4:]]
    assert rows and all(len(cells) == 4 for cells in rows)  # '', item, value, ''
    items = [re.sub(r"\\(.)", r"\1", cells[1].strip().strip("*")) for cells in rows]  # as printed
    assert "<script>" not in md and "甲\\|乙" in md and "![" not in md and "](" not in md and "&lt;" not in md
    monkeypatch.setattr(cli.console, "width", 250)
    with cli.console.capture() as out:
        cli.print_summary(r)
    assert [i for i in items if i.strip() not in out.get()] == []
    assert {"模式校验问题 schema problems", "全部重新读取 files read again", "机关名录 office registry",
            "用时 time"} <= {i.strip() for i in items}


@pytest.mark.parametrize("sig, code, how", [(signal.SIGTERM, 143, "SIGTERM"), (signal.SIGINT, 130, "Ctrl-C")])
def test_a_run_asked_to_stop_never_ends_as_completed(tmp_path, monkeypatch, sig, code, how):
    """A library on the flow's way may swallow the KeyboardInterrupt a stop raises and let the flow
    return: the run still ends as interrupted, with its exit status."""
    import gkqc.cli

    def flow_that_swallows(*args):
        with contextlib.suppress(KeyboardInterrupt):
            os.kill(os.getpid(), sig)
            time.sleep(5)
        return None

    monkeypatch.setattr(gkqc.cli, "_flow", flow_that_swallows)
    # (what the process had before: a shell starts a background job with SIGINT ignored, and the
    # run handles it all the same)
    handlers = [signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)]
    r = cli("run", str(SAMPLES), "--warehouse", str(tmp_path / "wh"))
    assert r.returncode == code, r.stderr
    assert f"已中断（{how}）" in r.stderr and "本次运行未提交" in r.stderr
    assert [signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)] == handlers  # handed back


@pytest.mark.parametrize("sig, code, how", [(signal.SIGTERM, 143, "SIGTERM"), (signal.SIGINT, 130, "Ctrl-C")])
def test_a_stop_swallowed_in_a_finaliser_ends_as_interrupted_without_a_traceback(tmp_path, monkeypatch, sig, code, how):
    """A stop that lands in a finaliser (a weakref callback, `__del__`) cannot raise there: Python
    would print its traceback, and the flow then fails for what the stop broke (the worker pool).
    The run still ends as interrupted, with its exit status, and prints no traceback."""
    import flows.pipeline
    import gkqc.cli

    class StopInFinaliser:
        def __del__(self):
            os.kill(os.getpid(), sig)
            time.sleep(1)

    def flow_broken_by_the_stop(*args):
        StopInFinaliser()  # dropped at once: the signal arrives inside its __del__
        raise RuntimeError("A child process terminated abruptly, the process pool is not usable anymore")

    monkeypatch.setattr(gkqc.cli, "prefect_api", lambda *a: contextlib.nullcontext())
    monkeypatch.setattr(flows.pipeline, "gkqc_run", flow_broken_by_the_stop)
    r = cli("run", str(SAMPLES), "--warehouse", str(tmp_path / "wh"))
    assert r.returncode == code, r.stderr
    assert f"已中断（{how}）" in r.stderr and "本次运行未提交" in r.stderr
    assert "Traceback" not in r.stderr and "运行未完成" not in r.stderr


@pytest.mark.parametrize("sig, code, how", [(signal.SIGTERM, 143, "SIGTERM"), (signal.SIGINT, 130, "Ctrl-C")])
def test_a_stop_a_library_wraps_in_its_own_error_ends_as_interrupted(tmp_path, monkeypatch, sig, code, how):
    """Ctrl-C while Prefect is imported and its settings built: pydantic wraps the KeyboardInterrupt in a
    PydanticSerializationError, which ended the run with exit 1 and a 157-line traceback."""
    import gkqc.cli

    class WrappedError(Exception):
        pass

    def flow_importing(*args):
        try:
            os.kill(os.getpid(), sig)
            time.sleep(5)
        except KeyboardInterrupt as e:
            raise WrappedError("Error calling function _ser_model: KeyboardInterrupt") from e

    monkeypatch.setattr(gkqc.cli, "_flow", flow_importing)
    r = cli("run", str(SAMPLES), "--warehouse", str(tmp_path / "wh"))
    assert r.returncode == code, r.stderr
    assert f"已中断（{how}）" in r.stderr and "本次运行未提交" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.parametrize(("args", "chinese", "english"), [
    (["run", "--bogus"], "没有这个选项", "No such option: --bogus"),
    (["scorecard", "--year", "abc"], "参数值无效", "Invalid value for '--year'"),
    (["frob"], "没有这个命令", "No such command 'frob'"),
    (["review"], "缺少必需的参数或选项", "Missing argument"),
    (["sql", "select 1", "extra"], "多余的参数", "unexpected extra argument"),
])
def test_usage_errors_speak_chinese_before_clicks_english(args, chinese, english):
    r = cli(*args)
    assert r.returncode == 2 and f"{chinese}：" in r.stderr and english in r.stderr
    assert r.stderr.index(chinese) < r.stderr.index(english.split()[0])


@pytest.mark.parametrize("args", [("run", ""), ("run", "{inbox}", "--warehouse", ""), ("sql", "select 1", "-w", ""),
                                  ("scorecard", "-w", ""), ("scorecard", "--out", ""),
                                  ("notices", "--year", "2020", "--out", ""),
                                  ("simulate", "--offices", "1", "--years", "2020-2020", "--out", "")])
def test_an_empty_path_is_refused_not_taken_for_the_samples_or_here(tmp_path, args):
    """`gkqc run "$INBOX"` with INBOX unset ran on the bundled samples and mixed them into the warehouse;
    `--warehouse ""` and `--out ""` were the current folder."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    r = cli(*[a.format(inbox=inbox) for a in args], *(() if {"--warehouse", "-w"} & set(args) or args[0] == "simulate"
                                                      else ("--warehouse", str(tmp_path / "wh"))))
    assert r.returncode == 2 and "路径为空" in r.stderr, r.stderr
    assert not (tmp_path / "wh").exists()


def test_a_run_that_fails_on_a_nearly_full_disk_names_the_disk_and_its_folder(tmp_path, monkeypatch):
    """A full disk surfaced as the run's own API server's HTTP 500, which named nothing of the disk."""
    import shutil as sh

    from gkqc import cli as cli_module
    from gkqc.storage import warehouse

    wh = warehouse(str(tmp_path))
    monkeypatch.setattr(sh, "disk_usage", lambda p: SimpleNamespace(total=10 * 2**30, used=10 * 2**30, free=3 * 2**20))
    said = cli_module._hint(RuntimeError("Server error '500 Internal Server Error'"), wh)
    assert "磁盘仅余 3.0 MB" in said and str(tmp_path) in said
    monkeypatch.setattr(sh, "disk_usage", lambda p: SimpleNamespace(total=10 * 2**30, used=0, free=10 * 2**30))
    assert cli_module._hint(RuntimeError("something else"), wh) == ""


def test_a_sigterm_after_the_summary_ends_a_completed_run_with_0(tmp_path):
    """The process winds down for seconds after its summary, its stop handler gone by then: a
    scheduler's SIGTERM in that time ended a completed, committed run with 143 and nothing said."""
    env = {**os.environ, "COLUMNS": "200", "PYTHONUNBUFFERED": "1"}
    p = subprocess.Popen([sys.executable, "-m", "gkqc.cli", "run", str(SAMPLES), "--warehouse", str(tmp_path / "wh")],
                         cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in p.stdout:
        if line.startswith("└"):  # the summary's last line
            p.send_signal(signal.SIGTERM)
            break
    rest, stderr = p.communicate(timeout=120)
    assert p.returncode == 0, stderr
    assert cli("sql", "select count(*) from reports", "--warehouse", str(tmp_path / "wh")).returncode == 0

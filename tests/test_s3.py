"""The inbox and the lake on S3-compatible object storage: moto's server on 127.0.0.1, started and
stopped here, spoken to over HTTP by the same client a user's run uses. A run there gives what a
local run of the same inbox gives, row for row; its writes are atomic the object-store way."""

from __future__ import annotations

import io
import os
import zipfile

import duckdb
import pyarrow as pa
import pytest
from conftest import SAMPLES
from runs import gkqc, sample_inbox, snapshot
from s3server import keys, s3_bucket, upload

from gkqc import inbox as local_inbox
from gkqc import inboxes
from gkqc import lake as lake_mod
from gkqc.inbox import iter_sources, scan_inbox
from gkqc.inboxes import ObjectInbox
from gkqc.lake import Lake, LakeConflict
from gkqc.settings import DEFAULT_WAREHOUSE
from gkqc.storage import attach, warehouse
from warehouse.access import connect_readonly

pytestmark = pytest.mark.usefixtures("prefect_api")
BUCKET = "gkqc-test"


@pytest.fixture(scope="module")
def s3(tmp_path_factory):
    """The server's admin client (buckets), with AWS_* pointing at the server for the module."""
    with s3_bucket(tmp_path_factory.mktemp("moto") / "moto.log", BUCKET) as fs:
        yield fs


def collection(root):
    """The samples with an office registry, plus what a crawl brings: a copy in a subfolder, a zip,
    a note that is not a report, a hidden file and an empty one."""
    inbox = sample_inbox(root)
    ali = (SAMPLES / "ali-2020-annual-report.txt").read_bytes()
    (inbox / "mirror").mkdir()
    (inbox / "mirror" / "ali-copy.txt").write_bytes(ali)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("2023/suqian-crlf.txt", (SAMPLES / "suqian_2023.txt").read_bytes().replace(b"\n", b"\r\n"))
        z.writestr("readme.txt", "附件说明".encode())
    (inbox / "bundle.zip").write_bytes(buf.getvalue())
    (inbox / "a-note.txt").write_text("本站声明：以下为转载内容。", encoding="utf-8")
    (inbox / ".hidden.txt").write_bytes(ali)
    (inbox / "mirror" / "empty.txt").write_bytes(b"")
    return inbox


@pytest.fixture(scope="module")
def local_run(tmp_path_factory):
    """The collection and what a local run of it leaves."""
    from flows.pipeline import gkqc_run

    root = tmp_path_factory.mktemp("local")
    inbox = collection(root)
    gkqc_run(str(inbox), str(root / "wh"))
    return inbox, snapshot(root / "wh")


def test_an_object_inbox_gives_the_local_sources_in_the_local_order(s3, tmp_path, monkeypatch):
    inbox = collection(tmp_path)
    (inbox / "deep" / "er").mkdir(parents=True)
    (inbox / "deep" / "er" / "z.txt").write_bytes(b"z")
    (inbox / "deep" / "a.txt").write_bytes(b"a")
    (inbox / "big.txt").write_bytes(b"x" * 10_000)
    with zipfile.ZipFile(inbox / "deep" / "big.zip", "w", zipfile.ZIP_STORED) as z:  # read in ranges, not whole
        z.writestr("suqian.txt", (SAMPLES / "suqian_2024.txt").read_bytes())
    (inbox / "lake").mkdir()
    (inbox / "lake" / "skipped.txt").write_bytes(b"s")
    upload(s3, inbox, f"{BUCKET}/order")
    for module in (local_inbox, inboxes):  # files over the limit are refused unread, with the same reason
        monkeypatch.setattr(module, "MAX_FILE_BYTES", 9000)
    box = ObjectInbox(f"s3://{BUCKET}/order")
    remote = list(box.sources(box.scan()))
    local = list(iter_sources(inbox, scan_inbox(inbox)))
    assert [s.path for s in remote] == [s.path for s in local]
    assert remote == local
    assert {s.path for s in remote if s.problem} == {"big.txt", "suqian_2023.txt", "suqian_2024.txt"}
    assert {"bundle.zip!2023/suqian-crlf.txt", "deep/big.zip!suqian.txt", "mirror/empty.txt"} <= {
        s.path for s in remote if s.data is not None}
    assert box.offices()[0] == (inbox / "offices.csv").read_bytes()


def test_a_run_on_object_storage_gives_what_a_local_run_gives(s3, tmp_path, local_run):
    inbox, want = local_run
    upload(s3, inbox, f"{BUCKET}/inbox")
    env = {"GKQC_LOCAL_DIR": str(tmp_path / "local")}
    r = gkqc("run", f"s3://{BUCKET}/inbox", "--warehouse", f"s3://{BUCKET}/wh", env=env)
    assert r.returncode == 0, r.stderr
    assert f"s3://{BUCKET}/wh/gkqc.duckdb" in r.stdout
    wh = warehouse(f"s3://{BUCKET}/wh", tmp_path / "local")
    assert snapshot(wh.local) == want  # documents, reports, cells, check results, scorecards: row for row
    objects = keys(s3, f"{BUCKET}/wh")
    assert objects["gkqc.duckdb"] == (wh.local / "gkqc.duckdb").stat().st_size  # uploaded whole
    assert {"lake/_manifest.json", "scorecards/scorecard.xlsx", "scorecards/site/index.html"} <= set(objects)
    con = duckdb.connect(str(wh.local / "gkqc.duckdb"), read_only=True)
    try:  # the views read the objects themselves, through the client they are given: no extension
        attach(con)
        paths = [p for (p,) in con.execute("select path from _gkqc_lake_files").fetchall()]
        assert con.execute("select count(*) from documents").fetchone()[0] == len(want["documents"])
        loaded = {n for (n,) in con.execute("select extension_name from duckdb_extensions() where loaded").fetchall()}
    finally:
        con.close()
    assert paths and all(p.startswith(f"s3://{BUCKET}/wh/lake/") for p in paths)
    assert "httpfs" not in loaded


def test_an_unchanged_rerun_commits_nothing_and_a_new_object_is_read(s3, tmp_path, local_run):
    from flows.pipeline import gkqc_run

    inbox, _ = local_run
    upload(s3, inbox, f"{BUCKET}/again")
    url, local = f"s3://{BUCKET}/again-wh", tmp_path / "local"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GKQC_LOCAL_DIR", str(local))
        first = gkqc_run(f"s3://{BUCKET}/again", url)
        second = gkqc_run(f"s3://{BUCKET}/again", url)
        assert first.committed and not second.committed
        assert second.ingest.unchanged == second.ingest.seen == first.ingest.seen
        with s3.open_output_stream(f"{BUCKET}/again/later/suqian-2024-copy.txt") as out:
            out.write((SAMPLES / "suqian_2024.txt").read_bytes())
        third = gkqc_run(f"s3://{BUCKET}/again", url)
    assert third.committed and third.ingest.new == third.ingest.duplicates == 1
    lake = Lake(f"{url}/lake")
    lake.init()
    assert lake.commit_no == 2


def _killed_run(s3, tmp_path, inbox, name: str, point: str) -> tuple[dict, str]:
    """The inbox put in the bucket as `name`, and a run of it into `name`-wh killed at `point`:
    (the environment of the warehouse's local side, the warehouse's URL)."""
    upload(s3, inbox, f"{BUCKET}/{name}")
    env = {"GKQC_LOCAL_DIR": str(tmp_path / "local")}
    url = f"s3://{BUCKET}/{name}-wh"
    killed = gkqc("run", f"s3://{BUCKET}/{name}", "--warehouse", url, env={**env, "GKQC_FAULT": f"{point}:SIGKILL"})
    assert killed.returncode == -9, killed.stderr
    return env, url


def test_an_interrupted_run_is_invisible_and_its_objects_go_once_old(s3, tmp_path, local_run, monkeypatch):
    inbox, want = local_run
    env, url = _killed_run(s3, tmp_path, inbox, "faults", "commit")
    written = keys(s3, f"{BUCKET}/faults-wh/lake")
    assert any(k.startswith("documents/part-") for k in written) and "_commits/00000001.json" in written
    reader = Lake(f"{url}/lake")
    reader.init()
    assert reader.files("documents") == [] and reader.commit_no == 0  # a reader sees no half batch
    again = gkqc("run", f"s3://{BUCKET}/faults", "--warehouse", url, env=env)
    assert again.returncode == 0, again.stderr
    assert snapshot(warehouse(url, tmp_path / "local").local) == want
    lake = Lake(f"{url}/lake")
    lake.init()
    assert lake.leftovers() == []  # the killed run's objects are young: perhaps another machine's
    orphans = {k for k in keys(s3, f"{BUCKET}/faults-wh/lake") if "/part-" in k} - {
        f"{t}/{n}" for t in lake_mod.TABLES for n in lake.part_names(t)}
    assert orphans and orphans <= set(written)
    monkeypatch.setattr(lake_mod, "LEFTOVER_AGE", lake_mod.timedelta(0))
    assert sorted(lake.leftovers()) == sorted(f"{url}/lake/{k}" for k in orphans)
    assert lake.clean() == len(orphans)
    assert not {k for k in keys(s3, f"{BUCKET}/faults-wh/lake") if "/part-" in k} & orphans
    assert snapshot(warehouse(url, tmp_path / "local").local) == want


def test_a_run_killed_while_uploading_its_database_uploads_it_the_next_time(s3, tmp_path, local_run):
    """The database is built locally and put in the bucket: killed in between, the local file must not
    say it is built, else the next run finds it up to date and the bucket never gets it."""
    inbox, _ = local_run
    env, url = _killed_run(s3, tmp_path, inbox, "up", "upload")
    assert "gkqc.duckdb" not in keys(s3, f"{BUCKET}/up-wh")
    again = gkqc("run", f"s3://{BUCKET}/up", "--warehouse", url, env=env)
    assert again.returncode == 0, again.stderr
    with s3.open_input_stream(f"{BUCKET}/up-wh/gkqc.duckdb") as src:
        remote = src.read()
    assert remote == (warehouse(url, tmp_path / "local").local / "gkqc.duckdb").read_bytes()


def _run(s3, tmp_path, inbox, name: str) -> tuple[dict, str]:
    """The inbox put in the bucket as `name`, and a run of it into `name`-wh: (the environment of the
    warehouse's local side, the warehouse's URL)."""
    upload(s3, inbox, f"{BUCKET}/{name}")
    env = {"GKQC_LOCAL_DIR": str(tmp_path / "local")}
    url = f"s3://{BUCKET}/{name}-wh"
    assert gkqc("run", f"s3://{BUCKET}/{name}", "--warehouse", url, env=env).returncode == 0
    return env, url


def test_the_read_commands_read_an_s3_warehouses_local_copy(s3, tmp_path, local_run):
    """`gkqc sql`, `scorecard` and `notices` with the bucket's URL read what the run left on this machine."""
    env, url = _run(s3, tmp_path, local_run[0], "reads")
    r = gkqc("sql", "select count(*) as n from reports", "--warehouse", url, "--format", "csv", env=env)
    assert r.returncode == 0 and r.stdout.splitlines()[0] == "n" and int(r.stdout.splitlines()[1]) > 0, r.stderr
    r = gkqc("scorecard", "--year", "2020", "--warehouse", url, env=env)
    assert r.returncode == 0 and "阿里地区" in r.stdout, r.stderr
    r = gkqc("notices", "--year", "2020", "--out", str(tmp_path / "notices"), "--warehouse", url, env=env)
    assert r.returncode == 0 and any((tmp_path / "notices").rglob("*.xlsx")), r.stderr


def test_a_commit_over_a_newer_one_is_refused(s3):
    url = f"s3://{BUCKET}/cas/lake"
    first, second = Lake(url), Lake(url)
    first.init()
    second.init()
    schema = lake_mod.SCHEMAS["offices"]
    second.write("offices", pa.Table.from_pylist([{"office": "甲", "region": "乙"}], schema=schema), "b")
    assert second.commit("b")
    first.write("offices", pa.Table.from_pylist([{"office": "丙", "region": "丁"}], schema=schema), "a")
    with pytest.raises(LakeConflict):
        first.commit("a")
    reader = Lake(url)
    reader.init()
    assert reader.part_names("offices") == ["part-b.parquet"]


def test_a_damaged_object_stops_the_run_and_repair_reads_its_batch_again(s3, tmp_path, local_run):
    inbox, want = local_run
    env, url = _run(s3, tmp_path, inbox, "damage")
    lake = Lake(f"{url}/lake")
    lake.init()
    part = lake.part_names("applications")[0]
    key = f"{BUCKET}/damage-wh/lake/applications/{part}"
    with s3.open_input_stream(key) as f:
        data = f.read()
    with s3.open_output_stream(key) as out:
        out.write(data[: len(data) // 2])
    r = gkqc("run", f"s3://{BUCKET}/damage", "--warehouse", url, env=env)
    assert r.returncode == 2 and f"{url}/lake/applications/{part}" in r.stderr
    fixed = gkqc("repair", f"s3://{BUCKET}/damage", "--warehouse", url, env=env)
    assert fixed.returncode == 0, fixed.stderr
    assert snapshot(warehouse(url, tmp_path / "local").local) == want


def test_the_local_side_of_a_remote_warehouse_is_named_after_its_url(tmp_path, monkeypatch):
    monkeypatch.delenv("GKQC_LOCAL_DIR", raising=False)
    a, b = warehouse("s3://b/x/"), warehouse("s3://b/x_")
    assert a.url == "s3://b/x" and a.local.parent == DEFAULT_WAREHOUSE / "s3" and a.local != b.local
    here = warehouse(tmp_path / "wh")
    assert not here.remote and here.local == (tmp_path / "wh").resolve()


def test_lake_files_on_object_storage_read_as_local_ones_do(s3, tmp_path):
    """Every reader the checks use gives the same frame from an object as from a local file."""
    from checks.grid import read_file
    from gkqc.storage import read_frame

    local, remote = Lake(tmp_path / "lake"), Lake(f"s3://{BUCKET}/readers/lake")
    rows = pa.Table.from_pylist([{"office": f"机关{k}", "region": "甲" if k % 2 else None} for k in range(50)],
                                schema=lake_mod.SCHEMAS["offices"])
    for lake in (local, remote):
        lake.init()
        lake.write("offices", rows, "a")
        lake.write("offices", rows.slice(10, 5).drop(["office_kind"]), "b")  # a part written before a column was
    a, b = local.files("offices"), remote.files("offices")
    assert all(u.startswith(f"s3://{BUCKET}/readers/lake/offices/part-") for u in b)
    cols = ["office", "region", "office_kind"]
    assert read_frame(b, cols, missing_columns="insert").equals(read_frame(a, cols, missing_columns="insert"))
    assert read_frame(b, cols, missing_columns="insert").height == 55
    assert read_file(b[0], ["office", "region"], ["region"]).equals(read_file(a[0], ["office", "region"], ["region"]))


def test_a_decision_on_object_storage_is_uploaded_and_its_local_folder_is_refused(s3, tmp_path, local_run, monkeypatch):
    """`gkqc review` on a warehouse in a bucket: by its URL, the rebuilt database and scorecards go up;
    by the path of its local folder (which has no lake), refused before anything is written."""
    from flows.pipeline import gkqc_run
    from gkqc.review import ReviewError, decisions_path, record

    inbox, _ = local_run
    upload(s3, inbox, f"{BUCKET}/rev-inbox")
    url = f"s3://{BUCKET}/rev-wh"
    monkeypatch.setenv("GKQC_LOCAL_DIR", str(tmp_path / "local"))
    gkqc_run(f"s3://{BUCKET}/rev-inbox", url)
    wh = warehouse(url, tmp_path / "local")
    con = connect_readonly(wh.local)
    try:
        office, year, check, subject = con.execute(
            "select office, report_year, check_id, subject from findings where is_latest and check_id = 'A1' "
            "order by all limit 1").fetchone()
    finally:
        con.close()
    with pytest.raises(ReviewError, match="s3://"):
        record(wh.local, check, office, year, subject, "dismissed", "另有说明", by="李四")
    assert not (wh.local / "lake").exists() and not decisions_path(wh.local).exists()

    def uploaded() -> bytes:
        with s3.open_input_stream(f"{BUCKET}/rev-wh/gkqc.duckdb") as src:
            return src.read()

    before = uploaded()
    record(url, check, office, year, subject, "dismissed", "另有说明", by="李四")
    after = uploaded()
    assert after != before and after == (wh.local / "gkqc.duckdb").read_bytes()
    con = connect_readonly(wh.local)
    try:
        assert con.execute("select decided_by, decision from decisions").fetchall() == [("李四", "dismissed")]
    finally:
        con.close()


class _Flaky:
    """The S3 client, but reads of the objects whose key holds `key` fail `times` times (a storage blip)."""

    def __init__(self, fs, key: str, times: int):
        self.fs, self.key, self.times = fs, key, times

    def __getattr__(self, name):
        return getattr(self.fs, name)

    def open_input_stream(self, path, *args, **kw):
        if self.key in path and self.times > 0:
            self.times -= 1
            raise OSError(f"When reading information for key '{path}': AWS Error NETWORK_CONNECTION during "
                          "HeadObject operation: curlCode: 7, Could not connect to server")
        return self.fs.open_input_stream(path, *args, **kw)


def _flaky_inbox(monkeypatch, key: str, times: int) -> None:
    """Inboxes opened from here on read through `_Flaky`; tried again at once."""
    from gkqc import storage

    def place(url):
        store = storage.place(url)
        return storage.ObjectStore(store.base, _Flaky(store.fs, key, times)) if store.remote else store

    monkeypatch.setattr(inboxes, "place", place)
    monkeypatch.setattr(inboxes, "RETRY_WAITS", (0, 0), raising=False)


def test_a_storage_blip_while_the_inbox_is_read_is_read_again(s3, tmp_path, local_run, monkeypatch):
    """A read that fails and then succeeds gives what a local run gives: never an 'unreadable' report."""
    from flows.pipeline import gkqc_run

    inbox, want = local_run
    upload(s3, inbox, f"{BUCKET}/blip")
    monkeypatch.setenv("GKQC_LOCAL_DIR", str(tmp_path / "local"))
    _flaky_inbox(monkeypatch, "suqian_2023", 2)
    gkqc_run(f"s3://{BUCKET}/blip", f"s3://{BUCKET}/blip-wh")
    assert snapshot(warehouse(f"s3://{BUCKET}/blip-wh", tmp_path / "local").local) == want


def test_a_storage_error_that_lasts_stops_the_run_before_its_commit(s3, tmp_path, local_run, monkeypatch):
    from test_cli import cli

    upload(s3, local_run[0], f"{BUCKET}/down")
    monkeypatch.setenv("GKQC_LOCAL_DIR", str(tmp_path / "local"))
    _flaky_inbox(monkeypatch, "suqian_2023", 99)
    r = cli("run", f"s3://{BUCKET}/down", "--warehouse", f"s3://{BUCKET}/down-wh")
    assert r.returncode == 2, r.stderr
    assert f"s3://{BUCKET}/down/suqian_2023.txt" in r.stderr and "NETWORK_CONNECTION" in r.stderr
    assert "收件箱对象无法读取" in r.stderr and "未提交" in r.stderr and "Traceback" not in r.stderr
    lake = Lake(f"s3://{BUCKET}/down-wh/lake")
    lake.init()
    assert lake.commit_no == 0


def test_an_object_removed_after_the_listing_gives_no_row(s3, tmp_path):
    """As a local file removed meanwhile (gkqc.inbox.iter_sources): not an 'unreadable' document."""
    data = (SAMPLES / "suqian_2023.txt").read_bytes()
    for name in ("a.txt", "b.txt"):
        with s3.open_output_stream(f"{BUCKET}/removed/{name}") as out:
            out.write(data)
    box = ObjectInbox(f"s3://{BUCKET}/removed")
    files = box.scan()
    s3.delete_file(f"{BUCKET}/removed/b.txt")
    assert [(s.path, s.problem) for s in box.sources(files)] == [("a.txt", None)]


def test_a_key_no_path_can_name_is_a_refused_row(s3):
    """Keys other clients write (`//`, a `.` or `..` segment, a leading `/`): listed, never read, one row each."""
    import boto3

    client = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name="us-east-1",
                          aws_access_key_id="test", aws_secret_access_key="test")
    odd = ["dir//double.txt", "a/../dotdot.txt", "./dot.txt", "/lead.txt", "b/./dot.txt"]
    for key in ["ok.txt", *odd, ".hidden/x.txt"]:
        client.put_object(Bucket=BUCKET, Key=f"unsafe/{key}", Body=b"x")
    box = ObjectInbox(f"s3://{BUCKET}/unsafe")
    rows = {s.path: s.problem for s in box.sources(box.scan())}
    assert rows.pop("ok.txt") is None
    assert rows == dict.fromkeys(odd, inboxes.UNSAFE_KEY)


def test_an_object_refused_for_good_or_listed_under_another_name_is_a_row_not_a_stop(s3):
    """Only a storage error that may pass is tried again and stops the run: an archived object (or one
    denied) was tried again and stopped every run until removed; a key with content ending in `/`, which
    is listed without it and not found so, gave no row."""
    import boto3

    client = boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name="us-east-1",
                          aws_access_key_id="test", aws_secret_access_key="test")
    client.put_object(Bucket=BUCKET, Key="refused/ok.txt", Body=b"x")
    client.put_object(Bucket=BUCKET, Key="refused/old.txt", Body=b"x", StorageClass="GLACIER")
    client.put_object(Bucket=BUCKET, Key="refused/report2023.txt/", Body=b"x")
    box = ObjectInbox(f"s3://{BUCKET}/refused")
    rows = {s.path: s.problem for s in box.sources(box.scan())}
    assert rows.pop("ok.txt") is None
    assert sorted(rows) == ["old.txt", "report2023.txt"] and all(p.startswith("无法读取") for p in rows.values())


def test_a_warehouse_inside_an_object_inbox_is_not_read_and_its_stale_pages_go(s3, tmp_path, local_run, monkeypatch):
    """The run's own warehouse under the inbox's prefix is left out from its first run, as a local one is;
    pages the published site no longer has are deleted from the bucket (nothing else is)."""
    from flows.pipeline import gkqc_run
    from gkqc.outputs.scorecard import publish_recorded

    inbox, want = local_run
    upload(s3, inbox, f"{BUCKET}/nest")
    url = f"s3://{BUCKET}/nest/wh"
    monkeypatch.setenv("GKQC_LOCAL_DIR", str(tmp_path / "local"))
    gkqc_run(f"s3://{BUCKET}/nest", url)
    wh = warehouse(url, tmp_path / "local")
    assert snapshot(wh.local) == want
    assert not [p for p in ObjectInbox(f"s3://{BUCKET}/nest").listed(ObjectInbox(f"s3://{BUCKET}/nest").scan())
                if p.startswith("wh/")]  # another inbox's warehouse is known by its lake
    for key in ("scorecards/site/office/gone.html", "scorecards/mine.txt"):
        with s3.open_output_stream(f"{BUCKET}/nest/wh/{key}") as out:
            out.write(b"old")
    publish_recorded(wh, "again")
    site = {k.removeprefix("scorecards/site/") for k in keys(s3, f"{BUCKET}/nest/wh") if k.startswith("scorecards/site/")}
    assert site == {p.relative_to(wh.local / "scorecards" / "site").as_posix()
                    for p in (wh.local / "scorecards" / "site").rglob("*") if p.is_file()}
    assert "scorecards/mine.txt" in keys(s3, f"{BUCKET}/nest/wh")


def test_readers_name_an_unreachable_storage_in_one_line(s3, tmp_path, local_run, monkeypatch):
    from conftest import free_port
    from test_cli import cli

    env, url = _run(s3, tmp_path, local_run[0], "gone")
    monkeypatch.setenv("GKQC_LOCAL_DIR", env["GKQC_LOCAL_DIR"])
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{free_port()}")  # nothing listens there
    for r in (cli("sql", "select count(*) from reports", "--warehouse", url),
              cli("scorecard", "--year", "2020", "--warehouse", url)):
        assert r.returncode == 2, r.stderr
        assert "数据仓库的文件无法读取：OSError:" in r.stderr and "NETWORK_CONNECTION" in r.stderr
        assert "Traceback" not in r.stderr


def test_a_storage_error_after_the_commit_says_the_next_run_completes_it(s3, tmp_path, local_run, monkeypatch):
    from test_cli import cli

    from gkqc import storage

    upload(s3, local_run[0], f"{BUCKET}/late")
    monkeypatch.setenv("GKQC_LOCAL_DIR", str(tmp_path / "local"))

    def down(self, path, rel, prune=None):
        raise OSError("AWS Error NETWORK_CONNECTION during PutObject operation: curlCode: 7")

    monkeypatch.setattr(storage.Warehouse, "upload", down)
    r = cli("run", f"s3://{BUCKET}/late", "--warehouse", f"s3://{BUCKET}/late-wh")
    assert r.returncode == 2, r.stderr
    assert "运行未完成：OSError" in r.stderr and "已提交（提交 1）" in r.stderr and "下次运行" in r.stderr

"""A run is a transaction: interrupted anywhere, the next run leaves exactly what a clean run leaves;
two runs never share a warehouse; damage is found, named and repaired."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT
from runs import gkqc, sample_inbox, snapshot, stray_files

pytestmark = pytest.mark.usefixtures("prefect_api")


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    """The sample inbox and the warehouse a clean run leaves."""
    root = tmp_path_factory.mktemp("clean")
    inbox = sample_inbox(root)
    r = gkqc("run", str(inbox), "--warehouse", str(root / "wh"))
    assert r.returncode == 0, r.stderr
    return inbox, root / "wh", snapshot(root / "wh")


@pytest.mark.parametrize("point,signal", [
    ("ingest-write", "SIGKILL"), ("check-write", "SIGKILL"), ("commit", "SIGKILL"), ("build", "SIGKILL"),
    ("publish", "SIGKILL"), ("ingest-write", "SIGINT"), ("check-write", "SIGTERM"), ("build", "SIGINT"),
    ("build", "SIGTERM"), ("build-query", "SIGTERM"), ("build-query", "SIGINT")])
def test_an_interrupted_run_is_invisible_and_the_next_run_completes_it(tmp_path, clean, point, signal):
    inbox, _, want = clean
    wh = tmp_path / "wh"
    killed = gkqc("run", str(inbox), "--warehouse", str(wh), env={"GKQC_FAULT": f"{point}:{signal}"})
    if signal == "SIGKILL":
        assert killed.returncode == -9, killed.stderr
    else:  # stopped within the run, in one line, without a traceback
        assert killed.returncode == {"SIGINT": 130, "SIGTERM": 143}[signal], killed.stderr
        assert "Traceback" not in killed.stderr and "已中断" in killed.stderr
        assert len(killed.stderr.strip().splitlines()) <= 3, killed.stderr
        # stopped after the lake's commit, the run says so (its data is in, the outputs come next run)
        assert ("已提交（提交 1）" in killed.stderr) == point.startswith("build"), killed.stderr
    again = gkqc("run", str(inbox), "--warehouse", str(wh))
    assert again.returncode == 0, again.stderr
    assert snapshot(wh) == want
    assert stray_files(wh) == []
    site = wh / "scorecards" / "site" / "index.html"
    assert site.exists() and "阿里" in site.read_text(encoding="utf-8")


def test_an_interrupted_first_run_leaves_no_warehouse_to_read(tmp_path, clean):
    inbox, _, _ = clean
    wh = tmp_path / "wh"
    gkqc("run", str(inbox), "--warehouse", str(wh), env={"GKQC_FAULT": "check-write:SIGKILL"})
    r = gkqc("sql", "select count(*) from documents", "--warehouse", str(wh))
    assert r.returncode == 2 and "gkqc run" in r.stderr


def test_a_second_run_on_a_held_warehouse_exits_at_once_naming_the_first(tmp_path, clean):
    from gkqc import runlock

    inbox, _, _ = clean
    wh = tmp_path / "wh"
    wh.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time; from pathlib import Path; from gkqc import runlock\n"
        "with runlock.hold(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(60)"), str(wh)],
        cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        start = time.monotonic()
        r = gkqc("run", str(inbox), "--warehouse", str(wh))
        assert r.returncode == 2 and time.monotonic() - start < 10
        assert str(holder.pid) in r.stderr and len(r.stderr.strip().splitlines()) == 1
        with pytest.raises(runlock.WarehouseBusy), runlock.hold(wh):
            pass
    finally:
        holder.kill()
        holder.wait()
    with runlock.hold(wh):  # the holder's death released it
        pass


def test_two_runs_at_once_one_runs_one_is_refused_nothing_doubled(tmp_path, clean):
    inbox, _, want = clean
    wh = tmp_path / "wh"
    cmd = [sys.executable, "-m", "gkqc.cli", "run", str(inbox), "--warehouse", str(wh)]
    procs = [subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    codes = sorted(p.wait(timeout=600) for p in procs)
    assert codes == [0, 2]
    assert snapshot(wh) == want


def test_damaged_parts_stop_the_run_naming_them_and_repair_restores_a_clean_lake(tmp_path, clean):
    inbox, wh0, want = clean
    wh = tmp_path / "wh"
    shutil.copytree(wh0, wh)
    cells = sorted((wh / "lake" / "applications").glob("part-*.parquet"))[0]
    cells.write_bytes(cells.read_bytes()[:100])  # truncated
    docs = sorted((wh / "lake" / "documents").glob("part-*.parquet"))[0]
    docs.unlink()  # missing
    r = gkqc("run", str(inbox), "--warehouse", str(wh))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "gkqc repair" in r.stderr and ("applications" in r.stderr or "documents" in r.stderr)
    fixed = gkqc("repair", str(inbox), "--warehouse", str(wh))
    assert fixed.returncode == 0, fixed.stderr
    assert "applications" in fixed.stdout and "documents" in fixed.stdout
    assert snapshot(wh) == want
    assert stray_files(wh) == []


def test_an_unreadable_manifest_is_restored_from_the_commit_log(tmp_path, clean):
    inbox, wh0, want = clean
    wh = tmp_path / "wh"
    shutil.copytree(wh0, wh)
    (wh / "lake" / "_manifest.json").write_text("{ not json", encoding="utf-8")
    r = gkqc("run", str(inbox), "--warehouse", str(wh))
    assert r.returncode == 2 and "gkqc repair" in r.stderr
    assert gkqc("repair", str(inbox), "--warehouse", str(wh)).returncode == 0
    assert snapshot(wh) == want


def test_a_corrupt_database_file_is_rebuilt_and_a_copied_warehouse_reads_its_own_lake(tmp_path, clean):
    inbox, wh0, want = clean
    wh = tmp_path / "wh"
    shutil.copytree(wh0, wh)
    (wh / "gkqc.duckdb").write_bytes(b"\0garbage" * 1000)
    bad = gkqc("sql", "select 1", "--warehouse", str(wh))
    assert bad.returncode == 2 and len(bad.stderr.strip().splitlines()) == 1
    r = gkqc("run", str(inbox), "--warehouse", str(wh))
    assert r.returncode == 0, r.stderr
    moved = tmp_path / "moved"
    shutil.move(wh, moved)  # the original path is gone: views must read the copy's lake
    assert snapshot(moved) == want


def test_stray_files_in_the_lake_are_ignored_and_removed(tmp_path, clean):
    inbox, wh0, want = clean
    wh = tmp_path / "wh"
    shutil.copytree(wh0, wh)
    stray = wh / "lake" / "documents" / "part-stray.parquet"
    shutil.copy(sorted((wh / "lake" / "documents").glob("part-*.parquet"))[0], stray)
    r = gkqc("run", str(inbox), "--warehouse", str(wh))
    assert r.returncode == 0, r.stderr
    assert not stray.exists()
    assert snapshot(wh) == want


@pytest.mark.parametrize("kind", ["file", "unwritable"])
def test_an_unusable_warehouse_is_one_line_before_prefect_starts(tmp_path, clean, kind):
    inbox, _, _ = clean
    if kind == "file":
        wh = tmp_path / "wh"
        wh.write_text("not a folder")
    else:
        wh = Path("/proc/gkqc-warehouse")  # /proc refuses new folders, even to root
    start = time.monotonic()
    r = gkqc("run", str(inbox), "--warehouse", str(wh))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and str(wh) in r.stderr
    assert time.monotonic() - start < 5  # refused before Prefect's API starts
    assert not (tmp_path / ".prefect").exists()


def test_a_part_damaged_inside_stops_the_run_naming_repair_which_restores_a_clean_lake(tmp_path, clean):
    """Bytes flipped inside a part, its size and footer intact: every run died on it without a word
    of repair, and repair said the lake was intact."""
    inbox, wh0, want = clean
    wh = tmp_path / "wh"
    shutil.copytree(wh0, wh)
    docs = sorted((wh / "lake" / "documents").glob("part-*.parquet"))[0]
    data = bytearray(docs.read_bytes())
    for k in range(len(data) // 4, len(data) // 2, 97):
        data[k] ^= 0x55
    docs.write_bytes(bytes(data))
    r = gkqc("run", str(inbox), "--warehouse", str(wh))
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1
    assert "gkqc repair" in r.stderr and docs.name in r.stderr
    fixed = gkqc("repair", str(inbox), "--warehouse", str(wh))
    assert fixed.returncode == 0, fixed.stderr
    assert "documents" in fixed.stdout
    assert snapshot(wh) == want

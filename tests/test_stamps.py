"""A file whose stamp is as when its bytes were hashed is not read again (gkqc.stamps); any change
to it, even one that keeps its size and modification time, is read."""

from __future__ import annotations

import os
import time

import polars as pl
import pytest
from conftest import SAMPLES

import gkqc.inbox
from checks.engine import check_lake
from gkqc import stamps
from gkqc.ingest import ingest
from gkqc.lake import INGEST_TABLES, STAMPS, Lake
from gkqc.readers.errors import AGAIN

ALI = (SAMPLES / "ali-2020-annual-report.txt").read_bytes()
SUQIAN = sorted(SAMPLES.glob("*suqian*2023*"))[0].read_bytes()


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """The files a run opens to read, in order; a stamp needs the file left alone for 10 ms."""
    monkeypatch.setattr(stamps, "SETTLE_NS", 10_000_000)
    opened: list[str] = []
    real = gkqc.inbox._read_regular

    def counted(path: str, limit: int) -> bytes:
        opened.append(os.path.basename(path))
        return real(path, limit)

    monkeypatch.setattr(gkqc.inbox, "_read_regular", counted)
    return opened


def _run(inbox, lake_dir, run_id: str):
    lake = Lake(lake_dir)
    lake.init()
    summary = ingest(inbox, lake, run_id, workers=0)
    check_lake(lake, run_id)
    return summary, lake.commit(run_id), lake


def _settle() -> None:
    time.sleep(0.05)  # past SETTLE_NS, and past the clock tick a file's times are taken from


def _inbox(tmp_path):
    """An inbox of two reports, left alone long enough to be stamped."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "ali.txt").write_bytes(ALI)
    (inbox / "suqian.txt").write_bytes(SUQIAN)
    _settle()
    return inbox


def test_unchanged_files_are_not_read_and_a_file_changed_in_place_is(tmp_path, reads):
    inbox = _inbox(tmp_path)
    first, committed, lake = _run(inbox, tmp_path / "lake", "r1")
    assert committed and sorted(reads) == ["ali.txt", "suqian.txt"]
    assert pl.read_parquet(lake.files(STAMPS))["source_path"].to_list() == ["ali.txt", "suqian.txt"]

    reads.clear()
    again, committed, lake = _run(inbox, tmp_path / "lake", "r2")
    assert reads == [] and again.unchanged == 2 and again.new == 0
    assert not committed  # nothing new: nothing committed, the stamps included

    # one character changed, the size and the modification time put back: the change time gives it away
    time.sleep(1)  # (a document's ingested_at is in whole seconds: the newest must be told apart)
    before = os.stat(inbox / "ali.txt")
    changed = ALI.replace("浏览次数".encode(), "浏览人数".encode())
    assert changed != ALI and len(changed) == len(ALI)
    (inbox / "ali.txt").write_bytes(changed)
    os.utime(inbox / "ali.txt", ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(inbox / "ali.txt").st_mtime_ns == before.st_mtime_ns
    _settle()
    reads.clear()
    third, committed, lake = _run(inbox, tmp_path / "lake", "r3")
    assert reads == ["ali.txt"] and third.unchanged == 1 and third.new == 1 and committed
    docs = pl.read_parquet(lake.paths("documents")).filter(pl.col("source_path") == "ali.txt")
    assert docs.height == 2 and docs["doc_id"].n_unique() == 2
    recorded = pl.read_parquet(lake.files(STAMPS)).filter(pl.col("source_path") == "ali.txt")
    assert recorded["doc_id"].to_list() == [docs.sort("ingested_at")["doc_id"][-1]]

    reads.clear()
    _run(inbox, tmp_path / "lake", "r4")
    assert reads == []


def test_a_file_changed_just_before_it_was_read_is_read_again_next_time(tmp_path, reads, monkeypatch):
    monkeypatch.setattr(stamps, "SETTLE_NS", 3_600 * 10**9)  # every file "just changed"
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "ali.txt").write_bytes(ALI)
    _run(inbox, tmp_path / "lake", "r1")
    _, _, lake = _run(inbox, tmp_path / "lake", "r2")
    assert reads == ["ali.txt", "ali.txt"] and not lake.files(STAMPS)


def test_a_stamp_is_trusted_only_for_the_document_it_was_recorded_with(tmp_path, reads):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "ali.txt").write_bytes(ALI)
    _settle()
    _, _, lake = _run(inbox, tmp_path / "lake", "r1")
    [(path, doc)] = pl.read_parquet(lake.paths("documents")).select("source_path", "doc_id").rows()
    stamp = stamps.stamp_of(os.stat(inbox / "ali.txt"))
    assert stamps.trusted(lake.files(STAMPS), {path: doc}).unchanged(path, stamp) == doc
    assert len(stamps.trusted(lake.files(STAMPS), {path: "another"})) == 0 and len(stamps.trusted(lake.files(STAMPS), {})) == 0
    assert stamps.trusted(lake.files(STAMPS), {path: doc}).unchanged(path, (stamp[0] + 1, *stamp[1:])) is None
    # the lake without that document (a repair dropped its batch): the file is read again
    for table in INGEST_TABLES:
        lake.drop(table, lake.part_names(table))
    reads.clear()
    summary = ingest(inbox, lake, "r2", workers=0)
    assert reads == ["ali.txt"] and summary.new == 1


def test_the_stamps_are_written_again_only_when_they_differ_from_the_lakes(tmp_path, reads):
    inbox = _inbox(tmp_path)
    _, _, lake = _run(inbox, tmp_path / "lake", "r1")
    latest = dict(pl.read_parquet(lake.paths("documents")).select("source_path", "doc_id").rows())
    recorded = stamps.trusted(lake.files(STAMPS), latest)
    assert len(recorded) == recorded.stored == 2
    stamp = {p: stamps.stamp_of(os.stat(inbox / p)) for p in latest}

    def seen(*paths: str, fresh: str | None = None) -> stamps.Seen:
        out = stamps.Seen()
        for p in paths:
            out.add(p, latest[p], stamp[p], recorded=p != fresh and recorded.unchanged(p, stamp[p]) is not None)
        return out

    assert stamps.replacement(seen("ali.txt", "suqian.txt"), recorded) is None  # the same: not written
    gone = stamps.replacement(seen("ali.txt"), recorded)  # suqian.txt left the inbox
    assert gone is not None and gone["source_path"].to_pylist() == ["ali.txt"]
    again = stamps.replacement(seen("suqian.txt", "ali.txt", fresh="ali.txt"), recorded)  # ali.txt stamped anew
    assert again is not None and again["source_path"].to_pylist() == ["ali.txt", "suqian.txt"]
    untrusted = stamps.trusted(lake.files(STAMPS), {"ali.txt": latest["ali.txt"]})  # suqian.txt's newest changed
    assert len(untrusted) == 1 and untrusted.stored == 2
    assert stamps.replacement(seen("ali.txt"), untrusted) is not None


def _inbox_with_a_doc(tmp_path, monkeypatch, program: str):
    """The two reports and a .doc, converted by a LibreOffice that runs the shell's `program`."""
    from worddocs import ole_file, word_fib

    from gkqc.readers import word

    inbox = _inbox(tmp_path)
    (inbox / "r.doc").write_bytes(ole_file({"WordDocument": word_fib(encrypted=False)}))
    _settle()
    soffice = tmp_path / "soffice"
    monkeypatch.setattr(word, "find_soffice", lambda: str(soffice))
    soffice.write_text(f"#!/bin/sh\n{program}\n")
    soffice.chmod(0o755)
    return inbox, soffice


@pytest.mark.parametrize("failure", ["echo 'Error: ... No space left on device'; exit 1", "kill -KILL $$"],
                         ids=["disk-full", "killed"])
def test_a_file_the_machine_failed_is_read_again_and_a_bad_file_is_not(tmp_path, reads, monkeypatch, failure,
                                                                        later):
    """LibreOffice failing on a full disk or killed by a signal is no fault of the file: it was recorded as read
    and never read again. The next run reads it; once it fails for the file itself, it is not read again.
    The lake keeps one row of that path and content, the newest reading's, stamped with when the file was
    first collected (a version collected between the two runs is newer)."""
    inbox, soffice = _inbox_with_a_doc(tmp_path, monkeypatch, failure)
    _, _, lake = _run(inbox, tmp_path / "lake", "r1")
    assert sorted(reads) == ["ali.txt", "r.doc", "suqian.txt"]
    first = pl.read_parquet(lake.files("documents")).filter(pl.col("source_path") == "r.doc")["ingested_at"].to_list()
    later()

    soffice.write_text("#!/bin/sh\necho 'Error: source file could not be loaded'\nexit 1\n")
    reads.clear()
    again, committed, lake = _run(inbox, tmp_path / "lake", "r2")
    assert reads == ["r.doc"] and again.unchanged == 2 and committed
    docs = pl.read_parquet(lake.files("documents")).filter(pl.col("source_path") == "r.doc")
    assert docs["run_id"].to_list() == ["r2"] and docs["ingested_at"].to_list() == first
    assert docs["parse_error"].to_list() == ["LibreOffice 无法转换该 doc 文件（Error: source file could not be loaded）："
                                             "文件可能已损坏或不是 Word 文档"]

    reads.clear()
    third, committed, _ = _run(inbox, tmp_path / "lake", "r3")
    assert reads == [] and third.unchanged == 3 and not committed


@pytest.mark.parametrize("own", ["SEGV", "ABRT", "XFSZ"])
def test_a_file_its_program_crashes_on_is_not_read_again(tmp_path, reads, monkeypatch, own):
    """LibreOffice dying of a signal it raises itself (a crash, over the file-size limit) fails on the file,
    not for the machine: not read again each night, unlike one killed from outside."""
    inbox, _ = _inbox_with_a_doc(tmp_path, monkeypatch, f"kill -{own} $$")
    _, _, lake = _run(inbox, tmp_path / "lake", "r1")
    reason = pl.read_parquet(lake.files("documents")).filter(pl.col("source_path") == "r.doc")["parse_error"][0]
    assert f"SIG{own}" in reason and not reason.endswith(AGAIN)
    reads.clear()
    again, committed, _ = _run(inbox, tmp_path / "lake", "r2")
    assert reads == [] and again.unchanged == 3 and not committed


def test_a_path_whose_file_becomes_a_copy_of_one_left_to_read_again_keeps_one_row(tmp_path, reads, monkeypatch,
                                                                                    later):
    """r.doc's LibreOffice is killed (left to read again); ali.txt's file is then replaced by r.doc's bytes.
    Its new row was stamped when r.doc was first seen, before its own earlier row: the lake went on
    taking the old content for the path's, read it as new each night and kept a row each time."""
    inbox, _ = _inbox_with_a_doc(tmp_path, monkeypatch, "kill -KILL $$")
    _run(inbox, tmp_path / "lake", "r1")
    later()
    (inbox / "ali.txt").write_bytes((inbox / "r.doc").read_bytes())
    _settle()
    for run_id in ("r2", "r3", "r4"):
        later()
        summary, _, lake = _run(inbox, tmp_path / "lake", run_id)
    docs = pl.read_parquet(lake.files("documents")).filter(pl.col("source_path") == "ali.txt").sort("ingested_at")
    assert summary.new == 0 and docs["run_id"].to_list() == ["r1", "r4"]  # the first content, the newest reading

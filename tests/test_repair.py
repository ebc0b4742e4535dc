"""`gkqc repair` (library level) when little is left intact: it keeps every part it can read and
leaves out only what is damaged, so the next run reads the damaged batches again from the inbox."""

from __future__ import annotations

import shutil

import polars as pl
from conftest import SAMPLES

from gkqc.ingest import ingest
from gkqc.lake import COMMITS, DUPS, MANIFEST, Lake, batch_of, rewritten_name
from gkqc.repair import repair


def _two_commits(tmp_path):
    """A lake of two runs: the samples, then one more file (a batch of its own)."""
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLES, inbox)
    wh = tmp_path / "wh"
    for run_id in ("r1", "r2"):
        if run_id == "r2":
            (inbox / "later.txt").write_bytes((inbox / "suqian_2024.txt").read_bytes() + "\n补记。\n".encode())
        lake = Lake(wh / "lake")
        ingest(inbox, lake, run_id, workers=0)
        assert lake.commit(run_id)
    return inbox, wh


def _documents(wh) -> pl.DataFrame:
    lake = Lake(wh / "lake")
    lake.init()
    lake.verify()
    return pl.read_parquet(lake.paths("documents")).select("source_path", "run_id").sort("source_path")


def test_with_no_intact_commit_record_repair_keeps_the_undamaged_batches(tmp_path):
    inbox, wh = _two_commits(tmp_path)
    before = _documents(wh)
    (wh / "lake" / MANIFEST).write_text("{ not json", encoding="utf-8")
    first = sorted((wh / "lake" / "documents").glob("part-r1-*.parquet"))[0]  # in every commit record
    first.write_bytes(first.read_bytes()[:50])
    newest = max(p.name for p in (wh / "lake" / COMMITS).glob("*.json"))
    report = repair(wh, "fix")
    assert _documents(wh).to_dicts() == before.filter(pl.col("run_id") == "r2").to_dicts() != []
    assert report.manifest_restored_from == newest  # damaged, and the newest that can be read
    lake = Lake(wh / "lake")
    ingest(inbox, lake, "r3", workers=0)  # the damaged batch's files are read again
    assert lake.commit("r3")
    assert _documents(wh)["source_path"].to_list() == before["source_path"].to_list()


def test_with_no_readable_commit_record_repair_adopts_the_readable_parts(tmp_path):
    _, wh = _two_commits(tmp_path)
    before = _documents(wh)
    (wh / "lake" / MANIFEST).write_text("{ not json", encoding="utf-8")
    for record in (wh / "lake" / COMMITS).glob("*.json"):
        record.write_text("", encoding="utf-8")
    report = repair(wh, "fix")
    assert _documents(wh).to_dicts() == before.to_dicts()
    assert report.manifest_restored_from.startswith("（无可读记录")


def test_adopting_takes_a_batch_whole_or_leaves_it_to_be_read_again(tmp_path):
    """With no record to go by, a batch with one unreadable part (here its reports) is left out with
    its documents, which would otherwise say its files were read: they are read again."""
    inbox, wh = _two_commits(tmp_path)
    before = _documents(wh)
    (wh / "lake" / MANIFEST).write_text("{ not json", encoding="utf-8")
    shutil.rmtree(wh / "lake" / COMMITS)
    damaged = sorted((wh / "lake" / "reports").glob("part-r1-*.parquet"))[0]
    damaged.write_bytes(damaged.read_bytes()[:50])
    repair(wh, "fix")
    assert _documents(wh).to_dicts() == before.filter(pl.col("run_id") == "r2").to_dicts()
    lake = Lake(wh / "lake")
    ingest(inbox, lake, "r3", workers=0)
    assert lake.commit("r3")
    assert _documents(wh)["source_path"].to_list() == before["source_path"].to_list()
    reports = set(pl.read_parquet(lake.paths("reports"))["report_id"])
    read = set(pl.read_parquet(lake.paths("documents"))["report_id"].drop_nulls())
    assert read and read <= reports  # every document that gave a report points at a stored one


def test_files_a_repair_leaves_out_keep_when_they_were_first_seen(tmp_path, later):
    """A batch whose reports part is damaged is left out and its files read again by the next run:
    they keep the time they were first seen (their documents part was readable), so a version
    collected later stays the newer one; a copy's row, left out with it, keeps its time too."""
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLES, inbox)
    (inbox / "copy-of-ali.txt").write_bytes((inbox / "ali-2020-annual-report.txt").read_bytes())
    wh = tmp_path / "wh"
    lake = Lake(wh / "lake")
    ingest(inbox, lake, "r1", workers=0)
    assert lake.commit("r1")
    later()
    (inbox / "later.txt").write_bytes((inbox / "suqian_2024.txt").read_bytes() + "\n补记。\n".encode())
    lake = Lake(wh / "lake")
    ingest(inbox, lake, "r2", workers=0)
    assert lake.commit("r2")
    lake.init()
    before = pl.read_parquet(lake.paths("documents")).select("source_path", "ingested_at").sort("source_path")
    reports = pl.read_parquet(lake.paths("reports")).select("report_id", "ingested_at").sort("report_id")
    part = sorted((wh / "lake" / "reports").glob("part-r1-*.parquet"))[0]
    part.write_bytes(part.read_bytes()[:50])
    assert "part-r1-00000.parquet" in repair(wh, "fix").batches_dropped
    later()
    lake = Lake(wh / "lake")
    ingest(inbox, lake, "r3", workers=0)
    assert lake.commit("r3")
    lake.init()
    after = pl.read_parquet(lake.paths("documents")).select("source_path", "ingested_at").sort("source_path")
    assert after.to_dicts() == before.to_dicts()
    assert pl.read_parquet(lake.paths("reports")).select("report_id", "ingested_at").sort("report_id").equals(reports)
    assert "first_seen" not in lake.state


def test_a_copy_of_a_report_of_an_intact_batch_is_kept_though_its_file_is_gone(tmp_path):
    """A damaged batch takes out the copies of its own reports (read again as copies), not a copy of
    another batch's report, whose file may have left the inbox: nothing that arrived is lost."""
    inbox, wh = _two_commits(tmp_path)  # r1 the samples, r2 later.txt
    (inbox / "later-copy.txt").write_bytes((inbox / "later.txt").read_bytes())
    lake = Lake(wh / "lake")
    ingest(inbox, lake, "r3", workers=0)  # later-copy.txt: a row of a copy, in r3's -dups part
    assert lake.commit("r3")
    (inbox / "later-copy.txt").unlink()
    before = _documents(wh)
    part = sorted((wh / "lake" / "reports").glob("part-r1-*.parquet"))[0]
    part.write_bytes(part.read_bytes()[:50])
    dropped = repair(wh, "fix").batches_dropped
    assert "r3-dups" not in " ".join(dropped) and dropped
    lake = Lake(wh / "lake")
    ingest(inbox, lake, "r4", workers=0)
    assert lake.commit("r4")
    assert _documents(wh)["source_path"].to_list() == before["source_path"].to_list()


def test_a_lost_manifest_beside_its_commit_records_is_damage_repair_restores(tmp_path):
    """With `_manifest.json` gone (its record in `_commits` intact), the lake was taken for a new one:
    a run or `gkqc repair` removed every committed part as an interrupted run's leftovers, and with
    them what no longer was in the inbox."""
    import pytest

    from gkqc.lake import LakeDamaged

    inbox, wh = _two_commits(tmp_path)
    before = _documents(wh)
    (wh / "lake" / MANIFEST).unlink()
    with pytest.raises(LakeDamaged, match="gkqc repair"):
        Lake(wh / "lake").init()
    (inbox / "later.txt").unlink()  # (what only the lake still holds)
    newest = max(p.name for p in (wh / "lake" / COMMITS).glob("*.json"))
    report = repair(wh, "fix")
    assert report.manifest_restored_from == newest
    assert _documents(wh).to_dicts() == before.to_dicts()


def test_a_first_commit_stopped_after_its_record_leaves_a_new_lake(tmp_path):
    """The first commit writes a manifest of commit 0 before its record: a run stopped between the
    two leaves a lake that says it has no commit (its record and parts are leftovers), not a damaged one."""
    import pytest

    from gkqc import lake as lake_module

    lake = Lake(tmp_path / "lake")
    ingest(SAMPLES, lake, "r1", workers=0)
    writes = []
    real = lake.store.write_bytes

    def stop_after_the_record(rel, data):
        real(rel, data)
        writes.append(rel)
        if rel.startswith(lake_module.COMMITS):
            raise KeyboardInterrupt

    lake.store.write_bytes = stop_after_the_record
    with pytest.raises(KeyboardInterrupt):
        lake.commit("r1")
    assert writes == [MANIFEST, f"{COMMITS}/00000001.json"]
    again = Lake(tmp_path / "lake")
    again.init()
    assert again.commit_no == 0 and again.files("documents") == []
    assert again.clean() > 0 and not (tmp_path / "lake" / COMMITS / "00000001.json").exists()


def test_a_manifest_of_another_shape_is_unreadable_and_repair_restores_its_record(tmp_path):
    """Valid JSON with a value of the wrong type (a part's entry a number, the commit a string) failed
    deep inside a run and inside repair itself, with a traceback."""
    import json

    import pytest

    from gkqc.lake import LakeDamaged

    _, wh = _two_commits(tmp_path)
    before = _documents(wh)
    path = wh / "lake" / MANIFEST
    good = json.loads(path.read_text(encoding="utf-8"))
    for broken in ({**good, "commit": str(good["commit"])},
                   {**good, "tables": {**good["tables"], "documents": dict.fromkeys(good["tables"]["documents"], 5)}}):
        path.write_text(json.dumps(broken), encoding="utf-8")
        with pytest.raises(LakeDamaged, match="gkqc repair"):
            Lake(wh / "lake").init()
        assert repair(wh, "fix").manifest_restored_from is not None
        assert _documents(wh).to_dicts() == before.to_dicts()
        good = json.loads(path.read_text(encoding="utf-8"))


def test_a_part_damaged_inside_is_found_by_repair_and_read_again(tmp_path):
    """Bytes flipped inside a part (its size and footer intact): every run failed on it and repair
    said the lake was intact."""
    inbox, wh = _two_commits(tmp_path)
    before = _documents(wh)
    part = sorted((wh / "lake" / "sections").glob("part-r1-*.parquet"))[0]
    data = bytearray(part.read_bytes())
    for k in range(len(data) // 4, len(data) // 2, 7):
        data[k] ^= 0x55
    part.write_bytes(bytes(data))
    lake = Lake(wh / "lake")
    lake.init()
    assert lake.damaged() == []  # (what a run looks at before it starts: size and footer)
    report = repair(wh, "fix")
    assert [(t, n) for t, n, _ in report.damaged] == [("sections", part.name)]
    assert "无法解码" in report.damaged[0][2] and report.batches_dropped == [part.name]
    lake = Lake(wh / "lake")
    ingest(inbox, lake, "r3", workers=0)  # its batch's files are read again
    assert lake.commit("r3")
    assert _documents(wh)["source_path"].to_list() == before["source_path"].to_list()
    assert pl.read_parquet(lake.paths("sections")).height > 0


def test_a_batch_whose_documents_a_retry_wrote_again_is_taken_out_whole(tmp_path, monkeypatch):
    """r1 reads two samples and a .doc whose LibreOffice is killed; r2 reads the .doc again, writing r1's
    documents part again without its row. A damaged r1 reports part then takes r1's documents out too,
    and r3 reads the two samples again (they were kept as read, and lost, before)."""
    from worddocs import ole_file, word_fib

    from gkqc import stamps
    from gkqc.readers import word

    monkeypatch.setattr(stamps, "SETTLE_NS", 0)
    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    inbox.mkdir()
    for name in ("ali-2020-annual-report.txt", "suqian_2024.txt"):
        shutil.copy(SAMPLES / name, inbox / name)
    (inbox / "r.doc").write_bytes(ole_file({"WordDocument": word_fib(encrypted=False)}))
    soffice = tmp_path / "soffice"
    monkeypatch.setattr(word, "find_soffice", lambda: str(soffice))

    def run(run_id: str, program: str):
        soffice.write_text(f"#!/bin/sh\n{program}\n", encoding="utf-8")
        soffice.chmod(0o755)
        lake = Lake(wh / "lake")
        lake.init()
        summary = ingest(inbox, lake, run_id, workers=0)
        assert lake.commit(run_id)
        return summary, lake

    run("r1", "kill -KILL $$")
    _, lake = run("r2", "echo 'Error: source file could not be loaded'; exit 1")
    assert lake.part_names("reports") == ["part-r1-00000.parquet"]
    assert "part-r2-00000.parquet" in lake.part_names("documents") != ["part-r1-00000.parquet"]
    part = wh / "lake" / "reports" / "part-r1-00000.parquet"
    part.write_bytes(part.read_bytes()[:100])
    report = repair(wh, "fix")
    assert report.batches_dropped == ["part-r1-00000.parquet"] and report.documents_dropped == 2
    summary, lake = run("r3", "exit 1")
    assert (summary.new, summary.reports_new) == (2, 2)
    assert sorted(pl.read_parquet(lake.paths("documents"))["source_path"]) == [
        "ali-2020-annual-report.txt", "r.doc", "suqian_2024.txt"]


def test_a_part_written_again_keeps_its_batchs_name_and_a_copies_part_stays_one():
    once = f"part-{rewritten_name('part-r1-00000.parquet', 'r2', 'again')}.parquet"
    twice = f"part-{rewritten_name(once, 'r3', 'kept')}.parquet"
    assert batch_of(once) == batch_of(twice) == batch_of("part-r1-00000.parquet") == "part-r1-00000.parquet"
    copies = f"part-{rewritten_name('part-r1-dups.parquet', 'r2', 'again')}.parquet"
    assert copies.endswith(DUPS) and batch_of(copies) == "part-r1-dups.parquet"

"""A re-publication draws only the pages whose records changed and carries the others over from the
site it replaces; the result is always the site a fresh publication writes, byte for byte."""

from __future__ import annotations

import html
import os
import re
import shutil

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from workspace import REVISED, YEAR, add_version, make_inbox, run

from gkqc.outputs import chunkcells
from gkqc.outputs import pages as pages_module
from gkqc.outputs import site as site_module
from gkqc.outputs.chunkcells import VIEWS as CELL_VIEWS
from gkqc.outputs.chunkcells import cells_folder, copy_cells, use_chunk
from gkqc.outputs.data import NO_REGION
from gkqc.outputs.html import office_list_page, office_page, region_list_page, report_page
from gkqc.outputs.pages import MANIFEST, PARTS, Pages
from gkqc.outputs.site import write_site
from warehouse.access import SCRATCH_DIR, connect_readonly


def _files(site):
    return {p.name: p.read_bytes() for p in site.iterdir()}


def _inodes(site):
    return {p.name: p.stat().st_ino for p in site.iterdir()}


@pytest.fixture(scope="module")
def province(tmp_path_factory):
    root = tmp_path_factory.mktemp("reuse")
    inbox = make_inbox(root, offices=8, years=(2020, 2022))
    run(inbox, root / "wh", "t1")
    return root, inbox, root / "wh"


def test_the_versions_the_site_reads_are_the_reports_of_known_offices_in_office_order(province):
    """report_versions (a mart) is `reports` with an office, stored sorted: a chunk of offices is a run of rows."""
    _, _, wh = province
    cols = "report_id, office, report_year, published_at, title, is_latest, versions, version_no, template"
    with connect_readonly(wh) as con:
        stored = con.execute(f"select {cols} from report_versions").fetchall()  # as stored, no order asked
        reports = con.execute(f"select {cols} from reports where office is not null").fetchall()
    assert len(stored) > 8 and sorted(stored, key=str) == sorted(reports, key=str)
    order = [(r[1], r[2] is None, r[2] or 0, r[7]) for r in stored]  # office, year (NULLs last), version
    assert order == sorted(order)


def test_an_unchanged_site_is_carried_over_whole(province, tmp_path):
    _, _, wh = province
    site = write_site(wh, tmp_path / "site").parent
    first, ino = _files(site), _inodes(site)
    write_site(wh, site)
    again = _inodes(site)
    carried = {n for n in again if again[n] == ino.get(n)}
    pages = {n for n in first if n.startswith(("office-", "region-", "offices"))}
    assert pages and carried == pages  # the same files: linked, not drawn again
    assert _files(site) == first


@pytest.mark.parametrize("processes", [1, 2])
def test_a_new_version_redraws_its_pages_and_equals_a_fresh_site(province, tmp_path, monkeypatch, processes):
    root, inbox, wh = province
    if processes == 2:  # the second process carries over and draws its share the same way
        monkeypatch.setattr(site_module, "PARALLEL_FROM", 2)
        monkeypatch.setattr(site_module, "CHUNK", 3)
    copy = tmp_path / "wh"
    shutil.copytree(wh, copy)
    site = write_site(copy, tmp_path / "site").parent
    ino = _inodes(site)
    new_inbox = tmp_path / "inbox"
    shutil.copytree(inbox, new_inbox)
    add_version(new_inbox, 2)
    run(new_inbox, copy, "t2")
    write_site(copy, site)
    fresh = write_site(copy, tmp_path / "fresh").parent
    assert _files(site) == _files(fresh)
    now = _inodes(site)
    drawn = {n for n in now if n.startswith(("office-", "region-")) and now[n] != ino.get(n)}
    assert {report_page(REVISED, YEAR), office_page(REVISED)} <= drawn
    assert len(drawn) < len(now) / 4, sorted(drawn)


_LISTED = re.compile(r'<tr><td><a href="(office-[0-9a-f]+\.html)">([^<]*)</a></td><td>([^<]*)</td>')


def test_the_office_list_is_paged_in_order_of_region_and_name_each_page_linking_to_the_others(province, tmp_path,
                                                                                               monkeypatch):
    _, _, wh = province
    one = write_site(wh, tmp_path / "one").parent
    assert not list(one.glob("offices-*.html")) and 'class="pages"' not in (one / "offices.html").read_text("utf-8")
    monkeypatch.setattr(site_module, "OFFICES_PER_PAGE", 3)
    site = write_site(wh, tmp_path / "site").parent
    with connect_readonly(wh) as con:
        expected = con.execute("""select distinct office, coalesce(region, '') as region from scorecard_office
                                  where office is not null order by 2, 1""").fetchall()
    names = [office_list_page(k) for k in range(-(-len(expected) // 3))]
    assert sorted(p.name for p in site.glob("offices*.html")) == sorted(names) and len(names) >= 3
    listed = []
    for k, name in enumerate(names):
        text = (site / name).read_text("utf-8")
        rows = _LISTED.findall(text)
        assert 0 < len(rows) <= 3 and all((site / page).exists() for page, _, _ in rows)
        listed += [(html.unescape(office), html.unescape(region)) for _, office, region in rows]
        links = re.search(r'<ol class="pages">(.*?)</ol>', text).group(1)
        assert re.findall(r'href="(offices[-\d]*\.html)"', links) == [n for n in names if n != name]  # every other page
        assert f"第 {k + 1} 页" in text and f"全部机关（{len(expected)}）" in text
    assert [o for o, _ in listed] == [o for o, _ in expected]  # every office once, in order of region and name
    assert [r for _, r in listed] == [r or NO_REGION for _, r in expected]
    ino = _inodes(site)
    write_site(wh, site)
    assert all(_inodes(site)[n] == ino[n] for n in names)  # carried over, not drawn again


_REGION_ROW = re.compile(r'<tr data-year="(\d+)"><td><a href="(region-[0-9a-f]+\.html)">([^<]*)</a></td>')


def test_too_many_regions_for_the_index_are_listed_on_pages_of_their_own(province, tmp_path, monkeypatch):
    _, _, wh = province
    one = write_site(wh, tmp_path / "one").parent
    assert 'id="regions"' in (one / "index.html").read_text("utf-8") and not list(one.glob("regions*.html"))
    monkeypatch.setattr(site_module, "REGIONS_ON_INDEX", 2)
    monkeypatch.setattr(site_module, "REGIONS_PER_PAGE", 2)
    site = write_site(wh, tmp_path / "site").parent
    with connect_readonly(wh) as con:
        regions = [r[0] for r in con.execute("""select distinct coalesce(region, '') from scorecard_office
                                                where office is not null order by 1""").fetchall()]
        rows = con.execute("""select count(*) from scorecard_region r where exists (select 1 from scorecard_office o
                              where o.office is not null and o.region is not distinct from r.region)""").fetchall()[0][0]
    names = [region_list_page(k) for k in range(-(-len(regions) // 2))]
    assert len(names) >= 2 and sorted(p.name for p in site.glob("regions*.html")) == sorted(names)
    index = (site / "index.html").read_text("utf-8")
    assert 'id="regions"' not in index and f"共 {len(regions)} 个地区" in index
    assert re.findall(r'href="(regions[-\d]*\.html)"', index) == names
    listed = []
    for k, name in enumerate(names):
        found = _REGION_ROW.findall((site / name).read_text("utf-8"))
        assert all((site / page).exists() for _, page, _ in found)
        assert {html.unescape(r) for _, _, r in found} == {r or NO_REGION for r in regions[2 * k:2 * k + 2]}  # in name order
        listed += [(html.unescape(r), year) for year, _, r in found]
    assert len(listed) == rows and len(set(listed)) == rows  # every region's every year, once
    ino = _inodes(site)
    write_site(wh, site)
    assert all(_inodes(site)[n] == ino[n] for n in names)  # carried over, not drawn again


def test_another_key_draws_every_page(province, tmp_path):
    """The links into the inbox are on every office-year page: another inbox, every page drawn."""
    _, inbox, wh = province
    site = write_site(wh, tmp_path / "site").parent
    ino = _inodes(site)
    write_site(wh, site, inbox=inbox)
    now = _inodes(site)
    assert not {n for n in now if n.startswith("office-") and now[n] == ino.get(n)}
    assert (site / MANIFEST).exists()


def test_a_damaged_manifest_means_drawing_everything(province, tmp_path):
    _, _, wh = province
    site = write_site(wh, tmp_path / "site").parent
    first = _files(site)
    (site / MANIFEST).write_text("{not json", encoding="utf-8")
    ino = _inodes(site)
    write_site(wh, site)
    now = _inodes(site)
    assert not {n for n in now if n.startswith("office-") and now[n] == ino.get(n)}
    assert _files(site) == first


def test_pages_drawn_chunk_by_chunk_are_the_pages_drawn_at_once(province, tmp_path, monkeypatch):
    """The records are held for a chunk of offices (and of regions) at a time: the pages do not
    depend on the chunks."""
    _, _, wh = province
    whole = write_site(wh, tmp_path / "whole").parent
    drawn = []
    offices = site_module._offices
    monkeypatch.setattr(site_module, "_offices", lambda con, pages, ctx, chunk, *a: drawn.append(chunk) or
                        offices(con, pages, ctx, chunk, *a))
    monkeypatch.setattr(site_module, "CHUNK", 3)
    chunks = write_site(wh, tmp_path / "chunks").parent
    assert len(drawn) > 4 and _files(whole) == _files(chunks)


def test_the_digests_are_read_and_written_a_chunk_at_a_time(province, tmp_path, monkeypatch):
    """No process holds a digest per page of the site: the new ones go to parts as they are drawn,
    the previous site's are read a chunk's pages at a time; every page is still carried over."""
    _, _, wh = province
    monkeypatch.setattr(site_module, "CHUNK", 3)
    monkeypatch.setattr(pages_module, "FLUSH", 2)
    site = write_site(wh, tmp_path / "site").parent
    names = pq.read_table(site / MANIFEST).column("name").to_pylist()
    assert names == sorted({n for n in _files(site) if n.startswith(("office-", "region-", "offices"))})
    assert not (site / PARTS).exists()
    held, recall = [], Pages.recall
    monkeypatch.setattr(Pages, "recall", lambda self, chunk: (recall(self, chunk), held.append(len(self.old))))
    ino = _inodes(site)
    write_site(wh, site)
    now = _inodes(site)
    assert {n for n in names if now[n] == ino[n]} == set(names)
    assert len(held) > 4 and 0 < max(held) < len(names) / 4, held


def test_a_partial_update_stopped_while_drawing_a_page_leaves_the_site_as_it_was(province, tmp_path, monkeypatch):
    """The index and the office list are written as they are drawn: a partial update (a reviewer's
    decision) that stops halfway through one leaves no half-drawn file in the published site."""
    _, _, wh = province
    site = write_site(wh, tmp_path / "site").parent
    first = _files(site)
    with connect_readonly(wh) as con:
        office = con.execute("select min(office) from scorecard_office").fetchall()[0][0]
    streamed = site_module.streamed

    def failing(con, sql, batch=10_000):
        rows = streamed(con, sql, batch)
        yield next(rows)
        raise OSError("disk full")

    monkeypatch.setattr(site_module, "streamed", failing)
    with pytest.raises(OSError):
        write_site(wh, site, focus=office)
    assert _files(site) == first


def test_a_page_replaced_by_a_stopped_partial_update_is_never_carried_over(tmp_path):
    """A partial update replaces pages in the published site and saves their digests at its end:
    stopped between the two, the manifest still has the digest of the page it replaced. Neither the
    next partial update nor the next publication may carry that page over on that digest."""
    site = tmp_path / "site"
    first = Pages(site, previous=None)
    site.mkdir()
    first.start("k")
    first.put("a.html", "drawn from D1", "D1")
    first.put("b.html", "drawn from D3", "D3")
    first.save()
    stopped = Pages(site, live=True)
    stopped.start("k")
    stopped.recall(["a.html"])
    stopped.put("a.html", "drawn from D2", "D2")  # ... and stopped here, before `save`
    for nxt in (Pages(site, live=True), Pages(tmp_path / "next", previous=site)):
        (tmp_path / "next").mkdir(exist_ok=True)
        nxt.start("k")
        nxt.recall(["a.html", "b.html"])
        assert not nxt.reuse("a.html", "D1")  # the page says D2: drawn again
        assert nxt.reuse("b.html", "D3")
    update = Pages(site, live=True)
    update.start("k")
    update.recall(["a.html", "b.html"])
    update.put("a.html", "drawn from D1", "D1")
    update.save()  # the manifest holds again for every page, and says so
    assert not (site / pages_module.VOID).exists()
    again = Pages(site, live=True)
    again.start("k")
    again.recall(["a.html", "b.html"])
    assert again.reuse("a.html", "D1") and again.reuse("b.html", "D3")


@pytest.mark.parametrize("fault", [KeyboardInterrupt, OSError])
def test_an_interrupted_publication_keeps_the_site_and_the_next_one_clears_what_it_left(province, tmp_path,
                                                                                         monkeypatch, fault):
    """Ctrl-C stops at once, leaving its half-written folder to the next publication (removing a
    large one takes minutes); an error removes it there and then. The published site never changes."""
    _, _, wh = province
    site = write_site(wh, tmp_path / "site").parent
    first = _files(site)
    put = Pages.put
    calls = []

    def failing(self, name, html, digest=None):
        calls.append(name)
        if len(calls) == 5:
            raise fault("stopped")
        put(self, name, html, digest)

    monkeypatch.setattr(Pages, "put", failing)
    with pytest.raises(fault):
        write_site(wh, site, inbox=tmp_path)  # another key: every page drawn again
    left = list(tmp_path.glob(".site.tmp-*"))
    assert len(left) == (1 if fault is KeyboardInterrupt else 0)
    assert _files(site) == first
    monkeypatch.setattr(Pages, "put", put)
    write_site(wh, site)
    assert list(tmp_path.glob(".site.*")) == [] and _files(site) == first


@pytest.mark.parametrize("selection", ["region", "office"])
def test_a_selected_site_draws_the_pages_of_its_selection_only(province, tmp_path, selection):
    """`gkqc scorecard --region/--office`: the site's offices are those of the selection, and their
    pages are the whole site's pages for them."""
    _, _, wh = province
    with connect_readonly(wh) as con:
        chosen = {r[0] for r in con.execute(
            "select office from scorecard_office where region = ?" if selection == "region" else
            "select office from scorecard_office where office = ?", ["碧水市" if selection == "region" else REVISED]
        ).fetchall()}
        others = {r[0] for r in con.execute("select office from scorecard_office where office is not null").fetchall()}
    assert chosen and others - chosen
    whole = _files(write_site(wh, tmp_path / "whole").parent)
    kw = {"region": "碧水市"} if selection == "region" else {"office": REVISED}
    part = _files(write_site(wh, tmp_path / "part", **kw).parent)
    offices = {n for n in part if n.startswith("office-") and n.count("-") == 1}
    assert offices == {office_page(o) for o in chosen}
    years = {n for n in part if n.startswith("office-") and n.count("-") == 2}
    assert years and all(part[n] == whole[n] for n in years)


def test_each_chunk_reads_from_the_copy_the_cells_it_reads_from_the_lake(province, monkeypatch):
    """The site copies the cells once, a folder per office chunk (two chunks a pass over the lake
    here): what a chunk reads from its copy is what it would read from the lake; a chunk without
    cells reads none."""
    _, _, wh = province
    monkeypatch.setattr(chunkcells, "PASS_CHUNKS", 2)
    with connect_readonly(wh) as con:
        n = site_module._select(con, site_module._Scope(None, None, 3))
        with cells_folder(con) as folder:
            assert folder.parent == wh / SCRATCH_DIR
            copy_cells(con, folder, list(range(n)))
            assert sorted(int(p.name) for p in (folder / "applications").iterdir()) == list(range(n))
            seen = set()
            for chunk in [*range(n), n + 1]:
                con.execute("create or replace temp table _chunk as select office from _office_chunks where chunk = ?",
                            [chunk])
                read = []
                for source in (folder, None):
                    use_chunk(con, source, chunk)
                    read.append([sorted(con.execute(f"select * from {v}").fetchall(), key=str) for v in CELL_VIEWS])
                assert read[0] == read[1]
                seen.update(r[0] for rows in read[0] for r in rows)
            assert not read[0][0]  # chunk n + 1: none
            lake = {r[0] for r in con.execute("select report_id from report_versions").fetchall()}
        assert n > 2 and seen == lake
    assert not folder.exists()


def test_the_copy_goes_and_so_do_those_of_stopped_processes(province, tmp_path):
    """A publication removes its copy of the cells, and the copies a killed one left; the copy of a
    process still running is left alone. A read-only connection may read there, and nowhere else."""
    _, _, wh = province
    scratch = wh / SCRATCH_DIR
    dead, running = scratch / "999999999", scratch / str(os.getppid())
    for left in (dead, running):
        (left / "applications").mkdir(parents=True)
        pq.write_table(pa.table({"x": [1]}), left / "applications" / "part-0.parquet")
    pq.write_table(pa.table({"x": [1]}), wh / "beside.parquet")
    try:
        write_site(wh, tmp_path / "site")
        assert sorted(scratch.iterdir()) == [running]
        with connect_readonly(wh) as con:
            assert con.execute(f"select x from '{running}/applications/part-0.parquet'").fetchall() == [(1,)]
            with pytest.raises(duckdb.PermissionException):
                con.execute(f"select x from '{wh / 'beside.parquet'}'")
    finally:
        shutil.rmtree(scratch)
        (wh / "beside.parquet").unlink()


def test_a_warehouse_folder_the_copy_cannot_go_to_gets_the_same_site(province, tmp_path):
    """Where the copy cannot be written (a file in its way), each chunk reads the lake: the same pages."""
    _, _, wh = province
    copied = write_site(wh, tmp_path / "copied").parent
    shutil.rmtree(wh / SCRATCH_DIR)
    (wh / SCRATCH_DIR).write_text("in the way", encoding="utf-8")
    try:
        from_lake = write_site(wh, tmp_path / "lake").parent
    finally:
        (wh / SCRATCH_DIR).unlink()
    assert _files(copied) == _files(from_lake)

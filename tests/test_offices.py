"""Offices known by every name: normal forms, aliases, near matches proposed (never merged), path
mappings for reports that print no office, and what cross-year checks pair once the user says so."""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from builders import spec

from checks.engine import check_lake
from checks.kinds.cross_year import NO_OFFICE, NO_PREV, NO_YEAR
from gkqc.inbox import OfficesError, read_offices
from gkqc.ingest import ingest
from gkqc.lake import Lake
from gkqc.offices import Matcher, normalise, split_names, variants
from gkqc.outputs.data import unattributed
from gkqc.simulate.render import render_pagetext
from warehouse.access import connect_readonly
from warehouse.build import build

SHUYANG, MUYANG = "沭阳县人民政府", "沐阳县人民政府"  # 沐 for 沭: a one-character OCR misreading
SIHONG = "泗洪县人民政府"
EDU = "宿迁市教育局"


def registry(tmp_path: Path, text: str) -> Matcher:
    p = tmp_path / "offices.csv"
    p.write_text(text, encoding="utf-8")
    return Matcher.from_frame(pl.from_arrow(read_offices(p)))


# --- normal forms ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("a", "b"), [
    ("沭阳县人民政府", "沭阳县政府"),
    ("沭阳县人民政府", "沭阳县"),  # a title's office: 沭阳县2022年政府信息公开工作年度报告
    ("沭阳县人民政府办公室", "沭阳县政府办公室"),
    ("沭阳县人民政府", " 沭阳县　人民政府 "),  # spaces, ideographic space
    ("沭阳县人民政府", "沭阳县⼈民政府"),  # a Kangxi radical of PDF text
    ("宿迁市教育局", "宿迁市教育局（本级）"),
    ("宿迁市教育局(本级)", "宿迁市教育局（本级）"),
    ("ＸＸ市第１中学", "XX市第1中学"),
    ("青山市教育局", "江苏省青山市教育局"),  # the province before a city's name
    ("南宁市人民政府", "广西壮族自治区南宁市人民政府"),
    ("宿迁市宿城区教育局", "江苏省宿迁市宿城区教育局"),
    ("乌鲁木齐市教育局", "新疆维吾尔自治区乌鲁木齐市教育局"),
    ("恩施土家族苗族自治州教育局", "湖北省恩施土家族苗族自治州教育局"),
])
def test_one_office_printed_two_ways_has_one_normal_form(a, b):
    assert normalise(a) == normalise(b)


@pytest.mark.parametrize(("a", "b"), [
    ("沭阳县人民政府办公室", "沭阳县人民政府"),  # the government's office is another office than the government
    ("沭阳县人民政府办公室", "沭阳县"),
    ("江苏省人民政府办公厅", "江苏省人民政府办公室"),
    ("宿迁市公安局", "宿迁市公安局（交通警察支队）"),  # a bracket that may name a sub-unit is kept
    ("沭阳县人民政府", "泗阳县人民政府"),
    ("人民政府", "政府办公室"),
    ("江苏省教育厅", "教育厅"),  # a province's own office
    ("江苏省城市管理局", "城市管理局"),  # 城市 is no city's name
    ("江苏省沭阳县人民政府", "沭阳县人民政府"),  # a county's name another province may share
    ("江苏省人民政府驻上海市办事处", "浙江省人民政府驻上海市办事处"),  # a province's own offices, a city named after
    ("江苏省人民检察院苏州分院", "人民检察院苏州分院"),
    ("江苏省气象局南京市气象台", "气象局南京市气象台"),
])
def test_different_offices_keep_different_normal_forms(a, b):
    assert normalise(a) != normalise(b)


def test_split_names_takes_either_separator():
    assert split_names(" 甲 | 乙；丙;甲 ||") == ["甲", "乙", "丙"]
    assert split_names(None) == []


# --- matching against a registry ------------------------------------------------------------------------

REGISTRY = (f"office,region,office_kind,aliases,paths\n"
            f"{SHUYANG},宿迁市,government,,\n"
            f"沭阳县人民政府办公室,宿迁市,department,县政府办,\n"
            f"{SIHONG},宿迁市,government,泗洪县府；泗洪县政府网,宿迁/泗洪县/*\n"
            f"{EDU},宿迁市,department,,\n")


def test_exact_normalised_and_alias_matches(tmp_path):
    m = registry(tmp_path, REGISTRY)
    assert (m.match(SHUYANG).office, m.match(SHUYANG).how) == (SHUYANG, "exact")
    assert (m.match("沭阳县政府").office, m.match("沭阳县政府").how) == (SHUYANG, "normalised")
    assert (m.match("沭阳县").office, m.match("沭阳县").how) == (SHUYANG, "normalised")
    assert (m.match("沭阳县政府办公室").office, m.match("沭阳县政府办公室").how) == ("沭阳县人民政府办公室", "normalised")
    assert (m.match("泗洪县府").office, m.match("泗洪县府").how) == (SIHONG, "alias")
    assert (m.match("泗洪县政府网").office, m.match("泗洪县政府网").how) == (SIHONG, "alias")
    assert (m.match("县政府办").office, m.match("县政府办").how) == ("沭阳县人民政府办公室", "alias")


def test_a_one_character_difference_is_proposed_not_applied(tmp_path):
    m = registry(tmp_path, REGISTRY)
    got = m.match(MUYANG)
    assert (got.office, got.how, got.proposed) == (None, "proposal", SHUYANG)
    assert "沐/沭" in got.note and "未合并" in got.note
    missing = m.match("宿迁市教局")  # one character left out
    assert (missing.office, missing.how, missing.proposed) == (None, "proposal", EDU)


def test_near_matches_that_are_not_unique_or_too_short_are_not_proposed(tmp_path):
    m = registry(tmp_path, REGISTRY)
    both = m.match("泗阳县人民政府")  # 泗阳: one character from 沭阳 and from 泗洪, a county of its own
    assert (both.office, both.how, both.proposed) == (None, "unmatched", None)
    assert SHUYANG in both.note and SIHONG in both.note
    short = registry(tmp_path, "office,region,office_kind\n甲县人民政府,,\n").match("乙县人民政府")  # 甲县/乙县
    assert (short.how, short.proposed) == ("unmatched", None)
    far = m.match("宿迁市公安局")
    assert (far.office, far.how, far.proposed) == (None, "unmatched", None)


def test_a_normal_form_two_offices_share_matches_neither(tmp_path):
    m = registry(tmp_path, "office,region,office_kind\n沭阳县人民政府,,\n沭阳县政府,,\n")
    assert m.match("沭阳县政府").how == "exact"
    got = m.match("沭阳县")
    assert (got.office, got.how) == (None, "unmatched") and "多个机关" in got.note


def test_many_names_at_once_match_as_one_at_a_time_without_indexing_the_registry(tmp_path):
    """`match_all` (how a run resolves its reports) gives each name what `match` gives it, looking
    for near matches without an index of every registry name's near forms."""
    names = [SHUYANG, "沭阳县政府", "泗洪县府", MUYANG, "宿迁市教局", "泗阳县人民政府", "宿迁市公安局", "县政府办",
             "沭阳县人民政府办", "宿迁市教育局（本级）", MUYANG]
    many = registry(tmp_path, REGISTRY)
    got = many.match_all(names)
    assert many._index is None
    one = registry(tmp_path, REGISTRY)
    assert got == [one.match(n) for n in names]
    assert {m.how for m in got} == {"exact", "normalised", "alias", "proposal", "unmatched"}


def test_variants_the_simulator_may_print_are_matched_without_an_alias(tmp_path):
    m = registry(tmp_path, REGISTRY)
    for office in (SHUYANG, "沭阳县人民政府办公室", EDU):
        forms = variants(office)
        assert forms and office not in forms
        assert {(m.match(v).office, m.match(v).how) for v in forms} == {(office, "normalised")}


def test_path_patterns(tmp_path):
    m = registry(tmp_path, REGISTRY)
    assert m.office_of_path("宿迁/泗洪县/2022/报告.pdf") == [SIHONG]
    assert m.office_of_path("宿迁/泗洪县.zip!2022.pdf") == []
    assert m.office_of_path("宿迁/沭阳县/2022.pdf") == []


# --- a bad registry -------------------------------------------------------------------------------------

def offices_error(tmp_path: Path, text: str) -> str:
    p = tmp_path / "offices.csv"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(OfficesError) as e:
        read_offices(p)
    assert str(p) in str(e.value)
    return str(e.value)


def test_an_alias_given_to_two_offices_is_refused_naming_line_and_column(tmp_path):
    msg = offices_error(tmp_path, f"office,aliases,region,office_kind\n{SHUYANG},县政府,,\n{SIHONG},泗洪县府|县政府,,\n")
    assert "第3行第2列" in msg and "别名「县政府」" in msg and SHUYANG in msg and SIHONG in msg


def test_an_office_listed_twice_is_refused_naming_both_lines(tmp_path):
    msg = offices_error(tmp_path, f"office,region,office_kind\n{SHUYANG},宿迁市,\n{SIHONG},宿迁市,\n{SHUYANG},宿迁市,\n")
    assert "第4行第1列" in msg and f"机关「{SHUYANG}」已在第2行列出" in msg


def test_an_alias_that_is_another_office_is_refused(tmp_path):
    msg = offices_error(tmp_path, f"office,region,office_kind,aliases\n{SHUYANG},,,{SIHONG}\n{SIHONG},,,\n")
    assert "第2行第4列" in msg and f"别名「{SIHONG}」" in msg


def test_a_path_pattern_given_to_two_offices_is_refused(tmp_path):
    msg = offices_error(tmp_path, f"office,region,office_kind,paths\n{SHUYANG},,,宿迁/*\n{SIHONG},,,宿迁/*\n")
    assert "第3行第4列" in msg and "路径模式「宿迁/*」" in msg


def test_aliases_and_paths_are_stored_with_one_separator(tmp_path):
    p = tmp_path / "offices.csv"
    p.write_text(REGISTRY, encoding="utf-8")
    t = read_offices(p).to_pydict()
    assert t["aliases"] == [None, "县政府办", "泗洪县府|泗洪县政府网", None]
    assert t["paths"] == [None, None, "宿迁/泗洪县/*", None]


# --- through the pipeline -------------------------------------------------------------------------------

def _report(office: str | None, year: int, seed: int, carried: dict | None = None):
    """A gov2021 report; `carried`: its 上年结转 row (else random); no office: no title, signature or issuer."""
    s = spec("gov2021", year, office=office or "某机关", seed=seed)
    if office is None:
        s.title, s.publisher, s.issuer_meta = f"{year}年政府信息公开工作年度报告", "", None
    if carried is not None:
        s.applications.update({("carried_over", c): v for c, v in carried.items()})
    return s


def _forward(s) -> dict[str, str]:
    return {c: v for (r, c), v in s.applications.items() if r == "carried_forward"}


def _run(inbox: Path, wh: Path, run_id: str):
    lake = Lake(wh / "lake")
    lake.init()
    summary = ingest(inbox, lake, run_id, workers=0)
    check_lake(lake, run_id)
    lake.commit(run_id)
    build(wh, lake)
    con = connect_readonly(wh)
    try:
        a5 = {r[0]: r[1:] for r in con.sql("""
            select r.office_printed, r.office, r.office_match, list(distinct c.status),
                   list(distinct c.message) filter (where c.status <> 'pass')
            from reports r join check_results c using (report_id)
            where c.check_id = 'A5' and r.report_year = 2022 group by all""").fetchall()}
        matches = con.sql("""select office_printed, office_match, office, office_proposed, reports, example_path
                             from office_matches order by all""").fetchall()
        scored = {r[0] for r in con.sql("select office from scorecard_office where report_id is not null").fetchall()}
        placed = {r[0]: r[1:] for r in con.sql("""select office_printed, office, region, office_kind from reports
                                                   where report_year = 2022""").fetchall()}
    finally:
        con.close()
    return summary, a5, matches, placed, scored


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """Run 1: a registry without aliases or paths. Run 2: the user adds the alias 沐阳县人民政府 and the
    path pattern 宿迁/泗洪县/*."""
    root = tmp_path_factory.mktemp("offices")
    inbox, wh = root / "inbox", root / "wh"
    shuyang, sihong = _report(SHUYANG, 2021, 1), _report(SIHONG, 2021, 2)
    files = {"宿迁/沭阳县/2021.txt": shuyang, "宿迁/沭阳县/2022.txt": _report(MUYANG, 2022, 3, _forward(shuyang)),
             "宿迁/泗洪县/2021.txt": sihong, "宿迁/泗洪县/2022.txt": _report(None, 2022, 4, _forward(sihong)),
             "宿迁/泗洪县/edu-2022.txt": _report(EDU, 2022, 5)}  # in the folder, but printing its own office
    for rel, s in files.items():
        (inbox / rel).parent.mkdir(parents=True, exist_ok=True)
        (inbox / rel).write_text(render_pagetext(s), encoding="utf-8")
    def registry(aliases: str = "", paths: str = "") -> str:
        return (f"office,region,office_kind,aliases,paths\n{SHUYANG},宿迁市,government,{aliases},\n"
                f"{SIHONG},宿迁市,government,,{paths}\n{EDU},宿迁市,department,,\n")

    (inbox / "offices.csv").write_text(registry(), encoding="utf-8")
    first = _run(inbox, wh, "r1")
    (inbox / "offices.csv").write_text(registry(MUYANG, "宿迁/泗洪县/*"), encoding="utf-8")
    return first, _run(inbox, wh, "r2")


def test_a_proposal_is_listed_and_not_paired(runs):
    (summary, a5, matches, _, scored), _ = runs
    assert summary.office_proposals == 1
    assert a5[MUYANG] == (MUYANG, "proposal", ["not_assessable"], [NO_PREV])  # the printed name stands
    assert (MUYANG, "proposal", None, SHUYANG, 1, "宿迁/沭阳县/2022.txt") in matches
    assert MUYANG in scored and SHUYANG in scored  # two offices until the user says they are one


def test_a_report_without_an_office_is_listed_and_not_paired(runs):
    (_, a5, matches, _, _), _ = runs
    assert a5[None] == (None, "unknown", ["not_assessable"], [NO_OFFICE])  # and says so
    assert (None, "unknown", None, None, 1, "宿迁/泗洪县/2022.txt") in matches


def test_once_the_alias_is_added_cross_year_pairs_the_misread_name(runs):
    _, (summary, a5, matches, placed, scored) = runs
    assert summary.office_proposals == 0
    assert a5[MUYANG] == (SHUYANG, "alias", ["pass"], None)
    assert (MUYANG, "alias", SHUYANG, None, 1, "宿迁/沭阳县/2022.txt") in matches
    assert MUYANG not in scored and SHUYANG in scored
    assert placed[MUYANG] == (SHUYANG, "宿迁市", "government")  # the registry's office, with its region and kind


def test_a_path_mapping_gives_a_report_without_a_title_its_office(runs):
    _, (_, a5, matches, placed, _) = runs
    assert a5[None] == (SIHONG, "path", ["pass"], None)
    assert (None, "path", SIHONG, None, 1, "宿迁/泗洪县/2022.txt") in matches
    assert not [m for m in matches if m[0] == EDU]  # printed its own office exactly: the folder does not apply
    assert placed[None] == (SIHONG, "宿迁市", "government")  # as the scorecards place it
    assert placed[EDU] == (EDU, "宿迁市", "department")


def test_a_report_without_an_office_rewritten_at_its_path_is_one_report_in_two_versions(tmp_path):
    """No office printed and none in a registry: the content at one path replaced by a corrected one is
    a second version of that report, as an office's is (the code before had both versions latest)."""
    from workspace import run

    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    (inbox / "x").mkdir(parents=True)
    first, other = _report(None, 2022, 4), _report(None, 2022, 5)
    (inbox / "x" / "2022.txt").write_text(render_pagetext(first), encoding="utf-8")
    (inbox / "y.txt").write_text(render_pagetext(other), encoding="utf-8")  # another office-less report
    run(inbox, wh, "r1")
    first.applications[("granted", "total")] = str(int(first.applications[("granted", "total")]) + 1)
    (inbox / "x" / "2022.txt").write_text(render_pagetext(first), encoding="utf-8")
    run(inbox, wh, "r2")
    con = connect_readonly(wh)
    try:
        rows = con.sql("""select d.source_path, r.versions, r.version_no, r.is_latest from reports r
                          join documents d using (report_id) order by all""").fetchall()
    finally:
        con.close()
    assert [r for r in rows if r[0].endswith("2022.txt")] == [("x/2022.txt", 2, 1, False), ("x/2022.txt", 2, 2, True)]
    assert [r for r in rows if r[0] == "y.txt"] == [("y.txt", 1, 1, True)]


def test_the_run_summary_counts_the_proposals_and_the_registrys_offices(runs, monkeypatch):
    from gkqc import cli
    from gkqc.summary import RunSummary

    (first, *_), (second, *_) = runs
    monkeypatch.setattr(cli.console, "width", 200)

    def printed(summary) -> str:
        r = RunSummary("r", "in", "wh", summary)
        with cli.console.capture() as out:
            cli.print_summary(r)
        return out.get()

    assert re.search(r"机关名称近似待确认 office names proposed\s*│ 1（未合并", printed(first))
    assert "office names proposed" not in printed(second)
    assert re.search(r"机关名录 office registry\s*│ offices.csv：3 个机关，本次更新", printed(second))
    unchanged = dataclasses.replace(second, offices_changed=False)  # the same registry again
    assert re.search(r"机关名录 office registry\s*│ offices.csv：3 个机关\s*│", printed(unchanged))


def test_deadlines_follow_the_office_kind_the_registry_gives(tmp_path):
    """宿迁市教育局 reads as a department's name (due 01-31); a registry that calls it a government
    (due 03-31) decides D1, as it decides the scorecard's kind, and a changed registry re-checks it."""
    inbox, lake = tmp_path / "inbox", Lake(tmp_path / "lake")
    inbox.mkdir()
    report = spec("gov2021", 2022, office=EDU, seed=7, published=date(2023, 2, 20))
    (inbox / "edu.txt").write_text(render_pagetext(report), encoding="utf-8")

    def d1(kind: str, run_id: str) -> tuple[str, str]:
        (inbox / "offices.csv").write_text(f"office,region,office_kind\n{EDU},宿迁市,{kind}\n", encoding="utf-8")
        lake.init()
        ingest(inbox, lake, run_id, workers=0)
        check_lake(lake, run_id)
        lake.commit(run_id)
        got = pl.read_parquet(lake.paths("check_results")).filter(pl.col("check_id") == "D1")
        assert got.height == 1
        return got["status"][0], got["message"][0]

    assert d1("government", "r1") == ("pass", "发布于 2023-02-20，期限 2023-03-31（政府本级），按时发布")
    status, message = d1("department", "r2")
    assert status == "fail" and "期限 2023-01-31（部门）" in message and "逾期 20 天" in message


def test_a_file_moved_to_another_offices_folder_is_that_offices(tmp_path, later):
    """A report without an office, found by its folder: moved to another office's folder, it is that
    office's (the path it was last collected at), not both offices' and so neither's."""
    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    (inbox / "宿迁/沭阳县").mkdir(parents=True)
    (inbox / "宿迁/泗洪县").mkdir(parents=True)
    (inbox / "offices.csv").write_text(f"office,region,office_kind,paths\n{SHUYANG},宿迁市,government,宿迁/沭阳县/*\n"
                                       f"{SIHONG},宿迁市,government,宿迁/泗洪县/*\n", encoding="utf-8")
    (inbox / "宿迁/沭阳县/2022.txt").write_text(render_pagetext(_report(None, 2022, 4)), encoding="utf-8")
    *_, scored = _run(inbox, wh, "r1")
    assert SHUYANG in scored and SIHONG not in scored
    later()
    (inbox / "宿迁/沭阳县/2022.txt").rename(inbox / "宿迁/泗洪县/2022.txt")
    _, _, matches, _, scored = _run(inbox, wh, "r2")
    assert SIHONG in scored and SHUYANG not in scored
    assert [m[1:3] for m in matches if m[0] is None] == [("path", SIHONG)]


@pytest.mark.parametrize("copy_in, office", [("mirror", SHUYANG), ("宿迁/泗洪县", None)], ids=["unclaimed", "another-office"])
def test_a_copy_collected_a_night_later_counts_as_the_files_other_paths_do(tmp_path, later, copy_in, office):
    """A report without an office, its file in one office's folder, copied a night later to another
    folder (the first stays): the code before counted only the newest path, so the report lost its office
    (copy in no office's folder) or went to the other office (copy in its folder), where a run finding
    both at once gives it to the first office, or to neither. Removing the copy restores the first office."""
    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    for d in ("宿迁/沭阳县", "宿迁/泗洪县", "mirror"):
        (inbox / d).mkdir(parents=True, exist_ok=True)
    (inbox / "offices.csv").write_text(f"office,region,office_kind,paths\n{SHUYANG},宿迁市,government,宿迁/沭阳县/*\n"
                                       f"{SIHONG},宿迁市,government,宿迁/泗洪县/*\n", encoding="utf-8")
    first = inbox / "宿迁/沭阳县/2022.txt"
    first.write_text(render_pagetext(_report(None, 2022, 4)), encoding="utf-8")
    _run(inbox, wh, "r1")
    later()
    (inbox / copy_in / "copy.txt").write_bytes(first.read_bytes())
    *_, matches, _, nights = _run(inbox, wh, "r2")
    *_, fresh_matches, _, fresh = _run(inbox, tmp_path / "fresh", "f1")
    assert (nights, matches) == (fresh, fresh_matches)
    assert [m[2] for m in matches if m[0] is None] == [office]
    later()
    (inbox / copy_in / "copy.txt").unlink()
    *_, matches, _, scored = _run(inbox, wh, "r3")
    assert [m[1:3] for m in matches if m[0] is None] == [("path", SHUYANG)] and SHUYANG in scored


def test_a_file_removed_that_decides_no_office_leaves_the_resolution_as_it_was(tmp_path, later):
    """With `paths` in the registry, the offices are resolved again when the inbox's files change; a file
    removed that decides no office (here one printing its office) keeps their key, so the checks that
    pair reports are not run again over the province (the code of 67a55ac gave them a new key)."""
    from gkqc.offices import resolution_key

    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    (inbox / "宿迁/沭阳县").mkdir(parents=True)
    (inbox / "offices.csv").write_text(f"office,region,office_kind,paths\n{SHUYANG},宿迁市,government,宿迁/沭阳县/*\n",
                                       encoding="utf-8")
    (inbox / "宿迁/沭阳县/2022.txt").write_text(render_pagetext(_report(None, 2022, 4)), encoding="utf-8")
    (inbox / "named.txt").write_text(render_pagetext(_report(SHUYANG, 2021, 5)), encoding="utf-8")
    _run(inbox, wh, "r1")
    later()
    (inbox / "named.txt").unlink()
    lake = Lake(wh / "lake")
    lake.init()
    key = resolution_key(lake)
    ingest(inbox, lake, "r2", workers=0)
    assert resolution_key(lake) == key and not check_lake(lake, "r2").changed
    lake.commit("r2")
    (inbox / "宿迁/沭阳县/2022.txt").rename(inbox / "moved.txt")  # (a file that decides one: resolved anew)
    ingest(inbox, lake, "r3", workers=0)
    assert resolution_key(lake) != key and check_lake(lake, "r3").changed


def test_a_file_moved_into_a_departments_folder_is_judged_by_a_departments_deadline(tmp_path, later):
    """D1 reads the office kind the registry gives: a report without an office, first in no office's
    folder (other: due 03-31), then moved into a department's (due 01-31), is judged again."""
    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    (inbox / "unsorted").mkdir(parents=True)
    (inbox / "offices.csv").write_text(f"office,region,office_kind,paths\n{EDU},宿迁市,department,宿迁/教育局/*\n",
                                       encoding="utf-8")
    report = _report(None, 2022, 4)
    report.published_at = date(2023, 2, 20)
    (inbox / "unsorted/2022.txt").write_text(render_pagetext(report), encoding="utf-8")

    def d1(run_id: str) -> list[tuple]:
        _run(inbox, wh, run_id)
        with connect_readonly(wh) as con:
            return con.sql("select status from check_results where check_id = 'D1'").fetchall()

    assert d1("r1") == [("pass",)]
    later()
    (inbox / "宿迁/教育局").mkdir(parents=True)
    (inbox / "unsorted/2022.txt").rename(inbox / "宿迁/教育局/2022.txt")
    assert d1("r2") == [("fail",)]


def test_a_registry_stays_when_its_file_goes_and_an_empty_one_clears_it(tmp_path):
    """offices.csv taken out of the inbox: the registry last read stays (as what was read of any file
    does); an offices.csv of its header alone leaves no office expected."""
    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    inbox.mkdir()
    (inbox / "edu.txt").write_text(render_pagetext(spec("gov2021", 2022, office=EDU, seed=7)), encoding="utf-8")
    (inbox / "offices.csv").write_text(f"office,region,office_kind\n{EDU},宿迁市,department\n{SIHONG},宿迁市,government\n",
                                       encoding="utf-8")

    def expected(run_id: str) -> set[str]:
        *_, scored = _run(inbox, wh, run_id)
        with connect_readonly(wh) as con:
            return {r[0] for r in con.sql("select office from scorecard_office").fetchall()}

    assert expected("r1") == {EDU, SIHONG}
    (inbox / "offices.csv").unlink()
    assert expected("r2") == {EDU, SIHONG}
    (inbox / "offices.csv").write_text("office,region,office_kind\n", encoding="utf-8")
    assert expected("r3") == {EDU}


# --- a name two registry offices share but for their place ------------------------------------------------

TOWNS = ("office,region,office_kind,aliases,paths\n"
         "青山县城关镇人民政府,青山县,township,,{qs}\n绿水县城关镇人民政府,绿水县,township,,{ls}\n")


def test_a_name_without_its_place_that_could_be_two_offices_is_ambiguous(tmp_path):
    m = registry(tmp_path, TOWNS.format(qs="", ls=""))
    got = m.match("城关镇人民政府")
    assert (got.office, got.how) == (None, "ambiguous") and "绿水县城关镇人民政府、青山县城关镇人民政府" in got.note
    assert m.match_all(["城关镇人民政府", "城关镇"]) == [got, m.match("城关镇")]
    assert m.match("东城镇人民政府").how == "unmatched"  # a name none of them ends with


def _towns_run(tmp_path: Path, paths: bool, towns: str = TOWNS) -> list[tuple]:
    """Two towns 城关镇 of two counties, each printing only 城关镇人民政府, in folders qs/ and ls/, over
    2021 and 2022 with their own carry (青山县 1, 绿水县 5); `towns`: the registry, its paths {qs} and {ls}."""
    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    for code, carry, seed in (("qs", "1", 11), ("ls", "5", 21)):
        first = _report("城关镇人民政府", 2021, seed)
        first.applications[("carried_forward", "natural_person")] = carry
        second = _report("城关镇人民政府", 2022, seed + 1, _forward(first))
        for s in (first, second):
            (inbox / code).mkdir(parents=True, exist_ok=True)
            (inbox / code / f"{s.year}.txt").write_text(render_pagetext(s), encoding="utf-8")
    (inbox / "offices.csv").write_text(towns.format(qs="qs/*" if paths else "", ls="ls/*" if paths else ""),
                                       encoding="utf-8")
    _run(inbox, wh, "r1")
    con = connect_readonly(wh)
    try:
        return con.sql("""select d.source_path, r.office, r.office_match, r.is_latest, c.status
                          from reports r join documents d using (report_id)
                          left join check_results c on c.report_id = r.report_id and c.check_id = 'A5'
                                                    and c.subject = 'natural_person'
                          order by 1""").fetchall()
    finally:
        con.close()


def test_the_folder_tells_two_towns_printing_one_name_apart(tmp_path):
    qs, ls = "青山县城关镇人民政府", "绿水县城关镇人民政府"
    assert _towns_run(tmp_path, paths=True) == [
        ("ls/2021.txt", ls, "path", True, "not_assessable"), ("ls/2022.txt", ls, "path", True, "pass"),
        ("qs/2021.txt", qs, "path", True, "not_assessable"), ("qs/2022.txt", qs, "path", True, "pass")]


def test_two_towns_printing_one_name_are_not_merged_into_an_office_of_that_name(tmp_path):
    rows = _towns_run(tmp_path, paths=False)
    assert [r[1:4] for r in rows] == [(None, "ambiguous", True)] * 4  # each its own, none paired with another
    assert [r[4] for r in rows if r[0].endswith("2022.txt")] == ["not_assessable"] * 2


@pytest.mark.parametrize("paths", [True, False])
def test_a_name_the_registry_holds_that_may_be_another_town_is_decided_by_the_folder(tmp_path, paths):
    """The registry lists 青山县's town by the bare 城关镇人民政府 and 绿水县's in full: a file of ls/ printing
    the bare name is 绿水县's where its paths say so; without paths, the name the registry holds."""
    towns = ("office,region,office_kind,aliases,paths\n"
             "城关镇人民政府,青山县,township,,{qs}\n绿水县城关镇人民政府,绿水县,township,,{ls}\n")
    rows = _towns_run(tmp_path, paths, towns)
    ls = ("绿水县城关镇人民政府", "path") if paths else ("城关镇人民政府", "exact")
    assert [r[:3] for r in rows] == [("ls/2021.txt", *ls), ("ls/2022.txt", *ls),
                                     ("qs/2021.txt", "城关镇人民政府", "path" if paths else "exact"),
                                     ("qs/2022.txt", "城关镇人民政府", "path" if paths else "exact")]
    a5 = [r[4] for r in rows if r[0].endswith("2022.txt")]
    assert a5 == (["pass", "pass"] if paths else ["pass", "fail"])  # one office: both 2022s beside one 2021
    if paths:  # the note says why the path decided, not that the name is none of the registry's
        with connect_readonly(tmp_path / "wh") as con:
            notes = {r[0] for r in con.sql("select office_note from office_matches").fetchall()}
        assert notes == {"所印名称未写全地名，可能是名录中的多个机关，按 offices.csv 的 paths 指定（by path）"}


# --- without a registry ---------------------------------------------------------------------------------

@pytest.mark.parametrize("listed", [None, EDU])
def test_a_name_the_registry_does_not_hold_printed_several_ways_is_one_office(tmp_path, listed):
    """No offices.csv, or one listing only another office: 绿水县人民政府 and 绿水县政府, `青山市 审计局` and
    青山市审计局 pair for A5 as one office each; one 2022 report collected as a page titled 绿水县… and as
    text titled 绿水县人民政府… is one office's, not two offices copying each other (C1)."""
    from gkqc.simulate.render import render_html

    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    if listed:
        inbox.mkdir()
        (inbox / "offices.csv").write_text(f"office,region,office_kind,aliases,paths\n{listed},宿迁市,department,,\n",
                                           encoding="utf-8")
    for code, (then, now), seed in (("a", ("绿水县人民政府", "绿水县政府"), 1), ("b", ("青山市 审计局", "青山市审计局"), 3)):
        first = _report(then, 2021, seed)
        (inbox / code).mkdir(parents=True)
        (inbox / code / "2021.txt").write_text(render_pagetext(first), encoding="utf-8")
        (inbox / code / "2022.txt").write_text(render_pagetext(_report(now, 2022, seed + 1, _forward(first))),
                                               encoding="utf-8")
    page = _report("碧水县人民政府", 2022, 7)
    page.overview = "2022年，碧水县人民政府" + "".join(f"围绕第{k}项重点工作公开政府信息{k * 7}条；" for k in range(1, 12))
    page.problems = "碧水县人民政府" + "".join(f"第{k}个问题是公开内容的时效性和完整性还需加强{k}处；" for k in range(1, 9))
    (inbox / "c").mkdir()
    (inbox / "c" / "2022.txt").write_text(render_pagetext(page), encoding="utf-8")
    page.title = "碧水县2022年政府信息公开工作年度报告"
    (inbox / "c" / "2022.html").write_bytes(render_html(page))
    _run(inbox, wh, "r1")
    con = connect_readonly(wh)
    try:
        got = dict(con.sql("""select d.source_path, (r.office, r.office_printed,
                                     (select list(c.status) from check_results c where c.report_id = r.report_id
                                        and c.check_id = 'A5' and c.subject = 'total'),
                                     (select list(c.status) from check_results c where c.report_id = r.report_id
                                        and c.check_id = 'C1'))
                              from reports r join documents d using (report_id)""").fetchall())
        scored = sorted(r[0] for r in con.sql("select distinct office from scorecard_office").fetchall())
    finally:
        con.close()
    assert got["a/2022.txt"][:3] == ("绿水县人民政府", "绿水县政府", ["pass"])  # the form printed first in sort order
    assert got["b/2022.txt"][:3] == ("青山市 审计局", "青山市审计局", ["pass"])
    assert got["c/2022.html"][:2] == ("碧水县", "碧水县") and got["c/2022.txt"][:2] == ("碧水县", "碧水县人民政府")
    assert got["c/2022.html"][3] == got["c/2022.txt"][3] == ["pass"]
    assert [o for o in scored if o != listed] == ["碧水县", "绿水县人民政府", "青山市 审计局"]


_LONG_NAME_CHILD = """import resource, sys
from gkqc.offices import Matcher
resource.setrlimit(resource.RLIMIT_AS, (1_200_000_000, 1_200_000_000))
m = Matcher([("青山市教育局", [], []), ("青山市财政局", [], [])])
printed = "青山市教育局" + "甲" * 20_000
print(m.match_all([printed, "青山市教育扃"])[1].how, m.match_all([printed])[0].office)
"""


def test_a_printed_name_of_a_great_many_characters_is_not_looked_up_one_edit_apart():
    # a metadata line of 20,000 characters taken for the office: each of its one-edit-apart forms
    # held (length² bytes: 1.7 GB, in the run's own process); a near name is still proposed
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", _LONG_NAME_CHILD], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-500:]
    assert done.stdout.split() == ["proposal", "None"]


def test_a_report_whose_year_is_unknown_is_not_assessed_across_years_and_says_why(tmp_path):
    """A report of a known office whose title, text and file name name no year: A5 and P3 cannot find
    its previous report and say so, as C1, D1 and S2 do; it is not left without a result, and it is
    listed with the reports no scorecard holds."""
    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    (inbox / "x").mkdir(parents=True)
    undated = _report(EDU, 2022, 3)
    undated.title = f"{EDU}政府信息公开工作年度报告"
    (inbox / "x" / "a.txt").write_text(render_pagetext(undated).replace("本年度", "本期").replace("2022", ""),
                                       encoding="utf-8")
    (inbox / "x" / "b.txt").write_text(render_pagetext(_report(EDU, 2021, 4)), encoding="utf-8")
    _run(inbox, wh, "r1")
    with connect_readonly(wh) as con:
        got = con.sql("""select c.check_id, list(distinct c.status), list(distinct c.message)
                         from check_results c join reports r using (report_id)
                         where r.report_year is null and c.check_id in ('A5', 'P3') group by all order by all""").fetchall()
        listed, n = unattributed(con)  # in no scorecard: listed on the site's index and in the workbook
    assert got == [("A5", ["not_assessable"], [NO_YEAR]), ("P3", ["not_assessable"], [NO_YEAR])]
    assert n == 1 and [(r["source_path"], r["report_year"]) for r in listed] == [("x/a.txt", None)]


def test_a_decision_on_an_office_another_offices_file_prints_the_name_of_stays_with_it(tmp_path):
    """The registry's 城关镇人民政府 (丙县) and 甲县城关镇人民政府, whose paths give it a file printing the bare
    name: a dismissal recorded for 城关镇人民政府 is 城关镇人民政府's, not moved to the other town."""
    from gkqc.review import record

    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    towns = {"bing/2022.txt": _report("城关镇人民政府", 2022, 2), "甲县/2022.txt": _report("城关镇人民政府", 2022, 3)}
    cell = towns["bing/2022.txt"].applications
    cell[("results_total", "natural_person")] = str(int(cell[("results_total", "natural_person")]) + 7)  # A1 fails
    for rel, s in towns.items():
        (inbox / rel).parent.mkdir(parents=True, exist_ok=True)
        (inbox / rel).write_text(render_pagetext(s), encoding="utf-8")
    (inbox / "offices.csv").write_text("office,region,office_kind,aliases,paths\n城关镇人民政府,丙县,township,,\n"
                                       "甲县城关镇人民政府,甲县,township,,甲县/*\n", encoding="utf-8")
    _run(inbox, wh, "r1")
    record(wh, "A1", "城关镇人民政府", 2022, "natural_person", "dismissed", "核实无误", publish=False)
    with connect_readonly(wh) as con:
        decided = con.sql("select office, stale from decisions").fetchall()
        dismissed = con.sql("select office, dismissed from scorecard_office order by all").fetchall()
    assert decided == [("城关镇人民政府", False)]
    assert dismissed == [("城关镇人民政府", 1), ("甲县城关镇人民政府", 0)]


def test_an_office_the_registry_gives_no_region_keeps_its_reports_region_in_a_year_it_published_nothing(tmp_path):
    """offices.csv lists 宿迁市教育局 without a region; it reported for 2021, not 2022: both years are in the
    region its report gives (宿迁市), not 2022 in none (未分地区); that year counts no errors, not 0."""
    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    (inbox / "a").mkdir(parents=True)
    (inbox / "a" / "2021.txt").write_text(render_pagetext(_report(EDU, 2021, 1)), encoding="utf-8")
    (inbox / "a" / "other-2022.txt").write_text(render_pagetext(_report(SIHONG, 2022, 2)), encoding="utf-8")
    (inbox / "offices.csv").write_text(f"office,region,office_kind\n{EDU},,department\n{SIHONG},宿迁市,government\n",
                                       encoding="utf-8")
    _run(inbox, wh, "r1")
    with connect_readonly(wh) as con:
        got = con.sql(f"select report_year, region, office_kind, grade, errors, dismissed from scorecard_office "
                      f"where office = '{EDU}' order by all").fetchall()
    # (a year without a report has no counts: NULL, not 0 errors)
    assert got == [(2021, "宿迁市", "department", "A", 0, 0), (2022, "宿迁市", "department", "F", None, None)]

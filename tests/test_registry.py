"""The template registry is the one place that knows the templates: no code spells a template id,
and a third template added to a registry file is detected, read and checked end to end."""

from __future__ import annotations

import copy
import re
import subprocess

import polars as pl
import yaml
from builders import spec
from checking import check_files
from conftest import ROOT
from typer.testing import CliRunner

from checks.engine import check_lake
from gkqc import cli
from gkqc.ingest import IngestSummary, ingest
from gkqc.lake import Lake
from gkqc.simulate.render import render_pagetext
from gkqc.summary import RunSummary, summary_rows
from gkqc.templates import REGISTRY_ENV, REGISTRY_PATH, registry

EXEMPT = ("tests/", "gkqc/simulate/")  # the simulator writes reports of the national templates by design


def test_no_code_spells_a_template_id():
    files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.py", "*.sql"], cwd=ROOT, capture_output=True, text=True,
                           check=True).stdout.split()
    # an id as a literal ('gov2021', "legacy"): the word itself may appear in prose ("legacy .doc files")
    ids = [re.compile(rf"""['"]{re.escape(t)}['"]""") for t in registry().all_templates]
    found = [f"{f}: {t.pattern}" for f in files if not f.startswith(EXEMPT) and (ROOT / f).exists()
             for t in ids if t.search((ROOT / f).read_text(encoding="utf-8"))]
    assert found == []


def test_no_code_spells_a_section_by_its_numeral():
    """Which section prints which table (二 active, 三 applications, 四 reviews), and which are the
    overview and the problems, and how many sections there are, is the registry's to say: code asks
    `registry().section_no(name)` and `registry().numerals`."""
    files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.py"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.split()
    exempt = (*EXEMPT, "gkqc/templates.py", "gkqc/bench_similarity.py")  # the registry; a generator, as the simulator
    # a numeral as a string ("三"), the run of the six ("一二三四五六", a heading's character class; Chinese
    # digits in general, 一…九, are not the registry's) or a heading ("一、总体")
    numeral = re.compile(r"""['"][一二三四五六]['"]|(?<![〇一二三四五六七八九十])[一二三四五六]{3,}(?![一二三四五六七八九十])|['"][一二三四五六]、""")
    found = [f for f in files if not f.startswith(exempt) and (ROOT / f).exists()
             and numeral.search((ROOT / f).read_text(encoding="utf-8"))]
    assert found == []


def test_no_code_spells_a_tables_shape():
    """The kinds of id a table's cells are keyed by (rows and columns, groups and metrics, a block's rows
    and metrics) are the registry's to say: code asks `registry().axes(table)` and `cell_keys`."""
    files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.py"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.split()
    kinds = {k for axes in registry().AXES.values() for k in axes[-2:]}
    literal = re.compile("|".join(rf"""['"]{k}['"]""" for k in sorted(kinds)))
    found = [f for f in files if not f.startswith((*EXEMPT, "gkqc/templates.py")) and (ROOT / f).exists()
             and literal.search((ROOT / f).read_text(encoding="utf-8"))]
    assert len(kinds) == 6 and found == []


def _with_gov2025(path) -> None:
    """The bundled registry plus a template from 2025 that renames section 二's first columns."""
    raw = yaml.safe_load(REGISTRY_PATH.read_text(encoding="utf-8"))
    raw["templates"]["gov2021"]["years"] = [2021, 2024]
    raw["templates"]["gov2025"] = {"title": "2025版模板（测试）", "issued_by": "测试", "years": [2025, 9999], "states_fee": True}
    active = copy.deepcopy(raw["active"]["gov2021"])
    active[0]["metrics"][0] = {"id": "issued", "label": "本年发布件数", "variants": ["本年发布件数"]}
    raw["active"]["gov2025"] = active
    for row in raw["applications"]["rows"]:
        if "gov2021" in row.get("templates", []):
            row["templates"].append("gov2025")
    raw["detection"].insert(0, {"section": "二", "template": "gov2025", "any": ["本年发布件数"], "how": "二、本年发布件数"})
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")


def test_the_printed_form_is_worked_out_once_per_language():
    """A report's printed form (its variant, else its template) is `Report.printed_form` for a record,
    `frames.PRINTED_FORM` for the checks' frames and `stg_reports.printed_form` in the warehouse; no
    other code works it out again."""
    files = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.py", "*.sql"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.split()
    worked_out = re.compile(r"template_variant\b[^\n]{0,30}\bor\b|coalesce\([^)]*template_variant")
    found = sorted(f for f in files if not f.startswith("tests/") and (ROOT / f).exists()
                   and worked_out.search((ROOT / f).read_text(encoding="utf-8")))
    assert found == ["checks/frames.py", "gkqc/record.py", "warehouse/models/staging/stg_reports.sql"]

def test_a_template_added_to_the_registry_is_read_and_checked(tmp_path, monkeypatch):
    path = tmp_path / "templates.yaml"
    _with_gov2025(path)
    monkeypatch.setenv(REGISTRY_ENV, str(path))
    assert registry().templates == ("gov2019", "gov2021", "gov2025")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    good = spec("gov2021", 2025, office="青山市教育局", seed=4)
    bad = spec("gov2021", 2025, office="青山市财政局", seed=5)
    bad.applications[("new_received", "natural_person")] = str(int(bad.applications[("new_received", "natural_person")]) + 3)
    for name, s in (("good.txt", good), ("bad.txt", bad)):
        (inbox / name).write_text(render_pagetext(s).replace("本年制发件数", "本年发布件数"), encoding="utf-8")
    lake = Lake(tmp_path / "lake")
    ingest(inbox, lake, "t1", workers=0)
    check_lake(lake, "t1")
    reports = pl.read_parquet(lake.paths("reports")).sort("office")
    assert reports["template"].to_list() == ["gov2025", "gov2025"]
    assert reports["template_source"].to_list() == ["二、本年发布件数"] * 2
    issued = pl.read_parquet(lake.paths("active_disclosure")).filter(pl.col("metric_id") == "issued")
    assert issued.height == 4 and issued["status"].to_list() == ["ok"] * 4
    results = pl.read_parquet(lake.paths("check_results")).join(reports.select("report_id", "office"), on="report_id")
    s2 = results.filter(pl.col("check_id") == "S2")
    assert s2["status"].to_list() == ["pass", "pass"]
    a1 = results.filter((pl.col("check_id") == "A1") & (pl.col("subject") == "natural_person")).sort("office")
    assert a1.select("office", "status").rows() == [("青山市教育局", "pass"), ("青山市财政局", "fail")]
    # the checks whose cells or statements the new template has too: P2 (本年发布件数 is its issued), T2
    assert results.filter(pl.col("check_id") == "P2").height == 4  # per row of 第二十条第（一）项, both reports
    assert results.filter(pl.col("check_id") == "T2")["status"].to_list() == ["pass", "pass"]  # its 六 states the fee
    assert results.filter(pl.col("check_id") == "P1").height == 0  # the 2019 template's columns


def test_no_check_names_a_template():
    """A check entry holds for every template whose cells its rule names, or as its kind asks the
    registry (T2: `states_fee`): naming templates in the suite would leave a template added later unchecked."""
    ids = re.compile("|".join(rf"(?<![\w-]){re.escape(t)}(?![\w-])" for t in registry().all_templates))
    found = [f"{p.name}:{n}" for p in sorted((ROOT / "checks" / "suite").glob("*.y*ml"))
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1) if ids.search(line)]
    assert found == []


def test_a_changed_registry_re_checks_every_report(tmp_path, monkeypatch):
    """The registry's digest is part of the suite's fingerprint (and so of the warehouse's): what was
    checked and built under another registry is checked and built again."""
    from checks.suite import suite_fingerprint

    before = suite_fingerprint()
    path = tmp_path / "templates.yaml"
    _with_gov2025(path)
    monkeypatch.setenv(REGISTRY_ENV, str(path))
    assert suite_fingerprint() != before
    monkeypatch.delenv(REGISTRY_ENV)
    assert suite_fingerprint() == before


def test_block_headings_are_found_by_the_registrys_words(tmp_path, monkeypatch):
    """Section 二's blocks are found under the words their labels share in the registry, whatever they are."""
    raw = yaml.safe_load(REGISTRY_PATH.read_text(encoding="utf-8"))
    for blocks in raw["active"].values():
        for b in blocks:
            b["label"] = b["label"].replace("第二十条", "第十九条")
    path = tmp_path / "templates.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv(REGISTRY_ENV, str(path))
    s = spec("gov2021", 2022, seed=6)
    text = render_pagetext(s)
    assert "第十九条第（一）项" in text and "第二十条" not in text
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "r.txt").write_text(text, encoding="utf-8")
    lake = Lake(tmp_path / "lake")
    ingest(inbox, lake, "t1", workers=0)
    active = pl.read_parquet(lake.paths("active_disclosure"))
    assert active.height == len(s.active) and set(active["status"]) == {"ok"}


def test_a_template_citing_another_article_leaves_the_others_blocks_found(tmp_path, monkeypatch):
    """A third template whose blocks cite 第二十一条: the code before looked for the words all templates'
    block labels share (第二十), so no report's section 二 was found, the other templates' neither."""
    path = tmp_path / "templates.yaml"
    _with_gov2025(path)
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    for b in raw["active"]["gov2025"]:
        b["label"] = b["label"].replace("第二十条", "第二十一条")
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv(REGISTRY_ENV, str(path))
    old, new = spec("gov2021", 2022, seed=6), spec("gov2021", 2025, seed=7)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "old.txt").write_text(render_pagetext(old), encoding="utf-8")
    (inbox / "new.txt").write_text(render_pagetext(new).replace("本年制发件数", "本年发布件数").replace("第二十条", "第二十一条"),
                                   encoding="utf-8")
    lake = Lake(tmp_path / "lake")
    ingest(inbox, lake, "t1", workers=0)
    reports = pl.read_parquet(lake.paths("reports")).select("report_id", "template")
    active = pl.read_parquet(lake.paths("active_disclosure")).join(reports, on="report_id")
    assert sorted(active.group_by("template", "status").len().rows()) == [("gov2021", "ok", len(old.active)),
                                                                           ("gov2025", "ok", len(new.active))]


def test_what_is_drawn_from_a_registry_is_forgotten_when_another_comes_in_force(tmp_path, monkeypatch):
    """Readers keep what they draw from the registry (a crawl's label pattern); a temporary registry
    gets its own, and the bundled one its own again afterwards."""
    from gkqc.readers.crawl import _label_re

    bundled = _label_re("active").pattern
    assert "本年发布件数" not in bundled
    path = tmp_path / "templates.yaml"
    _with_gov2025(path)
    monkeypatch.setenv(REGISTRY_ENV, str(path))
    assert "本年发布件数" in _label_re("active").pattern
    monkeypatch.delenv(REGISTRY_ENV)
    assert _label_re("active").pattern == bundled


def test_a_rule_within_a_block_names_its_subject_by_that_blocks_label(tmp_path, monkeypatch):
    """Two blocks of section 二 may give a row the same id under different labels: a finding of a rule
    fixed to one block names the row as that block prints it."""
    raw = yaml.safe_load(REGISTRY_PATH.read_text(encoding="utf-8"))
    item_5 = next(b for b in raw["active"]["gov2021"] if b["id"] == "item_5")
    assert item_5["rows"][0]["label"] == "行政许可"
    item_5["rows"][0]["id"] = "regulations"  # item_1 has a row 'regulations' too, printed 规章
    path = tmp_path / "templates.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv(REGISTRY_ENV, str(path))
    s = spec("gov2021", 2022, seed=5)
    s.active[("item_1", "regulations", "issued")], s.active[("item_1", "regulations", "in_force")] = "9", "1"
    res = check_files(tmp_path, {"r.txt": render_pagetext(s).encode()})
    p2 = res.filter((pl.col("check_id") == "P2") & (pl.col("status") == "fail"))
    assert p2["subject"].to_list() == ["regulations"]
    assert p2["message"][0].startswith("规章：")


def test_amounts_are_normalised_to_the_unit_the_registry_gives(tmp_path, monkeypatch):
    """An amount is kept in its metric's unit from the registry, and an amount printed without a
    unit is taken to be in it: a registry saying 元 reads 0.5万元 as 5000."""
    raw = yaml.safe_load(REGISTRY_PATH.read_text(encoding="utf-8"))
    for blocks in raw["active"].values():
        for b in blocks:
            for m in b["metrics"]:
                if m.get("unit") == "万元":
                    m["unit"] = "元"
    path = tmp_path / "templates.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv(REGISTRY_ENV, str(path))
    key = ("item_9", "procurement", "procurement_amount")
    first, second = spec("gov2019", 2020, office="青山市教育局", seed=4), spec("gov2019", 2020, office="青山市财政局", seed=5)
    first.active[key], second.active[key] = "0.5万元", "251000"
    res = check_files(tmp_path, {"a.txt": render_pagetext(first).encode(), "b.txt": render_pagetext(second).encode()})
    amounts = (pl.read_parquet(tmp_path / "lake" / "active_disclosure")
               .filter(pl.col("metric_id") == "procurement_amount").join(res.select("report_id", "source_path").unique(), on="report_id"))
    assert sorted(amounts.select("source_path", "value", "unit").rows()) == [("a.txt", 5000.0, "万元"), ("b.txt", 251000.0, None)]
    p5 = res.filter((pl.col("check_id") == "P5") & (pl.col("status") == "fail"))
    assert p5["source_path"].to_list() == ["b.txt"] and "按元计" in p5["message"][0]


def test_a_registry_whose_templates_state_no_fee_leaves_t2_to_none_and_says_so(tmp_path, monkeypatch):
    """T2 holds where a template's section 六 must state the 信息处理费 (`states_fee`); a registry without
    any (a province's, or one written before the key) loads, with T2 holding for no report."""
    from checks.suite import load_suite

    raw = yaml.safe_load(REGISTRY_PATH.read_text(encoding="utf-8"))
    for t in raw["templates"].values():
        t.pop("states_fee", None)
    path = tmp_path / "templates.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    monkeypatch.setenv(REGISTRY_ENV, str(path))
    specs = {s.id: s for s in load_suite()}
    assert specs["T2"].templates == () and specs["P2"].templates == ("gov2021", "gov2021_other_one_row")
    # and says so: the run's summary and the suite's listing name T2 as checked on no report
    (tmp_path / "inbox").mkdir()
    (tmp_path / "inbox" / "r.txt").write_text(render_pagetext(spec("gov2021", 2022, seed=1)), encoding="utf-8")
    lake = Lake(tmp_path / "lake")
    ingest(tmp_path / "inbox", lake, "r1", workers=0)
    said = summary_rows(RunSummary("r1", "inbox", "wh", IngestSummary(), check_lake(lake, "r1")))
    assert [(item, value) for item, value, _ in said if value.startswith("T2")] == [
        ("未检查 not checked", "T2：模板登记表中没有适用的模板（见 gkqc checks）(no template of the registry takes them)")]
    monkeypatch.setattr(cli.console, "width", 250)  # one line a row, whichever test set the console up first
    listed = CliRunner().invoke(cli.app, ["checks"])
    assert listed.exit_code == 0 and re.search(r"T2 .*（无：本次不检查 none）", listed.output)

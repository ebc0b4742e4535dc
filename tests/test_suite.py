"""The check suite is data: loaded, validated at start-up, extended without code."""

import shutil

import pytest
from builders import spec
from checking import check_files, findings

from checks.spec import SuiteError
from checks.suite import SUITE_DIR, load_suite
from gkqc.simulate.render import render_pagetext


def test_suite_covers_the_catalogue():
    ids = {s.id for s in load_suite()}
    assert ids == {"A1", "A2", "A3", "A4", "A5", "R1", "R2", "R3", "R4", "P1", "P2", "P3", "P4", "P5",
                   "S1", "S2", "S3", "S4", "S5", "D1", "D2", "T1", "T2", "T3", "C1"}


def _suite_with(tmp_path, text: str):
    d = tmp_path / "suite"
    shutil.copytree(SUITE_DIR, d)
    (d / "zz_extra.yaml").write_text(text, encoding="utf-8")
    return d


@pytest.mark.parametrize("text,line,needle", [
    ("- id: X1\n  title: t\n  severity: error\n  kind: equation\n  table: applications\n  scope: per_column\n"
     "  rule: granted + == partial\n", 1, "语法错误"),
    ("- id: X1\n  title: t\n  severity: error\n  kind: equation\n  table: applications\n  scope: per_column\n"
     "  rule: granted == no_such_row\n", 1, "no_such_row"),
    ("- id: X1\n  title: ok\n  severity: error\n  kind: cell\n  table: reviews\n  rule: value >= 0\n"
     "- id: X2\n  title: t\n  severity: fatal\n  kind: cell\n  table: reviews\n  rule: value >= 0\n", 7, "fatal"),
    ("- id: X1\n  title: t\n  severity: error\n  kind: procedural\n  function: nope\n", 1, "nope"),
    # a message the function would never read
    ("- id: X1\n  title: t\n  severity: error\n  kind: procedural\n  function: on_time\n  message: late\n", 1, "message"),
    ("- id: A1\n  title: again\n  severity: error\n  kind: cell\n  table: reviews\n  rule: value >= 0\n", 1, "重复"),
    # one id, two templates: the catalog and the findings would have two rows for one check
    ("- id: X1\n  title: t\n  severity: error\n  templates: [gov2019]\n  kind: cell\n  table: reviews\n  rule: value >= 0\n"
     "- id: X1\n  title: t\n  severity: error\n  templates: [gov2021]\n  kind: cell\n  table: reviews\n  rule: value >= 0\n",
     8, "重复"),
    ("- id: X1\n  title: [unclosed\n", 2, "YAML"),
    ("- id: X1\n  title: t\n  severity: error\n  kind: equation\n  table: reviews\n  scope: per_group\n"
     "  subjects: [appeal]\n  rule: total == upheld\n", 1, "appeal"),
    # a cell rule may leave out metrics only of a table that has them, and only metrics it has
    ("- id: X1\n  title: t\n  severity: error\n  kind: cell\n  table: applications\n  rule: value >= 0\n"
     "  exclude_metrics: [change]\n", 1, "exclude_metrics"),
    ("- id: X1\n  title: t\n  severity: error\n  kind: cell\n  table: active_disclosure\n  rule: value >= 0\n"
     "  exclude_metrics: [chagne]\n", 1, "chagne"),
])
def test_bad_check_files_are_rejected_with_file_and_line(tmp_path, text, line, needle):
    with pytest.raises(SuiteError) as e:
        load_suite(_suite_with(tmp_path, text))
    msg = str(e.value)
    assert f"zz_extra.yaml:{line}:" in msg and needle in msg


def test_a_new_check_is_a_new_entry(tmp_path):
    text = """
- id: X9
  title: 予以公开 不超过 本年新收与上年结转之和
  severity: warning
  kind: equation
  table: applications
  scope: per_column
  rule: granted <= new_received + carried_over
  message: "{subject_label}列：予以公开 {actual} 超过 收到的申请 {expected}"
"""
    specs = load_suite(_suite_with(tmp_path, text))
    s = spec("gov2021", 2022, seed=5)
    s.applications[("granted", "other_org")] = "999"
    s.applications[("new_received", "other_org")] = "1"
    res = check_files(tmp_path, {"x.txt": render_pagetext(s).encode()}, specs=specs)
    assert ("X9", "other_org") in findings(res)
    assert ("X9", "natural_person") not in findings(res)


@pytest.mark.parametrize("rule,templates,holds", [
    ("other_no_fee <= results_total", "", ("gov2021",)),  # 2021's split rows: not its one-row variant
    ("other_no_fee <= results_total", "  templates: [gov2021]\n", ("gov2021",)),
    ("other_handling <= results_total", "", ("gov2019", "gov2021_other_one_row")),  # printed by both
])
def test_an_entry_holds_for_each_printed_form_that_has_its_cells(tmp_path, rule, templates, holds):
    """A variant took its template's entries whatever they named: an entry over 2021's split rows of
    （六） made the suite refuse to load (the variant prints them as one row), and one over 其他处理 left
    out the 2021 variant that prints it."""
    text = (f"- id: X9\n  title: t\n  severity: warning\n  kind: equation\n  table: applications\n{templates}"
            f"  scope: per_column\n  rule: {rule}\n")
    spec = next(s for s in load_suite(_suite_with(tmp_path, text)) if s.id == "X9")
    assert spec.templates == holds


@pytest.mark.parametrize("block,rule,named,not_named", [
    ("item_1", "in_force >= isued", "isued", "in_force"),  # not the other template's own id
    ("item_9", "procurment_items >= 0", "procurment_items", "item_9"),  # not the block 2021's template lacks
])
def test_a_misspelt_id_is_named(tmp_path, block, rule, named, not_named):
    """A misspelt id in an entry naming no templates was reported as the first template's problem: another
    template's own id (in_force under 2019's), or the block it lacks (2019's 第二十条第（九）项 under 2021's)."""
    text = ("- id: X9\n  title: t\n  severity: warning\n  kind: equation\n  table: active_disclosure\n"
            f"  scope: per_row\n  block: {block}\n  rule: {rule}\n")
    with pytest.raises(SuiteError) as e:
        load_suite(_suite_with(tmp_path, text))
    assert f"'{named}'" in str(e.value) and not_named not in str(e.value)

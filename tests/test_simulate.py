"""A simulated collection through the pipeline agrees exactly with its ground truth."""

import json

import pytest

from checks.engine import check_lake
from gkqc.ingest import ingest
from gkqc.lake import Lake
from gkqc.simulate.collection import simulate
from gkqc.simulate.compare import compare


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    d = tmp_path_factory.mktemp("sim")
    summary = simulate(d, 60, (2018, 2023), seed=11, defect_rate=0.4, workers=1)
    return d, summary


def test_simulation_is_deterministic_whatever_the_workers(tmp_path, sim):
    d, _ = sim
    simulate(tmp_path, 60, (2018, 2023), seed=11, defect_rate=0.4, workers=2)
    assert (tmp_path / "truth.jsonl").read_bytes() == (d / "truth.jsonl").read_bytes()
    assert (tmp_path / "o000003" / "2021.txt").exists() == (d / "o000003" / "2021.txt").exists()


def test_collection_is_realistic(sim):
    d, s = sim
    truth = [json.loads(line) for line in (d / "truth.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(truth) == s.files > 300
    assert {t["parse_status"] for t in truth} == {"parsed", "partial", "not_a_report", "unreadable"}
    assert {t["template"] for t in truth} >= {"gov2019", "gov2021", "legacy"}
    assert set(s.forms) == {"pagetext", "pdftext", "html", "html-gbk"}
    assert len(s.defects) >= 10
    assert any(t["file"].startswith("mirror/") for t in truth)
    assert (d / "offices.csv").read_text(encoding="utf-8").count("\n") == 61


def test_pipeline_agrees_exactly_with_truth(tmp_path, sim):
    d, _ = sim
    lake = Lake(tmp_path / "lake")
    ingest(d, lake, "t1", workers=1)
    check_lake(lake, "t1")
    result = compare(d, lake)
    assert result.files > 300
    assert result.mismatches == []


def test_comparison_notices_a_wrong_finding(tmp_path, sim):
    d, _ = sim
    lake = Lake(tmp_path / "lake")
    ingest(d, lake, "t1", workers=1)
    check_lake(lake, "t1")
    truth = (d / "truth.jsonl").read_text(encoding="utf-8").splitlines()
    first = json.loads(truth[0])
    first["fails"].append(["A1", "total"])
    wrong = tmp_path / "wrong"
    wrong.mkdir()
    (wrong / "truth.jsonl").write_text("\n".join([json.dumps(first, ensure_ascii=False), *truth[1:]]), encoding="utf-8")
    assert len(compare(wrong, lake).mismatches) == 1


@pytest.mark.parametrize("form,seed", [("docx", 5), ("pdf", 6)])
def test_document_collection_agrees_exactly_with_truth(tmp_path, form, seed):
    """Reports published as Word or PDF attachments (tables across pages, the vertical label), with
    the same defects but those of text files."""
    d = tmp_path / "sim"
    s = simulate(d, 12, (2020, 2023), seed=seed, defect_rate=0.5, workers=1, forms=[(form, 1.0)])
    assert set(s.forms) == {form} and any(p.suffix == f".{form}" for p in d.rglob("*"))
    lake = Lake(tmp_path / "lake")
    ingest(d, lake, "t1", workers=1)
    check_lake(lake, "t1")
    result = compare(d, lake)
    assert result.files >= 40 and result.mismatches == []

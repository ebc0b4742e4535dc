"""A simulated collection through the pipeline agrees exactly with its ground truth."""

import collections
import itertools
import json
import random
import re

import polars as pl
import pytest
from pdfdocs import needs_cjk_font

from checks.engine import check_lake
from checks.kinds import similarity
from checks.kinds.cross_year import NO_PREV
from checks.minhash import jaccard, packed_shingles, significant
from checks.suite import load_suite
from gkqc.ingest import ingest
from gkqc.lake import Lake
from gkqc.offices import Matcher
from gkqc.simulate import prose
from gkqc.simulate.collection import simulate
from gkqc.simulate.compare import compare
from gkqc.simulate.offices import make_offices, misreadings, printed_forms
from gkqc.simulate.truth import MIN_CHARS

SEED = 17  # a collection with copies of both kinds (from the year before, from another office) and misread names


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    d = tmp_path_factory.mktemp("sim")
    summary = simulate(d, 60, (2018, 2023), seed=SEED, defect_rate=0.4, workers=1)
    return d, summary


@pytest.fixture(scope="module")
def checked(sim, tmp_path_factory) -> Lake:
    lake = Lake(tmp_path_factory.mktemp("run") / "lake")
    ingest(sim[0], lake, "t1", workers=0)
    check_lake(lake, "t1")
    return lake


def test_simulation_is_deterministic_whatever_the_workers(tmp_path, sim):
    d, _ = sim
    simulate(tmp_path, 60, (2018, 2023), seed=SEED, defect_rate=0.4, workers=2)
    assert (tmp_path / "truth.jsonl").read_bytes() == (d / "truth.jsonl").read_bytes()
    assert (tmp_path / "o000003" / "2021.txt").exists() == (d / "o000003" / "2021.txt").exists()


def test_collection_is_realistic(sim):
    d, s = sim
    truth = [json.loads(line) for line in (d / "truth.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(truth) == s.files > 300
    assert {t["parse_status"] for t in truth} == {"parsed", "partial", "not_a_report", "unreadable"}
    assert {t["template"] for t in truth} >= {"gov2019", "gov2021", "legacy"}
    assert set(s.forms) == {"pagetext", "pdftext", "html", "html-gbk"}
    assert len(s.defects) >= 10 and s.defects["narrative_mismatch"] >= 3 and s.defects["copied_section"] >= 3
    assert any(t["file"].startswith("mirror/") for t in truth)
    assert (d / "offices.csv").read_text(encoding="utf-8").count("\n") == 61


def test_truth_holds_the_text_defects(sim):
    """Numbers section 一 misstates (T3), and copied sections (C1): the later of two years of one
    office, both of two offices of one year, each naming the other."""
    d, _ = sim
    records = [json.loads(line) for line in (d / "truth.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sum(f[0] == "T3" for t in records for f in t["fails"]) >= 10
    c1 = [(t, f[1].rsplit(" ", 1)) for t in records for f in t["fails"] if f[0] == "C1"]
    earlier = [(t, o, y) for t, (o, y) in c1 if o == t["office"]]
    assert earlier and all(y == f"{t['report_year'] - 1}年度" for t, _, y in earlier)
    others = [(t, o, y) for t, (o, y) in c1 if o != t["office"]]
    assert others and all(y == f"{t['report_year']}年度" for t, _, y in others)
    for t, o, y in others:
        assert any(u["office"] == o and ["C1", f"{t['office']} {y}"] in u["fails"] for u in records)


def test_pipeline_agrees_exactly_with_truth(sim, checked):
    result = compare(sim[0], checked)
    assert result.files > 300
    assert result.mismatches == []
    t3 = pl.read_parquet(checked.paths("check_results")).filter(pl.col("check_id") == "T3")
    unsure = t3.filter(pl.col("status") == "not_assessable")["message"]
    # what T3 cannot judge was printed too: a wider area's count, new and carried over together
    assert unsure.str.contains("更大的范围").any() and unsure.str.contains("之和").any()
    assert t3.filter(pl.col("status") == "pass").height > 500


def _offices_read(d) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The simulated offices.csv (aliases as written) and truth.jsonl's reports."""
    offices = pl.read_csv(d / "offices.csv", infer_schema=False)
    truth = pl.read_ndjson(d / "truth.jsonl").filter(pl.col("office").is_not_null())
    return offices, truth


def test_reports_printing_their_office_otherwise_pair_with_their_previous_year(sim, checked):
    """office_variant: printed forms the matcher knows, and misread names offices.csv lists as
    aliases (without them only proposed); each report is its office's, cross-year checks included."""
    d, s = sim
    offices, truth = _offices_read(d)
    found = pl.read_parquet(checked.paths("report_offices"))
    assert s.defects["office_variant"] >= 5
    by = found.group_by("office_match").len().to_dict(as_series=False)
    assert dict(zip(by["office_match"], by["len"], strict=True)).keys() == {"alias", "normalised"}
    assert found.filter(pl.col("office_match") == "alias").height >= 3
    assert found.filter(pl.col("office_match") == "normalised").height >= 3
    bare = Matcher.from_frame(offices.drop("aliases"))
    for printed, office in found.filter(pl.col("office_match") == "alias").select("office_printed", "office").rows():
        m = bare.match(printed)
        assert (m.how, m.proposed) == ("proposal", office)
    reports = pl.read_parquet(checked.paths("reports")).select("report_id", "report_year")
    had_prev = truth.filter(pl.col("template") != "legacy").select(
        pl.col("office"), (pl.col("report_year") + 1).alias("report_year")).unique()
    a5 = (pl.read_parquet(checked.paths("check_results")).filter(pl.col("check_id") == "A5")
          .join(found.select("report_id", "office", "office_match"), on="report_id").join(reports, on="report_id"))
    paired = a5.join(had_prev, on=["office", "report_year"])
    assert paired.filter(pl.col("office_match") == "alias").height >= 7  # a misread report with a year before
    assert paired.filter(pl.col("message") == NO_PREV).is_empty()
    assert paired.filter(pl.col("status") == "not_assessable").height < paired.height


def test_misread_names_are_one_character_from_their_office_alone():
    offices = make_offices(300, random.Random(3))
    near = misreadings(offices, 3)
    names = {o.name for o in offices}
    bare = Matcher((o.name, [], []) for o in offices)
    assert len(near) > 200 and len(set(near.values())) == len(near) and not names & set(near.values())
    for o in offices:
        if o.code in near:
            assert sum(a != b for a, b in zip(near[o.code], o.name, strict=True)) == 1
            assert bare.match(near[o.code]).proposed == o.name
        assert printed_forms(o) and all(bare.match(v).office == o.name for v in printed_forms(o))


def test_independent_texts_are_unlike_and_copies_alike():
    """The texts offices write are far below C1's threshold from one another, copies far above;
    none holds what a reader would take for a section heading."""
    c1 = next(s for s in load_suite() if s.id == "C1")
    threshold = similarity.threshold_of(c1)
    assert MIN_CHARS == similarity.MIN_CHARS
    offices, rng = make_offices(60, random.Random(1)), random.Random(2)
    values = collections.defaultdict(lambda: 7)
    sig = lambda d, year=2022: pl.select(significant(pl.lit(prose.fill(d, year, values)[0]))).item()  # noqa: E731
    for write in (lambda o, y: prose.overview(3, o.code, o.name, o.kind, y), lambda o, y: prose.problems(3, o.code, o.name, y)):
        drafts = {(o, y): write(o, y) for o in offices for y in (2021, 2022)}
        grams = {k: packed_shingles(sig(d, k[1])) for k, d in drafts.items()}
        assert min(len(sig(d)) for d in drafts.values()) >= MIN_CHARS
        unlike = [jaccard(grams[(a, 2022)], grams[(b, 2022)]) for a, b in itertools.combinations(offices, 2)]
        unlike += [jaccard(grams[(o, 2022)], grams[(o, 2021)]) for o in offices]
        assert max(unlike) < threshold - 0.2
        for a, b in zip(offices[::2], offices[1::2], strict=True):
            renamed = prose.renamed(drafts[(a, 2022)], a.name, b.name)  # another office's, the same year
            rewritten = prose.rewritten(rng, drafts[(a, 2021)])  # the office's own of the year before
            assert min(jaccard(packed_shingles(sig(renamed)), grams[(a, 2022)]),
                       jaccard(packed_shingles(sig(rewritten)), grams[(a, 2021)])) > threshold + 0.15
        assert not any(re.search(r"[一二三四五六][、.,:，：．]", prose.fill(d, 2022, values)[0]) for d in drafts.values())


def test_comparison_notices_a_wrong_finding(tmp_path, sim, checked):
    d, _ = sim
    lake = checked
    truth = (d / "truth.jsonl").read_text(encoding="utf-8").splitlines()
    first = json.loads(truth[0])
    first["fails"].append(["A1", "total"])
    wrong = tmp_path / "wrong"
    wrong.mkdir()
    (wrong / "truth.jsonl").write_text("\n".join([json.dumps(first, ensure_ascii=False), *truth[1:]]), encoding="utf-8")
    assert len(compare(wrong, lake).mismatches) == 1


@pytest.mark.parametrize("form,seed", [("docx", 5), pytest.param("pdf", 6, marks=needs_cjk_font)])
def test_document_collection_agrees_exactly_with_truth(tmp_path, form, seed):
    """Reports published as Word or PDF attachments (tables across pages, the vertical label), with
    the same defects but those of text files."""
    d = tmp_path / "sim"
    s = simulate(d, 12, (2020, 2023), seed=seed, defect_rate=0.5, workers=1, forms=[(form, 1.0)])
    assert set(s.forms) == {form} and any(p.suffix == f".{form}" for p in d.rglob("*"))
    lake = Lake(tmp_path / "lake")
    ingest(d, lake, "t1", workers=0)
    check_lake(lake, "t1")
    result = compare(d, lake)
    assert result.files >= 40 and result.mismatches == []

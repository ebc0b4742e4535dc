"""The bundled real reports are read cell for cell."""

import json
from datetime import date

import pytest
from conftest import DATA, SAMPLES

from gkqc.readers import read_document
from gkqc.templates import match_label, norm_label, registry


def grid(rep, table):
    return {(c.block_id, c.row_id, c.col_id): c for c in rep.cells if c.table == table}


def test_ali_metadata(ali_bytes):
    r = read_document("ali-2020-annual-report.txt", ali_bytes)
    rep = r.report
    assert (r.format, r.encoding, r.status) == ("pagetext", "utf-8", "parsed")
    assert rep.title == "阿里地区2020年政府信息公开工作年度报告"
    assert rep.report_year == 2020 and rep.template == "gov2019"
    assert rep.published_at == date(2021, 3, 10)
    assert (rep.office, rep.office_kind, rep.region) == ("阿里地区", "government", "阿里地区")
    assert rep.publisher == "阿里地区行署办公室"
    assert rep.meta["发文机构"] == "地区行署办公室" and rep.meta["索引号"] == "dqxsb/2021-00011"
    assert [s.no for s in rep.sections] == list("一二三四五六")
    assert rep.sections[5].text.startswith("无其他需报告事项")


ALI_APPLICATIONS = {
    "new_received": [1, 0, 0, 0, 0, 16, 17],
    "carried_over": [0, 0, 0, 0, 1, 0, 1],
    "granted": [0, 0, 0, 0, 0, 16, 16],
    "partial": [0] * 7,
    "denied_enforcement_file": [0, 0, 0, 0, 0, 7, 7],
    "unprocessed_petition": [1, 0, 0, 0, 0, 0, 1],
    "other_handling": [0, 0, 0, 0, 0, 629, 629],
    "results_total": [2, 0, 0, 0, 1, 668, 671],
    "carried_forward": [0] * 7,
}


def test_ali_applications_every_cell(ali_bytes):
    rep = read_document("a.txt", ali_bytes).report
    g = grid(rep, "applications")
    reg = registry()
    rows = reg.app_rows_for("gov2019")
    assert len(g) == 23 * 7
    for row in rows:
        expect = ALI_APPLICATIONS.get(row.id, [0] * 7)
        got = [g[(None, row.id, c.id)].value for c in reg.app_columns]
        assert got == expect, row.id
        assert all(g[(None, row.id, c.id)].raw == str(int(v)) for c, v in zip(reg.app_columns, expect, strict=True))


def test_ali_active_disclosure_every_cell(ali_bytes):
    g = grid(read_document("a.txt", ali_bytes).report, "active")
    expect = {
        ("item_1", "regulations"): [52, 35, 32], ("item_1", "normative_docs"): [230, 204, 244],
        ("item_5", "licensing"): [1618, 17, 1559], ("item_5", "other_services"): [242, 0, 0],
        ("item_6", "punishment"): [3156, 37, 575], ("item_6", "coercion"): [185, 4, 28],
        ("item_8", "fees"): [1245, -19], ("item_9", "procurement"): [79, 11212.974705],
    }
    for b in registry().blocks_for("gov2019"):
        for r in b.rows:
            assert [g[(b.id, r.id, m.id)].value for m in b.metrics] == expect[(b.id, r.id)]
    amount = g[("item_9", "procurement", "procurement_amount")]
    assert (amount.raw, amount.unit) == ("11212.974705万", "万元")
    assert len(g) == 22


def test_ali_reviews_all_zero(ali_bytes):
    g = grid(read_document("a.txt", ali_bytes).report, "reviews")
    assert len(g) == 15 and all(c.value == 0 and c.raw == "0" for c in g.values())


@pytest.mark.parametrize("year", [2023, 2024])
def test_pdf_text_matches_expected(year):
    expected = json.loads((DATA / f"suqian_{year}.expected.json").read_text(encoding="utf-8"))
    r = read_document(f"suqian_{year}.txt", (SAMPLES / f"suqian_{year}.txt").read_bytes())
    rep = r.report
    assert r.status == "parsed" and r.format == "pdftext"
    assert rep.template == "gov2021" and rep.report_year == year
    reg = registry()
    apps = grid(rep, "applications")
    cols = {c.label: c.id for c in reg.app_columns}
    rows = reg.app_rows_for("gov2021")
    seen = set()
    for label, by_col in expected["table3"].items():
        row = match_label(norm_label(label.split("/")[-1]), rows)
        seen.add(row.id)
        for col_label, v in by_col.items():
            assert apps[(None, row.id, cols[col_label])].value == v, (label, col_label)
    assert seen == {r.id for r in rows}
    groups = {"行政复议": "review", "行政诉讼/未经复议直接起诉": "suit_direct", "行政诉讼/复议后起诉": "suit_after_review"}
    metrics = {m.label: m.id for m in reg.review_metrics}
    revs = grid(rep, "reviews")
    for g_label, by_metric in expected["table4"].items():
        for m_label, v in by_metric.items():
            gid = groups[g_label]
            assert revs[(gid, gid, metrics[m_label])].value == v
    act = grid(rep, "active")
    n = 0
    for b in reg.blocks_for("gov2021"):
        for r in b.rows:
            for m in b.metrics:
                key = "本年收费金额（万元）" if m.id == "fee_amount" else m.label
                assert act[(b.id, r.id, m.id)].value == expected["table2"][r.label][key]
                n += 1
    assert n == len(act) == 10

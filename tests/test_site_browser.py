"""The published site in a real browser: Debian's Chromium driven by Playwright opens it from disk.

It checks that the ranking renders and sorts, that an office-year page highlights a planted failing
cell and links it to its finding, that the charts draw, that no page logs an error or asks for
anything beyond its own folder, and that hostile office names and titles are shown as text.
Screenshots are written to a folder of the test run (its path is printed; GKQC_ARTIFACTS names
another one).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from workspace import HOSTILE_REGION, MARKERS, PLANTED, PLANTED_CELL, YEAR, make_inbox, run

from gkqc.outputs.html import office_page, region_page, report_page
from gkqc.outputs.scorecard import publish
from warehouse.access import connect_readonly

CHROMIUM = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser"), "/usr/bin/chromium")
                 if p and Path(p).exists()), None)
pytestmark = [pytest.mark.component,
              pytest.mark.skipif(CHROMIUM is None, reason="未安装 Chromium（.ci/run 从 Debian 软件包安装 chromium）："
                                                          "跳过真实浏览器测试 (Chromium not installed)")]


@pytest.fixture(scope="module")
def published(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser")
    wh = root / "wh"
    run(make_inbox(root), wh, "t1")
    publish(wh)
    return wh


@pytest.fixture(scope="module")
def site(published) -> Path:
    return published / "scorecards" / "site"


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    where = Path(os.environ["GKQC_ARTIFACTS"]) if os.environ.get("GKQC_ARTIFACTS") else tmp_path_factory.mktemp("screenshots")
    where.mkdir(parents=True, exist_ok=True)
    print(f"\n截图 screenshots: {where}")
    return where


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        yield b
        b.close()


class Watch:
    """What a page did that it must not: console errors, script errors, dialogs, requests off the disk."""

    def __init__(self, page):
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.dialogs: list[str] = []
        page.on("console", lambda m: self.errors.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"pageerror: {e}"))
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.route("**/*", self._route)

    def _route(self, route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            self.outside.append(route.request.url)
            route.abort()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    watch = Watch(pg)
    pg.watch = watch
    yield pg
    context.close()
    assert watch.errors == [] and watch.outside == [] and watch.dialogs == []


def open_page(page, site: Path, name: str):
    page.goto((site / name).as_uri())
    page.wait_for_load_state("load")
    return page


def visible_column(page, table: str, col: int) -> list[str]:
    return page.eval_on_selector_all(
        f"#{table} tbody tr:not([hidden])", f"rows => rows.map(r => r.cells[{col}].textContent.trim())")


def test_ranking_renders_and_sorts(page, site, published, shots):
    open_page(page, site, "index.html")
    page.screenshot(path=shots / "index.png", full_page=True)
    regions = visible_column(page, "regions", 0)
    con = connect_readonly(published)
    latest = con.execute("select max(report_year) from scorecard_office").fetchone()[0]
    want = {r[0] for r in con.execute("select region from scorecard_region where report_year = ?", [latest]).fetchall()}
    assert set(regions) == want  # the year filter opens on the latest year
    region = "碧水市"
    page.click(f'a[href="{region_page(region)}"]')
    page.wait_for_load_state("load")  # its script (deferred) has wired the filters: a busy host runs it late
    assert page.url.endswith(region_page(region))
    offices = {r[0] for r in con.execute("select office from scorecard_office where region = ? and report_year = ?",
                                         [region, latest]).fetchall()}
    assert set(visible_column(page, "ranking", 1)) == offices
    page.select_option('select[data-year="ranking"]', str(YEAR))
    assert set(visible_column(page, "ranking", 3)) == {str(YEAR)}
    score = page.locator("#ranking thead th", has_text="得分")
    score.click()
    asc = [int(s) for s in visible_column(page, "ranking", 4)]
    assert asc == sorted(asc) and len(asc) >= 3 and asc[0] < asc[-1]
    score.click()
    desc = [int(s) for s in visible_column(page, "ranking", 4)]
    assert desc == sorted(asc, reverse=True)
    assert page.get_attribute("#ranking thead th:nth-child(5)", "aria-sort") == "descending"
    page.fill('input[data-filter="ranking"]', PLANTED)
    assert visible_column(page, "ranking", 1) == [PLANTED]
    page.screenshot(path=shots / "region.png", full_page=True)


def test_office_page_highlights_the_planted_cell_and_links_its_finding(page, site, published, shots):
    open_page(page, site, report_page(PLANTED, YEAR))
    cell_id = f"c-applications-{'.'.join(PLANTED_CELL)}"
    cell = page.locator(f'[id="{cell_id}"]')
    assert "f" in cell.get_attribute("class").split()
    con = connect_readonly(published)
    raw = con.execute("""select a.raw from applications a join reports r using (report_id)
                         where r.office = ? and r.report_year = ? and a.row_id = ? and a.column_id = ?""",
                      [PLANTED, YEAR, *PLANTED_CELL]).fetchone()[0]
    assert cell.inner_text().startswith(raw)
    assert cell.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(255, 217, 217)"
    links = cell.locator("sup a")
    assert sorted(links.all_inner_texts()) == ["A1", "A2", "A3"]
    failing = {r[0] for r in con.execute("""select check_id from findings where office = ? and report_year = ?
                                           and is_latest""", [PLANTED, YEAR]).fetchall()}
    assert {"A1", "A2", "A3"} <= failing
    cell.scroll_into_view_if_needed()
    page.screenshot(path=shots / "office-year-highlighted-cell.png", full_page=True)
    href = links.filter(has_text="A1").get_attribute("href")
    links.filter(has_text="A1").click()
    assert page.url.endswith(href)
    finding = page.locator(f'li[id="{href[1:]}"]')
    assert finding.is_visible()
    text = finding.inner_text()
    assert "[A1 错误]" in text and "自然人" in text and "期望值" in text and "实际值" in text and "差额" in text
    assert "gkqc review A1 --office" in text
    assert finding.locator(f'a[href="#{cell_id}"]').count() == 1  # and back from the finding to the cell
    finding.screenshot(path=shots / "finding.png")


def test_charts_render(page, site, shots):
    open_page(page, site, "index.html")
    charts = page.locator("svg.chart")
    assert charts.count() == 3
    boxes = charts.evaluate_all("cs => cs.map(c => c.getBoundingClientRect()).map(b => [b.width, b.height])")
    assert all(w > 300 and h > 100 for w, h in boxes)
    years = page.eval_on_selector_all('select[data-year="regions"] option', "os => os.length") - 1  # less 全部
    lines = page.locator("svg.chart polyline.series")
    assert lines.count() == 3  # on-time rate, error-free rate, mean score
    assert all(len(p.split()) == years for p in lines.evaluate_all("ls => ls.map(l => l.getAttribute('points'))"))
    assert page.locator("svg.chart rect.bar").count() >= 1
    charts.first.screenshot(path=shots / "chart-trends.png")
    open_page(page, site, office_page(PLANTED))
    assert page.locator("svg.chart circle.pt").count() >= 1
    page.locator("svg.chart").first.screenshot(path=shots / "chart-office.png")


def test_hostile_text_renders_as_text(page, site, published, shots):
    con = connect_readonly(published)
    rows = con.execute("select office, title, report_year from reports where office like '%局' and "
                       "(office like '%<%' or office like '=%')").fetchall()
    assert len(rows) == len(MARKERS) and all(any(m in o for m in MARKERS) for o, _, _ in rows)
    pages = ["index.html", "offices.html", region_page(HOSTILE_REGION)]
    for office, _, year in rows:
        pages += [office_page(office), report_page(office, year)]
    for name in pages:
        open_page(page, site, name)
        assert page.evaluate("document.querySelectorAll('img, iframe, object, embed').length") == 0
        assert page.evaluate("Array.from(document.scripts).map(s => s.getAttribute('src'))") == ["site.js"]
        body = page.inner_text("body")
        for office, title, year in rows:
            if name == report_page(office, year):
                assert title in body and f"{office} · {year} 年度报告" in body
            if name in ("offices.html", office_page(office), report_page(office, year)):
                assert office in body
        if name == region_page(HOSTILE_REGION):
            assert HOSTILE_REGION in body
    assert page.watch.dialogs == []
    open_page(page, site, report_page(rows[0][0], rows[0][2]))
    page.screenshot(path=shots / "hostile-office-year.png", full_page=True)

"""One page per office-year: its versions and what changed between them, its findings with their
evidence and decisions, what was rectified, and sections 二, 三, 四 re-drawn as printed.

The site hands them over a chunk of whole offices at a time (`site.CHUNK` office-years); a chunk's
pages are written in batches: each batch's cells are read once per table and drawn by column
expressions (`tables.render_tables`); Python loops over reports and findings, never over cells.
"""

from __future__ import annotations

import hashlib
import shlex
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
from markupsafe import Markup

from gkqc.outputs.chunkcells import VIEWS
from gkqc.outputs.data import grouped, records
from gkqc.outputs.html import render, report_page
from gkqc.outputs.labels import cell_label, spec_of, subject_label
from gkqc.outputs.pages import Pages, digest
from gkqc.outputs.tables import (
    TABLES,
    cells_of_finding,
    escape_expr,
    printed_template,
    render_tables,
    section_of,
    shown_expr,
)
from gkqc.templates import registry, registry_digest

BATCH = 1000  # office-years per batch
# office-years whose cells are read from the lake in one pass (more costs memory in each of the
# site's processes: docs/benchmarks.md)
STAGED = 2 * BATCH
TEMP_TABLES = ("_versions", "_part", *(f"_cells_{t}" for t in TABLES))  # dropped when the site is written


def site_key(con: duckdb.DuckDBPyConnection, ctx: dict, inbox: Path | None,
             selection: tuple[str | None, str | None]) -> str:
    """What every page depends on besides its own records: the code and templates that draw the
    site, the template registry, the check catalog, the years, the scoring rule its footer states,
    the inbox its links point into and the selection. A page is carried over from the previous site
    only under the same key."""
    code = sorted(p for p in Path(__file__).parent.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    sources = b"".join(p.read_bytes() for p in code)
    catalog = con.execute("select * from check_catalog order by id").fetchall()
    return digest(hashlib.sha1(sources).hexdigest(), registry_digest(), catalog, ctx.get("years"), ctx.get("year"),
                  sorted(ctx.get("scoring", {}).items()), str(inbox), selection)


def review_command(f: dict) -> str:
    """The `gkqc review` line that records a decision on this finding (the reviewer fills in the reason)."""
    subject = f" --subject {shlex.quote(f['subject'])}" if f["subject"] else ""
    return (f"gkqc review {shlex.quote(f['check_id'])} --office {shlex.quote(f['office'])} --year {f['report_year']}"
            f"{subject} --dismiss --reason '…'")


def _versions(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Every version of the office-years of the offices in temp table `_part`, with its number
    (`reports.version_no`); the temp table `_versions` has their templates too (`_Lookups.meta`)."""
    con.execute("create or replace temp table _versions as select r.* from report_versions r join _part using (office)")
    return records(con, """select report_id, office, report_year, published_at, title, is_latest, versions, version_no
                           from _versions order by office, report_year, version_no""")


def _changes(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """Cells whose printed text differs from the version before (office-years with several versions)."""
    cells = " union all ".join(
        f"select report_id, '{t}' as tbl, key, raw from {v} "
        f"where report_id in (select report_id from _versions where versions > 1)" for t, v in zip(TABLES, VIEWS, strict=True))
    return records(con, f"""
        with pairs as (
            select n.report_id as new_id, o.report_id as old_id from _versions n join _versions o
              on o.office = n.office and o.report_year = n.report_year and o.version_no = n.version_no - 1
        ),
        c as ({cells}),
        n as (select p.new_id, c.tbl, c.key, c.raw from pairs p join c on c.report_id = p.new_id),
        o as (select p.new_id, c.tbl, c.key, c.raw from pairs p join c on c.report_id = p.old_id)
        select new_id as report_id, tbl, key, o.raw as old_raw, n.raw as new_raw
        from n full join o using (new_id, tbl, key)
        where n.raw is distinct from o.raw
        order by new_id, tbl, key""")


_CELL_HASHES = "select report_id, bit_xor(h) from (" + " union all ".join(
    f"select report_id, hash('{t}', key, raw, status, reason, line) as h from {v} "
    "where report_id in (select report_id from _versions)" for t, v in zip(TABLES, VIEWS, strict=True)) + ") group by report_id"


def _documents(con: duckdb.DuckDBPyConnection) -> list[dict]:
    return records(con, """select report_id, source_path, format, parse_status from documents
                         where report_id in (select report_id from _versions) order by report_id, source_path""")


def _href(inbox: Path | None, source_path: str) -> str | None:
    """A file:// link to a collected file, when the inbox is known (a zip member has none)."""
    if inbox is None or "!" in source_path:
        return None
    return (Path(inbox) / source_path).resolve().as_uri()


def _finding_cells(findings: list[dict], printed: dict[str, str | None]) -> pl.DataFrame:
    rows = []
    for f in findings:
        for table, key in cells_of_finding(spec_of(f["check_id"]), printed.get(f["report_id"]), f["subject"], f["cells"]):
            rows.append((f["report_id"], f["fno"], f["check_id"], table, key))
    return pl.DataFrame(rows, schema={"report_id": pl.Utf8, "fno": pl.Int64, "check_id": pl.Utf8, "table": pl.Utf8,
                                      "key": pl.Utf8}, orient="row")


def _links(fc: pl.DataFrame) -> pl.DataFrame:
    """report_id, table, key, links: the HTML links from a failing cell to its findings."""
    check = pl.col("check_id").str.replace_all(r"[^0-9A-Za-z_]", "")
    return (fc.sort("report_id", "fno")
            .with_columns(pl.format('<a href="#f-{}">{}</a>', pl.col("fno"), check).alias("a"))
            .group_by("report_id", "table", "key", maintain_order=True).agg(pl.col("a").str.join("").alias("links")))


def _evidence(fc: pl.DataFrame, cells: pl.DataFrame, printed: dict[str, str | None]) -> dict[tuple[str, int], str]:
    """(report_id, finding no) -> HTML listing the cells the finding rests on: label, printed text, line,
    each a link to the cell in the table."""
    if fc.is_empty():
        return {}
    form = pl.col("report_id").replace_strict(printed, default=None, return_dtype=pl.Utf8).alias("printed")
    fc = fc.with_columns(form)
    labels = pl.DataFrame([(t, k, p, cell_label(t, k, p)) for t, k, p in fc.select("table", "key", "printed").unique().iter_rows()],
                          schema={"table": pl.Utf8, "key": pl.Utf8, "printed": pl.Utf8, "label": pl.Utf8}, orient="row")
    shown = shown_expr(pl.col("raw"), pl.col("status"))
    html = pl.concat_str([
        pl.format('<a href="#c-{}-{}">', pl.col("table"), pl.col("key")), escape_expr(pl.col("label")), pl.lit("</a> = "),
        escape_expr(shown), pl.when(pl.col("line").is_not_null()).then(pl.format("（第 {} 行）", pl.col("line"))).otherwise(pl.lit(""))])
    out = (fc.join(labels, on=["table", "key", "printed"], how="left", nulls_equal=True)
           .join(cells, on=["report_id", "table", "key"], how="left")
           .select("report_id", "fno", html.alias("h"))
           .group_by("report_id", "fno", maintain_order=True).agg(pl.col("h").str.join("；")))
    return {(r, n): h for r, n, h in out.iter_rows()}


class _Lookups:
    """Everything the office-year pages of a chunk of whole offices show besides their cells, read at once."""

    def __init__(self, con: duckdb.DuckDBPyConnection, offices: list[dict], latest: list[dict], decisions: list[dict],
                 inbox: Path | None):
        con.register("_part_offices", pa.table({"office": sorted({o["office"] for o in offices})}))
        try:
            con.execute("create or replace temp table _part as select office from _part_offices")
        finally:
            con.unregister("_part_offices")
        self.versions = grouped(_versions(con), "office", "report_year")
        self.docs = grouped([dict(d, href=_href(inbox, d["source_path"])) for d in _documents(con)], "report_id")
        self.changes = grouped(_changes(con), "report_id")
        earlier = records(con, """select f.* from findings f join _part using (office) where not f.is_latest
                                  order by f.office, f.report_year, f.version_no, f.check_id, f.subject""")
        self.fails = grouped([*latest, *earlier], "report_id")
        self.stale = grouped([d for d in decisions if d["stale"] and d["is_current"]], "office", "report_year")
        self.catalog = {r["id"]: r for r in records(con, "select id, title, rule from check_catalog")}
        self.meta = {r["report_id"]: r for r in records(
            con, "select report_id, title, template, printed_form, published_source from _versions")}
        self.cells = dict(con.execute(_CELL_HASHES).fetchall())  # only `digest` reads them

    def digest(self, o: dict) -> str:
        """Of everything the office-year page of scorecard row `o` is drawn from."""
        vs = self.versions[(o["office"], o["report_year"])]
        ids = [v["report_id"] for v in vs]
        return digest(o, self.meta[o["report_id"]], vs, [self.docs.get(i) for i in ids],
                      [self.fails.get(i) for i in ids], [self.cells.get(i) for i in ids],
                      self.stale.get((o["office"], o["report_year"])))

    def findings(self, rid: str, printed: str | None, evidence: dict) -> list[dict]:
        out = []
        for f in sorted(self.fails.get(rid, []), key=lambda f: f["fno"]):
            k = self.catalog.get(f["check_id"]) or {}
            rule = " ".join(x for x in (k.get("title"), f"（{k['rule']}）" if k.get("rule") else "") if x)
            out.append(dict(f, subject_label=subject_label(f["check_id"], f["subject"], printed), rule=rule,
                            cells_html=Markup(evidence.get((rid, f["fno"]), "")), command=review_command(f)))
        return out

    def version_rows(self, vs: list[dict], printed: str | None) -> list[dict]:
        """Each version with its files, its failures and what changed from the one before."""
        out, before = [], None
        for v in vs:
            now = {(f["check_id"], f["subject"]) for f in self.fails.get(v["report_id"], [])}
            then = {(f["check_id"], f["subject"]) for f in self.fails.get(before["report_id"], [])} if before else now
            changes = [dict(c, label=f"{section_of(c['tbl'])}、{cell_label(c['tbl'], c['key'], printed)}")
                       for c in self.changes.get(v["report_id"], [])]
            out.append(dict(v, docs=self.docs.get(v["report_id"], []), failures=len(now), fixed=len(then - now),
                            new=len(now - then), changes=changes))
            before = v
        return out

    def rectified(self, vs: list[dict], printed: str | None) -> list[dict]:
        return [dict(f, subject_label=subject_label(f["check_id"], f["subject"], printed))
                for v in vs if not v["is_latest"] for f in self.fails.get(v["report_id"], []) if f["rectification"]]


def _stage_cells(con: duckdb.DuckDBPyConnection, ids: list[str]) -> None:
    """Temp tables `_cells_<table>`: the cells of reports `ids` (of the chunk `chunkcells.use_chunk`
    gave), each with its report's position in `ids` (`n`)."""
    con.register("_ids", pa.table({"report_id": ids, "n": range(len(ids))}))
    try:
        for t, v in zip(TABLES, VIEWS, strict=True):
            con.execute(f"""create or replace temp table _cells_{t} as
                            select b.n, c.key, c.raw, c.status, c.reason, c.line
                            from {v} c join _ids b using (report_id)""")
    finally:
        con.unregister("_ids")


def _batch_tables(con: duckdb.DuckDBPyConnection, first: int, ids: list[str], printed: dict[str, str | None],
                  findings: list[dict]) -> tuple[dict, dict]:
    """The tables as printed of reports `ids`, staged from position `first` on, and the evidence of their
    findings."""
    position = pl.DataFrame({"n": range(first, first + len(ids)), "report_id": ids},
                            schema={"n": pl.Int64, "report_id": pl.Utf8})
    cells = {t: position.join(con.sql(f"""select n, key, raw, status, reason, line from _cells_{t}
                                          where n between {int(first)} and {int(first) + len(ids) - 1}""").pl(),
                              on="n").drop("n") for t in TABLES}
    fc = _finding_cells(findings, printed)
    tables = render_tables(pl.DataFrame({"report_id": ids, "printed": [printed[i] for i in ids]},
                                        schema={"report_id": pl.Utf8, "printed": pl.Utf8}), cells, _links(fc))
    every = pl.concat([c.with_columns(pl.lit(t).alias("table")) for t, c in cells.items()], how="diagonal_relaxed")
    return tables, _evidence(fc, every, printed)


def draw_report_pages(con: duckdb.DuckDBPyConnection, pages: Pages, offices: list[dict], latest: list[dict],
                      decisions: list[dict], ctx: dict, inbox: Path | None) -> None:
    """Write the page of every office-year in `offices` (scorecard rows with a report, of whole
    offices): carried over from the previous site when nothing it is drawn from changed, drawn in
    batches otherwise."""
    if not offices:
        return
    reg = registry()
    look = _Lookups(con, offices, latest, decisions, inbox)
    todo = [(o, d) for o in offices if not pages.reuse(report_page(o["office"], o["report_year"]), d := look.digest(o))]
    for start in range(0, len(todo), BATCH):
        if start % STAGED == 0:
            _stage_cells(con, [o["report_id"] for o, _ in todo[start:start + STAGED]])
        batch = todo[start:start + BATCH]
        ids = [o["report_id"] for o, _ in batch]
        printed = {i: printed_template(look.meta[i]["printed_form"]) for i in ids}
        tables, evidence = _batch_tables(con, start % STAGED, ids, printed,
                                         [f for i in ids for f in look.fails.get(i, []) if f["is_latest"]])
        for o, d in batch:
            rid, m = o["report_id"], look.meta[o["report_id"]]
            vs = look.versions[(o["office"], o["report_year"])]
            template = m["printed_form"]
            pages.put(report_page(o["office"], o["report_year"]), render(
                "report.html.j2", **ctx, r=dict(o, **m), versions=look.version_rows(vs, printed[rid]),
                latest_version=max(v["version_no"] for v in vs),
                findings=look.findings(rid, printed[rid], evidence),
                rectified=look.rectified(vs, printed[rid]), stale=look.stale.get((o["office"], o["report_year"]), []),
                template_title=reg.title_of(template) if template else "未能判断",
                tables=[Markup(tables[rid][t]) for t in TABLES if t in tables.get(rid, {})],
                no_tables="该报告的模板没有全国统一表格（或未能判断模板），不重绘表格。"), d)

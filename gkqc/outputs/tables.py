"""Sections 二, 三 and 四 re-drawn as printed, for whole batches of reports at once.

The registry gives each printed template's tables: rows, columns, headers. Each table is a fixed
frame of static HTML with one slot per cell; a batch's cells are joined onto the frames of their
reports' templates and turned into `<td>` fragments by column expressions (raw text escaped; blank,
unreadable and missing cells marked; failing cells highlighted and linked to their findings), then
joined into one table per report and table. No loop over cells in Python.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl
from markupsafe import escape

from gkqc.cells import NO_TEXT
from gkqc.templates import drawn_from_registry, registry
from schemas.lake import CELL_IDS, CELL_KINDS, CELL_TABLES, cell_key_sql

TABLES = tuple(CELL_TABLES.values())  # the lake's cell tables, in the order the report prints them
STATUS_ZH = {"ok": "", "ocr": "OCR 读数", "inferred": "按本行合计推定", "blank": "空白", "unreadable": "无法读取",
             "missing": "未找到"}
KEYS = {t: cell_key_sql(t) for t in CELL_IDS}  # SQL of a cell's key, per cell table
STATUS_CLASS = {"ok": "", "ocr": "o", "inferred": "i", "blank": "b", "unreadable": "u", "missing": "m"}


@dataclass(frozen=True)
class Frame:
    """A table of one template: `prefixes[i]` is the HTML before cell `keys[i]`; `suffix` closes it."""

    keys: tuple[str, ...]
    prefixes: tuple[str, ...]
    suffix: str


def _frame(parts: list) -> Frame:
    keys, prefixes, pending = [], [], []
    for p in parts:
        if isinstance(p, tuple):  # a cell slot: ("cell", key)
            keys.append(p[1])
            prefixes.append("".join(pending))
            pending = []
        else:
            pending.append(p)
    return Frame(tuple(keys), tuple(prefixes), "".join(pending))


def section_of(table: str) -> str:
    """The numeral of the section that prints lake table `table`."""
    return registry().section_no(CELL_KINDS[table])


def _caption(table: str) -> str:
    title = registry().section_title(section_of(table))
    return f'<table class="cells" id="t-{table}"><caption>{escape(title)}</caption>'


def _applications(template: str) -> list:
    reg = registry()
    cols, rows = reg.app_columns, reg.app_rows_for(template)
    top, sub = ['<thead><tr><th colspan="2" rowspan="2"></th>'], ["<tr>"]
    i = 0
    while i < len(cols):
        c = cols[i]
        if c.group is None:
            top.append(f'<th rowspan="2">{escape(c.label)}</th>')
            i += 1
            continue
        group = [x for x in cols[i:]]
        n = next((k for k, x in enumerate(group) if x.group != c.group), len(group))
        top.append(f'<th colspan="{n}">{escape(c.group)}</th>')
        sub += [f"<th>{escape(x.label)}</th>" for x in group[:n]]
        i += n
    parts: list = ["".join(top) + "</tr>" + "".join(sub) + "</tr></thead><tbody>"]
    for k, r in enumerate(rows):
        if r.parent is None:
            parts.append(f'<tr><th colspan="2">{escape(r.label)}</th>')
        else:
            if k == 0 or rows[k - 1].parent != r.parent:
                span = next((j for j, x in enumerate(rows[k:]) if x.parent != r.parent), len(rows) - k)
                parts.append(f'<tr><th rowspan="{span}" class="p">{escape(r.parent)}</th><th>{escape(r.label)}</th>')
            else:
                parts.append(f"<tr><th>{escape(r.label)}</th>")
        parts += [("cell", f"{r.id}.{c.id}") for c in cols]
        parts.append("</tr>")
    parts.append("</tbody></table>")
    return parts


def _active(template: str) -> list:
    blocks, heading = registry().blocks_for(template), registry().row_headings.get("active", "")
    width = max(len(b.metrics) for b in blocks)
    parts: list = ["<tbody>"]
    for b in blocks:
        pad = width - len(b.metrics)
        fill = f'<td class="x" colspan="{pad}"></td>' if pad else ""
        parts.append(f'<tr><th colspan="{width + 1}" class="blk">{escape(b.label)}</th></tr><tr><th>{escape(heading)}</th>'
                     + "".join(f"<th>{escape(m.label)}</th>" for m in b.metrics)
                     + (f'<th colspan="{pad}"></th>' if pad else "") + "</tr>")
        for r in b.rows:
            parts.append(f"<tr><th>{escape(r.label)}</th>")
            parts += [("cell", f"{b.id}.{r.id}.{m.id}") for m in b.metrics]
            parts.append(fill + "</tr>")
    parts.append("</tbody></table>")
    return parts


def _reviews(template: str) -> list:
    reg = registry()
    groups, metrics = reg.review_groups, reg.review_metrics
    head = ("<thead><tr>" + "".join(f'<th colspan="{len(metrics)}">{escape(g.label)}</th>' for g in groups)
            + "</tr><tr>" + "".join(f"<th>{escape(m.label)}</th>" for _ in groups for m in metrics)
            + "</tr></thead><tbody><tr>")
    return [head, *[("cell", f"{g.id}.{m.id}") for g in groups for m in metrics], "</tr></tbody></table>"]


@drawn_from_registry()
def frames(template: str) -> dict[str, Frame]:
    """The three tables of a printed template (a template or its variant); none without tables."""
    if not registry().has_tables(template):
        return {}
    build = {"active_disclosure": _active, "applications": _applications, "reviews": _reviews}
    return {t: _frame([_caption(t), *build[t](template)]) for t in TABLES}


def printed_template(form: str | None) -> str | None:
    """The form a report's tables are drawn in (its `printed_form`), when the registry has tables for it."""
    return form if form and registry().has_tables(form) else None


# ---------------------------------------------------------------------------------------- cells of findings
def table_of_key(key: str) -> str | None:
    """The table a full cell key (block.row.metric, row.column, group.metric) belongs to."""
    parts = key.split(".")
    return next((t for t, ids in _id_sets().items()
                 if len(ids) == len(parts) and all(p in i for p, i in zip(parts, ids, strict=True))), None)


@drawn_from_registry()
def _id_sets() -> dict[str, list]:
    """Each table's ids along each of its axes."""
    reg = registry()
    return {t: [reg.ids(kind) for kind in reg.axes(t)] for t in TABLES}


def cells_of_finding(spec, template: str | None, subject: str, cells: str | None) -> list[tuple[str, str]]:
    """(table, key) of every cell of this report a finding rests on, from its check and evidence."""
    from checks.kinds import KINDS

    terms = [t.split("=", 1)[0].strip() for t in (cells or "").split(";") if "=" in t]
    found = KINDS[spec.kind].finding_cells(spec, template, subject, terms) if spec is not None and template else None
    if found is None:
        found = [(table, key) for key in [*terms, subject] if (table := table_of_key(key)) is not None]
    return list(dict.fromkeys(found))


# ---------------------------------------------------------------------------------------- batch rendering
def shown_expr(raw: pl.Expr, status: pl.Expr) -> pl.Expr:
    """What a cell shows: its printed text, or for a cell without any, why (`NO_TEXT`)."""
    instead = status.fill_null("missing").replace_strict(NO_TEXT, default="", return_dtype=pl.Utf8)
    return pl.when(raw.fill_null("") != "").then(raw).otherwise(instead)


_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}  # safe in text and in quoted attributes


def escape_expr(e: pl.Expr) -> pl.Expr:
    """HTML-escaped text, in one pass (what one replacement writes is never replaced again)."""
    return e.str.replace_many(list(_ESCAPES), list(_ESCAPES.values()))


def _skeleton(templates: list[str], table: str) -> pl.DataFrame:
    rows = [(t, i, k, p) for t in templates if (f := frames(t).get(table)) for i, (k, p) in
            enumerate(zip(f.keys, f.prefixes, strict=True))]
    return pl.DataFrame(rows, schema={"printed": pl.Utf8, "pos": pl.Int32, "key": pl.Utf8, "prefix": pl.Utf8},
                        orient="row")


def _cell_html(table: str) -> pl.Expr:
    """The `<td>` of a cell from its columns raw, status, reason, line and links (NULL: not failing)."""
    status = pl.col("status").fill_null("missing")
    marked = pl.col("links").is_not_null()
    text = escape_expr(shown_expr(pl.col("raw"), status))
    cls = pl.concat_str([status.replace_strict(STATUS_CLASS, default=""),
                         pl.when(marked).then(pl.lit(" f")).otherwise(pl.lit(""))]).str.strip_chars()
    tip = pl.concat_str([status.replace_strict(STATUS_ZH, default=""), escape_expr(pl.col("reason").fill_null("")),
                         pl.when(pl.col("line").is_not_null())
                         .then(pl.format("原文第 {} 行", pl.col("line"))).otherwise(pl.lit(""))],
                        separator="；").str.strip_chars("；").str.replace_all("；+", "；")
    return pl.concat_str([
        pl.lit("<td"),
        pl.when(marked).then(pl.format(' id="c-{}-{}"', pl.lit(table), pl.col("key"))).otherwise(pl.lit("")),
        pl.when(cls != "").then(pl.format(' class="{}"', cls)).otherwise(pl.lit("")),
        pl.when((status != "ok") | marked).then(pl.format(' title="{}"', tip)).otherwise(pl.lit("")),
        pl.lit(">"), text, pl.when(marked).then(pl.format("<sup>{}</sup>", pl.col("links"))).otherwise(pl.lit("")),
        pl.lit("</td>")])


def render_tables(reports: pl.DataFrame, cells: dict[str, pl.DataFrame], marks: pl.DataFrame) -> dict[str, dict[str, str]]:
    """report_id -> table -> HTML of the table as printed.

    reports: report_id, printed (template form, None: no tables).
    cells[table]: report_id, key, raw, status, reason, line.
    marks: report_id, table, key, links (HTML of the links to the findings a cell fails in).
    """
    out: dict[str, dict[str, str]] = {}
    reports = reports.filter(pl.col("printed").is_not_null()).with_row_index("rid")
    templates = sorted(set(reports["printed"].to_list()))
    rid = reports.select("report_id", "rid")
    for table in TABLES:
        skel = _skeleton(templates, table)
        if skel.is_empty():
            continue
        kid = skel.select("key").unique().sort("key").with_row_index("kid")
        skel = skel.join(kid, on="key")
        slot = (pl.col("rid").cast(pl.UInt64) * kid.height + pl.col("kid")).alias("slot")  # (report, key) as one int

        def coded(df: pl.DataFrame, kid: pl.DataFrame = kid, slot: pl.Expr = slot) -> pl.DataFrame:
            """`df` with its report and key as their slot."""
            return df.join(rid, on="report_id").join(kid, on="key").with_columns(slot).drop("report_id", "key", "rid", "kid")

        grid = (reports.select("rid", "printed").join(skel, on="printed").with_columns(slot)
                .join(coded(cells[table]), on="slot", how="left")
                .join(coded(marks.filter(pl.col("table") == table).select("report_id", "key", "links")),
                      on="slot", how="left"))
        plain = ((pl.col("status") == "ok") & pl.col("links").is_null()).fill_null(False)
        cell = pl.concat_str([pl.col("prefix"), _cell_html(table)]).alias("h")
        plain_cell = pl.concat_str([pl.col("prefix"), pl.lit("<td>"), escape_expr(pl.col("raw")),  # most cells
                                    pl.lit("</td>")]).alias("h")
        html = (pl.concat([grid.filter(plain).select("rid", "pos", plain_cell),
                           grid.filter(~plain).select("rid", "pos", cell)])
                .sort("rid", "pos")
                .group_by("rid", maintain_order=True).agg(pl.col("h").str.join(""))
                .join(reports.select("rid", "report_id", "printed"), on="rid"))
        for report_id, printed, h in html.select("report_id", "printed", "h").iter_rows():
            out.setdefault(report_id, {})[table] = h + frames(printed)[table].suffix
    return out

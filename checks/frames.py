"""Loading a batch of lake parts: reports, sections and cell grids; cell ids and their printed labels."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import polars as pl

from checks.grid import CellTable, read_cells
from gkqc.lake import SCHEMA_FILE, Lake
from gkqc.offices import AMBIGUOUS
from gkqc.offices import TABLE as OFFICE_TABLE
from gkqc.storage import read_frame
from gkqc.templates import drawn_from_registry, registry
from schemas.lake import CELL_IDS

REPORT_COLS = ["report_id", "template", "template_variant", "template_source", "report_year", "published_at",
               "published_source", "office", "office_kind", "region"]
# the form a report's tables were read in, which its checks follow (`Report.printed_form`, in bulk)
PRINTED_FORM = pl.coalesce("template_variant", "template").alias("template")


@dataclass
class PartData:
    """One batch of lake parts: reports numbered by `rid`, their sections, each cell table as a
    grid (`CellTable`) and the cells procedural checks read (those not read as numbers, and amounts)."""

    reports: pl.DataFrame
    sections: pl.DataFrame
    grids: dict[str, CellTable]  # table -> its cells
    cells: dict[str, pl.DataFrame]  # table -> cells not read as numbers (and amounts), with rid and template
    rejected: pl.DataFrame | None = None  # OCR cells an equation disproved (checks.ocr), once gated




def cell_id_expr(table: str) -> pl.Expr:
    return pl.concat_str([pl.col(c) for c in CELL_IDS[table]], separator=".")


def with_cell_id(cells: pl.DataFrame, table: str) -> pl.DataFrame:
    """Add `cell_id` (row.column, group.metric or block.row.metric) to a few cells of one table."""
    return cells.with_columns(cell_id_expr(table).alias("cell_id"))


def _files(lake: Lake, table: str, parts: list[str]) -> list[str]:
    """The table's files of these ingest batches (a batch may have no rows in a table)."""
    have = set(lake.part_names(table))
    return [lake.file(table, p) for p in parts if p in have] or [lake.file(table, SCHEMA_FILE)]


def _procedural_cells(cells: CellTable) -> pl.DataFrame:
    keep = ~cells.long["ok"]  # and every amount, whose unit a check reads
    amounts = registry().amount_cells(cells.table)
    if amounts:
        keep = keep | cells.long["key"].is_in(cells.keys_of(amounts)).fill_null(False)
    return cells.rows(keep)


def registered_reports(lake: Lake, parts: list[str]) -> pl.DataFrame:
    """The reports of some lake parts as the checks see them: their printed form as `template`, their
    region and office kind as the office registry gives them (`_as_registered`)."""
    return (_as_registered(lake, read_frame(_files(lake, "reports", parts), columns=REPORT_COLS, missing_columns="insert"))
            .with_columns(PRINTED_FORM).drop("template_variant").with_row_index("rid"))


def load_parts(lake: Lake, parts: list[str], empty: dict[str, pl.DataFrame],
               tables: set[str] | None = None) -> PartData:
    """The reports of some lake parts with their sections and cells (a part is one ingest batch).
    Only the `tables` asked for are read (all when None)."""
    reports = registered_reports(lake, parts)
    wanted = (lambda t: tables is None or t in tables)  # noqa: E731
    grids = {t: read_cells(t, _files(lake, t, parts), reports) for t in CELL_IDS if wanted(t)}
    sections = read_frame(_files(lake, "sections", parts),
                          ["report_id", "section_no", "position", "text"]) if wanted("sections") else None
    cells = {t: _procedural_cells(grids[t]) if t in grids else
             empty[t].with_columns(pl.lit(None, dtype=pl.UInt32).alias("rid"), pl.lit(None, dtype=pl.Utf8).alias("template"),
                                   pl.lit(None, dtype=pl.Float64).alias("confidence"))
             for t in CELL_IDS}
    return PartData(reports, sections if sections is not None else empty["sections"], grids, cells)


def _as_registered(lake: Lake, reports: pl.DataFrame) -> pl.DataFrame:
    """Each report's region and office kind as the office registry (offices.csv) gives them for its
    office, matched as gkqc.offices matched it; as printed where the registry does not name it. The
    scorecard reads them the same way."""
    registry_rows = lake.files("offices")
    if not registry_rows or reports.is_empty():
        return reports
    listed = read_frame(registry_rows, ["office", "region", "office_kind"])  # one row per office: read_offices refuses a repeat
    found = read_frame(lake.paths(OFFICE_TABLE), ["report_id", "office"]).rename({"office": "resolved"})
    return (reports.join(found, on="report_id", how="left", maintain_order="left")
            .with_columns(pl.coalesce("resolved", "office").alias("resolved"))
            .join(listed.rename({"office": "resolved", "region": "listed_region", "office_kind": "listed_kind"}),
                  on="resolved", how="left", maintain_order="left")
            .with_columns(pl.coalesce("listed_region", "region").alias("region"),
                          pl.coalesce("listed_kind", "office_kind").alias("office_kind"))
            .select(reports.columns))


def paired_reports(lake: Lake) -> pl.LazyFrame:
    """Every report as the checks that pair reports by office see it: report_id, template (its printed
    form), office, report_year, title, published_at, ingested_at. `office` is the registry's office the
    printed name was matched to (gkqc.offices), else the name as printed (a proposal is not applied);
    none for a name that could be several of the registry's offices (`ambiguous`)."""
    reports = pl.scan_parquet(lake.paths("reports"), missing_columns="insert").select(
        "report_id", PRINTED_FORM, "office", "report_year", "title", "published_at", "ingested_at")
    found = read_frame(lake.paths(OFFICE_TABLE), ["report_id", "office", "office_match"]).rename({"office": "resolved"})
    return (reports.join(found.lazy(), on="report_id", how="left", maintain_order="left")
            .with_columns(pl.when(pl.col("office_match").ne_missing(AMBIGUOUS))
                          .then(pl.coalesce("resolved", "office")).alias("office"))
            .drop("resolved", "office_match"))


@drawn_from_registry()
def subject_labels(table: str | None = None, template: str | None = None) -> dict[str, str]:
    """Printed labels of the subjects of one table's rules (all tables when None), in the words of
    `template` (a template or printed variant; across the templates, the last listed winning, when None).
    A rule's subjects are ids along one of a table's last two axes; in a table of blocks they are
    labelled both as 'block.id' (a rule fixed to a block: `subject_key`) and as the bare id."""
    reg = registry()
    by_table = {}
    for t in CELL_IDS:
        found = {k: v for kind in reg.axes(t)[-2:] for k, v in labels(kind, template).items()}
        by_table[t] = {k.rsplit(".", 1)[-1]: v for k, v in found.items()} | found
    return by_table[table] if table else {k: v for d in by_table.values() for k, v in d.items()}


def subject_key(block: pl.Expr, subject: pl.Expr) -> pl.Expr:
    """What a subject's label is looked up by: 'block.id' for a rule fixed to a block, else the id."""
    return pl.when(block.is_not_null()).then(pl.concat_str([block, pl.lit("."), subject])).otherwise(subject)


@drawn_from_registry()
def labels(kind: str, template: str | None = None) -> dict[str, str]:
    """id -> printed label in `template`'s words (across the templates, the last listed winning, when None)."""
    return {rec["id"]: rec["label"] for rec in registry().labels()
            if rec["table"] == kind and template in (None, rec["template"])}


@drawn_from_registry()
def cell_labels(template: str | None = None) -> dict[str, str]:
    """cell_id -> 'row label / column label' for messages, in the words of `template` (a template or
    printed variant; every template's cells, the last listed winning, when None)."""
    reg = registry()
    out = {}
    for t in reg.templates if template is None else [template]:
        out.update({key: reg.cell_label(table, key, t) for table in reg.AXES
                    for key in (".".join(parts) for parts in reg.cell_keys(table, t))})
    return out


def cell_label_expr(cell: pl.Expr, template: pl.Expr) -> pl.Expr:
    """The label of each row's cell id in the words of its report's printed form (`template`)."""
    return label_expr(cell, template, cell_labels)


def label_expr(ids: pl.Expr, template: pl.Expr, words: Callable[[str | None], dict[str, str]]) -> pl.Expr:
    """The label of each row's id in the words of `template` (a template or printed variant), from
    `words(template)`: id -> label; an id that form does not have, or a form not in the registry, gets
    the label across the templates (`words(None)`)."""
    reg = registry()
    table = {f"{t}/{i}": label for t in reg.printed for i, label in words(t).items()}
    key = pl.concat_str([template.fill_null(reg.default_template), pl.lit("/"), ids])
    return key.replace_strict(table, default=ids.replace_strict(words(None), default=ids))

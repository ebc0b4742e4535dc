"""Printed labels for what findings name: a subject (column, row, group, section, cell) and a cell key."""

from __future__ import annotations

from checks.spec import scope_axis
from gkqc.templates import drawn_from_registry, registry
from schemas.lake import CELL_IDS


@drawn_from_registry()
def _specs() -> dict:
    from checks.suite import load_suite

    return {s.id: s for s in load_suite()}


def spec_of(check_id: str):
    """The check's entry in the suite (None when the suite no longer has it)."""
    return _specs().get(check_id)


def cell_label(table: str, key: str, template: str | None = None) -> str:
    """'row label / column label' of a cell key of `table` (the key itself when unknown)."""
    return registry().cell_label(table, key, template)


@drawn_from_registry(maxsize=65536)
def subject_label(check_id: str, subject: str | None, template: str | None = None) -> str:
    """What a finding is about, in the report's printed words."""
    from gkqc.outputs.tables import table_of_key

    reg = registry()
    if not subject:
        return "整份报告"
    if (table := table_of_key(subject)) is not None:
        return cell_label(table, subject, template)
    spec = spec_of(check_id)
    if spec is not None and spec.table in CELL_IDS and spec.scope:  # a rule's subject: an id along its scope's axis
        kind = reg.axes(spec.table)[scope_axis(spec.table, spec.scope)]
        if len(CELL_IDS[spec.table]) == 2:
            return reg.label_of(kind, subject, template)
        if spec.block:  # within a block, rows and metrics are labelled as 'block.id'
            return reg.label_of(kind, f"{spec.block}.{subject}", template)
    if subject in reg.ids("section"):
        return f"第{subject}部分"
    return subject


def cells_label(cells: str | None, template: str | None = None) -> str:
    """A finding's evidence ('key=value; …') with each cell key in the report's printed words
    ('row label / column label = value'); a term that names no cell as it is."""
    out = []
    for term in filter(None, (t.strip() for t in (cells or "").split(";"))):
        key, eq, value = (p.strip() for p in term.partition("="))
        label = _key_label(key, template) if eq else None
        out.append(f"{label} = {value}" if label else term)
    return "；".join(out)


@drawn_from_registry(maxsize=65536)
def _key_label(key: str, template: str | None) -> str | None:
    """The printed label of a full cell key (None when it names no cell)."""
    from gkqc.outputs.tables import table_of_key

    table = table_of_key(key)
    return None if table is None else cell_label(table, key, template)


def finding_subject(f: dict) -> str:
    """A finding's subject as the site and the notices name it (in its report's `printed_form`, when the
    record has it)."""
    from gkqc.outputs.tables import printed_template

    return subject_label(f["check_id"], f["subject"], printed_template(f.get("printed_form")))


def finding_labels(f: dict) -> tuple[str, str]:
    """A finding's subject and cells as the site and the notices name them."""
    from gkqc.outputs.tables import printed_template

    template = printed_template(f.get("printed_form"))
    return subject_label(f["check_id"], f["subject"], template), cells_label(f["cells"], template)

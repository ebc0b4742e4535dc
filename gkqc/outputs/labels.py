"""Printed labels for what findings name: a subject (column, row, group, section, cell) and a cell key."""

from __future__ import annotations

from functools import lru_cache

from gkqc.templates import drawn_from_registry, registry


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


def subject_label(check_id: str, subject: str | None, template: str | None = None) -> str:
    """What a finding is about, in the report's printed words."""
    return _subject_label(id(registry()), check_id, subject, template)


@lru_cache(maxsize=65536)
def _subject_label(_registry: int, check_id: str, subject: str | None, template: str | None) -> str:
    from gkqc.outputs.tables import table_of_key

    reg = registry()
    if not subject:
        return "整份报告"
    if (table := table_of_key(subject)) is not None:
        return cell_label(table, subject, template)
    spec = spec_of(check_id)
    kind = {("applications", "per_column"): "app_column", ("applications", "per_row"): "app_row",
            ("reviews", "per_group"): "review_group"}.get((spec.table, spec.scope)) if spec else None
    if kind:
        return reg.label_of(kind, subject, template)
    if spec is not None and spec.table == "active_disclosure" and spec.block:
        return reg.label_of("active_row", f"{spec.block}.{subject}", template)
    if subject in reg.ids("section"):
        return f"第{subject}部分"
    return subject

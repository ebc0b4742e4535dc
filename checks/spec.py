"""A check of the suite as data: `CheckSpec`, and the ids a rule over a table may name.

Loading and validating the YAML files is `checks.suite`; what each kind accepts is `checks.kinds`."""

from __future__ import annotations

from dataclasses import dataclass, field

from gkqc.templates import registry

SEVERITIES = {"error", "warning", "info"}
TABLES = {"applications", "reviews", "active_disclosure"}
SCOPES = {"applications": {"per_column", "per_row"}, "reviews": {"per_group"}, "active_disclosure": {"per_row"}}
COMMON_FIELDS = {"id", "title", "severity", "templates", "kind"}  # every kind's entries; the rest is the kind's


class SuiteError(ValueError):
    """A check file cannot be used; the message names file, line and reason."""


@dataclass(frozen=True)
class CheckSpec:
    id: str
    title: str
    severity: str
    kind: str
    templates: tuple[str, ...] = ()  # filled from the registry when the entry names none
    table: str | None = None
    scope: str | None = None
    rule: str | None = None
    message: str | None = None
    subjects: tuple[str, ...] = ()
    block: str | None = None
    exclude_metrics: tuple[str, ...] = ()
    function: str | None = None
    source: str = ""
    line: int = 0
    extra: dict = field(default_factory=dict, compare=False)


def scope_ids(table: str, scope: str | None, template: str, block: str | None = None) -> tuple[set[str], set[str]]:
    """(ids a rule may name, ids that are subjects) for one table, scope and template."""
    reg = registry()
    if table == "applications":
        rows, cols = reg.ids("app_row", template), reg.ids("app_column")
        return (rows, cols) if scope == "per_column" else (cols, rows)
    if table == "reviews":
        return reg.ids("review_metric"), reg.ids("review_group")
    blocks = [b for b in reg.blocks_for(template) if block is None or b.id == block]
    return {m.id for b in blocks for m in b.metrics}, {r.id for b in blocks for r in b.rows}



"""A check of the suite as data: `CheckSpec`, and the ids a rule over a table may name.

Loading and validating the YAML files is `checks.suite`; what each kind accepts is `checks.kinds`."""

from __future__ import annotations

from dataclasses import dataclass, field

from gkqc.templates import registry
from schemas.lake import CELL_IDS

TABLES = set(CELL_IDS)
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


def scopes(table: str) -> set[str]:
    """The scopes a rule over `table` may run in: 'per_<axis>' for each of the table's last two id
    columns (a leading one, the block, is fixed by the entry's `block` or left open)."""
    return {"per_" + c.removesuffix("_id") for c in CELL_IDS[table][-2:]}


def scope_axis(table: str, scope: str) -> int:
    """The position in a cell key of the axis a scope runs along ('per_column' in applications: 1)."""
    return CELL_IDS[table].index(scope.removeprefix("per_") + "_id")


def scoped_keys(table: str, scope: str, template: str, block: str | None = None) -> list[tuple[str, str, str]]:
    """(subject, id a rule names, cell key) of every cell of the table in `template`: the subject is the
    cell's id along the scope's axis, the rule's id its id along the other."""
    dims = CELL_IDS[table]
    subject = scope_axis(table, scope)
    other = len(dims) - 1 if subject == len(dims) - 2 else len(dims) - 2
    keys = registry().cell_keys(table, template)
    if block is not None and len(dims) > 2:
        keys = [k for k in keys if k[0] == block]
    return [(k[subject], k[other], ".".join(k)) for k in keys]


def scope_ids(table: str, scope: str | None, template: str, block: str | None = None) -> tuple[set[str], set[str]]:
    """(ids a rule may name, ids that are subjects) for one table, scope and template."""
    keys = scoped_keys(table, scope, template, block)
    return {i for _, i, _ in keys}, {s for s, _, _ in keys}

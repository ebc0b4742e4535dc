"""What a check kind provides (`Kind`), and the registry of kinds (`KINDS`) they add themselves to."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import polars as pl

from checks.frames import PartData
from checks.spec import TABLES, CheckSpec, SuiteError
from gkqc.lake import Lake

if TYPE_CHECKING:
    from checks.linear import Rule

Bad = Callable[[str], SuiteError]  # makes the error for an entry, naming its file and line
KINDS: dict[str, Kind] = {}


class Kind:
    """What every kind provides; the defaults suit a kind that only looks inside each report."""

    name: str = ""
    fields: frozenset[str] = frozenset()  # YAML fields this kind reads, beyond id/title/severity/templates/kind

    def validate(self, spec: CheckSpec, bad: Bad) -> None:
        """Raise `bad(reason)` if the entry cannot be used (checked before any data is touched)."""

    def applies(self, spec: CheckSpec, template: str) -> bool:
        """Whether an entry that names no templates holds for reports of `template` (default: every one)."""
        return True

    def tables(self, spec: CheckSpec) -> set[str]:
        """The lake tables (besides reports) an entry reads within a batch."""
        return set()

    def evaluate(self, data: PartData, specs: list[CheckSpec], settings: dict) -> list[pl.DataFrame]:
        """Result rows for one batch of reports (the entries of this kind)."""
        return []

    def report_rules(self, spec: CheckSpec, n: int) -> list[Rule]:
        """The linear rules between one report's own cells an entry states (checks.linear; `n`: its
        position in the suite): those by which values read by OCR are proven (default: none)."""
        return []

    def finding_cells(self, spec: CheckSpec, template: str, subject: str, terms: list[str]) -> list[tuple[str, str]] | None:
        """(table, key) of the cells of a report a finding rests on, from its evidence's terms; None:
        the terms name the cells themselves (the default)."""
        return None

    def carry(self, data: PartData, specs: list[CheckSpec]) -> list[pl.DataFrame]:
        """Columns of this batch (one row per report) to keep for `across` (default: none)."""
        return []

    def across(self, lake: Lake, specs: list[CheckSpec], carried: list[str], settings: dict) -> Iterator[pl.DataFrame]:
        """Result rows over every report of the lake, after every batch: checks that compare reports
        with each other, or read what may change for reports already checked (default: none).
        `carried`: the files of what every batch kept (see `carry`)."""
        return iter(())


def need_table(table: str | None, bad: Bad) -> None:
    """An entry's `table` is one of the lake's cell tables."""
    if table not in TABLES:
        raise bad(f"表 '{table}' 无效，应为 {sorted(TABLES)}")


def need_rule(rule: str | None, bad: Bad) -> None:
    if not rule:
        raise bad("缺少规则 rule (missing rule)")


def register(cls: type[Kind]) -> type[Kind]:
    KINDS[cls.name] = cls()
    return cls


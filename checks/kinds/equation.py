"""Equations: a linear rule between cells of one report (A1–A3, R1–R3, P1–P2), one result per
report × subject, evaluated as column arithmetic over the batch's grids (see checks.linear), with
blank cells as the blank-cell policy has already set them there (checks.engine.prepare)."""

from __future__ import annotations

from collections import defaultdict
from functools import partial

import polars as pl

from checks.expr import PREV, RuleError, linear
from checks.frames import PartData, subject_labels
from checks.grid import cells_of
from checks.kinds.base import Bad, Kind, need_rule, need_table, register
from checks.linear import PREV_LABEL, Rule, rules_for, run_linear
from checks.spec import TABLES, CheckSpec, scope_ids, scopes
from gkqc.templates import registry


def validate_linear(spec: CheckSpec, bad: Bad) -> None:
    """A linear rule over one table and scope, whose ids each template of the entry has."""
    need_table(spec.table, bad)
    need_rule(spec.rule, bad)
    if spec.scope not in scopes(spec.table):
        raise bad(f"范围 '{spec.scope}' 对表 {spec.table} 无效，应为 {sorted(scopes(spec.table))}")
    lacks = {t: linear_problem(spec, t, rule=False) for t in spec.templates}  # a block, a subject
    fit = [t for t, problem in lacks.items() if problem is None]
    every = set().union(*(scope_ids(spec.table, spec.scope, t, spec.block)[0] for t in fit))
    try:
        linear(spec.rule, every) if fit else None  # an id none of them has (a misspelling), named as such
    except RuleError as e:
        raise bad(f"模板 {fit[0]}：{e}" if len(fit) == 1 else f"模板 {'、'.join(fit)} 均无此标识：{e}") from None
    if problem := next((p for p in lacks.values() if p), None):
        raise bad(problem)
    for t in spec.templates:
        problem = linear_problem(spec, t)
        if problem:
            raise bad(problem)


def linear_problem(spec: CheckSpec, template: str, rule: bool = True) -> str | None:
    """Why a linear rule cannot be stated over `template`'s cells (a block, a subject or, with `rule`, an id
    it lacks), or None."""
    if spec.block and spec.block not in registry().ids("block", template):
        return f"模板 {template} 中没有表块 '{spec.block}'"
    ids, subjects = scope_ids(spec.table, spec.scope, template, spec.block)
    if set(spec.subjects) - subjects:
        return f"模板 {template} 中没有对象 {sorted(set(spec.subjects) - subjects)}"
    if not rule:
        return None
    try:
        linear(spec.rule, ids)
    except RuleError as e:
        return f"模板 {template}：{e}"
    return None


@register
class Equation(Kind):
    name = "equation"
    fields = frozenset({"table", "scope", "rule", "message", "subjects", "block"})

    def validate(self, spec: CheckSpec, bad: Bad) -> None:
        validate_linear(spec, bad)

    def applies(self, spec: CheckSpec, template: str) -> bool:
        """Where the template prints the cells the rule names (P2's 现行有效件数: the 2021 template)."""
        return spec.table in TABLES and spec.scope in scopes(spec.table) and linear_problem(spec, template) is None

    def tables(self, spec: CheckSpec) -> set[str]:
        return {spec.table}

    def report_rules(self, spec: CheckSpec, n: int) -> list[Rule]:
        return rules_for(spec, n)

    def finding_cells(self, spec: CheckSpec, template: str, subject: str, terms: list[str]) -> list[tuple[str, str]]:
        """The cells the evidence names (full cell ids), or that each term of the rule adds up for the
        finding's subject (evidence written before it named cells); a previous year's are not this report's."""
        width = len(registry().axes(spec.table))
        return [(spec.table, k) for term in terms if not term.startswith((PREV, PREV_LABEL))
                for k in ([term] if term.count(".") == width - 1
                          else cells_of(spec.table, spec.scope, spec.block, template, term, subject))]

    def evaluate(self, data: PartData, specs: list[CheckSpec], settings: dict) -> list[pl.DataFrame]:
        by_table = defaultdict(list)
        for n, s in enumerate(specs):
            by_table[s.table] += rules_for(s, n)
        return [d for table, rules in by_table.items()
                for d in run_linear(marked_grid(data, table), rules, partial(subject_labels, table),
                                    raw_text=data.grids[table].raw_of)]


def marked_grid(data: PartData, table: str) -> pl.DataFrame:
    """A table's grid with its cells read by OCR or split by a row's total marked (CellTable.marks)."""
    cells = data.grids[table]
    return pl.concat([cells.grid, cells.marks("inferred"), cells.marks("ocr")], how="horizontal")

"""The SQL forms of rules agree with their polars forms, and checks whose coefficients would
differ by template are refused rather than summed wrongly."""

import duckdb
import polars as pl
import pytest

from checks.expr import compile_rule, compile_sql, linear
from checks.linear import Rule, coefficient_table
from checks.spec import load_suite

VALUES = [-1.0, 0.0, 0.5, 2.0, 3.0000001, 1e9, None]


@pytest.mark.parametrize("rule", ["value >= 0 and whole(value)", "value >= 0", "abs(value - 2) < 1",
                                  "2 * value == value + 2", "-value <= 0"])
def test_cell_rule_sql_matches_polars(rule):
    frame = pl.DataFrame({"value": VALUES}, schema={"value": pl.Float64})
    by_polars = frame.select(compile_rule(rule, {"value"}).cond.fill_null(True)).to_series().to_list()
    con = duckdb.connect()
    by_sql = [r[0] for r in con.sql(f"select coalesce({compile_sql(rule, {'value'})}, true) from frame").fetchall()]
    assert by_sql == by_polars
    assert not all(by_sql)  # every rule here rejects at least one of the values


def test_coefficients_per_term_come_from_the_rule():
    a2 = [s for s in load_suite() if s.id == "A2"][0]
    from checks.linear import rules_for

    table = pl.from_arrow(coefficient_table([rules_for(a2, 0)]))
    row = dict(zip(table["term"], table["cr0"], strict=True))
    assert row["granted"] == 1.0 and row["other_handling"] == 1.0 and row["other_no_fee"] == 1.0  # both templates
    assert dict(zip(table["term"], table["cl0"], strict=True))["results_total"] == 1.0


def test_template_dependent_coefficients_are_refused():
    spec = [s for s in load_suite() if s.id == "A1"][0]
    ids = {"a", "b"}
    rules = [Rule(0, spec, "gov2019", linear("a == b", ids)), Rule(0, spec, "gov2021", linear("a == 2 * b", ids))]
    with pytest.raises(ValueError, match="系数因模板而异"):
        coefficient_table([rules])

"""Linear rules (equations, cross-year) over grids (`checks.grid`).

Each rule × subject is column arithmetic over the reports of the rule's template: both sides,
and whether every cell is there and readable (a strict sum is null or NaN otherwise). The
residuals are judged by a pandera schema (`RESIDUALS`: one column and built-in check per
operator) whose failure cases are the findings; they then get their evidence (the cells read,
from the same grid) and a message.

Blank cells follow the policy already applied to the grid (see checks.grid): under `zero` a blank
is 0, and a result that read one — pass or fail — rests on that assumption: its `cells` show each
such cell as `term=空→0` and its message starts with `按空白为0计算：<cell ids>；` (`BLANK_NOTE`; a
pass resting on blanks is therefore stored with a message, `…；符合：<title>`, where a plain pass
has none). Under `strict` a blank leaves the result not assessable. A cell that could not be read
(unreadable, missing) always does.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

import pandera.polars as pa
import polars as pl
from pandera.config import ValidationDepth, config_context

from checks.blanks import BLANK_NOTE
from checks.expr import PREV, TOLERANCE, Linear, linear
from checks.frames import label_expr, subject_key
from checks.grid import blank_col, cells_of
from checks.results import fmt_num, render
from checks.spec import CheckSpec, scope_ids

UNREAD = "无法判断：涉及的单元格未能读取（{cells}）"
BLANK_STRICT = "无法判断：涉及的单元格留空，按设置（blank_cells: strict）空白不按0计（{cells}）"
SPLIT = "无法判断：本行数字连写，系按本行合计拆分（{cells}），本行合计检查无法自证"
OCR_NOTE = "（含 OCR 读数）"
PREV_LABEL = "上一年度报告 "  # how evidence names last year's cells (`prev__x` in a rule)
# the raw text of cells that could not be read: (report_id, table, column) of the finding's report and its
# grid columns (`prev__…`: last year's) -> the same with `raw`, for the few cells evidence quotes
RawText = Callable[[pl.DataFrame], pl.DataFrame]


@dataclass
class Rule:
    """One check on one template, in linear form."""

    n: int  # the check's position in the suite
    spec: CheckSpec
    template: str
    lin: Linear

    @cached_property
    def plan(self) -> dict[str, dict[str, list[str]]]:
        """subject -> term -> the grid columns the term reads for that subject."""
        s = self.spec
        _, subjects = scope_ids(s.table, s.scope, self.template, s.block)
        if s.subjects:
            subjects &= set(s.subjects)
        return {subj: {t: cells_of(s.table, s.scope, s.block, self.template, t, subj) for t in self.lin.ids}
                for subj in sorted(subjects)}


def rules_for(spec: CheckSpec, n: int) -> list[Rule]:
    out = []
    for t in spec.templates:
        ids, _ = scope_ids(spec.table, spec.scope, t, spec.block)
        out.append(Rule(n, spec, t, linear(spec.rule, ids)))
    return out


def grid_columns(rules: list[Rule]) -> set[str]:
    """Every grid column some rule reads: the cells' values and their blank markers."""
    cells = {c for r in rules for terms in r.plan.values() for cs in terms.values() for c in cs}
    return cells | {blank_col(c) for c in cells}


def _strict_sum(coefs: dict[str, float], terms: dict[str, list[str]]) -> pl.Expr:
    """Σ coefficient·cell, null if a cell is absent and NaN if one is blank or unreadable."""
    parts = [pl.col(c) if k == 1 else pl.col(c) * k for t, k in coefs.items() if t for c in terms[t]]
    return pl.sum_horizontal(parts, ignore_nulls=False) if parts else pl.lit(0.0)


OPERATORS = {"==": "eq", ">=": "ge", "<=": "le", ">": "gt", "<": "lt"}
# The judgement of every linear rule, declared: the residual (actual − expected) of a rule with
# operator `op` is in column residual_<op> and must pass that column's check; null where the rule
# does not use that operator or a cell is blank or unreadable. Its failure cases are the findings.
RESIDUALS = pa.DataFrameSchema({
    "residual_eq": pa.Column(float, pa.Check.in_range(-TOLERANCE, TOLERANCE), nullable=True),
    "residual_ge": pa.Column(float, pa.Check.ge(-TOLERANCE), nullable=True),
    "residual_le": pa.Column(float, pa.Check.le(TOLERANCE), nullable=True),
    "residual_gt": pa.Column(float, pa.Check.gt(TOLERANCE), nullable=True),
    "residual_lt": pa.Column(float, pa.Check.lt(-TOLERANCE), nullable=True),
}, name="linear rules")


def judged(wide: pl.DataFrame, rules: list[Rule]) -> pl.DataFrame:
    """Per rule × report × subject: actual (lhs), expected (rhs), whether every cell is there and
    readable (`assessable`), whether one of them was left blank (`blank`), and whether the rule
    fails (`failed`, pandera's failure cases on `RESIDUALS`), for every subject with at least one
    cell. `wide`: report_id, template and the grid columns (blank markers where it has them); each
    report's rules are those of its template. One select per template computes every rule × subject
    side by side; unpivoting makes them rows."""
    frames = []
    marked = set(wide.columns)
    for template in sorted({r.template for r in rules}):
        stats = []
        for k, r in enumerate(rules):
            if r.template != template:
                continue
            for subject, terms in r.plan.items():
                names = [c for cs in terms.values() for c in cs]
                if not names:
                    continue
                lhs, rhs = _strict_sum(r.lin.lhs, terms), _strict_sum(r.lin.rhs, terms)
                split = _any_marked("inferred", names, marked) if len({_row(c) for c in names}) == 1 else pl.lit(False)
                stats.append(pl.struct(
                    pl.lit(k, dtype=pl.UInt32).alias("rule"), pl.lit(subject).alias("subject"),
                    (lhs + r.lin.lhs.get("", 0.0)).alias("actual"), (rhs + r.lin.rhs.get("", 0.0)).alias("expected"),
                    ((lhs + rhs).is_finite().fill_null(False) & ~split).alias("assessable"),
                    split.alias("split"), _any_marked("ocr", names, marked).alias("ocr"),
                    _any_of([blank_col(c) for c in names], marked).alias("blank"),
                    pl.max_horizontal([pl.col(c) for c in names]).is_not_null().alias("found")).alias(f"s{len(stats)}"))
        if stats:
            frames.append(wide.lazy().filter(pl.col("template") == template).select("report_id", *stats)
                          .unpivot(index="report_id").drop("variable").unnest("value")
                          .filter(pl.col("found")).drop("found"))
    schema = {"report_id": pl.Utf8, "rule": pl.UInt32, "subject": pl.Utf8, "actual": pl.Float64,
              "expected": pl.Float64, "assessable": pl.Boolean, "split": pl.Boolean, "ocr": pl.Boolean,
              "blank": pl.Boolean, "failed": pl.Boolean}
    if not frames:
        return pl.DataFrame(schema=schema)
    out = pl.concat(frames).collect()
    op = pl.col("rule").replace_strict({k: r.lin.op for k, r in enumerate(rules)}, return_dtype=pl.Utf8)
    residual = pl.when(pl.col("assessable")).then(pl.col("actual") - pl.col("expected"))
    frame = out.select([pl.when(op == o).then(residual).alias(f"residual_{n}") for o, n in OPERATORS.items()])
    failed = pl.zeros(out.height, dtype=pl.Boolean, eager=True)
    at = _failure_cases(frame, RESIDUALS)
    if len(at):
        failed = failed.scatter(at, True)
    return out.with_columns(failed.alias("failed"))


def _row(cell: str) -> str:
    """The printed row a grid column belongs to (its cell id without the column part)."""
    return cell.removeprefix(PREV).rsplit(".", 1)[0]


def _any_marked(status: str, columns: list[str], marked: set[str]) -> pl.Expr:
    """Whether any of these cells has `status` (columns `<status>__<cell>`, see CellTable.marks)."""
    return _any_of([f"{status}__{c}" for c in columns], marked)


def _any_of(flags: list[str], have: set[str]) -> pl.Expr:
    """Whether any of these Boolean columns (those `have` has) is true."""
    cols = [pl.col(f) for f in flags if f in have]
    return pl.any_horizontal(cols).fill_null(False) if cols else pl.lit(False)


def _failure_cases(frame: pl.DataFrame, schema: pa.DataFrameSchema) -> pl.Series:
    """The rows of `frame` with a failure case of `schema`."""
    with config_context(validation_depth=ValidationDepth.SCHEMA_AND_DATA):
        try:
            schema.validate(frame, lazy=True)
        except pa.errors.SchemaErrors as e:
            return e.failure_cases["index"].drop_nulls().unique().cast(pl.Int64)
    return pl.Series([], dtype=pl.Int64)


def run_linear(wide: pl.DataFrame, rules: list[Rule], subject_labels: Callable[[str | None], dict[str, str]],
               missing_message: pl.Expr | None = None, raw_text: RawText | None = None) -> list[pl.DataFrame]:
    """Evaluate linear rules over `wide` (report_id, template, grid columns). Evidence and
    messages are built for findings only; `subject_labels(template)` names the subjects in a template's
    words; `raw_text` gives the text of the cells evidence shows as unreadable."""
    if not rules or wide.height == 0:
        return []
    agg = judged(wide, rules)
    if agg.height == 0:
        return []
    check_id = pl.col("rule").replace_strict({k: r.spec.id for k, r in enumerate(rules)}, return_dtype=pl.Utf8)
    severity = pl.col("rule").replace_strict({k: r.spec.severity for k, r in enumerate(rules)}, return_dtype=pl.Utf8)
    plain = pl.col("assessable") & ~pl.col("failed") & ~pl.col("blank")  # a pass that rests on no blank
    passed = agg.filter(plain).select(
        "report_id", check_id.alias("check_id"), severity.alias("severity"), pl.lit("pass").alias("status"), "subject",
        "expected", "actual", (pl.col("actual") - pl.col("expected")).alias("difference"),  # the view says 符合：…
        pl.lit(None, dtype=pl.Utf8).alias("cells"), pl.lit(None, dtype=pl.Utf8).alias("message"))
    findings = agg.filter(~plain).with_columns(
        check_id.alias("check_id"), severity.alias("severity"),
        pl.when(~pl.col("assessable")).then(pl.lit("not_assessable")).when(pl.col("failed")).then(pl.lit("fail"))
        .otherwise(pl.lit("pass")).alias("status")).drop("failed")
    return [passed, *_findings(wide, rules, findings, subject_labels, missing_message, raw_text)]


def _raw_of_unread(read: pl.DataFrame, rules: list[Rule], raw_text: RawText | None) -> pl.Series:
    """The raw text of each row of `read` (f, rule, report_id, column, unread) that is an unreadable cell."""
    none = pl.Series("raw", [None] * read.height, dtype=pl.Utf8)
    if raw_text is None or not read["unread"].any():
        return none
    table = pl.col("rule").replace_strict({k: r.spec.table for k, r in enumerate(rules)}, return_dtype=pl.Utf8)
    keys = ["report_id", "table", "column"]
    asked = read.select("report_id", table.alias("table"), "column", "unread")
    found = raw_text(asked.filter("unread").select(keys).unique()).select(*keys, "raw").unique(keys)
    return asked.join(found, on=keys, how="left", maintain_order="left")["raw"]


def _evidence(wide: pl.DataFrame, rules: list[Rule], findings: pl.DataFrame,
              raw_text: RawText | None = None) -> pl.DataFrame:
    """Per finding (row `f` of `findings`): 'cell id=value; …' over the cells its rule reads for its
    subject (row id × column id, as checks.md asks), sorted by term (last year's named 上一年度报告 x; cells the report lacks left out; a blank
    shows as 空→0 when taken as 0, 空 otherwise, a cell with no number as 未能读取, with its text when
    `raw_text` gives it); the cells taken as 0 (`zeroed`, their ids), how many could not be read
    (`unread`), how many it has (`n`) of how many the rule reads (`arity`)."""
    plan = pl.DataFrame([(k, subject, term, c) for k, r in enumerate(rules) for subject, terms in r.plan.items()
                         for term in sorted(terms) for c in terms[term]],
                        schema={"rule": pl.UInt32, "subject": pl.Utf8, "term": pl.Utf8, "column": pl.Utf8}, orient="row")
    read = findings.select("f", "rule", "report_id", "subject").join(
        plan, on=["rule", "subject"], maintain_order="left_right")  # per finding, its terms in order
    # each value (and blank marker) by position: the columns read, stacked, gathered at column·height + row
    columns = read["column"].unique().sort()
    stacked = pl.concat([wide[c] for c in columns]) if len(columns) else pl.Series([], dtype=pl.Float64)
    no_mark = pl.repeat(False, wide.height, dtype=pl.Boolean, eager=True)
    marks = pl.concat([wide[blank_col(c)] if blank_col(c) in wide.columns else no_mark for c in columns]) \
        if len(columns) else pl.Series([], dtype=pl.Boolean)
    at = (read.select("f", "column", "report_id")
          .join(pl.DataFrame({"column": columns, "cpos": range(len(columns))}, schema_overrides={"cpos": pl.Int64}),
                on="column", maintain_order="left")
          .join(wide.select("report_id").with_row_index("rpos"), on="report_id", maintain_order="left"))
    where = at["cpos"] * wide.height + at["rpos"]
    read = read.select("f", "rule", "report_id", "term", "column").with_columns(
        stacked.gather(where).alias("value"), marks.gather(where).fill_null(False).alias("blank"))
    read = read.with_columns((pl.col("value").is_not_null() & pl.col("value").is_nan() & ~pl.col("blank")).alias("unread"))
    read = read.with_columns(_raw_of_unread(read, rules, raw_text))
    # a finding's rows are together, in term order: the k-th of them goes to column k of a small
    # grid (findings × terms), whose columns are then joined side by side
    value, blank = pl.col("value"), pl.col("blank")
    present = value.is_not_null()
    shown = (pl.when(blank & value.is_nan()).then(pl.lit("空")).when(blank).then(pl.lit("空→0"))
             .when(value.is_nan() & pl.col("raw").is_not_null()).then(pl.concat_str([pl.lit("未能读取（"), pl.col("raw"),
                                                                                      pl.lit("）")]))
             .when(value.is_nan()).then(pl.lit("未能读取")).otherwise(fmt_num(value)))
    starts = (pl.col("f") != pl.col("f").shift()).fill_null(True)
    read = read.with_row_index("i").with_columns(
        pl.when(present).then(pl.concat_str([pl.col("column").str.replace(f"^{PREV}", PREV_LABEL), pl.lit("="), shown]))
        .alias("piece"),
        pl.when(present & blank & ~value.is_nan()).then(pl.col("column").str.replace(f"^{PREV}", PREV_LABEL))
        .alias("zero"),
        present.alias("present"),
        (pl.col("i") - pl.when(starts).then(pl.col("i")).forward_fill()).cast(pl.Int64).alias("pos"))
    found, width = findings.height, int(read["pos"].max() or 0) + 1
    at_pos = pl.Series([None], dtype=pl.UInt32).extend_constant(None, found * width - 1) \
        .scatter(read["pos"] * found + read["f"].cast(pl.Int64), read["i"])
    rows = [at_pos.slice(k * found, found) for k in range(width)]

    def side_by_side(name: str) -> pl.DataFrame:
        return pl.DataFrame([read[name].gather(r).alias(f"p{k}") for k, r in enumerate(rows)])

    def count(name: str) -> pl.Series:
        return side_by_side(name).select(pl.sum_horizontal(pl.all())).to_series().cast(pl.Int64)

    zeroed = side_by_side("zero").select(pl.concat_str(pl.all(), separator="、", ignore_nulls=True)).to_series()
    return pl.DataFrame({
        "f": pl.Series(range(found), dtype=pl.UInt32),
        "cells": side_by_side("piece").select(pl.concat_str(pl.all(), separator="; ", ignore_nulls=True)).to_series(),
        "zeroed": zeroed, "unread": count("unread"), "n": count("present"),
        "arity": pl.DataFrame([r.is_not_null().alias(f"p{k}") for k, r in enumerate(rows)])
        .select(pl.sum_horizontal(pl.all())).to_series().cast(pl.Int64)})


def _findings(wide: pl.DataFrame, rules: list[Rule], findings: pl.DataFrame,
              subject_labels: Callable[[str | None], dict[str, str]],
              missing_message: pl.Expr | None, raw_text: RawText | None = None) -> list[pl.DataFrame]:
    """Result rows for fails, not-assessable results and passes that rest on blanks, every rule's
    message at once."""
    if findings.height == 0:
        return []
    findings = findings.with_row_index("f")
    findings = findings.join(_evidence(wide, rules, findings, raw_text), on="f", how="left", maintain_order="left")
    na, ok = pl.col("status") == "not_assessable", pl.col("status") == "pass"
    template = pl.col("rule").replace_strict({k: r.template for k, r in enumerate(rules)}, return_dtype=pl.Utf8)
    block = pl.col("rule").replace_strict({k: r.spec.block for k, r in enumerate(rules)}, return_dtype=pl.Utf8)
    fields = {"subject": pl.col("subject"),
              "subject_label": label_expr(subject_key(block, pl.col("subject")), template, subject_labels),
              "expected": fmt_num(pl.col("expected")), "actual": fmt_num(pl.col("actual")),
              "difference": fmt_num(pl.col("actual") - pl.col("expected")), "cells": pl.col("cells").fill_null("")}
    na_message = (pl.when(pl.col("split")).then(render(SPLIT, fields))
                  .when(pl.col("blank") & (pl.col("unread") == 0)).then(render(BLANK_STRICT, fields))
                  .otherwise(render(UNREAD, fields)))
    if missing_message is not None:
        na_message = pl.when(pl.col("n") < pl.col("arity")).then(missing_message).otherwise(na_message)
    titles = {k: f"符合：{r.spec.title}" for k, r in enumerate(rules)}
    message = pl.when(na).then(na_message).when(ok).then(pl.col("rule").replace_strict(titles, return_dtype=pl.Utf8))
    for k in findings["rule"].unique().sort():
        message = message.when(pl.col("rule") == k).then(render(rules[k].spec.message or rules[k].spec.title, fields))
    message = pl.when(pl.col("ocr") & ~ok).then(pl.concat_str([message, pl.lit(OCR_NOTE)])).otherwise(message)
    message = pl.when(pl.col("blank") & ~na).then(pl.concat_str([pl.lit(BLANK_NOTE), pl.col("zeroed"), pl.lit("；"), message])) \
        .otherwise(message)
    return [findings.select(
        "report_id", "check_id", "severity", "status", "subject",
        pl.when(na).then(None).otherwise(pl.col("expected")).alias("expected"),
        pl.when(na).then(None).otherwise(pl.col("actual")).alias("actual"),
        pl.when(na).then(None).otherwise(pl.col("actual") - pl.col("expected")).alias("difference"),
        pl.col("cells").fill_null(""), message.alias("message"))]

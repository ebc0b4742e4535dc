"""Rule expressions over template ids, compiled to polars expressions.

Grammar (a safe subset of Python): ids, `prev.id`, numbers, + - *, one comparison
(== >= <= > <), `and`, `whole(x)`, `abs(x)`, and `prefix_*` which expands to the
sum of every id starting with `prefix_` (per template).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

import polars as pl

_WILDCARD = re.compile(r"\b([a-z][a-z0-9_]*_)\*")
_CMP = {ast.Eq: "==", ast.GtE: ">=", ast.LtE: "<=", ast.Gt: ">", ast.Lt: "<"}


class RuleError(ValueError):
    pass


@dataclass(frozen=True)
class Compiled:
    lhs: pl.Expr
    rhs: pl.Expr | None
    op: str | None
    cond: pl.Expr  # True holds, False fails, null not assessable
    refs: tuple[str, ...]  # columns of the wide frame the rule reads (prev ids as prev__id)


def expand(rule: str, ids: set[str]) -> str:
    def repl(m: re.Match) -> str:
        hits = sorted(i for i in ids if i.startswith(m.group(1)))
        if not hits:
            raise RuleError(f"'{m.group(0)}' 不匹配任何标识 (matches no id)")
        return "(" + " + ".join(hits) + ")"

    return _WILDCARD.sub(repl, rule)


def compile_rule(rule: str, ids: set[str], order: list[str] | None = None) -> Compiled:
    """Compile `rule` against the allowed ids; raise RuleError naming what is wrong."""
    text = expand(rule, ids)
    try:
        tree = ast.parse(text, mode="eval").body
    except SyntaxError as e:
        raise RuleError(f"规则语法错误 (syntax error): {e.msg}") from None
    refs: list[str] = []

    def name(n: str) -> str:
        if n not in ids:
            raise RuleError(f"未知标识 '{n}'（模板中没有这一行或列） (unknown id)")
        return n

    def ev(node: ast.AST) -> pl.Expr:
        if isinstance(node, ast.Name):
            col = name(node.id)
            refs.append(col)
            return pl.col(col)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "prev":
            col = f"prev__{name(node.attr)}"
            refs.append(col)
            return pl.col(col)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            return pl.lit(float(node.value))
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub | ast.Mult):
            a, b = ev(node.left), ev(node.right)
            return a + b if isinstance(node.op, ast.Add) else a - b if isinstance(node.op, ast.Sub) else a * b
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -ev(node.operand)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("whole", "abs") \
                and len(node.args) == 1:
            x = ev(node.args[0])
            return (x == x.floor()) if node.func.id == "whole" else x.abs()
        raise RuleError(f"不支持的写法 (unsupported): {ast.unparse(node)}")

    if isinstance(tree, ast.BoolOp) and isinstance(tree.op, ast.And):
        parts = [compile_part(v, ev) for v in tree.values]
        cond = parts[0][3]
        for p in parts[1:]:
            cond = cond & p[3]
        lhs, rhs, op, _ = parts[0]
        return Compiled(lhs, rhs, op, cond, tuple(dict.fromkeys(refs)))
    lhs, rhs, op, cond = compile_part(tree, ev)
    return Compiled(lhs, rhs, op, cond, tuple(dict.fromkeys(refs)))


def compile_part(node: ast.AST, ev):
    if isinstance(node, ast.Compare):
        if len(node.ops) != 1 or type(node.ops[0]) not in _CMP:
            raise RuleError("每条规则只能有一个比较（== >= <= > <） (exactly one comparison)")
        op = _CMP[type(node.ops[0])]
        lhs, rhs = ev(node.left), ev(node.comparators[0])
        # compare with a tolerance for amounts printed with decimals
        diff = lhs - rhs
        cond = {"==": diff.abs() < 1e-6, ">=": diff > -1e-6, "<=": diff < 1e-6, ">": diff > 1e-6,
                "<": diff < -1e-6}[op]
        return lhs, rhs, op, cond
    if isinstance(node, ast.Call):
        e = ev(node)
        return e, None, None, e
    raise RuleError("规则必须是比较或 whole(…) (a rule must be a comparison)")
